"""`make student`: scripts/make_student.py, run into a temporary folder, leaves no solution text in
the student notebooks or the nnlib/ they come with, stubs every solution region, clears the outputs,
and changes nothing else. The slow test runs the student notebooks: every check cell says FAIL with
a hint, none says PASS, and the first error is a stub's NotImplementedError."""

import sys

import pytest

from notebook_tools import ROOT, all_notebooks, read_notebook
from test_exercises import BEGIN, END, is_check, is_solution, regions

pytest.importorskip("nbgrader", reason="the classroom extra is not installed (make student installs it)")
sys.path.insert(0, str(ROOT / "scripts"))
import make_student  # noqa: E402

NOTEBOOKS = all_notebooks()
STUB = "raise NotImplementedError()"
TEXT_STUB = "YOUR ANSWER HERE"


@pytest.fixture(scope="module")
def student(tmp_path_factory):
    out = tmp_path_factory.mktemp("student")
    make_student.make_student(NOTEBOOKS, out)
    return out


def solution_lines(nb) -> set[str]:
    """Lines (stripped, 8+ characters) inside solution regions that appear nowhere outside them."""
    inside, outside = set(), set()
    for cell in nb.cells:
        found = regions(cell.source)
        region_lines = {line.strip() for r in found for line in r}
        inside |= region_lines
        depth = False
        for line in cell.source.split("\n"):
            if BEGIN in line:
                depth = True
            elif END in line:
                depth = False
            elif not depth:
                outside.add(line.strip())
    return {line for line in inside - outside if len(line) >= 8}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_no_solution_text_left(student, path):
    solution = read_notebook(path)
    hidden = solution_lines(solution)
    stud = read_notebook(student / "notebooks" / path.name)
    text = "\n".join(c.source for c in stud.cells)
    modules = "\n".join(p.read_text() for p in sorted((student / "nnlib").glob("*.py")))
    leaked = sorted(line for line in hidden if any(line == l.strip() for l in (text + "\n" + modules).split("\n")))
    assert not leaked, f"{path.name}: solution lines left in the student version:\n" + "\n".join(leaked)
    assert BEGIN not in text and END not in text and BEGIN not in modules


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_stubs_replace_the_regions_and_nothing_else_changes(student, path):
    solution = read_notebook(path)
    stud = read_notebook(student / "notebooks" / path.name)
    assert len(stud.cells) == len(solution.cells)
    for k, (s, t) in enumerate(zip(solution.cells, stud.cells)):
        n = len(regions(s.source))
        if n:
            stub = STUB if s.cell_type == "code" else TEXT_STUB
            assert t.source.count(stub) == n, f"{path.name}, cell {k}: {n} regions but {t.source.count(stub)} stubs"
        elif is_solution(s):
            assert t.source.strip().endswith(STUB if s.cell_type == "code" else TEXT_STUB)
        else:
            assert t.source == s.source, f"{path.name}, cell {k}: changed, but it holds no solution"
        if t.cell_type == "code":
            assert t.outputs == [] and t.execution_count is None, f"{path.name}, cell {k}: outputs left"
            assert not t.metadata.get("jupyter", {}).get("source_hidden"), f"{path.name}, cell {k}: still collapsed"


def test_student_tree_is_runnable_as_laid_out(student):
    written = {p.name for p in (student / "nnlib").glob("*.py")}
    assert written == {p.name for p in (ROOT / "nnlib").glob("*.py")}, "student/nnlib/ must hold every module"
    for name in ["digits.h5", "mnist_5k.h5", "mnist1d.h5"]:
        assert (student / "data" / name).read_bytes() == (ROOT / "data" / name).read_bytes()
    for path in NOTEBOOKS:
        stud = read_notebook(student / "notebooks" / path.name)
        for target, text in make_student.writefile_targets(student / "notebooks" / path.name, stud).items():
            assert target.read_text() == text


def test_make_student_refuses_unmarked_solution_cells(tmp_path):
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook

    nb = new_notebook(cells=[new_code_cell("### BEGIN SOLUTION\nx = 1\n### END SOLUTION")])
    nb.metadata["kernelspec"] = {"language": "python", "name": "python3", "display_name": "Python 3"}
    (tmp_path / "notebooks").mkdir()
    nbformat.write(nb, tmp_path / "notebooks" / "x.ipynb")
    with pytest.raises(RuntimeError, match="Solution region detected in a non-solution cell"):
        make_student.make_student([tmp_path / "notebooks" / "x.ipynb"], tmp_path / "out")


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_student_notebook_runs_and_its_checks_say_fail(student, path):
    from nbclient import NotebookClient
    from nbformat.v4 import new_code_cell

    from notebook_tools import WHICH_NNLIB_CELL, CurrentEnvKernelManager, imported_outside, which_nnlib

    nb = read_notebook(student / "notebooks" / path.name)
    nb.cells.append(new_code_cell(WHICH_NNLIB_CELL))
    NotebookClient(nb, kernel_name="python3", kernel_manager_class=CurrentEnvKernelManager, timeout=600,
                   allow_errors=True, resources={"metadata": {"path": str(student / "notebooks")}}).execute()
    assert not imported_outside(which_nnlib(nb), student), "the student notebook imported the solution nnlib"
    checks = [c for c in nb.cells if is_check(c)]
    assert checks
    for cell in checks:
        text = "".join(o.get("text", "") for o in cell.outputs if o.get("name") == "stdout")
        errors = [o for o in cell.outputs if o.output_type == "error"]
        assert not errors, f"{path.name}: a check cell raised {errors[0].ename}: it should say FAIL instead"
        assert text.startswith("FAIL: ") and "PASS" not in text, f"{path.name}: check cell printed {text!r}"
    errors = [(c, o) for c in nb.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert errors, f"{path.name}: the student version ran without hitting a stub"
    cell, first = errors[0]  # later cells may fail in other ways, for want of the exercise's result
    assert first.ename == "NotImplementedError", f"{path.name}: first error {first.ename}: {first.evalue} in\n{cell.source[:300]}"
