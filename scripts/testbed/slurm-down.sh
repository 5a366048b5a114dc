#!/usr/bin/env bash
# Stops what slurm-up.sh started: cancels the jobs, then slurmd, slurmctld, leftover job steps
# and munged. Only by recorded PIDs, each checked to still run the expected program for this
# state folder. Usage: slurm-down.sh STATE_DIR
dir=$1
export SLURM_CONF=$dir/slurm.conf

if [[ -s "$dir/run/slurmctld.launch.pid" ]] && timeout 5 scontrol ping 2>/dev/null | grep -q UP; then
    scancel --partition=debug 2>/dev/null || true
    for _ in $(seq 1 100); do
        [[ -z "$(squeue -h -t PD,R,CG,S 2>/dev/null)" ]] && break
        sleep 0.1
    done
fi

ours() { # pid program: still that program, and started for this state folder
    kill -0 "$1" 2>/dev/null && [[ "$(readlink "/proc/$1/exe" 2>/dev/null)" == "$2" ]] \
        && { grep -qa -- "$dir/" "/proc/$1/cmdline" \
            || grep -qa -- "SLURM_CONF=$dir/slurm.conf" "/proc/$1/environ"; }
}
program() { command -v "$1" >/dev/null && readlink -f "$(command -v "$1")"; }
stop() { # name: TERM, up to 10 s, then KILL
    local name=$1 file="$dir/run/$1.launch.pid" pid
    [[ -s "$file" ]] || return 0
    pid=$(cat "$file")
    ours "$pid" "$(program "$name")" || return 0
    kill -TERM "$pid"
    for _ in $(seq 1 100); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
    echo "slurm-down: stopped $name $pid"
}

stop slurmd &
stop slurmctld &
wait
# Job steps of this cluster that outlived slurmd (slurmstepd ignores TERM), and their jobs.
stepd=$(program slurmstepd)
for proc in /proc/[0-9]*; do
    pid=${proc#/proc/}
    [[ "$pid" == $$ ]] && continue
    if [[ -n "$stepd" ]] && ours "$pid" "$stepd"; then
        kill -KILL "$pid" 2>/dev/null
    elif grep -qa -- "SLURM_CONF=$dir/slurm.conf" "$proc/environ" 2>/dev/null \
        && grep -qa 'SLURM_JOB_ID=' "$proc/environ" 2>/dev/null; then
        kill -KILL "$pid" 2>/dev/null
    fi
done
stop munged
rm -f "$dir"/run/*.pid
