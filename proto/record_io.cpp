#include "proto/record_io.h"

#include "proto/crc32c.h"

#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>

namespace tl::proto {
namespace {

using base::Error;
using base::ErrorCode;

void appendLe(std::string &out, std::uint64_t value, int bytes)
{
    for (int i = 0; i < bytes; ++i) {
        out.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
    }
}

std::uint64_t readLe(const char *p, int bytes)
{
    std::uint64_t v = 0;
    for (int i = bytes - 1; i >= 0; --i) {
        v = (v << 8) | static_cast<unsigned char>(p[i]);
    }
    return v;
}

} // namespace

void appendFramedRecord(std::string &out, std::string_view payload)
{
    const std::size_t start = out.size();
    appendLe(out, payload.size(), 8);
    const std::uint32_t lengthCrc = maskedCrc32c(std::string_view(out).substr(start, 8));
    appendLe(out, lengthCrc, 4);
    out.append(payload);
    appendLe(out, maskedCrc32c(payload), 4);
}

std::string framedRecord(std::string_view payload)
{
    std::string out;
    out.reserve(payload.size() + kRecordOverhead);
    appendFramedRecord(out, payload);
    return out;
}

RecordReader::RecordReader(std::string source, std::uint64_t startOffset)
    : m_source(std::move(source))
    , m_offset(startOffset)
    , m_recordOffset(startOffset)
{}

void RecordReader::feed(std::string_view bytes)
{
    // Drop consumed bytes before growing, so a long stream keeps a small buffer.
    if (m_pos > 0 && m_pos * 2 >= m_buffer.size()) {
        m_buffer.erase(0, m_pos);
        m_pos = 0;
    }
    m_buffer.append(bytes);
}

Error RecordReader::corrupt(std::uint64_t at, std::string what) const
{
    return base::makeError(ErrorCode::InvalidInput, "Corrupt record: " + std::move(what) + ".",
                           m_source + ", byte " + std::to_string(at));
}

base::Result<std::optional<std::string_view>> RecordReader::next()
{
    if (m_failure) {
        return *m_failure;
    }
    const std::size_t available = m_buffer.size() - m_pos;
    if (available < kRecordHeaderSize) {
        return std::optional<std::string_view>{};
    }
    const char *header = m_buffer.data() + m_pos;
    const std::uint64_t length = readLe(header, 8);
    const auto lengthCrc = static_cast<std::uint32_t>(readLe(header + 8, 4));
    if (lengthCrc != maskedCrc32c(std::string_view(header, 8))) {
        m_failure = corrupt(m_offset, "the length field fails its checksum");
        return *m_failure;
    }
    if (length > kMaxRecordSize) {
        m_failure = corrupt(m_offset, "a length of " + std::to_string(length)
                                          + " bytes exceeds the 1 GiB limit");
        return *m_failure;
    }
    if (available < kRecordOverhead + length) {
        return std::optional<std::string_view>{};
    }
    const std::string_view payload(header + kRecordHeaderSize, length);
    const auto dataCrc = static_cast<std::uint32_t>(readLe(header + kRecordHeaderSize + length, 4));
    if (dataCrc != maskedCrc32c(payload)) {
        m_failure =
            corrupt(m_offset, "the data (" + std::to_string(length) + " bytes) fails its checksum");
        return *m_failure;
    }
    m_recordOffset = m_offset;
    m_pos += kRecordOverhead + length;
    m_offset += kRecordOverhead + length;
    return std::optional<std::string_view>{payload};
}

base::Result<FileScan> scanRecordFile(const std::filesystem::path &path,
                                      std::uint64_t startOffset,
                                      const RecordFn &onRecord,
                                      std::stop_token stop)
{
    const std::string name = path.filename().string();
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return base::makeError(ErrorCode::NotFound, "The record file cannot be opened.",
                               path.string());
    }
    in.seekg(static_cast<std::streamoff>(startOffset));
    if (!in) {
        return base::makeError(ErrorCode::InvalidInput,
                               "The file is shorter than the offset to resume from.",
                               path.string() + ", byte " + std::to_string(startOffset));
    }
    RecordReader reader(name, startOffset);
    FileScan scan;
    std::array<char, 1 << 16> chunk{};
    while (in) {
        if (stop.stop_requested()) {
            return base::makeError(ErrorCode::Cancelled, "Reading was cancelled.", path.string());
        }
        in.read(chunk.data(), chunk.size());
        const auto got = static_cast<std::size_t>(in.gcount());
        if (got == 0) {
            break;
        }
        reader.feed(std::string_view(chunk.data(), got));
        for (;;) {
            auto record = reader.next();
            if (!record) {
                return record.error();
            }
            if (!record.value()) {
                break;
            }
            if (auto status = onRecord(*record.value(), reader.recordOffset()); !status) {
                return status.error();
            }
            ++scan.records;
        }
    }
    scan.endOffset = reader.offset();
    scan.tornBytes = reader.pendingBytes();
    return scan;
}

void RecordWriter::Closer::operator()(std::FILE *f) const
{
    std::fclose(f);
}

RecordWriter::RecordWriter(std::FILE *stream, bool owned, std::string name)
    : m_owned(owned ? stream : nullptr)
    , m_stream(stream)
    , m_name(std::move(name))
{}

RecordWriter::~RecordWriter() = default;

base::Result<RecordWriter> RecordWriter::openFile(const std::filesystem::path &path)
{
    std::FILE *f = std::fopen(path.c_str(), "ab");
    if (!f) {
        return base::makeError(ErrorCode::Io,
                               std::string("The file cannot be opened for appending: ")
                                   + std::strerror(errno) + ".",
                               path.string());
    }
    return RecordWriter(f, true, path.string());
}

RecordWriter RecordWriter::forStream(std::FILE *stream, std::string name)
{
    return RecordWriter(stream, false, std::move(name));
}

base::Status RecordWriter::write(std::string_view payload)
{
    m_scratch.clear();
    appendFramedRecord(m_scratch, payload);
    if (std::fwrite(m_scratch.data(), 1, m_scratch.size(), m_stream) != m_scratch.size()
        || std::fflush(m_stream) != 0) {
        return base::makeError(
            ErrorCode::Io, std::string("Writing a record failed: ") + std::strerror(errno) + ".",
            m_name);
    }
    return base::okStatus();
}

} // namespace tl::proto
