"""Build the static site of the whole series with Jupyter Book 1.x.

    python scripts/build_site.py [--out DIR]      # default DIR: _build/site
    python scripts/build_site.py --no-solutions   # make site SOLUTIONS=0

Copies classroom/book/ (configuration, intro page) and every notebooks/*.ipynb into
DIR/src/, writes DIR/src/_toc.yml (the intro, then the notebooks in order), copies MathJax 3 from
node_modules/ into DIR/src/mathjax_static/mathjax (served as _static/mathjax), and runs `jupyter-book build`. The notebooks are not
executed: their committed outputs are shown. Open DIR/html/index.html; nothing is loaded from
outside the folder.

In the copies only (scripts/presentation.py): the nbgrader solution markers are removed, each
figure is shown at its size in inches (however many dpi it was saved at), and a collapsed code cell
(`jupyter.source_hidden`, e.g. an exercise's solution) gets the `hide-input` tag, so that the book
collapses it too. With --no-solutions (`make site SOLUTIONS=0`) every solution region is replaced
by the student's stub (markdown answers are dropped) and the outputs of solution cells removed:
neither the pages, the search index nor the downloadable .ipynb hold an answer.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))
import presentation

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "classroom" / "book"
MATHJAX = ROOT / "node_modules" / "mathjax" / "es5"
SKIP_MATHJAX = {"sre"}  # the speech-rule engine (accessibility explorer, off by default): 4 MB


def page_notebook(path: Path, solutions: bool = True):
    """The notebook as its page shows it (a copy; the file is not touched)."""
    nb = nbformat.read(path, as_version=4)
    if solutions:
        presentation.strip_markers(nb)
    else:
        presentation.remove_solutions(nb)
    presentation.set_figure_widths(nb)
    for cell in nb.cells:
        if cell.cell_type == "code" and cell.metadata.get("jupyter", {}).get("source_hidden"):
            tags = cell.metadata.setdefault("tags", [])
            if "hide-input" not in tags:
                tags.append("hide-input")
    return nb


def prepare(src: Path, notebooks: list[Path], solutions: bool = True) -> None:
    if src.exists():
        shutil.rmtree(src)
    shutil.copytree(BOOK, src)
    for path in notebooks:
        nbformat.write(page_notebook(path, solutions), src / path.name)
    toc = ["format: jb-book", "root: intro", "chapters:"] + [f"  - file: {p.stem}" for p in notebooks]
    (src / "_toc.yml").write_text("\n".join(toc) + "\n")
    if not (MATHJAX / "tex-chtml.js").is_file():
        raise SystemExit(f"{MATHJAX} is missing: run `npm ci` in {ROOT} (make site does it)")
    shutil.copytree(MATHJAX, src / "mathjax_static" / "mathjax", ignore=lambda d, names: [n for n in names if n in SKIP_MATHJAX])


def build_site(out: Path, notebooks: list[Path] | None = None, solutions: bool = True) -> Path:
    """Build the site into out/html; return the path of its index.html."""
    notebooks = notebooks or sorted((ROOT / "notebooks").glob("*.ipynb"))
    src = out / "src"
    prepare(src, notebooks, solutions)
    jb = Path(sys.executable).with_name("jupyter-book")
    build = out / "build"
    subprocess.run([str(jb), "build", str(src), "--path-output", str(build), "--builder", "html", "--all"],
                   check=True)
    html = out / "html"
    if html.exists():
        shutil.rmtree(html)
    shutil.move(str(build / "_build" / "html"), html)
    return html / "index.html"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "_build" / "site")
    parser.add_argument("--no-solutions", action="store_true",
                        help="replace every solution by the student's stub (make site SOLUTIONS=0)")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    index = build_site(args.out, solutions=not args.no_solutions)
    print(f"site built in {time.perf_counter() - start:.0f} s: open {index}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
