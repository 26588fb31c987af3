#!/usr/bin/env python
"""What does a batch-norm layer add to a dense layer's training step, in nnlib and in PyTorch?

The step: a 784-256 dense layer (ReLU) on a batch of 128 examples, then a 256-10 output layer
with softmax cross-entropy: forward, backward and a plain SGD update of every parameter, float32,
one thread. The same step with batch normalization between the 784-256 layer's product and its
ReLU (nnlib: Dense(784, 256, "identity") + BatchNorm(256, activation="relu"); PyTorch:
nn.Linear(784, 256) + nn.BatchNorm1d(256) + nn.ReLU()), in training mode, so that batch norm
computes the batch statistics, updates its running averages and runs its full backward.

  overhead ratio = (time of the step with batch norm) / (time of the step without)

for each framework; goal (issue 16): nnlib's overhead ratio no worse than PyTorch's by more than
1.5x, i.e. ratio_nnlib / ratio_torch <= 1.5. Reported, not asserted anywhere.

Protocol as in bench_mlp.py: every (framework, variant) runs in its own fresh process
(`--worker nnlib|torch --variant plain|batchnorm`, which prints one JSON line); each worker
warms up for --warmup-seconds, then reports the median over 9 repeats of the mean time of one
step (each repeat >= 0.2 s). The four workers run in turn, round after round, in an order that
rotates every round; we report per-worker medians over the rounds and, per round, the two
overhead ratios and their quotient, with the medians over the rounds.

  python benchmarks/bench_batchnorm.py --rounds 5 --out bench-batchnorm.json
"""
import argparse
import json
import os
import statistics
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import protocol
from protocol import (
    fmt_load,
    limit_threads,
    machine_info,
    median_seconds,
)

REPO_ROOT = Path(__file__).resolve().parent.parent
N_IN, N_HIDDEN, N_OUT, BATCH = 784, 256, 10, 128
LEARNING_RATE = 0.01
GOAL = 1.5
WORKERS = [("nnlib", "plain"), ("nnlib", "batchnorm"), ("torch", "plain"), ("torch", "batchnorm")]


def make_batch():
    """X (128, 784) float32 standard normal rows and labels 0..9, from default_rng(0)."""
    rng = np.random.default_rng(0)
    return rng.standard_normal((BATCH, N_IN)).astype(np.float32), rng.integers(0, N_OUT, BATCH)


def nnlib_step(variant, root):
    sys.path.insert(0, str(root))
    from nnlib.preprocessing import one_hot
    from nnlib.layers import Dense
    from nnlib.model import Model
    from nnlib.normalization import BatchNorm
    from nnlib.optim import SGD
    from nnlib.softmax import SoftmaxCrossEntropy

    rng = np.random.default_rng(0)
    if variant == "plain":
        layers = [Dense(N_IN, N_HIDDEN, "relu", "he", rng, np.float32)]
    else:
        layers = [Dense(N_IN, N_HIDDEN, "identity", "he", rng, np.float32),
                  BatchNorm(N_HIDDEN, activation="relu", dtype=np.float32)]
    model = Model(layers + [Dense(N_HIDDEN, N_OUT, "identity", "he", rng, np.float32)], SoftmaxCrossEntropy())
    X_rows, labels = make_batch()
    X, Y = np.ascontiguousarray(X_rows.T), one_hot(labels, N_OUT).astype(np.float32)  # (n, m): examples last
    optimizer, params = SGD(LEARNING_RATE), model.params

    def step():
        _, grads = model.loss_and_grads(X, Y)
        optimizer.step(params, grads)

    step()
    dtypes = sorted({str(g.dtype) for g in model.loss_and_grads(X, Y)[1].values()})
    return step, {"grad_dtypes": dtypes}


def torch_step(variant, threads):
    import torch
    from torch import nn

    torch.set_num_threads(threads)
    torch.manual_seed(0)
    hidden = [nn.Linear(N_IN, N_HIDDEN)] + ([nn.BatchNorm1d(N_HIDDEN)] if variant == "batchnorm" else [])
    model = nn.Sequential(*hidden, nn.ReLU(), nn.Linear(N_HIDDEN, N_OUT)).to(torch.float32)
    model.train()
    X_rows, labels = make_batch()
    X, y = torch.from_numpy(X_rows), torch.from_numpy(labels)
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=LEARNING_RATE)

    def step():
        optimizer.zero_grad(set_to_none=True)
        loss_fn(model(X), y).backward()
        optimizer.step()

    step()
    return step, {"version": torch.__version__, "num_threads": torch.get_num_threads()}


def run_worker(args):
    limit_threads(args.threads)
    if args.worker == "nnlib":
        step, info = nnlib_step(args.variant, args.nnlib_root)
    else:
        step, info = torch_step(args.variant, args.threads)
    median_seconds(step, min_time=args.warmup_seconds, repeats=1)  # warm-up: BLAS buffers, CPU clock
    seconds = median_seconds(step, min_time=0.2, repeats=9)
    print(json.dumps(dict(info, framework=args.worker, variant=args.variant, step_seconds=seconds)))


def spawn(args, worker, variant):
    flags = ["--worker", worker, "--variant", variant, "--threads", args.threads, "--nnlib-root", args.nnlib_root,
             "--warmup-seconds", args.warmup_seconds]
    return protocol.spawn(Path(__file__).resolve(), flags, args.threads, f"{worker} {variant}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--threads", type=int, default=int(os.environ.get("OMP_NUM_THREADS", "1")))
    parser.add_argument("--warmup-seconds", type=float, default=1.0)
    parser.add_argument("--nnlib-root", type=Path, default=REPO_ROOT)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--worker", choices=["nnlib", "torch"], help=argparse.SUPPRESS)
    parser.add_argument("--variant", choices=["plain", "batchnorm"], help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        return run_worker(args)

    info = machine_info()
    print(f"date      {info['date']}\nmachine   {info['cpu']}; {info['usable_cpus']} usable CPUs; "
          f"{info['platform']}\nsoftware  Python {info['python']}, NumPy {info['versions']['numpy']}, "
          f"PyTorch {info['versions']['torch']}\nthreads   {args.threads}\n"
          f"step      {N_IN}-{N_HIDDEN} dense (+ batch norm) + {N_HIDDEN}-{N_OUT} softmax, batch {BATCH}, "
          f"float32, forward + backward + SGD update")
    times = {key: [] for key in WORKERS}
    for r in range(args.rounds):
        order = WORKERS[r % len(WORKERS):] + WORKERS[:r % len(WORKERS)]
        for worker, variant in order:
            result = spawn(args, worker, variant)
            times[worker, variant].append(result["step_seconds"])
        print(f"round {r + 1}: " + ", ".join(f"{w} {v} {times[w, v][-1] * 1e6:.0f} us" for w, v in WORKERS))
    ratios = {fw: [b / p for b, p in zip(times[fw, "batchnorm"], times[fw, "plain"])] for fw in ("nnlib", "torch")}
    quotient = [a / b for a, b in zip(ratios["nnlib"], ratios["torch"])]
    info["loadavg_end"] = os.getloadavg() if hasattr(os, "getloadavg") else None
    print(f"\nmedians over {args.rounds} rounds (microseconds per training step)")
    print(f"{'':8s} {'without BN':>11s} {'with BN':>9s} {'added':>7s} {'overhead ratio':>15s}")
    for fw in ("nnlib", "torch"):
        plain, bn = statistics.median(times[fw, "plain"]), statistics.median(times[fw, "batchnorm"])
        print(f"{fw:8s} {plain * 1e6:11.0f} {bn * 1e6:9.0f} {(bn - plain) * 1e6:7.0f} "
              f"{statistics.median(ratios[fw]):15.2f}")
    verdict = "met" if statistics.median(quotient) <= GOAL else "NOT met"
    print(f"ratio nnlib / ratio PyTorch: median {statistics.median(quotient):.2f} "
          f"(rounds: {', '.join(f'{q:.2f}' for q in quotient)}); goal <= {GOAL}: {verdict}")
    print(f"load avg  start {fmt_load(info['loadavg_start'])}, end {fmt_load(info['loadavg_end'])}")
    if args.out:
        args.out.write_text(json.dumps({"machine": info, "times": {f"{w} {v}": t for (w, v), t in times.items()},
                                        "ratios": ratios, "quotient": quotient}, indent=1))


if __name__ == "__main__":
    main()
