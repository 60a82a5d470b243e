"""Objectives: hand-written gradients against torch autograd, and closed-form facts.

The oracle for every gradient is autograd applied to the objective's own
``value`` on a float64 tensor: the value formula and the derivative formula
are written separately, so a slip in either shows up as a mismatch.
"""
import dataclasses

import numpy as np
import pytest
import torch

from optlib.datasets import load_diabetes, load_digits
from optlib.objectives import (
    FiniteSum,
    Objective,
    beale,
    ill_conditioned,
    least_squares,
    logistic,
    nonconvex_1d,
    double_well,
    quadratic,
    quadratic_1d,
    rosenbrock,
    saddle,
    softmax_regression,
)

_rng = np.random.default_rng(0)
_X = _rng.normal(size=(40, 3))
_y_reg = _X @ np.array([1.0, -2.0, 0.5]) + 0.1 * _rng.normal(size=40)
_y_cls = (_X[:, 0] + 0.5 * _rng.normal(size=40) > 0).astype(float)
_W_multi = np.array([[1.0, 0.0, -1.0], [0.0, 1.0, 0.5], [0.5, -0.5, 0.0]])
_y_multi = np.argmax(_X @ _W_multi + _rng.normal(size=(40, 3)), axis=-1)  # labels 0, 1, 2


def _spd(d, eigenvalues, seed):
    """A symmetric matrix with the given eigenvalues and a random eigenbasis."""
    q, _ = np.linalg.qr(np.random.default_rng(seed).normal(size=(d, d)))
    return q @ np.diag(eigenvalues) @ q.T


# One table of cases drives every generic test below.
OBJECTIVES = {
    "quadratic_1d": quadratic_1d(),
    "quadratic_1d(a=3)": quadratic_1d(3.0),
    "nonconvex_1d": nonconvex_1d(),
    "double_well": double_well(),
    "double_well(tilt=-0.5)": double_well(-0.5),
    "quadratic": quadratic(_spd(3, [0.5, 2.0, 7.0], seed=1), b=[1.0, -1.0, 2.0], c=3.0),
    "quadratic-indefinite": quadratic(_spd(2, [-1.0, 3.0], seed=2), b=[0.5, 0.5]),
    "ill_conditioned": ill_conditioned(),
    "saddle": saddle(),
    "rosenbrock": rosenbrock(),
    "rosenbrock(a=2,b=5)": rosenbrock(a=2.0, b=5.0),
    "beale": beale(),
    "least_squares": least_squares(_X, _y_reg),
    "logistic": logistic(_X, _y_cls),
    "logistic(l2=0.1)": logistic(_X, _y_cls, l2=0.1),
    "least_squares(l2=0.5)": least_squares(_X, _y_reg, l2=0.5),
    "softmax_regression": softmax_regression(_X, _y_multi),
    "softmax_regression(K=4,l2=0.1)": softmax_regression(_X, _y_multi, num_classes=4, l2=0.1),
}
CASES = pytest.mark.parametrize("f", OBJECTIVES.values(), ids=OBJECTIVES.keys())
WITH_MINIMIZER = {k: f for k, f in OBJECTIVES.items() if f.minimizer is not None}


def _points(f, n=6, seed=0):
    """n seeded random points in f's plotting window (or N(0, 1) without one)."""
    rng = np.random.default_rng(seed)
    if f.bounds is None:
        return rng.normal(size=(n, f.dim))
    lo, hi = np.array(f.bounds, dtype=float).reshape(f.dim, 2).T
    return lo + (hi - lo) * rng.random(size=(n, f.dim))


def _autograd(f, x):
    t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    value = f.value(t)
    value.backward()
    return value.item(), t.grad.numpy()


# ------------------------------------------------------------ generic checks

@CASES
def test_grad_matches_torch_autograd(f):
    for x in _points(f):
        value, g_torch = _autograd(f, x)
        g = f.grad(x)
        assert g.shape == x.shape and g.dtype == np.float64
        scale = max(1.0, np.abs(g_torch).max())
        np.testing.assert_allclose(g, g_torch, rtol=1e-10, atol=1e-10 * scale)
        np.testing.assert_allclose(f.value(x), value, rtol=1e-12)


@CASES
def test_value_on_a_batch_equals_value_pointwise(f):
    pts = _points(f, n=12, seed=1)
    grid = pts.reshape(3, 4, f.dim)  # like a meshgrid stacked on the last axis
    batch = f.value(grid)
    assert batch.shape == (3, 4)
    expected = np.array([f.value(p) for p in pts]).reshape(3, 4)
    np.testing.assert_allclose(batch, expected, rtol=1e-13, atol=1e-13)
    grads = np.array([f.grad(p) for p in pts]).reshape(grid.shape)
    np.testing.assert_allclose(f.grad(grid), grads, rtol=1e-13, atol=1e-13)


@CASES
def test_interface(f):
    x = _points(f, n=1)[0]
    value, grad = f.value_and_grad(x)
    assert f(x) == value == f.value(x)
    np.testing.assert_array_equal(grad, f.grad(x))
    assert np.ndim(value) == 0
    assert isinstance(f.name, str) and f.name
    assert repr(f) == f"Objective({f.name!r}, dim={f.dim})"
    if f.dim == 1:
        lo, hi = f.bounds
        assert lo < hi
    elif f.dim == 2:
        (a, b), (c, d) = f.bounds
        assert a < b and c < d
    # grad of a tensor is computed in NumPy too
    np.testing.assert_array_equal(f.grad(torch.tensor(x, requires_grad=True)), grad)
    # a list and a Python int array work as well as a float array
    assert f(list(x)) == value
    assert f.value(np.zeros(f.dim, dtype=int)) == f.value(np.zeros(f.dim))


@CASES
def test_objective_is_immutable(f):
    with pytest.raises(dataclasses.FrozenInstanceError):
        f.name = "other"
    for arr in (f.minimizer, f.hessian):
        if arr is not None:
            with pytest.raises(ValueError):
                arr[0] = 1.0


@CASES
def test_wrong_shape_of_x_is_an_error(f):
    with pytest.raises(ValueError, match="x must have shape"):
        f.value(np.zeros(f.dim + 1))
    with pytest.raises(TypeError, match="x must hold real numbers"):
        f.value(np.array(["a"] * f.dim))


@pytest.mark.parametrize("f", WITH_MINIMIZER.values(), ids=WITH_MINIMIZER.keys())
def test_minimizer_is_a_stationary_point_with_value_min_value(f):
    x = f.minimizer
    assert x.shape == (f.dim,)
    np.testing.assert_allclose(f.grad(x), 0.0, atol=1e-10)
    assert f.value(x) == pytest.approx(f.min_value, rel=1e-12, abs=1e-12)
    # and no nearby point is lower (it is a minimum, not a saddle)
    rng = np.random.default_rng(3)
    for _ in range(50):
        assert f.value(x + 1e-3 * rng.normal(size=f.dim)) >= f.min_value - 1e-12


def test_no_minimizer_when_there_is_none():
    for name in ("nonconvex_1d", "quadratic-indefinite", "saddle", "logistic"):
        f = OBJECTIVES[name]
        assert f.minimizer is None and f.min_value is None
    # a 1-D parabola opening downwards has no minimum either
    assert quadratic_1d(-1.0).minimizer is None


@CASES
def test_value_works_on_float32_tensors(f):
    x = _points(f, n=1)[0]
    t = torch.tensor(x, dtype=torch.float32)
    assert f.value(t).dtype == torch.float32
    assert f.value(t).item() == pytest.approx(float(f.value(x)), rel=1e-5, abs=1e-5)


# ------------------------------------------------------------ closed-form facts

def test_quadratic_eigenvalues_and_minimizer():
    A = _spd(3, [0.5, 2.0, 7.0], seed=1)
    b = np.array([1.0, -1.0, 2.0])
    f = quadratic(A, b, c=3.0)
    np.testing.assert_allclose(f.eigenvalues, [0.5, 2.0, 7.0], rtol=1e-12)
    np.testing.assert_allclose(A @ f.minimizer, b, rtol=1e-12)
    np.testing.assert_array_equal(f.hessian, A)
    # value by the textbook formula, written out here independently
    x = np.array([0.3, -1.2, 2.0])
    assert f(x) == pytest.approx(0.5 * x @ A @ x - b @ x + 3.0, rel=1e-14)


def test_ill_conditioned_is_the_d2l_function():
    f = ill_conditioned()
    np.testing.assert_array_equal(f.eigenvalues, [0.2, 4.0])
    np.testing.assert_array_equal(f.hessian, np.diag([0.2, 4.0]))
    x = np.array([-5.0, -2.0])
    assert f(x) == pytest.approx(0.1 * 25 + 2 * 4)
    np.testing.assert_array_equal(f.grad(x), [0.2 * -5.0, 4 * -2.0])
    (x1lo, x1hi), (x2lo, x2hi) = f.bounds
    assert x1lo < -5 < 0 < x1hi and x2lo < -2 < 0 < x2hi  # start and minimum visible


def test_saddle():
    f = saddle()
    np.testing.assert_array_equal(f.eigenvalues, [-2.0, 2.0])
    np.testing.assert_array_equal(f.grad([0.0, 0.0]), [0.0, 0.0])
    assert f([1.0, 2.0]) == 1.0 - 4.0


@pytest.mark.parametrize("a, b", [(1.0, 100.0), (2.0, 5.0), (-0.5, 1.0)])
def test_rosenbrock_minimum_at_a_a_squared(a, b):
    f = rosenbrock(a, b)
    np.testing.assert_array_equal(f.minimizer, [a, a * a])
    assert f.min_value == 0.0 and f(f.minimizer) == 0.0
    np.testing.assert_array_equal(f.grad(f.minimizer), [0.0, 0.0])
    assert f([0.0, 0.0]) == a * a  # (a - 0)^2 + b (0 - 0)^2
    (x1lo, x1hi), (x2lo, x2hi) = f.bounds
    assert x1lo < a < x1hi and x2lo < a * a < x2hi


def test_beale_known_values():
    f = beale()
    assert f([3.0, 0.5]) == 0.0
    assert f([0.0, 0.0]) == 1.5**2 + 2.25**2 + 2.625**2  # 14.203125


def test_quadratic_1d_is_a_x_squared():
    f = quadratic_1d(3.0)
    assert f([2.0]) == 12.0 and f(2.0) == 12.0  # a plain number is accepted
    np.testing.assert_array_equal(f.grad([2.0]), [12.0])
    assert f.grad(2.0).shape == ()  # the gradient is shaped like x
    np.testing.assert_array_equal(f.eigenvalues, [6.0])  # f'' = 2a
    assert f.min_value == 0.0 and f.minimizer.tolist() == [0.0]


def _local_minima(f, n=200_001):
    """Local minima of a 1-D objective in its window, found numerically:
    sign changes of f' from - to +, refined by bisection."""
    xs = np.linspace(*f.bounds, n)
    g = f.grad(xs[:, None])[:, 0]
    minima = []
    for i in np.flatnonzero((g[:-1] < 0) & (g[1:] >= 0)):
        lo, hi = xs[i], xs[i + 1]
        for _ in range(60):
            mid = 0.5 * (lo + hi)
            lo, hi = (mid, hi) if f.grad([mid])[0] < 0 else (lo, mid)
        minima.append(0.5 * (lo + hi))
    return np.array(minima)


def test_nonconvex_1d_has_several_local_minima():
    f = nonconvex_1d()
    minima = _local_minima(f)
    assert len(minima) >= 2
    for m in minima:
        # the root of f' is a true local minimum of f: f'' > 0 (by autograd)
        t = torch.tensor([m], dtype=torch.float64, requires_grad=True)
        (g,) = torch.autograd.grad(f.value(t), t, create_graph=True)
        (h,) = torch.autograd.grad(g.sum(), t)
        assert abs(g.item()) < 1e-9 and h.item() > 0
    # the global minimum of the window is one of them, and lower than the rest
    grid = np.linspace(*f.bounds, 200_001)
    best = grid[np.argmin(f.value(grid[:, None]))]
    assert np.min(np.abs(minima - best)) < 1e-4
    assert f.value([best]) < max(f.value([m]) for m in minima)


def test_least_squares_matches_lstsq():
    f = OBJECTIVES["least_squares"]
    w, *_ = np.linalg.lstsq(_X, _y_reg)
    np.testing.assert_allclose(f.minimizer, w, rtol=1e-10)
    n = len(_y_reg)
    assert f.min_value == pytest.approx(np.sum((_X @ w - _y_reg) ** 2) / (2 * n), rel=1e-12)
    np.testing.assert_allclose(f.hessian, _X.T @ _X / n, rtol=1e-14)
    # rank-deficient X: many minimizers, so none is reported, but min_value is
    X = np.column_stack([_X[:, 0], 2 * _X[:, 0]])
    g = least_squares(X, _y_reg)
    assert g.minimizer is None and g.min_value > 0


def test_logistic_matches_torch_bce_with_logits():
    w = np.array([0.3, -0.7, 1.1])
    for l2 in (0.0, 0.1):
        f = logistic(_X, _y_cls, l2=l2)
        z = torch.tensor(_X @ w)
        expected = torch.nn.functional.binary_cross_entropy_with_logits(z, torch.tensor(_y_cls)).item()
        assert f(w) == pytest.approx(expected + 0.5 * l2 * w @ w, rel=1e-12)


def test_logistic_is_stable_for_huge_logits():
    f = logistic(1e4 * _X, _y_cls)  # logits ~ 1e4: exp would overflow
    w = np.array([1.0, -1.0, 1.0])
    value, grad = f.value_and_grad(w)  # filterwarnings=error: no overflow warning
    assert np.isfinite(value) and np.all(np.isfinite(grad))
    _, g_torch = _autograd(f, w)
    np.testing.assert_allclose(grad, g_torch, rtol=1e-10, atol=1e-10)


# ------------------------------------------------------------ bad input

@pytest.mark.parametrize(
    "args, error, match",
    [
        (([[1.0, 2.0, 3.0]],), ValueError, "A must be a square"),
        ((np.ones(3),), ValueError, "A must be a square"),
        (([[1.0, 2.0], [0.0, 1.0]],), ValueError, "A must be symmetric"),
        (([[1.0, np.nan], [np.nan, 1.0]],), ValueError, "A must be finite"),
        (([["a", "b"], ["c", "d"]],), TypeError, "A must hold real numbers"),
        ((np.eye(2, dtype=complex),), TypeError, "A must hold real numbers"),
        ((np.eye(2), [1.0, 2.0, 3.0]), ValueError, r"b must have shape \(2,\)"),
    ],
)
def test_quadratic_rejects_bad_input(args, error, match):
    with pytest.raises(error, match=match):
        quadratic(*args)


@pytest.mark.parametrize("make", [least_squares, logistic])
@pytest.mark.parametrize(
    "X, y, error, match",
    [
        (np.ones(5), np.zeros(5), ValueError, "X must be a non-empty 2-D"),
        (np.ones((0, 2)), np.zeros(0), ValueError, "X must be a non-empty 2-D"),
        (np.ones((5, 2)), np.zeros(4), ValueError, r"y must have shape \(5,\)"),
        (np.ones((5, 2)), np.zeros((5, 1)), ValueError, r"y must have shape \(5,\)"),
        (np.full((5, 2), "x"), np.zeros(5), TypeError, "X must hold real numbers"),
        (np.ones((5, 2)), np.array(["0"] * 5), TypeError, "y must hold real numbers"),
        (np.full((5, 2), np.inf), np.zeros(5), ValueError, "X must be finite"),
    ],
)
def test_data_objectives_reject_bad_input(make, X, y, error, match):
    with pytest.raises(error, match=match):
        make(X, y)


def test_logistic_rejects_bad_labels_and_penalty():
    with pytest.raises(ValueError, match="y must hold labels 0 and 1"):
        logistic(_X, 2 * _y_cls - 1)  # labels in {-1, 1}
    with pytest.raises(ValueError, match="l2 must be >= 0"):
        logistic(_X, _y_cls, l2=-0.1)
    assert logistic(_X, _y_cls.astype(bool)).dim == 3  # boolean labels are fine


def test_other_factories_reject_bad_input():
    with pytest.raises(ValueError, match="b must be > 0"):
        rosenbrock(b=0.0)
    with pytest.raises(TypeError, match="a must hold real numbers"):
        quadratic_1d("1")
    with pytest.raises(ValueError, match="dim must be a positive int"):
        Objective("f", 0, lambda x: x, lambda x: x)


# ------------------------------------------------------------ finite sums: the stochastic pieces
#
# The oracle: each loss written again here, from its docstring formula, in
# torch (f_i(w) per example, as torch's own losses where there is one), and
# differentiated by autograd; per-example gradients by torch.func (vmap of
# grad over examples). Nothing below calls optlib's value on a tensor.

def _torch_least_squares(l2):
    def losses(w, X, y):
        return 0.5 * (X @ w - y) ** 2 + 0.5 * l2 * (w * w).sum()

    return losses


def _torch_logistic(l2):
    def losses(w, X, y):
        bce = torch.nn.functional.binary_cross_entropy_with_logits(X @ w, y, reduction="none")
        return bce + 0.5 * l2 * (w * w).sum()

    return losses


def _torch_softmax(K, l2):
    def losses(theta, X, y):
        W = theta.reshape(X.shape[-1], K)  # row-major: theta[j K + k] = W[j, k]
        ce = torch.nn.functional.cross_entropy(X @ W, y.long(), reduction="none")
        return ce + 0.5 * l2 * (theta * theta).sum()

    return losses


def _with_intercept(X):
    return np.column_stack([np.ones(len(X)), X])


_diabetes = load_diabetes(standardize=True)
_digits = load_digits()
_X_diabetes = _with_intercept(_diabetes.X)
_X_digits = _with_intercept(_digits.X / 16.0)

# name: (objective, X, y, the loss per example written in torch, scale of the test points)
FINITE_SUMS = {
    "least_squares": (least_squares(_X, _y_reg), _X, _y_reg, _torch_least_squares(0.0), 1.0),
    "least_squares(l2=0.5)": (least_squares(_X, _y_reg, l2=0.5), _X, _y_reg, _torch_least_squares(0.5), 1.0),
    "logistic": (logistic(_X, _y_cls), _X, _y_cls, _torch_logistic(0.0), 1.0),
    "logistic(l2=0.1)": (logistic(_X, _y_cls, l2=0.1), _X, _y_cls, _torch_logistic(0.1), 1.0),
    "softmax": (softmax_regression(_X, _y_multi), _X, _y_multi, _torch_softmax(3, 0.0), 1.0),
    "softmax(K=4,l2=0.1)": (
        softmax_regression(_X, _y_multi, num_classes=4, l2=0.1), _X, _y_multi, _torch_softmax(4, 0.1), 1.0
    ),
    "diabetes least_squares": (
        least_squares(_X_diabetes, _diabetes.y), _X_diabetes, _diabetes.y, _torch_least_squares(0.0), 50.0
    ),
    "digits softmax(l2=1e-3)": (
        softmax_regression(_X_digits, _digits.y, l2=1e-3), _X_digits, _digits.y, _torch_softmax(10, 1e-3), 0.1
    ),
}
FINITE = pytest.mark.parametrize("case", FINITE_SUMS.values(), ids=FINITE_SUMS.keys())


def _point(f, scale, seed=0):
    return scale * np.random.default_rng(seed).normal(size=f.dim)


def _torch_batch(losses, x, X, y, idx):
    """Mean loss over idx and its gradient, by torch autograd."""
    t = torch.tensor(x, requires_grad=True)
    value = losses(t, torch.tensor(X[idx]), torch.tensor(y[idx], dtype=torch.float64)).mean()
    value.backward()
    return value.item(), t.grad.numpy()


def _torch_per_example_grads(losses, x, X, y, idx):
    """One gradient per example, by torch.func: vmap of grad of the one-example loss."""

    def loss_one(t, xi, yi):
        return losses(t, xi[None], yi[None])[0]

    per_example = torch.func.vmap(torch.func.grad(loss_one), in_dims=(None, 0, 0))
    return per_example(torch.tensor(x), torch.tensor(X[idx]), torch.tensor(y[idx], dtype=torch.float64)).numpy()


def _close(a, b, rtol=1e-10):
    np.testing.assert_allclose(a, b, rtol=rtol, atol=rtol * max(1.0, float(np.abs(b).max())))


@FINITE
def test_per_example_values_and_grads_match_torch(case):
    f, X, y, losses, scale = case
    x = _point(f, scale)
    everyone = np.arange(len(y))
    idx = np.random.default_rng(1).integers(0, len(y), size=7)
    for batch in (everyone, idx):
        with torch.no_grad():
            expected = losses(torch.tensor(x), torch.tensor(X[batch]), torch.tensor(y[batch], dtype=torch.float64))
        _close(f.per_example_values(x, batch), expected.numpy())
        g = f.per_example_grads(x, batch)
        assert g.shape == (len(batch), f.dim) and g.dtype == np.float64
        _close(g, _torch_per_example_grads(losses, x, X, y, batch))
    _close(f.per_example_grads(x), f.per_example_grads(x, everyone), rtol=0)  # None means all


@FINITE
def test_mini_batch_value_and_grad_match_torch(case):
    f, X, y, losses, scale = case
    x = _point(f, scale, seed=2)
    rng = np.random.default_rng(3)
    for size in (1, 5, len(y)):
        idx = rng.choice(len(y), size=size, replace=False)
        value, grad = _torch_batch(losses, x, X, y, idx)
        v, g = f.value_and_grad_batch(x, idx)
        assert v == pytest.approx(value, rel=1e-12)
        assert g.shape == x.shape
        _close(g, grad)
    # the full objective is the mean over all examples, in torch too
    value, grad = _torch_batch(losses, x, X, y, np.arange(len(y)))
    assert f.value(x) == pytest.approx(value, rel=1e-12)
    _close(f.grad(x), grad)


@FINITE
def test_mean_of_per_example_grads_is_the_full_gradient(case):
    f, X, y, losses, scale = case
    x = _point(f, scale, seed=4)
    everyone = np.arange(f.n)
    assert f.n == len(y) and isinstance(f, FiniteSum)
    _close(f.per_example_grads(x).mean(axis=0), f.grad(x), rtol=1e-12)
    _close(f.grad_batch(x, everyone), f.grad(x), rtol=1e-12)
    assert f.value_batch(x, everyone) == pytest.approx(f.value(x), rel=1e-14)
    assert f.per_example_values(x).mean() == pytest.approx(f.value(x), rel=1e-14)


@FINITE
def test_a_batch_with_repeats_counts_each_occurrence(case):
    f, X, y, losses, scale = case
    x = _point(f, scale, seed=5)
    g = f.per_example_grads(x, [3, 5])
    _close(f.grad_batch(x, [3, 3, 5]), (2 * g[0] + g[1]) / 3, rtol=1e-12)
    _close(f.grad_batch(x, 3), g[0], rtol=1e-14)  # a single index is a batch of one
    # order does not matter
    _close(f.grad_batch(x, [5, 3, 3]), f.grad_batch(x, [3, 3, 5]), rtol=1e-14)


@FINITE
def test_batch_methods_on_a_batch_of_points(case):
    f, X, y, losses, scale = case
    points = np.stack([_point(f, scale, seed=s) for s in range(6)]).reshape(2, 3, f.dim)
    idx = np.array([0, 2, 4, 4])
    assert f.value_batch(points, idx).shape == (2, 3)
    assert f.per_example_grads(points, idx).shape == (2, 3, 4, f.dim)
    for i in range(2):
        for j in range(3):
            p = points[i, j]
            assert f.value_batch(points, idx)[i, j] == pytest.approx(f.value_batch(p, idx), rel=1e-13)
            _close(f.grad_batch(points, idx)[i, j], f.grad_batch(p, idx), rtol=1e-13)
            _close(f.per_example_grads(points, idx)[i, j], f.per_example_grads(p, idx), rtol=1e-13)


@FINITE
def test_value_batch_runs_on_torch_for_autograd(case):
    # the other oracle style: autograd of optlib's own mini-batch value
    f, X, y, losses, scale = case
    x = _point(f, scale, seed=6)
    idx = torch.tensor([1, 4, 4, 9])
    t = torch.tensor(x, requires_grad=True)
    f.value_batch(t, idx).backward()
    _close(f.grad_batch(x, idx), t.grad.numpy())
    _close(f.grad_batch(t, idx), t.grad.numpy())  # a tensor x is accepted too


def test_softmax_with_two_classes_is_logistic_of_the_weight_difference():
    # p(y=1 | x) = e^{z1} / (e^{z0} + e^{z1}) = sigma(x . (w1 - w0)), so without penalty
    # softmax(W) = logistic(w1 - w0), and its gradient is +-logistic's: d/dw1 = g, d/dw0 = -g.
    labels = _y_cls.astype(int)
    soft, logi = softmax_regression(_X, labels), logistic(_X, _y_cls)
    W = np.random.default_rng(7).normal(size=(3, 2))  # columns w0, w1
    w = W[:, 1] - W[:, 0]
    assert soft(W.ravel()) == pytest.approx(logi(w), rel=1e-12)
    _close(soft.per_example_values(W.ravel()), logi.per_example_values(w), rtol=1e-12)
    g = logi.grad(w)
    _close(soft.grad(W.ravel()).reshape(3, 2), np.column_stack([-g, g]), rtol=1e-12)
    idx = [0, 7, 7, 30]
    _close(soft.grad_batch(W.ravel(), idx).reshape(3, 2), np.column_stack([-1, 1]) * logi.grad_batch(w, idx)[:, None])
    # With the penalty the two agree where w0 = 0 (then ||W||^2 = ||w1||^2), in value and in the w1 block
    soft, logi = softmax_regression(_X, labels, l2=0.3), logistic(_X, _y_cls, l2=0.3)
    W[:, 0] = 0.0
    assert soft(W.ravel()) == pytest.approx(logi(W[:, 1]), rel=1e-12)
    _close(soft.grad(W.ravel()).reshape(3, 2)[:, 1], logi.grad(W[:, 1]), rtol=1e-12)


def test_softmax_is_stable_for_huge_logits():
    f = softmax_regression(1e4 * _X, _y_multi)  # logits ~ 1e4: exp would overflow
    theta = np.random.default_rng(8).normal(size=f.dim)
    value, grad = f.value_and_grad(theta)  # filterwarnings=error: no overflow warning
    assert np.isfinite(value) and np.all(np.isfinite(grad))
    assert np.all(np.isfinite(f.per_example_grads(theta)))
    _, g_torch = _torch_batch(_torch_softmax(3, 0.0), theta, 1e4 * _X, _y_multi, np.arange(40))
    _close(grad, g_torch)


def test_softmax_parameter_layout_is_row_major_d_by_k():
    f = softmax_regression(_X, _y_multi)
    assert f.param_shape == (3, 3) and f.dim == 9
    # only W[j, k] nonzero: the logit of class k is x_j W[j, k], the other logits 0
    W = np.zeros((3, 3))
    W[1, 2] = 2.0
    z = 2.0 * _X[:, 1]
    expected = np.log(2.0 + np.exp(z)) - np.where(_y_multi == 2, z, 0.0)
    _close(f.per_example_values(W.ravel()), expected, rtol=1e-12)


def test_least_squares_ridge_minimizer_is_the_augmented_lstsq():
    # (1/2n)||Xw - y||^2 + (l2/2)||w||^2 is, times 2n, ||[X; sqrt(n l2) I] w - [y; 0]||^2
    n, d, l2 = 40, 3, 0.5
    f = least_squares(_X, _y_reg, l2=l2)
    A = np.vstack([_X, np.sqrt(n * l2) * np.eye(d)])
    b = np.concatenate([_y_reg, np.zeros(d)])
    w, *_ = np.linalg.lstsq(A, b)
    _close(f.minimizer, w, rtol=1e-12)
    assert f.min_value == pytest.approx(np.sum((A @ w - b) ** 2) / (2 * n), rel=1e-12)
    _close(f.hessian, _X.T @ _X / n + l2 * np.eye(d), rtol=1e-14)
    # rank-deficient X: the penalty makes the minimizer unique again
    X = np.column_stack([_X[:, 0], 2 * _X[:, 0]])
    assert least_squares(X, _y_reg).minimizer is None
    assert least_squares(X, _y_reg, l2=0.1).minimizer is not None


def test_least_squares_on_diabetes_matches_scikit_learn():
    from sklearn import linear_model  # a pinned test dependency

    f = FINITE_SUMS["diabetes least_squares"][0]
    fit = linear_model.LinearRegression().fit(_diabetes.X, _diabetes.y)  # intercept = our column of ones
    _close(f.minimizer, np.concatenate([[fit.intercept_], fit.coef_]), rtol=1e-9)
    # ridge: sklearn minimizes ||y - Xw||^2 + alpha ||w||^2, ours is that over 2n with alpha = n l2
    l2 = 0.1
    ridge = linear_model.Ridge(alpha=len(_diabetes.y) * l2, fit_intercept=False).fit(_X_diabetes, _diabetes.y)
    _close(least_squares(_X_diabetes, _diabetes.y, l2=l2).minimizer, ridge.coef_, rtol=1e-9)


def test_finite_sum_keeps_its_own_read_only_data():
    X, y = _X.copy(), _y_reg.copy()
    f = least_squares(X, y)
    before = f.value(np.ones(3))
    X[:] = 0.0
    assert f.value(np.ones(3)) == before  # a copy was kept
    with pytest.raises(ValueError):
        f.X[0, 0] = 1.0
    with pytest.raises(dataclasses.FrozenInstanceError):
        f.X = X
    assert softmax_regression(_X, _y_multi.astype(float)).y.dtype == np.int64  # labels stored as ints


# ------------------------------------------------------------ finite sums: bad input

@pytest.mark.parametrize(
    "idx, error, match",
    [
        ([], ValueError, "idx must hold at least one example index"),
        (np.zeros((2, 2), dtype=int), ValueError, r"idx must be a 1-D array of example indices, got shape \(2, 2\)"),
        ([0.0, 1.0], TypeError, "idx must hold integer indices, got dtype float64"),
        (np.ones(40, dtype=bool), TypeError, r"got dtype bool \(for a boolean mask, pass np.flatnonzero"),
        ([0, 40], ValueError, r"idx must hold indices in \[0, 40\) \(n = 40 examples\), got 0..40"),
        ([-1, 3], ValueError, r"idx must hold indices in \[0, 40\)"),
        (None, TypeError, r"idx must be an array of example indices, got None \(use value\(x\)"),
    ],
)
def test_bad_indices(idx, error, match):
    f = least_squares(_X, _y_reg)
    for method in (f.grad_batch, f.value_batch, f.value_and_grad_batch):
        with pytest.raises(error, match=match):
            method(np.zeros(3), idx)
    if idx is not None:
        for method in (f.per_example_grads, f.per_example_values):
            with pytest.raises(error, match=match):
                method(np.zeros(3), idx)


def test_batch_methods_check_x_too():
    f = softmax_regression(_X, _y_multi)
    with pytest.raises(ValueError, match=r"x must have shape \(9,\)"):
        f.grad_batch(np.zeros(3), [0])
    with pytest.raises(ValueError, match=r"x must have shape \(9,\)"):
        f.per_example_grads(np.zeros(10))


@pytest.mark.parametrize(
    "y, kwargs, error, match",
    [
        (_y_multi - 1, {}, ValueError, r"y must hold class labels 0, 1, ..., K-1"),
        (_y_multi + 0.5, {}, ValueError, r"y must hold class labels 0, 1, ..., K-1"),
        (np.zeros(40), {}, ValueError, "num_classes must be >= 2, but y holds only label 0"),
        (_y_multi, {"num_classes": 2}, ValueError, "y must hold labels < num_classes = 2, got label 2"),
        (_y_multi, {"num_classes": 1}, ValueError, "num_classes must be >= 2, got 1"),
        (_y_multi, {"num_classes": 3.0}, TypeError, "num_classes must be an int >= 2 or None"),
        (_y_multi, {"num_classes": True}, TypeError, "num_classes must be an int >= 2 or None"),
        (_y_multi, {"l2": -1.0}, ValueError, "l2 must be >= 0, got -1.0"),
        (np.array(["0"] * 40), {}, TypeError, "y must hold real numbers"),
    ],
)
def test_softmax_rejects_bad_labels_and_arguments(y, kwargs, error, match):
    with pytest.raises(error, match=match):
        softmax_regression(_X, y, **kwargs)


def test_least_squares_rejects_a_negative_penalty():
    with pytest.raises(ValueError, match="l2 must be >= 0, got -0.1"):
        least_squares(_X, _y_reg, l2=-0.1)


@pytest.mark.parametrize("tilt", [0.3, -0.5, 1.0])
def test_double_well_minimizer_is_the_lowest_point_on_a_dense_grid(tilt):
    # Oracle: brute force over [-3, 3] (f grows like x^4 outside).
    f = double_well(tilt)
    grid = np.linspace(-3.0, 3.0, 600_001)
    values = (grid**2 - 1) ** 2 + tilt * grid
    assert f.minimizer[0] == pytest.approx(grid[np.argmin(values)], abs=2e-5)
    assert f.min_value == pytest.approx(values.min(), abs=1e-9)
    # two local minima, the other one higher: a trap for gradient descent
    minima = grid[1:-1][(values[1:-1] < values[:-2]) & (values[1:-1] < values[2:])]
    assert len(minima) == 2
    other = minima[np.argmax(np.abs(minima - f.minimizer[0]))]
    assert f.value([other]) > f.min_value + 0.1 * abs(tilt)
    assert np.sign(other) == np.sign(tilt)  # the tilt raises the side it points to


def test_double_well_without_tilt_has_two_minimizers_and_says_so():
    f = double_well(0.0)
    assert f.minimizer is None and f.min_value == 0.0
    assert f.value([1.0]) == f.value([-1.0]) == 0.0
