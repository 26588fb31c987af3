"""The exercises of the committed notebooks are ready for `make student` and `make course` (no kernel,
no nbgrader).

Every solution region is delimited by nbgrader's markers inside a cell that nbgrader's metadata marks
as a solution cell; every code exercise is followed by a check cell (nbgrader `grade: true` with
points, tag `check`, locked) that ends with `coursekit.check(<function>)` (PASS printed, FAIL raised
as an AssertionError: what nbgrader's autograder counts), and in the committed notebooks each check
cell printed one line starting "PASS: " (nbval then checks that a fresh run prints the same). A
written answer (a markdown solution cell) is a manually graded cell with points, or nbgrader's
generate_assignment refuses the notebook. The cases each check must tell apart are in
tests/test_exercise_variants.py."""

import pytest

from notebook_tools import all_notebooks, read_notebook

NOTEBOOKS = all_notebooks()
BEGIN, END = "BEGIN SOLUTION", "END SOLUTION"


def regions(source: str) -> list[list[str]]:
    """The lines inside each solution region of a cell source (markers excluded)."""
    found, current = [], None
    for line in source.split("\n"):
        if BEGIN in line:
            assert current is None, "nested BEGIN SOLUTION"
            current = []
        elif END in line:
            assert current is not None, "END SOLUTION without BEGIN SOLUTION"
            found.append(current)
            current = None
        elif current is not None:
            current.append(line)
    assert current is None, "BEGIN SOLUTION without END SOLUTION"
    return found


def is_solution(cell) -> bool:
    return bool(cell.metadata.get("nbgrader", {}).get("solution"))


def is_check(cell) -> bool:
    return cell.cell_type == "code" and bool(cell.metadata.get("nbgrader", {}).get("grade"))


def exercise_problems(name: str, nb) -> list[str]:
    problems, ids, pending = [], set(), None
    for k, cell in enumerate(nb.cells):
        where = f"{name}, cell {k}"
        try:
            found = regions(cell.source)
        except AssertionError as err:
            problems.append(f"{where}: {err}")
            continue
        meta = cell.metadata.get("nbgrader")
        if meta:
            if meta.get("grade_id") in ids:
                problems.append(f"{where}: nbgrader grade_id {meta.get('grade_id')!r} is used twice")
            ids.add(meta.get("grade_id"))
        if found and not is_solution(cell):
            problems.append(f"{where}: has a solution region but no nbgrader metadata with \"solution\": true")
        if is_solution(cell) and not found and cell.cell_type == "code" and "%%writefile" in cell.source:
            problems.append(f"{where}: a %%writefile solution cell must mark its region (the whole cell would be stubbed)")
        if cell.cell_type == "code" and is_solution(cell):
            if pending is not None:
                problems.append(f"{name}, cell {pending}: a code exercise with no check cell after it")
            pending = k
        if cell.cell_type == "markdown" and is_solution(cell):
            if not meta.get("grade") or not meta.get("points"):
                problems.append(f"{where}: a written answer must be a manually graded cell: nbgrader metadata "
                                f"\"grade\": true and \"points\" > 0 (generate_assignment refuses it otherwise)")
        if is_check(cell):
            if not meta.get("points") or not meta.get("locked"):
                problems.append(f"{where}: a check cell needs \"points\" > 0 and \"locked\": true")
            last = cell.source.rstrip().splitlines()[-1] if cell.source.strip() else ""
            if not last.startswith("coursekit.check("):
                problems.append(f"{where}: a check cell must end with coursekit.check(<check function>), which "
                                f"raises AssertionError('FAIL: ...') on a wrong answer; it ends with {last!r}")
            if "check" not in cell.metadata.get("tags", []):
                problems.append(f"{where}: a check cell should carry the tag 'check'")
            text = "".join(o.get("text", "") for o in cell.get("outputs", []) if o.get("name") == "stdout")
            if not text.startswith("PASS: ") or text.count("\n") != 1:
                problems.append(f"{where}: a check cell must print one line starting 'PASS: ' in the committed notebook, got {text!r}")
            pending = None
    if pending is not None:
        problems.append(f"{name}, cell {pending}: a code exercise with no check cell after it")
    return problems


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_exercises_have_markers_metadata_and_passing_checks(path):
    problems = exercise_problems(path.name, read_notebook(path))
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_every_notebook_has_a_checked_exercise(path):
    """Each notebook has at least one code exercise and one check cell."""
    nb = read_notebook(path)
    assert any(is_check(c) for c in nb.cells), f"{path.name} has no check cell"
    assert any(is_solution(c) and c.cell_type == "code" for c in nb.cells), f"{path.name} has no code exercise"


def test_checker_reports_problems():
    from nbformat.v4 import new_code_cell, new_notebook, new_output

    sol = new_code_cell("### BEGIN SOLUTION\nx = 1\n### END SOLUTION")
    sol.metadata["nbgrader"] = {"solution": True, "grade": False, "grade_id": "x"}
    check = new_code_cell("coursekit.check(lambda: 'PASS: x')", outputs=[new_output("stream", name="stdout", text="PASS: x\n")])
    check.metadata["nbgrader"] = {"solution": False, "grade": True, "grade_id": "check-x", "points": 1, "locked": True}
    check.metadata["tags"] = ["check"]
    assert exercise_problems("n", new_notebook(cells=[sol, check])) == []
    assert "no check cell after it" in exercise_problems("n", new_notebook(cells=[sol]))[0]
    bare = new_code_cell(sol.source)
    assert "no nbgrader metadata" in exercise_problems("n", new_notebook(cells=[bare]))[0]
    unclosed = new_code_cell("### BEGIN SOLUTION\nx = 1")
    assert "without END SOLUTION" in exercise_problems("n", new_notebook(cells=[unclosed]))[0]
    check.outputs = [new_output("stream", name="stdout", text="FAIL: x\n")]
    assert "PASS" in exercise_problems("n", new_notebook(cells=[sol, check]))[0]
    check.outputs = [new_output("stream", name="stdout", text="PASS: x\n")]
    check.source = "print('PASS: x')"
    assert "coursekit.check" in exercise_problems("n", new_notebook(cells=[sol, check]))[0]
    from nbformat.v4 import new_markdown_cell

    answer = new_markdown_cell("<!-- ### BEGIN SOLUTION -->\nx\n<!-- ### END SOLUTION -->")
    answer.metadata["nbgrader"] = {"solution": True, "grade": False, "grade_id": "a"}
    assert "manually graded" in exercise_problems("n", new_notebook(cells=[answer]))[0]
