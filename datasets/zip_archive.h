#pragma once
// A minimal zip reader, enough for NumPy's .npz: the central directory (with ZIP64 records and
// extra fields, which numpy always writes), stored and deflated members, CRC-32 checked. Every
// offset and size the archive claims is checked against the archive's size before it is used.
// Reads a file (pread at offsets) or bytes in memory. Owns the file; reading is const and
// safe from several threads, opening and moving are not.

#include "base/progress.h"
#include "base/result.h"

#include <cstdint>
#include <filesystem>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

namespace tl::datasets {
namespace detail {
struct ZipEndRecord;
} // namespace detail

struct ZipEntry
{
    std::string name;         // as stored: "x_train.npy"
    std::uint16_t method = 0; // 0 stored, 8 deflate; others are listed but not read
    std::uint16_t flags = 0;  // general purpose flags; bit 0: encrypted
    std::uint32_t crc32 = 0;  // of the uncompressed bytes
    std::uint64_t compressedSize = 0;
    std::uint64_t size = 0;         // uncompressed
    std::uint64_t headerOffset = 0; // of its local header in the archive
    std::uint64_t dataOffset = 0;   // of its (compressed) data in the archive

    bool isEncrypted() const { return (flags & 1u) != 0; }
};

class ZipArchive
{
public:
    // Reads and checks the central directory and every local header; no member data yet.
    static base::Result<ZipArchive> open(const std::filesystem::path &path);
    // The same over bytes in memory; `name` stands for the archive in errors.
    static base::Result<ZipArchive> fromBytes(std::string bytes, std::string name);

    ZipArchive(ZipArchive &&other) noexcept;
    ZipArchive &operator=(ZipArchive &&other) noexcept;
    ZipArchive(const ZipArchive &) = delete;
    ZipArchive &operator=(const ZipArchive &) = delete;
    ~ZipArchive();

    // In central directory order.
    const std::vector<ZipEntry> &entries() const { return m_entries; }
    // The first entry of that exact name, or nullptr.
    const ZipEntry *find(std::string_view name) const;

    // Decompresses a whole member after checking that its size is plausible for its compressed
    // size and fits in memory; checks its size and CRC-32. Progress counts uncompressed bytes.
    base::Result<std::vector<std::uint8_t>> read(const ZipEntry &entry,
                                                 std::stop_token stop = {},
                                                 const base::ProgressFn &progress = {}) const;
    // The first `limit` uncompressed bytes of a member (fewer if it is shorter), decompressing
    // no more than that: enough for an .npy header. The CRC is not checked.
    base::Result<std::vector<std::uint8_t>> readPrefix(const ZipEntry &entry,
                                                       std::size_t limit) const;

    // The archive's file name, as errors name it.
    const std::string &name() const { return m_name; }
    std::uint64_t archiveSize() const { return m_size; }

    // Deflate cannot expand data by more than about 1032:1: a member claiming more is corrupt.
    static constexpr std::uint64_t kMaxInflateRatio = 1040;

private:
    ZipArchive(int fd, std::string bytes, std::string name, std::uint64_t size);

    // Reads `size` bytes at `offset`; an error names `what` when they lie past the end.
    base::Status readAt(std::uint64_t offset,
                        std::size_t size,
                        std::uint8_t *dst,
                        const std::string &what) const;
    // The end record, replaced by the ZIP64 end record where a locator points at one.
    base::Result<detail::ZipEndRecord> readEnd() const;
    base::Status readDirectory();
    base::Status locateData();
    base::Status checkReadable(const ZipEntry &entry) const;
    base::Status inflateInto(const ZipEntry &entry,
                             std::vector<std::uint8_t> &out,
                             bool whole,
                             std::stop_token stop,
                             const base::ProgressFn &progress) const;
    base::Status copyStored(const ZipEntry &entry,
                            std::vector<std::uint8_t> &out,
                            std::stop_token stop,
                            const base::ProgressFn &progress) const;

    int m_fd = -1;       // the file, or -1 when reading m_bytes
    std::string m_bytes; // the archive in memory (fromBytes)
    std::string m_name;
    std::uint64_t m_size = 0;
    std::uint64_t m_directoryOffset = 0; // where the central directory starts
    std::vector<ZipEntry> m_entries;
};

} // namespace tl::datasets
