#!/usr/bin/env bash
# Opening a model as the GUI does (bench/bench_model_open.cpp): import + layout + first paint of
# generated Transformer encoders of ~190 and ~2,200 ONNX nodes, and expanding one layer group.
# The issue's budgets: 300 ms at 200 nodes, 1.5 s at 2,000 opened collapsed, 200 ms to expand.
# Usage: bench/model_open.sh [BUILD_DIR] [REPEATS]     (runs offscreen; no display needed)
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${1:-$repo/build}
repeats=${2:-5}
bench=$build/bin/bench_model_open
[ -x "$bench" ] || { echo "build $bench first (cmake --build $build --target bench_model_open)" >&2; exit 1; }
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), load $(cut -d' ' -f1 /proc/loadavg)"
echo "libonnx $(dpkg-query -W -f='${Version}' libonnx1 2>/dev/null), graphviz $(pkg-config --modversion libgvc 2>/dev/null), Qt $(pkg-config --modversion Qt6Core 2>/dev/null)"
echo
QT_QPA_PLATFORM=${QT_QPA_PLATFORM:-offscreen} "$bench" "$repeats"
