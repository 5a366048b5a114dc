#pragma once
// The loopback sshd and Slurm of scripts/testbed/, as the environment tb_up exported
// describes them, and small helpers for the tests that log in there.

#include "remote/connection_profile.h"
#include "remote/ssh_session.h"

#include <catch2/catch.hpp>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

namespace tl::testing {

inline std::string bedVariable(const char *name)
{
    const char *value = std::getenv(name);
    return value != nullptr ? std::string(value) : std::string();
}

inline std::filesystem::path bedDir()
{
    return bedVariable("TB_DIR");
}

// A profile for tbuser with the test bed's key, checked against its known_hosts.
inline remote::ConnectionProfile bedProfile()
{
    remote::ConnectionProfile profile;
    profile.name = "test bed";
    profile.host = bedVariable("TB_SSH_HOST");
    profile.port = std::stoi(bedVariable("TB_SSH_PORT"));
    profile.user = bedVariable("TB_SSH_USER");
    profile.auth = remote::AuthMethod::KeyFile;
    profile.keyFile = bedVariable("TB_SSH_KEY");
    profile.knownHostsFile = bedVariable("TB_SSH_KNOWN_HOSTS");
    // No ~/.ssh/config of the machine running the tests.
    profile.sshConfigFile = "/dev/null";
    profile.connectTimeoutSeconds = 5;
    return profile;
}

inline remote::SshSession bedSession(const remote::ConnectionProfile &profile = bedProfile())
{
    base::Result<remote::SshSession> session = remote::SshSession::connect(profile);
    INFO((session ? std::string() : session.error().describe()));
    REQUIRE(session.ok());
    return std::move(session).value();
}

// A local command's standard output.
inline std::string localOutput(const std::string &command)
{
    std::unique_ptr<FILE, int (*)(FILE *)> pipe(::popen(command.c_str(), "r"), ::pclose);
    std::string out;
    char buffer[4096];
    std::size_t n = 0;
    while (pipe && (n = std::fread(buffer, 1, sizeof buffer, pipe.get())) > 0) {
        out.append(buffer, n);
    }
    return out;
}

} // namespace tl::testing
