"""Give every cell of a notebook reveal.js slide metadata, from its content (idempotent).

    python scripts/slide_metadata.py notebooks/03_*.ipynb      # write the metadata in place
    python scripts/slide_metadata.py --check notebooks/*.ipynb  # exit 1 if a notebook would change

Rules, applied top to bottom (the cell's `metadata.slideshow.slide_type`):

- a markdown cell whose first line is a `# ` or `## ` heading starts a new slide ("slide");
- one whose first line is a `### ` heading starts a sub-slide below it ("subslide");
- the set-up code cell (the first code cell, the one that puts nnlib on sys.path) is left out ("skip");
- a collapsed code cell (`jupyter.source_hidden`, e.g. an exercise's solution) goes to the speaker
  notes ("notes"): the lecturer sees it, the room does not;
- any other cell joins the current slide ("-"), unless the slide would then be taller than about
  one screen (SCREEN_PX, its height estimated from text, code, outputs and figures), in which
  case it starts a sub-slide. Code or output taller than a screen (a whole module) scrolls inside
  its box on a sub-slide of its own; a figure shrinks to fit.

The deck (scripts/make_slides.py, scripts/presentation.py) cuts a markdown cell at each `##` (a
slide) and `###` heading (a sub-slide), and a section taller than a screen between paragraphs; it
hides the code of figures, check cells and assert-only cells. The estimate here measures the cells
as the deck shows them, and a cell whose hidden code prints nothing is left out ("skip").

Only `metadata.slideshow` is written; sources, outputs and execution counts are untouched, and the
result depends on the cells' content alone, so running it twice changes nothing. Re-run it after
editing a notebook; override a cell by hand afterwards if the lecture wants it otherwise.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))

import presentation

SLIDE_WIDTH, SLIDE_HEIGHT = 1280, 720  # the reveal.js slide, in CSS pixels (scripts/make_slides.py)
# Heights on a slide, in CSS pixels, measured in headless Chromium on the decks of notebooks 00-10
# (20px text, 19px code; tests/test_browser.py checks the result on every slide of every deck).
SLIDE_PX_PER_INCH = 120  # a figure's size on a slide: 10 inches span the slide, 10pt text is 17px
SCREEN_PX = 620  # what one slide may hold: 684 px make reveal.js scroll it; the rest is for misestimates
CODE_LINE_PX, OUTPUT_LINE_PX, TEXT_LINE_PX = 26, 22, 26
CHARS_PER_LINE = 112  # of markdown text
MAX_CODE_LINES = 18  # longer code scrolls in its box (classroom/reveal/slides.css: 480px)
MAX_OUTPUT_LINES = 12  # so does longer printed output (330px)
MAX_FIGURE_PX = 560  # and a taller figure is scaled down to this height
CELL_PAD_PX = 20
FIGURE_PAD_PX = 50


def _first_line(source: str) -> str:
    return source.lstrip("\n").split("\n", 1)[0]


def markdown_px(source: str) -> int:
    """Rough height of rendered markdown on a slide: headings, tables, display maths, paragraphs
    and list items (at CHARS_PER_LINE, inline maths and markup counted short), collapsed <details>."""
    px = 0
    source = re.sub(r"<details>.*?</details>", "<details>", source, flags=re.DOTALL)  # shown closed
    for block in re.split(r"\n\s*\n", source.strip("\n")):
        lines = block.split("\n")
        heading = re.match(r"(#{1,3}) ", lines[0])
        if heading:
            px += {1: 90, 2: 64, 3: 50}[len(heading.group(1))] + 30 * (len(lines) - 1)
        elif lines[0].startswith("|"):
            rows = [line for line in lines if not line.startswith("|---")]
            px += sum(60 if "$" in row else 34 for row in rows) + 20  # maths in a cell wraps
        elif block.lstrip().startswith("$$"):
            rows = block.count("\\\\") + max(1, block.count("$$") // 2)
            px += 48 * rows + 24 + 10 * block.count("\\frac")
        else:
            items = [""]
            for line in lines:
                if re.match(r"\s*([-*]|\d+\.)\s", line) and items[-1]:
                    items.append(line)
                else:
                    items[-1] += " " + line
            for item in items:
                shown = re.findall(r"\$\$.+?\$\$", item, flags=re.DOTALL)  # display maths in a list item
                px += sum(80 + 15 * formula.count("\\frac") for formula in shown)
                item = re.sub(r"\$\$.+?\$\$", "", item, flags=re.DOTALL)
                text = re.sub(r"[*`]|\]\([^)]*\)", "", re.sub(r"\$[^$]*\$", "xxxxxx", item)).strip()
                line_px = TEXT_LINE_PX + (6 if re.search(r"\$[^$]*[_^][^$]*\$", item) else 0)  # sub/superscripts
                px += line_px * max(1, -(-len(text) // CHARS_PER_LINE)) + 4 * item.count("\\frac")
                px += 6 if len(items) > 1 else 0
            px += 20
    return px


def source_px(cell_type: str, source: str) -> int:
    """Rough height of a cell's source on a slide."""
    source = source.rstrip("\n")
    if not source:
        return 0
    if cell_type == "markdown":
        return markdown_px(source) + CELL_PAD_PX
    return CODE_LINE_PX * (min(MAX_CODE_LINES, source.count("\n") + 1) + 1)


def figure_px(out) -> float | None:
    """Height of a PNG figure output on a slide (its size in inches, at most the slide's width),
    or None for any other output."""
    data = out.get("data", {})
    if "image/png" not in data:
        return None
    width, height, dpi = presentation.png_size(data["image/png"])
    if dpi:  # shown at its size in inches (presentation.set_figure_widths)
        width, height = (v / dpi * SLIDE_PX_PER_INCH for v in (width, height))
    return min(height * min(1.0, (SLIDE_WIDTH - 80) / width), MAX_FIGURE_PX)


def output_px(cell, figures: bool = True) -> int:
    """Rough height of a code cell's outputs on a slide (with figures=False: of its text alone)."""
    px = 0
    for out in cell.get("outputs", []):
        data = out.get("data", {})
        if figure_px(out) is not None:
            px += figure_px(out) + FIGURE_PAD_PX if figures else 0
        elif out.get("output_type") == "stream":
            lines = "".join(out.get("text", "")).rstrip("\n").count("\n") + 1
            px += OUTPUT_LINE_PX * (min(MAX_OUTPUT_LINES, lines) + 1)
        elif "text/plain" in data or "text/markdown" in data or "text/html" in data:
            kind = next(k for k in ("text/markdown", "text/html", "text/plain") if k in data)
            text = "".join(data[kind])  # a Markdown or HTML output's text/plain is one line
            px += OUTPUT_LINE_PX * (min(MAX_OUTPUT_LINES, text.count("\n") + 1) + 1)
        elif out.get("output_type") == "error":
            px += OUTPUT_LINE_PX * MAX_OUTPUT_LINES
    return round(px)


def cell_px(cell, source: str | None = None) -> int:
    """Rough height of a cell on a slide: its source unless the slide hides it, plus outputs."""
    source = cell.source if source is None else source
    px = 0 if presentation.code_hidden_on_slides(cell) else source_px(cell.cell_type, source)
    return px + (output_px(cell) if cell.cell_type == "code" else 0)


def markdown_pieces(source: str) -> list[str]:
    """How the deck cuts a markdown cell: at each `##`/`###` heading, and between paragraphs where
    a section is taller than a screen (scripts/presentation.py)."""
    return presentation.split_markdown(source, lambda piece: source_px("markdown", piece), SCREEN_PX)


def is_setup_cell(cell) -> bool:
    return cell.cell_type == "code" and "sys.path.insert" in cell.source


def slide_types(nb) -> list[str]:
    """The slide type of each cell, in order. A markdown cell holding several `##`/`###` sections
    is measured as the slides the deck cuts it into (presentation.split_sections); its own type is
    that of its first section."""
    types, used, seen_code = [], 0, False
    for cell in nb.cells:
        pieces = markdown_pieces(cell.source) if cell.cell_type == "markdown" else [cell.source]
        for k, piece in enumerate(pieces):
            first = _first_line(piece)
            height = cell_px(cell, piece)
            if cell.cell_type == "markdown" and (first.startswith(("# ", "## "))):
                kind, used = "slide", height
            elif cell.cell_type == "markdown" and (first.startswith("### ") or k > 0):
                kind, used = "subslide", height  # a ### section, or the next screenful of a long one
            elif cell.cell_type == "code" and not seen_code and is_setup_cell(cell):
                kind = "skip"
            elif cell.cell_type == "code" and cell.metadata.get("jupyter", {}).get("source_hidden"):
                kind = "notes"
            elif cell.cell_type == "raw" or height == 0:
                kind = "skip"  # raw cells, and a verification whose code is hidden and prints nothing
            elif types and used + height > SCREEN_PX and used > 0:
                kind, used = "subslide", height
            else:
                kind = "-" if types else "slide"
                used += height
            if k == 0:
                types.append(kind)
        seen_code = seen_code or cell.cell_type == "code"
    return types


def apply(nb) -> bool:
    """Set the slide metadata of every cell; return whether anything changed."""
    changed = False
    for cell, kind in zip(nb.cells, slide_types(nb)):
        if cell.metadata.get("slideshow") != {"slide_type": kind}:
            cell.metadata["slideshow"] = {"slide_type": kind}
            changed = True
    return changed


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="+", type=Path)
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if a notebook would change")
    args = parser.parse_args(argv)
    stale = []
    for path in args.notebooks:
        nb = nbformat.read(path, as_version=4)
        if apply(nb):
            stale.append(path)
            if not args.check:
                nbformat.write(nb, path)
        counts = {k: sum(1 for c in nb.cells if c.metadata["slideshow"]["slide_type"] == k)
                  for k in ("slide", "subslide", "-", "notes", "skip")}
        status = ("would change" if args.check else "updated") if path in stale else "unchanged"
        print(f"{path}: {status}; " + ", ".join(f"{v} {k!r}" for k, v in counts.items()))
    if args.check and stale:
        print(f"run: python scripts/slide_metadata.py {' '.join(map(str, stale))}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
