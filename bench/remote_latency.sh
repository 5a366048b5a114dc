#!/usr/bin/env bash
# How fast a remote run shows in the app: bench_remote_latency follows REPEATS Slurm jobs of the
# loopback test bed through RemoteRunsController and reports, against a 20 ms squeue loop and
# the worker's own event times, when each job showed as running and each loss reached the
# chart. Root only (it starts the test bed when it is not running).
# Usage: bench/remote_latency.sh [BUILD_DIR] [REPEATS]
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${1:-$repo/build}
repeats=${2:-5}
bench=$build/bin/bench_remote_latency
[ -x "$bench" ] || { echo "build $bench first (cmake --build $build --target bench_remote_latency)" >&2; exit 1; }
# shellcheck source=testbed_bench.sh
source "$repo/bench/testbed_bench.sh"
# The worker where the test bed's user can run it (the build tree may be private).
mkdir -p "$TB_DIR/bin"
chmod 755 "$TB_DIR/bin"
install -m 755 "$build/bin/torchlight-worker" "$TB_DIR/bin/bench-worker"
ssh_tb 'rm -rf ~/bench-latency'
SLURM_CONF=$TB_SLURM_CONF QT_QPA_PLATFORM=offscreen "$bench" "$TB_DIR/bin/bench-worker" "$work" "$repeats"
ssh_tb 'rm -rf ~/bench-latency'
