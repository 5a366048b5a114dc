#!/usr/bin/env bash
# Staging a 200 MB dataset file through the loopback sshd of scripts/testbed/ (connect, hash,
# SFTP upload to .part, remote sha256sum, rename: FileStager as a remote run uses it) against
# `scp` of the same file over the same sshd, interleaved in one run so machine noise hits both.
# Each repetition uploads to a fresh remote root, so nothing is skipped as already there.
# Root only (it starts the test bed when it is not running). Prints medians and the rate ratio.
# Usage: bench/remote_upload.sh [BUILD_DIR] [REPEATS] [MEGABYTES]
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${1:-$repo/build}
repeats=${2:-5}
megabytes=${3:-200}
bench=$build/bin/bench_upload
[ -x "$bench" ] || { echo "build $bench first (cmake --build $build --target bench_upload)" >&2; exit 1; }
# shellcheck source=testbed_bench.sh
source "$repo/bench/testbed_bench.sh"
head -c "$((megabytes << 20))" /dev/urandom >"$work/dataset.bin"
ours=() theirs=()
for ((i = 0; i < repeats; ++i)); do
    ssh_tb 'rm -rf ~/bench-upload; mkdir -p ~/bench-upload'
    ours+=("$("$bench" "$work/dataset.bin" "~/bench-upload/ours-$i")")
    start=$(date +%s.%N)
    scp -q -F "$TB_SSH_CONFIG" "$work/dataset.bin" "tb:bench-upload/scp-$i.bin"
    theirs+=("$(awk -v a="$(date +%s.%N)" -v b="$start" 'BEGIN {printf "%.4f", a - b}')")
done
ssh_tb 'rm -rf ~/bench-upload'
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
m_ours=$(median "${ours[@]}")
m_scp=$(median "${theirs[@]}")
printf '| %d MB | FileStager (hash, upload, verify) | scp | our rate / scp rate |\n|---|---|---|---|\n' "$megabytes"
printf '| median of %d | %.3f s (%.0f MB/s) | %.3f s (%.0f MB/s) | %.2f |\n' "$repeats" \
    "$m_ours" "$(awk -v s="$m_ours" -v m="$megabytes" 'BEGIN {print m / s}')" \
    "$m_scp" "$(awk -v s="$m_scp" -v m="$megabytes" 'BEGIN {print m / s}')" \
    "$(awk -v a="$m_ours" -v b="$m_scp" 'BEGIN {print b / a}')"
