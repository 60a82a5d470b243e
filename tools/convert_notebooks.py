"""Turn the chapters' MyST markup into plain Markdown, for notebooks handed out.

    .venv/bin/python tools/convert_notebooks.py                  # readers' edition: chapters/*.ipynb -> _build/notebooks/
    .venv/bin/python tools/convert_notebooks.py -o DIR nb.ipynb  # chosen notebooks, chosen folder
    .venv/bin/python tools/convert_notebooks.py --edition student   # the same as tools/make_student.py
    make readers                                                 # readers' edition into _build/notebooks/
    make student                                                 # student edition into _build/student/

The chapters in ``chapters/`` are the MyST source the website is built from
and are never modified. Jupyter front ends (JupyterLab, Colab, VS Code) do not
know MyST: they show ``{glue:text}`kappa:g``` or a ```` ```{exercise} ````
fence literally. Every notebook handed to someone therefore goes through
:func:`convert_notebook`, which rewrites each markdown cell as CommonMark
(plus GFM tables, inline HTML) with ``$...$`` / ``$$...$$`` math:

==============================  =============================================
MyST                            plain Markdown
==============================  =============================================
``{glue:text}`name:.4f```,      the value the committed notebook recorded
``{glue}``, ``{glue:}``,        (``optlib.display.glue`` / ``myst_nb.glue``
``{glue:any}``, ``{glue:md}``,  outputs), formatted as myst-nb formats it;
glue directives                 images become cell attachments
``{cite:p}`` ``{cite:t}``       "(Cauchy, 1847)" / "Cauchy (1847)" (also
``{cite}`` ``{cite:ps}`` ...    :ps :ts :year :author ...), and a
                                "References" cell ending the notebook, in
                                pybtex's plain style (the site's)
``{exercise}``, ``{prf:...}``,  a blockquote headed by a bold title numbered
admonitions (note, tip, ...)    as on the site: "**Exercise 1.3** (title)",
                                "**Algorithm 1.1** (title)", "**Note**"
``:class: dropdown``,           ``<details><summary>title</summary>``
``{dropdown}``
``{solution}``                  readers: ``<details>`` with the summary
                                "Solution to Exercise 1.3 (title)";
                                student: removed (tools/make_student.py)
``{solution-start}`` ...        readers: a bold "Solution to ..." line; the
``{solution-end}``              solution code cells between are folded
                                (``metadata.jupyter.source_hidden``);
                                student: stripped by tools/make_student.py
``{exercise-start}`` ...        a bold "**Exercise 1.3** (title)" line; the
``{exercise-end}``              end marker cell is dropped
``{ref}`` ``{numref}``          the target's text as the site shows it:
``{prf:ref}`` ``{doc}``         section or page title, "Exercise 1.6",
``{eq}``                        "Algorithm 1.1", "(1.2)", "Solution to ...",
                                found anywhere in the book (_toc.yml)
``$$ ... $$ (label)``,          ``$$ ... \\tag{1.2} $$`` (the number the site
``{math}`` with ``:label:``     shows, so that "(1.2)" refers to something)
``{math}`` role, ``{sub}`` ...  ``$x$``, ``<sub>``, ``<kbd>``, ...
``{py:func}`` and kin           inline code: ```apply_updates()```
``{{ name }}``                  the substitution (_config.yml or notebook)
``(label)=``, ``%`` comments,   removed
``+++``, directive options
==============================  =============================================

Inside blockquotes, each math span is put on one line: JupyterLab and Colab
find math before they parse Markdown, so a ``> `` continuation inside a
formula would end up in the formula.

Code cells are kept (with their outputs in the readers' edition); cells
tagged ``remove-cell`` (site-only plumbing) are dropped, except the setup
cell (tagged ``notebook-setup`` too) that installs optlib on Colab; other tags
(``remove-input``, ``hide-input``, ``nbval-ignore-output``) stay, harmless.
Anything MyST-only the converter has no rule for (a new directive or role)
is an error naming it, never passed through; a reference to a label,
citation key or glue name that does not exist is an error too. The result
is checked with :func:`find_myst` before anything is written.

Numbers follow Sphinx's rules as the site applies them: the chapter number
comes from its place in the numbered parts of ``_toc.yml``; exercises,
equations and each ``prf:`` type are counted per chapter in document order
("Exercise 1.3"); a page outside the numbered parts counts without a prefix
("Exercise 1"), over all such pages. A notebook that is not in the table of
contents is numbered on its own, like such a page.
"""

from __future__ import annotations

import argparse
import base64
import copy
import re
import sys
from dataclasses import dataclass, field
from ast import literal_eval
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = ROOT / "chapters"
OUT = ROOT / "_build" / "notebooks"
EDITIONS = ("readers", "student")
REMOVE_CELL = "remove-cell"
# The chapter's first cell installs optlib where it is missing (Colab): hidden
# on the site (remove-cell), but the handed-out notebooks need it most.
SETUP_CELL = "notebook-setup"


class ConversionError(ValueError):
    """MyST markup the converter cannot turn into plain Markdown."""


# --------------------------------------------------------------------------
# Block parser: a markdown cell as a list of blocks
# --------------------------------------------------------------------------

_FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,}|:{3,})(?P<info>.*)$")
_DIRECTIVE_INFO = re.compile(r"^\s*\{(?P<name>[A-Za-z][\w:.+-]*|glue:)\}\s*(?P<arg>.*?)\s*$")
_OPTION = re.compile(r"^\s*:(?P<key>[\w-]+):(?:\s+(?P<value>.*?))?\s*$")
_TARGET = re.compile(r"^\s*\((?P<label>[^()\s]+)\)=\s*$")
_COMMENT = re.compile(r"^ {0,3}%")
_BLOCK_BREAK = re.compile(r"^ {0,3}\+\+\+")
_MATH_OPEN = re.compile(r"^[ \t]*\$\$")
_MATH_LABEL = re.compile(r"\$\$[ \t]*\((?P<label>[^()\s]+)\)[ \t]*$")
_HEADING = re.compile(r"^ {0,3}(?P<hashes>#{1,6})[ \t]+(?P<text>.*?)[ \t#]*$")


@dataclass
class Block:
    kind: str  # text | code | math | directive | target | drop
    lines: list = field(default_factory=list)
    name: str = ""
    arg: str = ""
    options: dict = field(default_factory=dict)
    body: list = field(default_factory=list)  # directive content, parsed
    content: list = field(default_factory=list)  # directive content, as lines (for math and code)
    label: str = ""
    indent: str = ""  # of a directive's fence (inside a list item, say)


def _closes(line, fence):
    stripped = line.strip()
    return len(stripped) >= len(fence) and set(stripped) == {fence[0]}


def _find_close(lines, start, fence):
    for j in range(start + 1, len(lines)):
        if _closes(lines[j], fence):
            return j
    return None


def _dedent(lines, indent):
    return [line[len(indent):] if line.startswith(indent) else line.lstrip() for line in lines]


def _parse_options(lines):
    """Split directive content into (options, body lines): ``:key: value`` lines or a YAML block."""
    options, i = {}, 0
    if lines and lines[0].strip() == "---":
        end = next((j for j in range(1, len(lines)) if lines[j].strip() == "---"), None)
        if end is not None:
            import yaml

            options = {str(k): "" if v is None else str(v) for k, v in (yaml.safe_load("\n".join(lines[1:end])) or {}).items()}
            return options, lines[end + 1 :]
    while i < len(lines):
        m = _OPTION.match(lines[i])
        if not m:
            break
        options[m["key"]] = m["value"] or ""
        i += 1
    return options, lines[i:]


def parse(text, where="cell"):
    """Parse MyST markdown into a list of :class:`Block`."""
    lines = text.split("\n")
    blocks = []
    i = 0

    def add_text(line):
        if blocks and blocks[-1].kind == "text":
            blocks[-1].lines.append(line)
        else:
            blocks.append(Block("text", [line]))

    while i < len(lines):
        line = lines[i]
        m = _FENCE.match(line)
        if m and m["fence"][0] == "`" and "`" in m["info"]:
            m = None  # CommonMark: no backtick in a backtick fence's info string
        if m:
            fence, info = m["fence"], m["info"]
            directive = _DIRECTIVE_INFO.match(info) if fence[0] != "~" else None
            if directive is None and fence[0] == ":":
                add_text(line)  # a colon line that opens no directive is text
                i += 1
                continue
            close = _find_close(lines, i, fence)
            if directive is None:  # a code block: verbatim (an unclosed one runs to the end)
                end = len(lines) - 1 if close is None else close
                blocks.append(Block("code", lines[i : end + 1]))
                i = end + 1
                continue
            if close is None:
                raise ConversionError(f"{where}: the {{{directive['name']}}} fence opened on line {i + 1} is never closed")
            content = _dedent(lines[i + 1 : close], m["indent"])
            options, body = _parse_options(content)
            blocks.append(
                Block(
                    "directive",
                    lines[i : close + 1],
                    name=directive["name"],
                    arg=directive["arg"],
                    options=options,
                    body=parse("\n".join(body), where) if body and directive["name"] not in RAW_CONTENT else [],
                    content=body,
                    indent=m["indent"],
                )
            )
            i = close + 1
            continue
        if _MATH_OPEN.match(line):
            rest = line.strip()[2:]
            end = i if ("$$" in rest) else next((j for j in range(i + 1, len(lines)) if "$$" in lines[j]), None)
            if end is None:  # not closed: leave it to the Markdown renderer
                add_text(line)
                i += 1
                continue
            label = _MATH_LABEL.search(lines[end])
            blocks.append(Block("math", lines[i : end + 1], label=label["label"] if label else ""))
            i = end + 1
            continue
        target = _TARGET.match(line)
        if target:
            blocks.append(Block("target", [line], label=target["label"]))
        elif _COMMENT.match(line) or _BLOCK_BREAK.match(line):
            blocks.append(Block("drop", [line]))
        else:
            add_text(line)
        i += 1
    return blocks


# --------------------------------------------------------------------------
# What the site numbers and labels
# --------------------------------------------------------------------------

ADMONITIONS = {
    "admonition": "",
    "note": "Note",
    "tip": "Tip",
    "hint": "Hint",
    "important": "Important",
    "warning": "Warning",
    "caution": "Caution",
    "attention": "Attention",
    "danger": "Danger",
    "error": "Error",
    "seealso": "See also",
    "dropdown": "",
    "margin": "",
    "sidebar": "",
    "topic": "",
}
QUOTES = ("epigraph", "pull-quote", "highlights")
# sphinx-proof's types (each its own counter); prf:proof is not numbered.
PROOF_TYPES = (
    "algorithm", "assumption", "axiom", "conjecture", "corollary", "criterion", "definition",
    "example", "lemma", "notation", "observation", "property", "proposition", "remark", "theorem",
)
RAW_CONTENT = ("math", "code-block", "code", "sourcecode")  # content that is not Markdown
NOT_IN_NOTEBOOKS = ("eval-rst", "bibliography", "tableofcontents", "toctree", "include", "literalinclude")


def _figtype(block):
    """The Sphinx counter an enumerable directive uses, or None."""
    if block.name in ("exercise", "exercise-start"):
        return "exercise"
    if block.name.startswith("prf:") and block.name[4:] in PROOF_TYPES:
        return block.name[4:]
    return None


@dataclass
class Target:
    kind: str  # section | exercise | proof | equation | solution | doc | label
    docname: str
    title: str = ""  # section title, exercise/proof title
    number: str = ""  # "1.3", "" when unnumbered
    typename: str = ""  # "Exercise", "Algorithm"
    extra: str = ""  # solution: the exercise label


def _events(blocks):
    """Walk blocks in document order: (kind, block) for headings, targets, directives, math."""
    for block in blocks:
        if block.kind == "text":
            for line in block.lines:
                m = _HEADING.match(line)
                if m:
                    yield "heading", (len(m["hashes"]), m["text"])
        elif block.kind in ("target", "math"):
            yield block.kind, block
        elif block.kind == "directive":
            yield "directive", block
            yield from _events(block.body)


def _doc_events(path):
    if path.suffix == ".ipynb":
        nb = nbformat.read(path, as_version=4)
        return notebook_events(nb, str(path))
    text = path.read_text(encoding="utf-8")
    if text.startswith("---\n"):
        end = text.find("\n---", 4)
        if end != -1:
            text = text[end + 4 :]
    return list(_events(parse(text, str(path))))


def notebook_events(nb, name="notebook"):
    events = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown" and REMOVE_CELL not in cell.metadata.get("tags", []):
            events.extend(_events(parse(cell.source, f"{name}, cell {index}")))
    return events


def _enum_key(block, seen):
    """A key identifying an enumerable directive within its document (label, or title and occurrence)."""
    base = (block.name, block.options.get("label") or block.arg)
    seen[base] = seen.get(base, 0) + 1
    return base + (seen[base],)


class Book:
    """The book's table of contents, labels, numbers and bibliography."""

    def __init__(self, root=ROOT):
        import yaml

        self.root = Path(root)
        config_path = self.root / "_config.yml"
        config = yaml.safe_load(config_path.read_text()) if config_path.exists() else {}
        config = config or {}
        self.multitoc = (config.get("html") or {}).get("use_multitoc_numbering", True)
        parse_config = config.get("parse") or {}
        self.substitutions = {str(k): str(v) for k, v in (parse_config.get("myst_substitutions") or {}).items()}
        self.bibfiles = [self.root / f for f in config.get("bibtex_bibfiles") or []]
        self._bib = None
        self.docs = []  # (docname, path, secnum) in the order Sphinx walks the toctree
        toc_path = self.root / "_toc.yml"
        if toc_path.exists():
            self._read_toc(yaml.safe_load(toc_path.read_text()) or {})
        self.paths = {path.resolve(): docname for docname, path, _ in self.docs}
        self._events = {docname: _doc_events(path) for docname, path, _ in self.docs}

    # -- table of contents ----------------------------------------------
    def _file(self, entry):
        stem = Path(str(entry).strip())
        if stem.suffix in (".md", ".ipynb") and (self.root / stem).is_file():
            return stem.with_suffix("").as_posix(), self.root / stem
        for suffix in (".ipynb", ".md"):
            path = self.root / (stem.as_posix() + suffix)
            if path.is_file():
                return stem.as_posix(), path
        return None, None

    def _read_toc(self, toc):
        defaults = toc.get("defaults") or {}
        root_name, root_path = self._file(toc.get("root", "index"))
        if root_path:
            self.docs.append((root_name, root_path, ()))
        chapter = [0]

        def walk(entries, numbered, parent, start):
            k = start
            for entry in entries or []:
                if "file" in entry:
                    files = [entry["file"]]
                elif "glob" in entry:
                    found = {q for q in self.root.glob(entry["glob"]) if q.suffix in (".md", ".ipynb")}
                    found |= {q for suffix in (".md", ".ipynb") for q in self.root.glob(entry["glob"] + suffix)}
                    files = sorted(q.relative_to(self.root).with_suffix("").as_posix() for q in found)
                else:
                    continue  # a url
                for f in files:
                    docname, path = self._file(f)
                    if not path:
                        continue
                    if not numbered:
                        secnum = ()
                    elif parent is None:
                        chapter[0] += 1
                        secnum = (chapter[0],)
                    else:
                        k += 1
                        secnum = parent + (k,)
                    self.docs.append((docname, path, secnum))
                    if entry.get("sections"):
                        # Sphinx puts a page's toctree after its own sections: sub-pages number on from them.
                        h2 = sum(1 for kind, value in _doc_events(path) if kind == "heading" and value[0] == 2) if numbered else 0
                        walk(entry["sections"], numbered, secnum if numbered else None, h2)

        parts = toc.get("parts")
        if parts is None:
            parts = [{"chapters": toc.get("chapters") or []}]
        for part in parts:
            numbered = bool(part.get("numbered", defaults.get("numbered", False)))
            if not self.multitoc:
                chapter[0] = 0
            walk(part.get("chapters"), numbered, None, 0)

    def docname(self, path):
        path = Path(path).resolve()
        if path in self.paths:
            return self.paths[path]
        try:
            return path.relative_to(self.root.resolve()).with_suffix("").as_posix()
        except ValueError:
            return path.with_suffix("").name

    # -- numbers and labels ---------------------------------------------
    def index(self, docname, events):
        """Labels of the whole book, and the numbers of ``docname``'s enumerables.

        ``events`` are the document's own: they replace what was read from
        disk, or, for a document not in the table of contents, are numbered
        on their own (as a page outside the numbered parts would be).
        Returns ``(labels, numbers)``: ``{label: Target}`` and
        ``{enumerable key: Target}`` for ``docname``.
        """
        labels, numbers = {}, {}
        if docname in self._events:
            docs = [(d, events if d == docname else self._events[d], s) for d, _, s in self.docs]
        else:  # the notebook first, so that its own labels win; then the book, counted apart
            self._number([(docname, events, ())], docname, labels, numbers)
            docs = [(d, self._events[d], s) for d, _, s in self.docs]
        self._number(docs, docname, labels, numbers)
        return labels, numbers

    @staticmethod
    def _number(docs, own, labels, numbers):
        counters = {}  # Sphinx: one counter per (figure type, chapter number), over the toctree walk

        def next_number(figtype, secnum):
            key = (figtype, secnum[:1])
            counters[key] = counters.get(key, 0) + 1
            return ".".join(map(str, secnum[:1] + (counters[key],)))

        for name, events, secnum in docs:
            seen, pending, title, sections = {}, [], None, []
            for kind, value in events:
                if kind == "heading":
                    level, text = value
                    if title is None:
                        title = text
                        labels.setdefault(name, Target("doc", name, text))
                    if level >= 2:
                        depth = level - 2
                        sections = (sections + [0] * (depth + 1))[: depth + 1]
                        sections[depth] += 1
                    else:
                        sections = []
                    number = ".".join(map(str, secnum + tuple(sections))) if secnum else ""
                    for label in pending:
                        labels.setdefault(label, Target("section", name, text, number, "Section"))
                    pending = []
                    continue
                if kind == "target":
                    pending.append(value.label)
                    continue
                for label in pending:  # a target before something other than a heading
                    labels.setdefault(label, Target("label", name))
                pending = []
                block = value
                label = block.label if kind == "math" else block.options.get("label", "")
                if kind == "math" or block.name == "math":
                    if label:
                        labels.setdefault(label, Target("equation", name, number=next_number("displaymath", secnum)))
                    continue
                figtype = _figtype(block)
                if figtype:
                    key = _enum_key(block, seen)
                    numbered = "nonumber" not in block.options and "hidden" not in block.options
                    number = next_number(figtype, secnum) if numbered else ""
                    target = Target("exercise" if figtype == "exercise" else "proof", name, block.arg, number, figtype.title())
                    if name == own:
                        numbers[key] = target
                    if label:
                        labels.setdefault(label, target)
                elif block.name in ("solution", "solution-start") and label:
                    labels.setdefault(label, Target("solution", name, extra=block.arg))
            for label in pending:
                labels.setdefault(label, Target("label", name))

    # -- bibliography -----------------------------------------------------
    @property
    def bib(self):
        if self._bib is None:
            from pybtex.database import BibliographyData, parse_file

            data = BibliographyData()
            for path in self.bibfiles:
                for key, entry in parse_file(str(path)).entries.items():
                    data.entries[key] = entry
            self._bib = data
        return self._bib


# --------------------------------------------------------------------------
# Citations
# --------------------------------------------------------------------------


def _latex_text(text):
    """BibTeX field text as plain text: braces dropped, LaTeX decoded (pybtex's own reading)."""
    from pybtex.richtext import Text

    return Text.from_latex(text).render_as("text")


def _authors(entry, full=False):
    persons = entry.persons.get("author") or entry.persons.get("editor") or []
    names = [" ".join(n.render_as("text") for n in p.rich_prelast_names + p.rich_last_names) for p in persons]
    if not names:
        return _latex_text(entry.fields.get("title", entry.key))
    if len(names) == 1:
        return names[0]
    if len(names) == 2:
        return f"{names[0]} and {names[1]}"
    if not full:
        return f"{names[0]} et al."
    return ", ".join(names[:-1]) + ", and " + names[-1]


CITE_ROLES = {"cite", "cite:p", "cite:ps", "cite:t", "cite:ts", "cite:ct", "cite:cts", "cite:cp", "cite:cps",
              "cite:author", "cite:authors", "cite:cauthor", "cite:cauthors", "cite:year", "cite:yearpar",
              "cite:authorpar", "cite:authorspar"}


def _cite(role, content, ctx):
    keys = [k.strip() for k in content.split(",") if k.strip()]
    bib = ctx.book.bib
    parts = []
    for key in keys:
        if key not in bib.entries:
            raise ConversionError(f"{ctx.where}: {{{role}}}`{content}`: no entry {key!r} in the bibliography")
        if key not in ctx.cited:
            ctx.cited.append(key)
        entry = bib.entries[key]
        full = role in ("cite:ps", "cite:ts", "cite:cps", "cite:cts", "cite:authors", "cite:cauthors", "cite:authorspar")
        parts.append((_authors(entry, full), entry.fields.get("year", "n.d.")))
    if role in ("cite", "cite:p", "cite:ps", "cite:cp", "cite:cps"):
        return "(" + "; ".join(f"{a}, {y}" for a, y in parts) + ")"
    if role in ("cite:t", "cite:ts", "cite:ct", "cite:cts"):
        return ", ".join(f"{a} ({y})" for a, y in parts)
    if role in ("cite:author", "cite:authors", "cite:cauthor", "cite:cauthors"):
        return ", ".join(a for a, _ in parts)
    if role in ("cite:authorpar", "cite:authorspar"):
        return "(" + "; ".join(a for a, _ in parts) + ")"
    if role == "cite:year":
        return ", ".join(y for _, y in parts)
    return "(" + "; ".join(y for _, y in parts) + ")"  # cite:yearpar


def references_markdown(book, keys):
    """A "References" section listing ``keys`` as the site's bibliography does (pybtex's plain style)."""
    from pybtex.backends.markdown import Backend
    from pybtex.plugin import find_plugin

    class PlainMarkdown(Backend):
        symbols = {"ndash": "\u2013", "newblock": " ", "nbsp": " "}

        def format_str(self, text):
            return re.sub(r"([\\`*_\[\]<>$|])", r"\\\1", text)

    style = find_plugin("pybtex.style.formatting", "plain")()
    entries = style.format_entries([book.bib.entries[k] for k in keys])
    backend = PlainMarkdown()
    items = [f"- {entry.text.render(backend)}" for entry in entries]
    return "## References\n\n" + "\n".join(items)


# --------------------------------------------------------------------------
# Glue
# --------------------------------------------------------------------------

GLUE_PREFIX = "application/papermill.record/"
# myst-nb's render priority for the html builder
GLUE_PRIORITY = ("text/html", "image/svg+xml", "image/png", "image/jpeg", "text/markdown", "text/latex", "text/plain")


def glue_data(nb):
    """``{name: mime bundle}`` of every value glued in ``nb`` (as myst-nb extracts it)."""
    data = {}
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for output in cell.get("outputs", []):
            meta = output.get("metadata", {}).get("scrapbook")
            if not meta:
                continue
            cut = len(meta.get("mime_prefix", ""))
            data[meta["name"]] = {k[cut:]: v for k, v in output.get("data", {}).items()}
    return data


def format_plain_text(text, fmt_spec):
    """Format a glued text/plain value as myst-nb's ``{glue:text}`` role does.

    (A copy of ``myst_nb.core.variables.format_plain_text``, so that a
    notebook can be converted without myst-nb; tests compare the two.)

    >>> format_plain_text("0.47619047619047616", ".3f"), format_plain_text("'2.0e-02'", "s"), format_plain_text("20.0", "g")
    ('0.476', '2.0e-02', '20')
    """
    try:
        value = literal_eval(text)
    except (SyntaxError, ValueError):
        value = text
    if fmt_spec == "":
        return str(value)
    type_char = fmt_spec[-1]
    if type_char == "s":
        value = str(value)
    elif type_char in ("b", "c", "d", "o", "x", "X"):
        value = int(value)
    elif type_char in ("e", "E", "f", "F", "g", "G", "n", "%"):
        value = float(value)
    return format(value, fmt_spec)


def escape_text(text):
    """Plain text made safe to put in Markdown prose."""
    return re.sub(r"([\\`*_\[\]<>$|])", r"\\\1", text)


def _glue_lookup(key, ctx):
    doc, sep, name = key.partition("::")
    if not sep:
        data, name = ctx.glue, doc
    else:
        path = (ctx.path.parent / doc) if ctx.path else Path(doc)
        if not path.suffix:
            path = path.with_suffix(".ipynb")
        if not path.is_file():
            raise ConversionError(f"{ctx.where}: glue {key!r}: no notebook {path}")
        data = glue_data(nbformat.read(path, as_version=4))
    if name not in data:
        raise ConversionError(f"{ctx.where}: nothing glued under {name!r} (is the notebook executed? `make notebooks`)")
    return data[name]


def _glue_any(bundle, ctx, name, inline):
    for mime in GLUE_PRIORITY:
        if mime in bundle:
            value = bundle[mime]
            if isinstance(value, list):
                value = "".join(value)
            if mime.startswith("image/"):
                return _attach(ctx, name, mime, value)
            if mime == "text/plain":
                return escape_text(value)
            if mime == "text/latex" and not inline:
                return value.strip()
            return value.strip() if not inline else " ".join(value.split())
    raise ConversionError(f"{ctx.where}: glued {name!r} has no output the notebook can show")


def _attach(ctx, name, mime, value):
    ext = {"image/png": "png", "image/jpeg": "jpg", "image/svg+xml": "svg"}[mime]
    filename = re.sub(r"[^\w.-]", "_", name) + "." + ext
    if mime == "image/svg+xml":
        value = base64.b64encode(value.encode("utf-8")).decode("ascii")
    ctx.attachments[filename] = {mime: value.replace("\n", "") if isinstance(value, str) else value}
    return f"![{name}](attachment:{filename})"


def _glue_role(role, content, ctx):
    if role == "glue:text":
        key, sep, fmt = content.rpartition(":")
        if not sep:
            key, fmt = content, "s"
        bundle = _glue_lookup(key, ctx)
        if "text/plain" not in bundle:
            raise ConversionError(f"{ctx.where}: glued {key!r} has no text/plain value")
        return escape_text(format_plain_text(bundle["text/plain"], fmt))
    if role == "glue:md":
        key, sep, _fmt = content.rpartition(":")
        key = key if sep else content
        bundle = _glue_lookup(key, ctx)
        if "text/markdown" not in bundle:
            raise ConversionError(f"{ctx.where}: glued {key!r} has no text/markdown value")
        return bundle["text/markdown"].strip()
    return _glue_any(_glue_lookup(content, ctx), ctx, content, inline=True)


# --------------------------------------------------------------------------
# Inline markup
# --------------------------------------------------------------------------

_INLINE = re.compile(
    r"(?P<role>\{(?P<name>[A-Za-z][\w:.+-]*|glue:)\}(?P<ticks>`+)(?P<content>.+?)(?<!`)(?P=ticks)(?!`))"
    r"|(?P<code>(?P<cticks>`+).+?(?<!`)(?P=cticks)(?!`))"
    r"|(?P<dmath>\$\$.+?\$\$)"
    r"|(?P<math>(?<![\\$])\$(?![\s$])(?:\\.|[^$\\\n]|\n(?![ \t]*\n))+?(?<![\s\\])\$(?!\d))"
    r"|(?P<sub>\{\{\s*(?P<subname>[A-Za-z_][\w.-]*)\s*\}\})",
    re.S,
)
_EXPLICIT = re.compile(r"^(?P<text>.*?)\s*<(?P<target>[^<>]+)>$", re.S)
PY_ROLES = {"func", "meth", "class", "mod", "attr", "obj", "data", "exc", "const", "function", "method", "module"}
CODE_ROLES = {"code", "literal", "file", "samp", "command", "program", "envvar", "option"}


def _split_explicit(content):
    m = _EXPLICIT.match(content.strip())
    if m and m["text"]:
        return m["text"], m["target"].strip()
    return None, content.strip()


def _ref(role, content, ctx):
    text, label = _split_explicit(content)
    if role == "doc":
        target = _resolve_doc(label, ctx)
        return text if text is not None else target.title
    if role == "numref" and text is not None:
        target = _label(label, ctx, role)
        number = target.number or ""
        return text.replace("%s", number).replace("{number}", number).replace("{name}", target.title or "")
    target = _label(label, ctx, role)
    if role == "eq":
        if target.kind != "equation":
            raise ConversionError(f"{ctx.where}: {{eq}}`{label}` is not an equation")
        return f"({target.number})"
    if text is not None:
        return text
    if target.kind == "section":
        return f"Section {target.number}" if role == "numref" and target.number else target.title
    if target.kind in ("exercise", "proof"):
        if target.number:
            return f"{target.typename} {target.number}"
        return f"{target.typename} ({target.title})" if target.title and role != "numref" else target.typename
    if target.kind == "solution":
        return _solution_title(target.extra, ctx)
    if target.kind == "equation":
        return f"({target.number})"
    if target.kind == "doc":
        return target.title
    raise ConversionError(f"{ctx.where}: {{{role}}}`{content}`: the label {label!r} has no title; write {{{role}}}`text <{label}>`")


def _label(label, ctx, role):
    if label not in ctx.labels:
        raise ConversionError(f"{ctx.where}: {{{role}}}`{label}`: no such label in the book")
    return ctx.labels[label]


def _resolve_doc(path, ctx):
    base = ctx.docname.rsplit("/", 1)[0] if "/" in ctx.docname else ""
    if path.startswith("/"):
        name = path.lstrip("/")
    else:
        parts = [p for p in (base.split("/") if base else [])]
        for piece in path.split("/"):
            if piece == "..":
                if parts:
                    parts.pop()
            elif piece not in (".", ""):
                parts.append(piece)
        name = "/".join(parts)
    name = re.sub(r"\.(md|ipynb)$", "", name)
    if name not in ctx.labels or ctx.labels[name].kind != "doc":
        raise ConversionError(f"{ctx.where}: {{doc}}`{path}`: no page {name!r} in the book")
    return ctx.labels[name]


def _solution_title(exercise_label, ctx, bold=False):
    """The site's "Solution to Exercise 1.2 (title)"; with ``bold``, the part up to the number in bold."""
    exercise = ctx.labels.get(exercise_label)
    if exercise is None or exercise.kind != "exercise":
        raise ConversionError(f"{ctx.where}: a solution to {exercise_label!r}, which is no exercise in the book")
    name = f"Solution to Exercise {exercise.number}" if exercise.number else "Solution to Exercise"
    title = f" ({inline(exercise.title, ctx)})" if exercise.title else ""
    return f"**{name}**{title}" if bold else f"{name}{title}"


def _role(name, content, ctx):
    if name in ("glue", "glue:", "glue:any", "glue:text", "glue:md"):
        return _glue_role(name, content, ctx)
    if name in CITE_ROLES:
        return _cite(name, content, ctx)
    if name in ("ref", "numref", "doc", "eq", "prf:ref", "std:ref", "std:numref", "std:doc"):
        return _ref(name.replace("std:", ""), content, ctx)
    if name == "math":
        return f"${content}$"
    if name in ("sub", "sup", "kbd"):
        return f"<{name}>{escape_text(content)}</{name}>"
    if name == "abbr":
        return escape_text(re.sub(r"\s*\(.*\)\s*$", "", content, flags=re.S))
    if name in ("term", "index", "download"):
        text, target = _split_explicit(content)
        return escape_text(text if text is not None else target)
    if name == "dfn":
        return f"*{escape_text(content)}*"
    if name in ("guilabel", "menuselection"):
        return "**" + escape_text(content.replace("-->", "\u2192").replace("&", "")) + "**"
    bare = name.split(":", 1)[1] if name.startswith("py:") else name
    if bare in PY_ROLES:
        text, target = _split_explicit(content)
        if text is None:
            shown = target.lstrip("!")
            shown = shown.lstrip("~").rsplit(".", 1)[-1] if shown.startswith("~") else shown.lstrip(".")
            if bare in ("func", "meth", "function", "method"):
                shown += "()"
        else:
            shown = text
        return f"`{shown}`"
    if name in CODE_ROLES:
        return f"`{content}`"
    raise ConversionError(f"{ctx.where}: no plain-Markdown form for the MyST role {{{name}}} (add one to tools/convert_notebooks.py)")


_BLOCK_START = re.compile(r"([-+*]|\d{1,9}[.)])([ \t]|$)|#{1,6}([ \t]|$)|>|=+[ \t]*$")


def inline(text, ctx):
    """Replace roles and substitutions in a run of Markdown text; code spans and math are left alone."""

    def replace(m):
        if m["role"]:
            ctx.changed = True
            value = _role(m["name"], m["content"], ctx)
            if (m.start() == 0 or text[m.start() - 1] == "\n") and _BLOCK_START.match(value + text[m.end() : m.end() + 1]):
                value = "\\" + value  # at the start of a line, "1. " or "- " would begin a list
            return value
        if m["sub"]:
            ctx.changed = True
            key = m["subname"]
            if key not in ctx.substitutions:
                raise ConversionError(f"{ctx.where}: no substitution {{{{ {key} }}}} is defined")
            return ctx.substitutions[key]
        return m.group(0)

    return _INLINE.sub(replace, text)


# --------------------------------------------------------------------------
# Blocks
# --------------------------------------------------------------------------

_FENCE_LINE = re.compile(r"^\s*(`{3,}|~{3,})")
_MATH_SPAN = re.compile(
    r"(?P<code>(?P<t>`+).+?(?<!`)(?P=t)(?!`))"
    r"|(?P<math>\$\$.+?\$\$|(?<![\\$])\$(?![\s$])(?:\\.|[^$\\])+?(?<![\s\\])\$(?!\d)|\\begin\{(?P<env>\w+\*?)\}.+?\\end\{(?P=env)\})",
    re.S,
)


def _one_line_math(text):
    """Put each math span on one line (Jupyter finds math before Markdown, so a
    ``> `` inside a span would end up in the formula)."""

    def join(m):
        if not m["math"]:
            return m.group(0)
        span = m["math"]
        if "\n" not in span:
            return span
        if re.search(r"\n[ \t]*\n", span):  # not one span: dollars that merely look paired
            return span
        span = re.sub(r"(?<!\\)%[^\n]*", "", span)  # a TeX comment would swallow the joined rest
        return re.sub(r"[ \t]*\n[ \t]*", " ", span)

    return _MATH_SPAN.sub(join, text)


def blockquote(markdown):
    """``markdown`` as a blockquote that JupyterLab, Colab and VS Code all render with its math."""
    out, run, fence = [], [], None

    def flush():
        if run:
            out.extend(_one_line_math("\n".join(run)).split("\n"))
            run.clear()

    for line in markdown.split("\n"):
        if fence:
            out.append(line)
            if _closes(line, fence):
                fence = None
            continue
        m = _FENCE_LINE.match(line)
        if m:
            flush()
            fence = m.group(1)
            out.append(line)
            continue
        run.append(line)
    flush()
    return "\n".join("> " + line if line.strip() else ">" for line in out)


def details(summary, body):
    return f"<details>\n<summary>{summary}</summary>\n\n{body}\n\n</details>"


def boxed(title, body, fold=False):
    """A titled box: bold title and body in a blockquote, or folded in <details>."""
    if fold:
        return details(title or "Details", body)
    if not body:
        return blockquote(f"**{title}**")
    if not title:
        return blockquote(body)
    return blockquote(f"**{title}**\n\n{body}")


def _is_dropdown(block):
    return "dropdown" in block.options.get("class", "").split()


def _math_block(lines, label, ctx):
    """A $$ block with its MyST label turned into a visible \\tag."""
    text = "\n".join(lines)
    if label:
        text = _MATH_LABEL.sub("$$", text.rstrip())
        target = ctx.labels.get(label)
        if target and target.number and "\\begin" not in text:
            text = text[: text.rstrip().rfind("$$")].rstrip() + f" \\tag{{{target.number}}}\n$$"
            if text.startswith("$$") and not text.startswith("$$\n"):
                text = "$$\n" + text[2:].lstrip()
    return text


def render(blocks, ctx):
    """Render parsed blocks to plain Markdown."""
    chunks = []  # (is_block, text)

    def add(text, block=True):
        chunks.append((block, text))

    for block in blocks:
        if block.kind == "text":
            add(inline("\n".join(block.lines), ctx), block=False)
        elif block.kind == "code":
            add("\n".join(block.lines), block=False)
        elif block.kind == "math":
            add(_math_block(block.lines, block.label, ctx), block=False)
        elif block.kind in ("target", "drop"):
            ctx.changed = True
        else:
            ctx.changed = True
            text = render_directive(block, ctx)
            if text is not None:
                add("\n".join(block.indent + line if line else line for line in text.split("\n")))
    out = []
    blank_after = False
    for is_block, text in chunks:
        lines = text.split("\n")
        if is_block or (out and not out[-1].strip()):
            while lines and not lines[0].strip():
                lines.pop(0)
        if is_block:
            while lines and not lines[-1].strip():
                lines.pop()
            if not lines:
                continue
        if out and out[-1].strip() and lines and (is_block or blank_after):
            out.append("")
        out.extend(lines)
        blank_after = is_block
    return _single_blank_lines(out)


def _single_blank_lines(lines):
    """Join lines, with runs of blank lines outside code blocks made one (the same Markdown)."""
    out, fence = [], None
    for line in lines:
        if fence:
            fence = None if _closes(line, fence) else fence
        else:
            m = _FENCE_LINE.match(line)
            if m:
                fence = m.group(1)
            elif not line.strip() and out and not out[-1].strip():
                continue
        out.append(line)
    return "\n".join(out)


def _body(block, ctx):
    return render(block.body, ctx).strip("\n")


def render_directive(block, ctx):
    name = block.name
    ctx.changed = True
    if name in ("exercise", "exercise-start"):
        key = _enum_key(block, ctx.seen)
        target = ctx.numbers.get(key)
        if "hidden" in block.options:
            return None
        number = target.number if target else ""
        title = f"**Exercise {number}**" if number else "**Exercise**"
        if block.arg:
            title += f" ({inline(block.arg, ctx)})"
        if name == "exercise-start":
            ctx.gate = "exercise"
            return title
        body = _body(block, ctx)
        if _is_dropdown(block):
            return details(re.sub(r"\*\*", "", title), body)
        return blockquote(title + ("\n\n" + body if body else ""))
    if name == "exercise-end":
        ctx.gate = None
        return None
    if name in ("solution", "solution-start"):
        if ctx.edition == "student":
            raise ConversionError(f"{ctx.where}: a {{{name}}} left in the student edition")
        if "hidden" in block.options:
            return None
        if name == "solution-start":
            ctx.gate = "solution"
            return _solution_title(block.arg, ctx, bold=True)
        return details(_solution_title(block.arg, ctx), _body(block, ctx))
    if name == "solution-end":
        ctx.gate = None
        return None
    if name.startswith("prf:"):
        kind = name[4:]
        if kind == "proof":
            return boxed("Proof.", _body(block, ctx), _is_dropdown(block))
        if kind not in PROOF_TYPES:
            raise ConversionError(f"{ctx.where}: unknown sphinx-proof directive {{{name}}}")
        target = ctx.numbers.get(_enum_key(block, ctx.seen))
        title = f"**{kind.title()} {target.number}**" if target and target.number else f"**{kind.title()}**"
        if block.arg:
            title += f" ({inline(block.arg, ctx)})"
        body = _body(block, ctx)
        if _is_dropdown(block):
            return details(re.sub(r"\*\*", "", title), body)
        return blockquote(title + ("\n\n" + body if body else ""))
    if name in ADMONITIONS:
        typename = ADMONITIONS[name]
        if name in ("admonition", "dropdown", "sidebar", "topic", "margin"):
            title, body = inline(block.arg, ctx), _body(block, ctx)
        else:  # a typed admonition takes no title: text after the name is content
            title = typename
            extra = parse(block.arg) if block.arg else []
            body = render(extra + block.body, ctx).strip("\n")
        return boxed(title, body, fold=name == "dropdown" or _is_dropdown(block))
    if name in QUOTES:
        body = _body(block, ctx)
        return blockquote(body) if body else None
    if name in ("math",):
        label = block.options.get("label", "")
        lines = ["$$"] + block.content + ["$$"]
        text = "\n".join(lines)
        target = ctx.labels.get(label) if label else None
        if target and target.number and "\\begin" not in text:
            text = text[:-3].rstrip() + f" \\tag{{{target.number}}}\n$$"
        return text
    if name in ("code-block", "code", "sourcecode"):
        lines = block.content
        fence = "````" if any(line.lstrip().startswith("```") for line in lines) else "```"
        caption = block.options.get("caption")
        code = f"{fence}{block.arg}\n" + "\n".join(lines) + f"\n{fence}"
        return (f"*{escape_text(caption)}*\n\n" if caption else "") + code
    if name in ("glue", "glue:", "glue:any", "glue:figure", "glue:math", "glue:md"):
        bundle = _glue_lookup(block.arg, ctx)
        if name == "glue:md":
            return bundle.get("text/markdown", "").strip() or _raise(ctx, f"glued {block.arg!r} has no text/markdown")
        if name == "glue:math":
            latex = bundle.get("text/latex") or _raise(ctx, f"glued {block.arg!r} has no text/latex")
            latex = "".join(latex).strip().strip("$").strip()
            return f"$$\n{latex}\n$$"
        shown = _glue_any(bundle, ctx, block.arg, inline=False)
        caption = _body(block, ctx) if name == "glue:figure" else ""
        return shown + (f"\n\n{caption}" if caption else "")
    if name in NOT_IN_NOTEBOOKS:
        raise ConversionError(f"{ctx.where}: the {{{name}}} directive has no place in a notebook")
    raise ConversionError(f"{ctx.where}: no plain-Markdown form for the MyST directive {{{name}}} (add one to tools/convert_notebooks.py)")


def _raise(ctx, message):
    raise ConversionError(f"{ctx.where}: {message}")


# --------------------------------------------------------------------------
# Notebooks
# --------------------------------------------------------------------------


@dataclass
class Context:
    book: Book
    edition: str
    docname: str
    path: Path | None
    labels: dict
    numbers: dict
    glue: dict
    substitutions: dict
    where: str = ""
    cited: list = field(default_factory=list)
    seen: dict = field(default_factory=dict)
    attachments: dict = field(default_factory=dict)
    gate: str | None = None
    changed: bool = False


def convert_markdown(source, ctx):
    """One markdown cell's source as plain Markdown (the very source when it holds no MyST)."""
    ctx.changed = False
    text = render(parse(source, ctx.where), ctx)
    return text.strip("\n") if ctx.changed else source


_BOOK = {}


def get_book(root=ROOT):
    root = Path(root).resolve()
    if root not in _BOOK:
        _BOOK[root] = Book(root)
    return _BOOK[root]


def convert_notebook(nb, path=None, edition="readers", book=None, strip=None):
    """The plain-Markdown edition of ``nb`` (which is not modified).

    ``edition="readers"``: everything kept, solutions folded; outputs kept.
    ``edition="student"``: ``strip`` (by default tools/make_student.py's
    ``student_notebook``) removes the solutions and clears the outputs
    first; then the rest is converted. Numbers and glued values come from
    ``nb`` itself, as the site has them. ``path`` places the notebook in the
    book (its number, its labels); without it, or outside the table of
    contents, the notebook is numbered on its own.
    """
    if edition not in EDITIONS:
        raise ValueError(f"edition must be one of {EDITIONS}, got {edition!r}")
    book = book or get_book()
    name = str(path) if path else "notebook"
    docname = book.docname(path) if path else "notebook"
    labels, numbers = book.index(docname, notebook_events(nb, name))
    glue = glue_data(nb)
    if edition == "student":
        work = (strip or _make_student().student_notebook)(nb, name=name)
    else:
        work = copy.deepcopy(nb)
    metadata_subs = ((nb.metadata.get("myst") or {}).get("substitutions") or {})
    ctx = Context(
        book, edition, docname, Path(path) if path else None, labels, numbers, glue,
        {**book.substitutions, **{str(k): str(v) for k, v in metadata_subs.items()}},
    )
    cells = []
    for index, cell in enumerate(work.cells):
        ctx.where = f"{name}, cell {index} (id {cell.get('id')})"
        tags = cell.metadata.get("tags", [])
        if REMOVE_CELL in tags and SETUP_CELL not in tags:
            continue
        if cell.cell_type == "markdown":
            ctx.attachments = {}
            source = convert_markdown(cell.source, ctx)
            if not source.strip():
                continue
            cell.source = source
            if ctx.attachments:
                cell.attachments = {**cell.get("attachments", {}), **ctx.attachments}
        elif cell.cell_type == "code" and ctx.gate == "solution":
            nbgrader = cell.metadata.get("nbgrader", {})
            if not (nbgrader.get("grade") and not nbgrader.get("solution")):
                cell.metadata.setdefault("jupyter", {})["source_hidden"] = True
        cells.append(cell)
    if ctx.cited:
        ref_id = "references"
        while any(c.get("id") == ref_id for c in cells):
            ref_id += "-"
        cell = nbformat.v4.new_markdown_cell(references_markdown(book, ctx.cited))
        cell.id = ref_id
        cells.append(cell)
    work.cells = cells
    leftovers = [f"cell {c.get('id')}: {kind} {snippet!r}" for c in cells if c.cell_type == "markdown" for kind, snippet in find_myst(c.source)]
    if leftovers:
        raise ConversionError(f"{name}: MyST left after converting: " + "; ".join(leftovers))
    return work


def _make_student():
    if "make_student" not in sys.modules:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        import make_student  # noqa: F401
    return sys.modules["make_student"]


# --------------------------------------------------------------------------
# The checker
# --------------------------------------------------------------------------

_CHECK_INLINE = re.compile(
    r"(?P<role>\{[A-Za-z][\w:.+-]*\}`)"
    r"|(?P<code>(?P<t>`+).+?(?<!`)(?P=t)(?!`))"
    r"|(?P<math>\$\$.+?\$\$|(?<![\\$])\$(?![\s$])(?:\\.|[^$\\])+?(?<![\s\\])\$(?!\d))"
    r"|(?P<sub>\{\{\s*[A-Za-z_][\w.-]*\s*\}\})",
    re.S,
)
_CHECK_LINES = (
    ("directive", re.compile(r"^[ \t]*(?:>[ \t]*)*(?:`{3,}|~{3,})[ \t]*\{[^}]*\}")),
    ("colon fence", re.compile(r"^[ \t]*(?:>[ \t]*)*:{3,}")),
    ("target", re.compile(r"^[ \t]*(?:>[ \t]*)*\([^()\s]+\)=[ \t]*$")),
    ("option", re.compile(r"^[ \t]*(?:>[ \t]*)*:[\w-]+:(?:[ \t]|$)")),
    ("comment", re.compile(r"^(?:>[ \t]*)* {0,3}%")),
    ("block break", re.compile(r"^(?:>[ \t]*)* {0,3}\+\+\+")),
    ("equation label", re.compile(r"\$\$[ \t]*\([^()\s]+\)[ \t]*$")),
)


def find_myst(text):
    """``[(kind, snippet)]`` of MyST-only syntax in Markdown ``text`` (code blocks and spans excepted)."""
    found = []
    lines = text.split("\n")
    prose, fence, in_math = [], None, False
    for line in lines:
        bare = re.sub(r"^[ \t]*(?:>[ \t]*)*", "", line)
        if fence:
            if _closes(bare, fence):
                fence = None
            prose.append("")
            continue
        m = re.match(r"^(`{3,}|~{3,})(.*)$", bare)
        if m and not (m.group(1)[0] == "`" and "`" in m.group(2)):
            if m.group(2).strip().startswith("{"):
                found.append(("directive", line.strip()))
            fence = m.group(1)
            prose.append("")
            continue
        for kind, pattern in _CHECK_LINES:
            if (not in_math or kind == "equation label") and pattern.search(line):
                found.append((kind, line.strip()))
        if bare.startswith("$$") and bare.count("$$") == 1:
            in_math = not in_math
        elif in_math and "$$" in bare:
            in_math = False
        prose.append(line)
    for m in _CHECK_INLINE.finditer("\n".join(prose)):
        if m["role"] or m["sub"]:
            snippet = "\n".join(prose)[m.start() : m.start() + 40].split("\n")[0]
            found.append(("role" if m["role"] else "substitution", snippet))
    return found


# --------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------


def write_editions(paths, output, edition, log=print):
    """Convert ``paths`` into ``output`` (emptied of earlier notebooks first). Returns the number that failed."""
    SolutionMarkupError = _make_student().SolutionMarkupError

    output.mkdir(parents=True, exist_ok=True)
    for old in output.glob("*.ipynb"):
        old.unlink()
    failed = 0
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        try:
            converted = convert_notebook(nb, path, edition)
        except (ConversionError, SolutionMarkupError) as err:
            print(f"FAILED {path}: {err}", file=sys.stderr)
            failed += 1
            continue
        nbformat.write(converted, output / Path(path).name)
        log(f"{output / Path(path).name}: {edition} edition, {len(converted.cells)} cells")
    return failed


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*", type=Path, help="notebooks (default: chapters/*.ipynb)")
    parser.add_argument("-o", "--output", type=Path, default=None, help="output folder (default: _build/notebooks, or _build/student)")
    parser.add_argument("--edition", choices=EDITIONS, default="readers", help="readers (solutions folded, the default) or student (solutions removed)")
    args = parser.parse_args(argv)
    paths = args.paths or sorted(CHAPTERS.glob("*.ipynb"))
    if not paths:
        sys.exit(f"no notebooks in {CHAPTERS}")
    _make_student()
    output = args.output or (OUT if args.edition == "readers" else ROOT / "_build" / "student")
    if write_editions(paths, output, args.edition):
        sys.exit(1)


if __name__ == "__main__":
    main()
