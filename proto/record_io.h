#pragma once
// The record framing of DESIGN.md, written once: events.tlog, control.tlog, the worker's
// stdin/stdout, and TensorBoard's tfevents all use it.
//   uint64 length (LE) · uint32 masked_crc32c(length bytes) · data · uint32 masked_crc32c(data)
// Plain value types; a RecordReader or RecordFileWriter belongs to one thread at a time.

#include "base/result.h"

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>

namespace tl::proto {

inline constexpr std::size_t kRecordHeaderSize = 12; // length + its CRC
inline constexpr std::size_t kRecordOverhead = 16;   // header + data CRC
// Larger lengths are treated as corruption rather than allocated.
inline constexpr std::uint64_t kMaxRecordSize = std::uint64_t{1} << 30;

void appendFramedRecord(std::string &out, std::string_view payload);
std::string framedRecord(std::string_view payload);

// Splits a byte stream into records as bytes arrive. Keeps unread bytes buffered; a record
// whose bytes have not all arrived (a torn tail) is simply not returned yet.
class RecordReader
{
public:
    // source names the stream in errors ("events.tlog"); startOffset is the stream offset of
    // the first byte fed, so errors and offset() are absolute.
    explicit RecordReader(std::string source = "stream", std::uint64_t startOffset = 0);

    void feed(std::string_view bytes);

    // The next complete record's payload (valid until the next feed()/next()), nullopt when
    // more bytes are needed, or an error naming the byte offset of a corrupt record. After an
    // error the reader stays failed.
    base::Result<std::optional<std::string_view>> next();

    // Stream offset just past the last record returned: where a reconnect resumes.
    std::uint64_t offset() const { return m_offset; }
    // Stream offset of the record last returned.
    std::uint64_t recordOffset() const { return m_recordOffset; }
    // Bytes buffered beyond offset(): a torn tail if the stream has ended.
    std::size_t pendingBytes() const { return m_buffer.size() - m_pos; }

private:
    base::Error corrupt(std::uint64_t at, std::string what) const;

    std::string m_source;
    std::string m_buffer;
    std::size_t m_pos = 0;
    std::uint64_t m_offset = 0;
    std::uint64_t m_recordOffset = 0;
    std::optional<base::Error> m_failure;
};

struct FileScan
{
    std::uint64_t endOffset = 0; // just past the last complete record
    std::uint64_t tornBytes = 0; // bytes after endOffset that do not yet form a record
    std::uint64_t records = 0;
};

// Called for each complete record with its payload and the stream offset where it starts.
// Returning an error stops the scan with that error.
using RecordFn = std::function<base::Status(std::string_view payload, std::uint64_t offset)>;

// Reads the complete records of a file from startOffset (a record boundary). A torn tail
// ends the scan cleanly; a corrupt record is an error with its byte offset, after onRecord
// has seen every good record before it.
base::Result<FileScan> scanRecordFile(const std::filesystem::path &path,
                                      std::uint64_t startOffset,
                                      const RecordFn &onRecord,
                                      std::stop_token stop = {});

// Appends records to a file or a stdio stream, one fwrite and one flush per record so a
// reader sees whole records or a torn tail, never interleaved bytes.
class RecordWriter
{
public:
    // Appends to path, creating it.
    static base::Result<RecordWriter> openFile(const std::filesystem::path &path);
    // Writes to an already open stream (stdout) that the caller keeps open.
    static RecordWriter forStream(std::FILE *stream, std::string name);

    RecordWriter(RecordWriter &&) noexcept = default;
    RecordWriter &operator=(RecordWriter &&) noexcept = default;
    ~RecordWriter();

    base::Status write(std::string_view payload);

private:
    struct Closer
    {
        void operator()(std::FILE *f) const;
    };
    RecordWriter(std::FILE *stream, bool owned, std::string name);

    std::unique_ptr<std::FILE, Closer> m_owned;
    std::FILE *m_stream = nullptr;
    std::string m_name;
    std::string m_scratch;
};

} // namespace tl::proto
