"""Make the student version of the series: solutions replaced by stubs, outputs cleared.

    python scripts/make_student.py                      # every notebooks/*.ipynb -> student/
    python scripts/make_student.py --out DIR notebooks/01_single_neuron.ipynb
    python scripts/make_student.py --reference none     # a class: no reference modules in the handout
    python scripts/make_student.py --release-reference 01,04 --out DIR   # after a deadline: add them

Solution regions are marked with nbgrader's delimiters, in code cells (including %%writefile
cells) and in markdown cells (there inside an HTML comment, so that the book does not show them):

    ### BEGIN SOLUTION                  <!-- ### BEGIN SOLUTION -->
    ...                                 ...
    ### END SOLUTION                    <!-- ### END SOLUTION -->

and every cell holding one carries nbgrader's metadata `"nbgrader": {"solution": true, ...}`.
Each notebook goes through nbconvert with nbgrader's ClearSolutions preprocessor (a code region
becomes `# YOUR CODE HERE` / `raise NotImplementedError()`, a text region `YOUR ANSWER HERE`) and
nbconvert's ClearOutputPreprocessor; collapsed solution cells are expanded (the stub is to be
seen). No nbgrader course, database or config is needed.

The output is a tree the student can run as it stands, laid out like the repository:

    DIR/notebooks/*.ipynb   the student notebooks
    DIR/nnlib/*.py          what those notebooks' %%writefile cells write, stubs included, so that
                            a notebook can be opened without running the ones before it
    DIR/data/               a copy of the data files
    DIR/models/             the trained networks notebook 12 loads
    DIR/coursekit.py        the set-up and check helpers every notebook's first cell imports
    DIR/reference/nnlib/    the reference (solution) modules that `python coursekit.py restore`
                            puts back: all of them by default (self-learners), none with
                            --reference none, or those of chosen notebooks (--reference 01,04)
    DIR/README.md           the student's instructions (scripts/student_README.md)
    DIR/requirements.txt    what to pip install
"""

from __future__ import annotations

import argparse
import datetime
import shutil
import sys
from pathlib import Path

import nbformat
from nbconvert.exporters import NotebookExporter
from nbconvert.preprocessors import ClearOutputPreprocessor, Preprocessor
from nbgrader.preprocessors import ClearSolutions

ROOT = Path(__file__).resolve().parents[1]
MAGIC = "%%writefile"
DATA_FILES = ("README.md", "checksums.sha256")
# What a student installs to run the handout (the notebooks import nothing else).
REQUIREMENTS = "numpy>=2,<3\nmatplotlib\nh5py\njupyterlab\nipykernel\n"
sys.path.insert(0, str(ROOT))
import coursekit  # noqa: E402


class ExpandSolutionCells(Preprocessor):
    """Show the source of solution cells (the book collapses them) and drop run-time metadata."""

    def preprocess_cell(self, cell, resources, index):
        if cell.metadata.get("nbgrader", {}).get("solution"):
            cell.metadata.get("jupyter", {}).pop("source_hidden", None)
            if cell.metadata.get("jupyter") == {}:
                del cell.metadata["jupyter"]
        cell.metadata.pop("execution", None)
        return cell, resources


def exporter() -> NotebookExporter:
    exp = NotebookExporter()
    exp.register_preprocessor(ClearSolutions(enforce_metadata=True), enabled=True)
    exp.register_preprocessor(ClearOutputPreprocessor(), enabled=True)
    exp.register_preprocessor(ExpandSolutionCells(), enabled=True)
    return exp


def student_notebook(path: Path):
    """The student version of one notebook, as a NotebookNode."""
    body, _ = exporter().from_filename(str(path))
    return nbformat.reads(body, as_version=4)


def writefile_targets(nb_path: Path, nb) -> dict[Path, str]:
    """Files the notebook's %%writefile cells write (resolved path -> text), like IPython does."""
    files = {}
    for cell in nb.cells:
        if cell.cell_type == "code" and cell.source.startswith(MAGIC):
            first, _, body = cell.source.partition("\n")
            target = (nb_path.parent / first.split(maxsplit=1)[1].strip()).resolve()
            files[target] = body if body.endswith("\n") else body + "\n"
    return files


def keep_if_changed(target: Path, new_text: str, out: Path, stamp: str) -> None:
    """Building over an existing handout never loses a student's work: a file about to be replaced by
    different text is first copied to out/kept/<time>/<its path>."""
    if target.is_file() and target.read_text(encoding="utf-8") != new_text:
        keep = out / "kept" / stamp / target.relative_to(out)
        keep.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(target, keep)
        print(f"{target}: changed since it was handed out; kept in {keep}")


def without_markers(text: str) -> str:
    """A module's text with the nbgrader marker lines taken out (the reference copy students get)."""
    return "".join(line for line in text.splitlines(keepends=True)
                   if line.strip() not in ("### BEGIN SOLUTION", "### END SOLUTION"))


def reference_modules(notebooks: str | list[str], root: Path = ROOT) -> dict[str, str]:
    """Reference modules (name -> text, markers removed) of the chosen notebooks: "all", "none",
    or notebook numbers such as ["01", "04"]."""
    if notebooks == "none":
        return {}
    chosen = [m for m, owner in coursekit.OWNERS.items()
              if notebooks == "all" or owner[:2] in notebooks]
    return {m: without_markers((root / "nnlib" / f"{m}.py").read_text(encoding="utf-8")) for m in chosen}


def write_reference(out: Path, notebooks, root: Path = ROOT) -> list[Path]:
    written = []
    for name, text in reference_modules(notebooks, root).items():
        target = out / "reference" / "nnlib" / f"{name}.py"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        written.append(target)
    return written


def student_readme(reference: str | list[str]) -> str:
    template = (ROOT / "scripts" / "student_README.md").read_text(encoding="utf-8")
    if reference == "all":
        shipped = "This handout ships the reference version of every module in `reference/nnlib/`."
    elif reference == "none":
        shipped = ("This handout ships no reference modules: your teacher releases them after each deadline "
                   "(they go into `reference/nnlib/`).")
    else:
        shipped = ("This handout ships the reference modules of notebooks " + ", ".join(reference)
                   + " in `reference/nnlib/`; your teacher releases the others after each deadline.")
    order = "\n".join(f"{k + 1}. `notebooks/{p.name}`" for k, p in enumerate(sorted((ROOT / "notebooks").glob("*.ipynb"))))
    return template.replace("{{REFERENCE}}", shipped).replace("{{ORDER}}", order)


def make_student(notebooks: list[Path], out: Path, root: Path = ROOT, reference="all") -> list[Path]:
    """Write the student tree under `out`; return the student notebooks written."""
    (out / "notebooks").mkdir(parents=True, exist_ok=True)
    (out / "nnlib").mkdir(exist_ok=True)
    written = []
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    for path in notebooks:
        nb = student_notebook(path)
        target = out / "notebooks" / path.name
        keep_if_changed(target, nbformat.writes(nb), out, stamp)
        nbformat.write(nb, target)
        written.append(target)
        for module, text in writefile_targets(target, nb).items():
            if not module.is_relative_to(out.resolve()):
                raise SystemExit(f"{path.name} writes {module}, outside {out}: refusing")
            module.parent.mkdir(parents=True, exist_ok=True)
            keep_if_changed(module, text, out, stamp)
            module.write_text(text, encoding="utf-8")
    data = out / "data"
    data.mkdir(exist_ok=True)
    for f in sorted((root / "data").iterdir()):
        if f.suffix == ".h5" or f.name in DATA_FILES:
            shutil.copy2(f, data / f.name)
    models = sorted((root / "models").glob("*.h5"))  # the trained networks notebook 12 loads
    if models:
        (out / "models").mkdir(exist_ok=True)
        for f in models:
            shutil.copy2(f, out / "models" / f.name)
    shutil.copy2(root / "coursekit.py", out / "coursekit.py")
    write_reference(out, reference, root)
    (out / "README.md").write_text(student_readme(reference), encoding="utf-8")
    (out / "requirements.txt").write_text(REQUIREMENTS, encoding="utf-8")
    return written


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: every notebooks/*.ipynb")
    parser.add_argument("--out", type=Path, default=ROOT / "student", help="default: student/")
    parser.add_argument("--reference", default="all",
                        help="reference modules to ship: all (default), none, or notebook numbers, e.g. 01,04")
    parser.add_argument("--release-reference", metavar="NN,NN",
                        help="only add the reference modules of these notebooks to an existing handout --out")
    args = parser.parse_args(argv)
    if args.release_reference:
        for path in write_reference(args.out, args.release_reference.split(",")):
            print(f"{path}: reference module released")
        return 0
    reference = args.reference if args.reference in ("all", "none") else args.reference.split(",")
    notebooks = args.notebooks or sorted((ROOT / "notebooks").glob("*.ipynb"))
    if not notebooks:
        print("notebooks/ has no notebooks", file=sys.stderr)
        return 1
    for target in make_student(notebooks, args.out, reference=reference):
        nb = nbformat.read(target, as_version=4)
        stubs = sum(c.source.count("raise NotImplementedError()") + c.source.count("YOUR ANSWER HERE") for c in nb.cells)
        print(f"{target}: {stubs} solution region(s) replaced by a stub")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
