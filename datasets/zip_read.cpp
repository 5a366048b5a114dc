// Reading one zip member: stored bytes copied, deflated bytes inflated by zlib (raw deflate,
// no zlib or gzip wrapper), sizes and CRC-32 checked against the central directory.
#include "datasets/idx_codec.h"
#include "datasets/large_buffer.h"
#include "datasets/zip_archive.h"

#include <zlib.h>

#include <algorithm>
#include <climits>
#include <new>

namespace tl::datasets {
namespace {

using base::ErrorCode;
using detail::byteContext;
using detail::groupedNumber;

constexpr std::uint16_t kStored = 0;
constexpr std::uint16_t kDeflate = 8;
// Compressed bytes per read, and uncompressed bytes between two looks at the stop token.
constexpr std::size_t kChunkBytes = std::size_t{1} << 20;

std::string methodName(std::uint16_t method)
{
    switch (method) {
    case 9:
        return "deflate64";
    case 12:
        return "bzip2";
    case 14:
        return "LZMA";
    case 93:
        return "Zstandard";
    case 95:
        return "xz";
    default:
        return "method " + std::to_string(method);
    }
}

std::string hex32(std::uint32_t value)
{
    static const char kDigits[] = "0123456789abcdef";
    std::string out = "0x";
    for (int shift = 28; shift >= 0; shift -= 4) {
        out += kDigits[(value >> shift) & 15u];
    }
    return out;
}

// Ends the z_stream however the inflation ends.
class InflateGuard
{
public:
    explicit InflateGuard(z_stream *stream) : m_stream(stream) {}
    ~InflateGuard() { inflateEnd(m_stream); }
    InflateGuard(const InflateGuard &) = delete;
    InflateGuard &operator=(const InflateGuard &) = delete;

private:
    z_stream *m_stream;
};

} // namespace

base::Status ZipArchive::checkReadable(const ZipEntry &entry) const
{
    const std::string member = "The member " + entry.name;
    const std::string context = byteContext(m_name, entry.headerOffset);
    if (entry.isEncrypted()) {
        return base::makeError(ErrorCode::InvalidInput,
                               member + " is encrypted; decrypt the archive first.", context);
    }
    if (entry.method != kStored && entry.method != kDeflate) {
        return base::makeError(ErrorCode::InvalidInput,
                               member + " is compressed with " + methodName(entry.method)
                                   + "; only stored and deflate members can be read (numpy "
                                     "writes those).",
                               context);
    }
    if (entry.method == kStored && entry.size != entry.compressedSize) {
        return base::makeError(ErrorCode::InvalidInput,
                               member + " is stored uncompressed, yet the directory gives it "
                                   + groupedNumber(entry.size) + " bytes and "
                                   + groupedNumber(entry.compressedSize) + " stored bytes.",
                               context);
    }
    if (entry.size / kMaxInflateRatio > entry.compressedSize + 1) {
        return base::makeError(ErrorCode::InvalidInput,
                               member + " claims " + groupedNumber(entry.size) + " bytes from only "
                                   + groupedNumber(entry.compressedSize)
                                   + " compressed bytes, more than deflate can expand; the "
                                     "archive is corrupt.",
                               context);
    }
    return base::okStatus();
}

base::Status ZipArchive::copyStored(const ZipEntry &entry,
                                    std::vector<std::uint8_t> &out,
                                    std::stop_token stop,
                                    const base::ProgressFn &progress) const
{
    for (std::size_t done = 0; done < out.size();) {
        if (stop.stop_requested()) {
            return base::makeError(ErrorCode::Cancelled, "Reading the archive was cancelled.",
                                   m_name);
        }
        const std::size_t want = std::min(kChunkBytes * 4, out.size() - done);
        if (auto status = readAt(entry.dataOffset + done, want, out.data() + done,
                                 "the data of the member " + entry.name);
            !status) {
            return status;
        }
        done += want;
        base::reportProgress(progress, done, entry.size, entry.name);
    }
    return base::okStatus();
}

// Inflates into `out`: all of it and to the stream's end when `whole` (more or fewer bytes
// than out's size is an error), else only until out is full.
base::Status ZipArchive::inflateInto(const ZipEntry &entry,
                                     std::vector<std::uint8_t> &out,
                                     bool whole,
                                     std::stop_token stop,
                                     const base::ProgressFn &progress) const
{
    z_stream stream{};
    if (inflateInit2(&stream, -MAX_WBITS) != Z_OK) {
        return base::makeError(ErrorCode::Io, "zlib could not start inflating (out of memory).",
                               m_name);
    }
    const InflateGuard guard(&stream);
    std::vector<std::uint8_t> input(
        static_cast<std::size_t>(std::min<std::uint64_t>(kChunkBytes, entry.compressedSize)));
    std::uint64_t consumed = 0; // compressed bytes read from the archive
    std::size_t produced = 0;
    std::uint8_t extra = 0; // where a byte beyond the promised size would land
    int status = Z_OK;
    const std::string member = "The member " + entry.name;
    while (status != Z_STREAM_END && (whole || produced < out.size())) {
        if (stop.stop_requested()) {
            return base::makeError(ErrorCode::Cancelled, "Reading the archive was cancelled.",
                                   m_name);
        }
        if (stream.avail_in == 0) {
            if (consumed == entry.compressedSize) {
                break;
            }
            const auto want = static_cast<std::size_t>(
                std::min<std::uint64_t>(input.size(), entry.compressedSize - consumed));
            if (auto read = readAt(entry.dataOffset + consumed, want, input.data(),
                                   "the data of the member " + entry.name);
                !read) {
                return read;
            }
            consumed += want;
            stream.next_in = input.data();
            stream.avail_in = static_cast<uInt>(want);
        }
        const bool full = produced == out.size();
        stream.next_out = full ? &extra : out.data() + produced;
        stream.avail_out =
            full ? 1 : static_cast<uInt>(std::min(kChunkBytes, out.size() - produced));
        const uInt before = stream.avail_out;
        status = inflate(&stream, Z_NO_FLUSH);
        const std::uint64_t at = entry.dataOffset + consumed - stream.avail_in;
        if (full && stream.avail_out != before) {
            return base::makeError(ErrorCode::InvalidInput,
                                   member + " inflates to more than the "
                                       + groupedNumber(entry.size)
                                       + " bytes the directory promises; the archive is corrupt.",
                                   byteContext(m_name, at));
        }
        produced += before - stream.avail_out;
        if (status == Z_NEED_DICT || status == Z_DATA_ERROR || status == Z_MEM_ERROR
            || status == Z_STREAM_ERROR) {
            return base::makeError(status == Z_MEM_ERROR ? ErrorCode::Io : ErrorCode::InvalidInput,
                                   member + "'s deflate data is corrupt (zlib: "
                                       + (stream.msg ? stream.msg : zError(status)) + ") after "
                                       + groupedNumber(produced) + " inflated bytes.",
                                   byteContext(m_name, at));
        }
        base::reportProgress(progress, produced, entry.size, entry.name);
    }
    if (whole && (status != Z_STREAM_END || produced != out.size())) {
        const std::string ending =
            status == Z_STREAM_END
                ? " ends after " + groupedNumber(produced) + " inflated bytes, of the "
                : " stops in the middle of the stream, after " + groupedNumber(produced)
                      + " inflated bytes of the ";
        return base::makeError(ErrorCode::InvalidInput,
                               member + "'s deflate data" + ending + groupedNumber(entry.size)
                                   + " the directory promises; the archive is corrupt.",
                               byteContext(m_name, entry.dataOffset + consumed));
    }
    out.resize(produced);
    return base::okStatus();
}

base::Result<std::vector<std::uint8_t>> ZipArchive::read(const ZipEntry &entry,
                                                         std::stop_token stop,
                                                         const base::ProgressFn &progress) const
{
    if (auto readable = checkReadable(entry); !readable) {
        return readable.error();
    }
    const std::string context = byteContext(m_name, entry.dataOffset);
    std::vector<std::uint8_t> out;
    if (auto allocated = detail::allocateLarge(out, static_cast<std::size_t>(entry.size),
                                               "the member " + entry.name, context);
        !allocated) {
        return allocated.error();
    }
    auto status = entry.method == kStored ? copyStored(entry, out, stop, progress)
                                          : inflateInto(entry, out, true, stop, progress);
    if (!status) {
        return status.error();
    }
    uLong crc = crc32(0L, Z_NULL, 0);
    for (std::size_t at = 0; at < out.size(); at += kChunkBytes) {
        if (stop.stop_requested()) {
            return base::makeError(ErrorCode::Cancelled, "Reading the archive was cancelled.",
                                   m_name);
        }
        crc =
            crc32(crc, out.data() + at, static_cast<uInt>(std::min(kChunkBytes, out.size() - at)));
    }
    if (crc != entry.crc32) {
        return base::makeError(ErrorCode::InvalidInput,
                               "The member " + entry.name
                                   + " fails its CRC-32 check (the "
                                     "directory says "
                                   + hex32(entry.crc32) + ", the data gives "
                                   + hex32(static_cast<std::uint32_t>(crc))
                                   + "); the archive is corrupt.",
                               context);
    }
    return out;
}

base::Result<std::vector<std::uint8_t>> ZipArchive::readPrefix(const ZipEntry &entry,
                                                               std::size_t limit) const
{
    if (auto readable = checkReadable(entry); !readable) {
        return readable.error();
    }
    std::vector<std::uint8_t> out(
        static_cast<std::size_t>(std::min<std::uint64_t>(limit, entry.size)));
    auto status = entry.method == kStored ? readAt(entry.dataOffset, out.size(), out.data(),
                                                   "the data of the member " + entry.name)
                                          : inflateInto(entry, out, false, {}, {});
    if (!status) {
        return status.error();
    }
    return out;
}

} // namespace tl::datasets
