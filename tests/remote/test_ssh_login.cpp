// Logging in to the test bed's real sshd: keys, passphrases, passwords, jump hosts, ssh config
// aliases and strict known_hosts (issue #6: each bad input is one message naming the host).

#include "remote/ssh_session.h"
#include "tests/remote/test_bed.h"
#include "tests/runners/scratch_dir.h"

#include <catch2/catch.hpp>

#include <fstream>
#include <optional>
#include <vector>

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

namespace {

// tbpass of the test bed, who logs in by password only.
tl::remote::ConnectionProfile passwordProfile()
{
    auto profile = bedProfile();
    profile.user = tl::testing::bedVariable("TB_SSH_PASSWORD_USER");
    profile.auth = tl::remote::AuthMethod::Password;
    profile.keyFile.clear();
    return profile;
}

// A prompt that answers `answer` (nullopt: the user cancels) and records what it was asked.
LoginPrompts answering(std::optional<std::string> answer, std::vector<std::string> &asked)
{
    LoginPrompts prompts;
    prompts.secret = [answer, &asked](const std::string &prompt) {
        asked.push_back(prompt);
        return answer;
    };
    return prompts;
}

std::string whereOf(const tl::remote::ConnectionProfile &profile)
{
    return profile.user + "@127.0.0.1:" + std::to_string(profile.port);
}

} // namespace

TEST_CASE("A password login asks once, naming the login, and runs commands as that user",
          "[remote][ssh]")
{
    auto profile = passwordProfile();
    std::vector<std::string> asked;
    auto session =
        SshSession::connect(profile, answering(tl::testing::bedVariable("TB_SSH_PASSWORD"), asked));
    INFO((session ? std::string() : session.error().describe()));
    REQUIRE(session.ok());
    REQUIRE(asked.size() == 1);
    CHECK_THAT(asked[0], Catch::Contains("Password") && Catch::Contains(whereOf(profile)));
    auto out = session.value().run("id -un");
    REQUIRE(out.ok());
    CHECK(out.value().out == "tbpass\n");
}

TEST_CASE("A wrong or cancelled password fails with one message naming the host, never the "
          "password",
          "[remote][ssh]")
{
    auto profile = passwordProfile();
    const std::string right = tl::testing::bedVariable("TB_SSH_PASSWORD");
    const std::string wrong = right + "-wrong";
    std::vector<std::string> asked;
    std::vector<tl::base::Error> errors;

    auto refused = SshSession::connect(profile, answering(wrong, asked));
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().code == tl::base::ErrorCode::Remote);
    CHECK(refused.error().message == "the server refused the password.");
    CHECK(refused.error().context == whereOf(profile));
    errors.push_back(refused.error());

    auto cancelled = SshSession::connect(profile, answering(std::nullopt, asked));
    REQUIRE_FALSE(cancelled.ok());
    CHECK(cancelled.error().code == tl::base::ErrorCode::Cancelled);
    CHECK(cancelled.error().message == "no password was given.");
    CHECK(cancelled.error().context == whereOf(profile));
    errors.push_back(cancelled.error());

    // Without any prompt there is no password: the same as a cancelled one.
    auto unasked = SshSession::connect(profile);
    REQUIRE_FALSE(unasked.ok());
    CHECK(unasked.error().code == tl::base::ErrorCode::Cancelled);
    errors.push_back(unasked.error());
    CHECK(asked.size() == 2);

    // A login that takes keys only is not asked for a password it would refuse.
    auto keysOnly = profile;
    keysOnly.user = tl::testing::bedVariable("TB_SSH_USER");
    auto notAccepted = SshSession::connect(keysOnly, answering(right, asked));
    REQUIRE_FALSE(notAccepted.ok());
    CHECK_THAT(notAccepted.error().message, Catch::Contains("does not accept password logins"));
    CHECK(notAccepted.error().context == whereOf(keysOnly));
    CHECK(asked.size() == 2);
    errors.push_back(notAccepted.error());

    for (const tl::base::Error &error : errors) {
        CHECK_THAT(error.describe(), !Catch::Contains(right) && !Catch::Contains(wrong));
    }
}

TEST_CASE("A key with a passphrase logs in with the right one, and a wrong or cancelled one "
          "names the key and the host",
          "[remote][ssh]")
{
    auto profile = bedProfile();
    profile.keyFile = tl::testing::bedVariable("TB_SSH_PASS_KEY");
    const std::string passphrase = tl::testing::bedVariable("TB_SSH_PASSPHRASE");
    std::vector<std::string> asked;

    auto session = SshSession::connect(profile, answering(passphrase, asked));
    INFO((session ? std::string() : session.error().describe()));
    REQUIRE(session.ok());
    REQUIRE(asked.size() == 1);
    CHECK_THAT(asked[0],
               Catch::Contains("Passphrase") && Catch::Contains(profile.keyFile.string()));
    auto out = session.value().run("id -un");
    REQUIRE(out.ok());
    CHECK(out.value().out == "tbuser\n");

    auto expectRefused = [&](const tl::base::Result<SshSession> &failed, const char *why) {
        REQUIRE_FALSE(failed.ok());
        CHECK_THAT(failed.error().message,
                   Catch::Contains(why) && Catch::Contains(profile.keyFile.string()));
        CHECK(failed.error().context == whereOf(profile));
        CHECK_THAT(failed.error().describe(), !Catch::Contains(passphrase));
    };
    SECTION("a wrong passphrase")
    {
        const std::string wrong = passphrase + "x";
        auto failed = SshSession::connect(profile, answering(wrong, asked));
        expectRefused(failed, "was wrong");
        CHECK_THAT(failed.error().describe(), !Catch::Contains(wrong));
        CHECK(asked.size() == 2);
    }
    SECTION("a cancelled prompt")
    {
        auto failed = SshSession::connect(profile, answering(std::nullopt, asked));
        expectRefused(failed, "no passphrase was given");
        CHECK(failed.error().code == tl::base::ErrorCode::Cancelled);
        CHECK(asked.size() == 2);
    }
    SECTION("no prompt at all")
    {
        expectRefused(SshSession::connect(profile), "there is nobody to ask");
    }
}

TEST_CASE("Through a jump host of the ssh config the host is reached, and an unreachable jump "
          "host is named",
          "[remote][ssh]")
{
    auto profile = bedProfile();
    // The alias exists only in the test bed's config: the jump's ssh must be given it (-F).
    profile.sshConfigFile = tl::testing::bedVariable("TB_SSH_CONFIG");
    profile.jumpHost = "tb";
    {
        SshSession session = tl::testing::bedSession(profile);
        CHECK(session.where() == whereOf(profile));
        auto out = session.run("id -un");
        REQUIRE(out.ok());
        CHECK(out.value().out == "tbuser\n");
    }

    // The same profile through a jump host nobody listens on: the jump was really used.
    profile.jumpHost = "tbuser@127.0.0.1:1";
    auto session = SshSession::connect(profile);
    REQUIRE_FALSE(session.ok());
    CHECK(session.error().context == whereOf(profile));
    CHECK_THAT(session.error().message,
               Catch::StartsWith("could not connect through the jump host tbuser@127.0.0.1:1: ")
                   && Catch::Contains("Connection refused"));

    // A jump alias the config does not know is ssh's error, quoted.
    profile.jumpHost = "no-such-jump.invalid";
    auto unknown = SshSession::connect(profile);
    REQUIRE_FALSE(unknown.ok());
    CHECK_THAT(unknown.error().message,
               Catch::Contains("through the jump host no-such-jump.invalid")
                   && Catch::Contains("no-such-jump.invalid:"));
}
