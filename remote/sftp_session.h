#pragma once
// SftpSession: the SFTP subsystem of one SshSession, for staging files and reading a run's
// outputs. Remote paths are as the profile writes them: "~/x" and relative paths are below the
// login user's home. Belongs to its SshSession's thread and must not outlive that session.

#include "base/progress.h"
#include "base/result.h"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>

namespace tl::remote {

class SshSession;

class SftpSession
{
public:
    static base::Result<SftpSession> open(SshSession &ssh);

    SftpSession(SftpSession &&) noexcept;
    SftpSession &operator=(SftpSession &&) noexcept;
    ~SftpSession();

    // One request and its reply (a stat of the home folder): whether the connection answers.
    bool ping();
    // The size of a regular file, or nullopt when there is no such file.
    base::Result<std::optional<std::uint64_t>> fileSize(const std::string &path);
    // mkdir -p.
    base::Status makeDirectories(const std::string &path);
    base::Status rename(const std::string &from, const std::string &to);
    base::Status remove(const std::string &path);
    // Appends bytes to a file (creating it) in one write request, so a reader of the file sees
    // them whole or not at all.
    base::Status append(const std::string &path, std::string_view bytes);
    // Writes a whole (small) file, replacing it.
    base::Status writeFile(const std::string &path, std::string_view contents);
    // Up to maxBytes of a file from offset; empty at its end. NotFound when there is no file.
    base::Result<std::string>
    readFrom(const std::string &path, std::uint64_t offset, std::size_t maxBytes);
    // Writes the local file's bytes from `offset` on into the remote file at the same offset
    // (creating it), so an interrupted upload continues where it stopped. Returns the remote
    // size reached. Progress counts bytes of the whole file; stop ends it within one chunk.
    base::Result<std::uint64_t> upload(const std::filesystem::path &local,
                                       const std::string &remote,
                                       std::uint64_t offset,
                                       std::stop_token stop = {},
                                       const base::ProgressFn &progress = {});

private:
    struct Handle;
    SftpSession(std::unique_ptr<Handle> handle, std::string where);
    base::Error failure(const std::string &what, const std::string &path) const;

    std::unique_ptr<Handle> m_handle;
    std::string m_where;
};

// The SFTP form of a profile's remote path: "~/x" becomes "x" (SFTP starts in the home).
std::string sftpPath(std::string_view path);

} // namespace tl::remote
