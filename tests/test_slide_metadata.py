"""Every cell of every notebook has reveal.js slide metadata, and scripts/slide_metadata.py, which
sets it, follows its rules and is idempotent."""

import copy
import sys

import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook
from notebook_tools import ROOT, all_notebooks, read_notebook

sys.path.insert(0, str(ROOT / "scripts"))
import slide_metadata

NOTEBOOKS = all_notebooks()
TYPES = {"slide", "subslide", "fragment", "-", "skip", "notes"}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_every_cell_has_slide_metadata(path):
    nb = read_notebook(path)
    missing = [k for k, c in enumerate(nb.cells) if c.metadata.get("slideshow", {}).get("slide_type") not in TYPES]
    assert not missing, (
        f"{path.name}: cells {missing} have no slide type: run "
        f"`.venv/bin/python scripts/slide_metadata.py notebooks/{path.name}` (docs/CLASSROOM.md)"
    )
    assert nb.cells[0].metadata["slideshow"]["slide_type"] == "slide"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_script_is_idempotent_and_touches_only_metadata(path):
    nb = read_notebook(path)
    once = copy.deepcopy(nb)
    slide_metadata.apply(once)
    twice = copy.deepcopy(once)
    assert not slide_metadata.apply(twice)
    assert twice == once
    for before, after in zip(nb.cells, once.cells):
        assert before.source == after.source and before.get("outputs") == after.get("outputs")


def test_rules():
    tall = "\n".join(f"x{i} = {i}" for i in range(30))
    nb = new_notebook(cells=[
        new_markdown_cell("# Title\n\nintro"),
        new_code_cell("import sys, pathlib\nsys.path.insert(0, str(pathlib.Path.cwd().parent))"),
        new_markdown_cell("## 1. Section"),
        new_code_cell("x = 1"),
        new_markdown_cell("### A sub-section\n\n" + "word " * 300),
        new_code_cell(tall),
        new_code_cell("y = 2"),
        new_code_cell("# Solution\nz = 3"),
        new_markdown_cell("text"),
        new_code_cell("assert y == 2, y"),  # a verification that prints nothing: not on a slide
        new_markdown_cell("## 2. Two sections\n\ntext\n\n## 3. in one cell"),
        new_code_cell("z = 4"),
    ])
    nb.cells[7].metadata["jupyter"] = {"source_hidden": True}
    assert slide_metadata.slide_types(nb) == [
        "slide", "skip", "slide", "-", "subslide", "subslide", "-", "notes", "-", "skip", "slide", "-"]
    # The deck cuts the last markdown cell in two: "z = 4" joins section 3, measured from its start.
    assert slide_metadata.markdown_pieces(nb.cells[10].source) == ["## 2. Two sections\n\ntext", "## 3. in one cell"]
