"""What every benchmark here shares: the process protocol, the timers, the machine report.

The protocol (bench_mlp.py's, followed by bench_cnn.py, bench_rnn.py and bench_batchnorm.py):
every (framework, configuration) run is a fresh Python process (`<script> --worker NAME ...`,
which prints one JSON line: `spawn`) with every BLAS/OpenMP pool held to the same number of
threads (`THREAD_VARIABLES`, `limit_threads`), so that imports, thread pools and allocator state
cannot leak from one framework into another. A worker trains one warm-up epoch and then timed
epochs (`timed_epochs`, with the epoch loops `nnlib_epoch` and `torch_epoch`), or times one step
(`median_seconds`, `paired_seconds`). The driver runs the frameworks in turn, round after round,
rotating the order, and takes ratios within each round.
"""
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from importlib import metadata

THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def spawn(script, flags, threads, what):
    """Run `python script *flags` in a fresh process with `threads` BLAS threads; its last stdout line, parsed.

    `what` names the run in the error raised when the worker fails (its stderr is passed through)."""
    env = dict(os.environ)
    env.update({name: str(threads) for name in THREAD_VARIABLES})
    command = [sys.executable, str(script), *map(str, flags)]
    done = subprocess.run(command, check=False, env=env, capture_output=True, text=True)
    if done.returncode != 0 or not done.stdout.strip():
        sys.stderr.write(done.stderr)
        raise SystemExit(f"worker {what} failed (exit {done.returncode})")
    return json.loads(done.stdout.strip().splitlines()[-1])


def nnlib_epoch(model, optimizer, X, Y, batch_size, rng, minibatches):
    """A function that trains nnlib's `model` for one epoch of plain mini-batches and returns the mean cost.

    X (..., m) and Y (..., m): examples on the last axis; `minibatches` is nnlib.batches.minibatches."""
    def run_epoch():
        total, seen = 0.0, 0
        for Xb, Yb in minibatches(X, Y, batch_size, rng):
            cost, grads = model.loss_and_grads(Xb, Yb)
            optimizer.step(model.params, grads)
            total += cost * Xb.shape[-1]
            seen += Xb.shape[-1]
        return total / seen
    return run_epoch


def torch_epoch(model, loss_fn, optimizer, X, y, batch_size, rng, batch_axis=0):
    """The same for a PyTorch model: X has its examples on `batch_axis` (0, or 1 for nn.GRU's (T, m, n_x))."""
    import torch

    def run_epoch():
        m = X.shape[batch_axis]
        order = torch.from_numpy(rng.permutation(m))
        total = torch.zeros((), dtype=torch.float64)
        for start in range(0, m, batch_size):
            idx = order[start:start + batch_size]
            xb, yb = X.index_select(batch_axis, idx), y[idx]
            optimizer.zero_grad(set_to_none=True)
            loss = loss_fn(model(xb), yb)
            loss.backward()
            optimizer.step()
            total += loss.detach() * len(idx)
        return float(total) / m
    return run_epoch


def torch_result(model, timing):
    """A PyTorch worker's JSON: its version, threads and dtype, and the timing of `timed_epochs`."""
    import torch
    return {"version": torch.__version__, "num_threads": torch.get_num_threads(),
            "dtype_used": str(next(model.parameters()).dtype).replace("torch.", ""), **timing}


def timed_epochs(run_epoch, epochs, warmup=1):
    """Call run_epoch() warmup + epochs times.

    Returns a dict: warmup_time, epoch_times and costs (one per timed epoch), and
    minor_faults, the median number of minor page faults per timed epoch (a sign of
    large temporaries that the allocator gives back to the OS and faults in again).
    """
    times, costs, faults, warmup_time = [], [], [], 0.0
    for epoch in range(warmup + epochs):
        faults_before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
        start = time.perf_counter()
        cost = run_epoch()
        elapsed = time.perf_counter() - start
        if epoch < warmup:
            warmup_time += elapsed
        else:
            times.append(elapsed)
            costs.append(float(cost))
            faults.append(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - faults_before)
    return {"warmup_time": warmup_time, "epoch_times": times, "costs": costs,
            "minor_faults": statistics.median(faults)}


def threadpool_summary():
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return [{"error": "threadpoolctl not installed"}]
    keep = ("user_api", "internal_api", "prefix", "version", "num_threads", "architecture",
            "threading_layer")
    return [{key: info.get(key) for key in keep if info.get(key) is not None}
            for info in threadpool_info()]


def limit_threads(threads):
    """Hold every BLAS/OpenMP pool that threadpoolctl can see to `threads` (env vars do the rest)."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return None
    return threadpool_limits(limits=threads)


def median_seconds(fn, min_time=0.2, repeats=5):
    """Median over `repeats` of the mean time of one call, each repeat lasting >= min_time."""
    fn()
    number, start = 1, time.perf_counter()
    fn()
    once = max(time.perf_counter() - start, 1e-7)
    number = max(1, int(min_time / once))
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        samples.append((time.perf_counter() - start) / number)
    return statistics.median(samples)


def paired_seconds(f, g, min_time=0.2, repeats=9):
    """Time f and g in alternation; return (median f, median g, median of the ratios g/f).

    Alternating the two, and taking the median of the per-pair ratios, keeps a
    machine whose speed drifts (other processes, clock changes) from biasing the ratio.
    """
    counts = []
    for fn in (f, g):
        fn()
        start = time.perf_counter()
        fn()
        counts.append(max(1, int(min_time / max(time.perf_counter() - start, 1e-7))))
    tf, tg = [], []
    for _ in range(repeats):
        for fn, n, out in ((f, counts[0], tf), (g, counts[1], tg)):
            start = time.perf_counter()
            for _ in range(n):
                fn()
            out.append((time.perf_counter() - start) / n)
    return statistics.median(tf), statistics.median(tg), statistics.median(b / a for a, b in zip(tf, tg))


def machine_info():
    cpu = "?"
    physical = set()
    try:
        with open("/proc/cpuinfo") as f:
            text = f.read()
        for line in text.splitlines():
            key, _, value = line.partition(":")
            key = key.strip()
            if key == "model name" and cpu == "?":
                cpu = value.strip()
            if key == "core id":
                physical.add(value.strip())
        flags = next((line.split(":", 1)[1].split() for line in text.splitlines()
                      if line.startswith("flags")), [])
        simd = [f for f in ("avx", "avx2", "fma", "avx512f") if f in flags]
    except OSError:
        simd = []
    if cpu == "?":
        cpu = platform.processor() or "?"
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count()

    def version(name):
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            return "not installed"
    return {
        "date": time.strftime("%Y-%m-%d %H:%M %Z"),
        "platform": platform.platform(), "python": platform.python_version(),
        "cpu": cpu, "simd": simd, "logical_cpus": os.cpu_count(), "usable_cpus": usable,
        "cores_per_socket_ids": len(physical) or None,
        "memory_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2 ** 30, 1)
        if hasattr(os, "sysconf") else None,
        "versions": {name: version(name) for name in ("numpy", "torch", "scikit-learn", "threadpoolctl")},
        "loadavg_start": os.getloadavg() if hasattr(os, "getloadavg") else None,
    }


def print_machine(info, args, blas):
    v = info["versions"]
    print(f"date      {info['date']}")
    print(f"machine   {info['cpu']} ({', '.join(info['simd']) or 'no AVX'}); "
          f"{info['usable_cpus']} usable of {info['logical_cpus']} logical CPUs; "
          f"{info['memory_gib']} GiB; {info['platform']}")
    print(f"software  Python {info['python']}, NumPy {v['numpy']}, PyTorch {v['torch']}, "
          f"scikit-learn {v['scikit-learn']}, threadpoolctl {v['threadpoolctl']}")
    print(f"threads   {args.threads} ({'/'.join(THREAD_VARIABLES)}={args.threads}, "
          f"threadpool_limits({args.threads}), torch.set_num_threads({args.threads}))")
    for worker, pools in blas.items():
        print(f"BLAS      {worker}: {pools}")
    print(f"load avg  start {fmt_load(info['loadavg_start'])}, end {fmt_load(info.get('loadavg_end'))}"
          "  (a busy machine skews every number below)")


def fmt_load(load):
    return "?" if not load else " ".join(f"{x:.2f}" for x in load)


def describe_pools(result):
    """One line per BLAS/OpenMP library a worker had loaded, from threadpoolctl."""
    parts = []
    for pool in result.get("threadpools", []):
        if pool.get("user_api") != "blas":
            continue
        parts.append(f"{pool.get('internal_api')} {pool.get('version')} ({pool.get('prefix')}, "
                     f"{pool.get('architecture', '?')}, {pool.get('threading_layer', '?')}, "
                     f"{pool.get('num_threads')} threads)")
    if "blas" in result:
        parts.append(result["blas"] + f", {result.get('cpu_capability', '?')}, "
                     f"{result.get('num_threads')} threads")
    return "; ".join(parts) or "?"
