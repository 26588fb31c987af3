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


def readme_example():
    """The python block of 'Use nnlib in your own code', and the output the README says it prints."""
    text = section("Use nnlib in your own code")
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    assert len(blocks) == 1, "the README's 'Use nnlib in your own code' section should hold one python block"
    outputs = re.findall(r"It prints[^\n]*:\n\n```text\n(.*?)```", text, flags=re.S)
    assert len(outputs) == 1, "the README should show what the example prints, in a text block after 'It prints'"
    return blocks[0], outputs[0]


def run_example(python, cwd, env):
    """Run the README example with `python` in `cwd`; return its stdout after checking the README's output."""
    code, printed = readme_example()
    env = dict(env, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1", MPLBACKEND="Agg")
    result = subprocess.run([python, "-c", code], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout == printed, f"the README says it prints\n{printed}\nbut it printed\n{result.stdout}"
    return result.stdout


def test_the_use_nnlib_example_runs_and_prints_what_the_readme_says(tmp_path):
    # From an empty folder, with this tree's nnlib: the example must not depend on the working directory.
    stdout = run_example(sys.executable, tmp_path, dict(os.environ, PYTHONPATH=str(ROOT)))
    assert float(re.search(r"test accuracy (\d+\.\d)%", stdout).group(1)) >= 97.0, stdout


def test_every_notebook_is_listed_once():
    listed = re.findall(r"\]\(notebooks/(\d\d_\w+\.ipynb)\)", section("The notebooks"))
    assert listed == [p.name for p in series_notebooks()]


def test_ci_runs_the_readmes_test_command():
    assert "make test" in section("Two commands")
    ci = (ROOT / ".ci" / "run").read_text()
    commands = [line for line in ci.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    assert "make test" in commands, commands
