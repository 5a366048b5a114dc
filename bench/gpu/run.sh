#!/usr/bin/env bash
# GPU benchmark (docs/benchmarks.md): builds torchlight-worker against this machine's CUDA
# PyTorch, then times it and plain PyTorch loops on the same models in the same call.
#
# Usage: bench/gpu/run.sh [CASES] [OUT.json]     CASES: comma-separated, default all
#        (mlp64,mlp256,lenet64,lenet256,cifar256)
# TL_DEBS: folder of Debian packages the machine lacks (bench/gpu/build-worker.sh).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
build=${TL_CUDA_BUILD:-$here/../../build-cuda}
"$here/build-worker.sh" "$build" >&2
if [ -n "${TL_DEBS:-}" ]; then
    export LD_LIBRARY_PATH=/opt/tl-deps/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
fi
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
args=("$build/bin/torchlight-worker")
[ -n "${1:-}" ] && args+=(--cases "$1")
[ -n "${2:-}" ] && args+=(--out "$2")
PYTHONUNBUFFERED=1 python3 "$here/bench.py" "${args[@]}"
