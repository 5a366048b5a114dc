#!/usr/bin/env bash
# CPU benchmark: torchlight-worker against Debian's PyTorch on the same MLP loop
# (DESIGN.md, Facts: the PyTorch loop is the CPU baseline to beat).
#
# Usage: bench/cpu_mlp.sh [BUILD_DIR]     (default: build/; builds nothing itself)
#
# (a) torchlight-worker trains the MLP template (784-128-10, SGD momentum 0.9, lr 0.01) on the
#     60,000 Fashion-MNIST training images for 2 epochs at batch 64 and 256; the second epoch's
#     samples/s comes from the --progress final line ("last epoch N samples/s"), so the first
#     epoch is the warm-up, as in the baseline.
# (b) OPENBLAS_NUM_THREADS=1 python3 ../shared/bench/pytorch_cpu_baseline.py 64 256, with
#     Debian's /usr/bin/python3 (TL_PYTHON overrides it)
# Both use every core for libtorch's threads and a single-threaded OpenBLAS. Installs
# python3-torch with apt-get when it is missing. Prints a markdown table.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${1:-$repo/build}
worker=$build/bin/torchlight-worker
baseline=${TL_SHARED_DIR:-$repo/../shared}/bench/pytorch_cpu_baseline.py
data=${TL_FASHION_MNIST:-/usr/share/datasets/fashion-mnist}
batches=(64 256)
# Debian's python3-torch lives in the system interpreter, not in a pyenv or venv one.
python=${TL_PYTHON:-/usr/bin/python3}
[ -x "$python" ] || python=python3

die() { echo "cpu_mlp.sh: $*" >&2; exit 1; }

[ -x "$worker" ] || die "$worker not found; build it first: cmake --build $build --target torchlight-worker"
[ -f "$baseline" ] || die "the PyTorch baseline $baseline is missing"
[ -f "$data/train-images-idx3-ubyte.gz" ] || die "Fashion-MNIST not found in $data (apt-get install dataset-fashion-mnist)"

if ! "$python" -c 'import torch' 2>/dev/null; then
    echo "Installing python3-torch for the PyTorch baseline..." >&2
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get install -y python3-torch >&2
fi

export OPENBLAS_NUM_THREADS=1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The MLP template of model/templates.h, written out as protobuf text.
write_spec() { # batch_size file
    cat > "$2" <<EOF
protocol_version: 1
name: "bench cpu mlp"
dataset {
  name: "fashion-mnist"
  format: DATASET_FORMAT_IDX
  train_images: "$data/train-images-idx3-ubyte.gz"
  train_labels: "$data/train-labels-idx1-ubyte.gz"
  test_images: "$data/t10k-images-idx3-ubyte.gz"
  test_labels: "$data/t10k-labels-idx1-ubyte.gz"
  test_limit: 1000
}
model {
  name: "mlp"
  nodes { name: "input" op: "Input" attrs { key: "shape" value { ints { values: [1, 28, 28] } } } }
  nodes { name: "flatten" op: "Flatten" inputs: "input" }
  nodes { name: "fc1" op: "Linear" inputs: "flatten" attrs { key: "out_features" value { i: 128 } } }
  nodes { name: "relu1" op: "ReLU" inputs: "fc1" }
  nodes { name: "fc2" op: "Linear" inputs: "relu1" attrs { key: "out_features" value { i: 10 } } }
  output: "fc2"
}
train {
  optimizer: OPTIMIZER_SGD
  learning_rate: 0.01
  momentum: 0.9
  epochs: 2
  batch_size: $1
  seed: 1
  threads: 0
}
device: "cpu"
EOF
}

# Samples/s of the worker's second epoch at one batch size.
worker_rate() { # batch_size
    local spec=$work/bs$1.pbtxt line
    write_spec "$1" "$spec"
    "$worker" train --spec "$spec" --run-dir "$work/run-bs$1" --progress \
        > /dev/null 2> "$work/stderr-bs$1" \
        || die "the worker failed at batch $1: $(tail -n 1 "$work/stderr-bs$1")"
    line=$(grep -o 'last epoch [0-9,]* samples/s' "$work/stderr-bs$1" | tail -n 1)
    [ -n "$line" ] || die "no 'last epoch' line from the worker at batch $1"
    echo "$line" | tr -dc '0-9'
}

# Other processes on the cores wreck both loops (their threads wait on each other at every
# parallel region), so the load is printed with the results.
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
declare -A ours theirs
for bs in "${batches[@]}"; do
    ours[$bs]=$(worker_rate "$bs")
done
while read -r line; do
    bs=$(sed -n 's/.* bs=\([0-9]*\) .*/\1/p' <<< "$line")
    rate=$(sed -n 's/.*samples_per_s=\([0-9]*\).*/\1/p' <<< "$line")
    [ -n "$bs" ] && [ -n "$rate" ] && theirs[$bs]=$rate
done < <("$python" "$baseline" "${batches[@]}")

torch_version=$("$python" -c 'import torch; print(torch.__version__)')
echo "CPU MLP 784-128-10, SGD momentum 0.9, 60,000 samples per epoch, second epoch timed;"
echo "$(nproc) cores, OPENBLAS_NUM_THREADS=1, PyTorch $torch_version ($(uname -m));"
echo "load average before: $load_before, after: $(cut -d' ' -f1-3 /proc/loadavg)."
echo
echo "| batch | torchlight-worker samples/s | PyTorch samples/s | worker / PyTorch |"
echo "|------:|----------------------------:|------------------:|-----------------:|"
for bs in "${batches[@]}"; do
    [ -n "${theirs[$bs]:-}" ] || die "no baseline result for batch $bs"
    ratio=$(awk -v a="${ours[$bs]}" -v b="${theirs[$bs]}" 'BEGIN { printf "%.2f", a / b }')
    printf '| %5s | %27s | %17s | %16s |\n' "$bs" "${ours[$bs]}" "${theirs[$bs]}" "${ratio}x"
done
