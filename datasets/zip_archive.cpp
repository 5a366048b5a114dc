// ZipArchive: opening a file or buffer, reading bytes at offsets, and walking the directory
// (the records themselves are decoded by zip_records.h).
#include "datasets/zip_archive.h"

#include "datasets/idx_codec.h"
#include "datasets/memory_budget.h"
#include "datasets/zip_records.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

namespace tl::datasets {
namespace {

using base::ErrorCode;
using detail::byteContext;
using detail::groupedNumber;

} // namespace

ZipArchive::ZipArchive(int fd, std::string bytes, std::string name, std::uint64_t size)
    : m_fd(fd)
    , m_bytes(std::move(bytes))
    , m_name(std::move(name))
    , m_size(size)
{}

ZipArchive::ZipArchive(ZipArchive &&other) noexcept
    : m_fd(std::exchange(other.m_fd, -1))
    , m_bytes(std::move(other.m_bytes))
    , m_name(std::move(other.m_name))
    , m_size(other.m_size)
    , m_directoryOffset(other.m_directoryOffset)
    , m_entries(std::move(other.m_entries))
{}

ZipArchive &ZipArchive::operator=(ZipArchive &&other) noexcept
{
    if (this != &other) {
        if (m_fd >= 0) {
            ::close(m_fd);
        }
        m_fd = std::exchange(other.m_fd, -1);
        m_bytes = std::move(other.m_bytes);
        m_name = std::move(other.m_name);
        m_size = other.m_size;
        m_directoryOffset = other.m_directoryOffset;
        m_entries = std::move(other.m_entries);
    }
    return *this;
}

ZipArchive::~ZipArchive()
{
    if (m_fd >= 0) {
        ::close(m_fd);
    }
}

base::Result<ZipArchive> ZipArchive::open(const std::filesystem::path &path)
{
    // O_NONBLOCK: opening a FIFO must not wait for a writer (fstat then refuses it).
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
        const ErrorCode code = errno == ENOENT ? ErrorCode::NotFound : ErrorCode::Io;
        return base::makeError(
            code, std::string("The archive cannot be opened: ") + std::strerror(errno) + ".",
            path.string());
    }
    struct stat info
    {};
    if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
        ::close(fd);
        return base::makeError(ErrorCode::InvalidInput,
                               "Expected a zip archive, found a folder or special file.",
                               path.string());
    }
    ZipArchive archive(fd, {}, path.filename().string(), static_cast<std::uint64_t>(info.st_size));
    if (auto status = archive.readDirectory(); !status) {
        return status.error();
    }
    return archive;
}

base::Result<ZipArchive> ZipArchive::fromBytes(std::string bytes, std::string name)
{
    const std::uint64_t size = bytes.size();
    ZipArchive archive(-1, std::move(bytes), std::move(name), size);
    if (auto status = archive.readDirectory(); !status) {
        return status.error();
    }
    return archive;
}

const ZipEntry *ZipArchive::find(std::string_view name) const
{
    for (const ZipEntry &entry : m_entries) {
        if (entry.name == name) {
            return &entry;
        }
    }
    return nullptr;
}

base::Status ZipArchive::readAt(std::uint64_t offset,
                                std::size_t size,
                                std::uint8_t *dst,
                                const std::string &what) const
{
    if (offset > m_size || size > m_size - offset) {
        return detail::zipCorrupt("The archive is truncated: " + what + " at byte "
                                      + groupedNumber(offset) + " needs " + groupedNumber(size)
                                      + " bytes, but the archive ends at "
                                        "byte "
                                      + groupedNumber(m_size) + ".",
                                  m_name, m_size);
    }
    if (size == 0) { // dst may be the null data() of an empty buffer
        return base::okStatus();
    }
    if (m_fd < 0) {
        std::memcpy(dst, m_bytes.data() + offset, size);
        return base::okStatus();
    }
    for (std::size_t done = 0; done < size;) {
        const ssize_t got =
            ::pread(m_fd, dst + done, size - done, static_cast<off_t>(offset + done));
        if (got < 0 && errno == EINTR) {
            continue;
        }
        if (got <= 0) {
            return base::makeError(ErrorCode::Io,
                                   got < 0 ? std::string("Reading the archive failed: ")
                                                 + std::strerror(errno) + "."
                                           : std::string("The archive became shorter while it "
                                                         "was being read."),
                                   byteContext(m_name, offset + done));
        }
        done += static_cast<std::size_t>(got);
    }
    return base::okStatus();
}

base::Result<detail::ZipEndRecord> ZipArchive::readEnd() const
{
    const std::uint64_t tailBytes =
        std::min<std::uint64_t>(m_size, detail::kZipEndBytes + detail::kZipMaxCommentBytes);
    std::vector<std::uint8_t> tail(static_cast<std::size_t>(tailBytes));
    if (auto status = readAt(m_size - tailBytes, tail.size(), tail.data(), "the end record");
        !status) {
        return status.error();
    }
    auto end = detail::parseZipEnd(tail, m_size - tailBytes, m_name);
    if (!end) {
        return end;
    }
    detail::ZipEndRecord &record = end.value();
    std::uint8_t locator[detail::kZip64LocatorBytes] = {};
    const std::uint64_t locatorAt = record.position - std::min(record.position, sizeof locator);
    const bool hasLocator = record.position >= sizeof locator
                            && readAt(locatorAt, sizeof locator, locator, "the ZIP64 locator")
                            && detail::hasZipSignature(locator, 6, 7);
    if (!hasLocator && record.saturated) {
        return detail::zipCorrupt(
            "The end record says the sizes are in a ZIP64 record, but there is none.", m_name,
            record.position);
    }
    if (!hasLocator) {
        return end;
    }
    auto at = detail::parseZip64Locator(locator, locatorAt, m_name);
    if (!at) {
        return at.error();
    }
    std::uint8_t zip64[detail::kZip64EndBytes] = {};
    if (auto status = readAt(at.value(), sizeof zip64, zip64, "the ZIP64 end record"); !status) {
        return status.error();
    }
    if (auto status = detail::parseZip64End(zip64, record, m_name, at.value()); !status) {
        return status.error();
    }
    return end;
}

base::Status ZipArchive::readDirectory()
{
    auto end = readEnd();
    if (!end) {
        return end.error();
    }
    const detail::ZipEndRecord &record = end.value();
    if (auto status = detail::checkZipDirectory(record, m_name); !status) {
        return status;
    }
    if (auto fits = checkFitsInMemory(record.directorySize, "the archive's directory", m_name);
        !fits) {
        return fits;
    }
    std::vector<std::uint8_t> directory(static_cast<std::size_t>(record.directorySize));
    if (auto status = readAt(record.directoryOffset, directory.size(), directory.data(),
                             "the central directory");
        !status) {
        return status;
    }
    m_directoryOffset = record.directoryOffset;
    m_entries.reserve(static_cast<std::size_t>(record.entries));
    for (std::size_t at = 0, i = 0; i < record.entries; ++i) {
        std::size_t used = 0;
        auto entry = detail::parseZipDirectoryEntry(directory.data() + at, directory.size() - at,
                                                    m_name, m_directoryOffset + at, used);
        if (!entry) {
            return entry.error();
        }
        m_entries.push_back(std::move(entry.value()));
        at += used;
    }
    return locateData();
}

base::Status ZipArchive::locateData()
{
    for (ZipEntry &entry : m_entries) {
        std::uint8_t header[detail::kZipLocalHeaderBytes] = {};
        if (entry.headerOffset > m_directoryOffset
            || m_directoryOffset - entry.headerOffset < sizeof header) {
            return detail::zipCorrupt("The member " + entry.name + "'s local header at byte "
                                          + groupedNumber(entry.headerOffset)
                                          + " lies outside the archive's data, which ends at "
                                            "byte "
                                          + groupedNumber(m_directoryOffset) + ".",
                                      m_name, entry.headerOffset);
        }
        if (auto status = readAt(entry.headerOffset, sizeof header, header, "a local header");
            !status) {
            return status;
        }
        if (auto status = detail::placeZipData(entry, header, m_directoryOffset, m_name); !status) {
            return status;
        }
    }
    return detail::checkZipOverlaps(m_entries, m_name);
}

} // namespace tl::datasets
