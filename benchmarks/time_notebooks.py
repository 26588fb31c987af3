#!/usr/bin/env python
"""Time every notebook of the series under nbval, one by one and as a whole run.

Each notebook runs in its own `python -m pytest --nbval ...` process (the flags
of the Makefile's test target), timed by the wall clock: kernel start-up and
pytest collection count, as they do for a reader running the tests. Then the
whole series runs once in a single pytest process, as `make test` runs it, and
`--durations=0` splits that run's time per notebook (its cells, including the
kernel start-up that nbval does in the first cell's setup; pytest's own start-up
and imports, shared by all notebooks, are reported on a line of their own).

Budgets (from the benchmark issue): no notebook over 30 s (judged on its cells
in the whole run, or on its own process with --no-whole), the whole series under
120 s (the whole run's wall time, or the sum of the separate runs with --no-whole). The exit status is 1 if a notebook fails nbval or a budget is
exceeded (0 otherwise), so the script can gate a release.

  python benchmarks/time_notebooks.py                 # all notebooks, then the whole run
  python benchmarks/time_notebooks.py --no-whole notebooks/06_softmax.ipynb
"""
import argparse
import json
import os
import platform
import re
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
NBVAL_FLAGS = ["--nbval", "--nbval-current-env", "--nbval-sanitize-with", "tests/nbval_sanitize.cfg"]
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
# "0.52s call     notebooks/03_one_hidden_layer.ipynb::Cell 7"
DURATION_LINE = re.compile(r"^\s*([0-9.]+)s\s+(setup|call|teardown)\s+(\S+?\.ipynb)::")
FAILED_LINE = re.compile(r"^(?:FAILED|ERROR) (\S+?\.ipynb)::")
SUMMARY_LINE = re.compile(r"(\d+) (passed|failed|error|errors|skipped)")


def pytest_command(python, paths, extra=()):
    return [python, "-m", "pytest", "-q", "-p", "no:cacheprovider", *NBVAL_FLAGS, *extra,
            *[str(p) for p in paths]]


def run(command, env):
    start = time.perf_counter()
    done = subprocess.run(command, cwd=REPO_ROOT, env=env, capture_output=True, text=True)
    return time.perf_counter() - start, done


def outcome(done):
    """'N passed' style summary from pytest's last lines, plus ok = exit status 0."""
    tail = "\n".join(done.stdout.strip().splitlines()[-3:])
    counts = {kind: int(n) for n, kind in SUMMARY_LINE.findall(tail)}
    text = ", ".join(f"{n} {kind}" for kind, n in counts.items()) or f"exit {done.returncode}"
    return done.returncode == 0, text


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog=__doc__.split("\n\n", 1)[1])
    parser.add_argument("notebooks", nargs="*", type=Path,
                        help="notebooks to time (default: notebooks/NN_*.ipynb in order)")
    parser.add_argument("--threads", type=int, default=1,
                        help="OMP/OPENBLAS/MKL_NUM_THREADS for the kernels (default 1, as the series "
                             "is written for one thread)")
    parser.add_argument("--python", default=sys.executable, help="interpreter with pytest and nbval")
    parser.add_argument("--no-whole", action="store_true", help="skip the single whole-series run")
    parser.add_argument("--no-separate", action="store_true", help="only the whole-series run")
    parser.add_argument("--notebook-budget", type=float, default=30.0, help="seconds (default 30)")
    parser.add_argument("--total-budget", type=float, default=120.0, help="seconds (default 120)")
    parser.add_argument("--out", type=Path, help="write the timings to this JSON file")
    args = parser.parse_args(argv)

    notebooks = args.notebooks or sorted((REPO_ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    notebooks = [Path(nb).resolve().relative_to(REPO_ROOT) for nb in notebooks]
    if not notebooks:
        raise SystemExit("no notebooks found under notebooks/")
    if not (REPO_ROOT / NBVAL_FLAGS[-1]).is_file():
        raise SystemExit(f"{NBVAL_FLAGS[-1]} is missing (nbval's sanitizer for the %%writefile lines)")
    env = dict(os.environ)
    env.update({name: str(args.threads) for name in THREAD_VARIABLES})
    env.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")

    try:
        load_start = os.getloadavg()
    except OSError:
        load_start = None
    separate, failures = {}, []
    if not args.no_separate:
        for nb in notebooks:
            seconds, done = run(pytest_command(args.python, [nb]), env)
            ok, text = outcome(done)
            separate[str(nb)] = {"seconds": seconds, "ok": ok, "result": text}
            if not ok:
                failures.append(str(nb))
                sys.stderr.write(done.stdout[-3000:] + done.stderr[-2000:])
            print(f"{nb.name:<40}{seconds:7.1f} s  {text}", file=sys.stderr, flush=True)

    whole = None
    if not args.no_whole:
        seconds, done = run(pytest_command(args.python, notebooks, ["--durations=0", "--durations-min=0"]),
                            env)
        ok, text = outcome(done)
        cells = defaultdict(float)
        for line in done.stdout.splitlines():
            match = DURATION_LINE.match(line)
            if match:
                cells[match.group(3)] += float(match.group(1))
        failed = sorted({m.group(1) for m in map(FAILED_LINE.match, done.stdout.splitlines()) if m})
        whole = {"seconds": seconds, "ok": ok, "result": text, "cell_seconds": dict(cells),
                 "failed": failed}
        if not ok:
            failures.append(f"whole run ({', '.join(Path(f).name for f in failed) or text})")
            sys.stderr.write(done.stdout[-3000:] + done.stderr[-2000:])

    try:
        load_end = os.getloadavg()
    except OSError:
        load_end = None
    fmt = lambda load: "?" if not load else " ".join(f"{x:.2f}" for x in load)  # noqa: E731
    print(f"# notebooks under nbval ({' '.join(NBVAL_FLAGS)}), {args.threads} thread(s)")
    print(f"date {time.strftime('%Y-%m-%d %H:%M %Z')}; {cpu_model()}; {os.cpu_count()} logical CPUs; "
          f"Python {platform.python_version()}; load avg start {fmt(load_start)}, end {fmt(load_end)}\n")
    header = f"{'notebook':<40}{'own process s':>15}{'cells in whole s':>18}  result"
    print(header)
    print("-" * len(header))
    over = []
    for nb in notebooks:
        key = str(nb)
        own = separate.get(key)
        cell = whole["cell_seconds"].get(key) if whole else None
        flag = ""
        judged = cell if cell is not None else own["seconds"]  # shared pytest start-up excluded
        if judged > args.notebook_budget:
            flag = f"  OVER {args.notebook_budget:g} s"
            over.append(key)
        print(f"{nb.name:<40}{own['seconds'] if own else '-':>15{'.1f' if own else ''}}"
              f"{cell if cell is not None else '-':>18{'.1f' if cell is not None else ''}}  "
              f"{own['result'] if own else ''}"
              f"{'  FAILED in whole run' if whole and key in whole['failed'] else ''}{flag}")
    print("-" * len(header))
    total_separate = sum(v["seconds"] for v in separate.values())
    if separate:
        flag = f"  OVER {args.total_budget:g} s" if total_separate > args.total_budget else ""
        print(f"{'sum of separate runs':<40}{total_separate:>15.1f}{'':>18}{flag}")
    if whole:
        flag = f"  OVER {args.total_budget:g} s" if whole["seconds"] > args.total_budget else ""
        startup = whole["seconds"] - sum(whole["cell_seconds"].values())
        print(f"{'  of which pytest/nbval start-up':<40}{'':>15}{startup:>18.1f}  "
              "(imports, collection: the run's wall time less its cells)")
        print(f"{'whole series, one pytest run (wall)':<40}{'':>15}{whole['seconds']:>18.1f}  "
              f"{whole['result']}{flag}")
    total = whole["seconds"] if whole else total_separate
    verdict_ok = not failures and not over and total <= args.total_budget
    print(f"\nbudgets: each notebook <= {args.notebook_budget:g} s, whole series <= {args.total_budget:g} s: "
          + ("met" if verdict_ok else "NOT met")
          + (f"; failed: {', '.join(failures)}" if failures else "")
          + (f"; over budget: {', '.join(Path(o).name for o in over)}" if over else ""))
    if args.out:
        args.out.write_text(json.dumps({"threads": args.threads, "separate": separate, "whole": whole,
                                        "load_start": load_start, "load_end": load_end}, indent=1))
    return 0 if verdict_ok else 1


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "?"


if __name__ == "__main__":
    sys.exit(main())
