"""TorchOptimizer(compile=True): the rule's own step, compiled, changes nothing but speed.

The compiled path runs the same per-leaf ``step`` through torch.compile and
writes params and state in place, so its results must equal the eager
path's up to float32 rounding (the compiler may fuse and reorder the
arithmetic), with an LR scheduler, across a ``state_dict`` round trip, and
against torch.optim itself. Its speed is measured in
bench/bench_torch_adapter.py, not here.
"""
import copy

import pytest
import torch

import optlib
from optlib.torch_adapter import _check_compile_support

try:
    _check_compile_support([torch.zeros(1)])
    NO_COMPILER = None
except RuntimeError as err:
    NO_COMPILER = str(err)

needs_compiler = pytest.mark.skipif(NO_COMPILER is not None, reason=f"torch.compile cannot run here: {NO_COMPILER}")

STEPS = 6


def mlp(seed=0):
    torch.manual_seed(seed)
    return torch.nn.Sequential(torch.nn.Linear(4, 16), torch.nn.Tanh(), torch.nn.Linear(16, 1))


def data(seed=1):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(64, 4, generator=g)
    return x, torch.sin(x.sum(dim=1, keepdim=True))


def train(model, opt, scheduler=None, steps=STEPS):
    x, y = data()
    for _ in range(steps):
        opt.zero_grad()
        torch.nn.functional.mse_loss(model(x), y).backward()
        opt.step()
        if scheduler is not None:
            scheduler.step()


def assert_same_params(a, b):
    # float32 defaults of assert_close: rtol 1.3e-6, atol 1e-5
    for (name, p), q in zip(a.named_parameters(), b.parameters()):
        torch.testing.assert_close(p, q, msg=lambda m: f"{name}: {m}")


RULES = [
    pytest.param(lambda: optlib.adam(lr=0.01, amsgrad=True, weight_decay=0.1), id="adam-amsgrad-wd"),
    pytest.param(lambda: optlib.sgd(lr=0.05, momentum=0.9, nesterov=True, maximize=True), id="sgd-nesterov-maximize"),
    pytest.param(lambda: optlib.nadam(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True), id="nadam-decoupled"),
]


@needs_compiler
@pytest.mark.parametrize("make_rule", RULES)
def test_compiled_matches_eager_and_keeps_state_in_place(make_rule):
    eager, compiled = mlp(), mlp()
    opt_e = optlib.TorchOptimizer(eager.parameters(), make_rule())
    opt_c = optlib.TorchOptimizer(compiled.parameters(), make_rule(), compile=True)
    train(eager, opt_e)
    train(compiled, opt_c)
    assert_same_params(eager, compiled)
    for p_e, p_c in zip(eager.parameters(), compiled.parameters()):
        s_e, s_c = opt_e.state[p_e], opt_c.state[p_c]
        assert s_c["count"] == s_e["count"] == STEPS
        for name, value in s_e.items():
            if torch.is_tensor(value):
                torch.testing.assert_close(s_c[name], value, msg=lambda m: f"state {name}: {m}")


@needs_compiler
def test_a_scheduled_lr_matches_torch_optim_without_recompiling_every_step():
    from torch._dynamo.utils import counters

    ours, theirs = mlp(), mlp()
    opt = optlib.TorchOptimizer(ours.parameters(), optlib.adam(lr=0.05), compile=True)
    ref = torch.optim.Adam(theirs.parameters(), lr=0.05, foreach=False)
    before = counters["stats"]["unique_graphs"]
    steps = 12
    train(ours, opt, torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=steps), steps=steps)
    train(theirs, ref, torch.optim.lr_scheduler.CosineAnnealingLR(ref, T_max=steps), steps=steps)
    assert_same_params(ours, theirs)
    # one graph for the first step, one once the step count and lr have changed
    assert counters["stats"]["unique_graphs"] - before <= 2


@needs_compiler
def test_state_dict_round_trip_resumes_exactly():
    a, b = mlp(), mlp()
    opt_a = optlib.TorchOptimizer(a.parameters(), optlib.rmsprop(lr=0.01, momentum=0.5, centered=True), compile=True)
    train(a, opt_a, steps=3)
    b.load_state_dict(a.state_dict())
    opt_b = optlib.TorchOptimizer(b.parameters(), optlib.rmsprop(lr=0.01, momentum=0.5, centered=True), compile=True)
    opt_b.load_state_dict(copy.deepcopy(opt_a.state_dict()))
    train(a, opt_a, steps=3)
    train(b, opt_b, steps=3)
    for p, q in zip(a.parameters(), b.parameters()):
        assert torch.equal(p, q)


def test_without_a_cxx_compiler_the_constructor_says_so(monkeypatch):
    import torch._inductor.config

    monkeypatch.setattr(torch._inductor.config.cpp, "cxx", (None, "no-such-c++-compiler"))
    with pytest.raises(RuntimeError, match=r"compile=True needs a C\+\+ compiler .* or use compile=False"):
        optlib.TorchOptimizer(mlp().parameters(), optlib.adam(), compile=True)


def test_compile_must_be_a_bool():
    with pytest.raises(TypeError, match="compile must be True or False"):
        optlib.TorchOptimizer(mlp().parameters(), optlib.adam(), compile="yes")
