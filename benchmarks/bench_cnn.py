#!/usr/bin/env python
"""Train the same small CNN with nnlib and PyTorch (CPU) and compare epoch times.

The network (notebook 12's MNIST CNN without its hidden dense layer):
  conv 5x5, 8 filters, ReLU -> max pool 2 -> conv 5x5, 16 filters, ReLU -> max pool 2
  -> flatten (16*4*4 = 256) -> dense 10, softmax cross-entropy
on 28x28 one-channel inputs (synthetic: standard normal pixels, labels 0..9 from a random
linear teacher, from np.random.default_rng(0)), mini-batches of 128, plain SGD at 0.01.

Same process protocol as bench_mlp.py: every (framework, dtype) run is a fresh Python
process (`bench_cnn.py --worker NAME ...`, printing one JSON line); each trains one
warm-up epoch (not timed) and then --epochs timed epochs; the frameworks alternate round
after round (the order rotates), and the ratio nnlib/PyTorch is taken within each round.

--gflops measures, for one batch of 128, each convolution layer's forward + backward
(Conv2D.forward and .backward: im2col, the products, col2im, ReLU) against NumPy's rate on
exactly that layer's matrix products (W @ cols, dZ @ cols^T, W^T @ dZ) with the same
shapes, dtype and layouts, timed in alternation (median of the paired ratios).

  python benchmarks/bench_cnn.py --rounds 3 --threads 1 --gflops
  python benchmarks/bench_cnn.py --rounds 1 --epochs 1 --m 2000 --threads 1   # trying it out
"""
import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import protocol
from protocol import (
    describe_pools,
    limit_threads,
    machine_info,
    median_seconds,
    paired_seconds,
    print_machine,
    threadpool_summary,
    nnlib_epoch,
    timed_epochs,
    torch_epoch,
    torch_result,
)

REPO_ROOT = Path(__file__).resolve().parent.parent
FRAMEWORKS = ("nnlib", "torch")
LABELS = {"nnlib": "nnlib", "torch": "PyTorch"}
BATCH_SIZE = 128
LEARNING_RATE = 0.01
M_DEFAULT = 10_000
GOALS = {"nnlib/torch": ("<=", 2.0), "conv share": (">=", 50.0)}


def make_data(m, dtype):
    """X (m, 1, 28, 28) row-major in `dtype` and labels (m,) int64, from default_rng(0)."""
    rng = np.random.default_rng(0)
    teacher = rng.standard_normal((784, 10))
    X = rng.standard_normal((m, 784))
    labels = np.argmax(X @ teacher, axis=1).astype(np.int64)
    return X.reshape(m, 1, 28, 28).astype(dtype), labels


def import_nnlib(root):
    sys.path.insert(0, str(root))
    try:
        from nnlib import batches, optim
        from nnlib.conv import Conv2D
        from nnlib.preprocessing import one_hot
        from nnlib.layers import Dense
        from nnlib.model import Model
        from nnlib.pooling import Flatten, MaxPool2D
        from nnlib.softmax import SoftmaxCrossEntropy
    except ImportError as error:
        raise SystemExit(f"nnlib under {root} is incomplete ({error}); run notebooks 00-12 first")
    import nnlib

    def build(dtype):
        rng = np.random.default_rng(0)
        layers = [Conv2D((1, 28, 28), 8, 5, rng=rng, dtype=dtype)]
        layers.append(MaxPool2D(layers[-1].n_out, 2))
        layers.append(Conv2D(layers[-1].n_out, 16, 5, rng=rng, dtype=dtype))
        layers.append(MaxPool2D(layers[-1].n_out, 2))
        layers.append(Flatten(layers[-1].n_out))
        layers.append(Dense(layers[-1].n_out, 10, "identity", "he", rng, dtype))
        return Model(layers, SoftmaxCrossEntropy())
    return nnlib, build, optim, batches, one_hot


def nnlib_data(args, dtype, one_hot):
    X_rows, labels = make_data(args.m, dtype)
    X = np.ascontiguousarray(X_rows.transpose(1, 2, 3, 0))  # (1, 28, 28, m): the example last
    return X, one_hot(labels, 10).astype(dtype)


def worker_nnlib(args, dtype):
    nnlib, build, optim, batches, one_hot = import_nnlib(args.nnlib_root)
    limit_threads(args.threads)
    X, Y = nnlib_data(args, dtype, one_hot)
    model = build(dtype)
    optimizer = optim.SGD(LEARNING_RATE)
    run_epoch = nnlib_epoch(model, optimizer, X, Y, BATCH_SIZE, np.random.default_rng(1), batches.minibatches)
    timing = timed_epochs(run_epoch, args.epochs)
    return {"version": getattr(nnlib, "__version__", "?"), "dtype_used": str(model.params["W1"].dtype), **timing}


def worker_torch(args, dtype):
    import torch
    from torch import nn

    torch.set_num_threads(args.threads)
    limit_threads(args.threads)
    torch.manual_seed(0)
    torch_dtype = {np.float32: torch.float32, np.float64: torch.float64}[dtype]
    X_rows, labels = make_data(args.m, dtype)
    X, y = torch.from_numpy(X_rows), torch.from_numpy(labels)  # (m, 1, 28, 28): PyTorch's NCHW
    model = nn.Sequential(nn.Conv2d(1, 8, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(8, 16, 5), nn.ReLU(),
                          nn.MaxPool2d(2), nn.Flatten(), nn.Linear(256, 10)).to(torch_dtype)
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=LEARNING_RATE)
    run_epoch = torch_epoch(model, loss_fn, optimizer, X, y, BATCH_SIZE, np.random.default_rng(1))
    return torch_result(model, timed_epochs(run_epoch, args.epochs))


def worker_gflops(args, dtype):
    """Each Conv2D's forward + backward on one batch against NumPy's rate on its three products."""
    _, build, optim, _, one_hot = import_nnlib(args.nnlib_root)
    limit_threads(args.threads)
    X, Y = nnlib_data(args, dtype, one_hot)
    model = build(dtype)
    Xb, Yb = X[..., :BATCH_SIZE], Y[:, :BATCH_SIZE]
    optimizer = optim.SGD(LEARNING_RATE)

    def step():
        _, grads = model.loss_and_grads(Xb, Yb)
        optimizer.step(model.params, grads)
    start = time.perf_counter()
    while time.perf_counter() - start < args.warmup_seconds:
        step()
    t_step = median_seconds(step)

    A_prev, results = Xb, []
    gen = np.random.default_rng(2)
    for l, layer in enumerate(model.layers):
        A, cache = layer.forward(A_prev, training=True)
        if type(layer).__name__ == "Conv2D":
            dA = gen.standard_normal(A.shape).astype(dtype)

            def layer_pass(layer=layer, A_prev=A_prev, dA=dA):
                _, c = layer.forward(A_prev, training=True)
                layer.backward(dA, c)
            W = layer.params["W"]
            cols = cache[0][1]
            dZ = dA.reshape(W.shape[0], -1)
            products = [lambda W=W, cols=cols: W @ cols, lambda dZ=dZ, cols=cols: dZ @ cols.T,
                        lambda W=W, dZ=dZ: W.T @ dZ]

            def reference(products=products):
                for product in products:
                    product()
            flops = 3 * 2 * W.shape[0] * W.shape[1] * cols.shape[1]
            t_layer, t_ref, ratio = paired_seconds(layer_pass, reference)
            results.append({"layer": repr(layer), "flops": flops, "layer_seconds": t_layer,
                            "reference_seconds": t_ref, "nnlib_gflops": flops / t_layer / 1e9,
                            "numpy_gflops": flops / t_ref / 1e9, "percent_of_numpy": 100 * ratio})
        A_prev = A
    return {"batch": BATCH_SIZE, "step_seconds": t_step, "conv_layers": results}


WORKERS = {"nnlib": worker_nnlib, "torch": worker_torch, "gflops": worker_gflops}


def spawn(args, worker, dtype, epochs):
    flags = ["--worker", worker, "--dtype", dtype, "--m", args.m, "--epochs", epochs, "--threads", args.threads,
             "--nnlib-root", args.nnlib_root, "--warmup-seconds", args.warmup_seconds]
    return protocol.spawn(Path(__file__).resolve(), flags, args.threads, f"{worker} {dtype}")


def goal(key, value):
    op, target = GOALS[key]
    ok = value <= target if op == "<=" else value >= target
    return f"goal {op} {target:g}: {'met' if ok else 'MISSED'}"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog=__doc__.split("\n\n", 1)[1])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=2, help="timed epochs per run after the warm-up (default 2)")
    parser.add_argument("--dtype", choices=("float32", "float64"), default="float32")
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--m", type=int, default=M_DEFAULT, help=f"examples per epoch (default {M_DEFAULT:,})")
    parser.add_argument("--gflops", action="store_true", help="also measure each convolution against NumPy's matmuls")
    parser.add_argument("--skip-epochs", action="store_true")
    parser.add_argument("--out", type=Path)
    parser.add_argument("--nnlib-root", type=Path, default=REPO_ROOT)
    parser.add_argument("--warmup-seconds", type=float, default=2.0)
    parser.add_argument("--worker", choices=sorted(WORKERS), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.threads is None:
        env_threads = os.environ.get("OMP_NUM_THREADS", "")
        args.threads = int(env_threads) if env_threads.isdigit() else len(os.sched_getaffinity(0))
    dtype = {"float32": np.float32, "float64": np.float64}[args.dtype]
    if args.worker:
        result = WORKERS[args.worker](args, dtype)
        result.update({"framework": args.worker, "dtype": args.dtype, "m": args.m, "threads": args.threads,
                       "threadpools": threadpool_summary()})
        print(json.dumps(result))
        return

    info = machine_info()
    runs, blas = {fw: [] for fw in FRAMEWORKS}, {}
    started = time.perf_counter()
    if not args.skip_epochs:
        for i in range(args.rounds):
            order = FRAMEWORKS[i % 2:] + FRAMEWORKS[:i % 2]
            for fw in order:
                result = spawn(args, fw, args.dtype, args.epochs)
                runs[fw].append(result)
                blas.setdefault(fw, describe_pools(result))
                print(f"round {i + 1}/{args.rounds}  {LABELS[fw]:<8} median "
                      f"{statistics.median(result['epoch_times']):.3f} s/epoch", file=sys.stderr, flush=True)
    g = spawn(args, "gflops", args.dtype, 1) if args.gflops else None
    info["loadavg_end"] = os.getloadavg()
    info["wall_seconds"] = time.perf_counter() - started

    print(f"# nnlib vs PyTorch (CPU): small CNN, batch {BATCH_SIZE}, SGD lr {LEARNING_RATE}, {args.dtype}, "
          f"m = {args.m:,} 28x28 images per epoch\n")
    print_machine(info, args, blas)
    summary = {}
    if not args.skip_epochs:
        print(f"\n{'framework':<10}{'median s/epoch':>15}{'min':>9}{'max':>9}  {'cost (last epoch)':>18}")
        for fw in FRAMEWORKS:
            times = [t for r in runs[fw] for t in r["epoch_times"]]
            summary[fw] = statistics.median(times)
            print(f"{LABELS[fw]:<10}{summary[fw]:>15.3f}{min(times):>9.3f}{max(times):>9.3f}  "
                  f"{runs[fw][-1]['costs'][-1]:>18.4f}")
        ratios = [statistics.median(a["epoch_times"]) / statistics.median(b["epoch_times"])
                  for a, b in zip(runs["nnlib"], runs["torch"])]
        summary["nnlib/torch"] = statistics.median(ratios)
        print(f"nnlib/PyTorch per round: {'  '.join(f'{r:.2f}' for r in ratios)}   median "
              f"{summary['nnlib/torch']:.2f}   {goal('nnlib/torch', summary['nnlib/torch'])}")
    if g:
        print(f"\nnnlib training step, one batch of {g['batch']}: {g['step_seconds'] * 1e3:.2f} ms")
        for c in g["conv_layers"]:
            print(f"{c['layer']}: forward + backward {c['layer_seconds'] * 1e3:.2f} ms, "
                  f"{c['nnlib_gflops']:.1f} GFLOP/s; NumPy on its 3 products {c['reference_seconds'] * 1e3:.2f} ms, "
                  f"{c['numpy_gflops']:.1f} GFLOP/s; share {c['percent_of_numpy']:.1f} %  "
                  f"{goal('conv share', c['percent_of_numpy'])}")
    print(f"\ntotal wall time {info['wall_seconds']:.0f} s")
    if args.out:
        args.out.write_text(json.dumps({"machine": info, "threads": args.threads, "summary": summary,
                                        "runs": runs, "gflops": g}, indent=1))


if __name__ == "__main__":
    main()
