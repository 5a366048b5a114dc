#!/usr/bin/env bash
# Builds torchlight-worker and tests_runners against the CUDA libtorch of this machine's PyTorch
# (DESIGN.md, CUDA): worker only, no Qt, Ninja on every core.
#
# Usage: bench/gpu/build-worker.sh [BUILD_DIR]      (default: build-cuda/)
#
# Debian packages the machine lacks (Catch2 2 for the tests, protobuf headers, and libonnx1 +
# libonnx-dev + libonnxifi for model/'s ONNX import, whose CMake config names all three) may come as .deb files in
# the folder TL_DEBS: they are unpacked under /opt/tl-deps, never into /, and found from there.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=${1:-$repo/build-cuda}
python=${TL_PYTHON:-python3}
prefix=$("$python" -c 'import torch; print(torch.utils.cmake_prefix_path)')
flags=()
if [ -n "${TL_DEBS:-}" ]; then
    deps=/opt/tl-deps
    mkdir -p "$deps"
    for deb in "$TL_DEBS"/*.deb; do dpkg -x "$deb" "$deps"; done
    lib=$deps/usr/lib/x86_64-linux-gnu
    export LD_LIBRARY_PATH=$lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
    # First, so Catch2 2 is found before a machine's Catch2 3.
    prefix="$deps/usr;$prefix"
    if ! command -v protoc >/dev/null && [ -x "$deps/usr/bin/protoc" ]; then
        flags+=(-DProtobuf_PROTOC_EXECUTABLE="$deps/usr/bin/protoc"
                -DProtobuf_LIBRARY="$lib/libprotobuf.so")
    fi
    # Headers outside /usr/include can be put before the protobuf headers that PyTorch's wheels
    # carry in their include folder (runners/CMakeLists.txt); they must match protoc's version.
    if [ -d "$deps/usr/include/google/protobuf" ]; then
        flags+=(-DProtobuf_INCLUDE_DIR="$deps/usr/include")
    fi
fi
echo "protoc: $(protoc --version 2>/dev/null || /opt/tl-deps/usr/bin/protoc --version)" >&2
generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
cmake -S "$repo" -B "$build" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release -DTL_BUILD_GUI=OFF \
    -DTL_CUDA_TESTS=ON -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_POLICY_VERSION_MINIMUM=3.5 "${flags[@]}"
cmake --build "$build" --parallel "$(nproc)" --target torchlight-worker tests_runners
