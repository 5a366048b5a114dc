#!/usr/bin/env bash
# Starts a throwaway OpenSSH server on 127.0.0.1 for the remote tests, as a plain background
# process (no systemd), with its own host key and client key. Root only. Adapted from the
# reference test bed scripts (../shared/testbed/sshd-up.sh) for Debian 12's OpenSSH 9.2.
# Usage: sshd-up.sh STATE_DIR PORT [extra sshd_config lines]
# Leaves in STATE_DIR: id_ed25519 (client key), id_ed25519_pass (the same for tbuser, with the
# passphrase in passphrase), password (tbpass's), noslurm-bin/, known_hosts, ssh_config (Host
# alias "tb"), sshd.pid and sshd.log. Users (created when missing):
#   root, tbuser   key login (tbuser also with the passphrase key)
#   tbpass         password login only
#   tbnoslurm      key login; its sessions' PATH is noslurm-bin, /usr/bin without Slurm's
#                  commands, as on a host where Slurm is not installed
set -euo pipefail
dir=$1
port=$2
extra=${3:-}
users="root tbuser tbpass tbnoslurm"
key_users="root tbuser tbnoslurm"
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
# Secrets of this bed only, new for each state folder; the tests read them from the files.
secret() { printf 'tb-%s' "$(od -An -N9 -tx1 /dev/urandom | tr -d ' \n')"; }
[[ -s "$dir/passphrase" ]] || (umask 077 && secret >"$dir/passphrase")
[[ -s "$dir/password" ]] || (umask 077 && secret >"$dir/password")
[[ -f "$dir/id_ed25519_pass" ]] \
    || ssh-keygen -q -t ed25519 -N "$(cat "$dir/passphrase")" -C tb-client-pass \
        -f "$dir/id_ed25519_pass"
for user in $users; do
    if [[ "$user" != root ]]; then
        id "$user" >/dev/null 2>&1 || useradd -m -s /bin/bash "$user"
        # useradd locks the account ('!'); without PAM sshd refuses locked accounts even
        # for keys. '*' means "no password" without locking.
        usermod -p '*' "$user"
    fi
done
# Without PAM, sshd checks the password against /etc/shadow.
printf 'tbpass:%s\n' "$(cat "$dir/password")" | chpasswd
for user in $key_users; do
    keys=("$dir/id_ed25519.pub")
    if [[ "$user" == tbuser ]]; then
        keys+=("$dir/id_ed25519_pass.pub")
    fi
    # sshd reads authorized_keys as the target user.
    cat "${keys[@]}" >"$dir/authorized_keys.d/$user"
    chown "$user:$(id -gn "$user")" "$dir/authorized_keys.d/$user"
    chmod 600 "$dir/authorized_keys.d/$user"
done
rm -f "$dir/authorized_keys.d/tbpass"
# /usr/bin without Slurm's client commands (/bin and /sbin are links into /usr on Debian 12).
rm -rf "$dir/noslurm-bin"
mkdir -p "$dir/noslurm-bin"
tools=()
for tool in /usr/bin/*; do
    case "${tool##*/}" in
    sbatch | squeue | sacct | scancel | scontrol | sinfo | srun | salloc | sattach | sbcast \
        | scrontab | sdiag | sprio | sreport | sshare | sstat | strigger | sview | sacctmgr) ;;
    *) tools+=("$tool") ;;
    esac
done
ln -s "${tools[@]}" "$dir/noslurm-bin/"
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
Match User tbpass
    PasswordAuthentication yes
Match User tbnoslurm
    SetEnv PATH=$dir/noslurm-bin
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
