"""Running the same random trajectory through torch.optim and through optlib.

float64, nested params (a dict holding a matrix, a list of a vector and a
dict, and a 0-d scalar), 25 steps of random gradients whose scale changes
from step to step (so AMSGrad's max and Adamax's max actually switch).
A "case" is anything with ``.torch(params, **extra)`` returning a
torch.optim optimizer and ``.optlib(**extra)`` returning an optlib rule.
"""
import numpy as np
import torch

import optlib

STEPS = 25
RTOL = 1e-10

# Paths into a nested params tree, and their shapes: a dict holding a
# matrix, a list (of a vector and a dict) and a 0-d scalar.
SHAPES = {("w",): (3, 4), ("layers", 0): (5,), ("layers", 1, "b"): (2, 2), ("c",): ()}


def nested(values):
    """Build the nested tree {"w", "layers": [v, {"b"}], "c"} from a path->array dict."""
    return {"w": values[("w",)], "layers": [values[("layers", 0)], {"b": values[("layers", 1, "b")]}], "c": values[("c",)]}


def get(tree, path):
    for key in path:
        tree = tree[key]
    return tree


def random_run(seed=0):
    rng = np.random.default_rng(seed)
    x0 = {p: rng.normal(size=s) for p, s in SHAPES.items()}
    grads = [{p: rng.normal(size=s) * 10 ** rng.uniform(-2, 1) for p, s in SHAPES.items()} for _ in range(STEPS)]
    return x0, grads


def run_torch_optim(case, x0, grads, **extra):
    # torch keeps scalar state (NAdam's mu_product) in the default dtype:
    # float32 unless told otherwise. A float64 oracle must be float64 there too.
    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        return _run_torch_optim(case, x0, grads, **extra)
    finally:
        torch.set_default_dtype(previous)


def _run_torch_optim(case, x0, grads, **extra):
    tensors = {p: torch.tensor(v, dtype=torch.float64, requires_grad=True) for p, v in x0.items()}
    opt = case.torch(list(tensors.values()), **extra)
    trace = []
    for g in grads:
        for p, t in tensors.items():
            t.grad = torch.tensor(g[p], dtype=torch.float64)
        opt.step()
        trace.append({p: t.detach().numpy().copy() for p, t in tensors.items()})
    return trace, opt, tensors


def run_optlib(case, x0, grads, backend, **extra):
    convert = (lambda a: torch.tensor(a, dtype=torch.float64)) if backend == "torch" else np.asarray
    params = nested({p: convert(v) for p, v in x0.items()})
    opt = case.optlib(**extra)
    state = opt.init(params)
    trace = []
    for g in grads:
        updates, state = opt.update(nested({p: convert(v) for p, v in g.items()}), state, params)
        params = optlib.apply_updates(params, updates)
        trace.append({p: np.asarray(get(params, p)) for p in SHAPES})
    return trace, state
