"""Schedules against torch.optim.lr_scheduler, closed forms, and their use as lr."""
import math

import numpy as np
import pytest
import torch

import optlib
from optlib import schedules

K = 40  # steps compared


def torch_lrs(make_scheduler, lr=0.5, steps=K):
    """The lr torch's scheduler gives at k = 0, 1, ..., steps-1."""
    p = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([p], lr=lr)
    sched = make_scheduler(opt)
    out = []
    for _ in range(steps):
        out.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    return np.array(out)


S = torch.optim.lr_scheduler
TORCH_EQUIVALENTS = [
    (schedules.constant(0.5), lambda o: S.ConstantLR(o, factor=1.0, total_iters=0)),
    (schedules.step_decay(0.5, step_size=7, gamma=0.3), lambda o: S.StepLR(o, step_size=7, gamma=0.3)),
    (schedules.exponential(0.5, gamma=0.93), lambda o: S.ExponentialLR(o, gamma=0.93)),
    (schedules.polynomial(0.5, total_steps=30, power=2.0), lambda o: S.PolynomialLR(o, total_iters=30, power=2.0)),
    (schedules.polynomial(0.5, total_steps=25), lambda o: S.PolynomialLR(o, total_iters=25, power=1.0)),
    (schedules.cosine(0.5, total_steps=K - 1, min_lr=0.01), lambda o: S.CosineAnnealingLR(o, T_max=K - 1, eta_min=0.01)),
    (schedules.linear_warmup(0.5, warmup_steps=10, start_factor=0.1), lambda o: S.LinearLR(o, start_factor=0.1, total_iters=10)),
    (
        schedules.linear_warmup(schedules.cosine(0.5, total_steps=K - 5), warmup_steps=5),
        lambda o: S.SequentialLR(
            o, [S.LinearLR(o, start_factor=1 / 3, total_iters=5), S.CosineAnnealingLR(o, T_max=K - 5)], milestones=[5]
        ),
    ),
]


@pytest.mark.parametrize("ours, theirs", TORCH_EQUIVALENTS, ids=lambda x: type(x).__name__ if not callable(x) or hasattr(x, "lr") or hasattr(x, "after") else "torch")
def test_matches_torch_scheduler(ours, theirs):
    np.testing.assert_allclose([ours(k) for k in range(K)], torch_lrs(theirs), rtol=1e-12, atol=1e-15)


def test_inverse_time_closed_form():
    s = schedules.inverse_time(2.0, decay_rate=0.5, power=0.5)
    assert [s(k) for k in (0, 2, 6)] == [2.0, 2.0 / math.sqrt(2.0), 1.0]


def test_inverse_time_is_torch_adagrad_lr_decay():
    """torch's Adagrad(lr_decay=d) scales lr by 1 / (1 + (t-1) d): our schedule, power 1."""
    rng = np.random.default_rng(0)
    grads = rng.normal(size=(15, 4))
    p = torch.zeros(4, dtype=torch.float64, requires_grad=True)
    ref = torch.optim.Adagrad([p], lr=0.3, lr_decay=0.2)
    opt = optlib.adagrad(lr=schedules.inverse_time(0.3, decay_rate=0.2))
    x = np.zeros(4)
    state = opt.init(x)
    for g in grads:
        p.grad = torch.tensor(g)
        ref.step()
        updates, state = opt.update(g, state)
        x = optlib.apply_updates(x, updates)
    np.testing.assert_allclose(x, p.detach().numpy(), rtol=1e-12)


@pytest.mark.parametrize("name", ["sgd", "adam", "rmsprop"])
def test_schedule_as_lr_matches_torch_scheduler(name):
    """A schedule passed as lr gives the trajectory of torch's optimizer + scheduler."""
    rng = np.random.default_rng(1)
    grads = rng.normal(size=(30, 3))
    sched = schedules.step_decay(0.1, step_size=4, gamma=0.5)
    p = torch.zeros(3, dtype=torch.float64, requires_grad=True)
    ref = {"sgd": torch.optim.SGD, "adam": torch.optim.Adam, "rmsprop": torch.optim.RMSprop}[name]([p], lr=0.1, foreach=False)
    ref_sched = S.StepLR(ref, step_size=4, gamma=0.5)
    opt = getattr(optlib, name)(lr=sched)
    x = np.zeros(3)
    state = opt.init(x)
    for g in grads:
        p.grad = torch.tensor(g)
        ref.step()
        ref_sched.step()
        updates, state = opt.update(g, state)
        x = optlib.apply_updates(x, updates)
        np.testing.assert_allclose(x, p.detach().numpy(), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize(
    "make, error",
    [
        (lambda: schedules.constant(-1.0), ValueError),
        (lambda: schedules.step_decay(0.1, step_size=0), ValueError),
        (lambda: schedules.step_decay(0.1, step_size=2.5), TypeError),
        (lambda: schedules.exponential(0.1, gamma=float("nan")), ValueError),
        (lambda: schedules.polynomial(0.1, total_steps=-3), ValueError),
        (lambda: schedules.cosine(0.1, total_steps=10, min_lr=-0.1), ValueError),
        (lambda: schedules.linear_warmup(0.1, warmup_steps=5, start_factor=0.0), ValueError),
        (lambda: schedules.linear_warmup(0.1, warmup_steps=5, start_factor=1.5), ValueError),
        (lambda: schedules.constant("fast"), TypeError),
    ],
)
def test_bad_schedule_arguments(make, error):
    with pytest.raises(error):
        make()


def test_schedule_giving_a_negative_lr_is_reported_at_update():
    opt = optlib.sgd(lr=lambda k: 0.1 - 0.05 * k)
    state = opt.init(np.zeros(1))
    for _ in range(3):
        _, state = opt.update(np.ones(1), state)
    with pytest.raises(ValueError, match="step 3"):
        opt.update(np.ones(1), state)


def test_schedule_rejects_a_negative_step():
    with pytest.raises(ValueError, match="integer >= 0"):
        schedules.constant(0.1)(-1)
