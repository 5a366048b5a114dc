#!/usr/bin/env bash
# The README's two commands. Both set up a fresh Debian 12 machine, build Release into build/,
# and are quick when nothing changed.
#   scripts/dev.sh run    start the GUI on the bundled sample (headless in the terminal when
#                         there is no display)
#   scripts/dev.sh test   build everything and run the whole suite through ctest
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${TL_BUILD_DIR:-$root/build}"
sample="$root/resources/samples/fashion-mnist-mlp.pbtxt"
jobs="$(nproc)"

configure() {
    local werror=OFF
    # CI treats warnings in our own code as errors.
    if [[ "${CI:-}" == "true" ]]; then werror=ON; fi
    if [[ ! -f "$build/CMakeCache.txt" ]] \
        || ! grep -q "^TL_WERROR:BOOL=$werror$" "$build/CMakeCache.txt"; then
        cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DTL_WERROR="$werror"
    fi
    cmake --build "$build" -j "$jobs"
}

case "${1:-}" in
run)
    "$root/scripts/setup-debian.sh"
    configure
    shift
    if [[ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]]; then
        exec "$build/bin/torchlight" "$@" "$sample"
    fi
    echo "No display: running the sample experiment headless in the terminal."
    exec "$build/bin/torchlight" --headless "$@" "$sample"
    ;;
test)
    "$root/scripts/setup-debian.sh" --tests
    configure
    # The remote tests log in to a real sshd and submit to a real Slurm on loopback.
    # shellcheck source=testbed/testbed.sh
    source "$root/scripts/testbed/testbed.sh"
    trap tb_down EXIT
    tb_up
    cd "$build"
    if ! ctest --output-on-failure -j "$jobs" --timeout 600; then
        if [[ "${TB_AVAILABLE:-0}" == 1 ]]; then tb_logs; fi
        exit 1
    fi
    ;;
*)
    echo "usage: scripts/dev.sh run|test" >&2
    exit 2
    ;;
esac
