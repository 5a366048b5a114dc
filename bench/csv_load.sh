#!/usr/bin/env bash
# readCsv on a generated 1,000,000 × 20 numeric CSV (+ an integer label; fixed seed, about 200 MB)
# against `wc -l` and `cat > /dev/null` of the same file as read-rate baselines, all in one run
# with the file in the page cache. Prints the best of REPEATS for each, in MB/s, and the ratios.
# Usage: bench/csv_load.sh [BUILD_DIR] [REPEATS]
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${1:-$repo/build}
repeats=${2:-3}
bench=$build/bin/bench_csv_load
[ -x "$bench" ] || { echo "build $bench first (cmake --build $build --target bench_csv_load)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
csv=$tmp/bench.csv
"$bench" generate "$csv" 1000000 20
bytes=$(stat -c %s "$csv")
cat "$csv" >/dev/null # warm the page cache for all three
seconds() { local start; start=$(date +%s.%N); "$@" >/dev/null; awk -v a="$(date +%s.%N)" -v b="$start" 'BEGIN {printf "%.4f", a - b}'; }
best() { printf '%s\n' "$@" | sort -g | head -1; }
ours=() wcs=() cats=()
for ((i = 0; i < repeats; ++i)); do
    ours+=("$("$bench" "$csv" 1)")
    wcs+=("$(seconds wc -l "$csv")")
    cats+=("$(seconds cat "$csv")")
done
b_ours=$(best "${ours[@]}") b_wc=$(best "${wcs[@]}") b_cat=$(best "${cats[@]}")
rate() { awk -v b="$bytes" -v s="$1" 'BEGIN {printf "%.0f", b / s / 1e6}'; }
echo "file: $(awk -v b="$bytes" 'BEGIN {printf "%.1f MB", b / 1e6}'), 1,000,000 rows × 20 features + label; $(nproc) cores; best of $repeats"
printf '| | seconds | MB/s | readCsv time ÷ this |\n|---|---|---|---|\n'
printf '| readCsv | %.3f | %s | 1.00 |\n' "$b_ours" "$(rate "$b_ours")"
printf '| wc -l | %.3f | %s | %.2f |\n' "$b_wc" "$(rate "$b_wc")" "$(awk -v a="$b_ours" -v b="$b_wc" 'BEGIN {print a / b}')"
printf '| cat > /dev/null | %.3f | %s | %.2f |\n' "$b_cat" "$(rate "$b_cat")" "$(awk -v a="$b_ours" -v b="$b_cat" 'BEGIN {print a / b}')"
