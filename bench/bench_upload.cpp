// Stages one file on a host with tl::remote::FileStager (hash, SFTP upload to .part, remote
// sha256sum, rename) for bench/remote_upload.sh, and prints the seconds it took.
// Usage: bench_upload FILE REMOTE_ROOT   (the host: the TB_SSH_* variables of the test bed)

#include "remote/file_staging.h"
#include "remote/sftp_session.h"
#include "remote/ssh_session.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace {

std::string variable(const char *name)
{
    const char *value = std::getenv(name);
    return value != nullptr ? value : "";
}

} // namespace

int main(int argc, char **argv)
{
    if (argc != 3) {
        std::fprintf(stderr, "usage: bench_upload FILE REMOTE_ROOT\n");
        return 2;
    }
    tl::remote::ConnectionProfile profile;
    profile.host = variable("TB_SSH_HOST");
    profile.port = std::atoi(variable("TB_SSH_PORT").c_str());
    profile.user = variable("TB_SSH_USER");
    profile.auth = tl::remote::AuthMethod::KeyFile;
    profile.keyFile = variable("TB_SSH_KEY");
    profile.knownHostsFile = variable("TB_SSH_KNOWN_HOSTS");
    profile.sshConfigFile = "/dev/null";
    auto start = std::chrono::steady_clock::now();
    auto ssh = tl::remote::SshSession::connect(profile);
    if (!ssh) {
        std::fprintf(stderr, "%s\n", ssh.error().describe().c_str());
        return 1;
    }
    auto sftp = ssh.value().openSftp();
    if (!sftp) {
        std::fprintf(stderr, "%s\n", sftp.error().describe().c_str());
        return 1;
    }
    tl::remote::FileStager stager(ssh.value(), sftp.value(), argv[2]);
    auto staged = stager.stageFile(argv[1]);
    if (!staged) {
        std::fprintf(stderr, "%s\n", staged.error().describe().c_str());
        return 1;
    }
    std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
    std::printf("%.4f\n", took.count());
    return 0;
}
