"""Write solution-free copies of the chapters, ready to hand out to students.

    .venv/bin/python tools/make_student.py                  # chapters/*.ipynb -> _build/student/
    .venv/bin/python tools/make_student.py -o DIR nb.ipynb  # chosen notebooks, chosen folder
    .venv/bin/python tools/make_student.py --keep-myst      # solutions stripped, MyST markup kept
    make student

Each notebook is written under the same file name into the output folder
(which is emptied of earlier ``.ipynb`` files first). Stripping uses only the
standard library and nbformat; no nbgrader needed. The stripped notebook is
then converted to plain Markdown by tools/convert_notebooks.py (step 5), so
that Colab, JupyterLab and VS Code show what the website shows; with
``--keep-myst`` it is written as stripped, MyST markup and all (for an
instructor's own Jupyter Book site).

Conventions the chapters follow, and what happens to each
---------------------------------------------------------

1. **Coding exercises** (nbgrader's markup). A code cell holds a region

       ### BEGIN SOLUTION
       ...the solution...
       ### END SOLUTION

   The two marker lines may be indented; each must be exactly that text after
   its indentation (trailing spaces allowed). The region, markers included, is
   replaced by two lines at the BEGIN marker's indentation::

       # YOUR CODE HERE
       raise NotImplementedError()

   which is exactly what nbgrader's ``ClearSolutions`` does. A cell may hold
   several regions. A nested, unclosed or unopened region, or a line that
   mentions ``BEGIN SOLUTION``/``END SOLUTION`` in another form, is an error
   (the script stops rather than risk handing out a solution). The cell's
   metadata is kept as it is: solution cells carry
   ``"nbgrader": {"solution": true, "grade": false, "grade_id": ..., "locked": false,
   "schema_version": 3, "task": false}`` and the auto-check cell after them
   (``"grade": true, "solution": false, "locked": true, "points": 1``) calls an
   ``optlib.checks`` function; both stay, the check cell unchanged.

2. **Written solutions** (sphinx-exercise), in markdown cells:

   - a ``{solution}`` directive block, fenced with backticks or colons::

         ```{solution} ex-label            :::{solution} ex-label
         :class: dropdown                  ...
         ...                               :::
         ```

     The block, from its opening fence to the closing fence (a line of at
     least as many of the same fence characters and nothing else, as in
     CommonMark/MyST), is removed. Text around it in the same cell stays; a
     cell left empty is dropped. Where the block was, the cell is cut in two
     and an empty markdown cell, tagged ``student-answer`` and headed "Your
     answer to Exercise N", is put between, for the student to write in (a
     solution nested in another directive gets its answer cell after the
     whole cell). Code blocks (fences whose info string does
     not start with ``{``, and ``~~~`` fences) are skipped, so a ``{solution}`` shown *inside* a
     code block is not touched; other directives (``{exercise}``, ``{note}``)
     are looked into, so a solution nested in one is found.

   - the gated form: a ``{solution-start} ex-label`` directive (with options)
     and, later, a ``{solution-end}`` directive, usually each in a markdown
     cell of its own, with the solution cells between them. The marker blocks
     are removed (their cells dropped when left empty), and so is all markdown
     between them (that is solution text). If that markdown had text (a
     written part of the answer, beside the solution code), an answer cell
     for the exercise is put where the first such text was. Code cells between them stay, in
     order: with BEGIN/END SOLUTION markers they are stripped as in 1.; a code
     cell without markers is solution code as a whole, so its source becomes
     the stub, except an nbgrader check cell (``"grade": true`` and not
     ``"solution": true``), kept as it is. An unclosed ``{solution-start}`` is
     an error.

3. Every code cell's outputs and execution count are cleared, and the
   notebook's saved widget state (``metadata.widgets``) is removed; cell ids
   and all other metadata are kept. Cells that carry no solution are
   otherwise unchanged.

4. The result is checked: no cell may still contain ``BEGIN SOLUTION`` or
   ``END SOLUTION``, and no markdown or raw cell ``{solution`` (in code it may
   be an f-string field); if one does, nothing is written for that notebook
   and the script exits with status 1.

5. Unless ``--keep-myst`` is given, the result goes through
   ``convert_notebooks.convert_notebook(..., edition="student")``: glue roles
   become the values the chapter recorded, citations author-year text (and a
   References cell), exercises and admonitions headed blockquotes numbered as
   on the site, cross-references their text. A markup it cannot convert is
   an error too (nothing written for that notebook, exit status 1).
"""

from __future__ import annotations

import argparse
import copy
import functools
import re
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = ROOT / "chapters"
OUT = ROOT / "_build" / "student"

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
STUB = ["# YOUR CODE HERE", "raise NotImplementedError()"]
FORBIDDEN = ("BEGIN SOLUTION", "END SOLUTION", "{solution")

# An opening fence: up to any indentation, 3+ backticks or colons, info string.
_FENCE_OPEN = re.compile(r"^(?P<indent>\s*)(?P<fence>`{3,}|:{3,}|~{3,})\s*(?P<info>.*?)\s*$")
_DIRECTIVE = re.compile(r"^\{(?P<name>[^}\s]+)\}")
# Where a written solution (`{solution} <exercise label>`) was, the student
# gets an empty markdown cell to answer in, tagged so tools can find it.
ANSWER_TAG = "student-answer"
_ANSWER_HERE = "\x00answer:"  # a line marking where a written solution was


def answer_cell(label):
    """The empty markdown cell a student writes a written exercise's answer in."""
    cell = nbformat.v4.new_markdown_cell(
        f"**Your answer** to {{ref}}`{label}`:\n\n*Write it here (double-click to edit).*",
        metadata={"tags": [ANSWER_TAG]},
    )
    cell.id = f"answer-{label}"[:64]
    return cell


class SolutionMarkupError(ValueError):
    """Solution markup the script cannot strip with certainty."""


def clear_solution_regions(source, where="cell"):
    """Replace each ``### BEGIN SOLUTION`` ... ``### END SOLUTION`` region by the stub.

    Returns ``(new_source, number_of_regions)``.

    >>> print(clear_solution_regions("def f(x):\\n    ### BEGIN SOLUTION\\n    return 2 * x\\n    ### END SOLUTION\\n")[0])
    def f(x):
        # YOUR CODE HERE
        raise NotImplementedError()
    <BLANKLINE>
    """
    out, inside, regions = [], False, 0
    for number, line in enumerate(source.split("\n"), 1):
        stripped = line.strip()
        if stripped == BEGIN:
            if inside:
                raise SolutionMarkupError(f"{where}, line {number}: nested {BEGIN!r}")
            inside, regions = True, regions + 1
            indent = line[: len(line) - len(line.lstrip())]
            out.extend(indent + stub for stub in STUB)
        elif stripped == END:
            if not inside:
                raise SolutionMarkupError(f"{where}, line {number}: {END!r} without {BEGIN!r}")
            inside = False
        elif "BEGIN SOLUTION" in line or "END SOLUTION" in line:
            raise SolutionMarkupError(
                f"{where}, line {number}: write the marker as its own line, exactly {BEGIN!r} / {END!r}: {line!r}"
            )
        elif not inside:
            out.append(line)
    if inside:
        raise SolutionMarkupError(f"{where}: {BEGIN!r} without {END!r}")
    return "\n".join(out), regions


def _closes(line, fence):
    """Whether ``line`` closes ``fence`` (the converter's CommonMark rule)."""
    return _converter()._closes(line, fence)


def _find_close(lines, start, fence):
    """Index of the line closing a fence opened at ``start`` (len(lines) if none)."""
    close = _converter()._find_close(lines, start, fence)
    return len(lines) if close is None else close


def strip_markdown(source, gated, where="cell", written=None, gate=None):
    """Remove solution blocks and gated solution text from one markdown cell.

    ``gated`` says whether the cell starts inside a ``{solution-start}`` ...
    ``{solution-end}`` region. Returns ``(new_source, gated_after, changed)``.
    The exercise label of each written ``{solution}`` block removed is
    appended to the list ``written``, if one is given. ``gate`` (a dict kept
    across cells) remembers the label of the open ``{solution-start}``; the
    first text removed inside it appends that label to ``written`` too, once.
    """
    gate = {} if gate is None else gate
    lines = source.split("\n")
    keep = []
    stack = []  # open directive fences we are inside of (their content is markdown)
    changed = False
    i = 0
    while i < len(lines):
        line = lines[i]
        if stack and _closes(line, stack[-1]):
            stack.pop()
            if not gated:
                keep.append(line)
            i += 1
            continue
        m = _FENCE_OPEN.match(line)
        if m:
            fence, info = m["fence"], m["info"]
            directive = _DIRECTIVE.match(info) if fence[0] != "~" else None
            name = directive["name"] if directive else None
            if fence[0] == "`" and "`" in info:
                m = None  # not a fence (CommonMark: no backtick in a backtick fence's info)
        if m and name in ("solution", "solution-start", "solution-end"):
            close = _find_close(lines, i, fence)
            if close == len(lines):
                raise SolutionMarkupError(f"{where}: the {{{name}}} fence opened on line {i + 1} is never closed")
            if name == "solution-start":
                if gated:
                    raise SolutionMarkupError(f"{where}: {{solution-start}} inside another gated solution")
                gated = True
                label = info[len(directive.group(0)):].split()
                gate.clear()
                gate["label"] = label[0] if label else None
            elif name == "solution-end":
                if not gated:
                    raise SolutionMarkupError(f"{where}: {{solution-end}} without {{solution-start}}")
                gated = False
                gate.clear()
            elif written is not None and not gated:
                label = info[len(directive.group(0)):].split()
                if label:
                    written.append(label[0])
                    if not stack:  # at the top level the cell is split here, for the answer
                        keep.append(_ANSWER_HERE + label[0])
            changed = True
            i = close + 1
            continue
        if m and name is None:  # a code block: copy it through unparsed
            close = min(_find_close(lines, i, fence), len(lines) - 1)
            if not gated:
                keep.extend(lines[i : close + 1])
            else:
                changed = True
            i = close + 1
            continue
        if m:  # another directive ({exercise}, {note}, ...): look inside it
            stack.append(fence)
        if gated:
            changed = True
            if (line.strip() and not stack and written is not None and gate.get("label")
                    and not gate.get("answered")):
                gate["answered"] = True  # a written part of a gated solution: one answer cell
                written.append(gate["label"])
                keep.append(_ANSWER_HERE + gate["label"])
        else:
            keep.append(line)
        i += 1
    if not changed:
        return source, gated, False
    text = "\n".join(keep)
    text = re.sub(r"\n{3,}", "\n\n", text).strip("\n")
    return text, gated, True


def _split_at_answers(cell, source, used_ids):
    """The cell's text cut where written solutions were, with an answer cell at each cut.

    The first piece of text keeps the cell (its id and metadata); later pieces
    are new cells with ids ``<id>-1``, ``<id>-2``, ... A solution nested in
    another directive cannot be cut out of it: its answer cell comes after
    the whole cell (see ``student_notebook``). Returns the list of cells.
    """
    out, part, pieces = [], [], 0

    def flush():
        nonlocal pieces
        text = "\n".join(part).strip("\n")
        if not text:
            return
        if pieces == 0:
            piece = cell
            piece.source = text
        else:
            piece = nbformat.v4.new_markdown_cell(text, metadata=copy.deepcopy(cell.metadata))
            piece.id = _unique(f"{cell.get('id')}-{pieces}", used_ids)
        pieces += 1
        out.append(piece)

    for line in source.split("\n"):
        if line.startswith(_ANSWER_HERE):
            flush()
            part = []
            answer = answer_cell(line[len(_ANSWER_HERE):])
            answer.id = _unique(answer.id, used_ids)
            out.append(answer)
        else:
            part.append(line)
    flush()
    return out


def _unique(cell_id, used_ids):
    """``cell_id``, or with -2, -3, ... appended: notebook cell ids must be unique."""
    base, n, candidate = cell_id[:60], 2, cell_id[:64]
    while candidate in used_ids:
        candidate, n = f"{base}-{n}", n + 1
    used_ids.add(candidate)
    return candidate


def _is_check_cell(cell):
    meta = cell.metadata.get("nbgrader", {})
    return bool(meta.get("grade")) and not meta.get("solution")


def student_notebook(nb, name="notebook"):
    """Return a solution-free copy of ``nb`` (an nbformat v4 NotebookNode)."""
    nb = copy.deepcopy(nb)
    cells = []
    gated = False
    gate = {}
    used_ids = {cell.get("id") for cell in nb.cells}
    for index, cell in enumerate(nb.cells):
        where = f"{name}, cell {index} (id {cell.get('id')})"
        if cell.cell_type == "markdown":
            written = []
            source, gated, changed = strip_markdown(cell.source, gated, where, written, gate)
            if changed:
                pieces = _split_at_answers(cell, source, used_ids)
                nested = [label for label in written if _ANSWER_HERE + label not in source]
                for label in nested:  # inside another directive: answered after the cell
                    answer = answer_cell(label)
                    answer.id = _unique(answer.id, used_ids)
                    pieces.append(answer)
                cells.extend(pieces)
                continue
        elif cell.cell_type == "code":
            source, regions = clear_solution_regions(cell.source, where)
            if gated and not regions and not _is_check_cell(cell):
                source = "\n".join(STUB)
            cell.source = source
            cell.outputs = []
            cell.execution_count = None
        elif gated:  # a raw cell inside a gated solution
            continue
        cells.append(cell)
    if gated:
        raise SolutionMarkupError(f"{name}: {{solution-start}} without {{solution-end}}")
    nb.cells = cells
    nb.metadata.pop("widgets", None)
    leftovers = [
        f"cell {cell.get('id')}: {marker!r}"
        for cell in nb.cells
        for marker in FORBIDDEN
        # `{solution` is directive markup only in text; in code it may be an f-string field.
        if marker in cell.source and (cell.cell_type != "code" or "SOLUTION" in marker)
    ]
    if leftovers:
        raise SolutionMarkupError(f"{name}: solution markup left after stripping: " + "; ".join(leftovers))
    return nb


@functools.cache
def _converter():
    """tools/convert_notebooks.py (imported from this script's folder)."""
    folder = str(Path(__file__).resolve().parent)
    if folder not in sys.path:
        sys.path.insert(0, folder)
    import convert_notebooks

    return convert_notebooks


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*", type=Path, help="notebooks (default: chapters/*.ipynb)")
    parser.add_argument("-o", "--output", type=Path, default=OUT, help="output folder (default: _build/student)")
    parser.add_argument("--keep-myst", action="store_true", help="write the stripped notebooks with their MyST markup (no conversion)")
    args = parser.parse_args(argv)
    paths = args.paths or sorted(CHAPTERS.glob("*.ipynb"))
    if not paths:
        sys.exit(f"no notebooks in {CHAPTERS}")
    convert = None if args.keep_myst else _converter()
    errors = (SolutionMarkupError,) if convert is None else (SolutionMarkupError, convert.ConversionError)
    args.output.mkdir(parents=True, exist_ok=True)
    for old in args.output.glob("*.ipynb"):
        old.unlink()
    failed = False
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        try:
            if convert is None:
                student = student_notebook(nb, name=str(path))
            else:
                student = convert.convert_notebook(nb, path, edition="student", strip=student_notebook)
        except errors as err:
            print(f"FAILED {path}: {err}", file=sys.stderr)
            failed = True
            continue
        nbformat.write(student, args.output / path.name)
        print(f"{args.output / path.name}: {len(student.cells)} cells, solutions removed" + (", MyST kept" if convert is None else ", plain Markdown"))
    if failed:
        sys.exit(1)


if __name__ == "__main__":
    main()
