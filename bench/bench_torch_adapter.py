"""Step time of optlib.TorchOptimizer, eager and compiled, against torch.optim.

10 tensors of 200,000 float32 parameters, random gradients, on the CPU.
Five ways to take the same step are timed for each optimizer:

- torch.optim's for-loop implementation (``foreach=False``), the one torch's
  own tests treat as ground truth and the reference for the ratios below;
- torch.optim's ``foreach`` (multi-tensor) implementation;
- torch.optim's ``fused`` kernel, where torch has one for the CPU;
- ``optlib.TorchOptimizer(params, rule)``: the pure rule, eager;
- ``optlib.TorchOptimizer(params, rule, compile=True)``: the same rule's
  per-parameter step compiled by torch.compile into one loop that writes
  params and state in place. Target: at most 1.0x the for-loop.

All of an optimizer's variants are timed in alternating rounds (so a busy
machine slows them alike), and each reports its median step time. The
compile column is the extra time of the first three steps of the compiled
optimizer over three ordinary steps: torch.compile compiles on the first
step and once more on the second, when it sees the step count change. It is
measured with an empty compile cache (a fresh TORCHINDUCTOR_CACHE_DIR), as
a reader's first run would see it.

Why the eager path is slower: optlib's rules are pure, so every line
allocates a new tensor where torch.optim updates its buffers in place. On
glibc, the freed 800 KB temporaries are returned to the OS after each step
and faulted back in on the next, and those page faults cost more than the
arithmetic. The script therefore runs twice: with the default allocator,
and with glibc told to keep freed memory (MALLOC_MMAP_THRESHOLD_ /
MALLOC_TRIM_THRESHOLD_), which is what a long training run would want anyway.

Run: .venv/bin/python bench/bench_torch_adapter.py   (or `make bench`)
"""
import os
import statistics
import subprocess
import sys
import tempfile
import time

COLD_CACHE = "TORCHINDUCTOR_CACHE_DIR" not in os.environ
if COLD_CACHE:  # the compile cost a reader pays once; the second run below reuses this cache
    os.environ["TORCHINDUCTOR_CACHE_DIR"] = tempfile.mkdtemp(prefix="optlib-bench-inductor-")

import torch  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests"))
import optlib  # noqa: E402
from cases import Case  # noqa: E402

N_TENSORS, SIZE, WARMUP, REPEATS, STEPS_PER_ROUND = 10, 200_000, 5, 30, 5
CONFIGS = [
    Case("sgd", {"lr": 0.01}, "plain"),
    Case("sgd", {"lr": 0.01, "momentum": 0.9}, "momentum"),
    Case("adagrad", {}, "defaults"),
    Case("rmsprop", {}, "defaults"),
    Case("adadelta", {}, "defaults"),
    Case("adam", {}, "defaults"),
    Case("adamw", {}, "defaults"),
    Case("adamax", {}, "defaults"),
    Case("nadam", {}, "defaults"),
]
VARIANTS = ["for-loop", "foreach", "fused", "eager", "compiled"]
KEEP_FREED_MEMORY = {"MALLOC_MMAP_THRESHOLD_": str(32 * 2**20), "MALLOC_TRIM_THRESHOLD_": str(256 * 2**20)}


def make(case, variant, params):
    if variant == "for-loop":
        return case.torch(params)
    if variant in ("foreach", "fused"):
        kw = {**case.kwargs}
        if "beta1" in kw or case.name in ("adam", "adamw", "adamax", "nadam"):
            defaults = case.optlib().hyperparams
            kw["betas"] = (kw.pop("beta1", defaults["beta1"]), kw.pop("beta2", defaults["beta2"]))
        kw.setdefault("lr", case.optlib().hyperparams["lr"])
        return type(case.torch([torch.zeros(1, requires_grad=True)]))(params, **{variant: True}, **kw)
    return optlib.TorchOptimizer(params, case.optlib(), compile=variant == "compiled")


def setup(case, variant):
    """The optimizer after WARMUP steps, and the time of its first three steps (or None)."""
    g = torch.Generator().manual_seed(0)
    params = [torch.randn(SIZE, generator=g).requires_grad_() for _ in range(N_TENSORS)]
    for p in params:
        p.grad = torch.randn(SIZE, generator=g)
    try:
        opt = make(case, variant, params)
        t0 = time.perf_counter()
        for _ in range(3):
            opt.step()
        first3 = time.perf_counter() - t0
    except (RuntimeError, ValueError, TypeError):  # e.g. no fused kernel for this optimizer on the CPU
        return None, None
    for _ in range(WARMUP - 3):
        opt.step()
    return opt, first3


def median_step_ms(opts):
    live = {v: o for v, o in opts.items() if o is not None}
    times = {v: [] for v in live}
    for _ in range(REPEATS):
        for variant, opt in live.items():
            t0 = time.perf_counter()
            for _ in range(STEPS_PER_ROUND):
                opt.step()
            times[variant].append((time.perf_counter() - t0) / STEPS_PER_ROUND)
    return {v: 1e3 * statistics.median(ts) for v, ts in times.items()}


def main():
    torch.manual_seed(0)
    tuned = all(os.environ.get(k) == v for k, v in KEEP_FREED_MEMORY.items())
    allocator = "glibc keeping freed memory" if tuned else "default allocator"
    cache = "cold" if COLD_CACHE else "warm"
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, {N_TENSORS} x {SIZE:,} float32 params, "
          f"{allocator}, {cache} compile cache")
    print("step time in ms (ratio to torch.optim's for-loop step)")
    head = "".join(f"{v:>16}" for v in VARIANTS)
    print(f"{'optimizer':<18}{head}{'compile (s)':>13}{'compiled/foreach':>18}{'compiled/fused':>16}")
    worst = 0.0
    for case in CONFIGS:
        built = {v: setup(case, v) for v in VARIANTS}
        ms = median_step_ms({v: opt for v, (opt, _) in built.items()})
        ref = ms["for-loop"]
        cells = "".join(
            f"{ms[v]:>9.3f} ({ms[v] / ref:>4.2f})" if v in ms else f"{'-':>16}" for v in VARIANTS
        )
        compile_s = built["compiled"][1] - 3e-3 * ms["compiled"]
        worst = max(worst, ms["compiled"] / ref)
        vs = {v: f"{ms['compiled'] / ms[v]:.2f}" if v in ms else "-" for v in ("foreach", "fused")}
        print(f"{case.id:<18}{cells}{compile_s:>13.1f}{vs['foreach']:>18}{vs['fused']:>16}")
    print(f"worst compiled / for-loop: {worst:.2f} (target <= 1.0)")
    if not tuned:
        print()
        sys.stdout.flush()
        subprocess.run([sys.executable, __file__], env={**os.environ, **KEEP_FREED_MEMORY}, check=True)


if __name__ == "__main__":
    main()
