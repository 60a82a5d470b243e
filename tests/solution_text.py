"""The text of every solution in the book, as short snippets to look for in a built site.

Used by tests/test_site.py to prove that the student edition of the site
(`make book-student`) holds no solution anywhere, and that the snippets are
real (the normal site, `make book`, holds every one of them).

The solutions are found here by a parser of its own, independent of
tools/make_student.py (the code under test), following the conventions of
chapters/README.md:

- a written solution: a ``{solution}`` directive block (backtick or colon
  fence) in a markdown cell or a Markdown page;
- a gated solution: everything between a ``{solution-start}`` and a
  ``{solution-end}`` block (markdown text and code cells), except nbgrader's
  check cells (``"grade": true`` without ``"solution": true``);
- the region between ``### BEGIN SOLUTION`` and ``### END SOLUTION`` in any
  code cell;
- what a check cell printed (its committed output): "gd_step is correct:
  x_new = x - lr * grad" gives the answer away as well.

From each solution the snippets are up to three pieces of its text: the
longest runs of plain prose (between math, markup, quotes and the like,
which the site renders differently) or the longest lines of code, cut to
40 characters. A snippet is kept only if it is *distinctive*: it does not
occur in the book's text outside solutions (the pages, the notebooks'
other cells and outputs) nor in optlib's docstrings (which the API page
shows), of ``optlib.checks``' docstrings only the first paragraph (the
rest gives answers away, and the student site leaves it out). Every
solution must give at least one.

Text is compared after :func:`normalize`: HTML tags dropped and entities
decoded, JSON strings decoded, whitespace collapsed.
"""

from __future__ import annotations

import ast
import html
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parent.parent
SNIPPET = 40
PER_SOLUTION = 3
MIN_TEXT = 20  # shortest run of prose worth a snippet
MIN_CODE = 12  # shortest line of code worth a snippet

_FENCE = re.compile(r"^\s*(?P<fence>`{3,}|:{3,})\s*\{(?P<name>solution(?:-start|-end)?)\}")
_ANY_FENCE = re.compile(r"^\s*(`{3,}|:{3,}|~{3,})")
_OPTION = re.compile(r"^\s*:[\w-]+:")
# Where the site's rendering of prose differs from the source: math, roles,
# emphasis, quotes (smart quotes), dashes, ellipses, list markers, headings.
_PROSE_BREAK = re.compile(r"""[$`*_{}\[\]\\|<>#~^"'’‘“”]|--|\.\.\.|(?:^|\n)\s*(?:[-+]|\d+\.)\s""")
_WS = re.compile(r"\s+")


def normalize(text):
    """``text`` with whitespace collapsed to single spaces.

    >>> normalize("  a\\n\\t b ")
    'a b'
    """
    return _WS.sub(" ", text).strip()


def json_strings(node):
    """Every string in a JSON document; a list of strings (notebook source) joined."""
    if isinstance(node, str):
        yield node
    elif isinstance(node, list):
        if node and all(isinstance(x, str) for x in node):
            yield "".join(node)
        else:
            for x in node:
                yield from json_strings(x)
    elif isinstance(node, dict):
        for key, value in node.items():
            yield key
            yield from json_strings(value)


def file_text(path):
    """The text of a built site's file, as a reader (or a search) would find it.

    HTML: tags removed, entities decoded. JSON (``.ipynb``, ``.json``): its
    strings. JavaScript (``searchindex.js`` is JSON inside a call): JSON
    string escapes decoded. Everything else: as it is. Then normalized.
    """
    raw = path.read_text(errors="replace")
    if path.suffix in (".ipynb", ".json"):
        try:
            text = "\n".join(json_strings(json.loads(raw)))
        except ValueError:
            text = raw
    elif path.suffix in (".html", ".htm"):
        text = html.unescape(re.sub(r"<[^>]*>", "", raw))
    elif path.suffix == ".js":
        text = re.sub(r'\\(["\\/]|u[0-9a-fA-F]{4}|n|t)', _unescape_js, raw)
    else:
        text = raw
    return normalize(text)


def _unescape_js(m):
    c = m.group(1)
    if c.startswith("u"):
        return chr(int(c[1:], 16))
    return {"n": " ", "t": " "}.get(c, c)


@dataclass
class Solution:
    page: str  # the page (path relative to the book root)
    what: str  # "written", "gated", "region" or "check output"
    label: str  # exercise label or cell id
    prose: list = field(default_factory=list)  # markdown text of the solution
    code: list = field(default_factory=list)  # code of the solution
    snippets: list = field(default_factory=list)

    def __str__(self):
        return f"{self.page}: {self.what} {self.label}"


def _split_markdown(text, page, where, gated_state):
    """(solutions found, text outside them, new gated state) for one markdown text.

    ``gated_state`` is None outside a gated solution, else its Solution.
    """
    found, outside = [], []
    lines = text.split("\n")
    i = 0
    gate = gated_state
    while i < len(lines):
        m = _FENCE.match(lines[i])
        if m:
            fence, name = m["fence"], m["name"]
            j = i + 1
            while j < len(lines) and not (lines[j].strip() and set(lines[j].strip()) == {fence[0]}
                                          and len(lines[j].strip()) >= len(fence)):
                j += 1
            body = [line for line in lines[i + 1:j] if not _OPTION.match(line)]
            label = lines[i][m.end():].strip() or where
            if name == "solution":
                target = gate if gate is not None else Solution(page, "written", label)
                target.prose.append("\n".join(body))
                if gate is None:
                    found.append(target)
            elif name == "solution-start":
                gate = Solution(page, "gated", label)
                found.append(gate)
            else:
                gate = None
            i = j + 1
            continue
        (gate.prose if gate is not None else outside).append(lines[i])
        i += 1
    return found, "\n".join(outside), gate


def _is_check(cell):
    meta = cell.metadata.get("nbgrader", {})
    return bool(meta.get("grade")) and not meta.get("solution")


def _output_text(cell):
    parts = []
    for out in cell.get("outputs", []):
        if "text" in out:
            parts.append(out["text"])
        for mime, value in out.get("data", {}).items():
            if mime.startswith("text/") or mime.endswith("+json") or mime.startswith("application/papermill"):
                parts.append(value if isinstance(value, str) else json.dumps(value))
    return "\n".join(parts)


def page_solutions(path, root=ROOT):
    """(solutions, text outside solutions) of one page (``.ipynb`` or ``.md``)."""
    page = path.relative_to(root).as_posix()
    if path.suffix == ".md":
        found, outside, gate = _split_markdown(path.read_text(), page, page, None)
        return found, outside
    nb = nbformat.read(path, as_version=4)
    found, outside, gate = [], [], None
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            more, rest, gate = _split_markdown(cell.source, page, cell.get("id"), gate)
            found.extend(more)
            outside.append(rest)
            continue
        if cell.cell_type != "code":
            outside.append(cell.source)
            continue
        if _is_check(cell):
            outside.append(cell.source)
            printed = _output_text(cell)
            if printed.strip():
                found.append(Solution(page, "check output", cell.get("id"), prose=[], code=[printed]))
            continue
        if gate is not None and "### BEGIN SOLUTION" not in cell.source:
            gate.code.append(cell.source)  # solution code as a whole
            continue
        kept, region, inside = [], [], False
        for line in cell.source.split("\n"):
            if line.strip() == "### BEGIN SOLUTION":
                inside = True
            elif line.strip() == "### END SOLUTION":
                inside = False
            else:
                (region if inside else kept).append(line)
        if region and gate is not None:
            gate.code.append("\n".join(region))
        elif region:
            found.append(Solution(page, "region", cell.get("id"), code=["\n".join(region)]))
        outside.append("\n".join(kept))
        outside.append(_output_text(cell))
    return found, "\n".join(outside)


def book_pages(root=ROOT):
    """Every page of the table of contents (``.md`` or ``.ipynb``)."""
    toc = yaml.safe_load((root / "_toc.yml").read_text())
    names = []

    def walk(node):
        if isinstance(node, dict):
            names.extend(node[k] for k in ("root", "file") if k in node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(toc)
    pages = []
    for name in names:
        for candidate in ([name] if Path(name).suffix else [name + ".md", name + ".ipynb"]):
            if (root / candidate).is_file():
                pages.append(root / candidate)
    return pages


def docstrings(package, skip=None):
    """The docstrings of a package's modules, classes and functions (what api.md shows)."""
    for source in sorted(package.rglob("*.py")):
        if skip is not None and source.is_relative_to(skip):
            continue
        tree = ast.parse(source.read_text())
        for node in [tree, *ast.walk(tree)]:
            if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
                doc = ast.get_docstring(node)
                if doc:
                    yield doc


def _code_blocks(text):
    """``text`` without its fenced code blocks, and the blocks' contents."""
    blocks, kept, lines, i = [], [], text.split("\n"), 0
    while i < len(lines):
        m = re.match(r"^\s*(`{3,}|~{3,})(?!\s*\{)", lines[i])
        if m:
            fence = m.group(1)
            j = next((k for k in range(i + 1, len(lines)) if lines[k].strip().startswith(fence)), len(lines))
            blocks.append("\n".join(lines[i + 1:j]))
            i = j + 1
            continue
        kept.append(lines[i])
        i += 1
    return "\n".join(kept), blocks


def _prose_candidates(text):
    runs = (normalize(run) for run in _PROSE_BREAK.split(text))
    runs = [run.strip(" ,;:.()") for run in runs]
    return sorted((r for r in runs if len(r) >= MIN_TEXT and len(re.findall(r"[A-Za-z]{2,}", r)) >= 3),
                  key=len, reverse=True)


def _code_candidates(code):
    lines = {normalize(line) for line in code.split("\n")}
    return sorted((line for line in lines if len(line) >= MIN_CODE and re.search(r"[A-Za-z]", line)),
                  key=len, reverse=True)


def outside_solutions(root=ROOT):
    """The text a site shows besides the solutions: pages and chapters outside
    their solutions, optlib's docstrings (the API page) and the bibliography."""
    outside = []
    for path in book_pages(root):
        outside.append(page_solutions(path, root)[1])
    # Of optlib.checks' docstrings only the first paragraph: the rest shows
    # the right answers (the student site leaves it out of the API page).
    outside.extend(docstrings(root / "optlib", skip=root / "optlib" / "checks"))
    outside.extend(doc.split("\n\n")[0] for doc in docstrings(root / "optlib" / "checks"))
    outside.extend(path.read_text() for path in sorted(root.glob("*.bib")))
    return "\n".join(outside)


def collect(root=ROOT):
    """Every solution of the book, each with its distinctive snippets."""
    solutions = [s for path in book_pages(root) for s in page_solutions(path, root)[0]]
    elsewhere = normalize(outside_solutions(root))
    for solution in solutions:
        candidates = []
        for text in solution.prose:
            text, blocks = _code_blocks(text)
            candidates += _prose_candidates(text)
            for block in blocks:
                candidates += _code_candidates(block)
        for code in solution.code:
            candidates += _code_candidates(code)
        for candidate in candidates:
            snippet = candidate[:SNIPPET].strip()
            if snippet not in elsewhere and snippet not in solution.snippets:
                solution.snippets.append(snippet)
            if len(solution.snippets) == PER_SOLUTION:
                break
    return solutions
