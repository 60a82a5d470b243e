"""Smoke test of the built site (_build/html) in real headless Chromium.

Every HTML page of the book is served from 127.0.0.1 and opened in Debian's
/usr/bin/chromium through Python playwright (no `playwright install`). For
each page the test checks that

- it loads, and asks no host other than 127.0.0.1 for anything (the site
  must work offline: MathJax and the widget manager are served locally);
- the browser reports no console error, uncaught exception or failed request
  beyond the documented ALLOWED list below;
- all math is typeset by MathJax, without TeX errors or raw TeX left visible;
- every image has loaded (naturalWidth > 0);
- saved ipywidgets state renders as live widgets;
- every exercise solution is folded away until its toggle is clicked;
- the source-download links (the download button) resolve.

Build the site first (`make book`); the module is skipped when the site or
Chromium is missing.
"""

import functools
import http.server
import re
import tempfile
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "_build" / "html"
CHROMIUM = Path("/usr/bin/chromium")

if not CHROMIUM.exists():
    pytest.skip(f"{CHROMIUM} not found (apt-get install chromium)", allow_module_level=True)
if not (SITE / "index.html").exists():
    pytest.skip(f"no built site at {SITE.relative_to(ROOT)}; run `make book` first", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api")

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",  # runs as root in CI containers
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOCAL_HOSTS = {"127.0.0.1"}
TIMEOUT_MS = 15_000

# Browser messages that are known and harmless. Each entry: (kind, regex, why).
# kind is "console" (console.error text), "pageerror" (uncaught exception) or
# "http" (URL of a response with status >= 400). Anything else fails the test.
ALLOWED = [
    (
        "pageerror",
        r"Identifier 'THEBE_JS_URL' has already been declared",
        "every page's <head> carries sphinx-thebe's inline config script "
        "(const THEBE_JS_URL = ...) twice, so the second copy throws; it only "
        "defines a URL, and thebe is never fetched (launch_buttons.thebe: false).",
    ),
    (
        "pageerror",
        r"Cannot read properties of undefined \(reading 'Queue'\)",
        "the ipywidgets HTML manager calls the MathJax 2 API (MathJax.Hub.Queue) "
        "when a MathJax global exists; the book loads MathJax 3, which typesets "
        "the page itself.",
    ),
    (
        "http",
        r"/@jupyter-widgets/html-manager/dist/[0-9a-f]{20}\.(woff2?|ttf|eot|svg)$",
        "the widget manager's bundled Font Awesome CSS asks for its icon fonts at "
        "<page folder>/@jupyter-widgets/html-manager/dist/<hash>, a path fixed at "
        "bundle time that the site does not have; only icon glyphs inside widgets "
        "are affected.",
    ),
    (
        "console",
        r"Failed to load resource: the server responded with a status of 404.*",
        "the browser's own line for the same icon-font 404s; the URL is checked "
        "by the 'http' entry above (see _console_allowed).",
    ),
    (
        "console",
        r"invalid theme mode",
        "pydata-sphinx-theme logs this when no light/dark preference is stored "
        "yet in localStorage (a fresh browser profile); it then uses the default.",
    ),
]


def _allowed(kind, text):
    return any(k == kind and re.search(rx, text) for k, rx, _ in ALLOWED)


def _console_allowed(message):
    """A console error is allowed if it matches ALLOWED; a failed-load line only
    when the resource it names is itself an allowed failed request."""
    text = message.text
    if text.startswith("Failed to load resource"):
        return _allowed("http", message.location.get("url", ""))
    return _allowed("console", text)


def _pages():
    skip = {"_static", "_sources", "_images"}
    return sorted(
        p.relative_to(SITE).as_posix()
        for p in SITE.rglob("*.html")
        if not skip.intersection(p.relative_to(SITE).parts)
    )


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
                profile,
                executable_path=str(CHROMIUM),
                headless=True,
                args=CHROMIUM_ARGS,
                viewport={"width": 1280, "height": 900},
            )
            context.set_default_timeout(TIMEOUT_MS)

            # Never let a request leave the machine, even if a network exists:
            # other hosts are aborted here and reported by the test.
            def route(r):
                host = urlsplit(r.request.url).hostname
                if host in LOCAL_HOSTS:
                    r.continue_()
                else:
                    r.abort()

            context.route(re.compile(r"^(https?|wss?)://"), route)
            yield context
            context.close()


class Visit:
    """A browser tab, and what it reported that the test must look at."""

    def __init__(self, page):
        self.page = page
        self.offsite = []  # URLs asked of hosts other than LOCAL_HOSTS
        self.errors = []  # console errors, exceptions, failed requests not in ALLOWED
        page.on("request", self._on_request)
        page.on("response", self._on_response)
        page.on("console", self._on_console)
        page.on("pageerror", self._on_pageerror)

    def _on_request(self, request):
        url = urlsplit(request.url)
        if url.scheme in ("http", "https", "ws", "wss") and url.hostname not in LOCAL_HOSTS:
            self.offsite.append(request.url)

    def _on_response(self, response):
        if response.status >= 400 and not _allowed("http", response.url):
            self.errors.append(f"HTTP {response.status} {response.url}")

    def _on_console(self, message):
        if message.type == "error" and not _console_allowed(message):
            self.errors.append(f"console.error: {message.text} ({message.location.get('url', '')})")

    def _on_pageerror(self, error):
        text = f"{error.name}: {error.message}"
        if not _allowed("pageerror", text):
            self.errors.append(f"uncaught {text}")

    def check_offline(self):
        offsite = sorted(set(self.offsite))
        assert not offsite, "requests to hosts other than 127.0.0.1:\n" + "\n".join(offsite)

    def check_errors(self):
        assert not self.errors, "browser errors:\n" + "\n".join(self.errors)


@pytest.fixture
def visit(browser_context):
    page = browser_context.new_page()
    yield Visit(page)
    page.close()


# Text of the page outside code, scripts and rendered math: raw TeX here means
# MathJax did not run (or a `$` was not parsed as math).
_VISIBLE_TEXT_JS = """() => {
  const body = document.querySelector('main') || document.body;
  const copy = body.cloneNode(true);
  copy.querySelectorAll('pre, code, script, style, textarea, mjx-container, .highlight')
      .forEach(e => e.remove());
  return copy.textContent;
}"""

_IMAGES_JS = """async () => {
  const imgs = Array.from(document.images);
  imgs.forEach(img => { img.loading = 'eager'; });
  await Promise.all(imgs.map(img => img.complete ? null : new Promise(done => {
    img.addEventListener('load', done); img.addEventListener('error', done);
  })));
  return imgs.filter(img => !(img.naturalWidth > 0)).map(img => img.currentSrc || img.src);
}"""

_WIDGETS_RENDERED_JS = """() => {
  const views = document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]');
  return Array.from(views).every(v => {
    const area = v.previousElementSibling;
    return area && area.classList.contains('widget-subarea') && area.querySelector('.jupyter-widgets');
  });
}"""


def _check_math(page):
    n_math = page.locator(".math").count()
    has_mathjax = page.evaluate("() => !!(window.MathJax && window.MathJax.startup)")
    if has_mathjax:
        page.evaluate("() => MathJax.startup.promise.then(() => true)")
    if n_math:
        assert has_mathjax, f"{n_math} math elements but MathJax is not loaded"
        untypeset = page.evaluate(
            "() => Array.from(document.querySelectorAll('.math'))"
            ".filter(e => !e.querySelector('mjx-container')).map(e => e.textContent.slice(0, 80))"
        )
        assert not untypeset, f"math not typeset: {untypeset[:5]}"
    tex_errors = page.evaluate(
        "() => Array.from(document.querySelectorAll('mjx-merror'))"
        ".map(e => (e.getAttribute('data-mjx-error') || e.textContent).slice(0, 120))"
    )
    assert not tex_errors, f"MathJax TeX errors: {tex_errors[:5]}"
    text = page.evaluate(_VISIBLE_TEXT_JS)
    raw = [m for m in ("\\(", "\\[", "$$", "\\begin{") if m in text]
    if raw:
        at = text.find(raw[0])
        pytest.fail(f"raw TeX {raw} visible in the page text: ...{text[max(0, at - 60):at + 60]!r}...")


def _check_widgets(page):
    if not page.locator('script[type="application/vnd.jupyter.widget-state+json"]').count():
        return
    n_views = page.locator('script[type="application/vnd.jupyter.widget-view+json"]').count()
    assert n_views, "widget state is saved but the page shows no widget"
    try:
        page.wait_for_function(_WIDGETS_RENDERED_JS, timeout=TIMEOUT_MS)
    except sync_api.TimeoutError:
        pytest.fail(f"saved widget state did not render all {n_views} widget views")
    widget = page.locator(".widget-subarea .jupyter-widgets").first
    box = widget.bounding_box()
    assert box and box["width"] > 0 and box["height"] > 0, "rendered widget has no size"


_VISIBLE_WIDGET_IMAGES_JS = """(area) => Array.from(area.querySelectorAll('img'))
  .filter(i => i.offsetParent !== null && i.getBoundingClientRect().height > 0).map(i => i.src)"""


def _check_kernel_free_sliders(page):
    """A slider over precomputed frames (a kernel-free playground) must switch
    frames in the browser alone: press a key on it and watch the picture change."""
    areas = page.locator(".widget-subarea").filter(has=page.locator(".noUi-handle")).filter(has=page.locator("img"))
    for i in range(areas.count()):
        area = areas.nth(i)
        readout = area.locator(".widget-readout").first
        before = (readout.inner_text(), area.evaluate(_VISIBLE_WIDGET_IMAGES_JS))
        assert len(before[1]) == 1, f"expected one visible frame, saw {len(before[1])}"
        handle = area.locator(".noUi-handle").first
        handle.scroll_into_view_if_needed()
        handle.focus()
        page.keyboard.press("End")
        try:
            page.wait_for_function(
                "([area, old]) => (" + _VISIBLE_WIDGET_IMAGES_JS + ")(area).join() !== old",
                arg=[area.element_handle(), before[1][0]],
                timeout=5_000,
            )
        except sync_api.TimeoutError:
            pytest.fail(f"moving the slider (readout {before[0]!r}) did not change the picture: no kernel-free interactivity")
        after = (readout.inner_text(), area.evaluate(_VISIBLE_WIDGET_IMAGES_JS))
        assert after[0] != before[0] and len(after[1]) == 1, (before, after)


def _check_solutions(page):
    solutions = page.locator("div.solution.admonition")
    for i in range(solutions.count()):
        solution = solutions.nth(i)
        body = solution.locator(":scope > :not(.admonition-title)").first
        title = solution.locator(":scope > .admonition-title")
        name = title.inner_text().strip().splitlines()[0]
        assert body.count() and not body.is_visible(), (
            f"solution visible before clicking: {name!r} (give the solution `:class: dropdown`)"
        )
        # The title holds a link back to the exercise: click the toggle button.
        solution.locator(":scope > .admonition-title button.toggle-button").click()
        try:
            body.wait_for(state="visible", timeout=5_000)
        except sync_api.TimeoutError:
            pytest.fail(f"solution did not open when its toggle was clicked: {name!r}")


def _check_downloads(page):
    hrefs = page.evaluate(
        "() => Array.from(document.querySelectorAll('a[href*=\"_sources/\"]')).map(a => a.href)"
    )
    for href in hrefs:
        response = page.request.get(href)
        assert response.ok, f"download link {href} returned HTTP {response.status}"


def test_site_has_pages():
    assert "intro.html" in PAGES and len(PAGES) >= 5, PAGES


@pytest.mark.parametrize("path", PAGES)
def test_page(visit, base_url, path):
    page = visit.page
    response = page.goto(base_url + path, wait_until="load")
    assert response is not None and response.ok, f"{path}: HTTP {response and response.status}"
    page.wait_for_load_state("networkidle")
    visit.check_offline()

    _check_math(page)
    _check_widgets(page)
    _check_kernel_free_sliders(page)
    _check_solutions(page)
    _check_downloads(page)
    broken = page.evaluate(_IMAGES_JS)
    assert not broken, f"images that did not load: {broken}"

    page.wait_for_load_state("networkidle")
    visit.check_offline()
    visit.check_errors()
