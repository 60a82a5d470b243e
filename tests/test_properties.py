"""Property-based tests (hypothesis): purity, backends, invariances, and
parity with torch.optim at hyperparameters drawn at random."""
import copy

import numpy as np
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import optlib
from cases import CASES, STATE  # noqa: F401  (STATE documents the mapping)

FAST = settings(max_examples=25, deadline=None, derandomize=True)

unit = st.floats(0.0, 0.999)
positive = st.floats(1e-4, 1.0)


@st.composite
def configs(draw):
    """A random optimizer with random valid hyperparameters."""
    name = draw(st.sampled_from(sorted(optlib.OPTIMIZERS)))
    kw = {"lr": draw(positive)}
    hp = optlib.OPTIMIZERS[name]().hyperparams
    for arg in hp:
        if arg in ("beta1", "beta2", "alpha", "rho", "momentum"):
            kw[arg] = draw(unit)
        elif arg == "eps":  # eps = 0 allows 0/0 on a zero gradient
            kw[arg] = draw(st.floats(1e-8, 0.5))
        elif arg in ("weight_decay", "momentum_decay"):
            kw[arg] = draw(st.floats(0.0, 0.5))
        elif arg in ("amsgrad", "centered", "nesterov"):
            kw[arg] = draw(st.booleans())
    if kw.get("nesterov") and kw.get("momentum", 0) == 0:
        kw["nesterov"] = False
    if kw.get("centered"):
        # Centered RMSprop estimates the variance as v - g_avg^2. With alpha
        # near 0 both averages are the last gradient, so that is g^2 - g^2: 0
        # in exact arithmetic, a rounding residue in floating point, and torch
        # takes the square root of it (NaN when the residue is negative). Such a
        # comparison measures rounding, not the rule; the exact alpha = 0 case
        # is checked against its closed form in test_centered_rmsprop_alpha_zero.
        kw["alpha"] = draw(st.floats(0.01, 0.999))
    return name, kw


finite = st.floats(-10, 10, allow_nan=False)
vectors = arrays(np.float64, st.integers(1, 4), elements=finite)


@FAST
@given(configs(), st.lists(vectors, min_size=1, max_size=1), st.data())
def test_pure_and_deterministic(config, shapes, data):
    name, kw = config
    shape = shapes[0].shape
    params = {"a": data.draw(arrays(np.float64, shape, elements=finite)), "b": [data.draw(arrays(np.float64, shape, elements=finite))]}
    grads = {"a": data.draw(arrays(np.float64, shape, elements=finite)), "b": [data.draw(arrays(np.float64, shape, elements=finite))]}
    opt = optlib.OPTIMIZERS[name](**kw)
    state = opt.init(params)
    before = copy.deepcopy((params, grads, state))
    out1 = opt.update(grads, state, params)
    out2 = opt.update(grads, state, params)
    new_params = optlib.apply_updates(params, out1[0])
    np.testing.assert_equal(before, (params, grads, state))  # nothing mutated
    np.testing.assert_equal(out1, out2)  # same inputs, same outputs
    assert new_params["a"] is not params["a"]


@FAST
@given(configs(), st.integers(0, 2**32 - 1))
def test_matches_torch_optim_at_random_hyperparameters(config, seed):
    name, kw = config
    rng = np.random.default_rng(seed)
    x = rng.normal(size=3)
    grads = rng.normal(size=(8, 3))
    torch_kw = dict(kw)
    if "beta1" in torch_kw:
        torch_kw["betas"] = (torch_kw.pop("beta1"), torch_kw.pop("beta2"))
    torch.set_default_dtype(torch.float64)
    try:
        p = torch.tensor(x, requires_grad=True)
        ref = {c.name: c for c in CASES}[name]
        ref_opt = type(ref.torch([torch.zeros(1, requires_grad=True)]))([p], foreach=False, **torch_kw)
        opt = optlib.OPTIMIZERS[name](**kw)
        state = opt.init(x)
        for g in grads:
            p.grad = torch.tensor(g)
            ref_opt.step()
            updates, state = opt.update(g, state, x)
            x = optlib.apply_updates(x, updates)
            np.testing.assert_allclose(x, p.detach().numpy(), rtol=1e-9, atol=1e-12)
    finally:
        torch.set_default_dtype(torch.float32)


def test_centered_rmsprop_alpha_zero():
    # alpha = 0: v_t = g_t^2 and g_avg_t = g_t, so the centered variance is
    # exactly 0 and every update is -lr g / eps (torch gives NaN or rounding
    # noise here; see configs above).
    rng = np.random.default_rng(0)
    x, grads = rng.normal(size=3), rng.normal(size=(8, 3))
    opt = optlib.rmsprop(lr=0.7, alpha=0.0, eps=0.5, centered=True)
    state = opt.init(x)
    for g in grads:
        updates, state = opt.update(g, state, x)
        np.testing.assert_array_equal(updates, -0.7 * g / 0.5)
        x = optlib.apply_updates(x, updates)


@FAST
@given(configs(), st.integers(0, 2**32 - 1))
def test_numpy_and_torch_backends_agree(config, seed):
    name, kw = config
    rng = np.random.default_rng(seed)
    x = rng.normal(size=4)
    grads = rng.normal(size=(6, 4))
    opt = optlib.OPTIMIZERS[name](**kw)
    xn, sn = x, opt.init(x)
    xt, stt = torch.tensor(x), opt.init(torch.tensor(x))
    for g in grads:
        un, sn = opt.update(g, sn, xn)
        ut, stt = opt.update(torch.tensor(g), stt, xt)
        xn, xt = optlib.apply_updates(xn, un), optlib.apply_updates(xt, ut)
    assert isinstance(xt, torch.Tensor)
    np.testing.assert_allclose(xt.numpy(), xn, rtol=1e-9, atol=1e-12)


@FAST
@given(st.floats(1e-3, 1e3), st.integers(0, 2**32 - 1), st.sampled_from(["adam", "adamax", "nadam", "rmsprop", "adagrad"]))
def test_adaptive_methods_ignore_the_gradient_scale_when_eps_is_zero(scale, seed, name):
    """Dividing by a running size of g makes the step invariant to g -> c g (c > 0)."""
    rng = np.random.default_rng(seed)
    grads = rng.normal(size=(5, 3)) + 0.1
    opt = optlib.OPTIMIZERS[name](lr=0.01, eps=0.0)
    s1, s2 = opt.init(np.zeros(3)), opt.init(np.zeros(3))
    for g in grads:
        u1, s1 = opt.update(g, s1)
        u2, s2 = opt.update(scale * g, s2)
        np.testing.assert_allclose(u1, u2, rtol=1e-9)
