"""The README is for users: its example must run, its notebook list must match notebooks/, and
.ci/run must call the README's test command."""

import os
import re
import subprocess
import sys

from notebook_tools import ROOT, series_notebooks

README = (ROOT / "README.md").read_text(encoding="utf-8")


def section(title):
    start = README.index(f"## {title}")
    end = README.find("\n## ", start + 1)
    return README[start:end if end != -1 else None]


def test_the_use_nnlib_example_runs_and_learns(tmp_path):
    blocks = re.findall(r"```python\n(.*?)```", section("Use nnlib in your own code"), flags=re.S)
    assert len(blocks) == 1, "the README's 'Use nnlib in your own code' section should hold one python block"
    env = dict(os.environ, PYTHONPATH=str(ROOT), OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MPLBACKEND="Agg")
    # Run from an empty folder: the example must not depend on the working directory.
    result = subprocess.run([sys.executable, "-c", blocks[0]], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    found = re.search(r"test accuracy (\d+\.\d)%", result.stdout)
    assert found, result.stdout
    assert float(found.group(1)) >= 90.0, result.stdout


def test_every_notebook_is_listed_once():
    listed = re.findall(r"\]\(notebooks/(\d\d_\w+\.ipynb)\)", section("The notebooks"))
    assert listed == [p.name for p in series_notebooks()]


def test_ci_runs_the_readmes_test_command():
    assert "make test" in section("Two commands")
    ci = (ROOT / ".ci" / "run").read_text()
    commands = [line for line in ci.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    assert "make test" in commands, commands
