"""Render notebooks as reveal.js slides that need no network.

    python scripts/make_slides.py notebooks/01_single_neuron.ipynb [more.ipynb ...] [--out DIR]

Writes DIR/<name>.slides.html (default DIR: _build/slides) and, once, DIR/_static/ with the
JavaScript the decks load: reveal.js 4, MathJax 2 (nbconvert's reveal template speaks the MathJax 2
API), require.js and jQuery, copied from node_modules/ (package.json, `npm ci`). Nothing is fetched
from a CDN, so the folder works offline: open a deck in a browser from the file system, or copy the
whole folder to the lecture-hall laptop.

Each cell's `metadata.slideshow.slide_type` decides where it goes (scripts/slide_metadata.py sets
them); slides taller than the screen scroll. In the deck, press S for the speaker view (exercise
solutions are in its notes), Esc for the overview, and arrows to move.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

from nbconvert.exporters import SlidesExporter
from traitlets.config import Config

ROOT = Path(__file__).resolve().parents[1]
NODE = ROOT / "node_modules"
TEMPLATE_DIR = ROOT / "classroom" / "reveal"
STATIC = "_static"

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
    c.SlidesExporter.mathjax_url = f"{STATIC}/mathjax/MathJax.js?config=TeX-AMS_CHTML-full,Safe"
    c.SlidesExporter.require_js_url = f"{STATIC}/require.js"
    c.SlidesExporter.jquery_url = f"{STATIC}/jquery.min.js"
    c.SlidesExporter.extra_template_basedirs = [str(TEMPLATE_DIR)]
    c.SlidesExporter.template_file = str(TEMPLATE_DIR / "offline.html.j2")
    c.SlidesExporter.exclude_input_prompt = True
    c.SlidesExporter.exclude_output_prompt = True
    return SlidesExporter(config=c)


def make_slides(notebooks: list[Path], out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    copy_assets(out)
    exp, written = exporter(), []
    for path in notebooks:
        html, _ = exp.from_filename(str(path))
        target = out / f"{path.stem}.slides.html"
        target.write_text(html, encoding="utf-8")
        written.append(target)
    return written


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="+", type=Path)
    parser.add_argument("--out", type=Path, default=ROOT / "_build" / "slides")
    args = parser.parse_args(argv)
    for target in make_slides(args.notebooks, args.out):
        print(f"{target}  (open it in a browser; S: speaker view with the notes)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
