"""Classic traces printed in the literature, reproduced with the same hyperparameters.

Source: Zhang, Lipton, Li and Smola, Dive into Deep Learning (d2l.ai),
sections 12.3 (gradient descent), 12.6 (momentum) and 12.7 (AdaGrad): 20
steps on f(x) = 0.1 x1^2 + 2 x2^2 from (-5, -2), printed to 6 decimals.
"""
import numpy as np
import pytest

import optlib


def grad(x):
    return np.array([0.2 * x[0], 4.0 * x[1]])


@pytest.mark.parametrize(
    "opt, printed",
    [
        (optlib.sgd(lr=0.4), (-0.943467, -0.000073)),  # d2l 12.3.3 / 12.6.1
        (optlib.sgd(lr=0.6), (-0.387814, -1673.365109)),  # d2l 12.6.1: diverges along x2
        (optlib.sgd(lr=0.6, momentum=0.5), (0.007188, 0.002553)),  # d2l 12.6.1
        (optlib.sgd(lr=0.6, momentum=0.25), (-0.126340, -0.186632)),  # d2l 12.6.1
        # d2l's AdaGrad puts eps=1e-6 inside the root (eps_root); at lr=2 the
        # trace is insensitive to it. At lr=0.4 it moves the 6th decimal: that
        # run, and d2l's RMSprop, are in test_frameworks.py.
        (optlib.adagrad(lr=2.0, eps=0.0, eps_root=1e-6), (-0.002295, -0.000000)),  # d2l 12.7.3
    ],
    ids=["gd-0.4", "gd-0.6", "momentum-0.6-0.5", "momentum-0.6-0.25", "adagrad-2"],
)
def test_d2l_traces(opt, printed):
    x = np.array([-5.0, -2.0])
    state = opt.init(x)
    for _ in range(20):
        updates, state = opt.update(grad(x), state)
        x = optlib.apply_updates(x, updates)
    assert tuple(float(f"{v:.6f}") for v in x) == printed
