#include "remote/file_staging.h"

#include "remote/file_digest.h"
#include "remote/sftp_session.h"
#include "remote/shell_quote.h"
#include "remote/ssh_session.h"

#include <algorithm>
#include <utility>
#include <vector>

namespace tl::remote {

namespace fs = std::filesystem;
using base::ErrorCode;
using base::makeError;

FileStager::FileStager(SshSession &ssh, SftpSession &sftp, std::string remoteRoot)
    : m_ssh(ssh)
    , m_sftp(sftp)
    , m_root(std::move(remoteRoot))
{}

base::Result<std::string> FileStager::absoluteRoot()
{
    if (!m_absoluteRoot.empty()) {
        return m_absoluteRoot;
    }
    if (m_root.starts_with('/')) {
        m_absoluteRoot = m_root;
        return m_absoluteRoot;
    }
    base::Result<CommandOutput> home = m_ssh.run("printf '%s' \"$HOME\"");
    if (!home) {
        return home.error();
    }
    if (home.value().exitStatus != 0 || !home.value().out.starts_with('/')) {
        return makeError(ErrorCode::Remote, "could not find the login's home folder.",
                         m_ssh.where());
    }
    std::string rest = m_root == "~" ? std::string() : m_root;
    if (rest.starts_with("~/")) {
        rest = rest.substr(2);
    }
    m_absoluteRoot = home.value().out;
    if (!rest.empty()) {
        m_absoluteRoot += "/" + rest;
    }
    return m_absoluteRoot;
}

base::Result<std::string>
FileStager::hashOf(const fs::path &local, std::stop_token stop, const base::ProgressFn &progress)
{
    // The runs of a sweep share their dataset: each file is hashed once while it is unchanged.
    std::error_code ec;
    auto size = fs::file_size(local, ec);
    auto modified = fs::last_write_time(local, ec);
    std::string key = local.string() + '\n' + std::to_string(size) + '\n'
                      + std::to_string(modified.time_since_epoch().count());
    if (!ec) {
        if (auto known = m_hashes.find(key); known != m_hashes.end()) {
            return known->second;
        }
    }
    base::Result<std::string> sha = sha256OfFile(local, stop, progress);
    if (sha && !ec) {
        m_hashes.emplace(key, sha.value());
    }
    return sha;
}

base::Status FileStager::verify(const std::string &remotePart, const std::string &sha256)
{
    base::Result<CommandOutput> hashed =
        m_ssh.run("sha256sum -- " + shellQuote(remotePart), std::chrono::minutes(10));
    if (!hashed) {
        return hashed.error();
    }
    const CommandOutput &out = hashed.value();
    if (out.exitStatus == 127) {
        return makeError(ErrorCode::Remote,
                         "sha256sum is not installed on the host, so an upload cannot be "
                         "verified.",
                         m_ssh.where());
    }
    if (out.exitStatus != 0) {
        return makeError(ErrorCode::Remote, "could not hash " + remotePart + ": " + out.err,
                         m_ssh.where());
    }
    if (out.out.compare(0, sha256.size(), sha256) != 0) {
        // The bytes kept from an earlier .part were not this file's: start over next time.
        (void)m_sftp.remove(remotePart);
        return makeError(ErrorCode::Remote,
                         "the uploaded copy " + remotePart
                             + " does not match the local file "
                               "(SHA-256 "
                             + out.out.substr(0, 64) + ", expected " + sha256
                             + "); it was deleted, so the next upload starts afresh.",
                         m_ssh.where());
    }
    return base::okStatus();
}

base::Result<StagedFile> FileStager::put(const fs::path &local,
                                         const std::string &sha256,
                                         const std::string &remote,
                                         std::stop_token stop,
                                         const base::ProgressFn &progress)
{
    StagedFile staged;
    staged.local = local;
    staged.remote = remote;
    staged.sha256 = sha256;
    std::error_code ec;
    staged.bytes = fs::file_size(local, ec);
    if (ec) {
        return makeError(ErrorCode::Io, "could not read " + local.string() + ".", local.string());
    }
    base::Result<std::optional<std::uint64_t>> existing = m_sftp.fileSize(remote);
    if (!existing) {
        return existing.error();
    }
    if (existing.value() == staged.bytes) {
        staged.alreadyThere = true;
        base::reportProgress(progress, staged.bytes, staged.bytes, local.filename().string());
        return staged;
    }
    std::string part = remote + ".part";
    if (base::Status made = m_sftp.makeDirectories(fs::path(remote).parent_path().string());
        !made) {
        return made.error();
    }
    base::Result<std::optional<std::uint64_t>> partSize = m_sftp.fileSize(part);
    if (!partSize) {
        return partSize.error();
    }
    std::uint64_t from = partSize.value().value_or(0);
    if (from > staged.bytes) {
        if (base::Status removed = m_sftp.remove(part); !removed) {
            return removed.error();
        }
        from = 0;
    }
    staged.resumedFrom = from;
    base::Result<std::uint64_t> sent = m_sftp.upload(local, part, from, stop, progress);
    if (!sent) {
        return sent.error();
    }
    staged.sentBytes = sent.value() - from;
    if (base::Status verified = verify(part, sha256); !verified) {
        return verified.error();
    }
    if (base::Status renamed = m_sftp.rename(part, remote); !renamed) {
        return renamed.error();
    }
    return staged;
}

base::Result<StagedFile>
FileStager::stageFile(const fs::path &local, std::stop_token stop, const base::ProgressFn &progress)
{
    base::Result<std::string> root = absoluteRoot();
    if (!root) {
        return root.error();
    }
    base::Result<std::string> sha = hashOf(local, stop, progress);
    if (!sha) {
        return sha.error();
    }
    std::string remote =
        root.value() + "/datasets/" + sha.value() + "/" + local.filename().string();
    return put(local, sha.value(), remote, stop, progress);
}

base::Result<std::string> FileStager::stageFolder(const fs::path &folder,
                                                  std::stop_token stop,
                                                  const base::ProgressFn &progress)
{
    std::vector<fs::path> files;
    std::error_code ec;
    for (fs::recursive_directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
        if (it->is_regular_file(ec)) {
            files.push_back(it->path());
        }
    }
    if (ec) {
        return makeError(ErrorCode::Io, "could not list " + folder.string() + ": " + ec.message(),
                         folder.string());
    }
    std::sort(files.begin(), files.end());
    // The folder's address is the hash of its listing: every relative path with its hash.
    std::string listing;
    std::vector<std::string> hashes;
    for (const fs::path &file : files) {
        base::Result<std::string> sha = hashOf(file, stop, progress);
        if (!sha) {
            return sha.error();
        }
        listing += fs::relative(file, folder).generic_string() + '\0' + sha.value() + '\n';
        hashes.push_back(sha.value());
    }
    base::Result<std::string> root = absoluteRoot();
    if (!root) {
        return root.error();
    }
    std::string remoteFolder =
        root.value() + "/datasets/" + sha256Of(listing) + "/" + folder.filename().string();
    for (std::size_t i = 0; i < files.size(); ++i) {
        std::string remote = remoteFolder + "/" + fs::relative(files[i], folder).generic_string();
        base::Result<StagedFile> staged = put(files[i], hashes[i], remote, stop, progress);
        if (!staged) {
            return staged.error();
        }
    }
    return remoteFolder;
}

base::Result<std::string> FileStager::stagePath(const std::string &path,
                                                std::stop_token stop,
                                                const base::ProgressFn &progress)
{
    std::error_code ec;
    if (fs::is_directory(path, ec)) {
        return stageFolder(path, stop, progress);
    }
    base::Result<StagedFile> staged = stageFile(path, stop, progress);
    if (!staged) {
        return staged.error();
    }
    return staged.value().remote;
}

base::Result<proto::DatasetSpec> FileStager::stageDataset(const proto::DatasetSpec &dataset,
                                                          std::stop_token stop,
                                                          const base::ProgressFn &progress)
{
    proto::DatasetSpec staged = dataset;
    std::vector<std::string *> paths = {staged.mutable_train_images(),
                                        staged.mutable_train_labels(), staged.mutable_test_images(),
                                        staged.mutable_test_labels()};
    for (std::string &source : *staged.mutable_sources()) {
        paths.push_back(&source);
    }
    for (std::string *path : paths) {
        if (path->empty()) {
            continue;
        }
        base::Result<std::string> remote = stagePath(*path, stop, progress);
        if (!remote) {
            return remote.error();
        }
        *path = remote.value();
    }
    return staged;
}

} // namespace tl::remote
