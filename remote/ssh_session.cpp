#include "remote/ssh_session.h"

#include "remote/sftp_session.h"
#include "remote/shell_quote.h"

#include <libssh/callbacks.h>
#include <libssh/libssh.h>
#include <openssl/crypto.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <utility>
#include <vector>

namespace tl::remote {

using base::ErrorCode;
using base::makeError;

struct SshSession::Handle
{
    ssh_session session = nullptr;
    LoginPrompts prompts;
    ssh_callbacks_struct callbacks{};
    // What the passphrase prompt asks for: libssh's own prompt names no key.
    std::string passphrasePrompt;
    // How the last passphrase question went: asked at all, and answered (or cancelled).
    bool passphraseAsked = false;
    bool passphraseGiven = false;

    Handle() : session(ssh_new()) {}
    ~Handle()
    {
        if (session != nullptr) {
            ssh_disconnect(session);
            ssh_free(session);
        }
    }
    Handle(const Handle &) = delete;
    Handle &operator=(const Handle &) = delete;
};

namespace {

// libssh's passphrase callback: asks the profile's prompt, never a terminal.
int askPassphrase(const char *prompt, char *buf, size_t len, int, int, void *userdata)
{
    auto *handle = static_cast<SshSession::Handle *>(userdata);
    if (!handle->prompts.secret || len == 0) {
        return -1;
    }
    handle->passphraseAsked = true;
    std::optional<std::string> answer = handle->prompts.secret(
        handle->passphrasePrompt.empty() ? std::string(prompt) : handle->passphrasePrompt);
    handle->passphraseGiven = answer.has_value();
    if (!answer || answer->size() >= len) {
        return -1;
    }
    std::memcpy(buf, answer->c_str(), answer->size() + 1);
    OPENSSL_cleanse(answer->data(), answer->size());
    return 0;
}

std::string optionString(ssh_session session, ssh_options_e option)
{
    char *value = nullptr;
    if (ssh_options_get(session, option, &value) != SSH_OK || value == nullptr) {
        return {};
    }
    std::string text(value);
    ssh_string_free_char(value);
    return text;
}

std::string describeWhere(ssh_session session, const ConnectionProfile &profile)
{
    std::string user = optionString(session, SSH_OPTIONS_USER);
    std::string host = optionString(session, SSH_OPTIONS_HOST);
    unsigned int port = 22;
    ssh_options_get_port(session, &port);
    std::string where;
    if (!user.empty()) {
        where += user;
        where += '@';
    }
    where += host.empty() ? profile.host : host;
    where += ':';
    where += std::to_string(port);
    return where;
}

// A file for the jump host's ssh to write its errors to, so that a failed connect can quote
// them; removed when the login attempt ends (the proxy keeps writing to it, unlinked).
struct JumpErrors
{
    std::string path;

    JumpErrors()
    {
        std::string name =
            (std::filesystem::temp_directory_path() / "torchlight-jump-XXXXXX").string();
        int fd = ::mkstemp(name.data());
        if (fd >= 0) {
            ::close(fd);
            path = name;
        }
    }
    ~JumpErrors()
    {
        if (!path.empty()) {
            ::unlink(path.c_str());
        }
    }
    JumpErrors(const JumpErrors &) = delete;
    JumpErrors &operator=(const JumpErrors &) = delete;

    // What ssh wrote, its own reason ("connect to host ... Connection refused"), as one
    // sentence: its last few lines joined, without the final full stop.
    std::string said() const
    {
        std::ifstream in(path);
        std::vector<std::string> lines;
        for (std::string line; std::getline(in, line);) {
            while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) {
                line.pop_back();
            }
            if (!line.empty()) {
                lines.push_back(line);
            }
        }
        std::string text;
        std::size_t first = lines.size() > 3 ? lines.size() - 3 : 0;
        for (std::size_t i = first; i < lines.size(); ++i) {
            text += (text.empty() ? "" : "; ") + lines[i];
        }
        if (text.ends_with('.')) {
            text.pop_back();
        }
        return text;
    }
};

// libssh expands %h, %p, %u... in a ProxyCommand: a literal % must be written %%.
std::string escapePercent(const std::string &text)
{
    std::string escaped;
    for (char c : text) {
        escaped += c;
        if (c == '%') {
            escaped += '%';
        }
    }
    return escaped;
}

// ssh's ProxyJump as libssh's ProxyCommand: `ssh -W` through the jump host ("user@host:port"
// or a Host alias), with the profile's ssh config and known_hosts as `ssh -F config -J jump`
// would use them. BatchMode: there is no terminal to ask on, so the jump host takes a key from
// the agent or the config. Its errors go to errorFile.
std::string jumpCommand(const ConnectionProfile &profile, const std::string &errorFile)
{
    const std::string &jump = profile.jumpHost;
    std::string target = jump;
    std::string port;
    std::size_t colon = jump.rfind(':');
    if (colon != std::string::npos && jump.find(']') == std::string::npos) {
        target = jump.substr(0, colon);
        port = jump.substr(colon + 1);
    }
    std::vector<std::string> options;
    if (!profile.sshConfigFile.empty()) {
        options.insert(options.end(), {"-F", profile.sshConfigFile.string()});
    }
    if (!profile.knownHostsFile.empty()) {
        options.insert(options.end(),
                       {"-o", "UserKnownHostsFile=" + profile.knownHostsFile.string()});
    }
    long timeout = profile.connectTimeoutSeconds > 0 ? profile.connectTimeoutSeconds : 10;
    options.insert(options.end(),
                   {"-o", "BatchMode=yes", "-o", "ConnectTimeout=" + std::to_string(timeout)});
    if (!port.empty()) {
        options.insert(options.end(), {"-p", port});
    }
    options.insert(options.end(), {"--", target});
    // %h and %p are libssh's: the host and port the session connects to.
    std::string command = "ssh -W '[%h]:%p'";
    // Appended piece by piece: GCC 12 warns (-Wrestrict) on "literal" + a temporary string.
    for (const std::string &option : options) {
        command += ' ';
        command += escapePercent(shellQuote(option));
    }
    if (!errorFile.empty()) {
        command += " 2>";
        command += escapePercent(shellQuote(errorFile));
    }
    return command;
}

base::Status
applyOptions(ssh_session session, const ConnectionProfile &profile, const std::string &jumpErrors)
{
    auto fail = [&](const char *what) {
        return makeError(ErrorCode::InvalidInput,
                         std::string("the connection profile's ") + what
                             + " is not valid: " + ssh_get_error(session),
                         profile.name.empty() ? profile.host : profile.name);
    };
    if (profile.host.empty()) {
        return makeError(ErrorCode::InvalidInput, "the connection profile names no host",
                         profile.name);
    }
    if (ssh_options_set(session, SSH_OPTIONS_HOST, profile.host.c_str()) != SSH_OK) {
        return fail("host");
    }
    // Host aliases, HostName, Port, User and IdentityFile come from the ssh config, as for ssh;
    // what the profile states explicitly wins, so it is set after parsing.
    const char *config = profile.sshConfigFile.empty() ? nullptr : profile.sshConfigFile.c_str();
    if (ssh_options_parse_config(session, config) != SSH_OK) {
        return fail("ssh config");
    }
    bool no = false;
    ssh_options_set(session, SSH_OPTIONS_PROCESS_CONFIG, &no);
    if (profile.port > 0) {
        unsigned int port = static_cast<unsigned int>(profile.port);
        if (ssh_options_set(session, SSH_OPTIONS_PORT, &port) != SSH_OK) {
            return fail("port");
        }
    }
    if (!profile.user.empty()
        && ssh_options_set(session, SSH_OPTIONS_USER, profile.user.c_str()) != SSH_OK) {
        return fail("user");
    }
    if (!profile.knownHostsFile.empty()) {
        ssh_options_set(session, SSH_OPTIONS_KNOWNHOSTS, profile.knownHostsFile.c_str());
        ssh_options_set(session, SSH_OPTIONS_GLOBAL_KNOWNHOSTS, "/dev/null");
    }
    // Every SFTP request waits for its reply: without TCP_NODELAY, Nagle's algorithm and
    // delayed ACKs hold each small request ~40 ms.
    int noDelay = 1;
    ssh_options_set(session, SSH_OPTIONS_NODELAY, &noDelay);
    int quiet = SSH_LOG_NOLOG;
    ssh_options_set(session, SSH_OPTIONS_LOG_VERBOSITY, &quiet);
    long timeout = profile.connectTimeoutSeconds > 0 ? profile.connectTimeoutSeconds : 10;
    ssh_options_set(session, SSH_OPTIONS_TIMEOUT, &timeout);
    if (!profile.jumpHost.empty()) {
        std::string proxy = jumpCommand(profile, jumpErrors);
        if (ssh_options_set(session, SSH_OPTIONS_PROXYCOMMAND, proxy.c_str()) != SSH_OK) {
            return fail("jump host");
        }
    }
    return base::okStatus();
}

// known_hosts' name for a host on a port other than 22: "[host]:port".
std::string knownHostsPattern(const std::string &host, unsigned int port)
{
    std::string pattern;
    pattern.reserve(host.size() + 8);
    pattern.push_back('[');
    pattern.append(host);
    pattern.append("]:");
    pattern.append(std::to_string(port));
    return pattern;
}

base::Result<HostKey> serverKey(ssh_session session, const std::string &where)
{
    ssh_key key = nullptr;
    if (ssh_get_server_publickey(session, &key) != SSH_OK) {
        return makeError(ErrorCode::Remote,
                         std::string("the server sent no host key: ") + ssh_get_error(session),
                         where);
    }
    unsigned char *hash = nullptr;
    size_t length = 0;
    int rc = ssh_get_publickey_hash(key, SSH_PUBLICKEY_HASH_SHA256, &hash, &length);
    HostKey hostKey;
    hostKey.type = ssh_key_type_to_char(ssh_key_type(key));
    ssh_key_free(key);
    if (rc != SSH_OK) {
        return makeError(ErrorCode::Remote, "could not hash the server's host key", where);
    }
    char *fingerprint = ssh_get_fingerprint_hash(SSH_PUBLICKEY_HASH_SHA256, hash, length);
    ssh_clean_pubkey_hash(&hash);
    hostKey.fingerprint = fingerprint != nullptr ? fingerprint : "";
    ssh_string_free_char(fingerprint);
    std::string host = optionString(session, SSH_OPTIONS_HOST);
    unsigned int port = 22;
    ssh_options_get_port(session, &port);
    hostKey.host = port == 22 ? host : knownHostsPattern(host, port);
    return hostKey;
}

std::string knownHostsName(const ConnectionProfile &profile)
{
    return profile.knownHostsFile.empty() ? std::string("~/.ssh/known_hosts")
                                          : profile.knownHostsFile.string();
}

// Strict known_hosts checking: a known key passes, an unknown one only when the user trusts
// it (then it is recorded), a changed or different-type key never.
base::Status verifyHostKey(ssh_session session,
                           const ConnectionProfile &profile,
                           const LoginPrompts &prompts,
                           const HostKey &key,
                           const std::string &where)
{
    std::string shown = key.type + " key " + key.fingerprint;
    switch (ssh_session_is_known_server(session)) {
    case SSH_KNOWN_HOSTS_OK:
        return base::okStatus();
    case SSH_KNOWN_HOSTS_CHANGED:
        return makeError(ErrorCode::Remote,
                         "the host key has CHANGED since it was recorded in "
                             + knownHostsName(profile) + " (the host now offers the " + shown
                             + "). Someone may be intercepting the connection, or the host was "
                               "reinstalled; Torchlight will not connect. If the change is "
                               "expected, remove the old key with ssh-keygen -R "
                             + key.host + ".",
                         where);
    case SSH_KNOWN_HOSTS_OTHER:
        return makeError(ErrorCode::Remote,
                         "the host offers a " + shown + " but " + knownHostsName(profile)
                             + " records a key of another type for it; Torchlight will not "
                               "connect. Check the host's keys with its administrator.",
                         where);
    case SSH_KNOWN_HOSTS_NOT_FOUND:
    case SSH_KNOWN_HOSTS_UNKNOWN:
        break;
    case SSH_KNOWN_HOSTS_ERROR:
        return makeError(
            ErrorCode::Io,
            "could not read " + knownHostsName(profile) + ": " + ssh_get_error(session), where);
    }
    if (!prompts.trustUnknownHost || !prompts.trustUnknownHost(key)) {
        return makeError(ErrorCode::Remote,
                         "the host is not in " + knownHostsName(profile) + " and its " + shown
                             + " was not trusted.",
                         where);
    }
    if (ssh_session_update_known_hosts(session) != SSH_OK) {
        return makeError(ErrorCode::Io,
                         "could not add the host key to " + knownHostsName(profile) + ": "
                             + ssh_get_error(session),
                         where);
    }
    return base::okStatus();
}

base::Status authenticateWithKeyFile(ssh_session session,
                                     SshSession::Handle &handle,
                                     const ConnectionProfile &profile,
                                     const std::string &where)
{
    ssh_key key = nullptr;
    handle.passphrasePrompt = "Passphrase for the key " + profile.keyFile.string() + ":";
    handle.passphraseAsked = false;
    handle.passphraseGiven = false;
    int rc =
        ssh_pki_import_privkey_file(profile.keyFile.c_str(), nullptr, askPassphrase, &handle, &key);
    handle.passphrasePrompt.clear();
    if (rc == SSH_EOF) {
        return makeError(ErrorCode::NotFound,
                         "the key file " + profile.keyFile.string() + " does not exist.", where);
    }
    if (rc != SSH_OK && handle.passphraseAsked && !handle.passphraseGiven) {
        return makeError(ErrorCode::Cancelled,
                         "no passphrase was given for the key " + profile.keyFile.string()
                             + ", so it could not be read.",
                         where);
    }
    if (rc != SSH_OK && handle.passphraseAsked) {
        return makeError(ErrorCode::InvalidInput,
                         "the passphrase for the key " + profile.keyFile.string()
                             + " was wrong: it did not decrypt the key.",
                         where);
    }
    if (rc != SSH_OK) {
        return makeError(ErrorCode::InvalidInput,
                         "could not read the private key " + profile.keyFile.string()
                             + ": it is not a private key, or it needs a passphrase and there "
                               "is nobody to ask.",
                         where);
    }
    rc = ssh_userauth_publickey(session, nullptr, key);
    ssh_key_free(key);
    if (rc != SSH_AUTH_SUCCESS) {
        return makeError(ErrorCode::Remote,
                         "the server refused the key " + profile.keyFile.string() + ".", where);
    }
    return base::okStatus();
}

base::Status authenticate(ssh_session session,
                          SshSession::Handle &handle,
                          const ConnectionProfile &profile,
                          const std::string &where)
{
    if (ssh_userauth_none(session, nullptr) == SSH_AUTH_SUCCESS) {
        return base::okStatus();
    }
    switch (profile.auth) {
    case AuthMethod::KeyFile:
        return authenticateWithKeyFile(session, handle, profile, where);
    case AuthMethod::Password: {
        // Asking for a password the host would not take only makes the user type it.
        if ((ssh_userauth_list(session, nullptr) & SSH_AUTH_METHOD_PASSWORD) == 0) {
            return makeError(ErrorCode::Remote,
                             "the host does not accept password logins; choose a key file in "
                             "the profile.",
                             where);
        }
        std::optional<std::string> password;
        if (handle.prompts.secret) {
            password = handle.prompts.secret("Password for " + where + ":");
        }
        if (!password) {
            return makeError(ErrorCode::Cancelled, "no password was given.", where);
        }
        int rc = ssh_userauth_password(session, nullptr, password->c_str());
        OPENSSL_cleanse(password->data(), password->size());
        if (rc != SSH_AUTH_SUCCESS) {
            // The password itself never appears in a message.
            return makeError(ErrorCode::Remote, "the server refused the password.", where);
        }
        return base::okStatus();
    }
    case AuthMethod::Default:
        break;
    }
    if (ssh_userauth_publickey_auto(session, nullptr, nullptr) != SSH_AUTH_SUCCESS) {
        return makeError(ErrorCode::Remote,
                         "the server accepted none of the keys from ssh-agent, the ssh config "
                         "and ~/.ssh; choose a key file or a password in the profile.",
                         where);
    }
    return base::okStatus();
}

} // namespace

base::Result<SshSession> SshSession::connect(const ConnectionProfile &profile,
                                             const LoginPrompts &prompts)
{
    // libssh would write its warnings to stderr; every failure is reported as an Error instead.
    ssh_set_log_level(SSH_LOG_NOLOG);
    auto handle = std::make_unique<Handle>();
    if (handle->session == nullptr) {
        return makeError(ErrorCode::Backend, "libssh could not create a session", profile.host);
    }
    handle->prompts = prompts;
    handle->callbacks.userdata = handle.get();
    handle->callbacks.auth_function = askPassphrase;
    ssh_callbacks_init(&handle->callbacks);
    ssh_set_callbacks(handle->session, &handle->callbacks);

    ssh_session session = handle->session;
    std::optional<JumpErrors> jumpErrors;
    if (!profile.jumpHost.empty()) {
        jumpErrors.emplace();
    }
    if (base::Status applied = applyOptions(session, profile, jumpErrors ? jumpErrors->path : "");
        !applied) {
        return applied.error();
    }
    std::string where = describeWhere(session, profile);
    if (ssh_connect(session) != SSH_OK) {
        std::string reason = ssh_get_error(session);
        if (jumpErrors) {
            // ssh's own words say which hop failed; libssh only sees the proxy's pipe close.
            std::string said = jumpErrors->said();
            return makeError(ErrorCode::Remote,
                             "could not connect through the jump host " + profile.jumpHost + ": "
                                 + (said.empty() ? reason : said) + ".",
                             where);
        }
        return makeError(ErrorCode::Remote, "could not connect: " + reason + ".", where);
    }
    base::Result<HostKey> key = serverKey(session, where);
    if (!key) {
        return key.error();
    }
    if (base::Status known = verifyHostKey(session, profile, prompts, key.value(), where); !known) {
        return known.error();
    }
    if (base::Status auth = authenticate(session, *handle, profile, where); !auth) {
        return auth.error();
    }
    return SshSession(std::move(handle), std::move(where), std::move(key).value());
}

SshSession::SshSession(std::unique_ptr<Handle> handle, std::string where, HostKey hostKey)
    : m_handle(std::move(handle))
    , m_where(std::move(where))
    , m_hostKey(std::move(hostKey))
{}

SshSession::SshSession(SshSession &&) noexcept = default;
SshSession &SshSession::operator=(SshSession &&) noexcept = default;
SshSession::~SshSession() = default;

void *SshSession::rawHandle() const
{
    return m_handle->session;
}

namespace {

// Owns an exec channel; closes it on every path.
struct Channel
{
    ssh_channel channel;
    explicit Channel(ssh_session session) : channel(ssh_channel_new(session)) {}
    ~Channel()
    {
        if (channel != nullptr) {
            ssh_channel_close(channel);
            ssh_channel_free(channel);
        }
    }
    Channel(const Channel &) = delete;
    Channel &operator=(const Channel &) = delete;
};

base::Status writeAll(ssh_channel channel, std::string_view input)
{
    while (!input.empty()) {
        int n = ssh_channel_write(
            channel, input.data(),
            static_cast<std::uint32_t>(std::min<std::size_t>(input.size(), std::size_t{1} << 20)));
        if (n <= 0) {
            return makeError(ErrorCode::Remote, "the command's input could not be sent");
        }
        input.remove_prefix(static_cast<std::size_t>(n));
    }
    return base::okStatus();
}

} // namespace

base::Result<CommandOutput> SshSession::run(const std::string &commandLine,
                                            std::chrono::milliseconds timeout,
                                            std::stop_token stop,
                                            std::string_view input)
{
    ssh_session session = m_handle->session;
    auto lost = [&](const std::string &what) {
        return makeError(ErrorCode::Remote, what + ": " + ssh_get_error(session) + ".", m_where);
    };
    Channel channel(session);
    if (channel.channel == nullptr || ssh_channel_open_session(channel.channel) != SSH_OK) {
        return lost("could not open a channel");
    }
    if (ssh_channel_request_exec(channel.channel, commandLine.c_str()) != SSH_OK) {
        return lost("could not start a remote command");
    }
    if (base::Status sent = writeAll(channel.channel, input); !sent) {
        return lost(sent.error().message);
    }
    ssh_channel_send_eof(channel.channel);

    CommandOutput output;
    auto deadline = std::chrono::steady_clock::now() + timeout;
    char buffer[16384];
    while (true) {
        if (stop.stop_requested()) {
            return makeError(ErrorCode::Cancelled, "the remote command was cancelled.", m_where);
        }
        if (std::chrono::steady_clock::now() > deadline) {
            return makeError(ErrorCode::Remote,
                             "the remote command did not finish within "
                                 + std::to_string(timeout.count() / 1000) + " s.",
                             m_where);
        }
        // Short waits keep cancellation and the timeout prompt (STYLE.md, Long work).
        int n = ssh_channel_read_timeout(channel.channel, buffer, sizeof buffer, 0, 100);
        if (n == SSH_ERROR) {
            return lost("the connection failed while reading the command's output");
        }
        output.out.append(buffer, static_cast<std::size_t>(std::max(n, 0)));
        int e = 0;
        while ((e = ssh_channel_read_nonblocking(channel.channel, buffer, sizeof buffer, 1)) > 0) {
            output.err.append(buffer, static_cast<std::size_t>(e));
        }
        if (e == SSH_ERROR) {
            return lost("the connection failed while reading the command's errors");
        }
        if (n == 0 && ssh_channel_is_eof(channel.channel)) {
            break;
        }
    }
    output.exitStatus = ssh_channel_get_exit_status(channel.channel);
    return output;
}

base::Result<SftpSession> SshSession::openSftp()
{
    return SftpSession::open(*this);
}

bool SshSession::isAlive()
{
    return ssh_is_connected(m_handle->session) != 0
           && ssh_send_ignore(m_handle->session, "keepalive") == SSH_OK;
}

} // namespace tl::remote
