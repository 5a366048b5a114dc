#pragma once
// FileStager: puts local files on a remote host content-addressed, under
// <root>/datasets/<sha256>/<name>, so a dataset crosses the network once (issue #6). Each
// upload writes <name>.part, continues an earlier .part where it stopped, has the host hash
// the result (sha256sum), and only then renames it: a file at its final name is whole.
// Borrows the sessions of one connection and belongs to their thread.

#include "base/progress.h"
#include "base/result.h"
#include "proto/torchlight.pb.h"

#include <cstdint>
#include <filesystem>
#include <map>
#include <stop_token>
#include <string>

namespace tl::remote {

class SftpSession;
class SshSession;

struct StagedFile
{
    std::filesystem::path local;
    std::string remote; // absolute path on the host
    std::string sha256;
    std::uint64_t bytes = 0;
    std::uint64_t sentBytes = 0;   // crossed the network this time
    std::uint64_t resumedFrom = 0; // bytes of an earlier .part that were kept
    bool alreadyThere = false;     // found complete: nothing was sent
};

class FileStager
{
public:
    // remoteRoot: the profile's root, absolute or "~/..."; resolved against the login's home.
    FileStager(SshSession &ssh, SftpSession &sftp, std::string remoteRoot);

    base::Result<StagedFile> stageFile(const std::filesystem::path &local,
                                       std::stop_token stop = {},
                                       const base::ProgressFn &progress = {});

    // The dataset's files staged, and a copy of the spec naming them on the host. Folders
    // (image folders, a CIFAR folder) are staged file by file below a folder addressed by the
    // hash of their listing.
    base::Result<proto::DatasetSpec> stageDataset(const proto::DatasetSpec &dataset,
                                                  std::stop_token stop = {},
                                                  const base::ProgressFn &progress = {});

    // The root as an absolute path on the host.
    base::Result<std::string> absoluteRoot();

private:
    base::Result<StagedFile> put(const std::filesystem::path &local,
                                 const std::string &sha256,
                                 const std::string &remote,
                                 std::stop_token stop,
                                 const base::ProgressFn &progress);
    base::Result<std::string> hashOf(const std::filesystem::path &local,
                                     std::stop_token stop,
                                     const base::ProgressFn &progress);
    base::Status verify(const std::string &remotePart, const std::string &sha256);
    base::Result<std::string> stageFolder(const std::filesystem::path &folder,
                                          std::stop_token stop,
                                          const base::ProgressFn &progress);
    base::Result<std::string>
    stagePath(const std::string &path, std::stop_token stop, const base::ProgressFn &progress);

    SshSession &m_ssh;
    SftpSession &m_sftp;
    std::string m_root;
    std::string m_absoluteRoot; // resolved on first use
    // SHA-256 by path, size and modification time.
    std::map<std::string, std::string> m_hashes;
};

} // namespace tl::remote
