"""Accessibility of the built site (_build/html): axe-core in headless Chromium.

Every HTML page of the book is served from 127.0.0.1 and opened in Debian's
/usr/bin/chromium through Python playwright, as tests/test_site.py does.
Once MathJax has typeset the page and the widget manager has drawn the
playgrounds, axe-core (npm, pinned in package.json, read from node_modules/)
is injected and run with its default rules. A page passes when axe reports
no violation of impact "serious" or "critical"; no rule is disabled.

Two checks of the book's own, which axe cannot make:

- every image in a page says what it shows: a text alternative (alt, or the
  title that ipywidgets gives a playground's frame) that is not empty and
  not a file name (Sphinx falls back to the file name when a figure has none);
- the headings of the page go down one level at a time (h1, h2, h3, never
  h1 to h3), under exactly one h1.

Build the site first (`make book`; OPTLIB_SITE=<folder> checks another
build); the module is skipped, saying why, when the site, Chromium or
axe-core (`npm ci`) is missing.
"""

import functools
import http.server
import json
import os
import re
import tempfile
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parent.parent
SITE = Path(os.environ.get("OPTLIB_SITE", ROOT / "_build" / "html")).resolve()  # another build: OPTLIB_SITE=dir
CHROMIUM = Path("/usr/bin/chromium")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"

if not CHROMIUM.exists():
    pytest.skip(f"{CHROMIUM} not found (apt-get install chromium)", allow_module_level=True)
if not AXE.exists():
    pytest.skip(f"{AXE.relative_to(ROOT)} not found: run `npm ci` (axe-core is pinned in package.json)",
                allow_module_level=True)
if not (SITE / "index.html").exists():
    pytest.skip(f"no built site at {SITE}; run `make book` first", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api")

FAILING = ("serious", "critical")  # axe's impacts that fail a page
TIMEOUT_MS = 15_000
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _pages():
    skip = {"_static", "_sources", "_images"}
    pages = []
    for path in sorted(SITE.rglob("*.html")):
        rel = path.relative_to(SITE)
        if skip.intersection(rel.parts):
            continue
        if re.search(r'<meta http-equiv="refresh"', path.read_text(encoding="utf-8", errors="replace"), re.I):
            continue  # index.html: a redirect to the first page, not a page
        pages.append(rel.as_posix())
    return pages


PAGES = _pages()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def base_url():
    handler = functools.partial(_QuietHandler, directory=str(SITE))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture(scope="module")
def browser_context():
    with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile:
        with sync_api.sync_playwright() as pw:
            context = pw.chromium.launch_persistent_context(
                profile, executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS,
                viewport={"width": 1280, "height": 900},
            )
            context.set_default_timeout(TIMEOUT_MS)
            # The site is offline: nothing may leave the machine.
            context.route(re.compile(r"^(https?|wss?)://"),
                          lambda r: r.continue_() if urlsplit(r.request.url).hostname == "127.0.0.1" else r.abort())
            yield context
            context.close()


@pytest.fixture(scope="module")
def axe_source():
    return AXE.read_text(encoding="utf-8")


_WIDGETS_DRAWN_JS = """() => Array.from(
  document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]')
).every(v => v.previousElementSibling && v.previousElementSibling.querySelector('.jupyter-widgets'))"""

_AXE_JS = """async () => {
  const results = await axe.run(document, {resultTypes: ['violations']});
  return results.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help, url: v.helpUrl,
    nodes: v.nodes.map(n => ({target: n.target.join(' '), html: n.html.slice(0, 200),
                              summary: (n.failureSummary || '').replace(/\\s+/g, ' ').slice(0, 300)}))
  }));
}"""

# Every image: its source and its text alternative (alt, else title: the
# accessible name a screen reader reads).
_IMAGES_JS = """() => Array.from(document.querySelectorAll('main img, article img')).map(img => ({
  src: (img.getAttribute('src') || '').slice(0, 80),
  alt: img.getAttribute('alt'), title: img.getAttribute('title'),
  role: img.getAttribute('role'), hidden: img.closest('[aria-hidden="true"]') !== null,
}))"""

# Visible headings of the page in order, with their levels (role="heading" too).
_HEADINGS_JS = """() => Array.from(document.querySelectorAll('h1, h2, h3, h4, h5, h6, [role="heading"]'))
  .filter(h => h.getClientRects().length > 0 && getComputedStyle(h).visibility !== 'hidden')
  .map(h => ({level: /^H[1-6]$/.test(h.tagName) ? Number(h.tagName[1]) : Number(h.getAttribute('aria-level') || 2),
              text: h.textContent.trim().replace(/\\s+/g, ' ').slice(0, 60),
              main: h.closest('main') !== null}))"""


@pytest.fixture(scope="module")
def audits(browser_context, base_url, axe_source):
    """Each page opened once, settled, and audited: {page: (violations, images, headings)}."""
    cache = {}

    def audit(page_path):
        if page_path not in cache:
            page = browser_context.new_page()
            try:
                page.goto(base_url + page_path, wait_until="load")
                page.evaluate("() => window.MathJax && MathJax.startup ? MathJax.startup.promise.then(() => true) : true")
                if page.locator('script[type="application/vnd.jupyter.widget-view+json"]').count():
                    page.wait_for_function(_WIDGETS_DRAWN_JS, timeout=TIMEOUT_MS)
                page.add_script_tag(content=axe_source)
                cache[page_path] = (page.evaluate(_AXE_JS), page.evaluate(_IMAGES_JS), page.evaluate(_HEADINGS_JS))
            finally:
                page.close()
        return cache[page_path]

    return audit


def _report(violations):
    lines = []
    for v in violations:
        lines.append(f"[{v['impact']}] {v['id']}: {v['help']} ({v['url']})")
        for node in v["nodes"][:5]:
            lines.append(f"    {node['target']}: {node['html']}")
            lines.append(f"      {node['summary']}")
        if len(v["nodes"]) > 5:
            lines.append(f"    ... and {len(v['nodes']) - 5} more")
    return "\n".join(lines)


def test_there_are_pages_to_check():
    assert len(PAGES) >= 10 and any(p.startswith("chapters/") for p in PAGES), PAGES


@pytest.mark.parametrize("page_path", PAGES)
def test_no_serious_or_critical_axe_violations(audits, page_path):
    violations, _, _ = audits(page_path)
    failing = [v for v in violations if v["impact"] in FAILING]
    assert not failing, f"{page_path}: axe-core reports\n" + _report(failing)


_FILE_NAME = re.compile(r"(^|/)[\w.-]+\.(png|jpe?g|gif|svg|webp)$|^[0-9a-f]{16,}", re.I)


@pytest.mark.parametrize("page_path", PAGES)
def test_every_image_says_what_it_shows(audits, page_path):
    _, images, _ = audits(page_path)
    bad = []
    for img in images:
        if img["hidden"] or img["role"] in ("presentation", "none") or img["alt"] == "":
            continue  # marked decorative on purpose
        text = (img["alt"] or img["title"] or "").strip()
        if not text or _FILE_NAME.search(text):
            bad.append(f"{img['src']}: alt={img['alt']!r} title={img['title']!r}")
    assert not bad, (
        f"{page_path}: images without a text alternative (a figure cell needs "
        '"mystnb": {"image": {"alt": "..."}} in its metadata):\n' + "\n".join(bad))


@pytest.mark.parametrize("page_path", PAGES)
def test_headings_go_down_one_level_at_a_time(audits, page_path):
    _, _, headings = audits(page_path)
    main = [h for h in headings if h["main"]]
    assert [h["level"] for h in main].count(1) == 1, (
        f"{page_path}: expected one h1 in the page's content, got {json.dumps(main[:5], ensure_ascii=False)}")
    assert main[0]["level"] == 1, f"{page_path}: the content starts with {main[0]}, not its h1"
    skips = [f"h{a['level']} {a['text']!r} -> h{b['level']} {b['text']!r}"
             for a, b in zip(headings, headings[1:]) if b["level"] > a["level"] + 1]
    assert not skips, f"{page_path}: heading levels skipped:\n" + "\n".join(skips)
