"""nnlib as a package: the wheel carries the data and runs the README example in a fresh virtual
environment from an empty folder; it depends on exactly what nnlib imports; Binder, CI and the
classifiers agree with pyproject.toml."""

import ast
import hashlib
import importlib.util
import os
import re
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from notebook_tools import ROOT
from test_readme import run_example

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    tomllib = None

DATA_FILES = ("digits.h5", "mnist_5k.h5", "mnist1d.h5", "checksums.sha256", "README.md")


def pyproject():
    if tomllib is None:
        pytest.skip("tomllib is new in Python 3.11; the other Pythons of CI check this")
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    """Build the wheel from this tree (no download when hatchling is installed: the test extra has it)."""
    out = tmp_path_factory.mktemp("dist")
    isolation = ["--no-build-isolation"] if importlib.util.find_spec("hatchling") else []
    result = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", *isolation, "-w", str(out),
                             str(ROOT)], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    wheels = list(out.glob("nn_from_scratch-*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


def test_the_wheel_carries_nnlib_and_the_data(wheel):
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
        for name in DATA_FILES:
            assert z.read(f"nnlib/_data/{name}") == (ROOT / "data" / name).read_bytes(), name
    modules = {p.name for p in (ROOT / "nnlib").glob("*.py")}
    assert {n.removeprefix("nnlib/") for n in names if n.startswith("nnlib/") and n.endswith(".py")} == modules
    # Only the package and its metadata: no build script, tests or notebooks.
    assert all(n.startswith(("nnlib/", "nn_from_scratch-")) for n in names), sorted(names)
    assert not any("build_data" in n or "__pycache__" in n for n in names), sorted(names)


def third_party_imports(inside_functions=False):
    """The top-level packages that nnlib/*.py import, leaving out the standard library and nnlib: those
    imported when a module is imported, or (inside_functions=True) those only a function imports when it
    is called, for an optional feature (notebook 16's playground needs ipywidgets: the lab extra)."""
    found = set()

    def visit(node, in_function):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            in_function = True
        if in_function == inside_functions:
            if isinstance(node, ast.Import):
                found.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                found.add(node.module.split(".")[0])
        for child in ast.iter_child_nodes(node):
            visit(child, in_function)

    for path in (ROOT / "nnlib").glob("*.py"):
        visit(ast.parse(path.read_text(encoding="utf-8")), False)
    return found - set(sys.stdlib_module_names) - {"nnlib"}


def test_the_wheel_depends_on_exactly_what_nnlib_imports(wheel):
    with zipfile.ZipFile(wheel) as z:
        metadata = z.read(next(n for n in z.namelist() if n.endswith(".dist-info/METADATA"))).decode()
    requires = [line.split(":", 1)[1].strip() for line in metadata.splitlines() if line.startswith("Requires-Dist:")]
    runtime = {re.match(r"[A-Za-z0-9_.-]+", r).group(0).lower() for r in requires if "extra ==" not in r}
    assert runtime == third_party_imports() == {"numpy", "matplotlib", "h5py"}, (runtime, third_party_imports())
    assert not any(name in r for r in requires if "extra ==" not in r for name in ("jupyter", "ipykernel")), requires
    assert "License-Expression: MIT AND CC-BY-4.0 AND CC-BY-SA-3.0 AND Apache-2.0" in metadata


@pytest.fixture(scope="module")
def venv(wheel, tmp_path_factory):
    """A fresh virtual environment with the wheel installed (no deps: NumPy, Matplotlib and h5py come
    from this environment's site-packages through a .pth file, to avoid downloading them)."""
    root = tmp_path_factory.mktemp("venv")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(root)], check=True, timeout=120)
    python = root / "bin" / "python"
    result = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps",
                             "--no-index", "-q", str(wheel)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    # Appended after the venv's own site-packages, and its .pth files are not read: an editable
    # install of nnlib there (make test's .venv has one) cannot shadow the wheel's.
    Path(site, "shared_env.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return python


def clean_env():
    return {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP")}


def test_the_readme_example_runs_from_the_installed_wheel(venv, tmp_path):
    where = subprocess.run([str(venv), "-c", "import nnlib.data as d; print(d.__file__); print(d.DATA_DIR)"],
                           cwd=tmp_path, env=clean_env(), capture_output=True, text=True, timeout=60)
    assert where.returncode == 0, where.stderr
    module, data_dir = where.stdout.split()
    venv_root = venv.parent.parent
    assert Path(module).is_relative_to(venv_root) and Path(data_dir) == Path(module).parent / "_data", where.stdout
    run_example(str(venv), tmp_path, clean_env())


def test_a_damaged_installed_file_says_reinstall(venv, tmp_path):
    code = ("import nnlib.data as d; p = d.DATA_DIR / 'digits.h5'; b = bytearray(p.read_bytes()); "
            "b[-100:-92] = b'\\xff' * 8; p.write_bytes(bytes(b)); d.load_dataset('digits')")
    try:
        result = subprocess.run([str(venv), "-c", code], cwd=tmp_path, env=clean_env(),
                                capture_output=True, text=True, timeout=60)
        assert result.returncode != 0
        message = result.stderr.strip().splitlines()[-1]
        assert message.startswith("ValueError: ") and "digits.h5 is damaged" in message, message
        assert "reinstall the package with pip install --force-reinstall --no-deps" in message, message
        assert "build_data" not in message, message
    finally:  # the module-scoped venv serves the other tests: put the file back
        restore = ("import nnlib.data as d, shutil, sys; shutil.copyfile(sys.argv[1], d.DATA_DIR / 'digits.h5')")
        subprocess.run([str(venv), "-c", restore, str(ROOT / "data" / "digits.h5")], check=True, env=clean_env(),
                       cwd=tmp_path, timeout=60)


def test_hashes_in_the_data_readme_match_the_checksum_list():
    listed = dict(line.split()[::-1] for line in (ROOT / "data" / "checksums.sha256").read_text().splitlines())
    readme = (ROOT / "data" / "README.md").read_text(encoding="utf-8")
    for name, digest in listed.items():
        assert f"`{name.lstrip('*')}`" in readme and f"`{digest}`" in readme, name
        assert hashlib.sha256((ROOT / "data" / name.lstrip("*")).read_bytes()).hexdigest() == digest


# --- Python versions, CI, Binder ------------------------------------------------------------------


def claimed_pythons():
    found = re.findall(r"Programming Language :: Python :: 3\.(\d+)\"", (ROOT / "pyproject.toml").read_text())
    return sorted(int(minor) for minor in found)


def test_classifiers_match_requires_python():
    minors = claimed_pythons()
    assert minors == list(range(minors[0], minors[-1] + 1)), minors
    assert f'requires-python = ">=3.{minors[0]}"' in (ROOT / "pyproject.toml").read_text()


def test_ci_runs_the_unit_tests_on_the_lowest_and_highest_claimed_python():
    minors = claimed_pythons()
    ci = (ROOT / ".ci" / "run").read_text()
    assert f"for version in 3.{minors[0]} 3.{minors[-1]}; do" in ci, "update .ci/run's Python versions"
    assert 'make test-unit PYTHON="$python" VENV=".venv-$version"' in ci


def test_binder_installs_the_lab_environment_of_pyproject():
    lines = [line.split("#")[0].strip() for line in (ROOT / "binder" / "requirements.txt").read_text().splitlines()]
    assert [line for line in lines if line] == ["-e .[lab]"]
    runtime = (ROOT / "binder" / "runtime.txt").read_text().strip()
    assert re.fullmatch(r"python-3\.(\d+)", runtime) and int(runtime.split(".")[1]) in claimed_pythons()
    assert "lab" in pyproject()["project"]["optional-dependencies"]


def test_lab_extra_is_what_make_lab_and_make_test_install():
    extras = pyproject()["project"]["optional-dependencies"]
    assert set(extras["lab"]) == {"jupyterlab", "ipykernel", "ipywidgets>=8"}
    # what nnlib imports only inside a function (the playground): the lab extra brings it
    assert third_party_imports(inside_functions=True) - third_party_imports() == {"ipywidgets"}
    assert "ipykernel" in extras["test"] and "ruff" in " ".join(extras["test"])
    makefile = (ROOT / "Makefile").read_text()
    assert "EXTRAS ?= lab,test" in makefile and "pip install -e '.[$(EXTRAS)]'" in makefile
    assert "$(PY) -m ruff check ." in makefile


def test_pre_commit_runs_the_ruff_that_the_test_extra_pins():
    pins = re.findall(r"ruff==([\d.]+)", (ROOT / "pyproject.toml").read_text())
    hook = re.findall(r"ruff==([\d.]+)", (ROOT / ".pre-commit-config.yaml").read_text())
    assert len(pins) == 1 and hook == pins, (pins, hook)
