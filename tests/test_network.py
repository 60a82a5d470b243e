"""optlib.network, the NumPy multilayer perceptron of chapter 9, against torch's autograd.

The oracle is torch: the same weights in a ``torch.nn.Sequential`` (built here
by hand, not by ``network.to_torch``), ``torch.nn.functional.cross_entropy``
and ``loss.backward()``.
"""
import numpy as np
import pytest
import torch

from optlib import network


def torch_model(params):
    layers = len(params) // 2
    modules = []
    for layer in range(1, layers + 1):
        W = torch.tensor(params[f"W{layer}"])
        linear = torch.nn.Linear(W.shape[0], W.shape[1], dtype=torch.float64)
        linear.weight = torch.nn.Parameter(W.T.clone())
        linear.bias = torch.nn.Parameter(torch.tensor(params[f"b{layer}"]))
        modules += [linear, torch.nn.ReLU()]
    return torch.nn.Sequential(*modules[:-1])


def data(n=40, d=7, k=4, seed=1):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, d)), rng.integers(0, k, n)


@pytest.mark.parametrize("sizes", [[7, 4], [7, 5, 4], [7, 6, 5, 4]], ids=["linear", "one-hidden", "two-hidden"])
def test_loss_and_gradient_match_autograd(sizes):
    X, y = data(d=sizes[0], k=sizes[-1])
    params = network.init(sizes, seed=3)
    loss, grads = network.loss_and_grad(params, X, y)
    model = torch_model(params)
    expected = torch.nn.functional.cross_entropy(model(torch.tensor(X)), torch.tensor(y))
    expected.backward()
    assert loss == pytest.approx(expected.item(), rel=1e-13)
    linears = [m for m in model if isinstance(m, torch.nn.Linear)]
    for layer, linear in enumerate(linears, start=1):
        np.testing.assert_allclose(grads[f"W{layer}"], linear.weight.grad.numpy().T, rtol=1e-11, atol=1e-15)
        np.testing.assert_allclose(grads[f"b{layer}"], linear.bias.grad.numpy(), rtol=1e-11, atol=1e-15)
    assert list(grads) == list(params)
    assert network.loss(params, X, y) == pytest.approx(loss, rel=1e-14)


def test_accuracy_counts_argmax_hits():
    X, y = data()
    params = network.init([7, 5, 4], seed=0)
    model = torch_model(params)
    hits = (model(torch.tensor(X)).argmax(dim=1).numpy() == y).sum()
    assert network.accuracy(params, X, y) == hits / len(y)


def test_stacked_runs_equal_separate_runs():
    X, y = data()
    runs = [network.init([7, 5, 4], seed=s) for s in range(3)]
    stacked = {k: np.stack([p[k] for p in runs]) for k in runs[0]}
    rows = np.stack([np.arange(10) + 3 * s for s in range(3)])
    loss, grads = network.loss_and_grad(stacked, X[rows], y[rows])
    shared_loss = network.loss(stacked, X, y)
    for s, p in enumerate(runs):
        one, g = network.loss_and_grad(p, X[rows[s]], y[rows[s]])
        assert loss[s] == pytest.approx(one, rel=1e-14)
        for k in g:
            np.testing.assert_allclose(grads[k][s], g[k], rtol=1e-13, atol=1e-16)
        assert shared_loss[s] == pytest.approx(network.loss(p, X, y), rel=1e-14)
        assert network.accuracy(stacked, X, y)[s] == network.accuracy(p, X, y)


def test_init_is_torch_linear_distribution_and_seeded():
    params = network.init([64, 200, 10], seed=0)
    for layer, fan_in in ((1, 64), (2, 200)):
        bound = 1 / np.sqrt(fan_in)
        for name in (f"W{layer}", f"b{layer}"):
            p = params[name]
            assert p.dtype == np.float64 and np.all(np.abs(p) <= bound)
        # uniform on [-b, b]: variance b^2 / 3
        assert params[f"W{layer}"].var() == pytest.approx(bound**2 / 3, rel=0.05)
    again = network.init([64, 200, 10], seed=0)
    assert all(np.array_equal(params[k], again[k]) for k in params)
    other = network.init([64, 200, 10], seed=1)
    assert not np.array_equal(params["W1"], other["W1"])


def test_to_torch_and_back():
    params = network.init([7, 5, 4], seed=2)
    model = network.to_torch(params)
    X, _ = data()
    np.testing.assert_allclose(model(torch.tensor(X)).detach().numpy(), network.logits(params, X), rtol=1e-13)
    back = network.from_torch(model)
    assert all(np.array_equal(back[k], params[k]) for k in params)
    with torch.no_grad():
        model[0].weight.add_(1.0)
    assert np.array_equal(network.from_torch(network.to_torch(params))["W1"], params["W1"])  # copies, not views


def test_inputs_are_not_modified():
    X, y = data()
    params = network.init([7, 5, 4], seed=0)
    before = {k: v.copy() for k, v in params.items()}
    X0 = X.copy()
    network.loss_and_grad(params, X, y)
    assert all(np.array_equal(before[k], params[k]) for k in params) and np.array_equal(X, X0)


@pytest.mark.parametrize("sizes, message", [
    ([7], "at least two"), ("7,4", "at least two"), ([7, 0], "positive integers"), ([7, 2.5], "positive integers"),
])
def test_bad_sizes(sizes, message):
    with pytest.raises(ValueError, match=message):
        network.init(sizes)


def test_bad_seed_and_params():
    with pytest.raises(ValueError, match="seed"):
        network.init([3, 2], seed=-1)
    X, y = data(d=3, k=2)
    with pytest.raises(ValueError, match="params lacks b1"):
        network.loss_and_grad({"W1": np.zeros((3, 2)), "W2": np.zeros((3, 2))}, X, y)
    with pytest.raises(ValueError, match="rows but y has"):
        network.loss_and_grad(network.init([3, 2]), X, y[:-1])


def test_from_torch_grads():
    X, y = data()
    params = network.init([7, 5, 4], seed=4)
    model = network.to_torch(params)
    with pytest.raises(ValueError, match="backward"):
        network.from_torch(model, grads=True)
    torch.nn.functional.cross_entropy(model(torch.tensor(X)), torch.tensor(y)).backward()
    _, grads = network.loss_and_grad(params, X, y)
    got = network.from_torch(model, grads=True)
    for k in grads:
        np.testing.assert_allclose(got[k], grads[k], rtol=1e-11, atol=1e-15)
    with pytest.raises(ValueError, match="Linear"):
        network.from_torch(torch.nn.Sequential(torch.nn.ReLU()))
