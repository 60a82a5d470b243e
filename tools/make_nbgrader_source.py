"""Write the chapters as nbgrader *source* assignments: one folder per chapter.

    .venv/bin/python tools/make_nbgrader_source.py                  # every chapter
    .venv/bin/python tools/make_nbgrader_source.py chapters/09_putting_it_together.ipynb
    make nbgrader-source

Each chapter becomes ``_build/nbgrader/source/chNN/<chapter>.ipynb`` (``-o``
changes the folder), ready for ``nbgrader generate_assignment chNN`` in a
course folder whose ``source/`` it is (see the instructor's guide).

nbgrader strips the code solutions itself (cells marked ``"solution": true``,
``### BEGIN/END SOLUTION`` regions) but not the book's written solutions:
sphinx-exercise ``{solution}`` blocks and the text between
``{solution-start}`` and ``{solution-end}``. Copied as they are, the chapters
would hand those out. This tool removes them with ``make student``'s own
rules (tools/make_student.py) and puts, where each was, an answer cell that
nbgrader grades by hand (``--points``, default 1) holding the book's answer
between ``### BEGIN SOLUTION`` and ``### END SOLUTION``: the release then
says "YOUR ANSWER HERE", and the grader sees the model answer. Code cells are
left for nbgrader. The text is the readers' plain Markdown (numbers filled
in, citations resolved, as ``make student`` writes it), outputs are cleared
and the saved widget state is dropped.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))
import make_student as ms  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = ROOT / "chapters"
OUT = ROOT / "_build" / "nbgrader" / "source"
FENCE = re.compile(r"^\s*(`{3,}|:{3,})\s*\{(solution|solution-start|solution-end)\}\s*(\S*)")


def model_answers(nb):
    """``{label: the book's written answer}``: a ``{solution}`` body, or the text inside a gate."""
    answers, gate = {}, None
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        lines, i = cell.source.split("\n"), 0
        while i < len(lines):
            m = FENCE.match(lines[i])
            if m:
                close = ms._find_close(lines, i, m[1])
                body = [line for line in lines[i + 1 : close] if not re.match(r"^\s*:\w[\w-]*:", line)]
                if m[2] == "solution":
                    answers[m[3]] = "\n".join(body).strip()
                else:
                    gate = m[3] if m[2] == "solution-start" else None
                i = close + 1
                continue
            if gate:
                answers[gate] = answers.get(gate, "") + "\n" + lines[i]
            i += 1
    return {label: text.strip() for label, text in answers.items()}


def nbgrader_source(nb, name="notebook", points=1):
    """The chapter ``nb`` with its written solutions turned into nbgrader's manually graded answers."""
    answers = model_answers(nb)
    cells, gated, gate, used = [], False, {}, {c.get("id") for c in nb.cells}
    for index, cell in enumerate(nb.cells):
        where = f"{name}, cell {index}"
        if cell.cell_type != "markdown":
            meta = cell.metadata.get("nbgrader", {})
            if gated and cell.cell_type == "code" and not (meta.get("solution") or meta.get("grade")):
                raise ms.SolutionMarkupError(f"{where}: code inside a gated solution is not an nbgrader solution cell")
            cells.append(cell)
            continue
        written = []
        source, gated, changed = ms.strip_markdown(cell.source, gated, where, written, gate)
        if not changed:
            cells.append(cell)
            continue
        pieces = ms._split_at_answers(cell, source, used)
        for label in written:
            if ms._ANSWER_HERE + label not in source:  # nested in a directive: after the cell
                answer = ms.answer_cell(label)
                answer.id = ms._unique(answer.id, used)
                pieces.append(answer)
        for piece in pieces:
            if ms.ANSWER_TAG in piece.metadata.get("tags", []):
                label = piece.id[len("answer-"):]
                if not answers.get(label):
                    raise ms.SolutionMarkupError(f"{where}: no written answer found for {label!r}")
                piece.source = (piece.source.split("\n\n")[0] + "\n\n### BEGIN SOLUTION\n"
                                + answers[label] + "\n### END SOLUTION")
                piece.metadata["nbgrader"] = {
                    "grade": True, "solution": True, "locked": False, "task": False,
                    "points": points, "grade_id": f"answer-{label}", "schema_version": 3}
        cells.extend(pieces)
    if gated:
        raise ms.SolutionMarkupError(f"{name}: a {{solution-start}} is never closed")
    nb = nbformat.from_dict(nb)
    nb.cells = cells
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    return nb


def assignment(path):
    """``chapters/09_putting_it_together.ipynb`` -> ``ch09``."""
    return "ch" + path.name[:2]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*", type=Path, help="notebooks (default: chapters/*.ipynb)")
    parser.add_argument("-o", "--output", type=Path, default=OUT, help=f"the course's source/ folder (default: {OUT})")
    parser.add_argument("--points", type=float, default=1, help="points of each written answer (default 1)")
    args = parser.parse_args(argv)
    paths = args.paths or sorted(CHAPTERS.glob("[0-9][0-9]_*.ipynb"))
    convert = ms._converter()
    failed = False
    for path in paths:
        nb = nbformat.read(path, as_version=4)

        def strip(nb, name=str(path)):
            return nbgrader_source(nb, name=name, points=args.points)

        try:
            source = convert.convert_notebook(nb, path, edition="student", strip=strip)
        except (ms.SolutionMarkupError, convert.ConversionError) as err:
            print(f"FAILED {path}: {err}", file=sys.stderr)
            failed = True
            continue
        folder = args.output / assignment(path)
        folder.mkdir(parents=True, exist_ok=True)
        nbformat.write(source, folder / path.name)
        answers = sum("answer-" in c.metadata.get("nbgrader", {}).get("grade_id", "") for c in source.cells)
        print(f"{folder / path.name}: {len(source.cells)} cells, {answers} written answers graded by hand")
    if failed:
        sys.exit(1)


if __name__ == "__main__":
    main()
