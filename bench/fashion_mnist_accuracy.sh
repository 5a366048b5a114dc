#!/usr/bin/env bash
# The Fashion-MNIST quality bar of the training engine (docs/benchmarks.md): the MLP and CNN
# templates (resources/samples/fashion-mnist-{mlp,cnn}.pbtxt) trained with the settings the GUI
# offers by default (views/train_panel.cpp: SGD, learning rate 0.01, momentum 0.9, cosine
# schedule, batch 64, 10 epochs), and their test accuracy.
#
# Usage: bench/fashion_mnist_accuracy.sh WORKER [DEVICE] [TEMPLATES]
#        DEVICE: cpu, cuda (default cpu); TEMPLATES: default "mlp cnn" (the CNN takes about
#        7 minutes on 2 CPU cores, seconds on a GPU)
# TL_FASHION_MNIST: the folder of the four idx.gz files (default Debian's package's).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
worker=${1:?usage: bench/fashion_mnist_accuracy.sh WORKER [DEVICE]}
device=${2:-cpu}
templates=${3:-mlp cnn}
data=${TL_FASHION_MNIST:-/usr/share/datasets/fashion-mnist}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "| template | epochs | test accuracy | device |"
echo "|---|---:|---:|---|"
for template in $templates; do
    spec=$work/$template.pbtxt
    # The sample with the GUI's default training settings and the data folder given.
    sed -e "s|/usr/share/datasets/fashion-mnist|$data|" -e '/^train {/,/^}/d' \
        -e '/^device:/d' "$repo/resources/samples/fashion-mnist-$template.pbtxt" > "$spec"
    cat >> "$spec" <<SPEC
train {
  optimizer: OPTIMIZER_SGD
  learning_rate: 0.01
  momentum: 0.9
  epochs: 10
  batch_size: 64
  seed: 1
  log_every_steps: 100
  schedule { kind: LR_SCHEDULE_COSINE }
}
device: "$device"
SPEC
    "$worker" train --spec "$spec" --run-dir "$work/run-$template" > /dev/null 2> "$work/err"
    accuracy=$(grep -o 'test accuracy [0-9.]*%' "$work/run-$template/worker.log" | tail -1)
    echo "| $template | 10 | ${accuracy#test accuracy } | $device |"
done
