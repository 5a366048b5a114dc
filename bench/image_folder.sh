#!/usr/bin/env bash
# Decoding an image folder (10,000 generated 32x32 RGB PNGs in 10 class folders, fixed seed) with
# tl::datasets::readImageFolder on 1 thread and on all cores; prints images/s for both and the
# parallel efficiency rate_all / (rate_1 x cores) (target: at least 80%).
# Usage: bench/image_folder.sh [BUILD_DIR] [IMAGES] [REPEATS]
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${1:-$repo/build}
images=${2:-10000}
repeats=${3:-5}
bench=$build/bin/bench_image_folder
[ -x "$bench" ] || {
    echo "build $bench first (cmake --build $build --target bench_image_folder; needs libstb-dev)" >&2
    exit 1
}
"$bench" "$images" "$repeats" 32
