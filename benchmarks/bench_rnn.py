#!/usr/bin/env python
"""One training epoch of a GRU classifier in nnlib and in PyTorch (nn.GRU) on the CPU.

The problem has MNIST-1D's size: m = 4,000 sequences of T = 40 steps with one value each
(n_x = 1), 10 classes, a GRU of 64 hidden units read at its last state by a linear layer,
softmax + cross-entropy, mini-batches of 128, plain SGD (learning rate 0.5: both costs fall
from ln 10 within a few epochs, so both frameworks visibly learn), a fresh
shuffle per epoch. Synthetic data from np.random.default_rng(0): standard normal
sequences, labels the argmax of a random linear teacher on the whole sequence.

The protocol is bench_mlp.py's: every (framework, dtype) run happens in its own fresh
Python process (`bench_rnn.py --worker NAME ...`, one JSON line on stdout), trains one
warm-up epoch (not reported) and then --epochs timed epochs; the frameworks run in turn,
round after round, the order rotating every round; we report per-epoch medians and the
ratio nnlib/PyTorch of each round with its median over the rounds.

Layouts: nnlib takes (n_x, T, m) = (1, 40, m) (examples last, notebook 13); PyTorch's nn.GRU
takes (T, m, n_x) = (40, m, 1) (its default, batch_first=False). Both GRUs are the same
variant (the reset gate multiplies W_hn h + b_hn; nnlib has no separate b_hn).

  python benchmarks/bench_rnn.py --rounds 5 --threads 1 --out rnn-1thread.json
  python benchmarks/bench_rnn.py --rounds 1 --epochs 1 --m 1000      # trying it out
"""
import argparse
import json
import os
import platform
import statistics
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import protocol
from protocol import limit_threads, nnlib_epoch, threadpool_summary, timed_epochs, torch_epoch, torch_result

REPO_ROOT = Path(__file__).resolve().parent.parent
FRAMEWORKS = ("nnlib", "torch")
LABELS = {"nnlib": "nnlib", "torch": "PyTorch"}
T, N_X, N_H, CLASSES = 40, 1, 64, 10
BATCH_SIZE, LEARNING_RATE = 128, 0.5
GOAL = 2.5  # nnlib / PyTorch per-epoch time, float32, one thread (issue 18)


def make_data(m, dtype):
    """X (m, T) in `dtype` and labels (m,) from default_rng(0) (a smaller m: the first rows)."""
    rng = np.random.default_rng(0)
    teacher = rng.standard_normal((T, CLASSES))
    X = rng.standard_normal((m, T))
    return X.astype(dtype), np.argmax(X @ teacher, axis=1).astype(np.int64)


def worker_nnlib(args, dtype):
    sys.path.insert(0, str(args.nnlib_root))
    try:
        import nnlib
        from nnlib import batches, optim
        from nnlib.layers import Dense
        from nnlib.model import Model
        from nnlib.recurrent import GRU
        from nnlib.softmax import SoftmaxCrossEntropy
    except ImportError as error:
        raise SystemExit(f"nnlib under {args.nnlib_root} is incomplete ({error}); run notebooks 00-13 first")
    limit_threads(args.threads)
    X_rows, labels = make_data(args.m, dtype)
    X = np.ascontiguousarray(X_rows.T)[None]  # (1, T, m): one value per step, examples last
    rng = np.random.default_rng(0)
    model = Model([GRU(N_X, N_H, seq_len=T, rng=rng, dtype=dtype), Dense(N_H, CLASSES, "identity", "xavier", rng, dtype)],
                  SoftmaxCrossEntropy())
    optimizer = optim.SGD(LEARNING_RATE)
    run_epoch = nnlib_epoch(model, optimizer, X, labels, BATCH_SIZE, np.random.default_rng(1), batches.minibatches)

    if args.profile:
        import cProfile
        import io
        import pstats
        run_epoch()
        profiler = cProfile.Profile()
        profiler.enable()
        run_epoch()
        profiler.disable()
        text = io.StringIO()
        pstats.Stats(profiler, stream=text).sort_stats("tottime").print_stats(args.profile)
        print(text.getvalue(), file=sys.stderr)
    timing = timed_epochs(run_epoch, args.epochs)
    return {"version": getattr(nnlib, "__version__", "?"), "dtype_used": str(model.params["Wh1"].dtype), **timing}


def worker_torch(args, dtype):
    import torch
    from torch import nn
    torch.set_num_threads(args.threads)
    limit_threads(args.threads)
    torch.manual_seed(0)
    torch_dtype = {np.float32: torch.float32, np.float64: torch.float64}[dtype]
    X_rows, labels = make_data(args.m, dtype)
    X = torch.from_numpy(np.ascontiguousarray(X_rows.T)).unsqueeze(-1)  # (T, m, 1), PyTorch's default layout
    y = torch.from_numpy(labels)

    class Classifier(nn.Module):
        def __init__(self):
            super().__init__()
            self.gru = nn.GRU(N_X, N_H)
            self.head = nn.Linear(N_H, CLASSES)

        def forward(self, x):
            _, h = self.gru(x)       # h: (1, batch, N_H), the last state
            return self.head(h[0])

    model = Classifier().to(torch_dtype)
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=LEARNING_RATE)
    run_epoch = torch_epoch(model, loss_fn, optimizer, X, y, BATCH_SIZE, np.random.default_rng(1), batch_axis=1)
    return torch_result(model, timed_epochs(run_epoch, args.epochs))


WORKERS = {"nnlib": worker_nnlib, "torch": worker_torch}


def spawn(args, worker):
    flags = ["--worker", worker, "--dtype", args.dtype, "--m", args.m, "--epochs", args.epochs,
             "--threads", args.threads, "--nnlib-root", args.nnlib_root]
    return protocol.spawn(Path(__file__).resolve(), flags, args.threads, worker)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=3, help="timed epochs per run (after one warm-up)")
    parser.add_argument("--m", type=int, default=4000)
    parser.add_argument("--dtype", choices=("float32", "float64"), default="float32")
    parser.add_argument("--threads", type=int, default=int(os.environ.get("OMP_NUM_THREADS", "1")))
    parser.add_argument("--nnlib-root", type=Path, default=REPO_ROOT)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--worker", choices=FRAMEWORKS, help=argparse.SUPPRESS)
    parser.add_argument("--profile", type=int, default=0, help="(with --worker nnlib) print a cProfile")
    args = parser.parse_args(argv)
    if args.worker:
        dtype = {"float32": np.float32, "float64": np.float64}[args.dtype]
        result = WORKERS[args.worker](args, dtype)
        result.update({"framework": args.worker, "dtype": args.dtype, "m": args.m, "threads": args.threads,
                       "threadpools": threadpool_summary()})
        print(json.dumps(result))
        return

    print(f"GRU {N_X}->{N_H}, T = {T}, {CLASSES} classes, m = {args.m}, batch {BATCH_SIZE}, {args.dtype}, "
          f"{args.threads} thread(s); python {platform.python_version()}, numpy {np.__version__}")
    load_start = os.getloadavg()
    results, ratios = [], []
    for r in range(args.rounds):
        order = FRAMEWORKS[r % 2:] + FRAMEWORKS[:r % 2]
        per_round = {name: spawn(args, name) for name in order}
        results.append(per_round)
        medians = {name: statistics.median(res["epoch_times"]) for name, res in per_round.items()}
        ratios.append(medians["nnlib"] / medians["torch"])
        print(f"round {r + 1}: " + ", ".join(f"{LABELS[n]} {medians[n]:.3f} s/epoch" for n in FRAMEWORKS)
              + f", nnlib/PyTorch {ratios[-1]:.2f}  (last cost: " +
              ", ".join(f"{LABELS[n]} {per_round[n]['costs'][-1]:.3f}" for n in FRAMEWORKS) + ")")
    overall = {n: statistics.median(t for res in results for t in res[n]["epoch_times"]) for n in FRAMEWORKS}
    ratio = statistics.median(ratios)
    verdict = "met" if ratio <= GOAL else "NOT met"
    print(f"median per epoch: nnlib {overall['nnlib']:.3f} s, PyTorch {overall['torch']:.3f} s; "
          f"nnlib/PyTorch median over rounds {ratio:.2f} (range {min(ratios):.2f}-{max(ratios):.2f}); "
          f"goal <= {GOAL}: {verdict}")
    print(f"load avg start {load_start[0]:.2f}, end {os.getloadavg()[0]:.2f}")
    if args.out:
        args.out.write_text(json.dumps({"results": results, "ratios": ratios, "median_ratio": ratio}, indent=1))


if __name__ == "__main__":
    main()
