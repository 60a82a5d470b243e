"""How long the book's own chores take, and how fast the live playground responds.

Prints one table:

- each chapter's execution time, executed by tools/execute_notebooks.py into
  a temporary copy (the chapter itself is not touched; the kernel still runs
  in chapters/ so relative paths resolve as in `make notebooks`);
- the time of the nbval run over all chapters (`pytest chapters/`, strict
  nbval from pyproject.toml), in a subprocess;
- the time of a site build (`jupyter-book build -W -n --keep-going`) into a
  temporary folder, so _build/ is not touched;
- the latency of one playground slider move in a live kernel: a kernel of
  this Python runs ``pg = optlib.widgets.Playground()`` and then sets
  ``pg.lr.value`` to 40 learning rates, timing each assignment with
  time.perf_counter inside the kernel (the observer re-runs the optimizer and
  redraws synchronously). Median and 90th percentile; target: median <= 50 ms.
  The same for a playground of two optimizers with two knobs (GD and
  momentum, a shared learning-rate slider and a momentum slider for momentum
  only), moving the two sliders in turn: two paths per frame.

Run: .venv/bin/python bench/bench_book.py   (or `make bench`, which also runs
bench/bench_torch_adapter.py). Needs _assets/ (`make assets`) for the site build.

``--chapters-only --save bench/notebook_times.json`` times only the chapters
(each executed twice, the smaller time kept) and saves them with a
description of the machine: the run times the instructor's guide quotes
(tools/make_guide.py reads that file).
"""

import argparse
import importlib.util
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))
SLIDER_MOVES = 40
TARGET_MS = 50.0

_spec = importlib.util.spec_from_file_location("execute_notebooks", ROOT / "tools" / "execute_notebooks.py")
execute_notebooks = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(execute_notebooks)


def timed(fn, *args, **kwargs):
    t0 = time.perf_counter()
    result = fn(*args, **kwargs)
    return time.perf_counter() - t0, result


def execute_copies(tmp, times=None):
    rows = []
    for path in CHAPTERS:
        copy = tmp / path.name
        copy.write_bytes(path.read_bytes())
        try:
            seconds, nb = timed(execute_notebooks.execute, copy, cwd=path.parent)
            nbformat.write(nb, copy)
            status = ""
            if times is not None:
                times[path.name] = min(seconds, times.get(path.name, seconds))
        except Exception as err:  # report and go on: the other rows still mean something
            seconds, status = float("nan"), f"FAILED: {type(err).__name__}"
        rows.append((f"execute {path.relative_to(ROOT)}", f"{seconds:.1f} s", status))
    return rows


def nbval_run():
    seconds, run = timed(
        subprocess.run, [sys.executable, "-m", "pytest", "-q", "chapters"], cwd=ROOT, capture_output=True, text=True
    )
    summary = run.stdout.strip().splitlines()[-1] if run.stdout.strip() else run.stderr.strip()[-200:]
    return ("nbval, all chapters (pytest chapters/)", f"{seconds:.1f} s", summary if run.returncode else "passed")


def site_build(tmp):
    jb = Path(sys.executable).parent / "jupyter-book"
    seconds, run = timed(
        subprocess.run,
        [str(jb), "build", str(ROOT), "--path-output", str(tmp), "-W", "-n", "--keep-going"],
        cwd=ROOT, capture_output=True, text=True,
    )
    return ("site build (jupyter-book -W -n, into a temp folder)", f"{seconds:.1f} s", "ok" if run.returncode == 0 else "FAILED")


KERNEL_CODE = f"""
import json, time
import numpy as np
import optlib
from optlib.widgets import Knob, Playground

def timed_moves(moves):
    times = []
    for slider, value in moves:
        t0 = time.perf_counter()
        slider.value = float(value)
        times.append(time.perf_counter() - t0)
    return times

rng = np.random.default_rng(0)
# 40 learning rates across the slider's range, in a shuffled (fixed) order, as a drag would not be monotone
lrs = rng.permutation(np.geomspace(2e-3, 0.9, {SLIDER_MOVES}))
pg = Playground()
one = timed_moves([(pg.lr, lr) for lr in lrs])
# GD and momentum side by side: the two sliders in turn (two paths redrawn per move)
rules = {{"GD": optlib.sgd(lr=0.1), "momentum": optlib.sgd(lr=0.1, momentum=0.9)}}
knobs = [Knob("lr", 1e-3, 1.0, log=True), Knob("momentum", 0.0, 0.99, rules=["momentum"])]
pg2 = Playground(rules, knobs, x0=(-4.0, -1.5), steps=30)
betas = rng.permutation(np.linspace(0.0, 0.98, {SLIDER_MOVES}))
two = timed_moves([(pg2.slider("lr"), lr) if i % 2 else (pg2.slider("momentum"), beta)
                   for i, (lr, beta) in enumerate(zip(lrs, betas))])
print(json.dumps({{"one": one, "two": two}}))
"""


def slider_latency():
    from jupyter_client.manager import KernelManager

    sockets = tempfile.TemporaryDirectory(prefix="bench-kernel-")
    km = KernelManager(kernel_name="python3")
    if os.name == "posix":  # Unix sockets, as tools/execute_notebooks.py (no unencrypted-TCP warning)
        km.transport, km.ip = "ipc", os.path.join(sockets.name, "kernel")
    km.start_kernel(cwd=str(ROOT / "chapters"))
    kc = km.client()
    kc.start_channels()
    out = []
    try:
        kc.wait_for_ready(timeout=60)

        def hook(msg):
            if msg["msg_type"] == "stream" and msg["content"]["name"] == "stdout":
                out.append(msg["content"]["text"])
            elif msg["msg_type"] == "error":
                out.append("ERROR " + msg["content"]["ename"] + ": " + msg["content"]["evalue"])

        reply = kc.execute_interactive(KERNEL_CODE, output_hook=hook, timeout=300)
        if reply["content"]["status"] != "ok":
            raise RuntimeError("".join(out))
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
        sockets.cleanup()
    rows = []
    for key, what in (("one", "playground slider move"), ("two", "GD + momentum playground (2 knobs) slider move")):
        times_ms = [1000 * t for t in json.loads("".join(out))[key]]
        median = statistics.median(times_ms)
        p90 = statistics.quantiles(times_ms, n=10)[-1]
        verdict = "ok" if median <= TARGET_MS else "ABOVE TARGET"
        rows += [
            (f"{what}, median of {len(times_ms)} (live kernel)", f"{median:.1f} ms", f"target <= {TARGET_MS:g} ms: {verdict}"),
            (f"{what}, 90th percentile", f"{p90:.1f} ms", ""),
        ]
    return rows


def cpu_name():
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def save_chapter_times(path):
    times = {}
    with tempfile.TemporaryDirectory(prefix="bench-book-") as tmp:
        for _ in range(2):
            rows = execute_copies(Path(tmp), times)
    machine = {"cpu": cpu_name(), "cores": os.cpu_count(), "python": platform.python_version()}
    Path(path).write_text(json.dumps({"machine": machine, "seconds": {k: round(v, 1) for k, v in times.items()}},
                                     indent=2) + "\n")
    for what, t, note in rows:
        print(f"{what}  {t}  {note}".rstrip())
    print(f"saved to {path}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chapters-only", action="store_true", help="time only the chapters' execution")
    parser.add_argument("--save", help="with --chapters-only: write the times to this JSON file")
    args = parser.parse_args()
    if args.chapters_only:
        if not args.save:
            parser.error("--chapters-only needs --save FILE")
        save_chapter_times(args.save)
        return
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-book-") as tmp:
        tmp = Path(tmp)
        (tmp / "nb").mkdir()
        rows += execute_copies(tmp / "nb")
        rows.append(nbval_run())
        rows.append(site_build(tmp / "site"))
    rows += slider_latency()
    widths = [max(len(r[i]) for r in rows + [("what", "time", "")]) for i in range(2)]
    print(f"{'what':<{widths[0]}}  {'time':>{widths[1]}}  note")
    print(f"{'-' * widths[0]}  {'-' * widths[1]}  ----")
    for what, t, note in rows:
        print(f"{what:<{widths[0]}}  {t:>{widths[1]}}  {note}".rstrip())


if __name__ == "__main__":
    main()
