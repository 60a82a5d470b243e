"""Build the student edition of the website: the whole book, with no solution anywhere.

    .venv/bin/python tools/make_student_site.py     # -> _build/student-site/html
    make book-student

``make book`` publishes the solutions inside every page (folded), in the
search index and in the downloadable notebooks (``_sources/``). This script
builds a second site for students, in its own folder, from a staging copy of
the book in which every solution is gone:

1. **Stage** the book in ``_build/student-src/``. Every page in ``_toc.yml``
   is written there without its solutions: a notebook by
   :func:`site_notebook` (tools/make_student.py's stripping, MyST markup
   kept), a Markdown page by make_student's ``strip_markdown``. Everything
   else the book uses (``images/``, ``_assets/``, ``_templates/``,
   ``references.bib``, ...) is a symbolic link to the original. The staged
   ``_config.yml`` is the book's with an announcement saying which edition
   this is, and with the launch (Colab, Binder) and edit buttons off: they
   open the repository's notebooks, which hold the solutions. The root page
   opens with a note saying the same. This script is also loaded as a
   Sphinx extension there (:func:`setup`): on the API page it cuts the
   docstrings of ``optlib.checks`` to their first paragraph, as the rest
   (doctests, "The answer is ...") shows the right answers. Files are rewritten only when their
   content changes, so Sphinx rebuilds only what changed.
2. **Build** the staged book with Jupyter Book (``-W -n --keep-going``, as
   ``make book``) into ``_build/student-site/html``.
3. **Downloads**: each chapter's download button serves
   ``_sources/chapters/<name>.ipynb``; that file is replaced by the student
   notebook of ``make student`` (``_build/student/``: solutions removed,
   outputs cleared, plain Markdown), the notebook students run.
4. **Check** every file of the built site: no solution admonition, no
   "Solution to Exercise" title, and in the notebooks no solution directive
   and no nbgrader solution markers. A failure
   exits with status 1. (tests/test_site.py checks much more: the text of
   every solution, in every file and in the browser.)

What :func:`site_notebook` keeps: the stripped notebook of make_student
(solution code replaced by the ``raise NotImplementedError()`` stub, written
solutions and gated solution text removed), with the committed outputs put
back on every code cell that stripping did not change, and the saved widget
state, so that the page shows the same figures, numbers and playgrounds as
the book. Cells that stay without outputs: the stubs, and nbgrader's check
cells (their output, "gd_step is correct: x_new = x - lr * grad", would give
the answer away). make_student's empty answer cells are left out: on a web
page there is nothing to write in.
"""

from __future__ import annotations

import argparse
import copy
import os
import re
import shutil
import sys
import time
from pathlib import Path

import nbformat
import yaml

TOOLS = Path(__file__).resolve().parent
ROOT = TOOLS.parent
if str(TOOLS) not in sys.path:
    sys.path.insert(0, str(TOOLS))

import make_student  # noqa: E402  (tools/make_student.py, beside this script)

STAGE = ROOT / "_build" / "student-src"
OUT = ROOT / "_build" / "student-site"
ANNOUNCEMENT = (
    "Student edition: the exercises are here, their solutions are not. "
    "The download button gives the notebook to work in."
)
BANNER = """\
```{admonition} Student edition
:class: important

This is the edition of the book **without the solutions** to its exercises:
the exercises are all here, and each coding exercise keeps the cell to write
your answer in and the check that tells you what is wrong with it. The
download button of a chapter page gives that chapter's student notebook (no
solutions, no outputs, plain Markdown that Jupyter and Colab render).
```
"""
# The exercise checks, whose docstrings show the right answers (see setup()).
CHECKS = "optlib.checks"
# Names never staged (besides dot-files): the build itself.
NOT_STAGED = {"_build"}
# Markers that must not be in any file of the built site (see check_site).
FORBIDDEN = [
    (re.compile(r"""class=["'][^"']*\bsolution\b"""), "a solution admonition"),
    (re.compile(r"Solution to Exercise"), "a solution's title"),
]
# In the downloadable notebooks only (a page may mention the markup: how-to-use.md shows nbgrader's).
FORBIDDEN_IN_NOTEBOOKS = [
    (re.compile(r"BEGIN SOLUTION|END SOLUTION"), "nbgrader's solution markers"),
    (re.compile(r"\{solution(-start|-end)?\}"), "sphinx-exercise's solution directive"),
]


# --------------------------------------------------------------------------
# 1. The pages without solutions
# --------------------------------------------------------------------------


def _is_graded(cell):
    meta = cell.metadata.get("nbgrader", {})
    return bool(meta.get("solution") or meta.get("grade"))


def site_notebook(nb, name="notebook"):
    """The chapter as the student site shows it: no solutions, outputs where safe.

    ``nb`` is not modified. See the module docstring for what is kept.
    """
    stripped = make_student.student_notebook(nb, name=name)
    original = {cell.get("id"): cell for cell in nb.cells}
    cells = []
    for cell in stripped.cells:
        if make_student.ANSWER_TAG in cell.metadata.get("tags", []):
            continue
        before = original.get(cell.get("id"))
        if (cell.cell_type == "code" and before is not None and before.cell_type == "code"
                and before.source == cell.source and not _is_graded(before)):
            cell.outputs = copy.deepcopy(before.outputs)
            cell.execution_count = before.execution_count
        cells.append(cell)
    stripped.cells = cells
    if "widgets" in nb.metadata:
        stripped.metadata["widgets"] = copy.deepcopy(nb.metadata["widgets"])
    return stripped


def site_markdown(text, name="page"):
    """A Markdown page without its ``{solution}`` blocks (and gated solutions)."""
    source, gated, _ = make_student.strip_markdown(text, gated=False, where=name)
    if gated:
        raise make_student.SolutionMarkupError(f"{name}: {{solution-start}} without {{solution-end}}")
    return source + "\n" if source and not source.endswith("\n") else source


def with_banner(text):
    """``text`` (a Markdown page) with the student-edition note after its title."""
    lines = text.split("\n")
    at = next((i + 1 for i, line in enumerate(lines) if line.startswith("# ")), 0)
    return "\n".join(lines[:at] + ["", BANNER] + lines[at:])


def summary_only(lines):
    """Docstring ``lines`` cut to their first paragraph (up to the first blank line).

    >>> summary_only(["Check it.", "", "The answer is 2.", "", ">>> f(1)", "2"])
    ['Check it.']
    """
    out = []
    for line in lines:
        if not line.strip():
            break
        out.append(line)
    return out


def _checks_summary_only(app, what, name, obj, options, lines):
    if name == CHECKS or name.startswith(CHECKS + "."):
        lines[:] = summary_only(lines)


def setup(app):
    """The student site's Sphinx extension (staged _config.yml: ``local_extensions``).

    The API page documents ``optlib.checks``, and the checks' docstrings give
    the answers away: each has a doctest *of the right answer* (the loop of
    chapter 1, ``xs.append(xs[-1] - lr * grad(xs[-1]))``), some say it in
    words ("The answer is 2/lambda_max(A)"). In the student edition every
    docstring in ``optlib.checks`` is cut to its first paragraph, which says
    what the check checks.
    """
    app.connect("autodoc-process-docstring", _checks_summary_only)
    return {"parallel_read_safe": True, "parallel_write_safe": True}


def student_config(text):
    """The book's _config.yml, for the student edition (a YAML string in and out)."""
    config = yaml.safe_load(text)
    config["title"] = f"{config.get('title', '')} (student edition)".strip()
    html = config.setdefault("html", {})
    html["announcement"] = ANNOUNCEMENT
    # Launch and edit buttons open the repository's notebooks, solutions and all.
    html["use_edit_page_button"] = False
    # This script is also a Sphinx extension: see setup().
    sphinx = config.setdefault("sphinx", {})
    sphinx["local_extensions"] = {**(sphinx.get("local_extensions") or {}), "make_student_site": "tools"}
    config["launch_buttons"] = {**config.get("launch_buttons", {}),
                                "binderhub_url": "", "colab_url": "", "jupyterhub_url": "", "thebe": False}
    header = "# Generated by tools/make_student_site.py from the book's _config.yml: do not edit.\n"
    return header + yaml.safe_dump(config, sort_keys=False, allow_unicode=True)


def toc_pages(toc_path):
    """Every file the table of contents names, as paths relative to the book root."""
    toc = yaml.safe_load(toc_path.read_text())
    found = []

    def walk(node):
        if isinstance(node, dict):
            for key in ("root", "file"):
                if key in node:
                    found.append(node[key])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(toc)
    pages = []
    for entry in found:
        matches = [entry] if Path(entry).suffix else [entry + ext for ext in (".md", ".ipynb")]
        pages.extend(m for m in matches if (toc_path.parent / m).is_file())
    return pages


def _write(path, data):
    """Write ``data`` (str or bytes) to ``path`` unless it already holds exactly that."""
    data = data.encode() if isinstance(data, str) else data
    if path.is_symlink() or path.is_dir():
        _remove(path)
    if path.is_file() and path.read_bytes() == data:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return True


def _remove(path):
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.is_dir():
        shutil.rmtree(path)


def _link(path, target):
    if path.is_symlink() and Path(os.readlink(path)) == target:
        return
    _remove(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.symlink_to(target, target_is_directory=target.is_dir())


def stage(root=ROOT, stage_dir=STAGE):
    """Write the solution-free copy of the book into ``stage_dir``; return its pages.

    Folders holding pages (and their parents) are mirrored entry by entry;
    every other file or folder is a symbolic link to the original. What an
    earlier run staged and the book no longer has is removed.
    """
    pages = toc_pages(root / "_toc.yml")
    root_page = toc_root(root / "_toc.yml")
    holders = {parent for page in pages for parent in Path(page).parents}  # "." and e.g. "chapters"
    wanted = set()

    def mirror(folder):
        (stage_dir / folder).mkdir(parents=True, exist_ok=True)
        for entry in sorted((root / folder).iterdir()):
            rel = entry.relative_to(root)
            if entry.name.startswith(".") or rel.as_posix() in NOT_STAGED:
                continue
            wanted.add(rel)
            if rel in holders and entry.is_dir() and not entry.is_symlink():
                if (stage_dir / rel).is_symlink():
                    _remove(stage_dir / rel)
                mirror(rel)
            elif rel.as_posix() in pages:
                source = entry.read_text()
                if entry.suffix == ".ipynb":
                    nb = nbformat.reads(source, as_version=4)
                    text = nbformat.writes(site_notebook(nb, name=rel.as_posix())) + "\n"
                else:
                    text = site_markdown(source, name=rel.as_posix())
                    if rel.with_suffix("").as_posix() == root_page:
                        text = with_banner(text)
                _write(stage_dir / rel, text)
            elif rel == Path("_config.yml"):
                _write(stage_dir / rel, student_config(entry.read_text()))
            else:
                _link(stage_dir / rel, entry)

    mirror(Path("."))
    for dirpath, dirnames, filenames in os.walk(stage_dir, topdown=False):
        for name in dirnames + filenames:
            path = Path(dirpath) / name
            if path.relative_to(stage_dir) not in wanted:
                _remove(path)
    return pages


def toc_root(toc_path):
    """The root page of the table of contents, without its suffix."""
    root = str(yaml.safe_load(toc_path.read_text())["root"])
    return root.removesuffix(".md").removesuffix(".ipynb")


# --------------------------------------------------------------------------
# 2.-4. Build, downloads, check
# --------------------------------------------------------------------------


def build(stage_dir=STAGE, out=OUT):
    """Jupyter Book's build of ``stage_dir`` into ``out/html``, as ``make book`` builds."""
    from jupyter_book.sphinx import build_sphinx

    html = out / "html"
    status = build_sphinx(
        stage_dir,
        html,
        noconfig=True,
        path_config=str(stage_dir / "_config.yml"),
        confoverrides={"external_toc_path": (stage_dir / "_toc.yml").as_posix(), "nitpicky": True,
                       "latex_individualpages": False},
        builder="html",
        warningiserror=True,
        keep_going=True,
        doctreedir=out / "doctrees",
        quiet=True,
    )
    if status != 0:
        sys.exit(f"the student site's build failed (status {status}); see the warnings above")
    return html


def replace_downloads(pages, html, root=ROOT):
    """Serve make student's notebook (plain Markdown, no outputs) as each chapter's download."""
    convert = make_student._converter()
    failed = []
    for page in pages:
        if not page.endswith(".ipynb"):
            continue
        nb = nbformat.read(root / page, as_version=4)
        try:
            student = convert.convert_notebook(nb, root / page, edition="student",
                                               strip=make_student.student_notebook)
        except (convert.ConversionError, make_student.SolutionMarkupError) as err:
            # Never leave the staged notebook (MyST, outputs) as the download instead.
            (html / "_sources" / page).unlink(missing_ok=True)
            failed.append(f"{page}: {err}")
            continue
        _write(html / "_sources" / page, nbformat.writes(student) + "\n")
    return failed


def check_site(html):
    """Every file of the built site that still shows a solution marker, with what it shows."""
    found = []
    for path in sorted(html.rglob("*")):
        if not path.is_file() or path.suffix in {".png", ".woff", ".woff2", ".ttf", ".eot", ".ico", ".inv"}:
            continue
        text = path.read_text(errors="replace")
        if path.suffix == ".css" or path.name.endswith(".css.map"):
            continue  # sphinx-exercise's stylesheet styles .solution: no content
        for pattern, what in FORBIDDEN + (FORBIDDEN_IN_NOTEBOOKS if path.suffix == ".ipynb" else []):
            m = pattern.search(text)
            if m:
                found.append(f"{path.relative_to(html)}: {what} ({m.group(0)!r})")
    return found


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-o", "--output", type=Path, default=OUT, help="output folder (the site goes into OUTPUT/html)")
    parser.add_argument("--stage", type=Path, default=STAGE, help="staging folder for the solution-free book")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    try:
        pages = stage(ROOT, args.stage)
    except make_student.SolutionMarkupError as err:
        sys.exit(f"FAILED staging the student edition: {err}")
    html = build(args.stage, args.output)
    failed = replace_downloads(pages, html)
    leaks = check_site(html)
    if leaks:
        sys.exit("solution markup in the student site:\n" + "\n".join(leaks))
    if failed:
        sys.exit("no student notebook to download for (as `make student`):\n" + "\n".join(failed))
    print(f"student edition (no solutions) in {html.relative_to(Path.cwd()) if html.is_relative_to(Path.cwd()) else html}/"
          f" ({time.perf_counter() - start:.1f} s)")


if __name__ == "__main__":
    main()
