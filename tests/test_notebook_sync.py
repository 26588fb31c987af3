"""nnlib/ is exactly what the notebooks' %%writefile cells write (static: no kernel).

One module, one owner: each nnlib/*.py is written whole by one `%%writefile ../nnlib/<module>.py`
cell on line 1 of a code cell, no appends, and the file equals the cell's body byte for byte.
The checker itself is tested below on synthetic notebooks, so this cannot pass vacuously.
"""

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from notebook_tools import (
    ROOT,
    ipython_writefile_text,
    read_notebook,
    series_notebooks,
    sync_problems,
    whitespace_only_lines,
    writefile_text,
)


def test_nnlib_matches_its_writefile_cells():
    notebooks = [(p, read_notebook(p)) for p in series_notebooks()]
    problems = sync_problems(notebooks, ROOT)
    if problems:
        pytest.fail("notebooks and nnlib/ disagree:\n" + "\n".join(problems), pytrace=False)


# --- the checker, on synthetic notebooks in a temporary tree ---------------------------------


def notebook(*sources):
    return new_notebook(cells=[new_markdown_cell("# a notebook")] + [new_code_cell(s) for s in sources])


INIT = '%%writefile ../nnlib/__init__.py\n"""Docstring."""\n\n__version__ = "0.1.0"'
ACT = "%%writefile ../nnlib/activations.py\nimport numpy as np\n\n\ndef relu(z):\n    return np.maximum(0, z)\n"


@pytest.fixture
def tree(tmp_path):
    """A repo with notebooks/ and an nnlib/ that agrees with the two notebooks `good` returns."""
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "nnlib").mkdir()
    (tmp_path / "nnlib" / "__init__.py").write_text('"""Docstring."""\n\n__version__ = "0.1.0"\n')
    (tmp_path / "nnlib" / "activations.py").write_text(ACT.partition("\n")[2])
    return tmp_path


def good(tree):
    nbs = tree / "notebooks"
    return [
        (nbs / "00_a.ipynb", notebook("import sys, pathlib", INIT, "import nnlib\nnnlib.__version__")),
        (nbs / "01_b.ipynb", notebook(ACT, "from nnlib.activations import relu\nprint(relu(-1))")),
    ]


def test_checker_accepts_a_tree_in_sync(tree):
    assert sync_problems(good(tree), tree) == []


def test_checker_reports_a_changed_module(tree):
    (tree / "nnlib" / "activations.py").write_text(ACT.partition("\n")[2].replace("0, z", "0.0, z"))
    assert_one(sync_problems(good(tree), tree), "nnlib/activations.py differs from its %%writefile cell")


def test_checker_reports_a_missing_final_newline_or_an_extra_one(tree):
    init = tree / "nnlib" / "__init__.py"
    init.write_bytes(init.read_bytes().rstrip(b"\n"))
    assert_one(sync_problems(good(tree), tree), "nnlib/__init__.py differs")
    init.write_bytes(init.read_bytes() + b"\n\n")
    assert_one(sync_problems(good(tree), tree), "nnlib/__init__.py differs")


def test_checker_reports_a_missing_module(tree):
    (tree / "nnlib" / "activations.py").unlink()
    assert_one(sync_problems(good(tree), tree), "nnlib/activations.py is missing")


def test_checker_reports_a_second_writer(tree):
    nbs = good(tree)
    nbs.append((tree / "notebooks" / "02_c.ipynb", notebook(ACT)))
    assert_one(sync_problems(nbs, tree), "nnlib/activations.py has two writers: 01_b.ipynb (code cell 1) and 02_c.ipynb")


def test_checker_reports_an_append(tree):
    nbs = good(tree)
    nbs.append((tree / "notebooks" / "02_c.ipynb", notebook("%%writefile -a ../nnlib/activations.py\n\nX = 1\n")))
    assert_one(sync_problems(nbs, tree), "02_c.ipynb, code cell 1: '%%writefile -a ../nnlib/activations.py': no -a/--append")
    nbs[-1] = (nbs[-1][0], notebook("%%writefile --append ../nnlib/activations.py\nX = 1\n"))
    assert_one(sync_problems(nbs, tree), "no -a/--append")


def test_checker_reports_an_orphan_module(tree):
    (tree / "nnlib" / "layers.py").write_text("X = 1\n")
    (tree / "nnlib" / "__pycache__").mkdir()
    (tree / "nnlib" / "__pycache__" / "stale.py").write_text("")  # caches are not modules
    assert_one(sync_problems(good(tree), tree), "nnlib/layers.py is written by no notebook")


def test_checker_reports_a_writefile_not_on_line_one(tree):
    nbs = good(tree)
    nbs.append((tree / "notebooks" / "02_c.ipynb", notebook("# the library's next module\n%%writefile ../nnlib/x.py\nX = 1")))
    assert_one(sync_problems(nbs, tree), "02_c.ipynb, code cell 1: %%writefile appears but not at the very start")


@pytest.mark.parametrize("written", ["shown", "by this IPython"])
def test_checker_reports_whitespace_that_depends_on_the_ipython_version(tree, written):
    """IPython 9 empties a line of spaces, IPython 8 keeps it: whichever file is on disk, one problem."""
    nbs = good(tree)
    src = "%%writefile ../nnlib/x.py\ndef f():\n    x = 1\n    \n    return x\n"
    body = src.partition("\n")[2] if written == "shown" else ipython_writefile_text(src)
    (tree / "nnlib" / "x.py").write_text(body)
    nbs.append((tree / "notebooks" / "02_c.ipynb", notebook(src)))
    assert_one(sync_problems(nbs, tree), "02_c.ipynb, code cell 1: line 4 of the cell holds only spaces or tabs")


def test_ipython_writefile_text_follows_the_installed_ipython():
    import IPython

    src = "%%writefile ../nnlib/x.py\ndef f():\n    x = 1\n    \n    return x\n"
    kept = "def f():\n    x = 1\n    \n    return x\n"
    emptied = "def f():\n    x = 1\n\n    return x\n"
    assert ipython_writefile_text(src) == (emptied if int(IPython.__version__.split(".")[0]) >= 9 else kept)


def test_whitespace_only_lines():
    assert whitespace_only_lines("a\n  \nb\n\t\n\n x\n") == [2, 4]
    assert whitespace_only_lines("%%writefile x.py\nx = 1  \n\ny = 2\n") == []


def test_checker_resolves_targets_relative_to_the_notebook(tree):
    nbs = good(tree)
    nbs[1] = (nbs[1][0], notebook(ACT.replace("../nnlib/", "../notebooks/../nnlib/")))
    assert sync_problems(nbs, tree) == []
    nbs[1] = (nbs[1][0], notebook(ACT.replace("../nnlib/", "nnlib/")))  # notebooks/nnlib/...: wrong place
    problems = sync_problems(nbs, tree)
    assert any("notebooks/nnlib/activations.py is missing" in p for p in problems), problems
    assert any("nnlib/activations.py is written by no notebook" in p for p in problems), problems


def test_checker_reads_real_notebook_files(tree):
    for path, nb in good(tree):
        nbformat.write(nb, path)
    assert sync_problems([(p, read_notebook(p)) for p in series_notebooks(tree)], tree) == []
    (tree / "nnlib" / "__init__.py").write_text("")
    assert len(sync_problems([(p, read_notebook(p)) for p in series_notebooks(tree)], tree)) == 1


def assert_one(problems, expected):
    assert len(problems) == 1 and expected in problems[0], problems


# --- what %%writefile writes -----------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    ["x = 1", "x = 1\n", "x = 1\n\n\n", "\n\nx = 1", "\tx = 1  \ny = 2", "s = 'σ é'\n", "def f():\n    return 1"],
)
def test_writefile_rule_is_what_ipython_writes(body):
    source = "%%writefile ../nnlib/x.py\n" + body
    assert writefile_text(source) == ipython_writefile_text(source) == (body if body.endswith("\n") else body + "\n")


@pytest.mark.slow
def test_writefile_rule_matches_a_real_kernel(tmp_path):
    """Run %%writefile cells in a real kernel and compare the files with writefile_text()."""
    from notebook_tools import execute_notebook

    bodies = {"a.py": "x = 1", "b.py": "x = 1\n", "c.py": "x = 1\n\n\n", "d.py": "s = 'σ'\n\ty = 2  "}
    nb = notebook(*[f"%%writefile out/{name}\n{body}" for name, body in bodies.items()])
    (tmp_path / "out").mkdir()
    execute_notebook(nb, cwd=tmp_path, timeout=60)
    for name, cell in zip(bodies, nb.cells[1:]):
        assert (tmp_path / "out" / name).read_bytes() == writefile_text(cell.source).encode("utf-8")
        assert [o.get("text") for o in cell.outputs] == [f"Writing out/{name}\n"]
