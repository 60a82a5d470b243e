"""tools/make_student_site.py without building: what it stages, and how.

The built student site itself is tested in tests/test_site.py (every file
scanned for the text of every solution, every page opened in Chromium).
Here: the solution-free chapter the site shows (outputs kept where they
give nothing away), the staged configuration, the staging of a small book,
and the API page's filter for optlib.checks' docstrings.
"""

import importlib.util
import sys
from pathlib import Path

import nbformat
import pytest
import yaml
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
_spec = importlib.util.spec_from_file_location("make_student_site", ROOT / "tools" / "make_student_site.py")
tool = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(tool)

SECRET = "SECRET-ANSWER"


def chapter():
    """A chapter with every solution convention, each solution line saying SECRET."""
    cells = [
        new_markdown_cell("# A chapter\n\nText {glue:text}`kappa:.1f`."),
        new_code_cell("glue('kappa', 3.0)", outputs=[new_output("stream", text="kappa is 3.0\n")],
                      execution_count=1),
        new_markdown_cell("```{exercise} Why\n:label: ex-why\n\nWhy?\n```\n\n"
                          f"```{{solution}} ex-why\n:class: dropdown\n\n{SECRET} because.\n```"),
        new_markdown_cell("```{exercise} Step\n:label: ex-step\n\nWrite `step`.\n```"),
        new_markdown_cell("```{solution-start} ex-step\n:class: dropdown\n```"),
        new_code_cell(f"def step(x):\n    ### BEGIN SOLUTION\n    return x  # {SECRET}\n    ### END SOLUTION",
                      metadata={"nbgrader": {"solution": True, "grade": False, "grade_id": "step"}}),
        new_markdown_cell(f"{SECRET}: the written part."),
        new_markdown_cell("```{solution-end}\n```"),
        new_code_cell("assert check_step(step)", outputs=[new_output("stream", text=f"step is correct: {SECRET}\n")],
                      metadata={"nbgrader": {"solution": False, "grade": True, "grade_id": "step-check", "points": 1}},
                      execution_count=2),
        new_code_cell("plot()", outputs=[new_output("display_data", data={"image/png": "iVBORw0KGgo=",
                                                                          "text/plain": "<Figure>"})],
                      execution_count=3),
    ]
    for i, cell in enumerate(cells):
        cell.id = f"c{i}"
    nb = new_notebook(cells=cells, metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                            "language": "python"}})
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}, "version_major": 2,
                                                                             "version_minor": 0}}
    return nb


def test_site_notebook_has_no_solution_and_keeps_what_the_page_shows():
    nb = chapter()
    site = tool.site_notebook(nb, name="fixture")
    text = nbformat.writes(site)
    assert SECRET not in text and "{solution" not in text and "BEGIN SOLUTION" not in text
    cells = {c.id: c for c in site.cells}
    # outputs of untouched cells kept (figures, glue), widget state kept
    assert cells["c1"].outputs == nb.cells[1].outputs and cells["c1"].execution_count == 1
    assert cells["c9"].outputs == nb.cells[9].outputs
    assert site.metadata["widgets"] == nb.metadata["widgets"]
    # the stub is shown; the check cell is kept without its output
    assert "raise NotImplementedError()" in cells["c5"].source and cells["c5"].outputs == []
    assert cells["c8"].source == "assert check_step(step)" and cells["c8"].outputs == []
    # no answer cells on a web page
    assert not [c for c in site.cells if tool.make_student.ANSWER_TAG in c.metadata.get("tags", [])]
    assert nb.cells[8].outputs, "the original notebook was modified"
    nbformat.validate(site)


def test_site_markdown_strips_solutions_and_the_banner_follows_the_title():
    page = f"# Title\n\nIntro.\n\n```{{solution}} ex\n{SECRET}\n```\n\nMore.\n"
    stripped = tool.site_markdown(page, "page.md")
    assert SECRET not in stripped and "Intro." in stripped and "More." in stripped
    banner = tool.with_banner(stripped)
    assert banner.startswith("# Title\n\n```{admonition} Student edition")
    assert banner.index("Student edition") < banner.index("Intro.")


def test_student_config():
    config = yaml.safe_load(tool.student_config((ROOT / "_config.yml").read_text()))
    original = yaml.safe_load((ROOT / "_config.yml").read_text())
    assert config["title"].endswith("(student edition)")
    assert "solutions are not" in config["html"]["announcement"]
    assert config["html"]["use_edit_page_button"] is False
    launch = config["launch_buttons"]
    assert launch["colab_url"] == launch["binderhub_url"] == "" and launch["thebe"] is False
    assert config["sphinx"]["local_extensions"]["make_student_site"] == "tools"
    # everything else as in the book
    for key in ("execute", "parse", "bibtex_bibfiles", "repository"):
        assert config[key] == original[key]
    assert config["sphinx"]["config"] == original["sphinx"]["config"]
    assert config["html"]["extra_footer"] == original["html"]["extra_footer"]


def test_checks_docstrings_cut_to_their_summary():
    lines = ["Check ``f(x)``: one step.", "", "The answer is 2.", "", ">>> f(1)", "2"]
    kept = list(lines)
    tool._checks_summary_only(None, "function", "optlib.checks.sgd.check_f", None, {}, kept)
    assert kept == ["Check ``f(x)``: one step."]
    other = list(lines)
    tool._checks_summary_only(None, "function", "optlib.sgd", None, {}, other)
    assert other == lines


def test_module_doctests():
    import doctest

    assert doctest.testmod(tool).failed == 0


@pytest.fixture
def book(tmp_path):
    root = tmp_path / "book"
    (root / "chapters").mkdir(parents=True)
    (root / "images").mkdir()
    (root / "images" / "a.svg").write_text("<svg/>")
    (root / "_config.yml").write_text("title: T\nhtml: {}\n")
    (root / "_toc.yml").write_text("format: jb-book\nroot: intro\nparts:\n  - chapters:\n"
                                   "      - file: chapters/one\n      - file: page\n")
    (root / "intro.md").write_text("# Intro\n\nHello.\n")
    (root / "page.md").write_text(f"# Page\n\n```{{solution}} ex\n{SECRET}\n```\n")
    (root / "notes.md").write_text("not in the toc\n")
    (root / "chapters" / "README.md").write_text("conventions\n")
    nbformat.write(chapter(), root / "chapters" / "one.ipynb")
    (root / "_build").mkdir()
    (root / ".git").mkdir()
    return root


def test_stage_mirrors_the_book_without_solutions(book, tmp_path):
    stage = tmp_path / "stage"
    pages = tool.stage(book, stage)
    assert sorted(pages) == ["chapters/one.ipynb", "intro.md", "page.md"]
    assert not (stage / "_build").exists() and not (stage / ".git").exists()
    # pages are written, the rest linked
    for page in pages:
        assert (stage / page).is_file() and not (stage / page).is_symlink()
        assert SECRET not in (stage / page).read_text()
    assert (stage / "chapters").is_dir() and not (stage / "chapters").is_symlink()
    assert (stage / "images").is_symlink() and (stage / "notes.md").is_symlink()
    assert (stage / "chapters" / "README.md").is_symlink()
    assert "Student edition" in (stage / "intro.md").read_text()
    assert "announcement" in yaml.safe_load((stage / "_config.yml").read_text())["html"]
    # a second run changes nothing; what the book drops, the stage drops
    mtime = (stage / "chapters" / "one.ipynb").stat().st_mtime_ns
    (book / "notes.md").unlink()
    tool.stage(book, stage)
    assert (stage / "chapters" / "one.ipynb").stat().st_mtime_ns == mtime
    assert not (stage / "notes.md").exists() and not (stage / "notes.md").is_symlink()
