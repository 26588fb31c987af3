"""The course's machinery, shared by every notebook: set-up, check cells, and the way back.

Not part of nnlib (no notebook writes it, no solution is in it): the first cell of each notebook
finds this file, which marks the top of the tree (the repository, a student handout, or one
nbgrader assignment), and calls `setup`:

    setup("05_image_classification")

- puts the tree first on sys.path, so `import nnlib` is the tree's nnlib/ and never another one
  installed elsewhere (an editable install of the teacher's copy, say), and forgets any nnlib
  module already imported from elsewhere;
- makes `<tree>/notebooks` the working folder, so `%%writefile ../nnlib/x.py` and `../data/x.h5`
  mean this tree's files wherever the kernel was started inside it;
- checks the nnlib modules the notebook imports that earlier notebooks write: if one is still an
  exercise stub or does not import, it stops with the function, the notebook that owns it, and how
  to get a working version back (`python coursekit.py restore <module>`);
- re-imports a module each time a `%%writefile` cell rewrites it, together with every nnlib module
  that imports it, and rebinds the notebook's names bound to the old functions, so the cells after
  a fix run the new code.

A check cell calls `check(function)`: the function returns "PASS: ..." or "FAIL: <hint>"; `check`
prints the PASS line, turns a FAIL into `AssertionError("FAIL: <hint>")` (what nbgrader counts
as a failed test), and turns any exception from the student's code into a FAIL with a hint.
`load("activations")` gives a check the module as the student's cell last wrote it.

From a terminal in the tree:

    python coursekit.py status                 # which modules are done, stubs, broken
    python coursekit.py restore activations    # the reference module back (yours is kept)
    python coursekit.py restore 01             # every module notebook 01 writes
"""

from __future__ import annotations

import ast
import datetime
import hashlib
import importlib
import os
import re
import shutil
import sys
from pathlib import Path

__all__ = ["OWNERS", "setup", "check", "load", "refresh", "restore", "status", "module_problems"]

ROOT = Path(__file__).resolve().parent
PACKAGE = "nnlib"
STUB_MARK = "# YOUR CODE HERE"  # what nbgrader's ClearSolutions writes in front of `raise NotImplementedError()`

# Module of nnlib -> the notebook whose %%writefile cell writes it (tests/test_course.py keeps it
# true). A new notebook adds its modules here.
OWNERS = {
    "__init__": "00_notation_numpy_data",
    "checks": "00_notation_numpy_data",
    "data": "00_notation_numpy_data",
    "preprocessing": "00_notation_numpy_data",
    "activations": "01_single_neuron",
    "losses": "01_single_neuron",
    "gradcheck": "02_gradient_checking",
    "datasets": "03_one_hidden_layer",
    "plots": "03_one_hidden_layer",
    "initializers": "04_deep_network",
    "layers": "04_deep_network",
    "model": "04_deep_network",
    "metrics": "05_image_classification",
    "image_plots": "05_image_classification",
    "softmax": "06_softmax",
    "batches": "07_optimization",
    "optim": "07_optimization",
    "training": "07_optimization",
    "schedules": "07_optimization",
    "lr_range": "07_optimization",
    "regularization": "08_regularization",
    "diagnostics": "09_debugging_training",
    "monitoring": "09_debugging_training",
    "diagnostic_plots": "09_debugging_training",
    "io": "10_capstone",
    "normalization": "11_deep_networks",
    "residual": "11_deep_networks",
    "conv": "12_convolutional_networks",
    "pooling": "12_convolutional_networks",
    "recurrent": "13_recurrent_networks",
    "autograd": "14_automatic_differentiation",
    "regression": "16_what_networks_can_learn",
    "playground": "16_what_networks_can_learn",
}


class SetupError(Exception):
    """The notebook cannot run yet; the message says why and what to do."""


class CheckFailure(Exception):
    """Raised inside a check function to fail with a ready hint (the message starts "FAIL: ")."""


# --- set-up ----------------------------------------------------------------------------------------


def setup(notebook: str, root: Path | str | None = None) -> Path:
    """Prepare the kernel for `notebook` (its file name without .ipynb); see the module docstring.
    Prints nothing when all is well; raises SetupError with instructions otherwise."""
    __tracebackhide__ = True
    root = Path(root).resolve() if root is not None else ROOT
    _put_first_on_path(root)
    _forget_foreign_nnlib(root)
    workdir = root / "notebooks"
    workdir.mkdir(exist_ok=True)
    os.chdir(workdir)
    _install_reload_hook(root)
    problems = []
    for name in dependencies(notebook, root):
        problems += module_problems(name, root)
    if problems:
        raise SetupError(_setup_message(notebook, problems, root)) from None
    return root


def _put_first_on_path(root: Path) -> None:
    entry = str(root)
    sys.path[:] = [p for p in sys.path if _resolved(p) != entry]
    sys.path.insert(0, entry)


def _resolved(p: str) -> str:
    try:
        return str(Path(p or ".").resolve())
    except OSError:
        return p


def _forget_foreign_nnlib(root: Path) -> None:
    """Drop nnlib modules imported from anywhere but root/nnlib (and importlib's path caches)."""
    home = root / PACKAGE
    for name, mod in list(sys.modules.items()):
        if name == PACKAGE or name.startswith(PACKAGE + "."):
            f = getattr(mod, "__file__", None)
            if f is None or not Path(f).resolve().is_relative_to(home):
                del sys.modules[name]
    importlib.invalidate_caches()


def notebook_file(notebook: str, root: Path) -> Path | None:
    for folder in (root / "notebooks", root):
        if (folder / f"{notebook}.ipynb").is_file():
            return folder / f"{notebook}.ipynb"
    return None


_IMPORTED = re.compile(r"\b" + PACKAGE + r"\.(\w+)")
_FROM_IMPORT = re.compile(r"from\s+" + PACKAGE + r"\s+import\s+\(?([\w\s,]+)")


def notebook_imports(notebook: str, root: Path) -> set[str]:
    """The nnlib modules a notebook's code cells name (nnlib.x, from nnlib import x). If the
    notebook file is not found: every module of the notebooks before it."""
    path = notebook_file(notebook, root)
    if path is None:
        return {m for m, owner in OWNERS.items() if owner < notebook}
    import json

    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    text = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
    found = set(_IMPORTED.findall(text))
    for group in _FROM_IMPORT.findall(text):
        found |= {w.strip() for w in group.replace("\n", ",").split(",") if w.strip()}
    return {m for m in found if m in OWNERS}


def module_imports(name: str, root: Path) -> set[str]:
    """The nnlib modules that module `name` imports (from its source; nothing if it does not parse)."""
    path = root / PACKAGE / f"{name}.py"
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except (OSError, SyntaxError, ValueError):
        return set()
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level == 1 and node.module:
                found.add(node.module.split(".")[0])
            elif node.level == 1:
                found |= {a.name for a in node.names}
            elif node.module and node.module.startswith(PACKAGE + "."):
                found.add(node.module.split(".")[1])
        elif isinstance(node, ast.Import):
            found |= {a.name.split(".")[1] for a in node.names if a.name.startswith(PACKAGE + ".")}
    return {m for m in found if m in OWNERS}


def dependencies(notebook: str, root: Path = ROOT) -> list[str]:
    """Modules written by other notebooks that this notebook needs, directly or through other
    modules, in the order of the series."""
    own = {m for m, owner in OWNERS.items() if owner == notebook}
    todo, seen = list(notebook_imports(notebook, root)), set()
    while todo:
        m = todo.pop()
        if m in seen:
            continue
        seen.add(m)
        todo += module_imports(m, root)
    seen.add("__init__")
    needed = {m for m in seen if m not in own and OWNERS[m] < notebook}
    return sorted(needed, key=lambda m: (OWNERS[m], m))


def stubbed_functions(source: str) -> list[str]:
    """Names (Class.method or function) whose body is still an exercise stub."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    lines = source.splitlines()
    found = []

    def visit(node, prefix):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                body = lines[child.lineno - 1 : child.end_lineno]
                if any(line.strip() == STUB_MARK for line in body) and any(
                    line.strip().startswith("raise NotImplementedError") for line in body
                ):
                    found.append(prefix + child.name)
            if isinstance(child, ast.ClassDef):
                visit(child, prefix + child.name + ".")

    visit(tree, "")
    return found


def module_problems(name: str, root: Path = ROOT) -> list[str]:
    """What keeps nnlib/<name>.py from working: missing, a syntax error, stubs, an import error."""
    owner = OWNERS.get(name, "?")
    path = root / PACKAGE / f"{name}.py"
    rel = f"{PACKAGE}/{name}.py"
    if not path.is_file():
        return [f"{rel} is missing (notebook {owner} writes it)"]
    source = path.read_text(encoding="utf-8")
    try:
        compile(source, str(path), "exec")
    except SyntaxError as err:
        return [f"{rel} has a syntax error on line {err.lineno} ({err.msg}); notebook {owner} writes it"]
    stubs = stubbed_functions(source)
    if stubs:
        return [f"{rel}: {', '.join(stubs)} is still an exercise stub (raise NotImplementedError): "
                f"the exercise of notebook {owner}"]
    modname = f"{PACKAGE}.{name}" if name != "__init__" else PACKAGE
    try:
        importlib.import_module(modname)
    except Exception as err:
        return [f"{rel} does not import ({type(err).__name__}: {err}); notebook {owner} writes it"]
    return []


def _setup_message(notebook: str, problems: list[str], root: Path) -> str:
    names = sorted({p.split(":")[0].split(" ")[0][len(PACKAGE) + 1 : -3] for p in problems})
    owners = sorted({OWNERS.get(n, "?") for n in names})
    have_reference = all((root / "reference" / PACKAGE / f"{n}.py").is_file() for n in names)
    lines = [f"{notebook} needs modules that earlier notebooks write, and they are not ready:", ""]
    lines += [f"  - {p}" for p in problems]
    lines += ["", "Either finish the exercise(s) in " + ", ".join(owners) + " and run that notebook from the top,"]
    if have_reference:
        lines += [
            "or put the reference version back (yours is kept in kept/, nothing is lost), in a terminal in "
            f"{root}:",
            "",
            "    python coursekit.py restore " + " ".join(names),
            "",
            "or in a cell: import coursekit; coursekit.restore(" + ", ".join(repr(n) for n in names) + ")",
        ]
    else:
        lines += [
            "or get the reference version from your teacher (reference/nnlib/<module>.py, released after the",
            "deadline) and then run: python coursekit.py restore " + " ".join(names),
        ]
    lines += ["", "Then restart the kernel and run this notebook again."]
    return "\n".join(lines)


# --- keeping the kernel's modules in step with the files --------------------------------------------

_loaded_hashes: dict[str, str] = {}


def _digest(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return ""


def _install_reload_hook(root: Path) -> None:
    try:
        ip = get_ipython()  # type: ignore[name-defined]  # noqa: F821
    except NameError:
        return
    for callback in list(ip.events.callbacks["post_run_cell"]):
        if getattr(callback, "__name__", "") == "_coursekit_after_cell":
            ip.events.unregister("post_run_cell", callback)

    def _coursekit_after_cell(result):
        raw = getattr(getattr(result, "info", None), "raw_cell", "") or ""
        if not raw.startswith("%%writefile"):
            return
        target = raw.partition("\n")[0].split(maxsplit=1)[-1].strip()
        path = (Path.cwd() / target).resolve()
        if path.parent != (root / PACKAGE).resolve() or path.suffix != ".py":
            return
        name = path.stem
        modname = PACKAGE if name == "__init__" else f"{PACKAGE}.{name}"
        if modname in sys.modules:
            try:
                refresh(name, namespace=ip.user_ns)
            except Exception as err:  # the check cell after it says more
                print(f"note: {PACKAGE}/{name}.py does not import ({type(err).__name__}: {err}); "
                      f"fix the cell above and run it again", file=sys.stderr)

    ip.events.register("post_run_cell", _coursekit_after_cell)


def _dependents(name: str) -> list[str]:
    """Loaded nnlib modules that import `name`, directly or not, in an order where each comes after
    what it imports."""
    loaded = [n[len(PACKAGE) + 1 :] for n in sys.modules if n.startswith(PACKAGE + ".")]
    graph = {m: module_imports(m, ROOT) for m in loaded}
    out, changed = [], {name}
    progress = True
    while progress:
        progress = False
        for m in sorted(loaded):
            if m not in changed and graph[m] & changed:
                changed.add(m)
                progress = True
    remaining = [m for m in changed if m != name]
    while remaining:  # topological order among the dependents
        ready = [m for m in sorted(remaining) if not (graph[m] & set(remaining))]
        ready = ready or sorted(remaining)[:1]
        out += ready
        remaining = [m for m in remaining if m not in ready]
    return out



def refresh(name: str, namespace: dict | None = None):
    """Re-import nnlib.<name> from its file, then every loaded nnlib module that depends on it, and
    rebind the names in `namespace` (a notebook's globals) that held their old functions/classes."""
    modname = PACKAGE if name == "__init__" else f"{PACKAGE}.{name}"
    if modname not in sys.modules:
        module = importlib.import_module(modname)
        _loaded_hashes[name] = _digest(Path(module.__file__))
        return module
    reloaded = []
    for m in [name] + _dependents(name):
        full = PACKAGE if m == "__init__" else f"{PACKAGE}.{m}"
        old = sys.modules.get(full)
        if old is None:
            continue
        old_items = dict(vars(old))
        new = importlib.reload(old)
        _loaded_hashes[m] = _digest(Path(new.__file__))
        reloaded.append((full, old_items, new))
    if namespace is not None:
        for full, old_items, new in reloaded:
            for key, value in list(namespace.items()):
                if key.startswith("_") or not (callable(value) and getattr(value, "__module__", None) == full):
                    continue
                qual = getattr(value, "__name__", None)
                if qual and old_items.get(qual) is value and hasattr(new, qual):
                    namespace[key] = getattr(new, qual)
    return sys.modules[modname]


def load(name: str):
    """nnlib.<name> as its file now reads: imported, or re-imported (with what depends on it) if the
    file changed since. Raises CheckFailure with a hint if it does not import or is missing."""
    __tracebackhide__ = True
    path = ROOT / PACKAGE / f"{name}.py"
    modname = PACKAGE if name == "__init__" else f"{PACKAGE}.{name}"
    rel = f"{PACKAGE}/{name}.py"
    if not path.is_file():
        raise CheckFailure(f"FAIL: {rel} does not exist: run the cell that writes it (notebook {OWNERS.get(name, '?')})")
    try:
        module = sys.modules.get(modname)
        if module is None:
            module = importlib.import_module(modname)
            _loaded_hashes[name] = _digest(path)
        elif _loaded_hashes.get(name) != _digest(path):
            module = refresh(name, namespace=_user_namespace())
    except SyntaxError as err:
        raise CheckFailure(f"FAIL: {rel} has a syntax error on line {err.lineno} ({err.msg}): fix the cell "
                           f"that writes it and run that cell again") from None
    except Exception as err:
        raise CheckFailure(f"FAIL: {rel} does not import ({type(err).__name__}: {err}): fix the cell that "
                           f"writes it and run that cell again") from None
    return module


def _user_namespace():
    try:
        return get_ipython().user_ns  # type: ignore[name-defined]  # noqa: F821
    except NameError:
        return None


# --- check cells -----------------------------------------------------------------------------------


def verdict(function) -> str:
    """Run a check function; return its "PASS: ..." or "FAIL: ..." line, whatever it raises."""
    try:
        result = function()
    except CheckFailure as failure:
        result = str(failure)
    except NotImplementedError:
        result = ("FAIL: your code still raises NotImplementedError: replace `raise NotImplementedError()` "
                  "in the exercise cell with your code and run that cell")
    except RecursionError:
        result = "FAIL: your code recurses without end: does a function call itself?"
    except Exception as err:  # whatever the student's code did, the check cell answers with a hint
        result = f"FAIL: your code raised {type(err).__name__}: {err}"
    if not isinstance(result, str) or not result.startswith(("PASS: ", "FAIL: ")):
        result = f"FAIL: the check could not decide (it returned {result!r})"
    return result


def check(function) -> None:
    """The end of every check cell: print the PASS line, or raise AssertionError("FAIL: <hint>")."""
    __tracebackhide__ = True
    result = verdict(function)
    if result.startswith("PASS: "):
        print(result)
        return
    raise AssertionError(result)


# --- the way back: reference modules ----------------------------------------------------------------


def _modules_of(names: list[str]) -> list[str]:
    out = []
    for n in names:
        n = n.removesuffix(".py").removeprefix(PACKAGE + "/")
        if n in OWNERS:
            out.append(n)
        elif re.fullmatch(r"\d\d", n):
            found = [m for m, owner in OWNERS.items() if owner.startswith(n + "_")]
            if not found:
                raise SystemExit(f"no notebook {n} writes an nnlib module")
            out += found
        else:
            raise SystemExit(f"unknown module {n!r}: one of {', '.join(sorted(OWNERS))}, or a notebook number such as 01")
    return out


def restore(*names: str, root: Path | str | None = None) -> list[Path]:
    """Copy reference/nnlib/<name>.py over nnlib/<name>.py for each module (or notebook number),
    keeping the current file in kept/<name>.<time>.py first. Returns the files kept."""
    root = Path(root).resolve() if root is not None else ROOT
    kept = []
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    for name in _modules_of(list(names)):
        source = root / "reference" / PACKAGE / f"{name}.py"
        target = root / PACKAGE / f"{name}.py"
        if not source.is_file():
            raise SystemExit(f"{source} is missing: the reference modules come with the handout or from your "
                             f"teacher after the deadline")
        if target.is_file():
            if target.read_bytes() == source.read_bytes():
                print(f"{PACKAGE}/{name}.py is already the reference version")
                continue
            keep = root / "kept" / f"{name}.{stamp}.py"
            keep.parent.mkdir(exist_ok=True)
            shutil.copy2(target, keep)
            kept.append(keep)
            print(f"{PACKAGE}/{name}.py: your version is kept in {keep.relative_to(root)}")
        target.parent.mkdir(exist_ok=True)
        shutil.copy2(source, target)
        print(f"{PACKAGE}/{name}.py: reference version restored (running notebook {OWNERS[name]} "
              f"again writes your cell's version back)")
    return kept


def status(root: Path | str | None = None) -> int:
    root = Path(root).resolve() if root is not None else ROOT
    _put_first_on_path(root)
    bad = 0
    for name, owner in OWNERS.items():
        problems = module_problems(name, root)
        bad += bool(problems)
        print(f"{owner:28} {PACKAGE}/{name + '.py':18} " + ("; ".join(problems) if problems else "ok"))
    return 1 if bad else 0


def main(argv: list[str]) -> int:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("status", help="which nnlib modules are done, stubs or broken")
    r = sub.add_parser("restore", help="put reference modules back (yours are kept in kept/)")
    r.add_argument("names", nargs="+", help="module names (activations) or notebook numbers (01)")
    args = parser.parse_args(argv)
    if args.command == "status":
        return status()
    restore(*args.names)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
