"""`make student`: scripts/make_student.py, run into a temporary folder, leaves no solution text in
the student notebooks or the nnlib/ they come with, stubs every solution region, clears the outputs,
and changes nothing else; the handout carries coursekit.py, its README and (by default) the reference
modules. The slow test runs the student notebooks, each after `coursekit.restore` of the earlier
modules it needs (what the first cell tells a student to do): every check cell fails with an
AssertionError "FAIL: <hint>", none says PASS, and the first error is a stub's NotImplementedError or
such a FAIL."""

import sys

import pytest

from notebook_tools import ROOT, all_notebooks, read_notebook
from test_exercises import BEGIN, END, is_check, is_solution, regions

pytest.importorskip("nbgrader", reason="the classroom extra is not installed (make student installs it)")
sys.path.insert(0, str(ROOT / "scripts"))
import make_student  # noqa: E402

sys.path.insert(0, str(ROOT))

NOTEBOOKS = all_notebooks()
STUB = "raise NotImplementedError()"
TEXT_STUB = "YOUR ANSWER HERE"


@pytest.fixture(scope="module")
def student(tmp_path_factory):
    out = tmp_path_factory.mktemp("student")
    make_student.make_student(NOTEBOOKS, out)
    return out


def solution_lines(nb) -> set[str]:
    """Lines (stripped, 8+ characters) inside solution regions that appear nowhere outside them
    (in this notebook, or in any other: see OUTSIDE_EVERY_REGION)."""
    inside = {line.strip() for cell in nb.cells for r in regions(cell.source) for line in r}
    return {line for line in inside - _lines_outside_regions(nb) - OUTSIDE_EVERY_REGION if len(line) >= 8}


def _lines_outside_regions(nb):
    """The stripped lines of every cell that are not inside a solution region."""
    lines = set()
    for cell in nb.cells:
        depth = False
        for line in cell.source.split("\n"):
            if BEGIN in line:
                depth = True
            elif END in line:
                depth = False
            elif not depth:
                lines.add(line.strip())
    return lines


# A line that some notebook shows outside any solution region (conv.py's `return dA_prev, dW, db`, say)
# gives nothing away when it also ends a solution elsewhere.
OUTSIDE_EVERY_REGION = set().union(*(_lines_outside_regions(read_notebook(p)) for p in NOTEBOOKS))


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


def test_handout_has_readme_coursekit_and_the_chosen_reference(student, tmp_path):
    readme = (student / "README.md").read_text()
    for needed in ("python coursekit.py restore", "FAIL: <hint>", "What to hand in", "01_single_neuron.ipynb",
                   "pip install -r requirements.txt"):
        assert needed in readme, f"student README lacks {needed!r}"
    assert "numpy" in (student / "requirements.txt").read_text()
    assert "{{" not in readme
    assert (student / "coursekit.py").read_bytes() == (ROOT / "coursekit.py").read_bytes()
    ref = {p.name for p in (student / "reference" / "nnlib").glob("*.py")}
    assert ref == {p.name for p in (ROOT / "nnlib").glob("*.py")}
    for p in (student / "reference" / "nnlib").glob("*.py"):
        assert BEGIN not in p.read_text() and "NotImplementedError()" not in p.read_text()
    make_student.make_student(NOTEBOOKS[:2], tmp_path / "none", reference="none")
    assert not (tmp_path / "none" / "reference").exists()
    assert "releases them after each deadline" in (tmp_path / "none" / "README.md").read_text()
    assert make_student.main(["--out", str(tmp_path / "none"), "--release-reference", "01"]) == 0
    assert {p.stem for p in (tmp_path / "none" / "reference" / "nnlib").glob("*.py")} == {"activations", "losses"}


def test_rebuilding_over_a_handout_keeps_the_students_work(tmp_path):
    out = tmp_path / "handout"
    make_student.make_student(NOTEBOOKS[1:2], out, reference="none")
    mine = out / "nnlib" / "activations.py"
    mine.write_text(mine.read_text() + "# my work\n")
    make_student.make_student(NOTEBOOKS[1:2], out, reference="none")
    kept = list((out / "kept").rglob("activations.py"))
    assert len(kept) == 1 and kept[0].read_text().endswith("# my work\n")


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

    import coursekit

    coursekit.restore(*coursekit.dependencies(path.stem, student), root=student)  # what the first cell asks for
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
        assert "PASS" not in text, f"{path.name}: a check passed on the stub: {text!r}"
        assert len(errors) == 1 and errors[0].ename == "AssertionError" and errors[0].evalue.startswith("FAIL: "), (
            f"{path.name}: a check cell must fail with AssertionError('FAIL: <hint>'), got "
            f"{[(o.ename, o.evalue) for o in errors]}")
    errors = [(c, o) for c in nb.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert errors, f"{path.name}: the student version ran without hitting a stub"
    cell, first = errors[0]  # later cells may fail in other ways, for want of the exercise's result
    assert first.ename == "NotImplementedError" or (first.ename == "AssertionError" and "NotImplementedError" in first.evalue), (
        f"{path.name}: first error {first.ename}: {first.evalue} in\n{cell.source[:300]}")
