"""Re-execute the chapter notebooks in place, deterministically.

    .venv/bin/python tools/execute_notebooks.py                 # every chapters/*.ipynb
    .venv/bin/python tools/execute_notebooks.py chapters/01_gradient_descent.ipynb
    make notebooks

Each notebook runs top to bottom in a fresh ``python3`` kernel of the Python
running this script (run it from .venv, and the kernel is .venv's), with the
notebook's own folder as working directory. The file is rewritten only if
every cell succeeds; a cell error prints the traceback, leaves that notebook
untouched and makes the script exit with status 1 (after trying the others).

What makes a re-run on another machine give the same file:

- no timestamps: nbclient runs with ``record_timing=False`` (no per-cell
  ``execution`` metadata) and nothing else records time;
- ``kernelspec`` and ``language_info`` are set to the fixed values below,
  whatever the kernel reports (its patch version, for instance);
- cell ids are kept; a cell without one (a notebook older than nbformat 4.5,
  or a hand-made one) gets an id derived from its content, never a random one;
- consecutive stream outputs of the same name (stdout split into chunks by
  the kernel's flushing) are merged into one, as Jupyter front ends show them;
- widget state is stored (``store_widget_state=True``): the static site
  renders the widgets from ``metadata.widgets``. Widget model ids are random
  uuid4s in the kernel; they are renamed to ids derived from the notebook's
  name and the order in which the widgets were created (deterministic for
  deterministic code), everywhere they occur (outputs, references between
  widgets, the saved state). Stale state from an earlier run is dropped.

Seeding random number generators is the notebook's job (the chapters do it
in their first code cells).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import sys
import tempfile
import time
import uuid
from pathlib import Path

import nbformat
from jupyter_client.kernelspec import KernelSpecManager
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
from traitlets.config import Config

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = ROOT / "chapters"
KERNEL_NAME = "python3"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"

KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": KERNEL_NAME}
LANGUAGE_INFO = {
    "codemirror_mode": {"name": "ipython", "version": 3},
    "file_extension": ".py",
    "mimetype": "text/x-python",
    "name": "python",
    "nbconvert_exporter": "python",
    "pygments_lexer": "ipython3",
    "version": "3.11",
}
# Namespace for the stable widget model ids (any fixed uuid would do).
WIDGET_ID_NAMESPACE = uuid.UUID("5d1c3d6e-2f0a-4b8e-9a51-0b7a1f0e6c42")
_HEX32 = re.compile(r"(?<![0-9a-f])[0-9a-f]{32}(?![0-9a-f])")


def check_kernel():
    """Fail early unless ``python3`` resolves to a kernel of this Python."""
    spec = KernelSpecManager().get_kernel_spec(KERNEL_NAME)
    # jupyter_client replaces a bare "python"/"python3" with sys.executable.
    if spec.argv[0] not in {"python", "python3", f"python{sys.version_info[0]}.{sys.version_info[1]}", sys.executable}:
        sys.exit(
            f"kernel {KERNEL_NAME!r} ({spec.resource_dir}) runs {spec.argv[0]}, not this Python "
            f"({sys.executable}); run this script with .venv/bin/python"
        )


def read(path):
    """Read a notebook, giving any cell without an id a content-derived one."""
    raw = json.loads(Path(path).read_text(encoding="utf-8"))
    if raw.get("nbformat") != 4:
        raise SystemExit(f"{path}: nbformat {raw.get('nbformat')} not supported (need 4)")
    if raw.get("nbformat_minor", 0) < 5:
        raw["nbformat_minor"] = 5
    seen = {c["id"] for c in raw["cells"] if c.get("id")}
    for cell in raw["cells"]:
        if not cell.get("id"):
            source = cell.get("source", "")
            source = "".join(source) if isinstance(source, list) else source
            base = hashlib.sha1(f"{cell['cell_type']}\n{source}".encode()).hexdigest()[:8]
            new, n = base, 1
            while new in seen:
                n += 1
                new = f"{base}-{n}"
            cell["id"] = new
            seen.add(new)
    nb = nbformat.reads(json.dumps(raw), as_version=4)
    nbformat.validate(nb)
    return nb


def merge_streams(outputs):
    """Merge consecutive stream outputs of the same name (stdout chunks)."""
    merged = []
    for out in outputs:
        if (
            out.get("output_type") == "stream"
            and merged
            and merged[-1].get("output_type") == "stream"
            and merged[-1]["name"] == out["name"]
        ):
            merged[-1]["text"] += out["text"]
        else:
            merged.append(out)
    return merged


def widget_view_ids(nb):
    ids = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            view = out.get("data", {}).get(WIDGET_VIEW)
            if view:
                ids.append(view["model_id"])
    return ids


def stabilise_widget_ids(nb, name):
    """Rename the random widget model ids to ones fixed by creation order."""
    state = nb.metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    # nbclient fills the state in the order the kernel opened the widgets' comms.
    mapping = {old: uuid.uuid5(WIDGET_ID_NAMESPACE, f"{name}:{i}").hex for i, old in enumerate(state)}
    if not mapping:
        return nb
    text = _HEX32.sub(lambda m: mapping.get(m.group(0), m.group(0)), json.dumps(nb))
    return nbformat.reads(text, as_version=4)


def execute(path, timeout=600, cwd=None):
    """Execute one notebook; return the executed notebook (not yet written).

    The kernel runs in ``cwd``, by default the notebook's folder.
    """
    nb = read(path)
    nb.metadata.pop("widgets", None)  # state from the last run; nbclient only sets it when there are widgets
    with tempfile.TemporaryDirectory(prefix="nbexec-") as sockets:
        config = Config()
        if os.name == "posix":
            # Talk to the kernel over Unix sockets in a private folder rather
            # than unencrypted TCP on localhost (which ipykernel warns about).
            config.KernelManager.transport = "ipc"
            config.KernelManager.ip = os.path.join(sockets, "kernel")
        client = NotebookClient(
            nb,
            timeout=timeout,
            kernel_name=KERNEL_NAME,
            record_timing=False,
            store_widget_state=True,
            resources={"metadata": {"path": str(Path(cwd or Path(path).resolve().parent))}},
            config=config,
        )
        client.execute()
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = merge_streams(cell.outputs)
            cell.metadata.pop("execution", None)
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    nb.metadata["language_info"] = json.loads(json.dumps(LANGUAGE_INFO))
    views = widget_view_ids(nb)
    if views:
        state = nb.metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
        missing = [m for m in views if m not in state]
        if missing:
            raise RuntimeError(f"{path}: widget outputs without saved state: {missing}")
    return stabilise_widget_ids(nb, Path(path).stem)


def _show(path):
    path = Path(path).resolve()
    return path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*", type=Path, help="notebooks (default: chapters/*.ipynb)")
    parser.add_argument("--timeout", type=int, default=600, help="seconds per cell (default 600)")
    args = parser.parse_args(argv)
    paths = args.paths or sorted(CHAPTERS.glob("*.ipynb"))
    if not paths:
        sys.exit(f"no notebooks in {CHAPTERS}")
    check_kernel()
    failed = []
    for path in paths:
        t0 = time.perf_counter()
        try:
            nb = execute(path, args.timeout)
        except Exception as err:  # a cell error, a timeout, a dead kernel: report, go on with the others
            failed.append(path)
            what = "" if isinstance(err, CellExecutionError) else f"{type(err).__name__}: "
            print(f"FAILED {_show(path)} after {time.perf_counter() - t0:.1f} s (left unchanged):\n{what}{err}", file=sys.stderr)
            continue
        tmp = Path(path).with_name(Path(path).name + ".tmp")
        nbformat.write(nb, tmp)
        os.replace(tmp, path)  # never leave a half-written notebook
        print(f"{_show(path)}: executed in {time.perf_counter() - t0:.1f} s", flush=True)
    if failed:
        sys.exit(f"{len(failed)} notebook(s) failed: " + ", ".join(map(str, failed)))


if __name__ == "__main__":
    main()
