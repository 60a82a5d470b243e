"""tools/convert_notebooks.py: the notebooks handed out hold no MyST.

Four layers:

1. The checker (``find_myst``) is shown to find each MyST-only construct in
   a synthetic notebook, and nothing in plain Markdown that merely looks
   alike (code blocks, code spans, math).
2. A small book, built here (an unnumbered page, two numbered chapters, a
   bibliography, glued values), is converted, and its numbers, cross-reference
   texts, citations and glued values are compared with what Jupyter Book
   itself renders for the same sources (the site build is the oracle; skipped
   without jupyter-book).
3. Every chapter in chapters/, both editions, through the command line: no
   MyST left, every glued value equal to the recorded output formatted by
   myst-nb's own function, every solution folded (readers) or absent
   (student), outputs kept (readers) or cleared (student), and two runs
   giving identical bytes. The chapters themselves are left untouched.
4. Where the site has been built from the current chapters, the exercise
   and algorithm titles of the notebooks equal the site's.
"""

import hashlib
import html as html_lib
import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))
TOOLS = ROOT / "tools"
SITE = ROOT / "_build" / "html"


def _load(name):
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, TOOLS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


convert = _load("convert_notebooks")
make_student = _load("make_student")

# ---- 1. the checker --------------------------------------------------------

MYST_SAMPLES = {
    "role": "The value is {glue:text}`kappa:g` here.",
    "role-cite": "As shown {cite:p}`nesterov1983method`.",
    "role-ref": "See {ref}`sec-x`.",
    "role-double-backtick": "See {doc}``notation``.",
    "directive-backticks": "```{exercise} Title\n:label: ex-a\n\nText.\n```",
    "directive-colon": ":::{note}\nText.\n:::",
    "directive-in-quote": "> ```{note}\n> Text.\n> ```",
    "directive-tilde": "~~~{math}\nx\n~~~",
    "target": "(sec-x)=\n## A section",
    "option": "Some text\n:class: dropdown",
    "option-in-quote": "> :label: ex-a",
    "comment": "% a MyST comment\nText.",
    "block-break": "Text.\n+++\nMore.",
    "substitution": "Welcome to {{ course }}.",
    "equation-label": "$$\nx = 1\n$$ (eq-x)",
}
PLAIN_SAMPLES = {
    "code-span": "The role `{glue:text}` puts a number in prose, e.g. ``{ref}`x` ``.",
    "code-block": "````markdown\n```{exercise} Title\n:label: ex-a\n```\n(sec-x)=\n% comment\n````",
    "math": "$$\n\\begin{aligned} a &= b \\\\ % a TeX comment\n c &= d \\end{aligned}\n$$",
    "braces-in-math": "$x^{{2}}$ and $\\{x\\}$",
    "quote": "> **Exercise 1.1** (Title)\n>\n> Text with $x$.",
    "details": "<details>\n<summary>Solution to Exercise 1.1</summary>\n\nText.\n\n</details>",
    "percent": "Accuracy rose by 5% in 10% of the runs.",
    "definition": "Term\n: definition (a colon and a space is not an option line)",
}


def test_checker_finds_each_construct_in_a_notebook():
    nb = new_notebook(cells=[new_markdown_cell(text) for text in MYST_SAMPLES.values()])
    for (name, _), cell in zip(MYST_SAMPLES.items(), nb.cells):
        assert convert.find_myst(cell.source), f"the checker misses {name}: {cell.source!r}"


@pytest.mark.parametrize("name", PLAIN_SAMPLES)
def test_checker_passes_plain_markdown(name):
    assert convert.find_myst(PLAIN_SAMPLES[name]) == []


def test_checker_is_what_the_converter_enforces():
    """A construct the converter has no rule for stops it; nothing is passed through."""
    nb = new_notebook(cells=[new_markdown_cell("```{unknown-directive}\nText.\n```")])
    with pytest.raises(convert.ConversionError, match="unknown-directive"):
        convert.convert_notebook(nb)
    nb = new_notebook(cells=[new_markdown_cell("A {unknownrole}`x` role.")])
    with pytest.raises(convert.ConversionError, match="unknownrole"):
        convert.convert_notebook(nb)


# ---- 2. a small book, and what Jupyter Book makes of it ----------------------

BIB = """\
@article{cauchy1847methode,
  author = {Cauchy, Augustin-Louis}, title = {M{\\'e}thode g{\\'e}n{\\'e}rale},
  journal = {Comptes Rendus}, volume = {25}, pages = {536--538}, year = {1847},
}
@article{robbins1951stochastic,
  author = {Robbins, Herbert and Monro, Sutton}, title = {A Stochastic Approximation Method},
  journal = {The Annals of Mathematical Statistics}, year = {1951},
}
@book{zhang2023dive,
  author = {Zhang, Aston and Lipton, Zachary C. and Li, Mu and Smola, Alexander J.},
  title = {Dive into Deep Learning}, publisher = {Cambridge University Press}, year = {2023},
}
"""

CONFIG = """\
title: Test book
only_build_toc_files: true
execute:
  execute_notebooks: "off"
parse:
  myst_enable_extensions: [amsmath, colon_fence, deflist, dollarmath, substitution]
  myst_substitutions:
    course: Optimization 101
bibtex_bibfiles: [references.bib]
html:
  use_multitoc_numbering: true
sphinx:
  extra_extensions: [sphinx_exercise, sphinx_proof]
  config:
    bibtex_reference_style: author_year
    bibtex_default_style: plain
"""

TOC = """\
format: jb-book
root: intro
parts:
  - caption: Start
    chapters:
      - file: other
      - file: bibliography
  - caption: Chapters
    numbered: true
    chapters:
      - file: chapters/a
      - file: chapters/b
"""

OTHER = """\
# Other page

(sec-other)=
## A labelled section

```{exercise}
:label: ex-other
Untitled exercise.
```

```{exercise} Unnumbered one
:label: ex-nonum
:nonumber:
Text.
```
"""

A_CELLS = [
    "# Chapter A\n\n(sec-a)=\n## Section in A\n\n$$ x = 1 $$ (eq-one)\n\n```{math}\n:label: eq-two\ny = 2\n```",
    "% a comment the reader must not see\n"
    "```{prf:theorem} Big\n:label: thm-big\nText.\n```\n\n"
    "```{prf:algorithm} Algo\n:label: alg-a\n\n1. Take $\\theta_0$\n2. Step\n```\n\n"
    "```{prf:algorithm}\n:label: alg-b\nUntitled algo.\n```\n\n"
    "```{exercise} First\n:label: ex-a1\nQ: what is $x$\nwhen $y = 2$?\n```",
    "Refs: [{ref}`sec-a`] [{ref}`sec-other`] [{ref}`ex-a1`] [{ref}`ex-other`] [{numref}`ex-a1`] "
    "[{numref}`Ex %s <ex-a1>`] [{eq}`eq-one`] [{eq}`eq-two`] [{prf:ref}`thm-big`] [{prf:ref}`alg-a`] "
    "[{prf:ref}`alg-b`] [{ref}`custom <sec-a>`] [{doc}`../other`] [{doc}`b`] [{ref}`ex-b1`] [{numref}`sec-a`]",
    "Cites: {cite:p}`cauchy1847methode` | {cite:t}`robbins1951stochastic` | {cite:p}`zhang2023dive` | "
    "{cite:t}`zhang2023dive` | {cite:ps}`zhang2023dive` | {cite:year}`zhang2023dive` | {cite:author}`zhang2023dive`",
    "Glue: [{glue:text}`rate:.3f`] [{glue:text}`kappa:g`] [{glue:text}`steps`] [{glue:text}`error`] "
    "[{glue:text}`rate:.1e`] [{glue:text}`steps:d`] [{glue:text}`shown:.2f`]",
    "Course: {{ course }}.",
    ":::{admonition} At a glance\n:class: tip\n\n**Time** an hour.\n\n$$\nf(x) = x^2\n$$\n:::",
    "```{note}\nRemember $\\eta$.\n```\n\n```{warning} Careful with\n$\\eta > 1$.\n```\n\n"
    "```{admonition} More\n:class: dropdown\nHidden text.\n```\n\n```{dropdown} Drop title\nBody\n```",
]
B_CELLS = [
    "# Chapter B\n\n```{exercise} In B\n:label: ex-b1\nQ.\n```\n\n```{solution} ex-b1\n:class: dropdown\nA-SOLUTION-B1.\n```",
    "```{solution} ex-a1\n:label: sol-a1\nA-SOLUTION-A1.\n```\n\n"
    "Back: [{ref}`sol-a1`] [{ref}`ex-a1`] [{prf:ref}`alg-a`] [{eq}`eq-one`]",
    "```{exercise-start} Gated\n:label: ex-b2\n```",
    "Write `f`.",
    "```{exercise-end}\n```",
    "```{solution-start} ex-b2\n:class: dropdown\n```",
    "GATED-SOLUTION-TEXT",
    "```{solution-end}\n```",
]
GLUED = {"rate": "0.47619047619047616", "kappa": "20.0", "steps": "139", "error": "'2.0e-02'", "shown": "3.14159"}
GATED_CODE = "def f():\n    ### BEGIN SOLUTION\n    return 'GATED-CODE'\n    ### END SOLUTION"


def _glue_cell():
    cell = new_code_cell("glue(...)", execution_count=1)
    for name, text in GLUED.items():
        prefix = "" if name == "shown" else convert.GLUE_PREFIX
        cell.outputs.append(
            new_output("display_data", data={prefix + "text/plain": text},
                       metadata={"scrapbook": {"name": name, "mime_prefix": prefix}})
        )
    return cell


def write_book(root):
    root.mkdir(parents=True, exist_ok=True)
    (root / "_config.yml").write_text(CONFIG)
    (root / "_toc.yml").write_text(TOC)
    (root / "references.bib").write_text(BIB)
    (root / "intro.md").write_text("# Intro\n\nWelcome.\n")
    (root / "other.md").write_text(OTHER)
    (root / "bibliography.md").write_text("# Bibliography\n\n```{bibliography}\n```\n")
    (root / "chapters").mkdir(exist_ok=True)
    kernel = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
    a = new_notebook(cells=[new_markdown_cell(A_CELLS[0]), _glue_cell()] + [new_markdown_cell(c) for c in A_CELLS[1:]], metadata=kernel)
    b_cells = [new_markdown_cell(c) for c in B_CELLS]
    b_cells.insert(6, new_code_cell(GATED_CODE, metadata={"nbgrader": {"solution": True, "grade": False, "grade_id": "f"}}))
    b = new_notebook(cells=b_cells, metadata=kernel)
    for nb, name in ((a, "a"), (b, "b")):
        for i, cell in enumerate(nb.cells):
            cell.id = f"{name}{i}"
        nbformat.write(nb, root / "chapters" / f"{name}.ipynb")
    return root


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    root = write_book(tmp_path_factory.mktemp("book"))
    return root, convert.Book(root)


def converted(book, name, edition="readers"):
    root, b = book
    path = root / "chapters" / f"{name}.ipynb"
    return convert.convert_notebook(nbformat.read(path, as_version=4), path, edition, book=b)


def cell_starting(nb, prefix):
    cells = [c.source for c in nb.cells if c.cell_type == "markdown" and c.source.startswith(prefix)]
    assert len(cells) == 1, (prefix, [c.source[:30] for c in nb.cells])
    return cells[0]


# What the site shows for the same sources: read off a Jupyter Book build of
# this book (and checked against a fresh build in test_small_book_matches_site).
# Differences by design: citations in parentheses where the site uses square
# brackets.
EXPECTED = {
    "Refs:": "Refs: [Section in A] [A labelled section] [Exercise 1.1] [Exercise 1] [Exercise 1.1] [Ex 1.1] [(1.1)] "
             "[(1.2)] [Theorem 1.1] [Algorithm 1.1] [Algorithm 1.2] [custom] [Other page] [Chapter B] [Exercise 2.1] [Section 1.1]",
    "Cites:": "Cites: (Cauchy, 1847) | Robbins and Monro (1951) | (Zhang et al., 2023) | Zhang et al. (2023) | "
              "(Zhang, Lipton, Li, and Smola, 2023) | 2023 | Zhang et al.",
    "Glue:": "Glue: [0.476] [20] [139] [2.0e-02] [4.8e-01] [139] [3.14]",
    "Back:": "Back: [Solution to Exercise 1.1 (First)] [Exercise 1.1] [Algorithm 1.1] [(1.1)]",
}


@pytest.mark.parametrize("prefix", ["Refs:", "Cites:", "Glue:"])
def test_small_book_roles(book, prefix):
    nb = converted(book, "a")
    assert cell_starting(nb, prefix) == EXPECTED[prefix]


def test_small_book_cross_chapter_refs_and_solutions(book):
    nb = converted(book, "b")
    back = [c.source for c in nb.cells if "Back:" in c.source][0]
    assert back.endswith(EXPECTED["Back:"])
    assert back.startswith("<details>\n<summary>Solution to Exercise 1.1 (First)</summary>\n\nA-SOLUTION-A1.\n\n</details>")
    first = nb.cells[0].source
    assert first == (
        "# Chapter B\n\n> **Exercise 2.1** (In B)\n>\n> Q.\n\n"
        "<details>\n<summary>Solution to Exercise 2.1 (In B)</summary>\n\nA-SOLUTION-B1.\n\n</details>"
    )


def test_small_book_blocks(book):
    nb = converted(book, "a")
    sources = [c.source for c in nb.cells if c.cell_type == "markdown"]
    assert sources[0] == "# Chapter A\n\n## Section in A\n\n$$\nx = 1 \\tag{1.1}\n$$\n\n$$\ny = 2 \\tag{1.2}\n$$"
    assert sources[1] == (
        "> **Theorem 1.1** (Big)\n>\n> Text.\n\n"
        "> **Algorithm 1.1** (Algo)\n>\n> 1. Take $\\theta_0$\n> 2. Step\n\n"
        "> **Algorithm 1.2**\n>\n> Untitled algo.\n\n"
        # math that spans a line break inside a blockquote is joined onto one line
        "> **Exercise 1.1** (First)\n>\n> Q: what is $x$\n> when $y = 2$?"
    )
    assert cell_starting(nb, "Course:") == "Course: Optimization 101."
    assert cell_starting(nb, "> **At a glance**") == "> **At a glance**\n>\n> **Time** an hour.\n>\n> $$ f(x) = x^2 $$"
    assert cell_starting(nb, "> **Note**") == (
        "> **Note**\n>\n> Remember $\\eta$.\n\n"
        "> **Warning**\n>\n> Careful with\n> $\\eta > 1$.\n\n"
        "<details>\n<summary>More</summary>\n\nHidden text.\n\n</details>\n\n"
        "<details>\n<summary>Drop title</summary>\n\nBody\n\n</details>"
    )
    refs = [c for c in nb.cells if c.get("id") == "references"]
    assert len(refs) == 1 and refs[0] is nb.cells[-1]
    assert refs[0].source.startswith("## References\n\n- Augustin-Louis Cauchy. Méthode générale.")
    assert refs[0].source.count("\n- ") == 3  # the three works cited, once each
    assert "Zachary C. Lipton" in refs[0].source


def test_small_book_gated_solutions(book):
    readers, student = converted(book, "b"), converted(book, "b", "student")
    r = {c.id: c for c in readers.cells}
    assert r["b2"].source == "**Exercise 2.2** (Gated)"
    assert "b4" not in r  # the {exercise-end} marker cell
    assert r["b5"].source == "**Solution to Exercise 2.2** (Gated)"
    assert r["b6"].source == GATED_CODE and r["b6"].metadata["jupyter"]["source_hidden"] is True
    assert r["b7"].source == "GATED-SOLUTION-TEXT"
    text = nbformat.writes(student)
    for secret in ("A-SOLUTION", "GATED-SOLUTION", "GATED-CODE", "**Solution to", "<details>"):
        assert secret not in text
    s = {c.id: c for c in student.cells}
    # The solution block is gone; a reference to it still reads as the site has it.
    assert s["b1"].source == EXPECTED["Back:"]
    assert s["b6"].source == "def f():\n    # YOUR CODE HERE\n    raise NotImplementedError()"


def test_small_book_every_cell_is_plain(book):
    for name in ("a", "b"):
        for edition in convert.EDITIONS:
            nb = converted(book, name, edition)
            nbformat.validate(nb)
            for cell in nb.cells:
                if cell.cell_type == "markdown":
                    assert convert.find_myst(cell.source) == [], (name, edition, cell.source)


def test_standalone_notebook_is_numbered_on_its_own():
    nb = new_notebook(cells=[
        new_markdown_cell("```{exercise} One\n:label: ex-standalone-1\nQ.\n```\n\nSee {ref}`ex-standalone-2`."),
        new_markdown_cell("```{exercise}\n:label: ex-standalone-2\nQ.\n```"),
    ])
    out = convert.convert_notebook(nb)
    assert out.cells[0].source == "> **Exercise 1** (One)\n>\n> Q.\n\nSee Exercise 2."
    assert out.cells[1].source == "> **Exercise 2**\n>\n> Q."


def test_a_value_at_the_start_of_a_line_starts_no_list():
    cell = _glue_cell()
    cell.outputs[0]["data"] = {convert.GLUE_PREFIX + "text/plain": "'1.'"}
    nb = new_notebook(cells=[cell, new_markdown_cell("The count is\n{glue:text}`rate` and more.")])
    assert convert.convert_notebook(nb).cells[1].source == "The count is\n\\1. and more."


def test_remove_cell_tag_drops_the_cell_other_tags_kept():
    hidden = new_code_cell("x = 1", metadata={"tags": ["remove-input"]})
    gone = new_code_cell("plumbing()", metadata={"tags": ["remove-cell"]})
    out = convert.convert_notebook(new_notebook(cells=[hidden, gone]))
    assert [c.source for c in out.cells] == ["x = 1"] and out.cells[0].metadata["tags"] == ["remove-input"]


def test_the_setup_cell_is_hidden_on_the_site_but_kept_in_the_notebooks():
    setup = new_code_cell("import optlib", metadata={"tags": ["remove-cell", "notebook-setup"]})
    for edition in convert.EDITIONS:
        out = convert.convert_notebook(new_notebook(cells=[setup]), edition=edition)
        assert [c.source for c in out.cells] == ["import optlib"]


def test_broken_references_are_errors():
    for source in ("See {ref}`no-such-label`.", "{cite:p}`no-such-key`", "{glue:text}`nothing:.2f`", "{eq}`nope`"):
        with pytest.raises(convert.ConversionError):
            convert.convert_notebook(new_notebook(cells=[new_markdown_cell(source)]))


def test_glue_format_is_myst_nbs():
    """format_plain_text is a copy of myst-nb's: compare the two on many values and formats."""
    variables = pytest.importorskip("myst_nb.core.variables")
    values = ["0.47619047619047616", "20.0", "139", "'2.0e-02'", "-0.2739", "1e-08", "3", "'text'", "True", "[1, 2]"]
    formats = ["", "s", ".3f", "g", ".2e", ".1%", "d", ">8.2f", "+.4f", ",.1f"]
    for value in values:
        for fmt in formats:
            try:
                expected = variables.format_plain_text(value, fmt)
            except (ValueError, TypeError) as err:
                with pytest.raises(type(err)):
                    convert.format_plain_text(value, fmt)
                continue
            assert convert.format_plain_text(value, fmt) == expected, (value, fmt)


def _site_text(path):
    page = path.read_text(encoding="utf-8")
    page = re.sub(r"<script.*?</script>", "", page, flags=re.S)
    return html_lib.unescape(re.sub(r"<[^>]+>", "", page))


def _one_line(text):
    return re.sub(r"\s+", " ", text).strip()


def test_small_book_matches_site(tmp_path):
    """Jupyter Book renders the same book; its texts are those the converter writes."""
    jb = Path(sys.executable).parent / "jupyter-book"
    if not jb.exists():
        pytest.skip("jupyter-book is not installed")
    root = write_book(tmp_path / "book")
    run = subprocess.run([str(jb), "build", str(root), "-W", "-n", "--keep-going", "-q"], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    site = {name: _site_text(root / "_build" / "html" / "chapters" / f"{name}.html") for name in ("a", "b")}
    site_text = _one_line(site["a"] + site["b"])
    for prefix in ("Refs:", "Glue:"):
        assert EXPECTED[prefix] in site_text, prefix
    site_cites = re.search(r"Cites: .*? \| 2023 \| Zhang et al\.", site_text).group(0)
    assert re.sub(r"\[([^\[\]]*)\]", r"(\1)", site_cites) == EXPECTED["Cites:"]  # the site's brackets, our parentheses
    assert EXPECTED["Back:"] in site_text
    # Titles: every numbered block the site shows, in order, is in the notebooks.
    book = convert.Book(root)
    notebooks = ""
    for name in ("a", "b"):
        path = root / "chapters" / f"{name}.ipynb"
        nb = convert.convert_notebook(nbformat.read(path, as_version=4), path, book=book)
        notebooks += " ".join(c.source for c in nb.cells) + " "
    caption = r"((?:Exercise|Algorithm|Theorem) \d+\.\d+)"
    site_titles = re.findall(caption + r" (?:\(([^)]*)\) )?", site_text)
    ours = re.findall(r"\*\*" + caption + r"\*\*(?: \(([^)]*)\))?", _one_line(notebooks))
    assert ours == [("Theorem 1.1", "Big"), ("Algorithm 1.1", "Algo"), ("Algorithm 1.2", ""),
                    ("Exercise 1.1", "First"), ("Exercise 2.1", "In B"), ("Exercise 2.2", "Gated")]
    assert set(ours) <= set(site_titles)


# ---- 3. the real chapters ----------------------------------------------------

GLUE_ROLE = re.compile(r"\{glue(?::text)?\}`([^`]+)`")
SOLUTION_BLOCK = re.compile(r"^(?P<fence>`{3,}|:{3,})\{solution\}[^\n]*\n(?P<body>.*?)^(?P=fence)[ \t]*$", re.S | re.M)


def _digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def editions(tmp_path_factory):
    """Both editions of every chapter, each written twice by the command line."""
    if not CHAPTERS:
        pytest.skip("no chapters yet")
    before = {p: _digest(p) for p in CHAPTERS}
    out = {}
    for edition, script in (("readers", "convert_notebooks.py"), ("student", "make_student.py")):
        runs = []
        for attempt in (1, 2):
            folder = tmp_path_factory.mktemp(f"{edition}{attempt}")
            run = subprocess.run([sys.executable, str(TOOLS / script), "-o", str(folder)], capture_output=True, text=True, cwd=ROOT)
            assert run.returncode == 0, run.stderr
            runs.append(folder)
        out[edition] = runs
    assert {p: _digest(p) for p in CHAPTERS} == before, "converting modified a chapter"
    return out


def _pairs(editions, edition):
    for path in CHAPTERS:
        yield path, nbformat.read(path, as_version=4), nbformat.read(editions[edition][0] / path.name, as_version=4)


@pytest.mark.parametrize("edition", convert.EDITIONS)
def test_chapters_deterministic(editions, edition):
    first, second = editions[edition]
    for path in CHAPTERS:
        assert (first / path.name).read_bytes() == (second / path.name).read_bytes(), path.name


@pytest.mark.parametrize("edition", convert.EDITIONS)
def test_chapters_hold_no_myst(editions, edition):
    for path, _, nb in _pairs(editions, edition):
        nbformat.validate(nb)
        ids = [c.id for c in nb.cells]
        assert len(ids) == len(set(ids))
        for cell in nb.cells:
            if cell.cell_type == "markdown":
                assert convert.find_myst(cell.source) == [], (path.name, edition, cell.id, convert.find_myst(cell.source))


@pytest.mark.parametrize("edition", convert.EDITIONS)
def test_chapters_glue_values_are_the_recorded_outputs(editions, edition):
    """Each glue role's text is the committed output, formatted by myst-nb's own function."""
    variables = pytest.importorskip("myst_nb.core.variables")
    glue_ext = pytest.importorskip("myst_nb.ext.glue")
    for path, source, nb in _pairs(editions, edition):
        recorded = {}
        for cell in nbformat.read(path, as_version=4).cells:  # a fresh copy: myst-nb edits the outputs it reads
            if cell.cell_type == "code":
                recorded.update(dict(glue_ext.extract_glue_data_cell(cell)))
        out = {c.id: c.source for c in nb.cells}
        roles = 0
        for cell in source.cells:
            if cell.cell_type != "markdown" or cell.id not in out:
                continue
            for content in GLUE_ROLE.findall(cell.source):
                key, sep, fmt = content.rpartition(":")
                key, fmt = (key, fmt) if sep else (content, "s")
                expected = variables.format_plain_text(recorded[key]["data"]["text/plain"], fmt)
                assert convert.escape_text(expected) in out[cell.id], (path.name, key, expected)
                roles += 1
            assert "{glue" not in out[cell.id]
        assert roles == sum(len(GLUE_ROLE.findall(c.source)) for c in source.cells if c.cell_type == "markdown" and c.id in out)


def _solution_lines(nb):
    """Substantial lines of every solution in ``nb``: written ones, gated ones, marked code."""
    lines, gated = [], False
    for cell in nb.cells:
        text = cell.source
        if cell.cell_type == "markdown":
            if re.search(r"\{solution-start\}", text):
                gated = True
                continue
            if re.search(r"\{solution-end\}", text):
                gated = False
                continue
            bodies = [m["body"] for m in SOLUTION_BLOCK.finditer(text)] + ([text] if gated else [])
        else:
            bodies = re.findall(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", text, re.S)
            if gated and "### BEGIN SOLUTION" not in text and not cell.metadata.get("nbgrader", {}).get("grade"):
                bodies.append(text)
        for body in bodies:
            for line in body.split("\n"):
                line = line.strip()
                if len(line) >= 12 and not line.startswith(":"):
                    lines.append(line)
    # Only lines found nowhere else in the chapter (a solution may share a line with other code).
    everything = "\n".join(cell.source for cell in nb.cells)
    return [line for line in dict.fromkeys(lines) if everything.count(line) == lines.count(line)]


def test_chapters_student_edition_has_no_solution(editions):
    for path, source, nb in _pairs(editions, "student"):
        text = "\n".join(c.source for c in nb.cells)
        secrets = _solution_lines(source)
        assert secrets, f"{path.name}: no solutions found to check"
        for line in secrets:
            assert line not in text, (path.name, line)
        assert "BEGIN SOLUTION" not in text and "END SOLUTION" not in text
        assert "**Solution to" not in text and "<details>" not in text
        for cell in nb.cells:
            if cell.cell_type == "code":
                assert cell.outputs == [] and cell.execution_count is None
        assert "widgets" not in nb.metadata


def test_chapters_readers_edition_keeps_solutions_folded(editions):
    for path, source, nb in _pairs(editions, "readers"):
        text = "\n".join(c.source for c in nb.cells)
        for line in _solution_lines(source):
            assert line in text, (path.name, line)
        written = sum(len(SOLUTION_BLOCK.findall(c.source)) for c in source.cells if c.cell_type == "markdown")
        assert text.count("<details>\n<summary>Solution to Exercise") == written
        gated = sum(1 for c in source.cells if c.cell_type == "markdown" and "{solution-start}" in c.source)
        assert len(re.findall(r"^\*\*Solution to Exercise [\d.]+\*\* ", text, re.M)) == gated
        # Code cells, with their outputs, as committed; solution code folded.
        originals = {c.id: c for c in source.cells}
        for cell in nb.cells:
            if cell.cell_type == "code":
                assert cell.source == originals[cell.id].source and cell.outputs == originals[cell.id].outputs
                if cell.metadata.get("nbgrader", {}).get("solution"):
                    assert cell.metadata["jupyter"]["source_hidden"] is True
        assert nb.metadata.get("widgets") == source.metadata.get("widgets")


@pytest.mark.parametrize("edition", convert.EDITIONS)
def test_chapters_exercises_numbered_and_cited_works_listed(editions, edition):
    for path, source, nb in _pairs(editions, edition):
        exercises = sum(len(re.findall(r"^(`{3,}|:{3,})\{exercise(-start)?\}", c.source, re.M)) for c in source.cells if c.cell_type == "markdown")
        text = "\n".join(c.source for c in nb.cells)
        titles = re.findall(r"\*\*Exercise ([\d.]+)\*\*", text)
        assert len(titles) == exercises and len(set(titles)) == exercises
        if edition == "student":  # citations inside a removed solution are not cited in this edition
            source = make_student.student_notebook(source)
        keys = set()
        for c in source.cells:
            if c.cell_type == "markdown" and c.id in {x.id for x in nb.cells}:
                for content in re.findall(r"\{cite(?::\w+)?\}`([^`]+)`", c.source):
                    keys.update(k.strip() for k in content.split(","))
        if keys:
            references = nb.cells[-1]
            assert references.source.startswith("## References\n\n")
            assert references.source.count("\n- ") == len(keys)


# ---- 4. the built site -------------------------------------------------------


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_chapter_titles_match_the_built_site(path):
    page = SITE / "chapters" / (path.stem + ".html")
    if not page.exists() or page.stat().st_mtime < path.stat().st_mtime:
        pytest.skip("site not built from the current chapter (`make book`)")
    site = _one_line(_site_text(page))
    site_titles = re.findall(r"((?:Exercise|Algorithm|Theorem|Definition|Lemma|Proposition|Corollary) \d+\.\d+) \(([^)]*)\)", site)
    nb = convert.convert_notebook(nbformat.read(path, as_version=4), path)
    text = " ".join(_one_line(c.source) for c in nb.cells if c.cell_type == "markdown")
    ours = re.findall(r"\*\*((?:Exercise|Algorithm|Theorem|Definition|Lemma|Proposition|Corollary) \d+\.\d+)\*\* \(([^)]*)\)", text)
    assert ours, "no numbered block found"
    norm = lambda pairs: [(a, b.replace("\u2019", "'")) for a, b in pairs]  # the site's smart quotes
    # Each block's caption, in order (the site repeats exercises' titles in "Solution to ..." lines).
    assert [t for t in dict.fromkeys(norm(site_titles))] == norm(ours)


def test_module_doctests():
    import doctest

    assert doctest.testmod(convert).failed == 0


def test_command_line_student_edition_is_make_students(tmp_path):
    """convert_notebooks.py --edition student and make_student.py write the same bytes."""
    if not CHAPTERS:
        pytest.skip("no chapters yet")
    path = CHAPTERS[0]
    for script, options, folder in (("convert_notebooks.py", ["--edition", "student"], "a"), ("make_student.py", [], "b")):
        run = subprocess.run([sys.executable, str(TOOLS / script), *options, "-o", str(tmp_path / folder), str(path)],
                             capture_output=True, text=True)
        assert run.returncode == 0, run.stderr
    assert (tmp_path / "a" / path.name).read_bytes() == (tmp_path / "b" / path.name).read_bytes()


def test_raw_content_and_indented_directives():
    source = (
        "````{code-block} python\n:caption: Demo\n# shown as code\n```{note}\nnot a directive\n```\n````\n\n"
        "```{math}\n% a TeX comment\n\\alpha\n```\n\n"
        "- an item with {math}`x^2`\n\n  ```{tip}\n  A tip in the item\n  ```\n- next item"
    )
    out = convert.convert_notebook(new_notebook(cells=[new_markdown_cell(source)])).cells[0].source
    assert out == (
        "*Demo*\n\n````python\n# shown as code\n```{note}\nnot a directive\n```\n````\n\n"
        "$$\n% a TeX comment\n\\alpha\n$$\n\n"
        "- an item with $x^2$\n\n  > **Tip**\n  >\n  > A tip in the item\n\n- next item"
    )
    assert convert.find_myst(out) == []
