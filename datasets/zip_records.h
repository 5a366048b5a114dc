#pragma once
// Internal to datasets/: the fixed records of a zip archive, decoded from bytes already read
// (end of central directory, ZIP64 locator and end record, central directory entries, local
// headers) with every offset and size checked. Pure functions; any thread. ZipArchive does the
// reading.

#include "base/result.h"
#include "datasets/zip_archive.h"

#include <cstdint>
#include <string>
#include <vector>

namespace tl::datasets::detail {

inline constexpr std::size_t kZipEndBytes = 22;
inline constexpr std::size_t kZipMaxCommentBytes = 65535;
inline constexpr std::size_t kZip64LocatorBytes = 20;
inline constexpr std::size_t kZip64EndBytes = 56;
inline constexpr std::size_t kZipLocalHeaderBytes = 30;

// Where the central directory lies, from the end records.
struct ZipEndRecord
{
    std::uint64_t position = 0; // of the end record (the ZIP64 one when there is one)
    std::uint64_t entries = 0;
    std::uint64_t directorySize = 0;
    std::uint64_t directoryOffset = 0;
    bool saturated = false; // a field says "see the ZIP64 record"
};

// A little-endian number of `bytes` bytes.
std::uint64_t zipNumber(const std::uint8_t *p, std::size_t bytes);
// "PK" followed by the two bytes that tell the records apart.
bool hasZipSignature(const std::uint8_t *p, std::uint8_t third, std::uint8_t fourth);
// An InvalidInput error at byte `at` of the archive.
base::Error zipCorrupt(const std::string &message, const std::string &archive, std::uint64_t at);

// Searches the archive's tail (its last bytes, from `tailOffset`) backwards for the end record;
// a comment may follow it.
base::Result<ZipEndRecord> parseZipEnd(const std::vector<std::uint8_t> &tail,
                                       std::uint64_t tailOffset,
                                       const std::string &archive);

// The ZIP64 locator (kZip64LocatorBytes at `p`): the offset of the ZIP64 end record, checked
// to lie before the locator at `locatorAt`.
base::Result<std::uint64_t>
parseZip64Locator(const std::uint8_t *p, std::uint64_t locatorAt, const std::string &archive);

// The ZIP64 end record (kZip64EndBytes at `p`, found at byte `at`) replaces end's fields.
base::Status parseZip64End(const std::uint8_t *p,
                           ZipEndRecord &end,
                           const std::string &archive,
                           std::uint64_t at);

// The directory must lie before the end record and be large enough for its entries.
base::Status checkZipDirectory(const ZipEndRecord &end, const std::string &archive);

// One central directory entry at `p` (at most `available` bytes, found at byte `at`); `used`
// gets its length.
base::Result<ZipEntry> parseZipDirectoryEntry(const std::uint8_t *p,
                                              std::size_t available,
                                              const std::string &archive,
                                              std::uint64_t at,
                                              std::size_t &used);

// Checks an entry's local header (kZipLocalHeaderBytes at `header`) and sets its dataOffset;
// the data must end before the central directory.
base::Status placeZipData(ZipEntry &entry,
                          const std::uint8_t *header,
                          std::uint64_t directoryOffset,
                          const std::string &archive);

// No two members may share bytes (overlapping members are a known way to build zip bombs).
base::Status checkZipOverlaps(const std::vector<ZipEntry> &entries, const std::string &archive);

} // namespace tl::datasets::detail
