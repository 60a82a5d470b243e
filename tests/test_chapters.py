"""House rules every chapter follows (chapters/README.md), checked on every chapter.

- It starts with the setup cell: hidden on the site (``remove-cell``), kept in
  the handed-out notebooks (``notebook-setup``), it installs optlib from the
  repository named in _config.yml where optlib is missing (Colab) and does
  nothing where it is installed.
- Code fits the page: no line over 86 characters in a code cell shown on
  the site or in its printed output. Measured in headless Chromium on the
  built chapter: a code block holds 86 characters of the theme's 14 px
  monospace at window widths of 1440 px and more (82 at 1024 px, where the
  contents sidebar folds away, and 74 at 1280 px, where it does not).
"""
import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))
WIDTH = 86
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def setup_source():
    url = re.search(r"^\s*url:\s*(\S+)", (ROOT / "_config.yml").read_text(), re.M).group(1)
    return (
        "# Setup: where optlib is missing (Colab, a fresh Jupyter), install it from the book's\n"
        "# repository. Where it is installed already (locally, Binder) this does nothing.\n"
        "try:\n"
        "    import optlib\n"
        "except ImportError:\n"
        f'    %pip install -q "optlib[notebook] @ git+{url}"'
    )


def text_outputs(cell):
    for out in cell.get("outputs", []):
        if out.output_type == "stream":
            yield out.text
        elif "text/plain" in out.get("data", {}) and WIDGET_VIEW not in out["data"]:
            yield out["data"]["text/plain"]  # e.g. the code optlib.display.source shows


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_chapter_starts_with_the_setup_cell(path):
    first = nbformat.read(path, as_version=4).cells[0]
    assert first.cell_type == "code" and first.source == setup_source()
    assert {"remove-cell", "notebook-setup"} <= set(first.metadata.get("tags", []))
    assert not first.outputs


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_code_and_printed_output_fit_the_page(path):
    wide = []
    for index, cell in enumerate(nbformat.read(path, as_version=4).cells):
        if cell.cell_type != "code" or "remove-cell" in cell.metadata.get("tags", []):
            continue  # a removed cell (the setup cell) is not on the page
        for kind, text in [("code", cell.source)] + [("output", t) for t in text_outputs(cell)]:
            wide += [f"cell {index} {kind}: {line!r}" for line in text.splitlines() if len(line) > WIDTH]
    assert not wide, f"{len(wide)} line(s) over {WIDTH} characters:\n" + "\n".join(wide)


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_what_a_cell_prints_is_one_block_on_the_page(path):
    # A glue() between two prints splits a table into two boxes on the site:
    # chapters glue after printing (chapters/README.md, "Numbers in the prose").
    split = [index for index, cell in enumerate(nbformat.read(path, as_version=4).cells)
             if cell.cell_type == "code"
             and sum(out.output_type == "stream" and out.name == "stdout" for out in cell.outputs) > 1]
    assert not split, f"cells {split} print in several pieces, separated by other outputs"


def test_the_setup_cell_does_nothing_where_optlib_is_installed():
    from IPython.core.inputtransformer2 import TransformerManager

    code = TransformerManager().transform_cell(setup_source())
    namespace = {"get_ipython": lambda: pytest.fail("the setup cell tried to install optlib")}
    exec(compile(code, "setup", "exec"), namespace)
    assert namespace["optlib"].__name__ == "optlib"
