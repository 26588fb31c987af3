"""What the slides and the site show of a notebook: in-memory changes to a copy, never to the file.

Used by scripts/make_slides.py and scripts/build_site.py (and scripts/slide_metadata.py for the
section split and for which code a slide hides):

- `strip_solution_markers`: the nbgrader delimiters (`### BEGIN SOLUTION`, `### END SOLUTION`, in
  code and, inside HTML comments, in markdown) are removed; the solution itself stays.
- `remove_solutions` (a teacher's `SOLUTIONS=0`): every solution region is replaced, in code by the
  stub a student gets (`# YOUR CODE HERE` / `raise NotImplementedError()`, as `make student`), in
  markdown by nothing; the outputs of solution cells and check cells are dropped (they may print
  the answer), and `drop_empty_cells` keeps the emptied cells off the slides.
- `split_sections`: a markdown cell holding several `##`/`###` sections becomes one cell per
  section, so that every `##` heading starts a slide and every `###` a sub-slide.
- `hide_code_on_slides`: the source of a cell that draws a figure, of a check cell and of a cell
  that only asserts and prints is left out of the slide (its output stays).
- `set_figure_widths`: each PNG figure is shown at its size in inches (from the dpi matplotlib
  writes into the PNG) times CSS_PX_PER_INCH (the site) or a larger factor (the slides, where a
  10-inch figure then spans the slide), whatever dpi it was rendered at, so a figure saved at a
  projector-friendly dpi keeps its designed proportions to the text, only sharper.
"""

from __future__ import annotations

import ast
import base64
import copy
import re
import struct

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
CSS_PX_PER_INCH = 96
_MARKER = re.compile(r"^\s*(?:<!--\s*)?### (BEGIN|END) SOLUTION\s*(?:-->)?\s*$")
_HEADING = re.compile(r"^(#{2,3}) \S")
_FENCE = re.compile(r"^\s*(```|~~~)")


# --- solutions ----------------------------------------------------------------------------------


def has_solution(cell) -> bool:
    return any(_MARKER.match(line) for line in cell.source.split("\n"))


def strip_solution_markers(source: str) -> str:
    """The source without its marker lines (the solution between them is kept)."""
    return "\n".join(line for line in source.split("\n") if not _MARKER.match(line))


def without_solutions(source: str, markdown: bool) -> str:
    """The source with each solution region replaced: code by a stub at the region's indentation,
    markdown by nothing."""
    out, inside = [], False
    for line in source.split("\n"):
        match = _MARKER.match(line)
        if match and match.group(1) == "BEGIN":
            if inside:
                raise ValueError(f"nested {BEGIN!r} in:\n{source}")
            inside = True
            if not markdown:
                indent = line[: len(line) - len(line.lstrip())]
                out += [f"{indent}# YOUR CODE HERE", f"{indent}raise NotImplementedError()"]
        elif match:
            if not inside:
                raise ValueError(f"{END!r} without {BEGIN!r} in:\n{source}")
            inside = False
        elif not inside:
            out.append(line)
    if inside:
        raise ValueError(f"{BEGIN!r} without {END!r} in:\n{source}")
    text = "\n".join(out)
    return re.sub(r"\n{3,}", "\n\n", text).strip("\n") if markdown else text


def strip_markers(nb):
    for cell in nb.cells:
        if has_solution(cell):
            cell.source = strip_solution_markers(cell.source)
    return nb


def remove_solutions(nb):
    """Each solution region replaced (without_solutions); the outputs of solution cells and of
    check cells dropped, since a PASS line can quote the answer."""
    for cell in nb.cells:
        solution = has_solution(cell)
        if solution:
            cell.source = without_solutions(cell.source, markdown=cell.cell_type == "markdown")
        if cell.cell_type == "code" and (solution or "check" in cell.metadata.get("tags", [])):
            cell.outputs = []
            cell.execution_count = None
    return nb


def drop_empty_cells(nb):
    """A cell that shows nothing on a slide (hidden code, no output) is skipped; the slide it
    started is started by the next cell instead."""
    carry = None
    for cell in nb.cells:
        kind = cell.metadata.get("slideshow", {}).get("slide_type", "-")
        if cell.cell_type == "code" and code_hidden_on_slides(cell) and not cell.get("outputs"):
            if kind in ("slide", "subslide") and carry != "slide":
                carry = kind
            cell.metadata["slideshow"] = {"slide_type": "skip"}
        elif kind not in ("skip", "notes") and carry:
            if kind in ("-", "fragment"):
                cell.metadata["slideshow"] = {"slide_type": carry}
            carry = None
    return nb


# --- sections -----------------------------------------------------------------------------------


_LIST_ITEM = re.compile(r"^(\d+\.|[-*]) \S")


def _blocks(source: str, at_headings: bool, at_paragraphs: bool) -> list[str]:
    """The source cut before `##`/`###` headings and/or after blank lines and before the items of a
    top-level list, never inside a code fence, a $$...$$ block or an HTML <details> element."""
    pieces, current, fence, maths, details = [], [], None, False, 0
    for line in source.split("\n"):
        outside = fence is None and not maths and details == 0
        cut = (at_headings and _HEADING.match(line)) or (at_paragraphs and _LIST_ITEM.match(line))
        if outside and cut and any(s.strip() for s in current):
            pieces.append(current)
            current = []
        match = _FENCE.match(line)
        if match and not maths:
            fence = None if fence == match.group(1) else (fence or match.group(1))
        elif fence is None:
            if line.count("$$") % 2:
                maths = not maths
            details += len(re.findall(r"<details\b", line)) - len(re.findall(r"</details>", line))
        current.append(line)
        if at_paragraphs and not line.strip() and fence is None and not maths and details == 0:
            pieces.append(current)
            current = []
    pieces.append(current)
    return ["\n".join(p).strip("\n") for p in pieces if any(s.strip() for s in p)]


def split_markdown(source: str, measure=None, max_size: int | None = None) -> list[str]:
    """A markdown source cut before each `## ` or `### ` heading that is not its first line (nor
    inside a code fence or a $$...$$ block). With `measure` (source -> its height on a slide), a section
    taller than max_size is cut further between paragraphs, as few times as it needs."""
    pieces = _blocks(source, at_headings=True, at_paragraphs=False) or [source]
    if measure is None:
        return pieces
    out = []
    for piece in pieces:
        if measure(piece) <= max_size:
            out.append(piece)
            continue
        chunk = []
        for block in _blocks(piece, at_headings=False, at_paragraphs=True):
            if chunk and measure(_join(chunk + [block])) > max_size:
                out.append(_join(chunk))
                chunk = []
            chunk.append(block)
        out.append(_join(chunk))
    return out


def _join(blocks: list[str]) -> str:
    """Blocks back together: list items on consecutive lines (a tight list stays tight)."""
    text = blocks[0]
    for block in blocks[1:]:
        text += ("\n" if _LIST_ITEM.match(block) and _LIST_ITEM.match(text.split("\n\n")[-1]) else "\n\n") + block
    return text


def heading_level(source: str) -> int:
    match = _HEADING.match(source.lstrip("\n"))
    return len(match.group(1)) if match else 0


def split_sections(nb, pieces_of=split_markdown):
    """One markdown cell per piece of `pieces_of(source)` (default: per `##`/`###` section): a
    later `##` piece is a slide, any other a sub-slide; the first piece keeps the cell's type."""
    cells = []
    for cell in nb.cells:
        pieces = pieces_of(cell.source) if cell.cell_type == "markdown" else [cell.source]
        if len(pieces) == 1:
            cells.append(cell)
            continue
        for k, piece in enumerate(pieces):
            part = copy.deepcopy(cell)
            part.source = piece
            if k:
                if "id" in part:
                    part.id = f"{cell.id}-{k}"
                part.metadata["slideshow"] = {"slide_type": "slide" if heading_level(piece) == 2 else "subslide"}
            cells.append(part)
    nb.cells = cells
    return nb


# --- code hidden on slides ----------------------------------------------------------------------


def draws_figure(cell) -> bool:
    return any("image/png" in out.get("data", {}) or "image/svg+xml" in out.get("data", {})
               for out in cell.get("outputs", []))


def only_asserts_and_prints(source: str) -> bool:
    """Whether the code is nothing but `assert` statements and `print(...)` calls (a verification
    of what the slide before it claims)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:  # IPython magics
        return False
    return bool(tree.body) and any(isinstance(s, ast.Assert) for s in tree.body) and all(
        isinstance(s, ast.Assert)
        or (isinstance(s, ast.Expr) and isinstance(s.value, ast.Call)
            and isinstance(s.value.func, ast.Name) and s.value.func.id == "print")
        for s in tree.body)


def code_hidden_on_slides(cell) -> bool:
    """Plotting code (the figure is shown), check cells (their PASS/FAIL line is shown) and
    assert-only verifications (their printed line, if any, is shown)."""
    if cell.cell_type != "code":
        return False
    return draws_figure(cell) or "check" in cell.metadata.get("tags", []) or only_asserts_and_prints(cell.source)


def hide_code_on_slides(nb):
    for cell in nb.cells:
        if code_hidden_on_slides(cell):
            cell.metadata.setdefault("transient", {})["remove_source"] = True
    return nb


# --- figure sizes -------------------------------------------------------------------------------


def png_size(data: str) -> tuple[int, int, float | None]:
    """Width and height in pixels of a base64 PNG, and its dpi if it records one (pHYs chunk)."""
    raw = base64.b64decode(data)
    if raw[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    width, height = struct.unpack(">II", raw[16:24])
    dpi, pos = None, 8
    while pos + 8 <= len(raw):
        length, kind = struct.unpack(">I4s", raw[pos:pos + 8])
        if kind == b"pHYs":
            ppm_x, _, unit = struct.unpack(">IIB", raw[pos + 8:pos + 17])
            dpi = ppm_x * 0.0254 if unit == 1 and ppm_x else None
            break
        if kind in (b"IDAT", b"IEND"):
            break
        pos += 12 + length
    return width, height, dpi


def set_figure_widths(nb, px_per_inch: float = CSS_PX_PER_INCH):
    """Display width of each PNG figure = its width in inches x px_per_inch (in the output's
    metadata, which nbconvert and Jupyter Book turn into the <img> width)."""
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if "image/png" not in data:
                continue
            meta = out.setdefault("metadata", {}).setdefault("image/png", {})
            if meta.get("width"):
                continue
            width, _, dpi = png_size(data["image/png"])
            if dpi:  # the width alone: a height too would distort the figure where CSS narrows it
                meta["width"] = round(width / dpi * px_per_inch)
    return nb
