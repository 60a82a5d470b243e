"""The notebook-testing policy: what nbval checks, and what a chapter may exempt.

- nbval runs in strict mode with the project's own options (pyproject.toml,
  tools/nbval_sanitize.cfg): a changed printed number fails; a changed memory
  address or timing does not. Shown on small notebooks written to a temp
  folder and run by pytest in a subprocess.
- The chapters obey the exemption policy: `nbval-ignore-output` only on
  widget or timing cells, `nbval-skip` never; every code cell was executed,
  in order, without error, by `make notebooks` (no timing metadata).
- tools/execute_notebooks.py is deterministic: two runs give the same bytes,
  widget state is saved with stable model ids, and a failing cell fails the
  script without touching the file.
"""

import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))
EXECUTE = ROOT / "tools" / "execute_notebooks.py"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
TIMING = re.compile(r"\b(time|perf_counter|timeit|monotonic)\b")


def run_nbval(path):
    """Run the project's pytest configuration (strict nbval) on one notebook."""
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-c", str(ROOT / "pyproject.toml"), "--rootdir", str(ROOT), str(path)],
        cwd=ROOT, capture_output=True, text=True, check=False, timeout=300,
    )


def stdout_cell(source, text, count):
    cell = new_code_cell(source, execution_count=count)
    cell.outputs = [new_output("stream", name="stdout", text=text)]
    return cell


def result_cell(source, text, count):
    cell = new_code_cell(source, execution_count=count)
    cell.outputs = [new_output("execute_result", data={"text/plain": text}, execution_count=count)]
    return cell


def write(tmp_path, name, cells):
    path = tmp_path / name
    nbformat.write(new_notebook(cells=cells), path)
    return path


# ---- nbval, strict, with the project's sanitizers --------------------------

def test_correct_outputs_pass(tmp_path):
    path = write(tmp_path, "good.ipynb", [
        stdout_cell("print(round(0.1 + 0.2, 17))", "0.30000000000000004\n", 1),
        result_cell("2 ** 0.5", "1.4142135623730951", 2),
        # addresses and timings differ between runs; the sanitizer masks them
        result_cell("class A:\n    pass\nA()", "<__main__.A at 0x7f0000000000>", 3),
        stdout_cell("print('step took 12.3 ms, total 1.2 s')", "step took 99.9 ms, total 3.4 s\n", 4),
    ])
    run = run_nbval(path)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "4 passed" in run.stdout


@pytest.mark.parametrize(
    "cell",
    [
        stdout_cell("print(round(0.1 + 0.2, 17))", "0.30000000000000005\n", 1),  # last digit changed
        result_cell("2 ** 0.5", "1.4142135623730950", 1),
        stdout_cell("print(f'loss {1/3:.6f} after 30 steps')", "loss 0.333334 after 30 steps\n", 1),
    ],
    ids=["stream", "execute_result", "number-near-words"],
)
def test_a_changed_number_fails(tmp_path, cell):
    path = write(tmp_path, "bad.ipynb", [cell])
    run = run_nbval(path)
    assert run.returncode == 1, run.stdout + run.stderr
    assert "1 failed" in run.stdout
    assert "Cell outputs differ" in run.stdout


def test_sanitizer_masks_only_addresses_and_timings():
    from nbval.plugin import get_sanitize_patterns

    patterns = get_sanitize_patterns((ROOT / "tools" / "nbval_sanitize.cfg").read_text())

    def clean(s):
        for regex, replace in patterns:
            s = re.sub(regex, replace, s)
        return s

    assert clean("<Line2D at 0x7f3a2b10>") == "<Line2D at 0xADDRESS>"
    assert clean("took 12.3 ms, 350 µs, 2 ns, 1.2 s, 4.5e-05 s") == "took TIME, TIME, TIME, TIME, TIME"
    for kept in ["f = 1.2e-05", "after 30 steps", "lr = 0.5", "x = [0.25 1.5 ]", "rate 0.913 (predicted 0.913)",
                 "kappa = 20.0", "2.5x faster", "10 seconds", "η = 0.476: f = 3.2e-09"]:
        assert clean(kept) == kept


# ---- the exemption policy, on the real chapters ----------------------------

def _markers(cell):
    tags = set(cell.metadata.get("tags", []))
    for line in cell.source.splitlines():
        line = line.strip()
        if line.startswith("#"):
            tags.add(line.lstrip("#").strip().lower().replace("_", "-"))
    return tags


@pytest.mark.skipif(not CHAPTERS, reason="no chapters yet")
@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_chapter_follows_the_nbval_policy(path):
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code" and c.source.strip()]
    problems = []
    for cell in code:
        where = f"cell {cell.id} ({cell.source.splitlines()[0][:50]!r})"
        marks = _markers(cell)
        if "nbval-skip" in marks:
            problems.append(f"{where}: nbval-skip is not allowed (nbval must run every cell)")
        if marks & {"raises-exception", "nbval-raises-exception"}:
            problems.append(f"{where}: cells must not raise (show an error with try/except and print)")
        if "nbval-ignore-output" in marks:
            widget = any(WIDGET_VIEW in out.get("data", {}) for out in cell.outputs)
            if not (widget or TIMING.search(cell.source)):
                problems.append(f"{where}: nbval-ignore-output only on widget or timing cells")
        if cell.execution_count is None:
            problems.append(f"{where}: not executed (run `make notebooks`)")
        if any(out.output_type == "error" for out in cell.outputs):
            problems.append(f"{where}: has an error output")
        if "execution" in cell.metadata:
            problems.append(f"{where}: has timing metadata (run `make notebooks`, not `jupyter execute`)")
    counts = [c.execution_count for c in code]
    if None not in counts and counts != list(range(1, len(code) + 1)):
        problems.append(f"execution counts {counts} are not 1..{len(code)}: re-run with `make notebooks`")
    views = [out["data"][WIDGET_VIEW]["model_id"] for c in code for out in c.outputs if WIDGET_VIEW in out.get("data", {})]
    state = nb.metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    missing = [m for m in views if m not in state]
    if missing:
        problems.append(f"widget outputs without saved widget state (the static page cannot render them): {missing}")
    assert not problems, f"{path.name}:\n" + "\n".join(problems)


# ---- tools/execute_notebooks.py --------------------------------------------

def execute(*paths):
    return subprocess.run([sys.executable, str(EXECUTE), *map(str, paths)], cwd=ROOT,
                          capture_output=True, text=True, check=False, timeout=300)


def test_execute_is_deterministic_and_saves_widget_state(tmp_path):
    cells = [
        new_markdown_cell("# Title"),
        new_code_cell("import ipywidgets as w\nimport numpy as np\nrng = np.random.default_rng(0)\nprint(rng.normal())"),
        new_code_cell("s, t = w.IntSlider(value=3), w.IntText()\nlink = w.jslink((s, 'value'), (t, 'value'))\nw.VBox([s, t])"),
        new_code_cell("import os\nprint(os.path.basename(os.getcwd()))"),
    ]
    path = write(tmp_path, "nb.ipynb", cells)
    # a cell without an id (as in notebooks older than nbformat 4.5) gets a content-derived one
    raw = path.read_text().replace('"id": "' + cells[0].id + '",', "")
    path.write_text(raw)

    first = execute(path)
    assert first.returncode == 0, first.stderr
    assert "executed in" in first.stdout
    once = path.read_bytes()
    second = execute(path)
    assert second.returncode == 0, second.stderr
    assert path.read_bytes() == once, "a second run changed the notebook"

    nb = nbformat.read(path, as_version=4)
    assert all(c.id for c in nb.cells)
    assert nb.cells[1].outputs[0].text == "0.1257302210933933\n"
    assert nb.cells[3].outputs[0].text == tmp_path.name + "\n"  # the kernel runs in the notebook's folder
    assert nb.metadata.language_info["version"] == "3.11"
    assert nb.metadata.kernelspec["name"] == "python3"
    assert not any("execution" in c.metadata for c in nb.cells)
    state = nb.metadata.widgets[WIDGET_STATE]["state"]
    view = nb.cells[2].outputs[0]["data"][WIDGET_VIEW]["model_id"]
    assert view in state and state[view]["model_name"] == "VBoxModel"
    for ref in re.findall(r"IPY_MODEL_([0-9a-f]{32})", path.read_text()):
        assert ref in state


def test_execute_fails_on_a_cell_error_and_leaves_the_file(tmp_path):
    good = write(tmp_path, "a_good.ipynb", [new_code_cell("print(1)")])
    bad = write(tmp_path, "b_bad.ipynb", [new_code_cell("1 / 0")])
    before = bad.read_bytes()
    run = execute(good, bad)
    assert run.returncode != 0
    assert "ZeroDivisionError" in run.stderr
    assert bad.read_bytes() == before
    assert nbformat.read(good, as_version=4).cells[0].outputs[0].text == "1\n"
