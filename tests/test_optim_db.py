"""Every configuration torch's own test suite runs for these eight optimizers.

The table is ``torch.testing._internal.common_optimizers.optim_db``, read
from the installed torch (it needs the ``expecttest`` package), so a
configuration a later torch release adds shows up here as a new test. Each
one is built through optlib's public API (torch's ``betas`` split into
``beta1``, ``beta2``; every other name is torch's own) and must reproduce
torch's for-loop implementation to 1e-10 relative in float64 on nested
params, on NumPy arrays and on torch tensors.
"""
import numpy as np
import pytest
import torch
from torch.testing._internal.common_optimizers import optim_db

import optlib
from oracle import RTOL, SHAPES, random_run, run_optlib, run_torch_optim

NAMES = {
    torch.optim.SGD: "sgd",
    torch.optim.Adagrad: "adagrad",
    torch.optim.RMSprop: "rmsprop",
    torch.optim.Adadelta: "adadelta",
    torch.optim.Adam: "adam",
    torch.optim.AdamW: "adamw",
    torch.optim.Adamax: "adamax",
    torch.optim.NAdam: "nadam",
}

# Keywords that choose torch's implementation (for-loop, foreach, fused,
# CUDA graphs, autograd through the step), not the arithmetic.
IMPLEMENTATION = {"foreach", "fused", "capturable", "differentiable"}


class DbCase:
    """One optim_db configuration, as a torch optimizer and as an optlib rule."""

    def __init__(self, info, config):
        self.cls, self.name = info.optim_cls, NAMES[info.optim_cls]
        self.kwargs = {k: v for k, v in config.kwargs.items() if k not in IMPLEMENTATION}
        self.desc = config.desc

    def torch(self, params, **extra):
        return self.cls(params, foreach=False, **self.kwargs, **extra)

    def optlib(self, **extra):
        kwargs = dict(self.kwargs)
        if "betas" in kwargs:
            kwargs["beta1"], kwargs["beta2"] = kwargs.pop("betas")
        return optlib.OPTIMIZERS[self.name](**kwargs, **extra)


def db_cases():
    for info in optim_db:
        if info.optim_cls in NAMES:
            for config in info.optim_inputs_func(device="cpu", dtype=torch.float64):
                yield DbCase(info, config)


CASES = list(db_cases())


def test_optim_db_lists_every_optimizer():
    # 52 configurations in torch 2.13; a later torch may add more, never fewer.
    assert {c.name for c in CASES} == set(NAMES.values())
    assert len(CASES) >= 52


@pytest.mark.parametrize("backend", ["numpy", "torch"])
@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.name}-{c.desc}")
def test_matches_torch_optim(case, backend):
    x0, grads = random_run()
    expected, _, _ = run_torch_optim(case, x0, grads)
    got, state = run_optlib(case, x0, grads, backend)
    for step, (e, g) in enumerate(zip(expected, got), start=1):
        for p in SHAPES:
            np.testing.assert_allclose(g[p], e[p], rtol=RTOL, atol=1e-13, err_msg=f"{case.desc} step {step} at {p}")
