#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (build-fuzz/) and runs each for a while over a copy
# of its corpus. New crashing inputs are written to build-fuzz/crashes/; add them (minimised)
# to tests/data/fuzz/<target>/ so the replay test in every build keeps them fixed.
# Usage: scripts/fuzz.sh [seconds per target, default 60]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="$root/build-fuzz"
seconds="${1:-60}"
command -v clang++ >/dev/null || { echo "fuzz.sh needs clang (apt-get install clang)" >&2; exit 2; }
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ -DTL_FUZZ=ON -DTL_BUILD_GUI=OFF
targets=()
for corpus in "$root"/tests/data/fuzz/*/; do
    targets+=("fuzz_$(basename "$corpus")")
done
cmake --build "$build" --target "${targets[@]}"
mkdir -p "$build/crashes"
for target in "${targets[@]}"; do
    name="${target#fuzz_}"
    work="$build/corpus/$name"
    mkdir -p "$work"
    cp -n "$root/tests/data/fuzz/$name"/* "$work"/ 2>/dev/null || true
    echo "== $target for ${seconds}s"
    "$build/bin/$target" -max_total_time="$seconds" -artifact_prefix="$build/crashes/$name-" "$work"
done
