"""The static site, a slide deck and JupyterLab, opened in headless Chromium (Selenium, Debian's
/usr/bin/chromium and /usr/bin/chromedriver; .ci/run installs them with apt-get).

For each page: the maths is typeset (MathJax output elements present, no raw $...$ or TeX left in the
text), every image has loaded, and no request left the machine (Chrome's performance log: every URL
is file:, data:, blob:, about: or on 127.0.0.1/localhost). Every slide of every deck, at 1280x720, is
no taller than the screen, and no page, deck or file of the site holds a solution marker; decks built
with SOLUTIONS=0 hold no solution. Screenshots go to artifacts/screenshots/ (every slide of deck 01,
the tallest slide of each other deck). The site and the decks are built once per session, into a
temporary folder, by the same functions `make site` and `make slides` run. Without Chromium,
chromedriver, Selenium or node_modules the tests are skipped, and say why.
"""

from __future__ import annotations

import html
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from notebook_tools import ROOT

pytestmark = pytest.mark.browser

CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = os.environ.get("CHROMEDRIVER") or shutil.which("chromedriver") or "/usr/bin/chromedriver"
SHOTS = ROOT / "artifacts" / "screenshots"
NOTEBOOK = "01_single_neuron"
LOCAL_SCHEMES = {"file", "data", "blob", "about", "chrome", "devtools"}
LOCAL_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}


def _why_skip() -> str | None:
    if not Path(CHROMIUM).is_file():
        return f"no Chromium at {CHROMIUM} (apt-get install chromium chromium-driver)"
    if not Path(CHROMEDRIVER).is_file():
        return f"no chromedriver at {CHROMEDRIVER} (apt-get install chromium-driver)"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (the classroom extra: make site installs it)"
    if not (ROOT / "node_modules" / "mathjax").is_dir():
        return "node_modules/ is missing (npm ci; make site runs it)"
    return None


if _why_skip():
    pytest.skip(_why_skip(), allow_module_level=True)

sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT / "tests"))
import build_site
import make_slides

# --- fixtures -----------------------------------------------------------------------------------


NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
SCREEN = (1280, 720)


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    """The site and the slides of every notebook, built once; timings printed for the report."""
    out = tmp_path_factory.mktemp("classroom")
    start = time.perf_counter()
    index = build_site.build_site(out / "site")
    site_s = time.perf_counter() - start
    start = time.perf_counter()
    decks = make_slides.make_slides(NOTEBOOKS, out / "slides")
    slides_s = time.perf_counter() - start
    print(f"\nsite build {site_s:.1f} s, {len(decks)} decks {slides_s:.1f} s")
    return {"site": index.parent, "decks": decks, "deck": out / "slides" / f"{NOTEBOOK}.slides.html"}


@pytest.fixture(scope="session")
def driver():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1280,900", "--hide-scrollbars", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-default-apps", "--disable-extensions", "--allow-file-access-from-files"]:
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    drv = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    drv.set_page_load_timeout(60)
    SHOTS.mkdir(parents=True, exist_ok=True)
    yield drv
    drv.quit()


# --- helpers ------------------------------------------------------------------------------------


def open_page(driver, url: str):
    driver.get_log("performance")  # drop what earlier pages logged
    driver.get(url)


def requests_made(driver) -> list[dict]:
    """Every request, web socket and failed load since the last call, from the performance log."""
    events, urls = [], {}
    for entry in driver.get_log("performance"):
        msg = json.loads(entry["message"])["message"]
        method, params = msg.get("method"), msg.get("params", {})
        if method == "Network.requestWillBeSent":
            urls[params["requestId"]] = params["request"]["url"]
            events.append({"url": params["request"]["url"], "kind": "request"})
        elif method == "Network.webSocketCreated":
            events.append({"url": params["url"], "kind": "websocket"})
        elif method == "Network.loadingFailed" and not params.get("canceled"):
            events.append({"url": urls.get(params["requestId"], "?"), "kind": "failed",
                           "error": params.get("errorText")})
    return events


def assert_offline(events: list[dict], what: str):
    outside = sorted({e["url"] for e in events if not _is_local(e["url"])})
    assert not outside, f"{what} requested resources from outside the machine:\n" + "\n".join(outside)
    failed = sorted({f"{e['url']} ({e['error']})" for e in events if e["kind"] == "failed"})
    assert not failed, f"{what}: these local resources failed to load:\n" + "\n".join(failed)
    assert events, f"{what}: the performance log recorded no request at all"


def _is_local(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in LOCAL_SCHEMES or (parts.scheme in ("http", "https", "ws", "wss") and parts.hostname in LOCAL_HOSTS)


# Text of the page that is meant to be prose: no code, outputs, scripts or typeset maths.
PROSE_JS = """
const root = arguments[0] ? document.querySelector(arguments[0]) : document.body;
const copy = root.cloneNode(true);
copy.querySelectorAll('script, style, pre, code, textarea, .highlight, .MathJax, .MathJax_Preview, '
  + '.MathJax_CHTML, .mjx-chtml, mjx-container, mjx-assistive-mml, .cell_output, .jp-OutputArea, '
  + '.output_area, .jp-InputArea-editor, .CodeMirror, .cm-editor, aside.notes').forEach(e => e.remove());
return copy.textContent;
"""

IMAGES_JS = """
const root = arguments[0] ? document.querySelector(arguments[0]) : document;
return Array.from(root.querySelectorAll('img')).map(i => ({src: i.src.slice(0, 80), complete: i.complete, w: i.naturalWidth}));
"""


def assert_math_typeset(driver, selector: str, what: str, root: str | None = None):
    import re

    n = driver.execute_script(f"return document.querySelectorAll({json.dumps(selector)}).length")
    assert n > 10, f"{what}: only {n} typeset formulas ({selector})"
    prose = driver.execute_script(PROSE_JS, root)
    raw = re.findall(r"\$[^$\n]{1,80}\$|\\(?:frac|sigma|sum|mathbb|begin|partial|lVert)\b", prose)
    assert not raw, f"{what}: maths left as raw TeX: {raw[:5]}"
    return n


def assert_images_loaded(driver, what: str, at_least: int, root: str | None = None):
    images = driver.execute_script(IMAGES_JS, root)
    broken = [i for i in images if not (i["complete"] and i["w"] > 0)]
    assert not broken, f"{what}: images that did not load: {broken}"
    assert len(images) >= at_least, f"{what}: {len(images)} images, expected at least {at_least}"
    return len(images)


def wait_for(driver, script: str, timeout: float = 60, what: str = ""):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout, poll_frequency=0.25).until(
        lambda d: d.execute_script(script), message=f"timed out waiting for {what or script}")


def shot(driver, name: str) -> Path:
    path = SHOTS / f"{name}.png"
    driver.save_screenshot(str(path))
    return path


# --- the site -----------------------------------------------------------------------------------


def test_site_page_typesets_maths_loads_figures_offline(built, driver):
    page = built["site"] / f"{NOTEBOOK}.html"
    open_page(driver, page.as_uri())
    wait_for(driver, "return window.MathJax && MathJax.startup && MathJax.startup.document"
                     " && document.querySelectorAll('mjx-container').length > 0", what="MathJax 3")
    driver.execute_async_script("MathJax.startup.promise.then(arguments[0])")
    n = assert_math_typeset(driver, "mjx-container", "site", root="main")
    images = assert_images_loaded(driver, "site", at_least=3)
    shot(driver, "site_01_top")
    driver.execute_script("document.querySelector('mjx-container[display=\"true\"]').scrollIntoView({block: 'center'})")
    shot(driver, "site_01_display_maths")
    driver.execute_script("document.querySelectorAll('main img')[1].scrollIntoView({block: 'center'})")
    time.sleep(0.3)
    shot(driver, "site_01_figure")
    assert_offline(requests_made(driver), "the site")
    print(f"\nsite page {NOTEBOOK}: {n} formulas, {images} images")


def test_site_has_every_notebook_and_the_solutions_collapsed(built, driver):
    for nb in sorted((ROOT / "notebooks").glob("*.ipynb")):
        assert (built["site"] / f"{nb.stem}.html").is_file(), f"the site has no page for {nb.name}"
    open_page(driver, (built["site"] / "00_notation_numpy_data.html").as_uri())
    wait_for(driver, "return document.querySelectorAll('mjx-container').length > 0", what="MathJax 3")
    hidden = driver.execute_script("return document.querySelectorAll('.tag_hide-input details, details.hide.above-input').length")
    assert hidden >= 1, "the exercise's solution is not collapsed in the book"
    assert_images_loaded(driver, "site page 00", at_least=3)
    assert_offline(requests_made(driver), "the site (page 00)")


def test_site_pages_have_no_stray_dollar_signs(built):
    """$$...$$ inside a paragraph or a list item must become display maths, not a $ around inline maths
    (MyST's myst_dmath_double_inline, set in classroom/book/_config.yml)."""
    stray = {}
    for nb in sorted((ROOT / "notebooks").glob("*.ipynb")):
        html = (built["site"] / f"{nb.stem}.html").read_text(encoding="utf-8")
        count = html.count('$<span class="math') + html.count("</span>$")
        if count:
            stray[nb.stem] = count
    assert not stray, f"literal $ next to maths on these pages (page: count): {stray}"


# --- the slides ---------------------------------------------------------------------------------


def test_slides_typeset_maths_load_figures_offline(built, driver):
    open_page(driver, built["deck"].as_uri())
    wait_for(driver, "return document.querySelector('.reveal.ready') !== null", what="reveal.js")
    # reveal.js is an AMD module here (require.js): fetch the running instance under the deck's own URL.
    assert driver.execute_async_script("""
        const done = arguments[arguments.length - 1];
        require(['_static/reveal.js/dist/reveal.js'], R => { window.Reveal = R; done(R.isReady()); });""")
    wait_for(driver, "return window.MathJax && MathJax.Hub && document.querySelectorAll('.mjx-chtml').length > 0",
             what="MathJax 2")
    driver.execute_async_script("MathJax.Hub.Queue(arguments[0])")  # the first typeset pass is over
    n = assert_math_typeset(driver, ".mjx-chtml", "slides")
    images = assert_images_loaded(driver, "slides", at_least=3)
    total = driver.execute_script("return Reveal.getTotalSlides()")
    assert total >= 10, f"the deck has only {total} slides"
    shot(driver, "slides_01_title")
    # The sub-slide with the derivation of sigma': display maths, typeset.
    found = driver.execute_script("""
        const slides = Reveal.getSlides();
        for (const s of slides) {
            if (s.textContent.includes('The sigmoid and its derivative')) {
                const i = Reveal.getIndices(s); Reveal.slide(i.h, i.v); return true; }
        }
        return false;""")
    assert found, "no slide about the sigmoid's derivative"
    time.sleep(0.5)
    driver.execute_async_script("MathJax.Hub.Queue(arguments[0])")
    visible = driver.execute_script(
        "return Reveal.getCurrentSlide().querySelectorAll('.mjx-chtml').length")
    assert visible > 0, "the current slide shows no typeset maths"
    shot(driver, "slides_01_sigmoid_derivative")
    # The cost-curve figure: the first figure after "Choosing the learning rate", its code hidden.
    found = driver.execute_script("""
        let after = false;
        for (const s of Reveal.getSlides()) {
            after = after || s.textContent.includes('Choosing the learning rate');
            if (after && s.querySelector('img')) {
                const i = Reveal.getIndices(s); Reveal.slide(i.h, i.v);
                return !s.textContent.includes('plt.subplots'); }
        }
        return false;""")
    assert found, "no slide with the cost-curve figure alone (its plotting code hidden)"
    time.sleep(0.5)
    shot(driver, "slides_01_figure")
    assert_offline(requests_made(driver), "the slides")
    print(f"\nslides {NOTEBOOK}: {total} slides, {n} formulas, {images} images")


def open_deck(driver, deck: Path):
    open_page(driver, deck.as_uri())
    wait_for(driver, "return document.querySelector('.reveal.ready') !== null", what=f"reveal.js in {deck.name}")
    driver.execute_async_script("""
        const done = arguments[arguments.length - 1];
        require(['_static/reveal.js/dist/reveal.js'], R => { window.Reveal = R; done(R.isReady()); });""")
    wait_for(driver, "return window.MathJax && MathJax.Hub && document.querySelectorAll('.mjx-chtml').length > 0",
             what=f"MathJax 2 in {deck.name}")
    driver.execute_async_script("MathJax.Hub.Queue(arguments[0])")


# Go to slide i, let MathJax re-render it (the deck does on every slide change), then measure it.
MEASURE_JS = """
const s = Reveal.getCurrentSlide(), b = s.getBoundingClientRect(), i = Reveal.getIndices(s);
return {h: i.h, v: i.v, top: b.top, bottom: b.bottom, scroll: s.scrollHeight, client: s.clientHeight,
        marker: /(BEGIN|END) SOLUTION/.test(s.textContent), text: s.textContent.trim().slice(0, 60)};
"""


def test_every_slide_fits_the_screen_and_shows_no_solution_marker(built, driver):
    """At 1280x720, each slide of each deck lies within the screen and does not scroll (reveal.js
    makes a slide taller than 95% of the screen scroll: nbconvert's reveal_scroll)."""
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": SCREEN[0], "height": SCREEN[1], "deviceScaleFactor": 1, "mobile": False})
    too_tall, markers, counts = [], [], {}
    try:
        for deck in built["decks"]:
            name = deck.name.removesuffix(".slides.html")
            open_deck(driver, deck)
            n = driver.execute_script("return Reveal.getSlides().length")
            tallest = None
            for k in range(n):
                driver.execute_script("const s = Reveal.getSlides()[arguments[0]], i = Reveal.getIndices(s);"
                                      " Reveal.slide(i.h, i.v);", k)
                driver.execute_async_script("MathJax.Hub.Queue(arguments[0])")
                m = driver.execute_script(MEASURE_JS)
                where = f"{name} slide {k + 1} ({m['h']}/{m['v']}) {m['text']!r}"
                if m["top"] < -1 or m["bottom"] > SCREEN[1] + 1 or m["scroll"] > m["client"] + 1:
                    too_tall.append(f"{where}: {m['scroll']} px of content, top {m['top']:.0f}, bottom {m['bottom']:.0f}")
                if m["marker"]:
                    markers.append(where)
                if name == NOTEBOOK:
                    shot(driver, f"slide_{name}_{k + 1:02d}")
                if tallest is None or m["scroll"] > tallest[0]:
                    tallest = (m["scroll"], k)
            if name != NOTEBOOK:
                driver.execute_script("const s = Reveal.getSlides()[arguments[0]], i = Reveal.getIndices(s);"
                                      " Reveal.slide(i.h, i.v);", tallest[1])
                driver.execute_async_script("MathJax.Hub.Queue(arguments[0])")
                shot(driver, f"slide_{name}_tallest_{tallest[1] + 1:02d}")
            counts[name] = n
    finally:
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    assert not markers, "slides showing a solution marker:\n" + "\n".join(markers)
    assert not too_tall, "slides taller than the 1280x720 screen:\n" + "\n".join(too_tall)
    assert len(counts) == len(NOTEBOOKS) and min(counts.values()) >= 10, counts
    print(f"\n{sum(counts.values())} slides in {len(counts)} decks, all within 1280x720")


def test_no_file_of_the_site_or_the_decks_holds_a_solution_marker(built):
    """Pages, the search index, the downloadable .ipynb sources and the decks (speaker notes too)."""
    holding = []
    for path in [*built["site"].rglob("*"), *built["decks"]]:
        readable = path.is_file() and path.suffix in {".html", ".js", ".ipynb", ".txt", ".md", ".json"}
        if readable and "BEGIN SOLUTION" in path.read_text(encoding="utf-8", errors="replace"):
            holding.append(str(path.relative_to(path.parents[1])))
    assert not holding, f"files with a solution marker: {holding}"


def _shown_lines(path: Path) -> set[str]:
    """The lines of text a file shows: tags dropped, entities decoded (code is split into spans)."""
    text = html.unescape(re.sub(r"<[^>]+>", "", path.read_text(encoding="utf-8", errors="replace")))
    if path.suffix == ".ipynb":
        text = text.replace("\\n", "\n").replace('\\"', '"')
    return {line.strip().strip('",').strip() for line in text.split("\n")}


def _leaks(files_of: dict[str, list[Path]]) -> dict[str, list[str]]:
    from notebook_tools import read_notebook
    from test_presentation import solution_lines

    leaked = {}
    for path in NOTEBOOKS:
        files = files_of[path.stem]
        assert files and all(f.is_file() for f in files), f"nothing built for {path.name}: {files}"
        shown = set().union(*(_shown_lines(f) for f in files))
        found = sorted(solution_lines(read_notebook(path)) & shown)
        if found or any("BEGIN SOLUTION" in f.read_text(encoding="utf-8") for f in files):
            leaked[path.name] = found[:3]
    return leaked


def test_decks_without_solutions_hold_no_solution(tmp_path):
    """make slides SOLUTIONS=0: no solution line anywhere in a deck, speaker notes included."""
    decks = make_slides.make_slides(NOTEBOOKS, tmp_path, solutions=False)
    assert all("NotImplementedError" in d.read_text(encoding="utf-8") for d in decks), "a deck shows no stub"
    leaked = _leaks({d.name.removesuffix(".slides.html"): [d] for d in decks})
    assert not leaked, f"decks built with SOLUTIONS=0 still show solutions: {leaked}"


def test_site_without_solutions_holds_no_solution(tmp_path):
    """make site SOLUTIONS=0: no solution line in a page, nor in the .ipynb it offers for download."""
    site = build_site.build_site(tmp_path / "site", solutions=False).parent
    leaked = _leaks({p.stem: [site / f"{p.stem}.html", site / "_sources" / p.name] for p in NOTEBOOKS})
    assert not leaked, f"the site built with SOLUTIONS=0 still shows solutions: {leaked}"
    assert "BEGIN SOLUTION" not in (site / "searchindex.js").read_text(encoding="utf-8")


# --- JupyterLab ---------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def lab(tmp_path_factory):
    """JupyterLab serving a copy of the tree (notebooks, nnlib, data, coursekit.py), so that nothing can
    touch the real files and the notebooks' kernels can run. The app is exposed to the page's scripts
    (window.jupyterapp) so that a test can run chosen cells."""
    home = tmp_path_factory.mktemp("lab")
    ignore = shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__")
    for folder in ("notebooks", "nnlib", "data"):
        shutil.copytree(ROOT / folder, home / folder, ignore=ignore)
    shutil.copy2(ROOT / "coursekit.py", home / "coursekit.py")
    port, token = _free_port(), secrets.token_hex(16)
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(home / "config"), JUPYTER_RUNTIME_DIR=str(home / "runtime"),
               JUPYTERLAB_WORKSPACES_DIR=str(home / "workspaces"), JUPYTERLAB_SETTINGS_DIR=str(home / "settings"))
    cmd = [str(Path(sys.executable).with_name("jupyter-lab")), "--no-browser", "--ServerApp.ip=127.0.0.1",
           f"--ServerApp.port={port}", "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}",
           f"--ServerApp.root_dir={home}", "--LabApp.news_url=None",
           "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate", "--LabApp.expose_app_in_browser=True"]
    if os.geteuid() == 0:
        cmd.append("--allow-root")
    log = open(home / "lab.log", "w")
    proc = subprocess.Popen(cmd, cwd=home, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(240):
            if proc.poll() is not None:
                pytest.fail(f"JupyterLab exited: {(home / 'lab.log').read_text()[-2000:]}")
            try:
                urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2)
                break
            except OSError:
                time.sleep(0.25)
        else:
            pytest.fail("JupyterLab did not start within 60 s")
        yield {"url": url, "token": token}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def test_jupyterlab_renders_notebook_01_offline(lab, driver):
    open_page(driver, f"{lab['url']}/lab/tree/notebooks/{NOTEBOOK}.ipynb?token={lab['token']}")
    wait_for(driver, "return document.querySelectorAll('.jp-NotebookPanel .jp-Cell').length > 20",
             timeout=90, what="the notebook's cells")
    wait_for(driver, "return document.querySelectorAll('.jp-NotebookPanel .jp-RenderedMarkdown mjx-container').length > 5",
             timeout=60, what="MathJax in JupyterLab")
    wait_for(driver, "return document.querySelectorAll('.jp-NotebookPanel .jp-RenderedImage img').length > 0",
             timeout=60, what="a figure")
    time.sleep(1.0)
    dirty = driver.execute_script(
        "return Array.from(document.querySelectorAll('.lm-TabBar-tab.jp-mod-dirty')).map(t => t.textContent)")
    assert not dirty, f"JupyterLab marks {dirty} as modified right after opening (a save would change the file)"
    n = assert_math_typeset(driver, ".jp-NotebookPanel .jp-RenderedMarkdown mjx-container", "JupyterLab",
                            root=".jp-NotebookPanel .jp-WindowedPanel-outer, .jp-NotebookPanel")
    images = assert_images_loaded(driver, "JupyterLab", at_least=1, root=".jp-NotebookPanel")
    shot(driver, "jupyterlab_01_top")
    driver.execute_script("document.querySelector('.jp-NotebookPanel .jp-RenderedImage img').scrollIntoView({block: 'center'})")
    time.sleep(1.0)
    shot(driver, "jupyterlab_01_figure")
    events = requests_made(driver)
    assert any(e["kind"] == "websocket" for e in events), "JupyterLab opened no kernel web socket"
    assert_offline([e for e in events if e["kind"] != "failed"], "JupyterLab")
    print(f"\nJupyterLab {NOTEBOOK}: {n} formulas typeset, {images} images")


PLAYGROUND = "16_what_networks_can_learn"
RUN_CELLS = """
const [indices, done] = [arguments[0], arguments[arguments.length - 1]];
const app = window.jupyterapp;
const panel = app.shell.currentWidget;
(async () => {
  await panel.sessionContext.ready;
  for (const i of indices) {
    panel.content.activeCellIndex = i;
    await app.commands.execute('notebook:run-cell');
  }
  done('ok');
})().catch(e => done(String(e)));
"""


def test_playground_in_jupyterlab_reacts_to_a_control(lab, driver):
    """Notebook 16's playground in JupyterLab: run its set-up and playground cells, see the widget and its
    figure, choose another data set, press Train, and see the figure change (screenshots before/after)."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    open_page(driver, f"{lab['url']}/lab/tree/notebooks/{PLAYGROUND}.ipynb?token={lab['token']}")
    wait_for(driver, "const w = window.jupyterapp && window.jupyterapp.shell.currentWidget; "
                     f"return w && w.context && w.context.path.endsWith('{PLAYGROUND}.ipynb') "
                     "&& w.content.widgets.length > 20",
             timeout=90, what="notebook 16 open in JupyterLab")
    sources = driver.execute_script("return window.jupyterapp.shell.currentWidget.content.widgets.map("
                                    "c => [c.model.type, c.model.sharedModel.getSource()])")
    setup = next(i for i, (kind, text) in enumerate(sources) if kind == "code")
    play = next(i for i, (kind, text) in enumerate(sources) if kind == "code" and "box = playground()" in text)
    driver.set_script_timeout(300)
    assert driver.execute_async_script(RUN_CELLS, [setup, play]) == "ok"
    driver.execute_script("const w = window.jupyterapp.shell.currentWidget.content.widgets[arguments[0]]; "
                          "w.node.id = 'playground-cell'; w.node.scrollIntoView({block: 'start'});", play)
    cell = "#playground-cell"
    wait_for(driver, f"return document.querySelector('{cell} .widget-button') !== null "
                     f"&& document.querySelector('{cell} .jp-OutputArea img') !== null",
             timeout=180, what="the playground's controls and figure")
    node = driver.find_element(By.CSS_SELECTOR, cell)
    driver.execute_script("arguments[0].scrollIntoView({block: 'start'})", node)
    time.sleep(1.0)
    shot(driver, "jupyterlab_16_playground_before")
    before = node.find_element(By.CSS_SELECTOR, ".jp-OutputArea img").get_attribute("src")
    Select(node.find_element(By.CSS_SELECTOR, ".widget-dropdown select")).select_by_visible_text("circles")
    next(b for b in node.find_elements(By.CSS_SELECTOR, "button.widget-button") if b.text == "Train").click()
    deadline = time.time() + 180
    while time.time() < deadline:
        after = driver.execute_script(f"const i = document.querySelector('{cell} .jp-OutputArea img'); return i && i.src")
        status = node.text
        if after and after != before and "epoch 150 of 150" in status:
            break
        time.sleep(0.5)
    else:
        pytest.fail(f"the playground did not redraw after choosing circles and pressing Train: {node.text[-300:]}")
    time.sleep(1.0)
    shot(driver, "jupyterlab_16_playground_after")
    assert_offline([e for e in requests_made(driver) if e["kind"] != "failed"], "JupyterLab playground")
