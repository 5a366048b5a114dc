#include "datasets/gz_reader.h"

#include "datasets/idx_codec.h"
#include "datasets/regular_file.h"

#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>

namespace tl::datasets::detail {
namespace {

using base::ErrorCode;

// inflateInit2's windowBits: the largest window, expecting a gzip header and trailer.
constexpr int kGzipWindowBits = 16 + MAX_WBITS;

bool startsGzip(const unsigned char *p, std::size_t available)
{
    return available >= 2 && p[0] == 0x1f && p[1] == 0x8b;
}

} // namespace

void GzReader::FileCloser::operator()(std::FILE *file) const
{
    std::fclose(file);
}

void GzReader::StreamDeleter::operator()(z_stream_s *stream) const
{
    inflateEnd(stream);
    delete stream;
}

GzReader::GzReader(std::FILE *file,
                   std::string name,
                   std::uint64_t fileSize,
                   std::size_t inputBytes)
    : m_file(file)
    , m_input(inputBytes)
    , m_name(std::move(name))
    , m_fileSize(fileSize)
{}

GzReader::GzReader(GzReader &&) noexcept = default;
GzReader &GzReader::operator=(GzReader &&) noexcept = default;
GzReader::~GzReader() = default;

base::Result<GzReader> GzReader::open(const std::filesystem::path &path, std::size_t inputBytes)
{
    auto size = regularFileSize(path, "an idx file");
    if (!size) {
        return size.error();
    }
    const std::uint64_t fileSize = size.value();
    std::FILE *file = std::fopen(path.c_str(), "rb");
    if (!file) {
        return base::makeError(
            ErrorCode::Io, std::string("The file cannot be opened: ") + std::strerror(errno) + ".",
            path.string());
    }
    // Small files get a small buffer (at least a few bytes, to see the gzip magic whole).
    inputBytes = static_cast<std::size_t>(
        std::max<std::uint64_t>(64, std::min<std::uint64_t>(fileSize + 1, inputBytes)));
    GzReader reader(file, path.filename().string(), fileSize, inputBytes);
    // The (stdio) buffer would only add a copy: m_input is the buffer.
    std::setvbuf(file, nullptr, _IONBF, 0);
    reader.refill();
    reader.m_compressed = startsGzip(reader.m_input.data(), reader.unreadInput());
    if (reader.m_compressed && !reader.startMember()) {
        return *reader.m_failure;
    }
    return reader;
}

std::size_t GzReader::unreadInput() const
{
    return m_compressed && m_stream ? m_stream->avail_in : m_inputEnd - m_inputBegin;
}

bool GzReader::refill()
{
    const std::size_t keep = unreadInput();
    const unsigned char *from =
        m_compressed && m_stream ? m_stream->next_in : m_input.data() + m_inputBegin;
    std::memmove(m_input.data(), from, keep);
    const std::size_t got =
        std::fread(m_input.data() + keep, 1, m_input.size() - keep, m_file.get());
    m_fileRead += got;
    m_inputBegin = 0;
    m_inputEnd = keep + got;
    if (m_stream) {
        m_stream->next_in = m_input.data();
        m_stream->avail_in = static_cast<uInt>(m_inputEnd);
    }
    if (got == 0 && std::ferror(m_file.get())) {
        fail(ErrorCode::Io, std::string("Reading the file failed: ") + std::strerror(errno));
    }
    return got > 0;
}

bool GzReader::startMember()
{
    if (!m_stream) {
        m_stream.reset(new z_stream_s{});
        m_stream->next_in = m_input.data() + m_inputBegin;
        m_stream->avail_in = static_cast<uInt>(m_inputEnd - m_inputBegin);
        if (inflateInit2(m_stream.get(), kGzipWindowBits) != Z_OK) {
            fail(ErrorCode::Io, "zlib could not start decompressing (out of memory)");
            return false;
        }
        return true;
    }
    return inflateReset(m_stream.get()) == Z_OK;
}

std::size_t GzReader::read(void *dst, std::size_t size)
{
    if (m_failure || m_ended || size == 0) {
        return 0;
    }
    auto *out = static_cast<char *>(dst);
    return m_compressed ? readCompressed(out, size) : readPlain(out, size);
}

std::size_t GzReader::readPlain(char *dst, std::size_t size)
{
    const std::size_t buffered = std::min(size, m_inputEnd - m_inputBegin);
    std::memcpy(dst, m_input.data() + m_inputBegin, buffered);
    m_inputBegin += buffered;
    std::size_t total = buffered;
    m_offset += buffered;
    if (total < size) {
        const std::size_t got = std::fread(dst + total, 1, size - total, m_file.get());
        total += got;
        m_offset += got;
        if (std::ferror(m_file.get())) {
            fail(ErrorCode::Io, std::string("Reading the file failed: ") + std::strerror(errno));
        }
    }
    if (total < size) {
        m_ended = true;
    }
    return total;
}

std::size_t GzReader::readCompressed(char *dst, std::size_t size)
{
    std::size_t total = 0;
    while (total < size && !m_ended && !m_failure) {
        if (m_stream->avail_in == 0 && !refill()) {
            if (!m_failure) {
                fail(ErrorCode::InvalidInput, "The gzip data is truncated: the file ends",
                     ", in the middle of the compressed stream");
            }
            break;
        }
        m_stream->next_out = reinterpret_cast<unsigned char *>(dst + total);
        m_stream->avail_out = static_cast<uInt>(std::min<std::size_t>(size - total, UINT_MAX));
        const uInt before = m_stream->avail_out;
        const int status = inflate(m_stream.get(), Z_NO_FLUSH);
        total += before - m_stream->avail_out;
        m_offset += before - m_stream->avail_out;
        if (status == Z_STREAM_END) {
            nextMember();
        } else if (status == Z_MEM_ERROR) {
            fail(ErrorCode::Io, "zlib ran out of memory");
        } else if (status != Z_OK && status != Z_BUF_ERROR) {
            fail(ErrorCode::InvalidInput, std::string("The gzip data is corrupt (zlib: ")
                                              + (m_stream->msg ? m_stream->msg : zError(status))
                                              + ")");
        }
    }
    return total;
}

void GzReader::nextMember()
{
    if (m_stream->avail_in < 2) {
        refill();
    }
    if (startsGzip(m_stream->next_in, m_stream->avail_in)) {
        startMember();
    } else {
        m_ended = true;
    }
}

void GzReader::fail(ErrorCode code, const std::string &message, const std::string &tail)
{
    const std::uint64_t compressed = m_fileRead - unreadInput();
    std::string where = " at byte " + groupedNumber(m_offset) + " of the file";
    if (m_compressed) {
        where = " at compressed byte " + groupedNumber(compressed) + " (byte "
                + groupedNumber(m_offset) + " of the decompressed stream)";
    }
    m_failure = base::makeError(code, message + where + tail + ".",
                                byteContext(m_name, m_compressed ? compressed : m_offset));
}

const char *GzReader::streamName() const
{
    return m_compressed ? "the decompressed stream" : "the file";
}

} // namespace tl::datasets::detail
