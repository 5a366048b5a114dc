#pragma once
// SshSession: one logged-in libssh session to a profile's host (DESIGN.md: the SSH session
// lives once). Connects, checks the host key strictly against known_hosts, authenticates,
// runs commands and opens SFTP. Not thread-safe: a session belongs to one thread for its
// whole life (the app gives each its own). libssh's types stay in the .cpp.

#include "base/result.h"
#include "remote/connection_profile.h"

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>

namespace tl::remote {

struct HostKey
{
    std::string host;        // "[127.0.0.1]:2222" as known_hosts writes it
    std::string type;        // "ssh-ed25519"
    std::string fingerprint; // "SHA256:..." as ssh prints it
};

// What a login may ask the user. Unset functions answer "no": an unknown host key is then
// refused and a key that needs a passphrase fails.
struct LoginPrompts
{
    // The host is not in known_hosts: true trusts this key and adds it to the file.
    std::function<bool(const HostKey &key)> trustUnknownHost;
    // A passphrase or a password (the prompt says which); nullopt when the user cancels.
    std::function<std::optional<std::string>(const std::string &prompt)> secret;
};

struct CommandOutput
{
    int exitStatus = -1; // the remote command's exit status; -1 when it died of a signal
    std::string out;
    std::string err;
};

class SftpSession;

class SshSession
{
public:
    struct Handle; // ssh_session and its deleter, defined in the .cpp

    static base::Result<SshSession> connect(const ConnectionProfile &profile,
                                            const LoginPrompts &prompts = {});

    SshSession(SshSession &&) noexcept;
    SshSession &operator=(SshSession &&) noexcept;
    ~SshSession();

    // "user@host:port", the context of every error this session reports.
    const std::string &where() const { return m_where; }
    const HostKey &hostKey() const { return m_hostKey; }

    // Runs a shell command line (build it with shellCommand()), feeds it `input` on stdin,
    // and collects its output. Fails when the connection fails, after `timeout`, or when
    // `stop` is requested; a non-zero exit status is not an error here.
    base::Result<CommandOutput> run(const std::string &commandLine,
                                    std::chrono::milliseconds timeout = std::chrono::seconds(60),
                                    std::stop_token stop = {},
                                    std::string_view input = {});

    // Opens an SFTP subsystem on this session. The SftpSession must not outlive it.
    base::Result<SftpSession> openSftp();

    // Whether the connection still answers (a keepalive that needs no reply).
    bool isAlive();

    void *rawHandle() const; // the ssh_session, for SftpSession's .cpp only

private:
    SshSession(std::unique_ptr<Handle> handle, std::string where, HostKey hostKey);

    std::unique_ptr<Handle> m_handle;
    std::string m_where;
    HostKey m_hostKey;
};

} // namespace tl::remote
