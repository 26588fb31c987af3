"""The committed notebooks carry their outputs (nbval has nothing to compare in a stripped notebook):
code-cell execution counts are 1..n, and every cell that shows something has a stored output."""

import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from notebook_tools import all_notebooks, execution_problems, needs_output, read_notebook, strip_outputs

NOTEBOOKS = all_notebooks()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_was_run_and_saved_with_outputs(path):
    """Each notebook (no notebooks yet: pytest reports this test as skipped, 'empty parameter set')."""
    problems = execution_problems(path.name, read_notebook(path))
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_kernelspec_is_ipykernels_own(path):
    """JupyterLab rewrites a kernelspec that differs from the installed kernel's, so a notebook that
    says "Python 3" opens as modified and a save changes the committed file."""
    from ipykernel.kernelspec import KERNEL_NAME, get_kernel_dict

    spec = read_notebook(path).metadata.get("kernelspec", {})
    expected = {"name": KERNEL_NAME, "display_name": get_kernel_dict()["display_name"], "language": "python"}
    assert dict(spec) == expected, f"{path.name}: kernelspec {dict(spec)}, expected {expected}"


def executed():
    """A small notebook as `restart kernel and run all` leaves it."""
    stream = lambda text: new_output("stream", name="stdout", text=text)  # noqa: E731
    result = lambda text, n: new_output("execute_result", data={"text/plain": text}, execution_count=n)  # noqa: E731
    cells = [
        ("import sys, pathlib\nsys.path.insert(0, str(pathlib.Path.cwd().parent))", []),
        ("%%writefile ../nnlib/x.py\nX = 2\n", [stream("Writing ../nnlib/x.py\n")]),
        ("import numpy as np\nfrom nnlib.x import X", []),
        ("print(X)", [stream("2\n")]),
        ("def report(z):\n    print(z)", []),  # print inside a def: nothing is shown yet
        ("np.random.default_rng(0).shuffle(np.arange(3))", []),  # a call that returns None
        ("X * 2", [result("4", 7)]),
        ("X * 3;", []),  # silenced
        ("%config InlineBackend.figure_formats = ['png']", []),
        ("for i in range(2):\n    print(i)", [stream("0\n1\n")]),
    ]
    nb = new_notebook(cells=[new_markdown_cell("# title")])
    for n, (source, outputs) in enumerate(cells, start=1):
        nb.cells.append(new_code_cell(source, execution_count=n, outputs=outputs))
    return nb


def test_checker_accepts_an_executed_notebook():
    assert execution_problems("x.ipynb", executed()) == []


def test_checker_reports_stripped_notebooks():
    """A stripped notebook fails: the synthetic one, and each committed one (stripped in memory)."""
    notebooks = [("synthetic.ipynb", executed())] + [(p.name, read_notebook(p)) for p in NOTEBOOKS]
    for name, nb in notebooks:
        if not any(c.cell_type == "code" for c in nb.cells):
            continue
        assert execution_problems(name, strip_outputs(nb)), f"{name}: stripped, yet accepted"
        assert execution_problems(name, strip_outputs(nb, keep_counts=True)), f"{name}: outputs stripped, yet accepted"


def test_checker_reports_wrong_execution_counts():
    nb = executed()
    nb.cells[3].execution_count = 12
    [problem] = execution_problems("x.ipynb", nb)
    assert "execution counts are [1, 2, 12, 4," in problem
    nb.cells[3].execution_count = None
    assert execution_problems("x.ipynb", nb)


@pytest.mark.parametrize("k", [2, 4, 7, 10])
def test_checker_reports_one_missing_output(k):
    nb = executed()
    nb.cells[k].outputs = []
    [problem] = execution_problems("x.ipynb", nb)
    assert f"code cell {k} " in problem and "has no stored output" in problem


@pytest.mark.parametrize(
    "source",
    [
        "%%writefile ../nnlib/x.py\nX = 1",
        "print('cost', 0.5)",
        "display(fig)",
        "plt.plot(x)\nplt.show()",
        "for e in range(3):\n    if e % 2:\n        print(e)",
        "x = 1\nx",
        "model.params['W1'].shape",
        "a, b",
        "x  # a comment",
        "if True:\n    print('not in a def')",
        "%matplotlib inline\nx + 1",
        "%timeit f()\nprint(1)",
    ],
)
def test_needs_output(source):
    assert needs_output(source)


@pytest.mark.parametrize(
    "source",
    [
        "x = 1",
        "def f():\n    print(1)",
        "class A:\n    def show(self):\n        plt.show()",
        "f = lambda: print(1)",
        "rng.shuffle(x)",
        "x;",
        "plt.plot(x);",
        "x;  # silenced, comment and all",
        "for i in range(3):\n    x = i\nx;",
        "%config InlineBackend.figure_formats = ['png']",
        "# print(x)",
        "s = 'print(x)'",
        "import numpy as np",
        "",
    ],
)
def test_needs_no_output(source):
    assert not needs_output(source)
