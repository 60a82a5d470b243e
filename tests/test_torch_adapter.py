"""optlib.TorchOptimizer trains torch models exactly as torch.optim does."""
import copy

import pytest
import torch

import optlib
from cases import CASES

STEPS = 20


def mlp(seed=0):
    torch.manual_seed(seed)
    return torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.Tanh(), torch.nn.Linear(8, 1)).double()


def data(seed=1):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(64, 4, generator=g, dtype=torch.float64)
    return x, torch.sin(x.sum(dim=1, keepdim=True))


def train(model, opt, scheduler=None, steps=STEPS):
    x, y = data()
    losses = []
    for _ in range(steps):
        opt.zero_grad()
        loss = torch.nn.functional.mse_loss(model(x), y)
        loss.backward()
        opt.step()
        if scheduler is not None:
            scheduler.step()
        losses.append(loss.item())
    return losses


def assert_same_params(a, b, rtol=1e-10):
    for (name, p), q in zip(a.named_parameters(), b.parameters()):
        torch.testing.assert_close(p, q, rtol=rtol, atol=1e-13, msg=lambda m: f"{name}: {m}")


@pytest.fixture(autouse=True)
def float64_scalars():
    # torch keeps scalar optimizer state (NAdam's mu_product) in the default dtype.
    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield
    torch.set_default_dtype(previous)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_trains_an_mlp_like_torch_optim(case):
    ours, theirs = mlp(), mlp()
    lr = {"lr": 0.05} if case.name in ("sgd",) and "lr" not in case.kwargs else {}
    train(ours, optlib.TorchOptimizer(ours.parameters(), case.optlib(**lr)))
    train(theirs, case.torch(theirs.parameters(), **lr))
    assert_same_params(ours, theirs)


@pytest.mark.parametrize(
    "make_scheduler",
    [
        lambda o: torch.optim.lr_scheduler.StepLR(o, step_size=3, gamma=0.5),
        lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=STEPS),
        lambda o: torch.optim.lr_scheduler.OneCycleLR(o, max_lr=0.05, total_steps=STEPS, cycle_momentum=False),
    ],
    ids=["StepLR", "CosineAnnealingLR", "OneCycleLR"],
)
def test_works_with_torch_lr_schedulers(make_scheduler):
    ours, theirs = mlp(), mlp()
    opt = optlib.TorchOptimizer(ours.parameters(), optlib.adam(lr=0.05))
    ref = torch.optim.Adam(theirs.parameters(), lr=0.05, foreach=False)
    train(ours, opt, make_scheduler(opt))
    train(theirs, ref, make_scheduler(ref))
    assert_same_params(ours, theirs)


def test_cycle_momentum_reaches_the_rule():
    """OneCycleLR cycles SGD's `momentum` in param_groups; the rule must follow."""
    ours, theirs = mlp(), mlp()
    opt = optlib.TorchOptimizer(ours.parameters(), optlib.sgd(lr=0.05, momentum=0.9))
    ref = torch.optim.SGD(theirs.parameters(), lr=0.05, momentum=0.9, foreach=False)
    sched = lambda o: torch.optim.lr_scheduler.OneCycleLR(o, max_lr=0.1, total_steps=STEPS, base_momentum=0.8, max_momentum=0.95)
    train(ours, opt, sched(opt))
    train(theirs, ref, sched(ref))
    assert_same_params(ours, theirs)


def test_param_groups_override_hyperparameters():
    ours, theirs = mlp(), mlp()
    groups = lambda m: [{"params": m[0].parameters(), "lr": 0.01}, {"params": m[2].parameters()}]
    train(ours, optlib.TorchOptimizer(groups(ours), optlib.rmsprop(lr=0.003, momentum=0.5)))
    train(theirs, torch.optim.RMSprop(groups(theirs), lr=0.003, momentum=0.5, foreach=False))
    assert_same_params(ours, theirs)


def test_state_dict_round_trip_resumes_exactly():
    a, b = mlp(), mlp()
    opt_a = optlib.TorchOptimizer(a.parameters(), optlib.adam(lr=0.02, amsgrad=True))
    train(a, opt_a, steps=5)
    b.load_state_dict(a.state_dict())
    opt_b = optlib.TorchOptimizer(b.parameters(), optlib.adam(lr=0.02, amsgrad=True))
    opt_b.load_state_dict(copy.deepcopy(opt_a.state_dict()))
    train(a, opt_a, steps=5)
    train(b, opt_b, steps=5)
    assert_same_params(a, b, rtol=0)


def test_closure_returns_the_loss_and_params_without_grad_are_left_alone():
    model = mlp()
    frozen = torch.nn.Parameter(torch.ones(3, dtype=torch.float64))
    opt = optlib.TorchOptimizer(list(model.parameters()) + [frozen], optlib.sgd(lr=0.1))
    x, y = data()

    def closure():
        opt.zero_grad()
        loss = torch.nn.functional.mse_loss(model(x), y)
        loss.backward()
        return loss

    first = opt.step(closure)
    second = opt.step(closure)
    assert second.item() < first.item()
    assert torch.equal(frozen, torch.ones(3, dtype=torch.float64))


def test_rejects_something_that_is_not_an_optlib_rule():
    with pytest.raises(TypeError, match="optlib optimizer"):
        optlib.TorchOptimizer(mlp().parameters(), torch.optim.SGD)


def test_a_tensor_lr_edited_in_place_by_a_scheduler_is_followed():
    """torch's schedulers fill_ a tensor lr in place; the rule reads it at every step."""
    ours, theirs = mlp(), mlp()
    opt = optlib.TorchOptimizer(ours.parameters(), optlib.sgd(lr=torch.tensor(0.1), momentum=0.9))
    ref = torch.optim.SGD(theirs.parameters(), lr=torch.tensor(0.1), momentum=0.9, foreach=False)
    sched = lambda o: torch.optim.lr_scheduler.StepLR(o, step_size=2, gamma=0.5)
    train(ours, opt, sched(opt))
    train(theirs, ref, sched(ref))
    assert float(opt.param_groups[0]["lr"]) == float(ref.param_groups[0]["lr"]) == 0.1 * 0.5 ** (STEPS // 2)
    assert_same_params(ours, theirs)


def test_one_rule_is_kept_per_group_however_often_the_lr_changes():
    model = mlp()
    opt = optlib.TorchOptimizer(model.parameters(), optlib.adam(lr=0.05))
    train(model, opt, torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=STEPS))
    assert len(opt._rules) == 1
