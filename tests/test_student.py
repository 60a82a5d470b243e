"""tools/make_student.py: solutions out, everything else kept.

A fixture notebook, built here with nbformat, holds each convention the
chapters use (nbgrader markers, `{solution}` blocks with backticks and
colons, gated `{solution-start}`/`{solution-end}` regions). Every solution
line carries a SECRET token so that a leak anywhere is caught. The same
checks then run on the real chapters, whatever chapters/ holds.

The script strips, then converts the MyST markup to plain Markdown
(tools/convert_notebooks.py, tested in test_convert.py). The stripping is
checked exactly on what `--keep-myst` writes (the stripped notebook, markup
kept); what students get by default, the converted notebook, is checked
for the same absence of solutions and the same kept cells.
"""

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

_spec = importlib.util.spec_from_file_location("make_student", ROOT / "tools" / "make_student.py")
make_student = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(make_student)

STUB = "# YOUR CODE HERE\n{0}raise NotImplementedError()"
ANSWER_TAG = make_student.ANSWER_TAG
SOLUTION_META = {"grade": False, "grade_id": "ex-step", "locked": False, "schema_version": 3, "solution": True, "task": False}
CHECK_META = {"grade": True, "grade_id": "ex-step-check", "locked": True, "points": 1, "schema_version": 3, "solution": False, "task": False}
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"


def executed(cell, text="out\n", count=1):
    cell.execution_count = count
    cell.outputs = [new_output("stream", name="stdout", text=text)]
    return cell


def fixture_notebook():
    cells = {
        "intro": new_markdown_cell("# A chapter\n\nSome prose.\n\n\n\nBlank lines above are kept as they are."),
        "code": executed(new_code_cell("x = 1\nprint(x)")),
        # 1. nbgrader markers, top level and indented, two regions in one cell
        "ex-md": new_markdown_cell("```{exercise} Step\n:label: ex-step\n\nWrite `step`.\n```"),
        "ex-code": executed(
            new_code_cell(
                "import numpy as np\n\n"
                "def step(x, g, lr):\n"
                '    """One step."""\n'
                "    ### BEGIN SOLUTION\n"
                "    return x - lr * g  # SECRET-1\n"
                "    ### END SOLUTION\n\n"
                "def two():\n"
                "        ### BEGIN SOLUTION   \n"
                "        if True:\n"
                "            return 2  # SECRET-2\n"
                "        ### END SOLUTION\n"
                "### BEGIN SOLUTION\n"
                "top = 3  # SECRET-3\n"
                "### END SOLUTION\n"
                "after = 4",
                metadata={"nbgrader": dict(SOLUTION_META)},
            )
        ),
        "ex-check": executed(
            new_code_cell("assert optlib.checks.check_gd_step(step)", metadata={"nbgrader": dict(CHECK_META)}),
            text="✔ correct\n",
        ),
        # 2a. {solution} blocks: a cell of its own (backticks), inside other text (colons),
        # a 4-backtick block holding a nested fence, and one shown inside a code block.
        "sol-alone": new_markdown_cell("```{solution} ex-step\n:class: dropdown\n\nSECRET-4 the answer.\n```"),
        "sol-mixed": new_markdown_cell(
            "Before the solution.\n\n"
            ":::{solution} ex-step\n:class: dropdown\nSECRET-5\n\n```python\nSECRET-6 = 1\n```\n:::\n\n"
            "After the solution."
        ),
        "sol-nested": new_markdown_cell(
            "````{exercise} Outer\n:label: ex-outer\n\nQuestion text.\n````\n\n"
            "````{solution} ex-outer\n```{note}\nSECRET-7\n```\nSECRET-8\n````\n\nTail text."
        ),
        "sol-in-exercise": new_markdown_cell(
            "`````{exercise} Holder\n:label: ex-holder\n\nAsk.\n\n````{solution} ex-holder\nSECRET-9\n````\n\nStill asking.\n`````"
        ),
        # 2b. the gated form
        "gate-start": new_markdown_cell("```{solution-start} ex-step\n:class: dropdown\n```"),
        "gate-text": new_markdown_cell("Explanation SECRET-10."),
        "gate-code": executed(
            new_code_cell(
                "def loop(n):\n    ### BEGIN SOLUTION\n    return list(range(n))  # SECRET-11\n    ### END SOLUTION",
                metadata={"nbgrader": dict(SOLUTION_META, grade_id="ex-loop")},
            )
        ),
        "gate-bare": executed(new_code_cell("answer = 42  # SECRET-12")),
        "gate-check": executed(
            new_code_cell("assert loop(3) == [0, 1, 2]", metadata={"nbgrader": dict(CHECK_META, grade_id="ex-loop-check")})
        ),
        "gate-end": new_markdown_cell(":::{solution-end}\n:::"),
        "outro": new_markdown_cell("## Summary\n\n```python\n# a code block that shows markup\n```"),
        "last": executed(new_code_cell("print('done')")),
    }
    for cell_id, cell in cells.items():
        cell.id = cell_id
    nb = new_notebook(cells=list(cells.values()))
    nb.metadata["widgets"] = {WIDGET_STATE: {"state": {}, "version_major": 2, "version_minor": 0}}
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
    return nb


def run_cli(src, out, *options):
    run = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "make_student.py"), *options, "-o", str(out), str(src)],
        capture_output=True, text=True, check=False,
    )
    assert run.returncode == 0, run.stderr
    return nbformat.read(out / src.name, as_version=4)


@pytest.fixture(scope="module")
def pair(tmp_path_factory):
    """(original, student) of the fixture, the stripped copy made by the script's CLI (MyST kept)."""
    tmp = tmp_path_factory.mktemp("student")
    src = tmp / "ch.ipynb"
    nbformat.write(fixture_notebook(), src)
    return nbformat.read(src, as_version=4), run_cli(src, tmp / "out", "--keep-myst")


@pytest.fixture(scope="module")
def converted(tmp_path_factory):
    """(original, student) of the fixture, as `make student` writes it: stripped and converted."""
    tmp = tmp_path_factory.mktemp("student-converted")
    src = tmp / "ch.ipynb"
    nbformat.write(fixture_notebook(), src)
    return nbformat.read(src, as_version=4), run_cli(src, tmp / "out")


def by_id(nb):
    return {cell.id: cell for cell in nb.cells}


@pytest.mark.parametrize("which", ["pair", "converted"])
def test_no_solution_survives(which, request):
    _, student = request.getfixturevalue(which)
    text = nbformat.writes(student)
    assert "SECRET" not in text
    assert "BEGIN SOLUTION" not in text and "END SOLUTION" not in text
    assert "{solution" not in text
    assert "Solution to" not in text and "<details>" not in text


def test_converted_copy_is_the_stripped_copy_in_plain_markdown(pair, converted):
    """Same cells, same code, same metadata; markdown converted; no MyST left."""
    _, stripped = pair
    _, student = converted
    convert = make_student._converter()
    assert [c.id for c in student.cells] == [c.id for c in stripped.cells]
    for a, b in zip(stripped.cells, student.cells):
        assert (a.cell_type, a.metadata) == (b.cell_type, b.metadata)
        if a.cell_type == "code":
            assert a.source == b.source and b.outputs == [] and b.execution_count is None
        else:
            assert convert.find_myst(b.source) == [], b.source
    assert "widgets" not in student.metadata
    cells = by_id(student)
    assert cells["intro"].source == by_id(stripped)["intro"].source  # no MyST: left exactly as it was
    assert cells["ex-md"].source == "> **Exercise 1** (Step)\n>\n> Write `step`."
    assert cells["sol-nested"].source == "> **Exercise 2** (Outer)\n>\n> Question text."
    assert cells["sol-nested-1"].source == "Tail text."
    assert cells["sol-in-exercise"].source == "> **Exercise 3** (Holder)\n>\n> Ask.\n>\n> Still asking."
    nbformat.validate(student)


def test_code_regions_become_stubs_at_their_indentation(pair):
    _, student = pair
    source = by_id(student)["ex-code"].source
    assert source == (
        "import numpy as np\n\n"
        "def step(x, g, lr):\n"
        '    """One step."""\n'
        "    # YOUR CODE HERE\n"
        "    raise NotImplementedError()\n\n"
        "def two():\n"
        "        # YOUR CODE HERE\n"
        "        raise NotImplementedError()\n"
        "# YOUR CODE HERE\n"
        "raise NotImplementedError()\n"
        "after = 4"
    )
    assert by_id(student)["gate-code"].source == "def loop(n):\n    " + STUB.format("    ")


def test_gated_code_cells_stay_stripped_and_checks_kept(pair):
    original, student = pair
    cells = by_id(student)
    assert cells["gate-bare"].source == STUB.format("")
    assert cells["gate-check"].source == by_id(original)["gate-check"].source
    assert cells["ex-check"].source == by_id(original)["ex-check"].source


def test_nbgrader_metadata_kept(pair):
    original, student = pair
    for cell_id in ("ex-code", "ex-check", "gate-code", "gate-check"):
        assert by_id(student)[cell_id].metadata == by_id(original)[cell_id].metadata


def test_solution_cells_and_markers_removed_text_around_kept(pair):
    _, student = pair
    ids = [cell.id for cell in student.cells]
    for gone in ("sol-alone", "gate-start", "gate-text", "gate-end"):
        assert gone not in ids
    cells = by_id(student)
    # a written solution's place: the cell is cut there and an answer cell put between
    assert cells["sol-mixed"].source == "Before the solution."
    assert cells["sol-mixed-1"].source == "After the solution."
    assert cells["sol-nested"].source == "````{exercise} Outer\n:label: ex-outer\n\nQuestion text.\n````"
    assert cells["sol-nested-1"].source == "Tail text."
    # nested in the exercise itself, the solution cannot be cut out: the answer follows the cell
    assert cells["sol-in-exercise"].source == "`````{exercise} Holder\n:label: ex-holder\n\nAsk.\n\nStill asking.\n`````"


def test_each_written_solution_leaves_an_answer_cell_in_its_place(pair):
    _, student = pair
    order = [c.id for c in student.cells]
    expected = [
        ["answer-ex-step"],  # sol-alone: the whole cell was the solution
        ["sol-mixed", "answer-ex-step-2", "sol-mixed-1"],
        ["sol-nested", "answer-ex-outer", "sol-nested-1"],
        ["sol-in-exercise", "answer-ex-holder"],
    ]
    for run in expected:
        start = order.index(run[0])
        assert order[start:start + len(run)] == run
    for cell in student.cells:
        if cell.id.startswith("answer-"):
            assert cell.metadata["tags"] == [ANSWER_TAG] and "SECRET" not in cell.source
            assert cell.source.startswith("**Your answer** to {ref}`ex-")


def test_other_cells_unchanged_in_order(pair):
    original, student = pair
    untouched = ["intro", "code", "ex-md", "outro", "last"]
    cells = by_id(student)
    for cell_id in untouched:
        a, b = by_id(original)[cell_id], cells[cell_id]
        assert (a.cell_type, a.source, a.metadata) == (b.cell_type, b.source, b.metadata)
    original_ids = {c.id for c in original.cells}
    kept = [c.id for c in student.cells if c.id in original_ids]
    assert kept == [c.id for c in original.cells if c.id in kept]  # order preserved
    assert student.metadata["kernelspec"] == original.metadata["kernelspec"]


def test_outputs_counts_and_widget_state_cleared(pair):
    _, student = pair
    for cell in student.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None
    assert "widgets" not in student.metadata
    nbformat.validate(student)


@pytest.mark.parametrize(
    "source",
    [
        "### BEGIN SOLUTION\nx = 1",  # unclosed
        "x = 1\n### END SOLUTION",  # unopened
        "### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION",  # nested
        "# BEGIN SOLUTION\nx = 1\n# END SOLUTION",  # another spelling: refuse rather than leak
    ],
)
def test_malformed_code_markers_refused(source):
    nb = new_notebook(cells=[new_code_cell(source)])
    with pytest.raises(make_student.SolutionMarkupError):
        make_student.student_notebook(nb)


@pytest.mark.parametrize(
    "source",
    [
        "```{solution} ex\nnever closed",
        "```{solution-start} ex\n```",  # never ended
        "```{solution-end}\n```",  # never started
    ],
)
def test_malformed_markdown_refused(source):
    nb = new_notebook(cells=[new_markdown_cell(source)])
    with pytest.raises(make_student.SolutionMarkupError):
        make_student.student_notebook(nb)


def test_solution_markup_inside_a_code_block_is_left_alone():
    source = "How to write one:\n\n````markdown\n```{solution} ex\nText.\n```\n````"
    nb = new_notebook(cells=[new_markdown_cell(source)])
    # The check afterwards still refuses "{solution" in text: better safe than leaking.
    with pytest.raises(make_student.SolutionMarkupError, match="left after stripping"):
        make_student.student_notebook(nb)
    assert make_student.strip_markdown(source, gated=False) == (source, False, False)


def test_fstring_field_named_solution_in_code_is_fine():
    nb = new_notebook(cells=[new_code_cell('solution = 1\nprint(f"{solution}")')])
    assert make_student.student_notebook(nb).cells[0].source == 'solution = 1\nprint(f"{solution}")'


def test_module_doctests():
    import doctest

    assert doctest.testmod(make_student).failed == 0


# ---- the real chapters ----------------------------------------------------

WRITTEN = re.compile(r"^\s*(?:`{3,}|:{3,})\{solution\}\s+(\S+)", re.M)
GATE_START = re.compile(r"^\s*(`{3,}|:{3,})\{solution-start\}", re.M)
GATE_END = re.compile(r"^\s*(`{3,}|:{3,})\{solution-end\}", re.M)


def expected_answer_labels(cells):
    """The exercises that get an answer cell, in order: each written {solution},
    and each gated solution whose markdown has text (a written part)."""
    labels, gate, answered = [], None, False
    for cell in cells:
        if cell.cell_type != "markdown":
            continue
        lines, i = cell.source.split("\n"), 0
        while i < len(lines):
            m = re.match(r"^(`{3,}|:{3,})\{(solution(?:-start|-end)?)\}\s*(\S*)", lines[i])
            if m:
                fence, name, label = m.groups()
                j = i + 1
                while j < len(lines) and not (lines[j].strip() and set(lines[j].strip()) == {fence[0]}
                                               and len(lines[j].strip()) >= len(fence)):
                    j += 1
                if name == "solution" and gate is None:
                    labels.append(label)
                elif name == "solution-start":
                    gate, answered = label, False
                elif name == "solution-end":
                    gate = None
                i = j + 1
                continue
            if gate and lines[i].strip() and not answered:
                labels.append(gate)
                answered = True
            i += 1
    return labels


@pytest.mark.skipif(not CHAPTERS, reason="no chapters yet")
@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_real_chapter_student_copy(path, tmp_path):
    original = nbformat.read(path, as_version=4)
    student = run_cli(path, tmp_path, "--keep-myst")

    for cell in student.cells:
        assert "BEGIN SOLUTION" not in cell.source and "END SOLUTION" not in cell.source, cell.id
        if cell.cell_type != "code":
            assert "{solution" not in cell.source, cell.id
        else:
            assert cell.outputs == [] and cell.execution_count is None
    assert "widgets" not in student.metadata

    # Every non-solution cell is still there, in order: all code cells; and
    # markdown cells outside gated regions without solution markup, unchanged.
    kept = by_id(student)
    answers = [c for c in student.cells if ANSWER_TAG in c.metadata.get("tags", [])]
    original_ids = {c.id for c in original.cells}
    ours = [c.id for c in student.cells if c.id in original_ids]
    assert ours == [c.id for c in original.cells if c.id in kept]
    # the only new cells: answer cells, and the rest of a cell cut at a written solution
    for cell in student.cells:
        if cell.id not in original_ids and cell not in answers:
            assert any(cell.id.startswith(f"{i}-") for i in original_ids), cell.id
    # each written solution became an answer cell, right after its exercise's cell
    written = expected_answer_labels(original.cells)
    assert [a.id for a in answers] == [f"answer-{label}" for label in written]
    for a in answers:
        # right after its exercise, or after the exercise's code cells (the
        # written part of a gated solution that came after its code)
        k = student.cells.index(a) - 1
        while student.cells[k].cell_type == "code":
            k -= 1
        before = student.cells[k]
        assert before.cell_type == "markdown" and a.source.startswith("**Your answer** to {ref}`")
        label = a.id[len("answer-"):]
        assert f":label: {label}" in before.source, f"{a.id} does not follow its exercise"
    gated = False
    for cell in original.cells:
        if cell.cell_type == "markdown" and GATE_START.search(cell.source):
            gated = True
        if cell.cell_type == "code":
            assert cell.id in kept, f"code cell {cell.id} lost"
            if not gated and "BEGIN SOLUTION" not in cell.source:
                assert kept[cell.id].source == cell.source
                assert kept[cell.id].metadata == cell.metadata
        elif not gated and "{solution" not in cell.source:
            assert cell.id in kept, f"{cell.cell_type} cell {cell.id} lost"
            assert kept[cell.id].source == cell.source
        if cell.cell_type == "markdown" and GATE_END.search(cell.source):
            gated = False
    # Exercises with an auto-check keep their nbgrader metadata.
    for cell in original.cells:
        if "nbgrader" in cell.metadata:
            assert kept[cell.id].metadata["nbgrader"] == cell.metadata["nbgrader"]


@pytest.mark.skipif(not CHAPTERS, reason="no chapters yet")
@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_real_chapter_converted_student_copy(path, tmp_path):
    """What `make student` hands out: the stripped chapter, cell for cell, in plain Markdown."""
    stripped = run_cli(path, tmp_path / "myst", "--keep-myst")
    student = run_cli(path, tmp_path / "plain")
    convert = make_student._converter()
    kept = [c for c in student.cells if c.id != "references"]
    # Every stripped cell is there, in order, but {exercise-end} marker cells (nothing to show).
    dropped = [c for c in stripped.cells if c.id not in {k.id for k in kept}]
    assert all(re.fullmatch(r"\s*(`{3,}|:{3,})\{exercise-end\}\s*\n\s*\1\s*", c.source) for c in dropped), dropped
    assert [c.id for c in kept] == [c.id for c in stripped.cells if c not in dropped]
    for cell in stripped.cells:
        if cell.cell_type == "code":
            assert by_id(student)[cell.id].source == cell.source
            assert by_id(student)[cell.id].metadata == cell.metadata
    for cell in student.cells:
        assert "BEGIN SOLUTION" not in cell.source and "END SOLUTION" not in cell.source, cell.id
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None
        else:
            assert "{solution" not in cell.source and "<details>" not in cell.source, cell.id
            assert convert.find_myst(cell.source) == [], (cell.id, convert.find_myst(cell.source))
    assert "widgets" not in student.metadata
