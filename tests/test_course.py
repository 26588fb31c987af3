"""The course machinery (coursekit.py, scripts/make_course.py, the student handout):

- coursekit.OWNERS is what the notebooks' %%writefile cells say, and every notebook starts with the set-up cell;
- the set-up finds the tree wherever the kernel starts inside it (00 and 05 from the root and from notebooks/);
- an unfinished earlier exercise stops a later notebook at its first cell, with the function, its notebook and the
  restore command; after `python coursekit.py restore`, the notebook runs to the end; the student's version is kept;
- "fix, re-run the check, run the rest" in one kernel for 01 runs the new code everywhere (no stale module);
- the nbgrader course: every assignment generates, and autograding three submissions of 01 gives the scores a
  teacher expects, with a complete solution nnlib on PYTHONPATH that grading must not use.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from notebook_tools import ROOT, CurrentEnvKernelManager, all_notebooks, read_notebook

sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))
import coursekit  # noqa: E402

NOTEBOOKS = all_notebooks()
STUB = "# YOUR CODE HERE\nraise NotImplementedError()"


def stubbed(module_text: str) -> str:
    """A module with each solution region replaced by nbgrader's stub (as the student gets it)."""
    out, skipping = [], False
    for line in module_text.splitlines(keepends=True):
        if "### BEGIN SOLUTION" in line:
            indent = line[: len(line) - len(line.lstrip())]
            out += [indent + "# YOUR CODE HERE\n", indent + "raise NotImplementedError()\n"]
            skipping = True
        elif "### END SOLUTION" in line:
            skipping = False
        elif not skipping:
            out.append(line)
    return "".join(out)


def make_tree(dest: Path, notebooks=(), stub_modules=(), reference=True) -> Path:
    """A minimal tree like a student handout: coursekit.py, nnlib/ (some modules stubbed), data/,
    notebooks/ (copies of the given solution notebooks), reference/nnlib/."""
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy2(ROOT / "coursekit.py", dest / "coursekit.py")
    shutil.copytree(ROOT / "data", dest / "data", ignore=shutil.ignore_patterns("*.py"))
    (dest / "nnlib").mkdir()
    for f in (ROOT / "nnlib").glob("*.py"):
        text = f.read_text(encoding="utf-8")
        (dest / "nnlib" / f.name).write_text(stubbed(text) if f.stem in stub_modules else text, encoding="utf-8")
    if reference:
        shutil.copytree(ROOT / "nnlib", dest / "reference" / "nnlib", ignore=shutil.ignore_patterns("__pycache__"))
    (dest / "notebooks").mkdir()
    for name in notebooks:
        shutil.copy2(ROOT / "notebooks" / f"{name}.ipynb", dest / "notebooks" / f"{name}.ipynb")
    return dest


def run(nb, cwd: Path, allow_errors=False):
    from nbclient import NotebookClient

    NotebookClient(nb, kernel_name="python3", kernel_manager_class=CurrentEnvKernelManager, timeout=600,
                   allow_errors=allow_errors, resources={"metadata": {"path": str(cwd)}}).execute()
    return nb


def errors(nb):
    return [(k, o) for k, c in enumerate(nb.cells) if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]


# --- static ------------------------------------------------------------------------------------


def test_owners_are_what_the_writefile_cells_say():
    found = {}
    for path in NOTEBOOKS:
        for m in re.findall(r"%%writefile \.\./nnlib/(\w+)\.py", path.read_text(encoding="utf-8")):
            found[m] = path.stem
    assert found == coursekit.OWNERS, (
        "coursekit.OWNERS must list every nnlib module with the notebook that writes it; a new notebook adds its "
        f"modules there. Differences: {set(found.items()) ^ set(coursekit.OWNERS.items())}")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_first_code_cell_is_the_setup(path):
    first = next(c for c in read_notebook(path).cells if c.cell_type == "code")
    assert f'coursekit.setup("{path.stem}")' in first.source, f"{path.name}: the first code cell must call coursekit.setup"
    assert "sys.path.insert(0, str(_top))" in first.source and "raise RuntimeError" in first.source
    meta = first.metadata.get("nbgrader", {})
    assert meta.get("locked") and not meta.get("solution") and not meta.get("grade"), (
        f"{path.name}: the set-up cell is a locked nbgrader cell, so autograding runs the released version of it")


def test_first_cell_outside_any_tree_says_what_to_do(tmp_path):
    first = next(c for c in read_notebook(NOTEBOOKS[0]).cells if c.cell_type == "code").source
    code = first.split("import coursekit")[0]   # the part that runs before anything is imported from the tree
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode != 0 and "RuntimeError" in done.stderr
    assert "no coursekit.py was found" in done.stderr and "jupyter lab" in done.stderr and "os.chdir" in done.stderr


def test_stubbed_functions_are_found():
    text = (ROOT / "nnlib" / "optim.py").read_text(encoding="utf-8")
    assert coursekit.stubbed_functions(text) == []  # an abstract method's plain raise is not a stub
    names = coursekit.stubbed_functions(stubbed(text))
    assert names and all("." in n or n for n in names)
    assert coursekit.stubbed_functions(stubbed((ROOT / "nnlib" / "activations.py").read_text())) == ["sigmoid"]


def test_restore_keeps_the_students_version(tmp_path, capsys):
    tree = make_tree(tmp_path / "t", stub_modules={"activations", "losses"})
    mine = (tree / "nnlib" / "activations.py").read_text()
    kept = coursekit.restore("01", root=tree)
    assert (tree / "nnlib" / "activations.py").read_bytes() == (ROOT / "nnlib" / "activations.py").read_bytes()
    assert (tree / "nnlib" / "losses.py").read_bytes() == (ROOT / "nnlib" / "losses.py").read_bytes()
    assert len(kept) == 1 and kept[0].read_text() == mine, "the student's version must be kept"
    assert "kept" in capsys.readouterr().out
    with pytest.raises(SystemExit, match="unknown module"):
        coursekit.restore("nosuchmodule", root=tree)
    shutil.rmtree(tree / "reference")
    with pytest.raises(SystemExit, match="reference"):
        coursekit.restore("activations", root=tree)


def setup_in_subprocess(tree: Path, notebook: str, cwd: Path) -> subprocess.CompletedProcess:
    code = (f"import sys; sys.path.insert(0, {str(tree)!r}); import coursekit\n"
            f"try:\n    coursekit.setup({notebook!r})\nexcept coursekit.SetupError as e:\n    print(e); sys.exit(3)\n"
            "import os, nnlib; print('CWD', os.getcwd()); print('NNLIB', nnlib.__file__)")
    return subprocess.run([sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})  # a complete nnlib on the path: must lose


def test_setup_names_the_stub_its_notebook_and_the_restore_command(tmp_path):
    tree = make_tree(tmp_path / "t", notebooks=["05_image_classification"], stub_modules={"activations", "layers"})
    done = setup_in_subprocess(tree, "05_image_classification", tree)
    assert done.returncode == 3, done.stdout + done.stderr
    msg = done.stdout
    for needed in ("nnlib/activations.py: sigmoid", "01_single_neuron", "nnlib/layers.py: linear_backward",
                   "04_deep_network", "python coursekit.py restore activations layers", "kept"):
        assert needed in msg, f"{needed!r} missing from:\n{msg}"
    (tree / "nnlib" / "gradcheck.py").write_text("def relative_error(a, n)\n    return 0\n")
    msg = setup_in_subprocess(tree, "05_image_classification", tree).stdout
    assert "nnlib/gradcheck.py has a syntax error on line 1" in msg and "02_gradient_checking" in msg
    coursekit.restore("activations", "layers", "gradcheck", root=tree)
    done = setup_in_subprocess(tree, "05_image_classification", tree / "notebooks")
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"CWD {tree / 'notebooks'}" in done.stdout and f"NNLIB {tree / 'nnlib' / '__init__.py'}" in done.stdout


# --- in a kernel ---------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("name", ["00_notation_numpy_data", "05_image_classification"])
def test_notebook_runs_with_the_kernel_at_the_root_and_in_notebooks(tmp_path, name):
    tree = make_tree(tmp_path / "repo", notebooks=[name], reference=False)
    for cwd in (tree, tree / "notebooks"):
        nb = read_notebook(tree / "notebooks" / f"{name}.ipynb")
        try:
            run(nb, cwd)
        except Exception as err:
            pytest.fail(f"{name} with the kernel started in {cwd}:\n{err}", pytrace=False)


@pytest.mark.slow
def test_later_notebook_stops_at_its_first_cell_then_runs_after_restore(tmp_path):
    """A fresh handout (every module stubbed by make_student) with 05 done but nothing before it."""
    pytest.importorskip("nbgrader", reason="the classroom extra is not installed")
    import make_student

    handout = tmp_path / "student"
    make_student.make_student(NOTEBOOKS, handout, reference="all")
    shutil.copy2(ROOT / "notebooks" / "05_image_classification.ipynb", handout / "notebooks")  # 05 solved
    nb = read_notebook(handout / "notebooks" / "05_image_classification.ipynb")
    run(nb, handout, allow_errors=True)
    found = errors(nb)
    first_code = next(k for k, c in enumerate(nb.cells) if c.cell_type == "code")
    assert found and found[0][0] == first_code, "the first cell must stop the notebook"
    assert found[0][1].ename == "SetupError"
    message = found[0][1].evalue
    for needed in ("sigmoid", "01_single_neuron", "linear_backward", "04_deep_network", "relative_error",
                   "02_gradient_checking", "python coursekit.py restore"):
        assert needed in message, f"{needed!r} not in the first cell's message:\n{message}"
    command = re.search(r"python coursekit\.py restore ([\w ]+)", message).group(1).split()
    done = subprocess.run([sys.executable, "coursekit.py", "restore", *command], cwd=handout,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert list((handout / "kept").glob("activations.*.py")), "restore must keep the student's stub"
    nb = read_notebook(handout / "notebooks" / "05_image_classification.ipynb")
    try:
        run(nb, handout / "notebooks")
    except Exception as err:
        pytest.fail(f"05 still fails after the documented restore:\n{err}", pytrace=False)


@pytest.mark.slow
def test_fix_then_rerun_check_then_run_the_rest_uses_the_new_code_01(tmp_path):
    """01 with only the sigmoid unsolved: run every cell (errors and all), fix the %%writefile cell, re-run it and
    its check (PASS), then run every cell after the check in the same kernel: no error, no stale sigmoid."""
    from nbclient import NotebookClient

    tree = make_tree(tmp_path / "t", reference=False)
    solved = read_notebook(ROOT / "notebooks" / "01_single_neuron.ipynb")
    nb = read_notebook(ROOT / "notebooks" / "01_single_neuron.ipynb")
    k_write = next(k for k, c in enumerate(nb.cells) if c.source.startswith("%%writefile ../nnlib/activations.py"))
    k_check = k_write + 1
    nb.cells[k_write].source = stubbed(nb.cells[k_write].source)
    client = NotebookClient(nb, kernel_name="python3", kernel_manager_class=CurrentEnvKernelManager, timeout=600,
                            allow_errors=True, resources={"metadata": {"path": str(tree / "notebooks")}})
    with client.setup_kernel():
        for k, cell in enumerate(nb.cells):
            if cell.cell_type == "code":
                client.execute_cell(cell, k)
        before = [k for k, _ in errors(nb)]
        assert k_check in before and any(k > k_check for k in before), "the stub should break later cells too"
        nb.cells[k_write].source = solved.cells[k_write].source
        for k in (k_write, k_check):
            nb.cells[k].outputs = []
            client.execute_cell(nb.cells[k], k)
        text = "".join(o.get("text", "") for o in nb.cells[k_check].outputs)
        assert text.startswith("PASS: "), nb.cells[k_check].outputs
        for k in range(k_check + 1, len(nb.cells)):
            if nb.cells[k].cell_type == "code":
                nb.cells[k].outputs = []
                client.execute_cell(nb.cells[k], k)
    after = errors(nb)
    assert not after, "stale code after the fix: " + "; ".join(f"cell {k}: {o.ename}: {o.evalue}" for k, o in after)


# --- the nbgrader course -------------------------------------------------------------------------

GRADE = r"""
import json, os, sys
from pathlib import Path
os.environ["PATH"] = str(Path(sys.executable).parent) + os.pathsep + os.environ["PATH"]
sys.path.insert(0, sys.argv[2])
from make_course import course_config
from nbgrader.apps import NbGraderAPI
from nbgrader.api import Gradebook
course, assignment = Path(sys.argv[1]), sys.argv[3]
api = NbGraderAPI(config=course_config(course))
scores = {}
for student in sys.argv[4:]:
    r = api.autograde(assignment, student, force=True, create=True)
    assert r["success"], r["error"] + r["log"]
with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
    for student in sys.argv[4:]:
        nb = gb.find_submission_notebook(assignment, assignment, student)
        scores[student] = {g.name: [g.auto_score, g.max_score, g.cell.cell_type] for g in nb.grades}
print("SCORES" + json.dumps(scores))
"""


@pytest.mark.slow
def test_course_generates_every_assignment_and_autograding_measures(tmp_path):
    pytest.importorskip("nbgrader", reason="the classroom extra is not installed (make course installs it)")
    import make_course

    course = tmp_path / "course"
    assignments = make_course.make_course(NOTEBOOKS, course)
    name = "01_single_neuron"
    for a in assignments:
        release = course / "release" / a
        assert (release / f"{a}.ipynb").is_file() and (release / "coursekit.py").is_file()
        nb = read_notebook(release / f"{a}.ipynb")
        assert "BEGIN SOLUTION" not in "".join(c.source for c in nb.cells), f"{a}: a solution was released"
        own = {m for m, owner in coursekit.OWNERS.items() if owner == a}
        shipped = {p.stem for p in (release / "nnlib").glob("*.py")}
        assert not own & shipped, f"{a}: the release must not ship the notebook's own modules"
        for m in shipped:  # earlier modules: the reference, never a stub
            assert "NotImplementedError()" not in (release / "nnlib" / f"{m}.py").read_text()

    source = read_notebook(course / "source" / name / f"{name}.ipynb")
    solutions = {c.metadata["nbgrader"]["grade_id"]: c.source for c in source.cells
                 if c.metadata.get("nbgrader", {}).get("solution")}
    wrong_sigmoid = ("    Z = np.asarray(Z, dtype=np.float64)  # right values, but float32 becomes float64\n"
                     "    e = np.exp(-np.abs(Z))\n"
                     "    return np.where(Z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))\n")

    def submission(student, fill):
        folder = course / "submitted" / student / name
        shutil.copytree(course / "release" / name, folder)
        path = folder / f"{name}.ipynb"
        nb = read_notebook(path)
        for cell in nb.cells:
            gid = cell.metadata.get("nbgrader", {}).get("grade_id")
            if gid in solutions and fill:
                cell.source = solutions[gid]
                if gid == "activations-sigmoid" and fill == "wrong":
                    cell.source = re.sub(r"[ \t]*### BEGIN SOLUTION\n.*?### END SOLUTION\n", wrong_sigmoid,
                                         cell.source, flags=re.S)
        nbformat.write(nb, path)

    submission("correct", "all")
    submission("stubs", None)
    submission("wrong", "wrong")
    # A complete, correct nnlib "installed elsewhere": the kernels see it on PYTHONPATH; grading must not use it.
    elsewhere = tmp_path / "site-packages"
    shutil.copytree(ROOT / "nnlib", elsewhere / "nnlib", ignore=shutil.ignore_patterns("__pycache__"))
    env = {**os.environ, "PYTHONPATH": str(elsewhere)}
    done = subprocess.run([sys.executable, "-c", GRADE, str(course), str(ROOT / "scripts"), name,
                           "correct", "stubs", "wrong"], capture_output=True, text=True, env=env, timeout=900)
    assert "SCORES" in done.stdout, done.stdout[-3000:] + done.stderr[-5000:]
    scores = json.loads(done.stdout.split("SCORES", 1)[1])

    def code_points(student):
        return {k: v[0] for k, v in scores[student].items() if v[2] == "code"}

    full = {k: v[1] for k, v in scores["correct"].items() if v[2] == "code"}
    assert full == {"check-sigmoid": 1.0, "check-initial-cost": 1.0}
    assert code_points("correct") == full, scores["correct"]
    assert code_points("stubs") == {k: 0.0 for k in full}, scores["stubs"]
    assert code_points("wrong") == {"check-sigmoid": 0.0, "check-initial-cost": 1.0}, scores["wrong"]
    manual = {k: v for k, v in scores["correct"].items() if v[2] == "markdown"}
    assert manual and all(v[0] is None and v[1] > 0 for v in manual.values()), "written answers are graded by hand"
    graded = read_notebook(course / "autograded" / "wrong" / name / f"{name}.ipynb")
    check = next(c for c in graded.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "check-sigmoid")
    assert any(o.output_type == "error" and o.ename == "AssertionError" and o.evalue.startswith("FAIL: ")
               and "float32" in o.evalue for o in check.outputs), check.outputs
