"""Render notebooks as reveal.js slides that need no network.

    python scripts/make_slides.py notebooks/01_single_neuron.ipynb [more.ipynb ...] [--out DIR]
    python scripts/make_slides.py --no-solutions notebooks/*.ipynb     # make slides SOLUTIONS=0

Writes DIR/<name>.slides.html (default DIR: _build/slides) and, once, DIR/_static/ with the
JavaScript the decks load: reveal.js 4, MathJax 2 (nbconvert's reveal template speaks the MathJax 2
API), require.js and jQuery, copied from node_modules/ (package.json, `npm ci`). Nothing is fetched
from a CDN, so the folder works offline: open a deck in a browser from the file system, or copy the
whole folder to the lecture-hall laptop.

Each cell's `metadata.slideshow.slide_type` decides where it goes (scripts/slide_metadata.py sets
them). The deck is built from a copy of the notebook changed in memory (scripts/presentation.py): a
markdown cell with several `##`/`###` sections is cut into one slide per section, the code of
figures, check cells and assert-only cells is hidden (the figure and the PASS line are shown), the
nbgrader solution markers are removed, and each figure is shown at its size in inches (120 px an
inch: a 10-inch figure spans the slide), however many dpi it was saved at. The slides are 1280x720
(16:9). Here, a cell whose figures overflow a slide gets a sub-slide per figure, and a cell that is
still too tall has its figures narrowed and its code and output scroll in shorter boxes
(classroom/reveal/slides.css, which also caps any code at 480 px): no slide is taller than the
screen (tests/test_browser.py measures every slide of every deck). In the deck, press S for the
speaker view (exercise solutions are in its notes), Esc for the overview, and arrows to move.

With --no-solutions (`make slides SOLUTIONS=0`) every solution region is replaced by the student's
stub (markdown answers are dropped) and the outputs of solution and check cells are removed, so the
deck can be handed to students before the deadline: the speaker notes hold no answers either.
"""

from __future__ import annotations

import argparse
import copy
import json
import shutil
import sys
from pathlib import Path

import nbformat
from nbconvert.exporters import SlidesExporter
from traitlets.config import Config

sys.path.insert(0, str(Path(__file__).resolve().parent))
import presentation
from slide_metadata import (
    FIGURE_PAD_PX,
    SCREEN_PX,
    SLIDE_HEIGHT,
    SLIDE_PX_PER_INCH,
    SLIDE_WIDTH,
    figure_px,
    markdown_pieces,
    output_px,
    source_px,
)

ROOT = Path(__file__).resolve().parents[1]
NODE = ROOT / "node_modules"
TEMPLATE_DIR = ROOT / "classroom" / "reveal"
STATIC = "_static"
TALL_TAG = "slide-tall"
TALL_TEXT_PX = 560  # what code and text outputs of a TALL_TAG cell may take together (slides.css)

# What the decks load, copied from node_modules (source -> destination under _static/).
ASSETS = {
    "reveal.js/dist": "reveal.js/dist",
    "reveal.js/plugin": "reveal.js/plugin",
    "mathjax2/MathJax.js": "mathjax/MathJax.js",
    "mathjax2/config/TeX-AMS_CHTML-full.js": "mathjax/config/TeX-AMS_CHTML-full.js",
    "mathjax2/config/Safe.js": "mathjax/config/Safe.js",
    "mathjax2/extensions": "mathjax/extensions",
    "mathjax2/jax/input/TeX": "mathjax/jax/input/TeX",
    "mathjax2/jax/output/CommonHTML": "mathjax/jax/output/CommonHTML",
    "mathjax2/jax/element": "mathjax/jax/element",
    "mathjax2/fonts/HTML-CSS/TeX/woff": "mathjax/fonts/HTML-CSS/TeX/woff",
    "mathjax2/localization/en": "mathjax/localization/en",
    "jquery/dist/jquery.min.js": "jquery.min.js",
    "requirejs/require.js": "require.js",
}
PACKAGES = ["reveal.js", "mathjax2", "jquery", "requirejs"]


def installed_versions() -> dict[str, str]:
    versions = {}
    for name in PACKAGES:
        manifest = NODE / name / "package.json"
        if not manifest.is_file():
            raise SystemExit(f"{manifest} is missing: run `npm ci` in {ROOT} (make slides does it)")
        versions[name] = json.loads(manifest.read_text())["version"]
    return versions


def copy_assets(out: Path) -> Path:
    """Copy the decks' JavaScript into out/_static (again only when node_modules changed)."""
    static = out / STATIC
    stamp = static / "versions.json"
    versions = installed_versions()
    if stamp.is_file() and json.loads(stamp.read_text()) == versions:
        return static
    if static.exists():
        shutil.rmtree(static)
    for src, dst in ASSETS.items():
        src, dst = NODE / src, static / dst
        dst.parent.mkdir(parents=True, exist_ok=True)
        if src.is_dir():
            shutil.copytree(src, dst)
        else:
            shutil.copy2(src, dst)
    stamp.write_text(json.dumps(versions, indent=1) + "\n")
    return static


def exporter() -> SlidesExporter:
    c = Config()
    c.SlidesExporter.reveal_url_prefix = f"{STATIC}/reveal.js"
    c.SlidesExporter.reveal_scroll = True
    c.SlidesExporter.reveal_theme = "white"  # nbconvert's default, "simple", imports Google Fonts
    c.SlidesExporter.reveal_transition = "none"
    c.SlidesExporter.reveal_number = "c/t"
    c.SlidesExporter.reveal_width = str(SLIDE_WIDTH)
    c.SlidesExporter.reveal_height = str(SLIDE_HEIGHT)
    c.SlidesExporter.mathjax_url = f"{STATIC}/mathjax/MathJax.js?config=TeX-AMS_CHTML-full,Safe"
    c.SlidesExporter.require_js_url = f"{STATIC}/require.js"
    c.SlidesExporter.jquery_url = f"{STATIC}/jquery.min.js"
    c.SlidesExporter.extra_template_basedirs = [str(TEMPLATE_DIR)]
    c.SlidesExporter.template_file = str(TEMPLATE_DIR / "offline.html.j2")
    c.SlidesExporter.exclude_input_prompt = True
    c.SlidesExporter.exclude_output_prompt = True
    return SlidesExporter(config=c)


def deck_notebook(path: Path, solutions: bool = True):
    """The notebook as the deck shows it (a copy; the file is not touched)."""
    nb = nbformat.read(path, as_version=4)
    if solutions:
        presentation.strip_markers(nb)
    else:
        presentation.remove_solutions(nb)
    presentation.split_sections(nb, markdown_pieces)
    presentation.hide_code_on_slides(nb)
    presentation.drop_empty_cells(nb)
    presentation.set_figure_widths(nb, SLIDE_PX_PER_INCH)
    nb.cells = [part for cell in nb.cells for part in split_outputs(cell)]
    for cell in nb.cells:
        if cell.cell_type == "code":
            fit_cell(cell)
    return nb


def split_outputs(cell) -> list:
    """A cell whose code is hidden and whose outputs (several figures) overflow a slide becomes one
    cell per screenful of outputs, each on a sub-slide of its own, the figures at full size."""
    if cell.cell_type != "code" or not presentation.code_hidden_on_slides(cell) or output_px(cell) <= SCREEN_PX:
        return [cell]
    groups, used = [[]], 0
    for out in cell.outputs:
        px = output_px({"outputs": [out]})
        if groups[-1] and used + px > SCREEN_PX:
            groups.append([])
            used = 0
        groups[-1].append(out)
        used += px
    parts = []
    for k, outputs in enumerate(groups):
        part = copy.deepcopy(cell)
        part.outputs = outputs
        if k:
            part.id = f"{cell.get('id', 'cell')}-out{k}"
            part.metadata["slideshow"] = {"slide_type": "subslide"}
        parts.append(part)
    return parts


def fit_cell(cell) -> None:
    """Make a code cell that would overflow a slide fit: its figures shrink (narrower <img>) to
    share what the text leaves; code and text outputs that still do not fit scroll in shorter boxes
    (the TALL_TAG rules of classroom/reveal/slides.css)."""
    shown = 0 if presentation.code_hidden_on_slides(cell) else source_px("code", cell.source)
    figures = [out for out in cell.get("outputs", []) if figure_px(out) is not None]
    text = shown + output_px(cell, figures=False)
    if shown + output_px(cell) <= SCREEN_PX:
        return
    if figures:
        room = max(SCREEN_PX - min(text, TALL_TEXT_PX) - FIGURE_PAD_PX * len(figures), 120 * len(figures))
        scale = min(1.0, room / sum(figure_px(out) for out in figures))
        for out in figures:  # the <img> width that gives each figure its share of the height
            width, height, _ = presentation.png_size(out["data"]["image/png"])
            meta = out.setdefault("metadata", {}).setdefault("image/png", {})
            meta["width"] = max(1, int(figure_px(out) * scale * width / height))
    if text > TALL_TEXT_PX or not figures:
        cell.metadata.setdefault("tags", []).append(TALL_TAG)


def make_slides(notebooks: list[Path], out: Path, solutions: bool = True) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    copy_assets(out)
    exp, written = exporter(), []
    for path in notebooks:
        html, _ = exp.from_notebook_node(deck_notebook(path, solutions),
                                         resources={"metadata": {"name": path.stem}})
        target = out / f"{path.stem}.slides.html"
        target.write_text(html, encoding="utf-8")
        written.append(target)
    return written


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="+", type=Path)
    parser.add_argument("--out", type=Path, default=ROOT / "_build" / "slides")
    parser.add_argument("--no-solutions", action="store_true",
                        help="replace every solution by the student's stub (make slides SOLUTIONS=0)")
    args = parser.parse_args(argv)
    for target in make_slides(args.notebooks, args.out, solutions=not args.no_solutions):
        print(f"{target}  (open it in a browser; S: speaker view with the notes)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
