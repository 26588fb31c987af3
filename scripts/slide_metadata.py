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
  one screen (SCREEN_LINES lines, figures and outputs counted), in which case it starts a sub-slide.
  A cell taller than a screen on its own (a whole module) gets a sub-slide that scrolls.

Only `metadata.slideshow` is written; sources, outputs and execution counts are untouched, and the
result depends on the cells' content alone, so running it twice changes nothing. Re-run it after
editing a notebook; override a cell by hand afterwards if the lecture wants it otherwise.
"""

from __future__ import annotations

import argparse
import base64
import re
import struct
import sys
from pathlib import Path

import nbformat

SCREEN_LINES = 24  # lines of ~20px text on a 960x700 reveal.js slide, with its margins
WRAP = 90  # characters per line of markdown text on a slide
IMAGE_LINE_PX = 28  # a figure of this many (PNG) pixels takes about one text line
MAX_OUTPUT_LINES = 12  # long outputs scroll inside their cell


def _first_line(source: str) -> str:
    return source.lstrip("\n").split("\n", 1)[0]


def _png_height(data: str) -> int | None:
    """Height in pixels of a base64 PNG, read from its IHDR chunk (no imaging library)."""
    head = base64.b64decode(data[:44])  # 33 bytes: signature, chunk length and type, width, height
    if head[:8] != b"\x89PNG\r\n\x1a\n":
        return None
    return struct.unpack(">I", head[20:24])[0]


def cell_lines(cell) -> int:
    """Rough height of a cell on a slide, in text lines (source plus outputs)."""
    source = cell.source.rstrip("\n")
    if cell.cell_type == "markdown":
        lines = sum(max(1, -(-len(line) // WRAP)) for line in source.split("\n")) if source else 0
        lines += source.count("$$")  # display maths: about two extra lines per $$...$$ block
        lines += 2 * len(re.findall(r"^\|---", source, flags=re.M))  # a table's padding
        return lines
    lines = source.count("\n") + 1 if source else 0
    for out in cell.get("outputs", []):
        data = out.get("data", {})
        if "image/png" in data:
            height = _png_height(data["image/png"]) or 300
            meta = out.get("metadata", {}).get("image/png", {})
            if isinstance(meta, dict) and meta.get("height"):
                height = meta["height"]
            lines += max(4, round(height / IMAGE_LINE_PX))
        elif out.get("output_type") == "stream":
            lines += min(MAX_OUTPUT_LINES, "".join(out.get("text", "")).rstrip("\n").count("\n") + 1)
        elif "text/plain" in data:
            lines += min(MAX_OUTPUT_LINES, "".join(data["text/plain"]).count("\n") + 1)
        elif out.get("output_type") == "error":
            lines += MAX_OUTPUT_LINES
    return lines


def is_setup_cell(cell) -> bool:
    return cell.cell_type == "code" and "sys.path.insert" in cell.source


def slide_types(nb) -> list[str]:
    """The slide type of each cell, in order."""
    types, used, seen_code = [], 0, False
    for cell in nb.cells:
        first = _first_line(cell.source)
        height = cell_lines(cell)
        if cell.cell_type == "markdown" and (first.startswith("# ") or first.startswith("## ")):
            kind, used = "slide", height
        elif cell.cell_type == "markdown" and first.startswith("### "):
            kind, used = "subslide", height
        elif cell.cell_type == "code" and not seen_code and is_setup_cell(cell):
            kind = "skip"
        elif cell.cell_type == "code" and cell.metadata.get("jupyter", {}).get("source_hidden"):
            kind = "notes"
        elif cell.cell_type == "raw":
            kind = "skip"
        elif types and used + height > SCREEN_LINES and used > 0:
            kind, used = "subslide", height
        else:
            kind = "-" if types else "slide"
            used += height
        seen_code = seen_code or cell.cell_type == "code"
        types.append(kind)
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
