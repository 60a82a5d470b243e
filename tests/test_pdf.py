"""The whole book as one PDF (`make pdf`), built here and read back.

The module builds the PDF by Jupyter Book's LaTeX route (xelatex through
latexmk, the same command as `make pdf`) into a temporary folder, about a
minute, and checks what a reader of the PDF would otherwise find wrong:

- a sane number of pages, and no unresolved reference ("??");
- every chapter of _toc.yml, with the number the site gives it
  ("1 Gradient descent"), in the table of contents;
- every image a reader of the notebooks sees (the matplotlib figures, and
  each kernel-free playground as its first frame) embedded, pixel for pixel;
- no widget markup ("VBox(...)", widget mime types) instead of a playground;
- typeset math, every glued number, algorithm, exercise, solution and
  cited work, and no character the fonts lack.

Skipped, with the reason, where TeX Live (xelatex, latexmk) or poppler-utils
(pdftotext, pdfimages) is missing; .ci/run installs both on Debian. To check
a PDF built already (`make pdf`) instead of building one, point
OPTLIB_PDF_BUILD at its LaTeX folder: ``OPTLIB_PDF_BUILD=_build/latex pytest
tests/test_pdf.py``.
"""

import base64
import collections
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
JUPYTER_BOOK = Path(sys.executable).with_name("jupyter-book")
TOOLS = {
    "xelatex": "TeX Live (Debian: texlive-xetex)",
    "latexmk": "latexmk (Debian: latexmk)",
    "pdftotext": "poppler-utils",
    "pdfimages": "poppler-utils",
}
missing = [f"{tool} ({what})" for tool, what in TOOLS.items() if shutil.which(tool) is None]
if missing:
    pytest.skip("the PDF needs " + ", ".join(missing) + "; see README.md, `make pdf`", allow_module_level=True)
if not JUPYTER_BOOK.exists():
    pytest.skip(f"{JUPYTER_BOOK} not found (make venv)", allow_module_level=True)
Image = pytest.importorskip("PIL.Image")
np = pytest.importorskip("numpy")

PAGES = (100, 400)  # the book has about 220 pages
WIDGET_MARKUP = ["VBox(", "HBox(", "PlaygroundBox(", "Stack(", "SelectionSlider(", "Dropdown(",
                 "application/vnd.jupyter", "widget-view", "model_id", "IPY_MODEL_"]
REMOVED = {"remove-output", "remove-cell"}
QUOTES = str.maketrans("\u2018\u2019\u201c\u201d", "''\"\"")  # TeX's typographic quotes, as typed


# ---------------------------------------------------------------- the book's sources

def _toc_files():
    """Every document of _toc.yml in reading order, with its part's caption and numbering."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [(toc["root"], None, False)]
    for part in toc.get("parts", []):
        for chapter in part.get("chapters", []):
            files.append((chapter["file"], part.get("caption"), bool(part.get("numbered"))))
    return files


def _source(name):
    """The page's .ipynb or .md file (None if there is none: the chapter test says so)."""
    return next((p for p in (ROOT / f"{name}.ipynb", ROOT / f"{name}.md") if p.exists()), None)


def _notebook(path):
    return json.loads(path.read_text(encoding="utf-8"))


def _markdown(path):
    """The Markdown of a page: the file, or a notebook's Markdown cells."""
    if path.suffix == ".md":
        return path.read_text(encoding="utf-8")
    return "\n\n".join("".join(c["source"]) for c in _notebook(path)["cells"] if c["cell_type"] == "markdown")


def _title(path):
    match = re.search(r"^# (.+)$", _markdown(path), re.M)
    assert match, f"{path.relative_to(ROOT)} has no level-1 heading"
    return match.group(1).strip()


TOC = [(name, _source(name), caption, numbered) for name, caption, numbered in _toc_files()]
DOCS = [doc for doc in TOC if doc[1] is not None]
NOTEBOOKS = [path for _, path, _, _ in DOCS if path.suffix == ".ipynb"]


def _shown_pngs():
    """(where, PNG bytes) of every image output a reader of the book sees."""
    for path in NOTEBOOKS:
        for i, cell in enumerate(_notebook(path)["cells"]):
            if cell["cell_type"] != "code" or REMOVED & set(cell["metadata"].get("tags", [])):
                continue
            for output in cell.get("outputs", []):
                png = output.get("data", {}).get("image/png")
                if png:
                    yield f"{path.name} cell {i}", base64.b64decode("".join(png) if isinstance(png, list) else png)


def _pixels(image):
    """A digest of an image's RGB pixels (the PDF keeps an alpha channel apart, as a soft mask)."""
    rgb = np.asarray(image.convert("RGB"))
    return rgb.shape[:2], hashlib.sha1(rgb.tobytes()).hexdigest()


def _directives(name):
    """Lines opening a ``{name}`` directive (``` or ::: fences) in the book's pages."""
    pattern = re.compile(r"^\s*(`{3,}|:{3,})\{" + re.escape(name) + r"\}(.*)$", re.M)
    return [m.group(2).strip() for _, path, _, _ in DOCS for m in pattern.finditer(_markdown(path))]


# ---------------------------------------------------------------- the PDF

@pytest.fixture(scope="module")
def build(tmp_path_factory):
    """Build the PDF as `make pdf` does, into a temporary folder: its LaTeX folder."""
    given = os.environ.get("OPTLIB_PDF_BUILD")
    if given:
        latex = (ROOT / given).resolve()
        assert (latex / "book.pdf").exists() and (latex / "book.log").exists(), f"no book.pdf and book.log in {latex}"
        return latex
    out = tmp_path_factory.mktemp("pdf")
    result = subprocess.run(
        [str(JUPYTER_BOOK), "build", str(ROOT), "--builder", "pdflatex", "--path-output", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=900,
    )
    latex = out / "_build" / "latex"
    if result.returncode != 0 or not (latex / "book.pdf").exists():
        log = (latex / "book.log").read_text(errors="replace") if (latex / "book.log").exists() else ""
        errors = "\n".join(line for line in log.splitlines() if line.startswith("!"))[:3000]
        pytest.fail(f"the PDF build failed ({result.returncode}):\n{result.stdout[-2000:]}\n{result.stderr[-3000:]}\n{errors}")
    return latex


@pytest.fixture(scope="module")
def pdf(build):
    return build / "book.pdf"


@pytest.fixture(scope="module")
def text(pdf):
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout


@pytest.fixture(scope="module")
def flat(text):
    """The text without any white space, for phrases that a line break may split."""
    return re.sub(r"\s+", "", text)


def _letters(text):
    """Lower-case letters and digits only: what survives line breaks and hyphenation."""
    return re.sub(r"[^0-9a-z]", "", text.lower())


@pytest.fixture(scope="module")
def letters(text):
    return _letters(text)


def _pages(pdf):
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    match = re.search(r"^Pages:\s+(\d+)", info, re.M)
    return int(match.group(1)) if match else None


# ---------------------------------------------------------------- checks

def test_page_count_is_sane(pdf, text):
    pages = _pages(pdf) if shutil.which("pdfinfo") else text.count("\f")
    assert PAGES[0] <= pages <= PAGES[1], f"{pages} pages, expected {PAGES[0]}-{PAGES[1]}"


def test_no_unresolved_references(text, build):
    lines = [line.strip() for line in text.splitlines() if "??" in line]
    assert not lines, "unresolved references in the PDF:\n" + "\n".join(lines[:20])
    log = (build / "book.log").read_text(errors="replace")
    undefined = sorted(set(re.findall(r"Reference `([^']+)' on page \d+ undefined", log)))
    assert not undefined, f"LaTeX found undefined references: {undefined}"


def test_no_missing_glyphs(build):
    log = (build / "book.log").read_text(errors="replace")
    missing = sorted(set(re.findall(r"Missing character: There is no (.+?) in font", log)))
    assert not missing, f"characters the PDF's fonts lack (printed as nothing): {missing}"


def test_every_chapter_is_in_the_contents_with_the_sites_number(text):
    """A line of the table of contents: the number (numbered parts only), the title, the page."""
    text = text.translate(QUOTES)
    number = 0
    for name, path, _, numbered in TOC[1:]:
        assert path is not None, f"{name} in _toc.yml has no .ipynb or .md"
        title = _title(path).translate(QUOTES)
        words = r"\s+".join(map(re.escape, title.split()))
        if numbered:
            number += 1
        prefix = rf"{number}\s+" if numbered else ""
        assert re.search(rf"^\s*{prefix}{words}\s+\d+\s*$", text, re.M), (
            f"{name}: the contents have no line {'%d ' % number if numbered else ''}{title!r}")


def test_every_image_a_reader_sees_is_embedded_pixel_for_pixel(pdf, tmp_path):
    listing = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, text=True, check=True).stdout
    kinds = {int(row.split()[1]): row.split()[2] for row in listing.splitlines()[2:] if row.strip()}
    subprocess.run(["pdfimages", "-png", str(pdf), str(tmp_path / "img")], check=True)
    embedded = collections.Counter()
    for file in sorted(tmp_path.glob("img-*.png")):
        if kinds.get(int(file.stem.split("-")[1])) == "image":  # not a soft mask (alpha)
            with Image.open(file) as image:
                embedded[_pixels(image)] += 1
    expected = collections.Counter()
    where = {}
    for place, png in _shown_pngs():
        with Image.open(io.BytesIO(png)) as image:
            key = _pixels(image)
        expected[key] += 1
        where.setdefault(key, place)
    absent = [f"{where[key]} ({key[0][1]}x{key[0][0]} px)" for key in expected if embedded[key] < expected[key]]
    assert not absent, "images of the notebooks not in the PDF:\n" + "\n".join(absent)
    extra = sum(embedded.values()) - sum(expected.values())
    assert extra == 0, f"the PDF has {extra} image(s) more than the notebooks show"


def test_playgrounds_are_pictures_not_widget_markup(text):
    found = [s for s in WIDGET_MARKUP if s in text]
    assert not found, f"widget markup printed in the PDF: {found}"


def test_math_is_typeset(text):
    # unicode-math prints math italic letters (U+1D400 block): a book about
    # eta, beta and theta has thousands of them.
    italic = sum(1 for ch in text if 0x1D400 <= ord(ch) <= 0x1D7FF)
    assert italic > 2000, f"only {italic} math letters in the PDF"


def test_every_glued_number_is_in_the_text(flat):
    from myst_nb.core.variables import format_plain_text

    absent = []
    for path in NOTEBOOKS:
        nb = _notebook(path)
        glued = {}
        for cell in nb["cells"]:
            for output in cell.get("outputs", []):
                meta = output.get("metadata", {}).get("scrapbook")
                if meta:
                    cut = len(meta.get("mime_prefix", ""))
                    data = {k[cut:]: v for k, v in output.get("data", {}).items()}
                    value = data.get("text/plain", "")
                    glued[meta["name"]] = "".join(value) if isinstance(value, list) else value
        for role in re.findall(r"\{glue:text\}`([^`]+)`", _markdown(path)):
            key, sep, fmt = role.rpartition(":")
            if not sep or not key:
                key, fmt = role, ""
            if key not in glued:
                absent.append(f"{path.name}: nothing glued under {key!r} (execute the notebook)")
                continue
            value = re.sub(r"\s+", "", format_plain_text(glued[key], fmt))
            if value not in flat:
                absent.append(f"{path.name}: {key} = {value}")
    assert not absent, "glued values missing from the PDF:\n" + "\n".join(absent)


def test_every_algorithm_is_there_with_its_title(letters):
    titles = _directives("prf:algorithm")
    assert titles, "no {prf:algorithm} in the book?"
    absent = [t for t in titles if not re.search(r"algorithm\d+" + re.escape(_letters(t)), letters)]
    assert not absent, f"algorithms missing from the PDF: {absent}"


def test_every_exercise_and_solution_is_there(text):
    exercises = _directives("exercise")
    solutions = _directives("solution") + _directives("solution-start")
    titled = re.findall(r"^\s*Exercise (\d+(?:\.\d+)*)(?: \(|\s*$)", text, re.M)
    solved = re.findall(r"^\s*Solution to Exercise (\d+(?:\.\d+)*)", text, re.M)
    assert len(titled) == len(exercises), f"{len(exercises)} exercises in the book, {len(titled)} in the PDF"
    assert len(solved) == len(solutions), f"{len(solutions)} solutions in the book, {len(solved)} in the PDF"


def test_the_bibliography_lists_every_work_once(text):
    """Every work the {bibliography} directive lists (all of references.bib with
    :all:, else the cited ones), numbered 1, 2, ... under the chapter's title."""
    from pybtex.database import parse_file

    bib = parse_file(str(ROOT / "references.bib"))
    cited = {key.strip() for _, path, _, _ in DOCS
             for keys in re.findall(r"\{cite(?::\w+)?\}`([^`]+)`", _markdown(path)) for key in keys.split(",")}
    assert cited <= set(bib.entries), f"cited but not in references.bib: {sorted(cited - set(bib.entries))}"
    everything = any(":all:" in _markdown(path) for _, path, _, _ in DOCS if "{bibliography}" in _markdown(path))
    works = set(bib.entries) if everything else cited
    listing = text[text.rfind("BIBLIOGRAPHY"):]
    entries = re.findall(r"^\s*\[(\d+)\]\s", listing, re.M)
    assert [int(n) for n in entries] == list(range(1, len(works) + 1)), (
        f"{len(works)} works to list ({'all of references.bib' if everything else 'the cited ones'}), "
        f"numbered entries in the PDF: {entries}")
    listed = _letters(listing)
    for key in sorted(works):
        title = bib.entries[key].fields.get("title", "")
        if "\\" not in title:  # TeX accents and commands: skip
            assert _letters(title)[:40] in listed, f"{key}: its title is not in the PDF's bibliography"
