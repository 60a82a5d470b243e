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

The student edition (`make book-student`, _build/student-site/html) must
hold no solution at all. The text of every solution in the book (snippets
collected by tests/solution_text.py from the chapters and pages themselves)
is looked for in every file of that site, and must be found in the normal
site (so the snippets are real); the words only solutions use must be in the
normal site's search index and not in the student site's; the API page
shows only what each exercise check checks; every page of the student site
is opened in Chromium, where no solution element may be reachable and the
download button must serve the chapter's student notebook (`make
student`'s), without solutions. Those tests skip, saying why, when the
student site has not been built; `make test` builds it. Neither site may
name the paths of the machine that built it.

Build the site first (`make book`); the module is skipped when the site or
Chromium is missing.
"""

import contextlib
import functools
import http.server
import importlib.util
import json
import re
import tempfile
import threading
import zlib
from pathlib import Path
from urllib.parse import urlsplit

import nbformat
import pytest

import solution_text

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "_build" / "html"
STUDENT_SITE = ROOT / "_build" / "student-site" / "html"
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


def _pages(site=SITE):
    skip = {"_static", "_sources", "_images"}
    return sorted(
        p.relative_to(site).as_posix()
        for p in site.rglob("*.html")
        if not skip.intersection(p.relative_to(site).parts)
    )


PAGES = _pages()
HAS_STUDENT_SITE = (STUDENT_SITE / "index.html").exists()
STUDENT_PAGES = _pages(STUDENT_SITE) if HAS_STUDENT_SITE else []
needs_student_site = pytest.mark.skipif(
    not HAS_STUDENT_SITE,
    reason=f"no student edition of the site at {STUDENT_SITE.relative_to(ROOT)}; run `make book-student` (`make test` does)",
)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@contextlib.contextmanager
def _serve(folder):
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture(scope="module")
def base_url():
    with _serve(SITE) as url:
        yield url


@pytest.fixture(scope="module")
def student_url():
    with _serve(STUDENT_SITE) as url:
        yield url


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


_VISIBLE_FRAMES_JS = """async (area) => {
  const shown = Array.from(area.querySelectorAll('img'))
      .filter(i => i.offsetParent !== null && i.getBoundingClientRect().height > 0);
  const out = [];
  for (const img of shown) {  // the bytes: a widget image's src is a fresh blob: URL per view
    const bytes = new Uint8Array(await (await fetch(img.src)).arrayBuffer());
    let h = 0;
    for (const b of bytes) h = (Math.imul(h, 31) + b) | 0;
    out.push(bytes.length + ':' + h);
  }
  return out;
}"""


def _check_menu_playgrounds(page):
    """A kernel-free playground with a menu (static_playground(..., menu=True)): every
    option shows one slider and one frame of its own, its slider switches that rule's
    frames, and each slider keeps its position while other rules are shown."""
    areas = (page.locator(".widget-subarea").filter(has=page.locator("select"))
             .filter(has=page.locator(".noUi-handle")).filter(has=page.locator("img")))
    for i in range(areas.count()):
        area = areas.nth(i)
        select = area.locator("select").first
        options = select.locator("option").all_inner_texts()
        seen, readouts = [], {}

        def frames():
            return area.evaluate(_VISIBLE_FRAMES_JS)

        def wait_for_new(old, what):
            for _ in range(100):
                now = frames()
                if len(now) == 1 and now[0] not in old:
                    return now[0]
                page.wait_for_timeout(50)
            pytest.fail(f"menu playground: {what} did not show a new frame (saw {len(now)} frames)")

        for j, label in enumerate(options):
            if j:
                select.select_option(label=label)
            frame = frames()[0] if not j else None
            if j:
                frame = wait_for_new(seen, f"choosing {label!r}")
            assert len(frames()) == 1 and area.locator(".noUi-handle").count() == 1, label
            seen.append(frame)
            readout = area.locator(".widget-readout").first
            handle = area.locator(".noUi-handle").first
            before = readout.inner_text()
            handle.scroll_into_view_if_needed()
            handle.focus()
            page.keyboard.press("End")
            if readout.inner_text() == before:  # it started at its last value
                page.keyboard.press("Home")
            if readout.inner_text() != before:  # (a rule with one value has nothing to move)
                seen.append(wait_for_new(seen, f"moving {label!r}'s slider"))
            readouts[label] = readout.inner_text()
        if len(options) > 1:  # back to the first rule: its slider where it was left
            select.select_option(label=options[0])
            page.wait_for_function(
                "([area, want]) => { const r = area.querySelector('.widget-readout'); return r && r.innerText === want; }",
                arg=[area.element_handle(), readouts[options[0]]], timeout=5_000)
    return areas.count()


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


# Pages whose kernel-free playground chooses the optimizer from a menu.
MENU_PAGES = ["chapters/09_putting_it_together.html"]


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
    menus = _check_menu_playgrounds(page)
    if path in MENU_PAGES:
        assert menus, f"{path}: its playground with a menu of optimizers did not render"
    _check_solutions(page)
    _check_downloads(page)
    broken = page.evaluate(_IMAGES_JS)
    assert not broken, f"images that did not load: {broken}"

    page.wait_for_load_state("networkidle")
    visit.check_offline()
    visit.check_errors()


# ---- the student edition: no solution anywhere ------------------------------

SOLUTIONS = solution_text.collect()
# Files that are not text (images, fonts); everything else is read.
_BINARY = {".png", ".jpg", ".jpeg", ".gif", ".ico", ".webp", ".woff", ".woff2", ".ttf", ".eot", ".otf", ".pdf", ".zip"}
# Markup only a solution makes (not in stylesheets: sphinx-exercise's styles `.solution`);
# in notebooks, solution markup of any kind (a page may show it: how-to-use.md does).
_SOLUTION_MARKUP = [
    (re.compile(r"""class=["'][^"']*\bsolution\b"""), "a solution admonition"),
    (re.compile(r"Solution to Exercise"), "a solution's title"),
]
_SOLUTION_MARKUP_IN_NOTEBOOKS = [
    (re.compile(r"\{solution(?:-start|-end)?\}"), "a solution directive"),
    (re.compile(r"(BEGIN|END) SOLUTION"), "nbgrader's solution markers"),
]


@functools.cache
def _site_files(site):
    """{path in the site: (raw text, normalized text)} for every text file of a built site."""
    files = {}
    for path in sorted(site.rglob("*")):
        if not path.is_file() or path.suffix.lower() in _BINARY:
            continue
        rel = path.relative_to(site).as_posix()
        if path.suffix == ".inv":  # Sphinx's inventory: 4 header lines, then zlib
            data = path.read_bytes()
            head = data.split(b"\n", 4)
            raw = b"\n".join(head[:4]).decode() + "\n" + zlib.decompress(head[4]).decode(errors="replace")
            files[rel] = (raw, solution_text.normalize(raw))
        else:
            files[rel] = (path.read_text(errors="replace"), solution_text.file_text(path))
    return files


def _snippets_in(text):
    """Each (solution, snippet) whose snippet ``text`` (normalized) contains."""
    return [(s, snippet) for s in SOLUTIONS for snippet in s.snippets if snippet in text]


def test_every_solution_has_text_to_look_for():
    assert len(SOLUTIONS) >= 8, f"only {len(SOLUTIONS)} solutions found in the book: is the parser broken?"
    bare = [str(s) for s in SOLUTIONS if not s.snippets]
    assert not bare, "solutions without a distinctive snippet (tests/solution_text.py):\n" + "\n".join(bare)


def test_normal_site_shows_every_solution_snippet():
    """The snippets are real: the normal site (make book) shows every one of them."""
    files = _site_files(SITE)
    everything = "\n".join(text for _, text in files.values())
    missing = [f"{s}: {snippet!r}" for s in SOLUTIONS for snippet in s.snippets if snippet not in everything]
    assert not missing, (
        f"solution text not found in {SITE.relative_to(ROOT)} (a stale build? `make book`; or the snippets "
        "are not what the site shows):\n" + "\n".join(missing)
    )
    assert "Solution to Exercise" in files["searchindex.js"][0], "the normal site's search index lists no solution"


def _search_index(site):
    raw = (site / "searchindex.js").read_text()
    return json.loads(raw[raw.index("(") + 1 : raw.rindex(")")])


@functools.cache
def _solution_only_stems():
    """The search terms (Sphinx's English stems) that only solutions' prose uses."""
    from sphinx.search.en import SearchEnglish

    lang = SearchEnglish({})

    def stems(text):
        return {lang.stem(w.lower()) for w in lang.split(text) if lang.word_filter(w)}

    prose = "\n".join(text for s in SOLUTIONS for text in s.prose)
    return stems(prose) - stems(solution_text.outside_solutions())


def test_normal_search_index_finds_words_only_solutions_use():
    """The search index of the normal site knows the solutions' words (so the next test can fail)."""
    only = _solution_only_stems()
    indexed = only & set(_search_index(SITE)["terms"])
    assert len(only) >= 10 and len(indexed) >= 0.8 * len(only), (len(only), sorted(only - indexed))


@needs_student_site
def test_student_search_index_has_no_word_only_solutions_use():
    index = _search_index(STUDENT_SITE)
    leaked = _solution_only_stems() & (set(index["terms"]) | set(index["titleterms"]))
    assert not leaked, f"the student site's search index has words only solutions use: {sorted(leaked)}"


@needs_student_site
def test_student_site_has_every_page():
    pages = [p.relative_to(ROOT).with_suffix(".html").as_posix() for p in solution_text.book_pages()]
    missing = [p for p in pages if not (STUDENT_SITE / p).is_file()]
    assert not missing, f"pages missing from the student site: {missing}"


@needs_student_site
def test_student_site_says_it_has_no_solutions():
    for path in STUDENT_PAGES:
        if path == "index.html":
            continue  # only redirects to the root page
        raw = (STUDENT_SITE / path).read_text()
        announcement = re.search(r'bd-header-announcement__content">([^<]*)<', raw)
        assert announcement and "solutions are not" in announcement.group(1), f"{path}: no student-edition announcement"
    intro = solution_text.file_text(STUDENT_SITE / "intro.html")
    assert "Student edition This is the edition of the book without the solutions" in intro


@needs_student_site
def test_student_site_has_no_solution_anywhere():
    """Every file (pages, search index, sources, notebooks, scripts, inventory): no solution text."""
    leaks = []
    for rel, (raw, text) in _site_files(STUDENT_SITE).items():
        leaks += [f"{rel}: {s} ({snippet!r})" for s, snippet in _snippets_in(text)]
        markup = [] if rel.endswith((".css", ".css.map")) else list(_SOLUTION_MARKUP)
        markup += _SOLUTION_MARKUP_IN_NOTEBOOKS if rel.endswith(".ipynb") else []
        leaks += [f"{rel}: {what} ({m.group(0)!r})" for rx, what in markup if (m := rx.search(raw))]
    assert not leaks, f"solutions in the student site ({len(leaks)}):\n" + "\n".join(leaks[:50])


_make_student_spec = importlib.util.spec_from_file_location("make_student", ROOT / "tools" / "make_student.py")
make_student = importlib.util.module_from_spec(_make_student_spec)
_make_student_spec.loader.exec_module(make_student)


@functools.cache
def _student_notebook(page):
    """What `make student` writes for a chapter (tools/make_student.py's conversion)."""
    path = ROOT / page
    nb = nbformat.read(path, as_version=4)
    return make_student._converter().convert_notebook(nb, path, edition="student", strip=make_student.student_notebook)


def _check_student_download(page, href):
    response = page.request.get(href)
    assert response.ok, f"download link {href} returned HTTP {response.status}"
    source = urlsplit(href).path.split("/_sources/", 1)[1]
    text = response.text()
    readable = "\n".join(solution_text.json_strings(json.loads(text))) if source.endswith(".ipynb") else text
    found = _snippets_in(solution_text.normalize(readable))
    assert not found, f"{source}: solution text: " + "; ".join(f"{s} ({snippet!r})" for s, snippet in found)
    if not source.endswith(".ipynb"):
        assert "{solution" not in text, f"{source}: a solution directive"
        return
    nb = nbformat.reads(text, as_version=4)
    for cell in nb.cells:
        assert "BEGIN SOLUTION" not in cell.source and "END SOLUTION" not in cell.source, (source, cell.id)
        if cell.cell_type == "code":
            assert not cell.outputs, f"{source}: cell {cell.id} has outputs (students get none)"
        else:
            assert "{solution" not in cell.source and "Solution to" not in cell.source, (source, cell.id)
    assert nb == _student_notebook(source), (
        f"{source}: the download is not the notebook `make student` writes (stale? `make book-student`)"
    )


@needs_student_site
@pytest.mark.parametrize("path", STUDENT_PAGES)
def test_student_page(visit, student_url, path):
    """In the browser: no solution reachable on the page; the download is the student notebook."""
    page = visit.page
    response = page.goto(student_url + path, wait_until="load")
    assert response is not None and response.ok, f"{path}: HTTP {response and response.status}"
    page.wait_for_load_state("networkidle")
    visit.check_offline()

    assert page.locator(".solution").count() == 0, "a sphinx-exercise solution on the page"
    assert page.locator("details, .dropdown, .toggle-hidden").filter(has_text=re.compile("Solution")).count() == 0
    assert page.get_by_text(re.compile("Solution to Exercise")).count() == 0
    # all of the document's text, hidden (folded) parts and scripts included
    everything = solution_text.normalize(page.evaluate("() => document.documentElement.textContent"))
    found = _snippets_in(everything)
    assert not found, "solution text in the page: " + "; ".join(f"{s} ({snippet!r})" for s, snippet in found)

    hrefs = page.evaluate("() => Array.from(document.querySelectorAll('a[href*=\"_sources/\"]')).map(a => a.href)")
    if path.startswith("chapters/"):
        assert any(h.endswith(".ipynb") for h in hrefs), f"{path}: no notebook download"
    for href in hrefs:
        _check_student_download(page, href)

    _check_math(page)
    _check_widgets(page)
    page.wait_for_load_state("networkidle")
    visit.check_offline()
    visit.check_errors()


@pytest.mark.parametrize("site", [SITE, STUDENT_SITE], ids=["site", "student site"])
def test_no_file_names_this_machines_paths(site):
    """Outputs, sources and downloads carry no path of the machine that built them."""
    if not (site / "index.html").exists():
        pytest.skip(f"no site at {site.relative_to(ROOT)}")
    local = [str(ROOT), str(ROOT.resolve())]
    found = [rel for rel, (raw, _) in _site_files(site).items() if any(p in raw for p in local)]
    assert not found, f"files naming {ROOT}: {found}"


def _check_docs(site):
    """{object id: its description's HTML} for each optlib.checks object on the API page
    (up to the parameter list that autodoc adds from the type hints)."""
    raw = (site / "api.html").read_text()
    docs = re.findall(r'<dt class="sig[^"]*" id="(optlib\.checks[^"]*)">.*?</dt>\s*<dd>(.*?)</dd>', raw, re.S)
    return {name: body.split('<dl class="field-list')[0] for name, body in docs}


def _more_than_a_summary(body):
    return body.count("<p>") > 1 or '<div class="doctest' in body or '<div class="highlight' in body


@needs_student_site
def test_student_api_page_shows_only_what_each_check_checks():
    """The checks' docstrings give answers away (a doctest of the right answer,
    "The answer is ..."): the student site keeps only their first paragraph."""
    normal, student = _check_docs(SITE), _check_docs(STUDENT_SITE)
    assert len(student) >= 10 and student.keys() == normal.keys()
    longer = [name for name, body in student.items() if _more_than_a_summary(body)]
    assert not longer, f"optlib.checks docs with more than a summary on the student site: {longer}"
    # ... which the normal site shows in full (so this test can fail)
    assert sum(_more_than_a_summary(body) for body in normal.values()) >= 10
