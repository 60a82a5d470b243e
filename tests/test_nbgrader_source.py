"""tools/make_nbgrader_source.py: the chapters as nbgrader source assignments hand out no written solution.

nbgrader itself strips the code solutions of a source notebook; the book's written solutions
(sphinx-exercise blocks) it would hand out. The oracle for "what is a solution" is
tests/solution_text.py, a parser independent of the tool: every snippet of every written or
gated solution must be absent from the notebook once nbgrader's own solution regions are
removed, and present in those regions (the grader sees the model answer).
"""
import importlib.util
import re
from pathlib import Path

import nbformat
import pytest

import solution_text

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("make_nbgrader_source", ROOT / "tools" / "make_nbgrader_source.py")
tool = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(tool)
CHAPTERS = sorted((ROOT / "chapters").glob("[0-9][0-9]_*.ipynb"))
REGION = re.compile(r"### BEGIN SOLUTION\n.*?### END SOLUTION", re.S)


@pytest.fixture(scope="module")
def sources(tmp_path_factory):
    out = tmp_path_factory.mktemp("source")
    tool.main(["-o", str(out)])
    return {p.name: nbformat.read(out / tool.assignment(p) / p.name, as_version=4) for p in CHAPTERS}


@pytest.fixture(scope="module")
def solutions():
    return solution_text.collect()


def what_nbgrader_releases(nb):
    """The text of the notebook after generate_assignment: solution cells' marked regions removed."""
    parts = []
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        text = REGION.sub("", cell.source) if meta.get("solution") else cell.source
        if meta.get("solution") and cell.cell_type == "code" and "### BEGIN SOLUTION" not in cell.source:
            text = ""  # a solution cell without markers is replaced whole
        parts.append(text)
    return solution_text.normalize("\n".join(parts))


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name[:2])
def test_release_holds_no_solution_and_the_grader_sees_every_one(path, sources, solutions):
    nb = sources[path.name]
    released = what_nbgrader_releases(nb)
    regions = solution_text.normalize("\n".join(m for c in nb.cells for m in REGION.findall(c.source)))
    mine = [s for s in solutions if s.page == f"chapters/{path.name}" and s.what != "check output"]
    assert mine, f"{path.name}: the oracle found no solution"
    for solution in mine:
        for snippet in solution.snippets:
            assert snippet not in released, f"{path.name}: {solution.what} {solution.label} handed out: {snippet!r}"
        if solution.snippets:
            assert any(s in regions for s in solution.snippets), (
                f"{path.name}: the grader does not see {solution.what} {solution.label}")


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name[:2])
def test_written_answers_are_graded_by_hand_and_code_is_left_to_nbgrader(path, sources):
    nb, original = sources[path.name], nbformat.read(path, as_version=4)
    written = len(re.findall(r"\{solution\}|\{solution-start\}", "\n".join(
        c.source for c in original.cells if c.cell_type == "markdown")))
    answers = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id", "").startswith("answer-")]
    gated_code_only = sum(1 for c in original.cells if c.cell_type == "markdown"
                          for _ in re.finditer(r"\{solution-start\}", c.source))
    assert written - gated_code_only <= len(answers) <= written
    for cell in answers:
        meta = cell.metadata["nbgrader"]
        assert cell.cell_type == "markdown" and meta["grade"] and meta["solution"] and meta["points"] == 1
        assert REGION.search(cell.source)
    ids = [c.metadata["nbgrader"]["grade_id"] for c in nb.cells if "nbgrader" in c.metadata]
    assert len(ids) == len(set(ids)), "nbgrader needs unique grade_ids"
    code = {c.metadata["nbgrader"]["grade_id"]: c for c in original.cells
            if c.cell_type == "code" and "nbgrader" in c.metadata}
    kept = {c.metadata["nbgrader"]["grade_id"]: c for c in nb.cells
            if c.cell_type == "code" and "nbgrader" in c.metadata}
    assert kept.keys() == code.keys()
    for grade_id, cell in code.items():
        assert kept[grade_id].source == cell.source and kept[grade_id].metadata["nbgrader"] == cell.metadata["nbgrader"]
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")
    assert "widgets" not in nb.metadata
    assert not any("{glue:" in c.source or "```{exercise}" in c.source for c in nb.cells), "MyST left"
