#include "datasets/idx_file.h"

#include "datasets/gz_reader.h"
#include "datasets/idx_codec.h"
#include "datasets/large_buffer.h"

#include <algorithm>
#include <array>

namespace tl::datasets {
namespace {

using base::ErrorCode;
using detail::GzReader;

// Decompressed bytes per read: small enough to notice a stop request within a few
// milliseconds, large enough that zlib inflates straight into the result without extra copies.
constexpr std::size_t kChunkBytes = std::size_t{4} << 20;
// Deflate cannot expand data by more than about 1032:1, so a gzip file of n bytes decompresses
// to at most this many times n: a header that promises more is caught without allocating.
constexpr std::uint64_t kMaxInflateRatio = 1040;

// Reads the header: the four magic bytes, then the dimensions they announce.
base::Result<IdxHeader> readHeader(GzReader &in)
{
    std::array<char, detail::idxHeaderSize(kMaxIdxDims)> bytes{};
    std::size_t got = in.read(bytes.data(), 4);
    if (got == 4 && bytes[0] == 0 && bytes[1] == 0) {
        const std::size_t ndims =
            std::min<std::size_t>(static_cast<unsigned char>(bytes[3]), kMaxIdxDims);
        got += in.read(bytes.data() + 4, 4 * ndims);
    }
    if (auto failure = in.failure()) {
        return *failure;
    }
    return detail::decodeIdxHeader(std::string_view(bytes.data(), got), in.name());
}

base::Error cancelled(const GzReader &in)
{
    return base::makeError(ErrorCode::Cancelled, "Reading the idx file was cancelled.", in.name());
}

// Reads to the end of the stream without keeping the bytes, to report how long it really is.
// Only error paths call it, but a large file still deserves a prompt stop.
base::Result<std::uint64_t> countRemaining(GzReader &in, std::stop_token stop)
{
    std::vector<char> scratch(1 << 20);
    std::uint64_t total = 0;
    while (std::size_t got = in.read(scratch.data(), scratch.size())) {
        total += got;
        if (stop.stop_requested()) {
            return cancelled(in);
        }
    }
    return total;
}

// The error for a data section that stopped after `got` bytes: zlib's, or truncated idx data.
base::Error shortData(GzReader &in, const IdxHeader &kept, bool limited, std::uint64_t got)
{
    if (auto failure = in.failure()) {
        return *failure;
    }
    return detail::truncatedData(in.name(), kept, limited, got, in.streamName());
}

// After all the data of a whole-file read: the stream must end here (this also makes zlib
// check the gzip trailer's CRC and length).
base::Status expectEnd(GzReader &in, const IdxHeader &header, std::stop_token stop)
{
    char extra = 0;
    const std::size_t got = in.read(&extra, 1);
    if (auto failure = in.failure()) {
        return *failure;
    }
    if (got == 0) {
        return base::okStatus();
    }
    // Corrupt gzip data often decompresses to too many bytes: finish the stream so that zlib's
    // own check, the more telling error, comes first.
    if (auto rest = countRemaining(in, stop); !rest) {
        return rest.error();
    }
    if (auto failure = in.failure()) {
        return *failure;
    }
    return detail::trailingData(in.name(), header);
}

// Reads `need` data bytes into array.data chunk by chunk, converting byte order as it goes.
base::Status readData(GzReader &in,
                      IdxArray &array,
                      std::uint64_t need,
                      bool limited,
                      std::stop_token stop,
                      const base::ProgressFn &progress)
{
    const std::uint64_t bound =
        in.isCompressed() ? in.fileSize() * kMaxInflateRatio + 4096 : in.fileSize();
    const std::uint64_t bytes = std::min(need, bound);
    if (auto allocated = detail::allocateLarge(array.data, static_cast<std::size_t>(bytes),
                                               "the data", in.name());
        !allocated) {
        return allocated;
    }
    const std::size_t element = elementSize(array.header.type);
    const std::uint64_t total = array.header.dataOffset + need;
    std::size_t filled = 0;
    while (filled < array.data.size()) {
        if (stop.stop_requested()) {
            return cancelled(in);
        }
        const std::size_t want = std::min(kChunkBytes, array.data.size() - filled);
        const std::size_t got = in.read(array.data.data() + filled, want);
        const std::size_t swapFrom = filled - filled % element;
        filled += got;
        detail::swapBigEndian(array.data.data() + swapFrom, filled - filled % element - swapFrom,
                              element);
        base::reportProgress(progress, array.header.dataOffset + filled, total, in.name());
        if (got < want) {
            return shortData(in, array.header, limited, filled);
        }
    }
    if (filled < need) { // the header promised more than the file can hold
        auto rest = countRemaining(in, stop);
        if (!rest) {
            return rest.error();
        }
        return shortData(in, array.header, limited, filled + rest.value());
    }
    return base::okStatus();
}

} // namespace

base::Result<IdxHeader> readIdxHeader(const std::filesystem::path &path)
{
    // A gzip header plus the first deflate block's start: a few KiB at most.
    constexpr std::size_t kHeaderInputBytes = 4096;
    auto in = GzReader::open(path, kHeaderInputBytes);
    if (!in) {
        return in.error();
    }
    return readHeader(in.value());
}

base::Result<IdxArray> readIdxFile(const std::filesystem::path &path,
                                   std::uint64_t limit,
                                   std::stop_token stop,
                                   const base::ProgressFn &progress)
{
    auto in = GzReader::open(path);
    if (!in) {
        return in.error();
    }
    auto header = readHeader(in.value());
    if (!header) {
        return header.error();
    }
    IdxArray array;
    array.header = detail::keepFirstItems(header.value(), limit);
    const bool keepsAll = array.header.dims[0] == header.value().dims[0];
    auto data = readData(in.value(), array, dataBytes(array.header), !keepsAll, stop, progress);
    if (!data) {
        return data.error();
    }
    if (keepsAll) {
        if (auto end = expectEnd(in.value(), array.header, stop); !end) {
            return end.error();
        }
    }
    return array;
}

} // namespace tl::datasets
