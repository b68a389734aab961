"""The built site in a real browser: Chromium from the system's packages driven by
Playwright, every page at 1280 px and at 390 px (a phone). Images load, no page is wider
than the screen, no table needs sideways scrolling at 1280 px (on a phone a wide table
scrolls inside its own box), no output box scrolls sideways, no notebook plumbing or
traceback shows, and the landing page opens with the findings, the project's links and a
BibTeX entry."""

import functools
import http.server
import os
import re
import shutil
import socketserver
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from wrinklelib.config import paths

JB = str(Path(sys.executable).with_name("jupyter-book"))
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
#: Text that is notebook plumbing, not content.
PLUMBING = ("Traceback (most recent call last)", "injected-parameters", "<figure ", "<table>",
            "Parameters\nprofile", "glue(", "NameError", "KeyError", "{'", "careful: careful")
WIDTHS = {"desktop": 1280, "phone": 390}
#: A number printed with more digits than any method here supports.
RAW_FLOAT = re.compile(r"\b\d+\.\d{7,}\b")


def browser_or_skip():
    """Playwright with the system's Chromium; one line saying why the test is skipped."""
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("no Chromium on a CI machine: .ci/run installs Debian's chromium package")
        pytest.skip("no Chromium on this machine (Debian: apt-get install chromium); the site is not checked")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("playwright is not installed (pip install -e '.[test]')")
    return sync_playwright


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The site as `jupyter-book build book` makes it on a fresh clone, served over HTTP."""
    if not (paths.ROOT / "results" / "DEFAULT").exists():
        pytest.skip("no published run named in results/DEFAULT")
    browser_or_skip()
    root = tmp_path_factory.mktemp("site")
    files = subprocess.run(["git", "ls-files"], cwd=paths.ROOT, capture_output=True, text=True).stdout.split()
    for f in files:
        if (paths.ROOT / f).is_file():
            (root / f).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(paths.ROOT / f, root / f)
    env = {**os.environ, "PYTHONPATH": str(root)}
    env.pop("WRINKLE_GENERATED", None)
    r = subprocess.run([JB, "build", "book", "-W", "-n", "--keep-going"], cwd=root, capture_output=True, text=True,
                       env=env)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    html = root / "book" / "_build" / "html"
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = functools.partial(Quiet, directory=str(html))
    server = socketserver.TCPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield html, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def pages(html: Path) -> list[str]:
    skip = {"genindex.html", "search.html"}
    return sorted(str(p.relative_to(html)) for p in html.rglob("*.html")
                  if p.name not in skip and "_static" not in p.parts and "_sources" not in p.parts)


#: In the page: every problem a reader would see, as a list of lines.
CHECK = """(phone) => {
  const problems = [];
  const width = window.innerWidth;
  if (document.documentElement.scrollWidth > width + 1)
    problems.push(`page ${document.documentElement.scrollWidth} px wide at ${width} px`);
  for (const img of document.images)
    if (!img.complete || img.naturalWidth === 0) problems.push(`image not loaded: ${img.src}`);
  const scrolls = (el) => ["auto", "scroll"].includes(getComputedStyle(el).overflowX);
  for (const table of document.querySelectorAll("article table")) {
    let box = table.parentElement;
    while (box && box.tagName !== "ARTICLE" && !scrolls(box)) box = box.parentElement;
    const inBox = box && box.tagName !== "ARTICLE";
    if (!phone && inBox && box.scrollWidth > box.clientWidth + 1)
      problems.push(`table needs sideways scrolling at ${width} px: ${table.innerText.slice(0, 60)}`);
    if (!inBox && table.getBoundingClientRect().right > width + 1)
      problems.push(`table cut off at ${width} px: ${table.innerText.slice(0, 60)}`);
  }
  for (const out of document.querySelectorAll(".cell_output pre, .output pre"))
    if (!phone && out.scrollWidth > out.clientWidth + 1)
      problems.push(`output scrolls sideways: ${out.innerText.slice(0, 60)}`);
  return problems;
}"""


@pytest.mark.parametrize("device", list(WIDTHS))
def test_every_page_reads_in_a_browser(site, device):
    html, url = site
    sync_playwright = browser_or_skip()
    problems = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run"])
        page = browser.new_page(viewport={"width": WIDTHS[device], "height": 900})
        for name in pages(html):
            page.goto(f"{url}/{name}", wait_until="load")
            page.wait_for_load_state("networkidle")
            problems += [f"{name}: {x}" for x in page.evaluate(CHECK, device == "phone")]
            text = page.inner_text("article") if page.query_selector("article") else ""
            problems += [f"{name}: shows {bad!r}" for bad in PLUMBING if bad in text]
            problems += [f"{name}: a raw float {m!r}" for m in RAW_FLOAT.findall(text)[:3]]
        browser.close()
    assert not problems, "\n".join(problems[:40])


def test_the_landing_page_opens_with_the_findings_and_the_projects_links(site):
    html, _ = site
    landing = (html / "intro.html").read_text()
    head = landing[: landing.find("How to read this book")] if "How to read this book" in landing else landing
    assert "Findings" in head and "this run" in head and "verdict" in head.lower()
    assert "arxiv.org/abs/2408.09952" in landing and "github.com/labhai/ffhq-wrinkle-dataset" in landing
    text = re.sub(r"<[^>]+>", "", landing)          # the BibTeX block is syntax-highlighted
    assert "@software{" in text and "executablebooks/jupyter-book" not in landing
    assert "source.html" in landing or "repository" in landing.lower()


def test_as_many_images_on_the_methods_pages_as_figures_in_the_published_run(site):
    html, _ = site
    name = paths.published_run()
    figures = len([p for p in (paths.RESULTS / name / "figures").iterdir() if p.suffix in (".png", ".jpg")])
    shown = sum(page.read_text().count("<img") for page in (html / "notebooks").glob("*.html"))
    assert shown >= figures, f"{shown} images on the methods pages, {figures} figures in results/{name}/figures"
