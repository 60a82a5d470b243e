r"""A small multilayer perceptron written from scratch in NumPy.

Chapter 9 trains a real network with every optimizer of the book. This is
that network, with its forward and backward pass written out, so that the
optimizers see nothing but a dict of arrays and a dict of their gradients:

.. math::

    h_0 = X, \qquad h_\ell = \mathrm{relu}(h_{\ell-1} W_\ell + b_\ell)\ (\ell < L),
    \qquad z = h_{L-1} W_L + b_L,

    f = -\frac1n \sum_{i=1}^n \log \operatorname{softmax}(z_i)_{y_i} .

The parameters are ``{"W1": (d, H), "b1": (H,), ..., "WL": (H, K), "bL": (K,)}``,
float64, initialised as ``torch.nn.Linear`` does (every entry uniform on
:math:`\pm 1/\sqrt{\text{fan-in}}`), so :func:`to_torch` gives the same model
as a ``torch.nn.Sequential``. ``tests/test_network.py`` checks the gradients
against torch's autograd.

>>> import numpy as np
>>> params = init([4, 3, 2], seed=0)
>>> {name: p.shape for name, p in params.items()}
{'W1': (4, 3), 'b1': (3,), 'W2': (3, 2), 'b2': (2,)}
>>> X, y = np.ones((5, 4)), np.array([0, 1, 1, 0, 1])
>>> loss, grads = loss_and_grad(params, X, y)
>>> round(loss, 6), grads["W1"].shape
(0.71651, (4, 3))
"""
import numbers

import numpy as np

__all__ = ["init", "logits", "loss_and_grad", "loss", "accuracy", "to_torch", "from_torch"]


def init(sizes, seed=0):
    """Parameters of a network with layer widths ``sizes`` (inputs first, classes last).

    Every weight and bias is drawn uniformly from
    :math:`[-1/\\sqrt{m}, 1/\\sqrt{m}]`, :math:`m` the layer's number of
    inputs: the distribution of ``torch.nn.Linear``'s default
    initialisation, drawn with ``numpy.random.default_rng(seed)``.
    """
    if isinstance(sizes, (str, bytes)) or not hasattr(sizes, "__len__") or len(sizes) < 2:
        raise ValueError(f"sizes must list at least two layer widths (inputs, ..., classes), got {sizes!r}")
    for s in sizes:
        if isinstance(s, bool) or not isinstance(s, numbers.Integral) or s < 1:
            raise ValueError(f"sizes must hold positive integers, got {sizes!r}")
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise ValueError(f"seed must be an integer >= 0, got {seed!r}")
    rng = np.random.default_rng(seed)
    params = {}
    for layer, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
        bound = 1 / np.sqrt(fan_in)
        params[f"W{layer}"] = rng.uniform(-bound, bound, (fan_in, fan_out))
        params[f"b{layer}"] = rng.uniform(-bound, bound, fan_out)
    return params


def _layers(params):
    if not isinstance(params, dict) or not params or len(params) % 2:
        raise ValueError("params must be a dict {'W1': ..., 'b1': ..., 'W2': ...} as init() returns")
    layers = len(params) // 2
    missing = [k for layer in range(1, layers + 1) for k in (f"W{layer}", f"b{layer}") if k not in params]
    if missing:
        raise ValueError(f"params lacks {', '.join(missing)}: give the dict init() returns")
    return layers


def _forward(params, X):
    """The hidden activations h_0 = X, ..., h_{L-1} and the logits z."""
    layers = _layers(params)
    h = [np.asarray(X, dtype=float)]
    for layer in range(1, layers):
        z = h[-1] @ params[f"W{layer}"] + params[f"b{layer}"][..., None, :]
        h.append(np.maximum(z, 0.0))
    return h, h[-1] @ params[f"W{layers}"] + params[f"b{layers}"][..., None, :]


def logits(params, X):
    """The network's outputs z (before the softmax), shape (..., n, K)."""
    return _forward(params, X)[1]


def _scalar(a):
    return float(a) if np.ndim(a) == 0 else a


def _log_softmax(z):
    z = z - z.max(axis=-1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=-1, keepdims=True))


def _onehot(y, z):
    """(..., n, K): 1 where the column is row i's label y_i, else 0."""
    y = np.asarray(y)
    if y.shape[-1] != z.shape[-2]:
        raise ValueError(f"X has {z.shape[-2]} rows but y has {y.shape[-1]} labels")
    return (y[..., None] == np.arange(z.shape[-1])).astype(float)


def loss_and_grad(params, X, y):
    """The mean cross-entropy over the rows of ``X`` and its gradient, a dict like ``params``.

    The backward pass, layer by layer from the top: with
    :math:`\\delta = \\partial f / \\partial z = (\\operatorname{softmax}(z) - \\mathrm{onehot}(y))/n`,
    :math:`\\partial f/\\partial W_\\ell = h_{\\ell-1}^\\top \\delta`,
    :math:`\\partial f/\\partial b_\\ell = \\sum_i \\delta_i`, and
    :math:`\\delta \\leftarrow (\\delta W_\\ell^\\top) \\odot [h_{\\ell-1} > 0]`
    for the layer below.

    Runs side by side: every array may carry the same leading axes (a stack
    of networks, ``{"W1": (R, d, H), ...}``, with ``X`` of shape (R, n, d)
    or a shared (n, d)); the loss then has shape (R,).
    """
    h, z = _forward(params, X)
    onehot = _onehot(y, z)
    log_p = _log_softmax(z)
    loss = -(log_p * onehot).sum(axis=-1).mean(axis=-1)
    delta = (np.exp(log_p) - onehot) / z.shape[-2]    # (softmax(z) - onehot(y)) / n
    grads = {}
    for layer in range(len(h), 0, -1):
        grads[f"W{layer}"] = np.swapaxes(h[layer - 1], -1, -2) @ delta
        grads[f"b{layer}"] = delta.sum(axis=-2)
        if layer > 1:
            W_T = np.swapaxes(params[f"W{layer}"], -1, -2)
            delta = (delta @ W_T) * (h[layer - 1] > 0)
    return _scalar(loss), {name: grads[name] for name in params}


def loss(params, X, y):
    """The mean cross-entropy over the rows of ``X``."""
    z = logits(params, X)
    return _scalar(-(_log_softmax(z) * _onehot(y, z)).sum(axis=-1).mean(axis=-1))


def accuracy(params, X, y):
    """The fraction of rows of ``X`` whose largest logit is the label."""
    z = logits(params, X)
    return _scalar((z.argmax(axis=-1) == np.asarray(y)).mean(axis=-1))


def to_torch(params):
    """The same network as a float64 ``torch.nn.Sequential`` (Linear, ReLU, ..., Linear).

    ``torch.nn.Linear`` stores its weight as (outputs, inputs), the transpose
    of ``W``; the parameters are copied, so training one leaves the other.
    """
    import torch

    layers = _layers(params)
    modules = []
    for layer in range(1, layers + 1):
        W, b = params[f"W{layer}"], params[f"b{layer}"]
        linear = torch.nn.Linear(*W.shape, dtype=torch.float64)
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(np.array(W.T)))
            linear.bias.copy_(torch.from_numpy(np.array(b)))
        modules.append(linear)
        if layer < layers:
            modules.append(torch.nn.ReLU())
    return torch.nn.Sequential(*modules)


def from_torch(model, grads=False):
    """The parameters of a ``torch.nn.Sequential`` of Linear and ReLU layers, as ``init`` gives them.

    With ``grads=True``, their ``.grad`` instead (after ``loss.backward()``),
    laid out the same way: the gradient ``loss_and_grad`` computes.
    """
    import torch

    linears = [m for m in model if isinstance(m, torch.nn.Linear)]
    if not linears:
        raise ValueError("model must be a torch.nn.Sequential holding torch.nn.Linear layers")

    def array(p):
        if grads and p.grad is None:
            raise ValueError("grads=True, but the model has no gradients: call loss.backward() first")
        return (p.grad if grads else p).detach().double().numpy().copy()

    params = {}
    for layer, linear in enumerate(linears, start=1):
        params[f"W{layer}"] = array(linear.weight).T.copy()
        params[f"b{layer}"] = array(linear.bias)
    return params
