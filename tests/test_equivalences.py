"""Identities between optimizers and closed-form facts the book relies on."""
import numpy as np
import pytest
import torch

import optlib


def run(opt, grads, x0):
    x, state = x0, opt.init(x0)
    xs = []
    for g in grads:
        updates, state = opt.update(g(x) if callable(g) else g, state, x)
        x = optlib.apply_updates(x, updates)
        xs.append(x)
    return np.array(xs), state


@pytest.mark.parametrize("amsgrad", [False, True])
@pytest.mark.parametrize("convert", [np.asarray, torch.tensor], ids=["numpy", "torch"])
def test_adamw_without_decay_is_adam_bit_for_bit(amsgrad, convert):
    rng = np.random.default_rng(0)
    grads = [convert(rng.normal(size=5) * 10 ** rng.uniform(-2, 1)) for _ in range(30)]
    x0 = convert(rng.normal(size=5))
    a, _ = run(optlib.adam(lr=0.01, amsgrad=amsgrad), grads, x0)
    w, _ = run(optlib.adamw(lr=0.01, amsgrad=amsgrad, weight_decay=0.0), grads, x0)
    np.testing.assert_array_equal(a, w)


def ruder_momentum(lrs, gamma, grad, x0):
    """v = gamma v + lr g; x -= v  (Ruder 2016; Keras up to the sign)."""
    x, v, xs = x0.copy(), np.zeros_like(x0), []
    for lr in lrs:
        v = gamma * v + lr * grad(x)
        x = x - v
        xs.append(x)
    return np.array(xs)


A = np.diag([0.2, 4.0])


def test_two_ways_of_writing_momentum_agree_at_constant_lr():
    x0 = np.array([-5.0, -2.0])
    ours, _ = run(optlib.sgd(lr=0.3, momentum=0.8), [lambda x: A @ x] * 50, x0)
    np.testing.assert_allclose(ours, ruder_momentum([0.3] * 50, 0.8, lambda x: A @ x, x0), rtol=1e-12, atol=1e-14)


def test_two_ways_of_writing_momentum_differ_once_lr_changes():
    x0 = np.array([-5.0, -2.0])
    sched = optlib.schedules.step_decay(0.3, step_size=10, gamma=0.1)
    ours, _ = run(optlib.sgd(lr=sched, momentum=0.8), [lambda x: A @ x] * 30, x0)
    theirs = ruder_momentum([sched(k) for k in range(30)], 0.8, lambda x: A @ x, x0)
    np.testing.assert_allclose(ours[:10], theirs[:10], rtol=1e-12)
    assert np.abs(ours[10:] - theirs[10:]).max() > 1e-3


def test_gd_on_a_quadratic_is_the_matrix_power():
    """x_k = (I - lr A)^k x0 for f = x^T A x / 2."""
    x0 = np.array([-5.0, -2.0])
    xs, _ = run(optlib.sgd(lr=0.4), [lambda x: A @ x] * 20, x0)
    for k, x in enumerate(xs, start=1):
        np.testing.assert_allclose(x, np.linalg.matrix_power(np.eye(2) - 0.4 * A, k) @ x0, rtol=1e-12)


def test_adam_bias_correction_makes_m_hat_the_gradient_under_a_constant_gradient():
    g = np.array([0.3, -2.0, 1e-3])
    opt = optlib.adam()
    state = opt.init(np.zeros(3))
    for t in range(1, 50):
        _, state = opt.update(g, state)
        np.testing.assert_allclose(state.m / (1 - 0.9**t), g, rtol=1e-13)
        np.testing.assert_allclose(state.v / (1 - 0.999**t), g * g, rtol=1e-12)


def test_first_adam_step_is_lr_times_sign_for_any_gradient_scale():
    for scale in (1e-6, 1.0, 1e6):
        g = scale * np.array([3.0, -0.5])
        updates, _ = optlib.adam(lr=0.1, eps=0.0).update(g, optlib.adam().init(np.zeros(2)))
        np.testing.assert_allclose(updates, [-0.1, 0.1], rtol=1e-15)


def test_nesterov_is_sutskevers_look_ahead_momentum():
    """torch's Nesterov form tracks the look-ahead point of Sutskever et al. (2013):

    v_{k+1} = mu v_k - lr grad(x_k + mu v_k),  x_{k+1} = x_k + v_{k+1};
    optlib's iterate is y_k = x_k + mu v_k.
    """
    mu, lr = 0.9, 0.05
    x0 = np.array([-5.0, -2.0])
    ours, _ = run(optlib.sgd(lr=lr, momentum=mu, nesterov=True), [lambda y: A @ y] * 40, x0)
    x, v = x0.copy(), np.zeros(2)
    for k in range(40):
        v = mu * v - lr * (A @ (x + mu * v))
        x = x + v
        np.testing.assert_allclose(ours[k], x + mu * v, rtol=1e-10, atol=1e-12)


def test_ema_averages_over_about_one_over_one_minus_beta_steps():
    """The weights (1-b) b^k sum to 1 and their mean age is b/(1-b) ~ 1/(1-b)."""
    for beta in (0.9, 0.99):
        k = np.arange(20000)
        w = (1 - beta) * beta**k
        assert abs(w.sum() - 1) < 1e-12
        assert abs((k * w).sum() - beta / (1 - beta)) < 1e-8
    avg = np.zeros(1)
    for _ in range(1000):
        avg = optlib.ema(avg, np.ones(1), 0.99)
    np.testing.assert_allclose(avg, 1 - 0.99**1000, rtol=1e-12)
