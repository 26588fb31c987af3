"""What the slides and the site show of a notebook (scripts/presentation.py, used by make_slides.py
and build_site.py): no solution marker ever; with SOLUTIONS=0 no solution at all; a slide per `##`
heading; plotting and check code hidden on slides; figures at most about 10 inches wide, shown at
their size in inches. No browser or classroom extra needed (tests/test_browser.py renders them)."""

import base64
import copy
import io
import re
import sys

import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output
from notebook_tools import ROOT, all_notebooks, read_notebook

sys.path.insert(0, str(ROOT / "scripts"))
import presentation
import slide_metadata

NOTEBOOKS = all_notebooks()
MAX_FIGURE_INCHES = 10.05
MIN_FIGURE_DPI = 140


def solution_lines(nb) -> set[str]:
    """Distinctive lines inside solution regions that appear nowhere outside one in the notebook."""
    inside, outside = set(), set()
    for cell in nb.cells:
        region = False
        for line in cell.source.split("\n"):
            if presentation._MARKER.match(line):
                region = "BEGIN" in line
                continue
            (inside if region else outside).add(line.strip())
    return {line for line in inside - outside if len(line) >= 12 and not line.startswith(("#", "<", "</"))}


def all_text(nb) -> str:
    parts = []
    for cell in nb.cells:
        parts.append(cell.source)
        for out in cell.get("outputs", []):
            parts.append("".join(out.get("text", "")))
            parts += ["".join(v) for k, v in out.get("data", {}).items() if k.startswith("text/")]
    return "\n".join(parts)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_no_solution_marker_and_with_solutions_0_no_solution(path):
    nb = read_notebook(path)
    secret = solution_lines(nb)
    assert secret, f"{path.name}: no solution region found (the test would pass vacuously)"
    shown = presentation.strip_markers(copy.deepcopy(nb))
    assert "BEGIN SOLUTION" not in all_text(shown) and "END SOLUTION" not in all_text(shown)
    assert secret <= {line.strip() for line in all_text(shown).split("\n")}, "a solution line was lost"
    removed = presentation.remove_solutions(copy.deepcopy(nb))
    text = all_text(removed)
    assert "BEGIN SOLUTION" not in text
    leaked = sorted(secret & {line.strip() for line in text.split("\n")})
    assert not leaked, f"{path.name} with SOLUTIONS=0 still shows: {leaked[:3]}"
    assert "raise NotImplementedError()" in text or not any(
        c.cell_type == "code" and presentation.has_solution(c) for c in nb.cells)
    checks = [c for c in removed.cells if "check" in c.metadata.get("tags", [])]
    assert all(not c.outputs for c in checks), "a check cell's PASS line can quote the answer"


def test_an_emptied_cell_hands_its_slide_to_the_next():
    cells = [new_markdown_cell("## A"), new_code_cell("print(check())"), new_markdown_cell("after"),
             new_code_cell("x = 1")]
    cells[1].metadata["tags"] = ["check"]
    for cell, kind in zip(cells, ["slide", "subslide", "-", "-"]):
        cell.metadata["slideshow"] = {"slide_type": kind}
    nb = presentation.drop_empty_cells(new_notebook(cells=cells))
    assert [c.metadata["slideshow"]["slide_type"] for c in nb.cells] == ["slide", "skip", "subslide", "-"]


def test_without_solutions_keeps_indentation_and_drops_markdown_answers():
    code = "def f(x):\n    \"\"\"Doc.\"\"\"\n    ### BEGIN SOLUTION\n    return 2 * x\n    ### END SOLUTION\n"
    assert presentation.without_solutions(code, markdown=False) == (
        "def f(x):\n    \"\"\"Doc.\"\"\"\n    # YOUR CODE HERE\n    raise NotImplementedError()\n")
    md = "**1.** Why?\n\n<!-- ### BEGIN SOLUTION -->\n<details>secret</details>\n<!-- ### END SOLUTION -->\n\n**2.** And?"
    assert presentation.without_solutions(md, markdown=True) == "**1.** Why?\n\n**2.** And?"
    assert presentation.strip_solution_markers(md) == "**1.** Why?\n\n<details>secret</details>\n\n**2.** And?"
    with pytest.raises(ValueError, match="without"):
        presentation.without_solutions("### BEGIN SOLUTION\nx = 1\n", markdown=False)


def test_split_markdown_at_headings_not_inside_fences_or_maths():
    source = "## 3. A\n\ntext\n\n```\n## not a heading\n```\n\n$$\n## not either\n$$\n\n### B\n\nmore\n\n## 4. C"
    assert presentation.split_markdown(source) == [
        "## 3. A\n\ntext\n\n```\n## not a heading\n```\n\n$$\n## not either\n$$", "### B\n\nmore", "## 4. C"]
    nb = new_notebook(cells=[new_markdown_cell(source)])
    nb.cells[0].metadata["slideshow"] = {"slide_type": "slide"}
    presentation.split_sections(nb)
    assert [c.metadata["slideshow"]["slide_type"] for c in nb.cells] == ["slide", "subslide", "slide"]


def test_a_section_taller_than_a_screen_is_cut_between_paragraphs():
    para = "word " * 200
    source = "## Long\n\n" + "\n\n".join([para] * 6)
    pieces = slide_metadata.markdown_pieces(source)
    assert len(pieces) > 1 and pieces[0].startswith("## Long")
    assert all(slide_metadata.source_px("markdown", p) <= slide_metadata.SCREEN_PX for p in pieces)
    assert "\n\n".join(pieces).split() == source.split()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_every_heading_starts_a_slide_in_the_deck(path):
    nb = presentation.split_sections(read_notebook(path), slide_metadata.markdown_pieces)
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        assert len(re.findall(r"^#{2,3} ", cell.source, flags=re.MULTILINE)) <= 1, cell.source[:200]
        level = presentation.heading_level(cell.source)
        kind = cell.metadata["slideshow"]["slide_type"]
        assert level == 0 or kind == ("slide" if level == 2 else "subslide") or (level == 3 and kind == "slide"), (
            f"{path.name}: {cell.source.splitlines()[0]!r} is {kind!r}")


def _png(width_in: float, height_in: float, dpi: int) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=(width_in, height_in), dpi=dpi)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode()


def test_figures_are_shown_at_their_size_in_inches_and_their_code_hidden():
    cell = new_code_cell("fig, ax = plt.subplots(figsize=(5, 2))\nplt.show()",
                         outputs=[new_output("display_data", data={"image/png": _png(5, 2, 150)})])
    check = new_code_cell("print(check())", outputs=[new_output("stream", text="PASS: ok\n")])
    check.metadata["tags"] = ["check"]
    asserts = new_code_cell("assert x > 1, x\nprint(f'{x} > 1')")
    work = new_code_cell("x = 2\nprint(x)")
    nb = new_notebook(cells=[cell, check, asserts, work])
    presentation.set_figure_widths(nb)
    assert nb.cells[0].outputs[0].metadata["image/png"] == {"width": 5 * presentation.CSS_PX_PER_INCH}
    assert [presentation.code_hidden_on_slides(c) for c in nb.cells] == [True, True, True, False]
    presentation.hide_code_on_slides(nb)
    assert nb.cells[0].metadata["transient"] == {"remove_source": True}
    assert "transient" not in nb.cells[3].metadata
    assert slide_metadata.cell_px(nb.cells[2]) == 0  # nothing left to show: the cell is skipped


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_figures_at_most_10_inches_wide_and_sharp(path):
    """Wider figures shrink their text below legibility on a page or a slide; 150 dpi (notebooks/
    matplotlibrc) keeps them sharp on a projector."""
    bad = []
    for k, cell in enumerate(read_notebook(path).cells):
        for out in cell.get("outputs", []):
            if "image/png" in out.get("data", {}):
                width, _, dpi = presentation.png_size(out["data"]["image/png"])
                if dpi is None or dpi < MIN_FIGURE_DPI or width / dpi > MAX_FIGURE_INCHES:
                    bad.append(f"cell {k}: {width} px at {dpi} dpi")
    assert not bad, f"{path.name}: figures wider than 10 inches or under {MIN_FIGURE_DPI} dpi: {bad}"
