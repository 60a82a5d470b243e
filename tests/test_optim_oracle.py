"""Every optimizer and option against torch.optim's for-loop implementation.

float64, nested params, 25 steps of random gradients whose scale changes
from step to step (so AMSGrad's max and Adamax's max actually switch), at
the default eps and at eps=0.1 (at the default, eps inside or outside the
square root differ by < 1e-9, so only a large eps pins where it goes).
optlib runs both on NumPy arrays and on torch tensors.
"""
import numpy as np
import pytest
import torch

import optlib
from cases import CASES, OPTIONS, STATE

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


def eps_variants():
    for case in CASES:
        yield pytest.param(case, {}, id=case.id)
        if case.has_eps:
            yield pytest.param(case, {"eps": 0.1}, id=case.id + "-eps0.1")


@pytest.mark.parametrize("backend", ["numpy", "torch"])
@pytest.mark.parametrize("case, extra", list(eps_variants()))
def test_matches_torch_optim(case, extra, backend):
    x0, grads = random_run()
    expected, torch_opt, tensors = run_torch_optim(case, x0, grads, **extra)
    got, state = run_optlib(case, x0, grads, backend, **extra)
    for step, (e, g) in enumerate(zip(expected, got), start=1):
        for p in SHAPES:
            np.testing.assert_allclose(g[p], e[p], rtol=RTOL, atol=1e-13, err_msg=f"{case.id} step {step} at {p}")
    # The state, too: optlib's field names mapped to torch's state keys.
    assert state.count == STEPS
    for field, key in STATE[case.name].items():
        ours = getattr(state, field)
        theirs = [torch_opt.state[t].get(key) for t in tensors.values()]
        if ours is None:
            assert all(x is None for x in theirs) or key == "momentum_buffer", (field, theirs)
            continue
        if np.isscalar(ours):  # NAdam's mu_product is a number in optlib
            np.testing.assert_allclose(ours, float(theirs[0]), rtol=RTOL)
            continue
        for p, t in zip(SHAPES, theirs):
            np.testing.assert_allclose(np.asarray(get(ours, p)), t.numpy(), rtol=RTOL, atol=1e-13, err_msg=f"{field} at {p}")


def test_the_table_covers_every_optimizer_and_option():
    """A case must set each hyperparameter to a non-default value."""
    for name, options in OPTIONS.items():
        defaults = optlib.OPTIMIZERS[name]().hyperparams
        varied = {k for c in CASES if c.name == name for k, v in c.kwargs.items() if v != defaults[k]}
        if "eps" in options:
            varied.add("eps")  # every case with eps also runs at eps=0.1
        assert varied == options, f"{name}: no case varies {sorted(options - varied)}"


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_float32_in_float32_out(case):
    x0, grads = random_run(seed=1)
    params = nested({p: v.astype(np.float32) for p, v in x0.items()})
    opt = case.optlib()
    state = opt.init(params)
    for g in grads[:3]:
        updates, state = opt.update(nested({p: v.astype(np.float32) for p, v in g.items()}), state, params)
        params = optlib.apply_updates(params, updates)
    for p in SHAPES:
        assert get(updates, p).dtype == np.float32, p
        assert get(params, p).dtype == np.float32, p
    tparams = {"a": torch.ones(3, dtype=torch.float32)}
    tupdates, _ = opt.update({"a": torch.ones(3)}, opt.init(tparams), tparams)
    assert tupdates["a"].dtype == torch.float32


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_goes_right_direction(case):
    """On a convex quadratic the loss falls (torch's own sanity test)."""
    A = np.diag([1.0, 3.0])
    x = np.array([1.0, -1.5])
    loss = lambda x: 0.5 * x @ A @ x
    opt = case.optlib(**({"lr": 0.05} if case.name != "adadelta" else {}))
    state = opt.init(x)
    start = loss(x)
    for _ in range(200):
        updates, state = opt.update(A @ x, state, x)
        x = optlib.apply_updates(x, updates)
    assert loss(x) < start
