"""Step time of optlib.TorchOptimizer against torch.optim's for-loop version.

10 tensors of 200,000 float32 parameters, random gradients. The two
optimizers are timed in alternating rounds (so a busy machine slows both
alike) and each reports its median step time. Prints one row per optimizer
and the ratio; the target is a ratio of at most 1.5.

Why optlib is slower: its rules are pure, so every line allocates a new
tensor where torch.optim updates its buffers in place (Adam: about 10
out-of-place operations against 7 in-place ones). On glibc, the freed 800 KB
temporaries are returned to the OS after each step and faulted back in on
the next, and those page faults cost more than the arithmetic. The script
therefore runs twice: with the default allocator, and with glibc told to
keep freed memory (MALLOC_MMAP_THRESHOLD_/MALLOC_TRIM_THRESHOLD_), which is
what a long training run would want anyway.

Run: .venv/bin/python bench/bench_torch_adapter.py   (or `make bench`)
"""
import os
import statistics
import subprocess
import sys
import time

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests"))
import optlib  # noqa: E402
from cases import Case  # noqa: E402

N_TENSORS, SIZE, WARMUP, REPEATS = 10, 200_000, 5, 30
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


def setup(make_opt):
    g = torch.Generator().manual_seed(0)
    params = [torch.randn(SIZE, generator=g).requires_grad_() for _ in range(N_TENSORS)]
    for p in params:
        p.grad = torch.randn(SIZE, generator=g)
    opt = make_opt(params)
    for _ in range(WARMUP):
        opt.step()
    return opt


def median_step_ms(*make_opts, rounds=REPEATS, steps_per_round=5):
    opts = [setup(m) for m in make_opts]
    times = [[] for _ in opts]
    for _ in range(rounds):
        for opt, ts in zip(opts, times):
            t0 = time.perf_counter()
            for _ in range(steps_per_round):
                opt.step()
            ts.append((time.perf_counter() - t0) / steps_per_round)
    return [1e3 * statistics.median(ts) for ts in times]


KEEP_FREED_MEMORY = {"MALLOC_MMAP_THRESHOLD_": str(32 * 2**20), "MALLOC_TRIM_THRESHOLD_": str(256 * 2**20)}


def main():
    torch.manual_seed(0)
    tuned = all(os.environ.get(k) == v for k, v in KEEP_FREED_MEMORY.items())
    allocator = "glibc keeping freed memory" if tuned else "default allocator"
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, {N_TENSORS} x {SIZE:,} float32 params, {allocator}")
    print(f"{'optimizer':<20}{'torch.optim (ms)':>18}{'optlib (ms)':>14}{'ratio':>8}")
    worst = 0.0
    for case in CONFIGS:
        ref, ours = median_step_ms(lambda ps: case.torch(ps), lambda ps: optlib.TorchOptimizer(ps, case.optlib()))
        worst = max(worst, ours / ref)
        print(f"{case.id:<20}{ref:>18.3f}{ours:>14.3f}{ours / ref:>8.2f}")
    print(f"worst ratio: {worst:.2f} (target <= 1.5)")
    if not tuned:
        print()
        sys.stdout.flush()
        subprocess.run([sys.executable, __file__], env={**os.environ, **KEEP_FREED_MEMORY}, check=True)


if __name__ == "__main__":
    main()
