# The remote test bed, sourced by scripts/dev.sh test: a loopback sshd and a single-node Slurm
# for the remote integration tests (issue #6), torn down on exit by recorded PIDs.
#   tb_up   starts them and exports what the tests read:
#             TB_AVAILABLE, TB_SKIP_REASON, TB_DIR
#             TB_SSH_HOST, TB_SSH_PORT, TB_SSH_KNOWN_HOSTS, TB_SSH_CONFIG (Host alias "tb")
#             TB_SSH_USER, TB_SSH_KEY          tbuser and its key (no passphrase)
#             TB_SSH_PASS_KEY, TB_SSH_PASSPHRASE   another key of tbuser's, and its passphrase
#             TB_SSH_PASSWORD_USER, TB_SSH_PASSWORD  tbpass, who logs in by password only
#             TB_SSH_NOSLURM_USER              tbnoslurm: TB_SSH_KEY, a PATH without Slurm
#             TB_FULL_DIR      a 2 MiB tmpfs tbuser owns, for a full disk; unset when the
#                              machine cannot mount one (those tests then say so and skip)
#             TB_SLURM_CONF
#   tb_down stops them and unmounts TB_FULL_DIR
# REMOTE_TESTBED=require (the default when CI=true): any failure fails the run, with the
# daemons' logs. auto (otherwise): a machine that cannot host it skips the remote tests, saying
# why. skip: never start it.
tb_scripts=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# A fixed folder, so a crashed earlier run's daemons are found and stopped by their PID files.
TB_DIR=${TB_DIR:-/tmp/torchlight-testbed}
REMOTE_TESTBED=${REMOTE_TESTBED:-$([[ "${CI:-}" == true ]] && echo require || echo auto)}

tb_free_port() { # the first free TCP port on 127.0.0.1 from $1 on
    local port=$1
    while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
    echo "$port"
}

tb_unavailable() { # reason
    export TB_AVAILABLE=0 TB_SKIP_REASON="$1"
    if [[ "$REMOTE_TESTBED" == require ]]; then
        echo "remote test bed: FAILED: $1 (REMOTE_TESTBED=require)" >&2
        return 1
    fi
    echo "remote test bed: the remote tests are skipped: $1" >&2
    return 0
}

tb_logs() {
    local log
    for log in "$TB_DIR"/ssh/sshd.log "$TB_DIR"/slurm/log/*; do
        [[ -s "$log" ]] || continue
        echo "----- $log (last 30 lines)" >&2
        tail -n 30 "$log" >&2
    done
}

tb_down() {
    [[ -d "$TB_DIR" ]] || return 0
    bash "$tb_scripts/slurm-down.sh" "$TB_DIR/slurm" >/dev/null 2>&1 || true
    bash "$tb_scripts/sshd-down.sh" "$TB_DIR/ssh" >/dev/null 2>&1 || true
    if mountpoint -q "$TB_DIR/full" 2>/dev/null; then
        umount "$TB_DIR/full" || true
    fi
}

tb_mount_full() { # a tiny tmpfs for the full-disk tests; exports TB_FULL_DIR when it mounts
    mkdir -p "$TB_DIR/full"
    if ! mount -t tmpfs -o size=2m,mode=0755 tb-full "$TB_DIR/full" 2>"$TB_DIR/full.log"; then
        echo "remote test bed: no tmpfs for the full-disk tests: $(cat "$TB_DIR/full.log")" >&2
        return 0
    fi
    chown tbuser: "$TB_DIR/full"
    export TB_FULL_DIR=$TB_DIR/full
}

tb_up() {
    export TB_AVAILABLE=0 TB_SKIP_REASON= TB_DIR
    unset TB_FULL_DIR
    if [[ "$REMOTE_TESTBED" == skip ]]; then
        tb_unavailable "REMOTE_TESTBED=skip"
        return
    fi
    if [[ "$(id -u)" != 0 ]]; then
        tb_unavailable "the test bed needs root (it starts sshd and slurmd and creates a user)"
        return
    fi
    local program
    for program in /usr/sbin/sshd ssh slurmctld slurmd sbatch munged sha256sum chpasswd; do
        if ! command -v "$program" >/dev/null; then
            tb_unavailable "$program is not installed (scripts/setup-debian.sh --tests installs it)"
            return
        fi
    done
    tb_down
    rm -rf "$TB_DIR"
    mkdir -p "$TB_DIR"
    chmod 755 "$TB_DIR"
    local ssh_port ctld_port slurmd_port
    ssh_port=$(tb_free_port 2222)
    ctld_port=$(tb_free_port 16817)
    slurmd_port=$(tb_free_port $((ctld_port + 1)))
    # Logins get the cluster's SLURM_CONF, as a real cluster's /etc/slurm would give them.
    if ! bash "$tb_scripts/sshd-up.sh" "$TB_DIR/ssh" "$ssh_port" \
        "SetEnv SLURM_CONF=$TB_DIR/slurm/slurm.conf" >"$TB_DIR/sshd-up.log" 2>&1; then
        cat "$TB_DIR/sshd-up.log" >&2
        tb_logs
        tb_down
        tb_unavailable "sshd did not start"
        return
    fi
    if ! bash "$tb_scripts/slurm-up.sh" "$TB_DIR/slurm" "$ctld_port" "$slurmd_port" \
        >"$TB_DIR/slurm-up.log" 2>&1; then
        cat "$TB_DIR/slurm-up.log" >&2
        tb_logs
        tb_down
        tb_unavailable "Slurm did not start"
        return
    fi
    cat "$TB_DIR/sshd-up.log" "$TB_DIR/slurm-up.log" | grep -E '^(sshd|slurm)-up:' || true
    tb_mount_full
    local passphrase password
    passphrase=$(cat "$TB_DIR/ssh/passphrase")
    password=$(cat "$TB_DIR/ssh/password")
    export TB_AVAILABLE=1 TB_SSH_HOST=127.0.0.1 TB_SSH_PORT=$ssh_port TB_SSH_USER=tbuser \
        TB_SSH_KEY=$TB_DIR/ssh/id_ed25519 TB_SSH_KNOWN_HOSTS=$TB_DIR/ssh/known_hosts \
        TB_SSH_CONFIG=$TB_DIR/ssh/ssh_config TB_SLURM_CONF=$TB_DIR/slurm/slurm.conf \
        TB_SSH_PASS_KEY=$TB_DIR/ssh/id_ed25519_pass \
        TB_SSH_PASSPHRASE=$passphrase TB_SSH_PASSWORD_USER=tbpass TB_SSH_PASSWORD=$password \
        TB_SSH_NOSLURM_USER=tbnoslurm
}
