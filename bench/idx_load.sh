#!/usr/bin/env bash
# Loading Fashion-MNIST's train split (idx.gz) with tl::datasets against `zcat` of the same
# images file, interleaved in one run so machine noise hits both. Prints the medians and ratio.
# Usage: bench/idx_load.sh [BUILD_DIR] [REPEATS]
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${1:-$repo/build}
repeats=${2:-7}
data=${TL_FASHION_MNIST:-/usr/share/datasets/fashion-mnist}
images=$data/train-images-idx3-ubyte.gz
labels=$data/train-labels-idx1-ubyte.gz
bench=$build/bin/bench_idx_load
[ -x "$bench" ] || { echo "build $bench first (cmake --build $build --target bench_idx_load)" >&2; exit 1; }
ours=() theirs=()
for ((i = 0; i < repeats; ++i)); do
    ours+=("$("$bench" "$images" "$labels" 1)")
    start=$(date +%s.%N)
    zcat "$images" >/dev/null
    theirs+=("$(awk -v a="$(date +%s.%N)" -v b="$start" 'BEGIN {printf "%.4f", a - b}')")
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
m_ours=$(median "${ours[@]}")
m_zcat=$(median "${theirs[@]}")
printf '| loadIdxPair (images + labels, decode) | zcat images > /dev/null | ratio |\n|---|---|---|\n'
printf '| %.3f s | %.3f s | %.2f |\n' "$m_ours" "$m_zcat" "$(awk -v a="$m_ours" -v b="$m_zcat" 'BEGIN {print a / b}')"
