#!/usr/bin/env bash
# Stops the sshd that sshd-up.sh started, by its recorded PID, after checking that the PID is
# still that sshd (its command line names our config). Usage: sshd-down.sh STATE_DIR
dir=$1
for file in "$dir/sshd.pid" "$dir/sshd.launch.pid"; do
    [[ -s "$file" ]] || continue
    pid=$(cat "$file")
    if [[ "$(readlink "/proc/$pid/exe" 2>/dev/null)" == /usr/sbin/sshd ]] \
        && grep -qa -- "$dir/sshd_config" "/proc/$pid/cmdline"; then
        kill -TERM "$pid"
        for _ in $(seq 1 50); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
        echo "sshd-down: stopped sshd $pid"
    fi
    rm -f "$file"
done
