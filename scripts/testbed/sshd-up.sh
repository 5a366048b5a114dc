#!/usr/bin/env bash
# Starts a throwaway OpenSSH server on 127.0.0.1 for the remote tests, as a plain background
# process (no systemd), with its own host key and client key. Root only. Adapted from the
# reference test bed scripts (../shared/testbed/sshd-up.sh) for Debian 12's OpenSSH 9.2.
# Usage: sshd-up.sh STATE_DIR PORT [extra sshd_config lines]
# Leaves in STATE_DIR: id_ed25519 (client key), known_hosts, ssh_config (Host alias "tb"),
# sshd.pid and sshd.log. Users: root and tbuser (created when missing).
set -euo pipefail
dir=$1
port=$2
extra=${3:-}
users="root tbuser"
sshd=/usr/sbin/sshd # sshd re-executes itself, so it must be started by its absolute path

if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "sshd-up: 127.0.0.1:$port is already in use" >&2
    exit 3
fi
# The users' authorized keys live here, so it must be traversable by them.
mkdir -p "$dir/authorized_keys.d"
chmod 755 "$dir" "$dir/authorized_keys.d"
mkdir -p /run/sshd # the privilege separation folder systemd would create
chmod 755 /run/sshd

[[ -f "$dir/host_ed25519" ]] || ssh-keygen -q -t ed25519 -N '' -C tb-host -f "$dir/host_ed25519"
[[ -f "$dir/id_ed25519" ]] || ssh-keygen -q -t ed25519 -N '' -C tb-client -f "$dir/id_ed25519"
for user in $users; do
    if [[ "$user" != root ]]; then
        id "$user" >/dev/null 2>&1 || useradd -m -s /bin/bash "$user"
        # useradd locks the account ('!'); without PAM sshd refuses locked accounts even
        # for keys. '*' means "no password" without locking.
        usermod -p '*' "$user"
    fi
    # sshd reads authorized_keys as the target user.
    install -m 600 -o "$user" -g "$(id -gn "$user")" "$dir/id_ed25519.pub" \
        "$dir/authorized_keys.d/$user"
done
echo "[127.0.0.1]:$port $(cut -d' ' -f1,2 "$dir/host_ed25519.pub")" >"$dir/known_hosts"

cat >"$dir/sshd_config" <<CONF
Port $port
ListenAddress 127.0.0.1
HostKey $dir/host_ed25519
PidFile $dir/sshd.pid
AuthorizedKeysFile $dir/authorized_keys.d/%u
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
UsePAM no
StrictModes no
AllowUsers $users
Subsystem sftp internal-sftp
PrintMotd no
LogLevel VERBOSE
$extra
CONF
"$sshd" -t -f "$dir/sshd_config"
rm -f "$dir/sshd.pid"
# -D: stays in the foreground so $! is sshd itself; -e: logs to stderr (no syslog here).
"$sshd" -D -e -f "$dir/sshd_config" >"$dir/sshd.log" 2>&1 &
echo $! >"$dir/sshd.launch.pid"
# sshd writes its PidFile once the socket listens.
for _ in $(seq 1 100); do
    [[ -s "$dir/sshd.pid" ]] && break
    if ! kill -0 "$(cat "$dir/sshd.launch.pid")" 2>/dev/null; then
        echo "sshd-up: sshd exited" >&2
        cat "$dir/sshd.log" >&2
        exit 1
    fi
    sleep 0.02
done
if [[ ! -s "$dir/sshd.pid" ]]; then
    echo "sshd-up: sshd not listening after 2 s" >&2
    cat "$dir/sshd.log" >&2
    exit 1
fi

cat >"$dir/ssh_config" <<CONF
Host tb
  HostName 127.0.0.1
  Port $port
  User tbuser
  IdentityFile $dir/id_ed25519
  IdentitiesOnly yes
  UserKnownHostsFile $dir/known_hosts
  StrictHostKeyChecking yes
  BatchMode yes
  ConnectTimeout 5
  LogLevel ERROR
CONF
echo "sshd-up: sshd $(cat "$dir/sshd.pid") on 127.0.0.1:$port"
