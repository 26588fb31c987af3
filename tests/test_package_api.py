"""nnlib's public API: every module lists its public functions and classes in __all__, and the
package reaches each of them, and each module, lazily (PEP 562) without importing anything at
`import nnlib` (notebook 00 writes __init__.py before any other module exists)."""

import ast
import importlib
import json
import subprocess
import sys

import pytest

import nnlib
from notebook_tools import ROOT

MODULES = sorted(p.stem for p in (ROOT / "nnlib").glob("*.py") if p.stem != "__init__")


def public_definitions(module_name):
    """The functions and classes a module defines at its top level, not starting with _."""
    tree = ast.parse((ROOT / "nnlib" / f"{module_name}.py").read_text(encoding="utf-8"))
    return [n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef)) and not n.name.startswith("_")]


@pytest.mark.parametrize("module_name", MODULES)
def test_all_lists_exactly_the_public_functions_and_classes(module_name):
    module = importlib.import_module(f"nnlib.{module_name}")
    assert hasattr(module, "__all__"), f"nnlib/{module_name}.py has no __all__: add it after the imports"
    assert len(set(module.__all__)) == len(module.__all__), module.__all__
    assert sorted(module.__all__) == sorted(public_definitions(module_name)), (
        f"nnlib/{module_name}.py: __all__ should list its public functions and classes (edit its notebook cell)")


def test_no_public_name_is_in_two_modules():
    """Nor is it another module's name. A function named like its own module (softmax.softmax) is
    reached as nnlib.softmax.softmax: nnlib.softmax is the module, as Python binds it on import."""
    owner = {}
    for module_name in MODULES:
        for name in importlib.import_module(f"nnlib.{module_name}").__all__:
            assert name not in owner, (name, owner[name], module_name)
            assert name not in MODULES or name == module_name, (name, module_name)
            owner[name] = module_name


def test_every_public_name_and_module_is_reachable_from_the_package():
    for module_name in MODULES:
        module = importlib.import_module(f"nnlib.{module_name}")
        assert getattr(nnlib, module_name) is module
        for name in module.__all__:
            expected = module if name == module_name else getattr(module, name)
            assert getattr(nnlib, name) is expected, name
    assert set(MODULES) <= set(dir(nnlib))
    assert {"mlp", "Adam", "load_dataset", "accuracy", "__version__"} <= set(dir(nnlib))


def test_unknown_names_raise_attribute_error():
    with pytest.raises(AttributeError, match="module 'nnlib' has no attribute 'no_such_thing'"):
        nnlib.no_such_thing  # noqa: B018
    assert not hasattr(nnlib, "_private")
    assert not hasattr(nnlib, "__wrapped__")


def test_import_nnlib_imports_no_module_until_one_is_used():
    code = """
import json, sys
import nnlib
before = sorted(m for m in sys.modules if m.startswith("nnlib."))
mlp = nnlib.mlp
after = sorted(m for m in sys.modules if m.startswith("nnlib."))
print(json.dumps([before, after, nnlib.mlp is nnlib.model.mlp, type(nnlib.data).__name__]))
"""
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    before, after, same, kind = json.loads(result.stdout)
    assert before == [] and "nnlib.model" in after and same and kind == "module", result.stdout


def test_a_package_whose_modules_come_later(tmp_path):
    """What notebook 00 writes works before the other modules exist, and finds them once written."""
    package = tmp_path / "nnlib"
    package.mkdir()
    (package / "__init__.py").write_bytes((ROOT / "nnlib" / "__init__.py").read_bytes())
    code = """
import sys
sys.path.insert(0, sys.argv[1])
import nnlib
assert dir(nnlib) and not hasattr(nnlib, "relu")
(nnlib_dir := __import__("pathlib").Path(sys.argv[1]) / "nnlib" / "late.py").write_text(
    "__all__ = ['relu']\\n\\n\\ndef relu(z):\\n    return max(z, 0)\\n")
import importlib; importlib.invalidate_caches()
print(nnlib.relu(-2), nnlib.late.relu(3), "late" in dir(nnlib))
"""
    result = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["0", "3", "True"]
