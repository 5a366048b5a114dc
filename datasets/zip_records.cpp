#include "datasets/zip_records.h"

#include "datasets/idx_codec.h"

#include <algorithm>

namespace tl::datasets::detail {
namespace {

using base::ErrorCode;

constexpr std::size_t kDirectoryEntryBytes = 46;
constexpr std::uint32_t kSaturated32 = 0xffffffffu;
constexpr std::uint16_t kZip64ExtraId = 0x0001;

const char *const kSplitArchive =
    "The archive spans several disks (a split zip); join the parts into one file first.";

// Replaces the saturated 32-bit fields of an entry with the 64-bit values of its ZIP64 extra
// field, which holds exactly those, in this order: size, compressed size, header offset.
base::Status applyZip64Extra(ZipEntry &entry,
                             const std::uint8_t *extra,
                             std::size_t extraBytes,
                             const std::string &archive,
                             std::uint64_t at)
{
    std::vector<std::uint64_t *> wanted;
    for (std::uint64_t *field : {&entry.size, &entry.compressedSize, &entry.headerOffset}) {
        if (*field == kSaturated32) {
            wanted.push_back(field);
        }
    }
    for (std::size_t i = 0; !wanted.empty() && i + 4 <= extraBytes;) {
        const std::size_t fieldBytes = zipNumber(extra + i + 2, 2);
        if (zipNumber(extra + i, 2) == kZip64ExtraId && fieldBytes >= 8 * wanted.size()
            && i + 4 + fieldBytes <= extraBytes) {
            for (std::size_t k = 0; k < wanted.size(); ++k) {
                *wanted[k] = zipNumber(extra + i + 4 + 8 * k, 8);
            }
            return base::okStatus();
        }
        i += 4 + fieldBytes;
    }
    if (wanted.empty()) {
        return base::okStatus();
    }
    return zipCorrupt("The member " + entry.name
                          + " gives its sizes as 0xFFFFFFFF but has no ZIP64 extra field "
                            "holding them.",
                      archive, at);
}

} // namespace

std::uint64_t zipNumber(const std::uint8_t *p, std::size_t bytes)
{
    std::uint64_t value = 0;
    for (std::size_t i = bytes; i-- > 0;) {
        value = (value << 8) | p[i];
    }
    return value;
}

bool hasZipSignature(const std::uint8_t *p, std::uint8_t third, std::uint8_t fourth)
{
    return p[0] == 'P' && p[1] == 'K' && p[2] == third && p[3] == fourth;
}

base::Error zipCorrupt(const std::string &message, const std::string &archive, std::uint64_t at)
{
    return base::makeError(ErrorCode::InvalidInput, message, byteContext(archive, at));
}

base::Result<ZipEndRecord> parseZipEnd(const std::vector<std::uint8_t> &tail,
                                       std::uint64_t tailOffset,
                                       const std::string &archive)
{
    const std::size_t last = tail.size() >= kZipEndBytes ? tail.size() - kZipEndBytes + 1 : 0;
    for (std::size_t i = last; i-- > 0;) {
        const std::uint8_t *p = tail.data() + i;
        if (!hasZipSignature(p, 5, 6) || i + kZipEndBytes + zipNumber(p + 20, 2) > tail.size()) {
            continue; // a comment may hold the signature too: the record must end the file
        }
        ZipEndRecord end;
        end.position = tailOffset + i;
        if (zipNumber(p + 4, 2) != 0 || zipNumber(p + 6, 2) != 0
            || zipNumber(p + 8, 2) != zipNumber(p + 10, 2)) {
            return zipCorrupt(kSplitArchive, archive, end.position + 4);
        }
        end.entries = zipNumber(p + 10, 2);
        end.directorySize = zipNumber(p + 12, 4);
        end.directoryOffset = zipNumber(p + 16, 4);
        end.saturated = end.entries == 0xffff || end.directorySize == kSaturated32
                        || end.directoryOffset == kSaturated32;
        return end;
    }
    return base::makeError(ErrorCode::InvalidInput,
                           "Not a zip archive: no end of central directory record (PK\\x05\\x06) "
                           "in its last "
                               + groupedNumber(tail.size())
                               + " bytes; an .npz file is a zip archive.",
                           byteContext(archive, tailOffset + tail.size()));
}

base::Result<std::uint64_t>
parseZip64Locator(const std::uint8_t *p, std::uint64_t locatorAt, const std::string &archive)
{
    const std::uint64_t at = zipNumber(p + 8, 8);
    if (zipNumber(p + 4, 4) != 0 || zipNumber(p + 16, 4) > 1) {
        return zipCorrupt(kSplitArchive, archive, locatorAt + 4);
    }
    if (locatorAt < kZip64EndBytes || at > locatorAt - kZip64EndBytes) {
        return zipCorrupt("The ZIP64 locator points at byte " + groupedNumber(at)
                              + ", where no ZIP64 end record fits.",
                          archive, locatorAt + 8);
    }
    return at;
}

base::Status parseZip64End(const std::uint8_t *p,
                           ZipEndRecord &end,
                           const std::string &archive,
                           std::uint64_t at)
{
    if (!hasZipSignature(p, 6, 6)) {
        return zipCorrupt("The ZIP64 locator points at byte " + groupedNumber(at)
                              + ", where no ZIP64 end record (PK\\x06\\x06) is.",
                          archive, at);
    }
    if (zipNumber(p + 16, 4) != 0 || zipNumber(p + 20, 4) != 0
        || zipNumber(p + 24, 8) != zipNumber(p + 32, 8)) {
        return zipCorrupt(kSplitArchive, archive, at + 16);
    }
    end.entries = zipNumber(p + 32, 8);
    end.directorySize = zipNumber(p + 40, 8);
    end.directoryOffset = zipNumber(p + 48, 8);
    end.saturated = false;
    end.position = at;
    return base::okStatus();
}

base::Status checkZipDirectory(const ZipEndRecord &end, const std::string &archive)
{
    if (end.directoryOffset > end.position
        || end.directorySize > end.position - end.directoryOffset) {
        return zipCorrupt("The central directory (" + groupedNumber(end.directorySize)
                              + " bytes at byte " + groupedNumber(end.directoryOffset)
                              + ") does not fit before the end record at byte "
                              + groupedNumber(end.position) + ".",
                          archive, end.position);
    }
    if (end.entries > end.directorySize / kDirectoryEntryBytes) {
        return zipCorrupt("The end record promises " + groupedNumber(end.entries)
                              + " members, more than its " + groupedNumber(end.directorySize)
                              + "-byte central directory can hold.",
                          archive, end.position);
    }
    return base::okStatus();
}

base::Result<ZipEntry> parseZipDirectoryEntry(const std::uint8_t *p,
                                              std::size_t available,
                                              const std::string &archive,
                                              std::uint64_t at,
                                              std::size_t &used)
{
    if (available < kDirectoryEntryBytes || !hasZipSignature(p, 1, 2)) {
        return zipCorrupt("Expected a central directory entry (PK\\x01\\x02) at byte "
                              + groupedNumber(at) + "; the archive's directory is corrupt.",
                          archive, at);
    }
    const std::size_t nameBytes = zipNumber(p + 28, 2);
    const std::size_t extraBytes = zipNumber(p + 30, 2);
    used = kDirectoryEntryBytes + nameBytes + extraBytes + zipNumber(p + 32, 2);
    if (used > available) {
        return zipCorrupt("A central directory entry runs past the end of the directory.", archive,
                          at);
    }
    ZipEntry entry;
    entry.flags = static_cast<std::uint16_t>(zipNumber(p + 8, 2));
    entry.method = static_cast<std::uint16_t>(zipNumber(p + 10, 2));
    entry.crc32 = static_cast<std::uint32_t>(zipNumber(p + 16, 4));
    entry.compressedSize = zipNumber(p + 20, 4);
    entry.size = zipNumber(p + 24, 4);
    entry.headerOffset = zipNumber(p + 42, 4);
    entry.name.assign(reinterpret_cast<const char *>(p + kDirectoryEntryBytes), nameBytes);
    const std::uint64_t disk = zipNumber(p + 34, 2);
    if (disk != 0 && disk != 0xffff) {
        return zipCorrupt(kSplitArchive, archive, at + 34);
    }
    auto zip64 = applyZip64Extra(entry, p + kDirectoryEntryBytes + nameBytes, extraBytes, archive,
                                 at + kDirectoryEntryBytes + nameBytes);
    if (!zip64) {
        return zip64.error();
    }
    return entry;
}

base::Status placeZipData(ZipEntry &entry,
                          const std::uint8_t *header,
                          std::uint64_t directoryOffset,
                          const std::string &archive)
{
    if (!hasZipSignature(header, 3, 4)) {
        return zipCorrupt("Expected the local header (PK\\x03\\x04) of the member " + entry.name
                              + " at byte " + groupedNumber(entry.headerOffset) + ".",
                          archive, entry.headerOffset);
    }
    // The local header's sizes may be 0 (a data descriptor follows the data) or ZIP64
    // placeholders: the central directory's are the ones to trust.
    entry.dataOffset = entry.headerOffset + kZipLocalHeaderBytes + zipNumber(header + 26, 2)
                       + zipNumber(header + 28, 2);
    if (entry.dataOffset > directoryOffset
        || entry.compressedSize > directoryOffset - entry.dataOffset) {
        return zipCorrupt("The member " + entry.name + "'s data ("
                              + groupedNumber(entry.compressedSize) + " bytes at byte "
                              + groupedNumber(entry.dataOffset)
                              + ") runs past the start of the central directory at byte "
                              + groupedNumber(directoryOffset) + ".",
                          archive, entry.dataOffset);
    }
    return base::okStatus();
}

base::Status checkZipOverlaps(const std::vector<ZipEntry> &entries, const std::string &archive)
{
    std::vector<const ZipEntry *> byOffset;
    byOffset.reserve(entries.size());
    for (const ZipEntry &entry : entries) {
        byOffset.push_back(&entry);
    }
    std::sort(byOffset.begin(), byOffset.end(), [](const ZipEntry *a, const ZipEntry *b) {
        return a->headerOffset < b->headerOffset;
    });
    for (std::size_t i = 1; i < byOffset.size(); ++i) {
        const ZipEntry &before = *byOffset[i - 1];
        if (before.dataOffset + before.compressedSize > byOffset[i]->headerOffset) {
            return zipCorrupt("The members " + before.name + " and " + byOffset[i]->name
                                  + " overlap; the archive is corrupt or built to mislead.",
                              archive, byOffset[i]->headerOffset);
        }
    }
    return base::okStatus();
}

} // namespace tl::datasets::detail
