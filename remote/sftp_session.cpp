#include "remote/sftp_session.h"

#include "base/number_text.h"
#include "remote/ssh_session.h"

#include <fcntl.h>
#include <libssh/libssh.h>
#include <libssh/sftp.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <utility>
#include <vector>

namespace tl::remote {

using base::ErrorCode;
using base::makeError;

struct SftpSession::Handle
{
    sftp_session sftp = nullptr;
    explicit Handle(sftp_session s) : sftp(s) {}
    ~Handle()
    {
        if (sftp != nullptr) {
            sftp_free(sftp);
        }
    }
    Handle(const Handle &) = delete;
    Handle &operator=(const Handle &) = delete;
};

namespace {

// One SFTP write request each: large enough that the round trip per request is cheap, within
// the 256 KiB OpenSSH's sftp-server accepts.
constexpr std::size_t kUploadChunk = 128 * 1024;
constexpr std::size_t kReadChunk = 64 * 1024;

struct FileCloser
{
    void operator()(sftp_file_struct *file) const { sftp_close(file); }
};
using RemoteFile = std::unique_ptr<sftp_file_struct, FileCloser>;

const char *sftpErrorText(int code)
{
    switch (code) {
    case SSH_FX_NO_SUCH_FILE:
        return "no such file";
    case SSH_FX_PERMISSION_DENIED:
        return "permission denied";
    case SSH_FX_FAILURE:
        return "the server's file system refused (full disk, quota or a read-only mount?)";
    case SSH_FX_NO_CONNECTION:
    case SSH_FX_CONNECTION_LOST:
        return "the connection was lost";
    case SSH_FX_FILE_ALREADY_EXISTS:
        return "the file already exists";
    default:
        return "the server reported an error";
    }
}

// The bytes the login user may still write in the file system holding the folder `folder`
// (OpenSSH's statvfs@openssh.com); nullopt when the host cannot say.
std::optional<std::uint64_t> freeBytes(sftp_session sftp, const std::string &folder)
{
    if (sftp_extension_supported(sftp, "statvfs@openssh.com", "2") == 0) {
        return std::nullopt;
    }
    sftp_statvfs_t stats = sftp_statvfs(sftp, folder.c_str());
    if (stats == nullptr) {
        return std::nullopt;
    }
    std::uint64_t bytes = stats->f_bavail * stats->f_frsize;
    sftp_statvfs_free(stats);
    return bytes;
}

// The folder of a remote path, in SFTP's form.
std::string folderOf(const std::string &path)
{
    std::string p = sftpPath(path);
    std::size_t slash = p.find_last_of('/');
    if (slash == std::string::npos) {
        return ".";
    }
    return slash == 0 ? std::string("/") : p.substr(0, slash);
}

// A write that failed (`error`): SFTP reports a full disk as a bare SSH_FX_FAILURE, so the free
// space is asked for, and when it cannot hold the `needed` bytes of `what` the error says so.
base::Error diskFullOr(base::Error error,
                       sftp_session sftp,
                       const std::string &path,
                       const std::string &what,
                       std::uint64_t needed,
                       const std::string &after)
{
    if (error.code == ErrorCode::NotFound) {
        return error;
    }
    std::string folder = folderOf(path);
    std::optional<std::uint64_t> available = freeBytes(sftp, folder);
    if (!available || *available >= needed) {
        return error;
    }
    return makeError(ErrorCode::Remote,
                     "the host's disk is full: " + folder + " has only "
                         + base::byteSizeText(*available) + " free, and " + what + " needs "
                         + base::byteSizeText(needed)
                         + " more. Free space there, or choose another remote root" + after + ".",
                     std::move(error.context));
}

} // namespace

std::string sftpPath(std::string_view path)
{
    if (path == "~") {
        return ".";
    }
    if (path.starts_with("~/")) {
        path.remove_prefix(2);
    }
    return path.empty() ? std::string(".") : std::string(path);
}

base::Result<SftpSession> SftpSession::open(SshSession &ssh)
{
    auto session = static_cast<ssh_session>(ssh.rawHandle());
    auto handle = std::make_unique<Handle>(sftp_new(session));
    if (handle->sftp == nullptr || sftp_init(handle->sftp) != SSH_OK) {
        return makeError(ErrorCode::Remote,
                         std::string("the server offers no SFTP subsystem: ")
                             + ssh_get_error(session) + ".",
                         ssh.where());
    }
    return SftpSession(std::move(handle), ssh.where());
}

SftpSession::SftpSession(std::unique_ptr<Handle> handle, std::string where)
    : m_handle(std::move(handle))
    , m_where(std::move(where))
{}

SftpSession::SftpSession(SftpSession &&) noexcept = default;
SftpSession &SftpSession::operator=(SftpSession &&) noexcept = default;
SftpSession::~SftpSession() = default;

base::Error SftpSession::failure(const std::string &what, const std::string &path) const
{
    int code = sftp_get_error(m_handle->sftp);
    ErrorCode kind = code == SSH_FX_NO_SUCH_FILE ? ErrorCode::NotFound : ErrorCode::Remote;
    return makeError(kind, what + " " + path + ": " + sftpErrorText(code) + ".", m_where);
}

base::Result<std::optional<std::uint64_t>> SftpSession::fileSize(const std::string &path)
{
    std::string p = sftpPath(path);
    sftp_attributes attributes = sftp_stat(m_handle->sftp, p.c_str());
    if (attributes == nullptr) {
        if (sftp_get_error(m_handle->sftp) == SSH_FX_NO_SUCH_FILE) {
            return std::optional<std::uint64_t>();
        }
        return failure("could not look at", path);
    }
    std::uint64_t size = attributes->size;
    bool regular = attributes->type == SSH_FILEXFER_TYPE_REGULAR;
    sftp_attributes_free(attributes);
    if (!regular) {
        return makeError(ErrorCode::InvalidInput, path + " is not a regular file.", m_where);
    }
    return std::optional<std::uint64_t>(size);
}

bool SftpSession::ping()
{
    sftp_attributes attributes = sftp_stat(m_handle->sftp, ".");
    if (attributes == nullptr) {
        return false;
    }
    sftp_attributes_free(attributes);
    return true;
}

base::Status SftpSession::makeDirectories(const std::string &path)
{
    std::string p = sftpPath(path);
    std::string prefix;
    std::size_t start = 0;
    while (start <= p.size()) {
        std::size_t slash = p.find('/', start);
        std::size_t end = slash == std::string::npos ? p.size() : slash;
        prefix = p.substr(0, end);
        start = end + 1;
        if (prefix.empty() || prefix == "." || prefix.ends_with("/.")) {
            continue;
        }
        sftp_attributes attributes = sftp_stat(m_handle->sftp, prefix.c_str());
        if (attributes != nullptr) {
            bool directory = attributes->type == SSH_FILEXFER_TYPE_DIRECTORY;
            sftp_attributes_free(attributes);
            if (!directory) {
                return makeError(ErrorCode::InvalidInput,
                                 prefix + " exists and is not a directory.", m_where);
            }
            continue;
        }
        if (sftp_mkdir(m_handle->sftp, prefix.c_str(), 0755) != SSH_OK) {
            return failure("could not create the folder", prefix);
        }
    }
    return base::okStatus();
}

base::Status SftpSession::rename(const std::string &from, const std::string &to)
{
    std::string f = sftpPath(from);
    std::string t = sftpPath(to);
    if (sftp_rename(m_handle->sftp, f.c_str(), t.c_str()) != SSH_OK) {
        return failure("could not rename " + from + " to", to);
    }
    return base::okStatus();
}

base::Status SftpSession::remove(const std::string &path)
{
    std::string p = sftpPath(path);
    if (sftp_unlink(m_handle->sftp, p.c_str()) != SSH_OK
        && sftp_get_error(m_handle->sftp) != SSH_FX_NO_SUCH_FILE) {
        return failure("could not delete", path);
    }
    return base::okStatus();
}

base::Status SftpSession::writeFile(const std::string &path, std::string_view contents)
{
    std::string p = sftpPath(path);
    RemoteFile file(sftp_open(m_handle->sftp, p.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644));
    if (!file) {
        return failure("could not create", path);
    }
    while (!contents.empty()) {
        std::size_t n = std::min(contents.size(), kUploadChunk);
        if (sftp_write(file.get(), contents.data(), n) != static_cast<ssize_t>(n)) {
            return diskFullOr(failure("could not write", path), m_handle->sftp, path, path,
                              contents.size(), "");
        }
        contents.remove_prefix(n);
    }
    return base::okStatus();
}

base::Status SftpSession::append(const std::string &path, std::string_view bytes)
{
    std::string p = sftpPath(path);
    RemoteFile file(sftp_open(m_handle->sftp, p.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644));
    if (!file) {
        return failure("could not open", path);
    }
    if (sftp_write(file.get(), bytes.data(), bytes.size()) != static_cast<ssize_t>(bytes.size())) {
        return diskFullOr(failure("could not append to", path), m_handle->sftp, path, path,
                          bytes.size(), "");
    }
    return base::okStatus();
}

base::Result<std::string>
SftpSession::readFrom(const std::string &path, std::uint64_t offset, std::size_t maxBytes)
{
    std::string p = sftpPath(path);
    RemoteFile file(sftp_open(m_handle->sftp, p.c_str(), O_RDONLY, 0));
    if (!file) {
        return failure("could not open", path);
    }
    if (sftp_seek64(file.get(), offset) != SSH_OK) {
        return failure("could not seek in", path);
    }
    std::string bytes;
    std::array<char, kReadChunk> buffer{};
    while (bytes.size() < maxBytes) {
        std::size_t want = std::min(buffer.size(), maxBytes - bytes.size());
        ssize_t n = sftp_read(file.get(), buffer.data(), want);
        if (n < 0) {
            return failure("could not read", path);
        }
        if (n == 0) {
            break;
        }
        bytes.append(buffer.data(), static_cast<std::size_t>(n));
    }
    return bytes;
}

base::Result<std::uint64_t> SftpSession::upload(const std::filesystem::path &local,
                                                const std::string &remote,
                                                std::uint64_t offset,
                                                std::stop_token stop,
                                                const base::ProgressFn &progress)
{
    std::ifstream in(local, std::ios::binary);
    std::error_code ec;
    std::uint64_t total = std::filesystem::file_size(local, ec);
    if (!in || ec) {
        return makeError(ErrorCode::Io, "could not read " + local.string() + ".", local.string());
    }
    if (offset > total) {
        return makeError(ErrorCode::InvalidInput,
                         "the remote file " + remote + " is longer than " + local.string() + ".",
                         m_where);
    }
    std::string p = sftpPath(remote);
    RemoteFile file(sftp_open(m_handle->sftp, p.c_str(), O_WRONLY | O_CREAT, 0644));
    if (!file) {
        return failure("could not create", remote);
    }
    if (sftp_seek64(file.get(), offset) != SSH_OK) {
        return failure("could not seek in", remote);
    }
    in.seekg(static_cast<std::streamoff>(offset));
    std::vector<char> buffer(kUploadChunk);
    std::uint64_t done = offset;
    while (done < total) {
        if (stop.stop_requested()) {
            return makeError(ErrorCode::Cancelled,
                             "the upload of " + local.filename().string()
                                 + " was cancelled at byte " + std::to_string(done) + ".",
                             m_where);
        }
        std::size_t want =
            static_cast<std::size_t>(std::min<std::uint64_t>(buffer.size(), total - done));
        if (!in.read(buffer.data(), static_cast<std::streamsize>(want))) {
            return makeError(ErrorCode::Io,
                             "could not read " + local.string() + " at byte " + std::to_string(done)
                                 + ".",
                             local.string());
        }
        if (sftp_write(file.get(), buffer.data(), want) != static_cast<ssize_t>(want)) {
            base::Error error = failure("could not write", remote);
            // A short write keeps part of the chunk: what is missing is counted from the file.
            base::Result<std::optional<std::uint64_t>> written = fileSize(remote);
            std::uint64_t have = written && written.value() ? *written.value() : done;
            return diskFullOr(std::move(error), m_handle->sftp, remote, local.filename().string(),
                              total - std::min(have, total),
                              "; the next upload continues from the " + base::byteSizeText(have)
                                  + " already in " + remote);
        }
        done += want;
        base::reportProgress(progress, done, total, local.filename().string());
    }
    return done;
}

} // namespace tl::remote
