#!/usr/bin/env python
"""Train the same MLP with nnlib, PyTorch (CPU) and scikit-learn and compare epoch times.

Problems (synthetic data from np.random.default_rng(0), labels 0..9 from a random
linear teacher so that the cost goes down and every framework visibly learns):
  mnist   784-256-256-10, m = 60,000 (MNIST's training-set size)
  digits   64-128-64-10,  m = 1,797  (scikit-learn digits' size)
All three use ReLU hidden layers, softmax + cross-entropy, mini-batches of 128,
plain SGD (no momentum, no weight decay), learning rate 0.01, a fresh shuffle per epoch.

Every (framework, problem, dtype) run happens in its own fresh Python process
(`bench_mlp.py --worker NAME ...`, which prints one JSON line) so that imports,
thread pools and allocator state cannot leak from one framework into another.
Each worker trains one warm-up epoch (not timed in the results), then --epochs
timed epochs. The three frameworks run in turn, round after round (the order
rotates every round), and we report per-epoch medians and, per round, the ratios
nnlib/PyTorch and scikit-learn/nnlib with their medians over the rounds.

--gflops adds nnlib's training-step throughput (matmul FLOPs only) against
NumPy's own matmul rate on exactly the matmuls of that step.

Examples (see benchmarks/README.md):
  python benchmarks/bench_mlp.py --rounds 5 --threads 1 --out results.json
  python benchmarks/bench_mlp.py --rounds 1 --epochs 1 --m 6000 --threads 1 --gflops
"""
import argparse
import inspect
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
    nnlib_epoch,
    paired_seconds,
    print_machine,
    threadpool_summary,
    timed_epochs,
    torch_epoch,
)

REPO_ROOT = Path(__file__).resolve().parent.parent
FRAMEWORKS = ("nnlib", "torch", "sklearn")
LABELS = {"nnlib": "nnlib", "torch": "PyTorch", "sklearn": "scikit-learn"}
PROBLEMS = {
    "mnist": {"sizes": [784, 256, 256, 10], "m": 60_000, "epochs": 3},
    "digits": {"sizes": [64, 128, 64, 10], "m": 1_797, "epochs": 30},
}
BATCH_SIZE = 128
LEARNING_RATE = 0.01
GOALS = {  # from the benchmark issue
    ("nnlib/torch", "float32"): ("<=", 1.0),
    ("nnlib/torch", "float64"): ("<=", 1.1),
    ("sklearn/nnlib", "float32"): (">=", 1.7),
    ("sklearn/nnlib", "float64"): (">=", 1.7),
    ("gflops", "float32"): (">=", 60.0),
}


# ----------------------------------------------------------------------------- data

def make_data(problem, m, dtype):
    """X (m, n_x) row-major in `dtype` and labels (m,) int64, from default_rng(0).

    The inputs are standard normal (like standardized pixels); the labels are the
    argmax of a random linear teacher, so the task is learnable. The teacher is
    drawn first, so a smaller --m gives the first rows of the full data set.
    """
    sizes = PROBLEMS[problem]["sizes"]
    rng = np.random.default_rng(0)
    teacher = rng.standard_normal((sizes[0], sizes[-1]))
    X = rng.standard_normal((m, sizes[0]))
    labels = np.argmax(X @ teacher, axis=1).astype(np.int64)
    return X.astype(dtype), labels


# ----------------------------------------------------------------------------- workers

def import_nnlib(root):
    sys.path.insert(0, str(root))
    try:
        from nnlib import batches, optim
        from nnlib.preprocessing import one_hot
        from nnlib.model import mlp
        from nnlib.softmax import SoftmaxCrossEntropy
    except ImportError as error:
        raise SystemExit(f"nnlib under {root} is incomplete ({error}); run notebooks 00-07 first "
                         f"(softmax.py, batches.py, optim.py and training.py are written by notebooks 06 and 07)")
    import nnlib
    return nnlib, mlp, SoftmaxCrossEntropy, optim, batches, one_hot


def worker_nnlib(args, dtype):
    nnlib, mlp, SoftmaxCrossEntropy, optim, batches, one_hot = import_nnlib(args.nnlib_root)
    limit_threads(args.threads)
    sizes = PROBLEMS[args.problem]["sizes"]
    X_rows, labels = make_data(args.problem, args.m, dtype)
    X = np.ascontiguousarray(X_rows.T)  # (n_x, m): one example per column, C-contiguous
    del X_rows
    Y = one_hot(labels, sizes[-1]).astype(dtype)  # a learner casts Y too (see dtype_probe)
    model = mlp(sizes, "relu", output=SoftmaxCrossEntropy(), rng=np.random.default_rng(0), dtype=dtype)
    optimizer = optim.SGD(LEARNING_RATE)
    rng = np.random.default_rng(1)

    manual_epoch = nnlib_epoch(model, optimizer, X, Y, BATCH_SIZE, rng, batches.minibatches)

    def fit_epoch():
        history = nnlib.training.fit(model, X, Y, optimizer, epochs=1, batch_size=BATCH_SIZE, rng=rng)
        return history["cost"][-1]

    run_epoch = fit_epoch if args.nnlib_loop == "fit" else manual_epoch
    if args.profile:
        import cProfile
        import io
        import pstats
        run_epoch()  # warm-up
        profiler = cProfile.Profile()
        profiler.enable()
        run_epoch()
        profiler.disable()
        text = io.StringIO()
        pstats.Stats(profiler, stream=text).sort_stats("tottime").print_stats(args.profile)
        print(text.getvalue(), file=sys.stderr)
    timing = timed_epochs(run_epoch, args.epochs)
    return {
        "version": getattr(nnlib, "__version__", "?"),
        "loop": args.nnlib_loop,
        "dtype_used": str(model.params["W1"].dtype),
        "dtype_probe": dtype_probe(model, X, Y, labels, one_hot),
        **timing,
    }


def dtype_probe(model, X, Y, labels, one_hot):
    """dtypes that one training step really computes in (an upcast to float64 costs 2x).

    Also tries one-hot targets straight from one_hot() (float64), as a learner who
    forgets to cast them would pass: if that upcasts a float32 step, say so.
    """
    Xb, Yb = X[:, :BATCH_SIZE], Y[:, :BATCH_SIZE]
    Z, _ = model.forward(Xb, training=True)
    _, grads = model.loss_and_grads(Xb, Yb)
    Y64 = one_hot(labels[:BATCH_SIZE], Y.shape[0])
    _, grads64 = model.loss_and_grads(Xb, Y64)
    return {
        "Z": str(Z.dtype),
        "grads": sorted({str(g.dtype) for g in grads.values()}),
        "grads_with_float64_Y": sorted({str(g.dtype) for g in grads64.values()}),
    }


def worker_torch(args, dtype):
    import torch
    from torch import nn

    torch.set_num_threads(args.threads)
    limit_threads(args.threads)
    torch.manual_seed(0)
    torch_dtype = {np.float32: torch.float32, np.float64: torch.float64}[dtype]
    sizes = PROBLEMS[args.problem]["sizes"]
    X_rows, labels = make_data(args.problem, args.m, dtype)
    X = torch.from_numpy(X_rows)  # (m, n_x): PyTorch's own row-major layout
    y = torch.from_numpy(labels)
    layers = []
    for n_in, n_out in zip(sizes[:-2], sizes[1:-1]):
        layers += [nn.Linear(n_in, n_out), nn.ReLU()]
    layers.append(nn.Linear(sizes[-2], sizes[-1]))
    model = nn.Sequential(*layers).to(torch_dtype)
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=LEARNING_RATE)
    run_epoch = torch_epoch(model, loss_fn, optimizer, X, y, BATCH_SIZE, np.random.default_rng(1))
    timing = timed_epochs(run_epoch, args.epochs)
    config = torch.__config__.show()
    blas = next((part.split("=", 1)[1] for part in config.replace(",", " ").split()
                 if part.startswith("BLAS_INFO=")), "?")
    capability = next((line.split(":", 1)[1].strip() for line in config.splitlines()
                       if "CPU capability" in line), "?")
    return {
        "version": torch.__version__,
        "num_threads": torch.get_num_threads(),
        "blas": f"{blas} (linked into torch; threadpoolctl cannot see it)",
        "cpu_capability": capability,
        "dtype_used": str(next(model.parameters()).dtype).replace("torch.", ""),
        **timing,
    }


def worker_sklearn(args, dtype):
    import warnings

    import sklearn
    from sklearn.neural_network import MLPClassifier

    limit_threads(args.threads)
    sizes = PROBLEMS[args.problem]["sizes"]
    X, labels = make_data(args.problem, args.m, dtype)  # (m, n_x), scikit-learn's layout
    classes = np.arange(sizes[-1])
    model = MLPClassifier(hidden_layer_sizes=tuple(sizes[1:-1]), activation="relu", solver="sgd",
                          batch_size=BATCH_SIZE, learning_rate="constant",
                          learning_rate_init=LEARNING_RATE, momentum=0.0, nesterovs_momentum=False,
                          alpha=0.0, shuffle=True, random_state=0)

    def run_epoch():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model.partial_fit(X, labels, classes=classes)  # one pass over the data
        return model.loss_

    timing = timed_epochs(run_epoch, args.epochs)
    return {
        "version": sklearn.__version__,
        "dtype_used": str(model.coefs_[0].dtype),
        **timing,
    }


# ----------------------------------------------------------------------------- GFLOP/s

def worker_gflops(args, dtype):
    """nnlib's training step vs NumPy's matmul rate on exactly that step's matmuls.

    FLOPs count the matrix products only (2 m n_in n_out each): the forward W A_prev
    and the backward dZ A_prev^T and W^T dZ of every layer, except the first layer's
    dA[0] = W1^T dZ1 when layers.py skips it (need_dA_prev). The reference runs the
    same products with the same shapes, dtype and layouts (C-contiguous W, A, dZ; the
    transposes as views, as layers.py writes them).
    """
    nnlib, mlp, SoftmaxCrossEntropy, optim, batches, one_hot = import_nnlib(args.nnlib_root)
    limit_threads(args.threads)
    sizes = PROBLEMS[args.problem]["sizes"]
    X_rows, labels = make_data(args.problem, args.m, dtype)
    X = np.ascontiguousarray(X_rows.T)
    del X_rows
    Y = one_hot(labels, sizes[-1]).astype(dtype)
    model = mlp(sizes, "relu", output=SoftmaxCrossEntropy(), rng=np.random.default_rng(0), dtype=dtype)
    optimizer = optim.SGD(LEARNING_RATE)
    rng = np.random.default_rng(1)
    Xb, Yb = next(iter(batches.minibatches(X, Y, BATCH_SIZE, rng)))
    b = Xb.shape[1]

    def step():
        cost, grads = model.loss_and_grads(Xb, Yb)
        optimizer.step(model.params, grads)

    # warm up (BLAS buffers, CPU clock): the first few hundred products of a process run slow
    start = time.perf_counter()
    while time.perf_counter() - start < args.warmup_seconds:
        step()

    # the parts of the step, each timed on its own
    Z, caches = model.forward(Xb, training=True)
    cost, dZ = model.output.loss(Z, Yb)
    grads = model.backward(dZ, caches)
    params = model.params
    parts = {
        "forward": median_seconds(lambda: model.forward(Xb, training=True)),
        "output loss": median_seconds(lambda: model.output.loss(Z, Yb)),
        "backward": median_seconds(lambda: model.backward(dZ, caches)),
        "optimizer step": median_seconds(lambda: optimizer.step(params, grads)),
    }

    def gather_epoch():
        for _ in batches.minibatches(X, Y, BATCH_SIZE, rng):
            pass
    n_batches = -(-X.shape[1] // BATCH_SIZE)
    t_gather = median_seconds(gather_epoch, min_time=0.1, repeats=3) / n_batches

    # the reference: the same products on arrays of the same shapes and layouts. A layers.py
    # whose linear_backward takes need_dA_prev skips the first layer's W1.T @ dZ1 (the gradient
    # with respect to X), so the reference and the FLOP count leave it out too.
    skips_dX = "need_dA_prev" in inspect.signature(nnlib.layers.linear_backward).parameters  # loaded by mlp
    gen = np.random.default_rng(2)
    A_prev, matmuls = Xb, []
    for l, layer in enumerate(model.layers, 1):
        W = layer.params["W"]
        A = np.maximum(W @ A_prev, 0)
        dZl = gen.standard_normal(A.shape).astype(dtype)
        flops = 2 * b * W.shape[0] * W.shape[1]
        matmuls += [(f"L{l} W@A", lambda W=W, A_prev=A_prev: W @ A_prev, flops),
                    (f"L{l} dZ@A.T", lambda dZl=dZl, A_prev=A_prev: dZl @ A_prev.T, flops)]
        if not (l == 1 and skips_dX):
            matmuls.append((f"L{l} W.T@dZ", lambda W=W, dZl=dZl: W.T @ dZl, flops))
        A_prev = A

    def reference():
        for _, product, _ in matmuls:
            product()
    t_step, t_ref, ratio = paired_seconds(step, reference)
    flops = sum(f for _, _, f in matmuls)
    each = [{"matmul": name, "seconds": median_seconds(product, min_time=0.05), "flops": f}
            for name, product, f in matmuls]
    n = 1024
    square = gen.standard_normal((n, n)).astype(dtype)
    t_square = median_seconds(lambda: square @ square, min_time=0.3, repeats=3)
    return {
        "batch": b, "step_flops": flops,
        "step_seconds": t_step, "parts_seconds": parts, "gather_seconds_per_batch": t_gather,
        "reference_seconds": t_ref, "reference_each": each,
        "nnlib_gflops": flops / t_step / 1e9, "numpy_gflops": flops / t_ref / 1e9,
        "percent_of_numpy": 100 * ratio,
        "square_gflops": 2 * n ** 3 / t_square / 1e9, "square_n": n,
        "dtype_used": str(model.params["W1"].dtype),
    }


WORKERS = {"nnlib": worker_nnlib, "torch": worker_torch, "sklearn": worker_sklearn,
           "gflops": worker_gflops}


def run_worker(args):
    dtype = {"float32": np.float32, "float64": np.float64}[args.dtype]
    result = WORKERS[args.worker](args, dtype)
    result.update({"framework": args.worker, "problem": args.problem, "dtype": args.dtype,
                   "m": args.m, "threads": args.threads, "threadpools": threadpool_summary()})
    print(json.dumps(result))


# ----------------------------------------------------------------------------- driver

def spawn(args, worker, problem, dtype, m, epochs):
    flags = ["--worker", worker, "--problem", problem, "--dtype", dtype, "--m", m, "--epochs", epochs,
             "--threads", args.threads, "--nnlib-root", args.nnlib_root, "--nnlib-loop", args.nnlib_loop,
             "--warmup-seconds", args.warmup_seconds]
    return protocol.spawn(Path(__file__).resolve(), flags, args.threads, f"{worker} {problem} {dtype}")


def check_goal(key, dtype, value):
    goal = GOALS.get((key, dtype))
    if goal is None:
        return ""
    op, target = goal
    ok = value <= target if op == "<=" else value >= target
    return f"goal {op} {target:g}: {'met' if ok else 'MISSED'}"


def summarize(results, problem, dtype, rounds, epochs, m):
    """Print one problem x dtype block; return its summary dict."""
    sizes = "-".join(map(str, PROBLEMS[problem]["sizes"]))
    print(f"\n## {problem} {sizes}, m = {m:,}, batch {BATCH_SIZE}, {dtype}: "
          f"{rounds} round(s) x {epochs} timed epoch(s) after 1 warm-up epoch, one process each")
    runs = {fw: [r for r in results if r["framework"] == fw and r["problem"] == problem
                 and r["dtype"] == dtype] for fw in FRAMEWORKS}
    print(f"{'framework':<14}{'median s/epoch':>15}{'min':>9}{'max':>9}  {'dtype used':<11}"
          f"{'cost (last epoch)':>18}{'page faults/epoch':>19}")
    medians = {}
    for fw in FRAMEWORKS:
        times = [t for r in runs[fw] for t in r["epoch_times"]]
        if not times:
            continue
        medians[fw] = statistics.median(times)
        dtypes = sorted({r["dtype_used"] for r in runs[fw]})
        last_cost = runs[fw][-1]["costs"][-1]
        faults = statistics.median(r["minor_faults"] for r in runs[fw])
        print(f"{LABELS[fw]:<14}{medians[fw]:>15.4f}{min(times):>9.4f}{max(times):>9.4f}  "
              f"{','.join(dtypes):<11}{last_cost:>18.4f}{faults:>19,.0f}")
    per_round = []
    for i in range(rounds):
        row = {fw: statistics.median(runs[fw][i]["epoch_times"]) for fw in FRAMEWORKS if len(runs[fw]) > i}
        ratios = {"round": i + 1}
        if "nnlib" in row and "torch" in row:
            ratios["nnlib/torch"] = row["nnlib"] / row["torch"]
        if "nnlib" in row and "sklearn" in row:
            ratios["sklearn/nnlib"] = row["sklearn"] / row["nnlib"]
        per_round.append(ratios)
    summary = {"problem": problem, "dtype": dtype, "m": m, "median_epoch_seconds": medians,
               "per_round": per_round}
    for key in ("nnlib/torch", "sklearn/nnlib"):
        values = [r[key] for r in per_round if key in r]
        if not values:
            continue
        summary[key] = statistics.median(values)
        listed = "  ".join(f"{v:.3f}" for v in values)
        goal = check_goal(key, dtype, summary[key]) if problem == "mnist" else ""
        print(f"{key.replace('torch', 'PyTorch').replace('sklearn', 'scikit-learn'):<22}"
              f"per round: {listed}   median {summary[key]:.3f}   {goal}")
    for r in runs.get("nnlib", [])[:1]:
        probe = r.get("dtype_probe", {})
        print(f"nnlib computes in: logits {probe.get('Z')}, gradients {', '.join(probe.get('grads', []))}"
              f" (with float64 one-hot Y: {', '.join(probe.get('grads_with_float64_Y', []))})")
        if probe.get("grads", [dtype]) != [dtype]:
            print(f"WARNING: nnlib's {dtype} step computes gradients in {probe['grads']}")
        elif dtype == "float32" and "float64" in probe.get("grads_with_float64_Y", []):
            print("note: with one-hot targets left in float64 (one_hot's dtype), nnlib's float32 step "
                  "computes in float64; the benchmark casts Y to float32")
    return summary


def print_gflops(g):
    dtype, sizes = g["dtype"], "-".join(map(str, PROBLEMS[g["problem"]]["sizes"]))
    print(f"\n## nnlib training step, {g['problem']} {sizes}, batch {g['batch']}, {dtype}")
    names = [m["matmul"] for m in g["reference_each"]]
    skipped = "" if "L1 W.T@dZ" in names else ", except the first layer's W1^T dZ1 (dA[0], which nnlib skips)"
    print(f"FLOPs per step (matmuls only: forward W A, backward dZ A^T and W^T dZ per layer{skipped}) "
          f"= {g['step_flops'] / 1e6:.1f} MFLOP")
    print(f"nnlib step          {g['step_seconds'] * 1e3:8.3f} ms  {g['nnlib_gflops']:7.2f} GFLOP/s")
    print(f"NumPy same matmuls  {g['reference_seconds'] * 1e3:8.3f} ms  {g['numpy_gflops']:7.2f} GFLOP/s")
    print(f"nnlib / NumPy rate  {g['percent_of_numpy']:6.1f} %  (median of paired repeats)  "
          f"{check_goal('gflops', dtype, g['percent_of_numpy']) if g['problem'] == 'mnist' else ''}")
    print(f"NumPy {g['square_n']}x{g['square_n']} square matmul (context): {g['square_gflops']:.2f} GFLOP/s")
    parts = "  ".join(f"{k} {v * 1e3:.3f}" for k, v in g["parts_seconds"].items())
    print(f"step parts (ms, each timed alone): {parts}; "
          f"minibatch gather {g['gather_seconds_per_batch'] * 1e3:.3f} ms/batch (outside the step)")
    print("reference matmuls, each timed alone (ms, GFLOP/s): " + "  ".join(
        f"{e['matmul']} {e['seconds'] * 1e3:.3f} ({e['flops'] / e['seconds'] / 1e9:.1f})"
        for e in g["reference_each"]))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog=__doc__.split("\n\n", 1)[1])
    parser.add_argument("--rounds", type=int, default=5, help="rounds of the three frameworks (default 5)")
    parser.add_argument("--epochs", type=int, default=None,
                        help="timed epochs per run after the warm-up epoch "
                             "(default: mnist 3, digits 30)")
    parser.add_argument("--dtype", choices=("float32", "float64", "both"), default="both")
    parser.add_argument("--problem", choices=("mnist", "digits", "both"), default="both")
    parser.add_argument("--threads", type=int, default=None,
                        help="threads for every BLAS/OpenMP pool and torch (default: OMP_NUM_THREADS "
                             "if set, else the usable CPUs)")
    parser.add_argument("--m", type=int, default=None,
                        help="examples per problem (default: mnist 60000, digits 1797); "
                             "small values are for trying the script out")
    parser.add_argument("--frameworks", default=",".join(FRAMEWORKS),
                        help="comma-separated subset of nnlib,torch,sklearn")
    parser.add_argument("--gflops", action="store_true", help="also measure nnlib's step GFLOP/s")
    parser.add_argument("--skip-epochs", action="store_true",
                        help="with --gflops: only the GFLOP/s measurement")
    parser.add_argument("--out", type=Path, help="write every number to this JSON file")
    parser.add_argument("--nnlib-root", type=Path, default=REPO_ROOT,
                        help="directory holding the nnlib package to benchmark (default: this repo)")
    parser.add_argument("--nnlib-loop", choices=("manual", "fit"), default="manual",
                        help="nnlib epoch: a loop over batches.minibatches (default) or training.fit")
    parser.add_argument("--warmup-seconds", type=float, default=2.0,
                        help="with --gflops: seconds of training steps before timing (default 2)")
    parser.add_argument("--worker", choices=sorted(WORKERS), help=argparse.SUPPRESS)
    parser.add_argument("--profile", type=int, default=0,
                        help="with --worker nnlib: print the top N functions of one epoch "
                             "under cProfile to stderr")
    args = parser.parse_args(argv)
    if args.threads is None:
        env_threads = os.environ.get("OMP_NUM_THREADS", "")
        args.threads = int(env_threads) if env_threads.isdigit() else len(os.sched_getaffinity(0))
    if args.worker:
        args.m = args.m or PROBLEMS[args.problem]["m"]
        args.epochs = args.epochs or PROBLEMS[args.problem]["epochs"]
        return run_worker(args)

    dtypes = ["float32", "float64"] if args.dtype == "both" else [args.dtype]
    problems = ["mnist", "digits"] if args.problem == "both" else [args.problem]
    frameworks = [fw for fw in args.frameworks.split(",") if fw]
    unknown = set(frameworks) - set(FRAMEWORKS)
    if unknown:
        parser.error(f"--frameworks: unknown {sorted(unknown)}")
    info = machine_info()
    results, gflops, blas = [], [], {}
    started = time.perf_counter()
    if not args.skip_epochs:
        for i in range(args.rounds):
            order = frameworks[i % len(frameworks):] + frameworks[:i % len(frameworks)]
            for problem in problems:
                m = args.m or PROBLEMS[problem]["m"]
                epochs = args.epochs or PROBLEMS[problem]["epochs"]
                for dtype in dtypes:
                    for fw in order:
                        result = spawn(args, fw, problem, dtype, m, epochs)
                        results.append(result)
                        blas.setdefault(fw, describe_pools(result))
                        print(f"round {i + 1}/{args.rounds}  {problem:<6} {dtype}  {LABELS[fw]:<13}"
                              f"median {statistics.median(result['epoch_times']):.4f} s/epoch",
                              file=sys.stderr, flush=True)
    if args.gflops:
        for problem in problems:
            for dtype in dtypes:
                g = spawn(args, "gflops", problem, dtype, args.m or PROBLEMS[problem]["m"], 1)
                blas.setdefault("nnlib", describe_pools(g))
                gflops.append(g)
    info["loadavg_end"] = os.getloadavg() if hasattr(os, "getloadavg") else None
    info["wall_seconds"] = time.perf_counter() - started

    print(f"# nnlib vs PyTorch (CPU) vs scikit-learn: {BATCH_SIZE}-example mini-batch SGD, "
          f"lr {LEARNING_RATE}, ReLU, softmax cross-entropy\n")
    print_machine(info, args, blas)
    summaries = []
    if results:
        for problem in problems:
            for dtype in dtypes:
                epochs = args.epochs or PROBLEMS[problem]["epochs"]
                summaries.append(summarize(results, problem, dtype, args.rounds, epochs,
                                           args.m or PROBLEMS[problem]["m"]))
    for g in gflops:
        print_gflops(g)
    print(f"\ntotal wall time {info['wall_seconds']:.0f} s")
    if args.out:
        args.out.write_text(json.dumps({"machine": info, "threads": args.threads,
                                        "batch_size": BATCH_SIZE, "learning_rate": LEARNING_RATE,
                                        "summaries": summaries, "runs": results, "gflops": gflops},
                                       indent=1))
        print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
