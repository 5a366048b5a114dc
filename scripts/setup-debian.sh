#!/usr/bin/env bash
# Installs everything Torchlight needs on Debian 12 from Debian's own packages (apt-get only,
# nothing downloaded from elsewhere). Quick when nothing is missing: it asks dpkg first.
# Usage: scripts/setup-debian.sh [--tests]    (--tests adds what the test suite needs)
set -euo pipefail

packages=(
    build-essential cmake ninja-build pkg-config ccache
    qt6-base-dev qt6-svg-dev libqcustomplot-dev libqcustomplot2.1-qt6
    # Debian's libtorch calls whatever libblas.so.3 is selected; OpenBLAS is ~20x faster than
    # the reference BLAS (DESIGN.md, Facts).
    libtorch-dev libopenblas0-pthread
    protobuf-compiler libprotobuf-dev libsqlite3-dev zlib1g-dev libstb-dev
    # ONNX import/export with libonnx's checker and shape inference; graph layout by Graphviz.
    libonnx-dev libgraphviz-dev
    # Remote platforms: libssh (with OpenSSL) for SSH and SFTP.
    libssh-dev
    catch2
    # The bundled sample experiment trains on the real Fashion-MNIST.
    dataset-fashion-mnist
)
if [[ "${1:-}" == "--tests" ]]; then
    # GUI tests run offscreen, screenshots under Xvfb; the suite checks formatting.
    packages+=(xvfb xauth clang-format)
    # The remote test bed (scripts/testbed/): a loopback sshd and a single-node Slurm.
    packages+=(openssh-server openssh-client slurmctld slurmd slurm-client munge)
    # kubectl checks the Kubernetes Job manifests offline; any kubectl already installed will do.
    if ! command -v kubectl >/dev/null; then
        packages+=(kubernetes-client)
    fi
fi

missing=()
for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$p")
    fi
done
if ((${#missing[@]} == 0)); then
    exit 0
fi

sudo=()
if [[ "$(id -u)" != 0 ]]; then
    sudo=(sudo)
fi
echo "setup: installing ${missing[*]}"
"${sudo[@]}" apt-get update -q
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
    "${missing[@]}"
