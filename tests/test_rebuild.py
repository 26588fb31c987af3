"""Delete nnlib/*.py, run the notebooks in order, and get the same nnlib/ back, byte for byte.

Runs on a copy of the repo in a temporary folder. An editable install of nnlib points at the
original tree, so each notebook also gets a last cell (in memory) that reports which nnlib its
kernel imported: every nnlib module must come from the copy, i.e. from the files its notebooks wrote.
"""

import shutil
import sys

import nbformat
import pytest
from nbformat.v4 import new_code_cell

from notebook_tools import (
    ROOT,
    WHICH_NNLIB_CELL,
    execute_notebook,
    imported_outside,
    missing_extra,
    package_files,
    read_notebook,
    series_notebooks,
    which_nnlib,
)

pytestmark = pytest.mark.slow

NOT_COPIED = shutil.ignore_patterns(
    ".git", ".venv", ".venv-*", "venv", "__pycache__", ".ipynb_checkpoints", ".pytest_cache", "*.egg-info", "build", "dist"
)


def test_notebooks_rebuild_nnlib(tmp_path):
    if not series_notebooks(ROOT):
        pytest.skip("notebooks/ has no [0-9][0-9]_*.ipynb yet: nothing rebuilds nnlib")
    copy = tmp_path / "repo"
    shutil.copytree(ROOT, copy, ignore=NOT_COPIED)
    for module in (copy / "nnlib").rglob("*.py"):
        module.unlink()

    for path in series_notebooks(copy):
        if missing_extra(path):  # writes no module (notebook 15): nothing to rebuild without its extra
            continue
        nb = read_notebook(path)
        nb.cells.append(new_code_cell(WHICH_NNLIB_CELL))
        try:
            execute_notebook(nb, cwd=path.parent, timeout=600)
        except Exception as err:  # nbclient's CellExecutionError names the cell and the traceback
            pytest.fail(f"{path.name} fails when run in order after deleting nnlib/*.py:\n{err}", pytrace=False)
        outside = imported_outside(which_nnlib(nb), copy)
        assert not outside, (
            f"{path.name} imported nnlib from outside the rebuilt copy (first cell must be "
            f"`sys.path.insert(0, str(pathlib.Path.cwd().parent))`):\n" + "\n".join(outside)
        )

    original, rebuilt = package_files(ROOT / "nnlib"), package_files(copy / "nnlib")
    missing, extra = sorted(original.keys() - rebuilt.keys()), sorted(rebuilt.keys() - original.keys())
    assert not missing, f"in nnlib/ but written by no notebook: {missing}"
    assert not extra, f"written by the notebooks but not in nnlib/: {extra}"
    differ = [name for name in original if rebuilt[name] != original[name]]
    assert not differ, f"rebuilt nnlib files differ from the committed ones: {differ}"


def test_which_nnlib_cell_sees_an_import_from_outside(tmp_path):
    """The guard itself: a kernel that imports nnlib from elsewhere is caught."""
    (tmp_path / "elsewhere" / "nnlib").mkdir(parents=True)
    (tmp_path / "elsewhere" / "nnlib" / "__init__.py").write_text("")
    (tmp_path / "elsewhere" / "nnlib" / "sub.py").write_text("")
    (tmp_path / "copy").mkdir()
    nb = nbformat.v4.new_notebook(cells=[
        new_code_cell("import sys\nsys.path.insert(0, '../elsewhere')\nimport nnlib.sub"),
        new_code_cell(WHICH_NNLIB_CELL),
    ])
    execute_notebook(nb, cwd=tmp_path / "copy", timeout=60)
    report = which_nnlib(nb)
    assert report["executable"] == sys.executable  # the kernel runs this very interpreter
    assert len(imported_outside(report, tmp_path / "copy")) == 4  # __file__, __path__[0], 2 modules
    assert imported_outside(report, tmp_path) == []
