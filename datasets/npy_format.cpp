// Reading .npy data from a file (large fread calls straight into the result) or from a buffer
// (an .npz member), checked against the header's promise before anything is allocated, then
// brought to host byte order and C order.
#include "datasets/npy_format.h"

#include "datasets/idx_codec.h"
#include "datasets/large_buffer.h"
#include "datasets/regular_file.h"

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <new>

namespace tl::datasets {
namespace {

using base::ErrorCode;
using detail::byteContext;
using detail::groupedNumber;

// Bytes per read call and per stretch of work between two looks at the stop token.
constexpr std::size_t kChunkBytes = std::size_t{4} << 20;
// Values reordered between two looks at the stop token.
constexpr std::uint64_t kReorderChunk = std::uint64_t{1} << 20;

struct FileCloser
{
    void operator()(std::FILE *file) const { std::fclose(file); }
};
using File = std::unique_ptr<std::FILE, FileCloser>;

base::Error cancelled(const std::string &source)
{
    return base::makeError(ErrorCode::Cancelled, "Reading the .npy array was cancelled.", source);
}

// The data after the header must be exactly what the header promises.
base::Status
checkDataSize(const NpyHeader &header, std::uint64_t available, const std::string &source)
{
    const std::uint64_t need = header.dataBytes();
    if (available < need) {
        return base::makeError(ErrorCode::InvalidInput,
                               "The .npy data is truncated: the header promises "
                                   + header.describe() + " (" + groupedNumber(need)
                                   + " bytes), but only " + groupedNumber(available)
                                   + " bytes follow the header.",
                               byteContext(source, header.dataOffset + available));
    }
    if (available > need) {
        return base::makeError(ErrorCode::InvalidInput,
                               "The .npy data has " + groupedNumber(available - need)
                                   + " bytes more than the " + groupedNumber(need)
                                   + " bytes its header promises (" + header.describe() + ").",
                               byteContext(source, header.dataOffset + need));
    }
    return base::okStatus();
}

// Resizes `buffer` after checking that the bytes fit in memory; never throws.
// Copies src (Fortran order: axis 0 fastest) to dst in C order (last axis fastest).
template<typename T>
bool reorder(const T *src, T *dst, const std::vector<std::uint64_t> &shape, std::stop_token stop)
{
    const std::size_t rank = shape.size();
    std::vector<std::uint64_t> strides(rank, 1); // of dst, in values
    for (std::size_t k = rank - 1; k-- > 0;) {
        strides[k] = strides[k + 1] * shape[k + 1];
    }
    std::vector<std::uint64_t> index(rank, 0);
    const std::uint64_t count = strides[0] * shape[0];
    std::uint64_t to = 0;
    for (std::uint64_t from = 0; from < count; ++from) {
        if (from % kReorderChunk == 0 && stop.stop_requested()) {
            return false;
        }
        dst[to] = src[from];
        for (std::size_t k = 0; k < rank; ++k) {
            to += strides[k];
            if (++index[k] < shape[k]) {
                break;
            }
            to -= strides[k] * shape[k];
            index[k] = 0;
        }
    }
    return true;
}

template<typename T>
bool reorderAs(const std::vector<std::uint8_t> &src,
               std::vector<std::uint8_t> &dst,
               const std::vector<std::uint64_t> &shape,
               std::stop_token stop)
{
    return reorder(reinterpret_cast<const T *>(src.data()), reinterpret_cast<T *>(dst.data()),
                   shape, stop);
}

base::Status toCOrder(NpyArray &array, const std::string &source, std::stop_token stop)
{
    std::vector<std::uint8_t> reordered;
    if (auto status = detail::allocateLarge(reordered, array.data.size(),
                                            "the array reordered from Fortran order", source);
        !status) {
        return status;
    }
    const auto &shape = array.header.shape;
    bool done = false;
    switch (array.header.dtype.itemSize) {
    case 1:
        done = reorderAs<std::uint8_t>(array.data, reordered, shape, stop);
        break;
    case 2:
        done = reorderAs<std::uint16_t>(array.data, reordered, shape, stop);
        break;
    case 4:
        done = reorderAs<std::uint32_t>(array.data, reordered, shape, stop);
        break;
    default:
        done = reorderAs<std::uint64_t>(array.data, reordered, shape, stop);
        break;
    }
    if (!done) {
        return cancelled(source);
    }
    array.data = std::move(reordered);
    return base::okStatus();
}

void swapBytes(std::uint8_t *data, std::size_t bytes, std::size_t itemSize)
{
    for (std::size_t i = 0; i + itemSize <= bytes; i += itemSize) {
        std::reverse(data + i, data + i + itemSize);
    }
}

// Host byte order and C order, in place where it can be.
base::Status finish(NpyArray &array, const std::string &source, std::stop_token stop)
{
    NpyDtype &dtype = array.header.dtype;
    const bool hostBig = std::endian::native == std::endian::big;
    if (dtype.bigEndian != hostBig && dtype.itemSize > 1) {
        for (std::size_t at = 0; at < array.data.size(); at += kChunkBytes) {
            if (stop.stop_requested()) {
                return cancelled(source);
            }
            swapBytes(array.data.data() + at, std::min(kChunkBytes, array.data.size() - at),
                      dtype.itemSize);
        }
    }
    dtype.bigEndian = hostBig;
    if (array.header.fortranOrder && array.header.shape.size() > 1 && !array.data.empty()) {
        if (auto status = toCOrder(array, source, stop); !status) {
            return status;
        }
    }
    array.header.fortranOrder = false;
    return base::okStatus();
}

struct OpenFile
{
    File file;
    std::uint64_t size = 0;
    std::string name;
};

base::Result<OpenFile> openFile(const std::filesystem::path &path)
{
    auto size = detail::regularFileSize(path, "a .npy file");
    if (!size) {
        return size.error();
    }
    OpenFile open;
    open.size = size.value();
    open.name = path.filename().string();
    open.file.reset(std::fopen(path.c_str(), "rb"));
    if (!open.file) {
        return base::makeError(
            ErrorCode::Io, std::string("The file cannot be read: ") + std::strerror(errno) + ".",
            path.string());
    }
    return open;
}

// Reads the magic, version and length, then as much of the header as they announce.
base::Result<NpyHeader> readHeader(OpenFile &open)
{
    std::string prefix(static_cast<std::size_t>(std::min<std::uint64_t>(open.size, 12)), '\0');
    prefix.resize(std::fread(prefix.data(), 1, prefix.size(), open.file.get()));
    if (prefix.size() == 12 && prefix.compare(0, 6, "\x93NUMPY") == 0) {
        const bool shortLength = prefix[6] == 1;
        std::uint64_t length = static_cast<unsigned char>(prefix[8])
                               | static_cast<std::uint64_t>(static_cast<unsigned char>(prefix[9]))
                                     << 8;
        if (!shortLength) {
            length |= static_cast<std::uint64_t>(static_cast<unsigned char>(prefix[10])) << 16
                      | static_cast<std::uint64_t>(static_cast<unsigned char>(prefix[11])) << 24;
        }
        const std::uint64_t total = std::min<std::uint64_t>(
            {(shortLength ? 10 : 12) + length, open.size, kMaxNpyHeaderBytes + 12});
        const std::size_t had = prefix.size();
        prefix.resize(std::max<std::size_t>(had, static_cast<std::size_t>(total)));
        const std::size_t got =
            std::fread(prefix.data() + had, 1, prefix.size() - had, open.file.get());
        prefix.resize(had + got);
    }
    if (std::ferror(open.file.get())) {
        return base::makeError(
            ErrorCode::Io, std::string("Reading the file failed: ") + std::strerror(errno) + ".",
            open.name);
    }
    return parseNpyHeader(prefix, open.name);
}

base::Status
readData(OpenFile &open, NpyArray &array, std::stop_token stop, const base::ProgressFn &progress)
{
    const std::uint64_t offset = array.header.dataOffset;
    if (fseeko(open.file.get(), static_cast<off_t>(offset), SEEK_SET) != 0) {
        return base::makeError(
            ErrorCode::Io, std::string("Seeking in the file failed: ") + std::strerror(errno) + ".",
            byteContext(open.name, offset));
    }
    std::setvbuf(open.file.get(), nullptr, _IONBF, 0); // the result is the buffer
    for (std::size_t filled = 0; filled < array.data.size();) {
        if (stop.stop_requested()) {
            return cancelled(open.name);
        }
        const std::size_t want = std::min(kChunkBytes, array.data.size() - filled);
        const std::size_t got = std::fread(array.data.data() + filled, 1, want, open.file.get());
        filled += got;
        base::reportProgress(progress, offset + filled, open.size, open.name);
        if (got < want) {
            const bool failed = std::ferror(open.file.get()) != 0;
            return base::makeError(ErrorCode::Io,
                                   failed ? std::string("Reading the file failed: ")
                                                + std::strerror(errno) + "."
                                          : std::string("The file became shorter while it "
                                                        "was being read."),
                                   byteContext(open.name, offset + filled));
        }
    }
    return base::okStatus();
}

} // namespace

base::Result<NpyArray>
parseNpy(std::vector<std::uint8_t> bytes, const std::string &source, std::stop_token stop)
{
    const std::string_view view(reinterpret_cast<const char *>(bytes.data()), bytes.size());
    auto header = parseNpyHeader(view, source);
    if (!header) {
        return header.error();
    }
    const std::uint64_t offset = header.value().dataOffset;
    if (auto size = checkDataSize(header.value(), bytes.size() - offset, source); !size) {
        return size.error();
    }
    NpyArray array;
    array.header = std::move(header.value());
    bytes.erase(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(offset));
    array.data = std::move(bytes);
    if (auto status = finish(array, source, stop); !status) {
        return status.error();
    }
    return array;
}

base::Result<NpyArray> parseNpy(std::string_view bytes, const std::string &source)
{
    const auto *data = reinterpret_cast<const std::uint8_t *>(bytes.data());
    return parseNpy(std::vector<std::uint8_t>(data, data + bytes.size()), source, {});
}

base::Result<NpyHeader> readNpyHeader(const std::filesystem::path &path)
{
    auto open = openFile(path);
    if (!open) {
        return open.error();
    }
    return readHeader(open.value());
}

base::Result<NpyArray> readNpyFile(const std::filesystem::path &path,
                                   std::stop_token stop,
                                   const base::ProgressFn &progress)
{
    auto open = openFile(path);
    if (!open) {
        return open.error();
    }
    OpenFile &file = open.value();
    auto header = readHeader(file);
    if (!header) {
        return header.error();
    }
    NpyArray array;
    array.header = std::move(header.value());
    const std::uint64_t available = file.size - array.header.dataOffset;
    if (auto size = checkDataSize(array.header, available, file.name); !size) {
        return size.error();
    }
    if (auto status = detail::allocateLarge(array.data, static_cast<std::size_t>(available),
                                            "the array " + array.header.describe(), file.name);
        !status) {
        return status.error();
    }
    if (auto status = readData(file, array, stop, progress); !status) {
        return status.error();
    }
    if (auto status = finish(array, file.name, stop); !status) {
        return status.error();
    }
    return array;
}

} // namespace tl::datasets
