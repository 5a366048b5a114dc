#!/usr/bin/env bash
# graphviz::layoutGraph (dot through libgvc) on generated Transformer-like ViewGraphs: ~200 nodes
# (5 layers) and ~2,000 nodes (48 layers), as the graph view first opens them and with one layer
# expanded. Prints a Markdown table: median and fastest wall time of REPEATS runs, and the median
# CPU time of the process (steadier on a shared machine). The issue's budgets (import +
# layout + first paint): 300 ms at 200 nodes, 1.5 s at 2,000 opened collapsed, 200 ms to expand.
# Usage: bench/graph_layout.sh [BUILD_DIR] [REPEATS] [--all-open-2000]
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${1:-$repo/build}
repeats=${2:-5}
bench=$build/bin/bench_graph_layout
[ -x "$bench" ] || { echo "build $bench first (cmake --build $build --target bench_graph_layout)" >&2; exit 1; }
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), load $(cut -d' ' -f1 /proc/loadavg)"
echo "graphviz: $(pkg-config --modversion libgvc 2>/dev/null || echo unknown)"
echo
"$bench" "$repeats" "${@:3}"
