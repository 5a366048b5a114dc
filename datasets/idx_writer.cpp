#include "datasets/idx_writer.h"

#include "datasets/idx_codec.h"

#include <zlib.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

namespace tl::datasets {
namespace {

using base::ErrorCode;

base::Status checkShape(const IdxArray &array)
{
    const auto &dims = array.header.dims;
    if (dims.empty() || dims.size() > static_cast<std::size_t>(kMaxIdxDims)) {
        return base::makeError(ErrorCode::InvalidInput, "An idx array needs 1 to 4 dimensions, not "
                                                            + std::to_string(dims.size()) + ".");
    }
    for (std::int64_t d : dims) {
        if (d < 0 || d > 0xffffffffLL) {
            return base::makeError(ErrorCode::InvalidInput,
                                   "An idx dimension must fit an unsigned 32-bit integer, not "
                                       + std::to_string(d) + ".");
        }
    }
    if (array.data.size() != dataBytes(array.header)) {
        return base::makeError(ErrorCode::InvalidInput,
                               "The array's data holds " + detail::groupedNumber(array.data.size())
                                   + " bytes, but its dimensions call for "
                                   + detail::describePromise(array.header) + ".");
    }
    return base::okStatus();
}

void appendBigEndian32(std::string &out, std::uint32_t v)
{
    for (int shift = 24; shift >= 0; shift -= 8) {
        out.push_back(static_cast<char>((v >> shift) & 0xff));
    }
}

base::Status writeError(const std::filesystem::path &path, const std::string &why)
{
    return base::makeError(ErrorCode::Io, "Writing the idx file failed: " + why + ".",
                           path.string());
}

base::Status writeGzip(const std::filesystem::path &path, std::string_view bytes)
{
    gzFile file = gzopen(path.c_str(), "wb");
    if (!file) {
        return writeError(path, std::strerror(errno));
    }
    std::size_t done = 0;
    while (done < bytes.size()) {
        const auto chunk =
            static_cast<unsigned>(std::min<std::size_t>(bytes.size() - done, 1 << 20));
        if (gzwrite(file, bytes.data() + done, chunk) != static_cast<int>(chunk)) {
            int code = Z_OK;
            const std::string message = gzerror(file, &code);
            gzclose_w(file);
            return writeError(path, code == Z_ERRNO ? std::strerror(errno) : message);
        }
        done += chunk;
    }
    if (gzclose_w(file) != Z_OK) {
        return writeError(path, std::strerror(errno));
    }
    return base::okStatus();
}

base::Status writePlain(const std::filesystem::path &path, std::string_view bytes)
{
    std::unique_ptr<std::FILE, int (*)(std::FILE *)> file(std::fopen(path.c_str(), "wb"),
                                                          &std::fclose);
    if (!file) {
        return writeError(path, std::strerror(errno));
    }
    if (std::fwrite(bytes.data(), 1, bytes.size(), file.get()) != bytes.size()
        || std::fclose(file.release()) != 0) {
        return writeError(path, std::strerror(errno));
    }
    return base::okStatus();
}

} // namespace

base::Result<std::string> encodeIdx(const IdxArray &array)
{
    if (auto shape = checkShape(array); !shape) {
        return shape.error();
    }
    std::string out;
    out.reserve(detail::idxHeaderSize(array.header.dims.size()) + array.data.size());
    out.push_back(0);
    out.push_back(0);
    out.push_back(static_cast<char>(elementTypeCode(array.header.type)));
    out.push_back(static_cast<char>(array.header.dims.size()));
    for (std::int64_t d : array.header.dims) {
        appendBigEndian32(out, static_cast<std::uint32_t>(d));
    }
    const std::size_t start = out.size();
    out.append(reinterpret_cast<const char *>(array.data.data()), array.data.size());
    detail::swapBigEndian(reinterpret_cast<std::uint8_t *>(out.data()) + start, array.data.size(),
                          elementSize(array.header.type));
    return out;
}

base::Status writeIdxFile(const std::filesystem::path &path, const IdxArray &array)
{
    auto bytes = encodeIdx(array);
    if (!bytes) {
        return base::makeError(bytes.error().code, bytes.error().message, path.string());
    }
    return writeRawFile(path, bytes.value());
}

base::Status writeRawFile(const std::filesystem::path &path, std::string_view bytes)
{
    if (path.extension() == ".gz") {
        return writeGzip(path, bytes);
    }
    return writePlain(path, bytes);
}

IdxArray makeUInt8Array(std::vector<std::int64_t> dims, std::vector<std::uint8_t> bytes)
{
    IdxArray array;
    array.header.type = ElementType::UInt8;
    array.header.dataOffset = detail::idxHeaderSize(dims.size());
    array.header.dims = std::move(dims);
    array.data = std::move(bytes);
    return array;
}

} // namespace tl::datasets
