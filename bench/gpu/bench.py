#!/usr/bin/env python3
"""GPU training benchmark: torchlight-worker against plain PyTorch loops in the same call.

Usage: bench/gpu/bench.py WORKER [--cases mlp64,mlp256,lenet64,lenet256,cifar256] [--epochs 4]

For each case it trains the same model, batch size, optimizer (SGD, lr 0.01, momentum 0.9) and
data shape (60,000 MNIST-shaped or 50,000 CIFAR-shaped seeded random samples) three ways:
  * torchlight-worker, fast path (CUDA graphs) and plain loop (train.plain_loop: true);
  * PyTorch eager with a DataLoader (pinned memory, shuffle), and with the data already on the GPU.
Each figure is the median samples/s of the epochs after the first (the warm-up). It then profiles
one PyTorch step per case (torch.profiler) for the floor: the sum of its kernel times.
Prints a markdown table and writes it, with the raw figures, to --out (JSON).
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

CASES = {
    # name: (model, batch, samples, shape)
    "mlp64": ("mlp", 64, 60000, (1, 28, 28)),
    "mlp256": ("mlp", 256, 60000, (1, 28, 28)),
    "lenet64": ("lenet", 64, 60000, (1, 28, 28)),
    "lenet256": ("lenet", 256, 60000, (1, 28, 28)),
    "cifar256": ("cifar_cnn", 256, 50000, (3, 32, 32)),
}


def torch_model(name):
    if name == "mlp":
        return nn.Sequential(nn.Flatten(), nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10))
    if name == "lenet":
        return nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.Conv2d(32, 64, 3), nn.ReLU(),
                             nn.MaxPool2d(2), nn.Flatten(), nn.Linear(9216, 128), nn.ReLU(),
                             nn.Linear(128, 10))
    blocks = []
    for cin, cout in ((3, 64), (64, 128), (128, 256)):
        blocks += [nn.Conv2d(cin, cout, 3, padding=1), nn.BatchNorm2d(cout), nn.ReLU()]
        blocks.append(nn.MaxPool2d(2) if cout < 256 else nn.AdaptiveAvgPool2d(1))
    return nn.Sequential(*blocks, nn.Flatten(), nn.Linear(256, 10))


# The same models as Torchlight graphs: (name, op, attrs) chains from the Input node.
def graph_nodes(name, shape):
    if name == "mlp":
        return [("flatten", "Flatten", {}), ("fc1", "Linear", {"out_features": 128}),
                ("relu1", "ReLU", {}), ("fc2", "Linear", {"out_features": 10})]
    if name == "lenet":
        return [("conv1", "Conv2d", {"out_channels": 32, "kernel_size": 3}), ("relu1", "ReLU", {}),
                ("conv2", "Conv2d", {"out_channels": 64, "kernel_size": 3}), ("relu2", "ReLU", {}),
                ("pool", "MaxPool2d", {"kernel_size": 2}), ("flatten", "Flatten", {}),
                ("fc1", "Linear", {"out_features": 128}), ("relu3", "ReLU", {}),
                ("fc2", "Linear", {"out_features": 10})]
    nodes = []
    for i, cout in enumerate((64, 128, 256), 1):
        nodes += [(f"conv{i}", "Conv2d", {"out_channels": cout, "kernel_size": 3, "padding": 1}),
                  (f"bn{i}", "BatchNorm2d", {}), (f"relu{i}", "ReLU", {})]
        nodes.append((f"pool{i}", "MaxPool2d", {"kernel_size": 2}) if cout < 256 else
                     (f"pool{i}", "AdaptiveAvgPool2d", {}))
    return nodes + [("flatten", "Flatten", {}), ("fc", "Linear", {"out_features": 10})]


def spec_text(case, data, epochs, plain):
    model, batch, _, shape = CASES[case]
    dims = " ".join(f"values: {d}" for d in shape)
    lines = ['protocol_version: 1', f'name: "bench {case}"',
             f'dataset {{ name: "synthetic" format: DATASET_FORMAT_NUMPY sources: "{data}" '
             'test_limit: 1000 }',
             f'model {{ name: "{model}"',
             f'  nodes {{ name: "input" op: "Input" attrs {{ key: "shape" value {{ ints {{ {dims} }} }} }} }}']
    previous = "input"
    for name, op, attrs in graph_nodes(model, shape):
        attr_text = " ".join(f'attrs {{ key: "{k}" value {{ i: {v} }} }}' for k, v in attrs.items())
        lines.append(f'  nodes {{ name: "{name}" op: "{op}" inputs: "{previous}" {attr_text} }}')
        previous = name
    lines.append(f'  output: "{previous}" }}')
    lines.append(f'train {{ optimizer: OPTIMIZER_SGD learning_rate: 0.01 momentum: 0.9 '
                 f'epochs: {epochs} batch_size: {batch} seed: 1 log_every_steps: 100000 '
                 f'plain_loop: {"true" if plain else "false"} }}')
    lines.append('device: "cuda"')
    return "\n".join(lines) + "\n"


def write_data(folder):
    rng = np.random.default_rng(0)
    paths = {}
    for key, count, shape in (("mnist", 60000, (1, 28, 28)), ("cifar", 50000, (3, 32, 32))):
        path = os.path.join(folder, f"{key}.npz")
        np.savez(path, x_train=rng.integers(0, 256, (count,) + shape, dtype=np.uint8),
                 y_train=rng.integers(0, 10, count), x_test=rng.integers(0, 256, (1000,) + shape,
                                                                          dtype=np.uint8),
                 y_test=rng.integers(0, 10, 1000))
        paths[key] = path
    return paths


EPOCH_LINE = re.compile(r"Epoch (\d+)/\d+: .*?; ([\d,]+) samples/s")


def run_worker(worker, case, data, epochs, plain, folder):
    suffix = "plain" if plain else "fast"
    spec = os.path.join(folder, f"{case}-{suffix}.pbtxt")
    with open(spec, "w") as out:
        out.write(spec_text(case, data, epochs, plain))
    run_dir = os.path.join(folder, f"run-{case}-{suffix}")
    result = subprocess.run([worker, "train", "--spec", spec, "--run-dir", run_dir],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    with open(os.path.join(run_dir, "worker.log")) as log:
        text = log.read()
    rates = [int(m.group(2).replace(",", "")) for m in EPOCH_LINE.finditer(text)]
    if result.returncode != 0 or len(rates) < 2:
        sys.stderr.write(f"worker failed on {case} ({suffix}): {result.stderr}\n{text[-2000:]}\n")
        return None, text
    return statistics.median(rates[1:]), text


def run_pytorch(case, loader, epochs):
    model_name, batch, count, shape = CASES[case]
    dev = torch.device("cuda")
    torch.manual_seed(0)
    x = torch.randn(count, *shape)
    y = torch.randint(0, 10, (count,))
    model = torch_model(model_name).to(dev)
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    if loader == "dataloader":
        dl = DataLoader(TensorDataset(x, y), batch_size=batch, shuffle=True, pin_memory=True)

        def batches():
            for xb, yb in dl:
                yield xb.to(dev, non_blocking=True), yb.to(dev, non_blocking=True)
    else:
        xg, yg = x.to(dev), y.to(dev)

        def batches():
            perm = torch.randperm(count, device=dev)
            for i in range(0, count, batch):
                idx = perm[i:i + batch]
                yield xg[idx], yg[idx]

    def step(xb, yb):
        opt.zero_grad(set_to_none=True)
        F.cross_entropy(model(xb), yb).backward()
        opt.step()

    rates = []
    for _ in range(epochs):
        start = time.perf_counter()
        for xb, yb in batches():
            step(xb, yb)
        torch.cuda.synchronize()
        rates.append(count / (time.perf_counter() - start))
    floor = None
    if loader == "gpu":
        floor = kernel_floor(step, batches)
    return statistics.median(rates[1:]), floor


def kernel_floor(step, batches):
    """Sum of the CUDA kernel times of one step against that step's wall time (microseconds)."""
    from torch.profiler import ProfilerActivity, profile
    it = batches()
    for _ in range(3):
        step(*next(it))
    torch.cuda.synchronize()
    steps = 20
    with profile(activities=[ProfilerActivity.CUDA]) as prof:
        for _ in range(steps):
            step(*next(it))
        torch.cuda.synchronize()
    total = 0.0
    for event in prof.events():
        if event.device_type == torch.autograd.DeviceType.CUDA:
            total += event.device_time
    return total / steps


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("worker")
    parser.add_argument("--cases", default=",".join(CASES))
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--out", default="")
    args = parser.parse_args()
    torch.backends.cudnn.benchmark = True
    folder = tempfile.mkdtemp(prefix="tl-gpu-bench-")
    data = write_data(folder)
    rows = []
    for case in args.cases.split(","):
        source = data["cifar" if CASES[case][0] == "cifar_cnn" else "mnist"]
        fast, log = run_worker(args.worker, case, source, args.epochs, False, folder)
        plain, _ = run_worker(args.worker, case, source, args.epochs, True, folder)
        loader, _ = run_pytorch(case, "dataloader", args.epochs)
        gpu, floor_us = run_pytorch(case, "gpu", args.epochs)
        batch = CASES[case][1]
        row = {"case": case, "torchlight": fast, "torchlight_plain": plain,
               "pytorch_dataloader": loader, "pytorch_gpu": gpu,
               "pytorch_kernel_us_per_step": floor_us,
               "pytorch_gpu_us_per_step": batch / gpu * 1e6 if gpu else None,
               "torchlight_us_per_step": batch / fast * 1e6 if fast else None}
        rows.append(row)
        print(json.dumps(row), flush=True)
    print()
    print("| case | Torchlight (graphs) | Torchlight plain | PyTorch DataLoader | PyTorch data on GPU "
          "| vs DataLoader | vs GPU data | step: Torchlight / PyTorch / kernel floor (us) |")
    print("|---|---:|---:|---:|---:|---:|---:|---|")
    for r in rows:
        def fmt(v):
            return f"{v:,.0f}" if v else "failed"

        def ratio(a, b):
            return f"{a / b:.1f}x" if a and b else "-"
        steps = "/".join(f"{v:.0f}" if v else "-" for v in (
            r["torchlight_us_per_step"], r["pytorch_gpu_us_per_step"], r["pytorch_kernel_us_per_step"]))
        print(f"| {r['case']} | {fmt(r['torchlight'])} | {fmt(r['torchlight_plain'])} | "
              f"{fmt(r['pytorch_dataloader'])} | {fmt(r['pytorch_gpu'])} | "
              f"{ratio(r['torchlight'], r['pytorch_dataloader'])} | "
              f"{ratio(r['torchlight'], r['pytorch_gpu'])} | {steps} |")
    print(f"\ntorch {torch.__version__}, CUDA {torch.version.cuda}, {torch.cuda.get_device_name(0)}")
    if args.out:
        with open(args.out, "w") as out:
            json.dump({"rows": rows, "torch": torch.__version__,
                       "device": torch.cuda.get_device_name(0)}, out, indent=1)


if __name__ == "__main__":
    main()
