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
from oracle import RTOL, SHAPES, STEPS, get, nested, random_run, run_optlib, run_torch_optim


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
    """On a convex quadratic the loss falls (torch's own sanity test).

    With maximize=True the rule climbs the concave -f instead, so f falls too.
    """
    sign = -1.0 if case.kwargs.get("maximize") else 1.0
    A = np.diag([1.0, 3.0])
    x = np.array([1.0, -1.5])
    loss = lambda x: 0.5 * x @ A @ x
    opt = case.optlib(**({"lr": 0.05} if case.name != "adadelta" else {}))
    state = opt.init(x)
    start = loss(x)
    for _ in range(200):
        updates, state = opt.update(sign * (A @ x), state, x)
        x = optlib.apply_updates(x, updates)
    assert loss(x) < start
