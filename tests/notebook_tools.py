"""Helpers for the notebook tests: find the series, check that nnlib/ is what its %%writefile cells
write, check that the committed notebooks carry their outputs, and run a notebook in a kernel.

The check functions take notebooks already read (so the tests can feed them synthetic ones) and
return a list of problems, one readable sentence each; an empty list means all is well.
"""

from __future__ import annotations

import ast
import json
import re
import shlex
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import nbformat
from jupyter_client.kernelspec import KernelSpec, KernelSpecManager
from jupyter_client.manager import KernelManager
from traitlets import default

ROOT = Path(__file__).resolve().parents[1]
SERIES_GLOB = "[0-9][0-9]_*.ipynb"  # notebooks/00_*.ipynb ... 10_*.ipynb, run in this order
MAGIC = "%%writefile"


def series_notebooks(root: Path = ROOT) -> list[Path]:
    """The numbered notebooks of the series, in the order they are meant to run."""
    return sorted((root / "notebooks").glob(SERIES_GLOB))


# Notebooks that need an optional extra: name -> (the module they import, how to install it).
# Without the module, nbval and the rebuild test skip them and say so.
NEEDS_EXTRA = {
    "15_from_nnlib_to_pytorch.ipynb": ("torch", "pip install -e '.[bridge]' (PyTorch; for a CPU-only build see the README)"),
}


def missing_extra(path: Path) -> str | None:
    """Why the notebook at `path` cannot run here (its extra is not installed), or None."""
    import importlib.util

    need = NEEDS_EXTRA.get(Path(path).name)
    if need and importlib.util.find_spec(need[0]) is None:
        return f"{Path(path).name} needs {need[0]}, which is not installed: {need[1]}"
    return None


def all_notebooks(root: Path = ROOT) -> list[Path]:
    """Every notebook in notebooks/ (what nbval runs)."""
    return sorted((root / "notebooks").glob("*.ipynb"))


def read_notebook(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def package_files(package_dir: Path) -> dict[str, bytes]:
    """Files under package_dir (relative path -> bytes), leaving out __pycache__ and hidden folders."""
    if not package_dir.is_dir():
        return {}
    return {
        p.relative_to(package_dir).as_posix(): p.read_bytes()
        for p in sorted(package_dir.rglob("*"))
        if p.is_file() and not _is_cache(p.relative_to(package_dir))
    }


def _is_cache(rel: Path) -> bool:
    return any(part == "__pycache__" or part.startswith(".") for part in rel.parts[:-1])


# --- %%writefile cells and nnlib/ ---------------------------------------------------------------


@dataclass(frozen=True)
class Writer:
    notebook: str  # file name, for messages
    cell: int  # 1-based index among the code cells (= In [n] once executed in order)
    target: Path  # resolved path of the file the cell writes
    text: str | None  # what %%writefile writes (None if that depends on the IPython version)


def writefile_text(source: str) -> str:
    """What a `%%writefile` cell writes: everything after the first line, with a final newline added
    if missing (IPython appends one to every cell). Same rule as shared/hooks/before-stop."""
    _, _, body = source.partition("\n")
    return body if body.endswith("\n") else body + "\n"


def ipython_writefile_text(source: str) -> str:
    """What the installed IPython passes to %%writefile for this cell source, from its own input
    transformer (no kernel). IPython 9 dedents the cell first, and textwrap.dedent empties lines that
    hold only spaces or tabs; IPython 8 keeps them. Without such lines both give writefile_text()."""
    from IPython.core.inputtransformer2 import TransformerManager

    code = TransformerManager().transform_cell(source)
    call = ast.parse(code).body[0].value  # get_ipython().run_cell_magic('writefile', line, body)
    return ast.literal_eval(call.args[2])


def whitespace_only_lines(source: str) -> list[int]:
    """The 1-based numbers of the cell's lines that hold spaces or tabs and nothing else."""
    return [n for n, line in enumerate(source.split("\n"), start=1) if line and not line.strip(" \t")]


def notebook_writers(nb_path: Path, nb) -> tuple[list[Writer], list[str]]:
    """The %%writefile cells of one notebook, and the problems found in them."""
    writers, problems = [], []
    code_cells = [c for c in nb.cells if c.cell_type == "code"]
    for k, cell in enumerate(code_cells, start=1):
        where = f"{nb_path.name}, code cell {k}"
        source = cell.source
        if MAGIC in source and not source.startswith(MAGIC):
            problems.append(
                f"{where}: {MAGIC} appears but not at the very start of the cell; IPython honours "
                f"it only there (the cell then fails or writes nothing): put it on line 1, and do "
                f"not mention it elsewhere in a code cell, not even in a comment"
            )
            continue
        if not source.startswith(MAGIC):
            continue
        first = source.partition("\n")[0]
        try:
            args = shlex.split(first)[1:]
        except ValueError as err:
            problems.append(f"{where}: cannot parse {first!r}: {err}")
            continue
        if any(a.startswith("-") for a in args):
            problems.append(
                f"{where}: {first!r}: no -a/--append or other options: every module is written "
                f"whole by one cell (`{MAGIC} ../nnlib/<module>.py`)"
            )
            continue
        if len(args) != 1:
            problems.append(f"{where}: {first!r}: expected exactly one file name")
            continue
        if not source.partition("\n")[2].strip():
            problems.append(f"{where}: the cell body is empty (IPython refuses to write it)")
            continue
        blank = whitespace_only_lines(source)
        if blank:
            problems.append(
                f"{where}: line {blank[0]} of the cell holds only spaces or tabs, which IPython 9 empties "
                f"and IPython 8 keeps, so the module would depend on the IPython version: delete the "
                f"trailing whitespace"
            )
        # What this very IPython writes (the same as writefile_text() once no line is whitespace-only);
        # None: not compared with the file, whose right contents depend on the version.
        text = None if blank else ipython_writefile_text(source)
        target = (nb_path.parent / Path(args[0]).expanduser()).resolve()
        writers.append(Writer(nb_path.name, k, target, text))
    return writers, problems


def sync_problems(notebooks: Iterable[tuple[Path, object]], root: Path, package: str = "nnlib") -> list[str]:
    """Check the library against the notebooks that write it:
    every %%writefile target exists and equals its cell byte for byte; no file has two writers;
    no <package>/*.py is written by no notebook. `notebooks` holds (path, notebook) pairs."""
    problems: list[str] = []
    owner: dict[Path, Writer] = {}
    for nb_path, nb in notebooks:
        writers, found = notebook_writers(Path(nb_path), nb)
        problems += found
        for w in writers:
            shown = _shown(w.target, root)
            if w.target in owner:
                first = owner[w.target]
                problems.append(
                    f"{shown} has two writers: {first.notebook} (code cell {first.cell}) and "
                    f"{w.notebook} (code cell {w.cell}); one module, one owner"
                )
                continue
            owner[w.target] = w
            if not w.target.is_file():
                problems.append(f"{shown} is missing: run {w.notebook} (code cell {w.cell} writes it)")
            elif w.text is not None and w.target.read_bytes() != w.text.encode("utf-8"):
                problems.append(
                    f"{shown} differs from its {MAGIC} cell ({w.notebook}, code cell {w.cell}): "
                    f"edit the notebook, not the file, and re-run the cell"
                )
    package_dir = root / package
    for rel in package_files(package_dir):
        path = (package_dir / rel).resolve()
        if rel.endswith(".py") and path not in owner:
            problems.append(f"{_shown(path, root)} is written by no notebook (every module has one {MAGIC} cell)")
    return problems


def _shown(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


# --- stored outputs -----------------------------------------------------------------------------

_SHOWS = re.compile(r"(?<![\w.])(print|display)\s*\(|(?<![\w.])plt\.show\s*\(")


def needs_output(source: str) -> bool:
    """Whether running this cell source must leave an output in the notebook: a %%writefile cell
    (it prints Writing/Overwriting), a cell that calls print(, display( or plt.show( at run time
    (not merely inside a def), or one whose last statement is a bare expression other than a call
    (a call may return None) and not silenced by a trailing semicolon."""
    if source.startswith(MAGIC):
        return True
    try:  # IPython's own view of the cell: magics become get_ipython() calls
        from IPython.core.displayhook import DisplayHook
        from IPython.core.inputtransformer2 import TransformerManager

        code = TransformerManager().transform_cell(source)
        tree = ast.parse(code)
        silenced = DisplayHook.semicolon_at_end_of_expression(code)
    except (SyntaxError, ValueError, ImportError):  # not Python: fall back to the text
        return bool(_SHOWS.search(source))
    if any(_shows(node) for node in _executed_nodes(tree)):
        return True
    last = tree.body[-1] if tree.body else None
    return isinstance(last, ast.Expr) and not isinstance(last.value, (ast.Call, ast.Await)) and not silenced


def _executed_nodes(tree):
    """Walk the tree but not into function, class or lambda bodies (not run when the cell runs)."""
    stack = list(ast.iter_child_nodes(tree))
    while stack:
        node = stack.pop()
        yield node
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            stack.extend(ast.iter_child_nodes(node))


def _shows(node) -> bool:
    if not isinstance(node, ast.Call):
        return False
    f = node.func
    if isinstance(f, ast.Name):
        return f.id in ("print", "display")
    return isinstance(f, ast.Attribute) and f.attr == "show" and isinstance(f.value, ast.Name) and f.value.id == "plt"


def execution_problems(name: str, nb) -> list[str]:
    """A committed notebook must have been run top to bottom in a fresh kernel and saved with its
    outputs: code-cell execution counts exactly 1..n, and an output wherever a cell shows something.
    (nbval passes a notebook stripped of outputs without checking anything.)"""
    code_cells = [c for c in nb.cells if c.cell_type == "code"]
    problems = []
    counts = [c.get("execution_count") for c in code_cells]
    if counts != list(range(1, len(counts) + 1)):
        problems.append(
            f"{name}: execution counts are {_brief(counts)}, not 1..{len(counts)}: "
            f"restart the kernel, run all cells, then save"
        )
    if code_cells and not any(c.get("outputs") for c in code_cells):
        problems.append(f"{name}: no stored outputs at all: run it and save it with its outputs")
    for k, cell in enumerate(code_cells, start=1):
        if not cell.get("outputs") and needs_output(cell.source):
            line = cell.source.strip().splitlines()[0] if cell.source.strip() else ""
            problems.append(f"{name}, code cell {k} ({line[:50]!r}) shows something but has no stored output")
    return problems


def _brief(values: list) -> str:
    return str(values) if len(values) <= 12 else str(values[:12])[:-1] + ", ...]"


def strip_outputs(nb, keep_counts: bool = False):
    """A copy of nb as `nbstripout` would leave it (outputs gone, counts too unless keep_counts)."""
    stripped = nbformat.from_dict(json.loads(json.dumps(nb)))
    for cell in stripped.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            if not keep_counts:
                cell.execution_count = None
    return stripped


# --- running a notebook -------------------------------------------------------------------------


class CurrentEnvKernelSpecs(KernelSpecManager):
    """Every kernel name means this very interpreter (sys.executable), whatever kernelspecs the
    machine has installed: what nbval's --nbval-current-env does."""

    def get_kernel_spec(self, kernel_name):
        import ipykernel.kernelspec

        return KernelSpec(resource_dir=ipykernel.kernelspec.RESOURCES, **ipykernel.kernelspec.get_kernel_dict())


class CurrentEnvKernelManager(KernelManager):
    @default("kernel_spec_manager")
    def _current_env_specs(self):
        return CurrentEnvKernelSpecs()


def execute_notebook(nb, cwd: Path, timeout: int = 600):
    """Run every cell of nb in place, in a fresh kernel of this interpreter started in cwd, and shut
    the kernel down; raises nbclient's CellExecutionError at the first failing cell."""
    from nbclient import NotebookClient

    client = NotebookClient(
        nb,
        kernel_name="python3",
        kernel_manager_class=CurrentEnvKernelManager,
        timeout=timeout,
        resources={"metadata": {"path": str(cwd)}},
    )
    client.execute()
    return nb


# A cell appended to a notebook before running it: which nnlib did this kernel import?
WHICH_NNLIB_CELL = """\
import json as _json, pathlib as _pathlib, sys as _sys
import nnlib as _nnlib
print(_json.dumps({
    "executable": _sys.executable,
    "nnlib": _nnlib.__file__ and str(_pathlib.Path(_nnlib.__file__).resolve()),
    "path": [str(_pathlib.Path(p).resolve()) for p in _nnlib.__path__],
    "modules": {n: getattr(m, "__file__", None) and str(_pathlib.Path(m.__file__).resolve())
                for n, m in list(_sys.modules.items()) if n == "nnlib" or n.startswith("nnlib.")},
}))
"""


def which_nnlib(nb) -> dict:
    """Parse what WHICH_NNLIB_CELL printed (it must be the notebook's last cell)."""
    text = "".join(o.get("text", "") for o in nb.cells[-1].outputs if o.get("name") == "stdout")
    return json.loads(text.strip().splitlines()[-1])


def imported_outside(report: dict, tree: Path) -> list[str]:
    """The nnlib files a kernel imported that do not lie inside `tree` (or are not files at all)."""
    tree = tree.resolve()
    files = {"nnlib.__file__": report["nnlib"]}
    files.update({f"nnlib.__path__[{i}]": p for i, p in enumerate(report["path"])})
    files.update({f"sys.modules[{n!r}]": f for n, f in report["modules"].items()})
    return [f"{what} = {f}" for what, f in files.items() if f is None or not Path(f).is_relative_to(tree)]


if __name__ == "__main__":  # python tests/notebook_tools.py: the static checks, like the hook
    notebooks = [(p, read_notebook(p)) for p in series_notebooks()]
    found = sync_problems(notebooks, ROOT) + [q for p, nb in notebooks for q in execution_problems(p.name, nb)]
    print("\n".join(found) or f"{len(notebooks)} notebooks: no problems")
    sys.exit(1 if found else 0)
