#pragma once
// Internal to datasets/: reads a file that is either gzip-compressed (one or more members) or
// plain, told apart by its first two bytes, through zlib's inflate(). Counts exact compressed
// and decompressed offsets for error messages. Owns the file and the z_stream; one thread.

#include "base/result.h"

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

struct z_stream_s;

namespace tl::datasets::detail {

class GzReader
{
public:
    // Opens a regular file; errors say why it cannot be read. inputBytes sizes the buffer of
    // compressed input (a header needs only a few KiB; capped by the file's size).
    static base::Result<GzReader> open(const std::filesystem::path &path,
                                       std::size_t inputBytes = kDefaultInputBytes);

    // Compressed bytes per read system call when streaming a whole file.
    static constexpr std::size_t kDefaultInputBytes = std::size_t{256} * 1024;

    GzReader(GzReader &&) noexcept;
    GzReader &operator=(GzReader &&) noexcept;
    ~GzReader();

    // Reads up to `size` decompressed bytes into dst and returns how many arrived: fewer only
    // at the end of the stream or on an error, which failure() then describes.
    std::size_t read(void *dst, std::size_t size);

    // The error that stopped reading (corrupt or truncated gzip data, an I/O error) with
    // zlib's message and both offsets; nullopt while reading is fine or after a clean end.
    std::optional<base::Error> failure() const { return m_failure; }

    // Decompressed bytes returned so far: the offset of the next byte of the stream.
    std::uint64_t offset() const { return m_offset; }
    bool isCompressed() const { return m_compressed; }
    // "the decompressed stream" or "the file", for error messages.
    const char *streamName() const;
    std::uint64_t fileSize() const { return m_fileSize; }
    // The file name used in errors.
    const std::string &name() const { return m_name; }

private:
    struct FileCloser
    {
        void operator()(std::FILE *file) const;
    };
    struct StreamDeleter
    {
        void operator()(z_stream_s *stream) const;
    };
    GzReader(std::FILE *file, std::string name, std::uint64_t fileSize, std::size_t inputBytes);

    // Moves unread input to the front of the buffer and fills the rest from the file; false at
    // the end of the file or on a read error (then m_failure is set).
    bool refill();
    std::size_t unreadInput() const;
    bool startMember();
    std::size_t readPlain(char *dst, std::size_t size);
    std::size_t readCompressed(char *dst, std::size_t size);
    // After a member's end: starts the next member if gzip data follows, else ends the stream
    // (like gzip itself, bytes after the last member that are not gzip are ignored).
    void nextMember();
    // Records the error: message, then where it happened, then tail.
    void fail(base::ErrorCode code, const std::string &message, const std::string &tail = {});

    std::unique_ptr<std::FILE, FileCloser> m_file;
    std::unique_ptr<z_stream_s, StreamDeleter> m_stream;
    std::vector<unsigned char> m_input;
    std::size_t m_inputBegin = 0; // plain mode: unread input is [m_inputBegin, m_inputEnd)
    std::size_t m_inputEnd = 0;
    std::uint64_t m_fileRead = 0; // bytes taken from the file into m_input so far
    std::uint64_t m_offset = 0;
    bool m_compressed = false;
    bool m_ended = false;
    std::optional<base::Error> m_failure;
    std::string m_name;
    std::uint64_t m_fileSize = 0;
};

} // namespace tl::datasets::detail
