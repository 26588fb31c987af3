"""Make an nbgrader course directory from the series: one assignment per notebook, generated.

    python scripts/make_course.py                 # -> course/ (source/, release/, gradebook.db)
    python scripts/make_course.py --out DIR notebooks/01_single_neuron.ipynb

Each assignment NN_topic is a folder that runs on its own, laid out as nbgrader wants it (the
notebook at the top) and carrying what it needs:

    source/NN_topic/NN_topic.ipynb   the notebook, with its solutions (nbgrader's source version)
    source/NN_topic/coursekit.py     the set-up and check helpers the notebook's first cell imports
    source/NN_topic/nnlib/           the reference modules of the EARLIER notebooks (never the
                                     notebook's own: its %%writefile cells write those, from the
                                     student's cells, when the submission is run and graded)
    source/NN_topic/data/            the data files the notebook loads
    source/NN_topic/models/          the trained networks it loads, if any (12)

`nbgrader generate_assignment` then makes release/NN_topic/ (solutions stubbed, outputs cleared).
The first cell finds coursekit.py in the assignment folder, puts that folder first on sys.path and
forgets any nnlib imported from elsewhere, so grading uses the assignment's nnlib/ and the modules
the submission itself writes, never a solution nnlib installed in the grading environment
(tests/test_course.py proves it with a complete nnlib on PYTHONPATH).

Then, per docs/CLASSROOM.md: release, collect, `nbgrader autograde NN_topic`, grade the written
answers by hand (formgrader), `nbgrader generate_feedback` and `nbgrader export`.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))
import coursekit  # noqa: E402
from make_student import without_markers  # noqa: E402

CONFIG = '''\
# nbgrader configuration of the nn-from-scratch course (written by scripts/make_course.py).
c = get_config()  # noqa: F821
c.CourseDirectory.course_id = "nn-from-scratch"
# No CourseDirectory.root: nbgrader takes the folder it runs in, so the course can be moved.
# A notebook trains networks: allow a cell minutes, not nbgrader's default 30 s.
c.ExecutePreprocessor.timeout = 600
c.Execute.timeout = 600
# The released assignment carries coursekit.py, nnlib/ and data/: copy every file, but no caches.
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", "kept"]
# Stubs as in make student (and as the checks' hints describe them).
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"
'''

DATASETS = ("digits", "mnist_5k", "mnist1d")


def data_needed(nb_path: Path) -> list[str]:
    text = nb_path.read_text(encoding="utf-8")
    return [name for name in DATASETS if re.search(r"\b" + name + r"\b", text)]


def models_needed(nb_path: Path, root: Path = ROOT) -> list[Path]:
    """The files of models/ whose stem (up to "_seed") the notebook names, e.g. 12's mnist5k_cnn."""
    text = nb_path.read_text(encoding="utf-8")
    return [f for f in sorted((root / "models").glob("*.h5")) if f.stem.split("_seed")[0] in text]


def make_source(nb_path: Path, course: Path, root: Path = ROOT) -> Path:
    """source/<stem>/ for one notebook; returns that folder."""
    stem = nb_path.stem
    folder = course / "source" / stem
    if folder.exists():
        shutil.rmtree(folder)
    (folder / "nnlib").mkdir(parents=True)
    shutil.copy2(nb_path, folder / nb_path.name)
    shutil.copy2(root / "coursekit.py", folder / "coursekit.py")
    for name, owner in coursekit.OWNERS.items():
        if owner < stem:
            text = (root / "nnlib" / f"{name}.py").read_text(encoding="utf-8")
            (folder / "nnlib" / f"{name}.py").write_text(without_markers(text), encoding="utf-8")
    data = folder / "data"
    data.mkdir()
    for name in data_needed(nb_path):
        shutil.copy2(root / "data" / f"{name}.h5", data / f"{name}.h5")
    for extra in ("README.md", "checksums.sha256"):
        if (root / "data" / extra).is_file():
            shutil.copy2(root / "data" / extra, data / extra)
    for model in models_needed(nb_path, root):  # trained networks a notebook loads (12: models/mnist5k_cnn_*)
        (folder / "models").mkdir(exist_ok=True)
        shutil.copy2(model, folder / "models" / model.name)
    return folder


def nbgrader(course: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run the nbgrader of this interpreter in the course folder (its bin/ first on PATH: nbgrader
    calls `alembic` by name)."""
    env = dict(os.environ if env is None else env)
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    return subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, capture_output=True, text=True, env=env)


def course_config(course: Path):
    from traitlets.config.loader import PyFileConfigLoader

    config = PyFileConfigLoader("nbgrader_config.py", path=str(course)).load_config()
    config.CourseDirectory.root = str(Path(course).resolve())
    return config


def make_course(notebooks: list[Path], course: Path, generate: bool = True) -> list[str]:
    """Write nbgrader_config.py and source/ for each notebook, then generate each assignment with
    nbgrader's Python API (one process: about 0.1 s per notebook). Returns the assignment ids."""
    course.mkdir(parents=True, exist_ok=True)
    (course / "nbgrader_config.py").write_text(CONFIG, encoding="utf-8")
    assignments = []
    for nb_path in notebooks:
        make_source(nb_path, course)
        assignments.append(nb_path.stem)
    if generate:
        from nbgrader.apps import NbGraderAPI

        # nbgrader runs `alembic` by name to set up the gradebook: this interpreter's bin/ first
        os.environ["PATH"] = str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", "")
        api = NbGraderAPI(config=course_config(course))
        for stem in assignments:
            result = api.generate_assignment(stem, force=True, create=True)
            if not result["success"]:
                raise SystemExit(f"nbgrader generate_assignment {stem} failed:\n{result['error']}\n{result['log']}")
    return assignments


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: every notebooks/*.ipynb")
    parser.add_argument("--out", type=Path, default=ROOT / "course", help="default: course/")
    parser.add_argument("--no-generate", action="store_true", help="write source/ only")
    args = parser.parse_args(argv)
    notebooks = args.notebooks or sorted((ROOT / "notebooks").glob("*.ipynb"))
    for stem in make_course(notebooks, args.out, generate=not args.no_generate):
        print(f"{args.out}/source/{stem}" + ("" if args.no_generate else f" -> {args.out}/release/{stem}"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
