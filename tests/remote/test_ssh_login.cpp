// Logging in to the test bed's real sshd: keys, ssh config aliases and strict known_hosts.

#include "remote/ssh_session.h"
#include "tests/remote/test_bed.h"
#include "tests/runners/scratch_dir.h"

#include <catch2/catch.hpp>

#include <fstream>

namespace {

using tl::remote::HostKey;
using tl::remote::LoginPrompts;
using tl::remote::SshSession;
using tl::testing::bedDir;
using tl::testing::bedProfile;
using tl::testing::localOutput;
using tl::testing::scratchDir;

// A fresh ed25519 key pair in dir; returns the private key's path.
std::filesystem::path makeKey(const std::filesystem::path &dir, const std::string &name)
{
    std::filesystem::path key = dir / name;
    localOutput("ssh-keygen -q -t ed25519 -N '' -C other -f '" + key.string() + "'");
    REQUIRE(std::filesystem::exists(key));
    return key;
}

std::string fingerprintOf(const std::filesystem::path &publicKey)
{
    // "256 SHA256:abc... comment (ED25519)"
    std::string line = localOutput("ssh-keygen -l -E sha256 -f '" + publicKey.string() + "'");
    std::size_t start = line.find("SHA256:");
    REQUIRE(start != std::string::npos);
    return line.substr(start, line.find(' ', start) - start);
}

std::string readText(const std::filesystem::path &file)
{
    std::ifstream in(file);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

} // namespace

TEST_CASE("A key login runs commands as the profile's user", "[remote][ssh]")
{
    SshSession session = tl::testing::bedSession();
    auto out = session.run("id -un");
    REQUIRE(out.ok());
    CHECK(out.value().exitStatus == 0);
    CHECK(out.value().out == "tbuser\n");
    CHECK(session.where() == "tbuser@127.0.0.1:" + tl::testing::bedVariable("TB_SSH_PORT"));
    CHECK(session.hostKey().fingerprint == fingerprintOf(bedDir() / "ssh/host_ed25519.pub"));
    CHECK(session.isAlive());
}

TEST_CASE("A Host alias of the ssh config gives the host, port, user and key", "[remote][ssh]")
{
    tl::remote::ConnectionProfile profile;
    profile.host = "tb";
    profile.sshConfigFile = tl::testing::bedVariable("TB_SSH_CONFIG");
    profile.knownHostsFile = tl::testing::bedVariable("TB_SSH_KNOWN_HOSTS");
    SshSession session = tl::testing::bedSession(profile);
    auto out = session.run("id -un");
    REQUIRE(out.ok());
    CHECK(out.value().out == "tbuser\n");
}

TEST_CASE("A key the server does not know is refused, naming the key and the host", "[remote][ssh]")
{
    auto profile = bedProfile();
    profile.keyFile = makeKey(scratchDir("wrong-key"), "id_other");
    auto session = SshSession::connect(profile);
    REQUIRE_FALSE(session.ok());
    CHECK(session.error().context == "tbuser@127.0.0.1:" + std::to_string(profile.port));
    CHECK_THAT(session.error().message,
               Catch::Contains("refused the key") && Catch::Contains(profile.keyFile.string()));

    profile.keyFile = scratchDir("no-key") / "missing";
    auto missing = SshSession::connect(profile);
    REQUIRE_FALSE(missing.ok());
    CHECK_THAT(missing.error().message, Catch::Contains("does not exist"));
}

TEST_CASE("An unknown host key is refused unless the user trusts its fingerprint", "[remote][ssh]")
{
    auto dir = scratchDir("unknown-host");
    auto profile = bedProfile();
    profile.knownHostsFile = dir / "known_hosts";
    std::ofstream(profile.knownHostsFile).flush();
    std::string expected = fingerprintOf(bedDir() / "ssh/host_ed25519.pub");

    std::vector<HostKey> asked;
    LoginPrompts refuse;
    refuse.trustUnknownHost = [&](const HostKey &key) {
        asked.push_back(key);
        return false;
    };
    auto refused = SshSession::connect(profile, refuse);
    REQUIRE_FALSE(refused.ok());
    REQUIRE(asked.size() == 1);
    CHECK(asked[0].fingerprint == expected);
    CHECK(asked[0].type == "ssh-ed25519");
    CHECK(asked[0].host == "[127.0.0.1]:" + std::to_string(profile.port));
    CHECK_THAT(refused.error().message,
               Catch::Contains("not trusted") && Catch::Contains(expected));
    CHECK(readText(profile.knownHostsFile).empty());

    // Without any prompt nothing is accepted silently.
    auto silent = SshSession::connect(profile);
    REQUIRE_FALSE(silent.ok());

    LoginPrompts trust;
    trust.trustUnknownHost = [](const HostKey &) {
        return true;
    };
    auto trusted = SshSession::connect(profile, trust);
    REQUIRE(trusted.ok());
    CHECK_THAT(readText(profile.knownHostsFile), Catch::Contains("[127.0.0.1]:"));
    // Now known: no question asked.
    auto again = SshSession::connect(profile, refuse);
    CHECK(again.ok());
    CHECK(asked.size() == 1);
}

TEST_CASE("A changed host key is refused with a warning, and never offered to trust",
          "[remote][ssh]")
{
    auto dir = scratchDir("changed-host");
    auto other = makeKey(dir, "other_host");
    auto profile = bedProfile();
    profile.knownHostsFile = dir / "known_hosts";
    std::ofstream(profile.knownHostsFile)
        << "[127.0.0.1]:" << profile.port << " " << readText(other.string() + ".pub");
    bool asked = false;
    LoginPrompts prompts;
    prompts.trustUnknownHost = [&](const HostKey &) {
        return asked = true;
    };
    auto session = SshSession::connect(profile, prompts);
    REQUIRE_FALSE(session.ok());
    CHECK_FALSE(asked);
    CHECK_THAT(session.error().message,
               Catch::Contains("CHANGED")
                   && Catch::Contains(fingerprintOf(bedDir() / "ssh/host_ed25519.pub")));
}

TEST_CASE("Unreachable hosts fail with one message naming the host", "[remote][ssh]")
{
    auto profile = bedProfile();
    SECTION("a refused connection")
    {
        // The test bed's sshd is the only listener it started; port 1 is closed on loopback.
        profile.port = 1;
        auto session = SshSession::connect(profile);
        REQUIRE_FALSE(session.ok());
        CHECK(session.error().context == "tbuser@127.0.0.1:1");
        CHECK_THAT(session.error().message, Catch::Contains("could not connect"));
    }
    SECTION("a host name that does not resolve")
    {
        profile.host = "no-such-host.invalid";
        auto session = SshSession::connect(profile);
        REQUIRE_FALSE(session.ok());
        CHECK_THAT(session.error().context, Catch::Contains("no-such-host.invalid"));
        CHECK_THAT(session.error().message, Catch::Contains("could not connect"));
    }
}
