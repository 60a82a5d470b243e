"""The runner: published traces, closed forms, torch's own loop, divergence, purity."""
import dataclasses
import warnings

import numpy as np
import pytest
import torch

import optlib
from optlib.objectives import ill_conditioned, quadratic, quadratic_1d, rosenbrock
from optlib.runner import Trajectory, minimize


def test_gd_on_ill_conditioned_matches_d2l():
    # d2l.ai, section 12.6 (Momentum): gradient descent with eta = 0.4 on
    # f = 0.1 x1^2 + 2 x2^2 from (-5, -2) prints "epoch 20, x1: -0.943467, x2: -0.000073".
    traj = minimize(optlib.sgd(lr=0.4), ill_conditioned(), [-5.0, -2.0], steps=20)
    assert traj.steps == 20 and not traj.diverged
    assert f"{traj.final[0]:.6f}" == "-0.943467"
    assert f"{traj.final[1]:.6f}" == "-0.000073"


def test_gd_on_a_quadratic_is_the_closed_form_exactly():
    # x_k = (I - eta A)^k x0. With A = diag(1, 3) and eta = 0.5 the factors are
    # 1/2 and -1/2, so every number involved is exact in binary floating point
    # and equality must hold bit for bit.
    A, eta, x0 = np.diag([1.0, 3.0]), 0.5, np.array([3.0, -5.0])
    traj = minimize(optlib.sgd(lr=eta), quadratic(A), x0, steps=40)
    M = np.eye(2) - eta * A
    expected = np.array([np.linalg.matrix_power(M, k) @ x0 for k in range(41)])
    np.testing.assert_array_equal(traj.xs, expected)
    np.testing.assert_array_equal(traj.losses, [0.5 * x @ A @ x for x in expected])


def test_gd_on_a_rotated_quadratic_follows_the_closed_form():
    q, _ = np.linalg.qr(np.random.default_rng(0).normal(size=(3, 3)))
    A = q @ np.diag([0.1, 1.0, 3.0]) @ q.T
    A = (A + A.T) / 2
    eta, x0 = 0.3, np.array([1.0, -2.0, 0.5])
    traj = minimize(optlib.sgd(lr=eta), quadratic(A), x0, steps=30)
    M = np.eye(3) - eta * A
    expected = np.array([np.linalg.matrix_power(M, k) @ x0 for k in range(31)])
    np.testing.assert_allclose(traj.xs, expected, rtol=1e-12, atol=1e-14)


def test_matches_a_plain_torch_optim_loop():
    # The same run written the torch way: loss.backward(); opt.step().
    # It pins the runner's bookkeeping: losses[k] is f(xs[k]) before step k+1.
    f, x0, steps = rosenbrock(), np.array([-1.5, 2.0]), 50
    traj = minimize(optlib.sgd(lr=1e-3, momentum=0.9), f, x0, steps)
    x = torch.tensor(x0, requires_grad=True)
    opt = torch.optim.SGD([x], lr=1e-3, momentum=0.9)
    xs, losses = [x0], []
    for _ in range(steps):
        opt.zero_grad()
        loss = f.value(x)
        loss.backward()
        losses.append(loss.item())
        opt.step()
        xs.append(x.detach().numpy().copy())
    np.testing.assert_allclose(traj.xs, np.array(xs), rtol=1e-12)
    np.testing.assert_allclose(traj.losses[:-1], losses, rtol=1e-12)
    np.testing.assert_allclose(traj.grad_norms, [np.linalg.norm(f.grad(x)) for x in traj.xs], rtol=1e-14)


@pytest.mark.parametrize(
    "opt, objective, x0",
    [
        (optlib.sgd(lr=0.6), ill_conditioned(), [-5.0, -2.0]),  # |1 - 0.6 * 4| = 1.4 > 1
        (optlib.sgd(lr=1.2), quadratic_1d(), [1.0]),  # |1 - 2 * 1.2| = 1.4 > 1
        (optlib.adam(lr=1e300), rosenbrock(), [-1.5, 2.0]),  # overflows at once
    ],
    ids=["gd-ill-conditioned", "gd-parabola", "adam-huge-lr"],
)
def test_divergence_is_reported_without_warnings(opt, objective, x0):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any RuntimeWarning would fail here
        traj = minimize(opt, objective, x0, steps=2000)
    assert traj.diverged
    assert traj.steps < 2000
    assert len(traj.xs) == len(traj.losses) == len(traj.grad_norms) == traj.steps + 1
    for arr in (traj.xs, traj.losses, traj.grad_norms):
        assert np.all(np.isfinite(arr))
    assert "diverged=True" in repr(traj)


def test_gd_past_the_stability_limit_grows_by_the_predicted_factor():
    # Along x2 (eigenvalue 4) each step multiplies x2 by 1 - 0.6 * 4 = -1.4.
    traj = minimize(optlib.sgd(lr=0.6), ill_conditioned(), [-5.0, -2.0], steps=20)
    np.testing.assert_allclose(traj.xs[1:, 1] / traj.xs[:-1, 1], -1.4, rtol=1e-12)


def test_a_nan_from_a_callable_objective_stops_the_run():
    def f(x):  # fine until x < 0.5, then nan
        return (x @ x if x[0] >= 0.5 else np.nan), 2 * x

    traj = minimize(optlib.sgd(lr=0.1), f, [1.0], steps=100)
    assert traj.diverged and traj.steps == 3  # 1, 0.8, 0.64, 0.512, then 0.4096
    assert np.all(traj.xs >= 0.5)


def test_a_callable_may_return_a_size_one_value():
    traj = minimize(optlib.sgd(lr=0.25), lambda x: (x * x, 2 * x), [4.0], steps=2)  # x*x has shape (1,)
    assert traj.losses.tolist() == [16.0, 4.0, 1.0]


def test_a_callable_objective_gives_the_same_run_as_the_objective():
    f = rosenbrock()
    a = minimize(optlib.adam(lr=0.05), f, [-1.0, 1.5], steps=30)
    b = minimize(optlib.adam(lr=0.05), lambda x: (f.value(x), f.grad(x)), [-1.0, 1.5], steps=30)
    np.testing.assert_array_equal(a.xs, b.xs)
    np.testing.assert_array_equal(a.losses, b.losses)


def test_x0_is_not_mutated_and_not_shared():
    x0 = np.array([-5.0, -2.0])
    traj = minimize(optlib.sgd(lr=0.4, momentum=0.5), ill_conditioned(), x0, steps=10)
    np.testing.assert_array_equal(x0, [-5.0, -2.0])
    x0[0] = 100.0
    assert traj.xs[0, 0] == -5.0
    with pytest.raises(ValueError):  # the trajectory itself is read-only
        traj.xs[0, 0] = 1.0
    with pytest.raises(dataclasses.FrozenInstanceError):
        traj.steps = 3


def test_x0_conversions():
    f = quadratic_1d()
    for x0 in (2, 2.0, [2], np.array(2.0), np.array([2], dtype=np.int32)):
        traj = minimize(optlib.sgd(lr=0.1), f, x0, steps=1)
        assert traj.xs.dtype == np.float64 and traj.xs.tolist() == [[2.0], [1.6]]


def test_record_state():
    traj = minimize(optlib.adam(lr=0.1), rosenbrock(), [0.0, 0.0], steps=7, record_state=True)
    assert len(traj.states) == traj.steps + 1 == 8
    assert [s.count for s in traj.states] == list(range(8))
    np.testing.assert_array_equal(traj.states[0].m, [0.0, 0.0])  # opt.init(x0)
    assert minimize(optlib.adam(lr=0.1), rosenbrock(), [0.0, 0.0], steps=7).states is None
    with pytest.raises(TypeError, match="record_state"):
        minimize(optlib.adam(lr=0.1), rosenbrock(), [0.0, 0.0], steps=7, record_state="yes")


def test_zero_steps():
    traj = minimize(optlib.sgd(lr=0.1), rosenbrock(), [0.0, 0.0], steps=0, record_state=True)
    assert traj.steps == 0 and traj.xs.shape == (1, 2) and len(traj.states) == 1
    assert traj.final_loss == 1.0 and not traj.diverged


def test_trajectory_fields_and_repr():
    traj = minimize(optlib.sgd(lr=0.4), ill_conditioned(), [-5.0, -2.0], steps=20)
    assert isinstance(traj, Trajectory)
    assert traj.xs.shape == (21, 2) and traj.losses.shape == (21,) and traj.grad_norms.shape == (21,)
    assert traj.final is traj.xs[-1] or np.array_equal(traj.final, traj.xs[-1])
    assert isinstance(traj.final_loss, float) and traj.final_loss == ill_conditioned()(traj.final)
    # two lines: one would be 88 characters, wider than a code block on the site
    assert repr(traj) == (
        "Trajectory(steps=20, final=[-0.943467, -0.000073],\n"
        "           final_loss=0.0890129, diverged=False)"
    )
    assert np.all(np.diff(traj.losses) < 0)  # goes the right way


@pytest.mark.parametrize(
    "steps, error",
    [(-1, ValueError), (2.5, TypeError), (10.0, TypeError), ("10", TypeError), (True, TypeError), (None, TypeError)],
)
def test_bad_steps(steps, error):
    with pytest.raises(error, match="steps"):
        minimize(optlib.sgd(lr=0.1), rosenbrock(), [0.0, 0.0], steps)


def test_numpy_integer_steps_are_fine():
    assert minimize(optlib.sgd(lr=0.1), rosenbrock(), [0.0, 0.0], np.int64(3)).steps == 3


@pytest.mark.parametrize(
    "x0, error, match",
    [
        (np.zeros((2, 2)), ValueError, "x0 must be a number or a non-empty 1-D"),
        ([], ValueError, "x0 must be a number or a non-empty 1-D"),
        ([0.0, np.nan], ValueError, "x0 must be finite"),
        (["a", "b"], TypeError, "x0 must hold real numbers"),
    ],
)
def test_bad_x0(x0, error, match):
    with pytest.raises(error, match=match):
        minimize(optlib.sgd(lr=0.1), rosenbrock(), x0, steps=1)


def test_bad_objective():
    with pytest.raises(TypeError, match="objective must be"):
        minimize(optlib.sgd(lr=0.1), 3.0, [0.0], steps=1)
    with pytest.raises(ValueError, match="gradient of shape"):
        minimize(optlib.sgd(lr=0.1), lambda x: (0.0, np.zeros(3)), [0.0, 0.0], steps=1)
    with pytest.raises(ValueError, match="single value"):
        minimize(optlib.sgd(lr=0.1), lambda x: (x * x, 2 * x), [0.0, 1.0], steps=1)
    with pytest.raises(ValueError, match="not finite at x0"):
        minimize(optlib.sgd(lr=0.1), lambda x: (np.inf, x), [0.0], steps=1)
    with pytest.raises(ValueError, match="x must have shape"):  # wrong dim for the objective
        minimize(optlib.sgd(lr=0.1), rosenbrock(), [0.0, 0.0, 0.0], steps=1)


# ---------------------------------------------------------------- stochastic gradients

def _regression(n=40, seed=1):
    rng = np.random.default_rng(seed)
    X = np.column_stack([rng.normal(size=n), np.ones(n)])
    return optlib.objectives.least_squares(X, X @ [2.0, -1.0] + 0.3 * rng.normal(size=n))


def test_grad_noise_is_gaussian_noise_added_to_the_gradient_in_order():
    # Oracle: the loop written out, with the noise the docstring names.
    f, x0, eta, sigma = ill_conditioned(), np.array([-4.0, -1.5]), 0.1, 0.7
    traj = minimize(optlib.sgd(lr=eta), f, x0, 50, grad_noise=sigma, seed=5)
    rng, x, xs = np.random.default_rng(5), x0.copy(), [x0]
    for _ in range(50):
        x = x - eta * (np.array([0.2, 4.0]) * x + sigma * rng.standard_normal(2))
        xs.append(x)
    np.testing.assert_allclose(traj.xs, xs, rtol=1e-14, atol=1e-15)
    np.testing.assert_allclose(traj.losses, [0.1 * a * a + 2 * b * b for a, b in xs], rtol=1e-13)
    # the same seed, the same run; another seed, another run
    again = minimize(optlib.sgd(lr=eta), f, x0, 50, grad_noise=sigma, seed=5)
    np.testing.assert_array_equal(traj.xs, again.xs)
    assert not np.allclose(minimize(optlib.sgd(lr=eta), f, x0, 50, grad_noise=sigma, seed=6).xs, traj.xs)


def test_grad_noise_zero_is_gradient_descent():
    f, x0 = ill_conditioned(), [-4.0, -1.5]
    np.testing.assert_array_equal(minimize(optlib.sgd(lr=0.3), f, x0, 20, grad_noise=0.0, seed=3).xs,
                                  minimize(optlib.sgd(lr=0.3), f, x0, 20).xs)


@pytest.mark.parametrize("replacement", [False, True])
@pytest.mark.parametrize("batch_size", [1, 7])
def test_batch_size_steps_with_the_minibatches_in_order(batch_size, replacement):
    # Oracle: closed-form mini-batch gradients of least squares over the
    # batches of optlib.datasets.minibatches (tested on their own in
    # test_datasets.py), epoch after epoch.
    f, eta, steps = _regression(), 0.05, 23
    traj = minimize(optlib.sgd(lr=eta, momentum=0.5), f, [0.0, 0.0], steps, batch_size=batch_size,
                    replacement=replacement, seed=4)
    batches = optlib.datasets.minibatches(f.n, batch_size, seed=4, replacement=replacement, epochs=None)
    X, y = np.asarray(f.X), np.asarray(f.y)
    w, b, xs = np.zeros(2), np.zeros(2), [np.zeros(2)]
    for t, idx in zip(range(steps), batches):
        g = X[idx].T @ (X[idx] @ w - y[idx]) / len(idx)
        b = g if t == 0 else 0.5 * b + g
        w = w - eta * b
        xs.append(w)
    np.testing.assert_allclose(traj.xs, xs, rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(traj.losses, [0.5 * np.mean((X @ x - y) ** 2) for x in xs], rtol=1e-13)


def test_batch_of_all_examples_is_gradient_descent():
    f = _regression()
    full = minimize(optlib.sgd(lr=0.1), f, [0.0, 0.0], 30)
    batched = minimize(optlib.sgd(lr=0.1), f, [0.0, 0.0], 30, batch_size=f.n)
    np.testing.assert_allclose(batched.xs, full.xs, rtol=1e-12, atol=1e-14)  # only the summation order differs


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(batch_size=2), TypeError, r"batch_size needs a FiniteSum"),
    (dict(grad_noise=-0.1), ValueError, r"grad_noise must be a finite standard deviation >= 0, got -0.1"),
    (dict(grad_noise="1"), TypeError, r"grad_noise must be a real number"),
    (dict(grad_noise=float("nan")), ValueError, r"grad_noise must be a finite"),
    (dict(grad_noise=1.0, seed=-1), ValueError, r"seed must be an int >= 0, got -1"),
    (dict(grad_noise=1.0, seed=1.5), TypeError, r"seed must be an int >= 0 \(or, with batch_size, a torch.Generator\), got 1.5"),
    (dict(replacement=True), ValueError, r"replacement=True needs batch_size"),
    (dict(replacement="yes"), TypeError, r"replacement must be True or False"),
])
def test_bad_stochastic_arguments_name_the_problem(kwargs, error, match):
    with pytest.raises(error, match=match):
        minimize(optlib.sgd(lr=0.1), ill_conditioned(), [1.0, 1.0], 5, **kwargs)


def test_batch_size_problems_on_a_finite_sum_name_the_argument():
    f = _regression(n=10)
    with pytest.raises(ValueError, match=r"give batch_size or grad_noise, not both"):
        minimize(optlib.sgd(lr=0.1), f, [0.0, 0.0], 5, batch_size=2, grad_noise=1.0)
    with pytest.raises(ValueError, match=r"batch_size must be <= n = 10, got 11"):
        minimize(optlib.sgd(lr=0.1), f, [0.0, 0.0], 5, batch_size=11)
    with pytest.raises(ValueError, match=r"batch_size must be >= 1"):
        minimize(optlib.sgd(lr=0.1), f, [0.0, 0.0], 5, batch_size=0)


def test_a_torch_generator_seed_gives_the_dataloaders_batches():
    f = _regression()
    traj = minimize(optlib.sgd(lr=0.05), f, [0.0, 0.0], 25, batch_size=4,
                    seed=torch.Generator().manual_seed(3))
    loader = torch.utils.data.DataLoader(range(f.n), batch_size=4, shuffle=True,
                                         generator=torch.Generator().manual_seed(3))
    X, y, w = np.asarray(f.X), np.asarray(f.y), np.zeros(2)
    batches = [batch.numpy() for _ in range(3) for batch in loader][:25]
    for idx in batches:
        w = w - 0.05 * X[idx].T @ (X[idx] @ w - y[idx]) / len(idx)
    np.testing.assert_allclose(traj.final, w, rtol=1e-13)
    with pytest.raises(TypeError, match=r"a torch.Generator draws mini-batches \(with batch_size\)"):
        minimize(optlib.sgd(lr=0.1), f, [0.0, 0.0], 5, grad_noise=1.0, seed=torch.Generator())
