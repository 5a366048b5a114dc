#!/usr/bin/env bash
# Starts a throwaway single-node Slurm (munged, slurmctld, slurmd) as background processes,
# no systemd. Root only. Adapted from the reference test bed (../shared/testbed/slurm-up.sh);
# Debian 12: Slurm 22.05, munge 0.5.15. No slurmdbd: finished jobs stay visible to squeue for
# MinJobAge seconds, and `sacct -c` reads the jobcomp file.
# Usage: slurm-up.sh STATE_DIR CTLD_PORT SLURMD_PORT
# Afterwards client commands need SLURM_CONF=STATE_DIR/slurm.conf in their environment.
set -euo pipefail
dir=$1
ctld_port=$2
slurmd_port=$3

mkdir -p "$dir"/{munge,state,spool,log,run}
chmod 755 "$dir" "$dir/munge" # everyone must reach munged's socket
chmod 700 "$dir/state"
rm -f "$dir"/log/* "$dir"/run/*
socket=$dir/munge/munge.socket
if [[ ! -f "$dir/munge/munge.key" ]]; then
    dd if=/dev/urandom of="$dir/munge/munge.key" bs=1024 count=1 status=none
    chmod 400 "$dir/munge/munge.key"
fi

cat >"$dir/slurm.conf" <<CONF
ClusterName=tb
SlurmctldHost=localhost
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$socket
CredType=cred/munge
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SwitchType=switch/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/run/slurmctld.pid
SlurmdPidFile=$dir/run/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc=$dir/log/jobcomp.txt
ReturnToService=2
MailProg=/bin/true
MinJobAge=600
KillWait=5
InactiveLimit=0
NodeName=localhost NodeAddr=127.0.0.1 CPUs=$(nproc) RealMemory=1000 State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF=$dir/slurm.conf
# `sacct -c` opens the jobcomp file for appending even to read it.
touch "$dir/log/jobcomp.txt"
chmod 666 "$dir/log/jobcomp.txt"

launch() { # name command...: in the background, its PID recorded
    local name=$1
    shift
    "$@" >>"$dir/log/$name.stderr" 2>&1 &
    echo $! >"$dir/run/$name.launch.pid"
}
alive() {
    local name
    for name in "$@"; do
        if ! kill -0 "$(cat "$dir/run/$name.launch.pid")" 2>/dev/null; then
            echo "slurm-up: $name exited" >&2
            tail -n 20 "$dir/log/$name".* >&2 2>/dev/null || true
            exit 1
        fi
    done
}

launch munged munged -F --socket="$socket" --key-file="$dir/munge/munge.key" \
    --pid-file="$dir/run/munged.pid" --seed-file="$dir/munge/munged.seed"
for _ in $(seq 1 100); do
    [[ -S "$socket" ]] && break
    alive munged
    sleep 0.05
done
munge -S "$socket" -n | unmunge -S "$socket" >/dev/null

# -D: foreground, so the PID is the daemon's; -c: a clean start without saved jobs.
launch slurmctld slurmctld -D -c -f "$SLURM_CONF"
launch slurmd slurmd -D -N localhost -f "$SLURM_CONF"
for _ in $(seq 1 300); do
    if scontrol ping 2>/dev/null | grep -q UP; then
        case "$(sinfo -h -n localhost -o %T 2>/dev/null || true)" in
        idle* | mixed* | alloc*)
            echo "slurm-up: slurmctld $(cat "$dir/run/slurmctld.launch.pid"), slurmd $(cat "$dir/run/slurmd.launch.pid") on ports $ctld_port/$slurmd_port"
            exit 0
            ;;
        esac
    fi
    alive slurmctld slurmd
    sleep 0.1
done
echo "slurm-up: the node is not idle after 30 s: $(sinfo -h -o '%T %E' 2>&1)" >&2
tail -n 20 "$dir/log/slurmctld.log" "$dir/log/slurmd.log" >&2
exit 1
