"""The few array operations that differ between NumPy and torch.

Everything else in optlib's update rules is written with Python operators
(``+``, ``*``, ``/``), which NumPy arrays and torch tensors both understand.
torch is imported only when a tensor is actually passed in, so NumPy users
never pay for it.
"""
import numpy as np


def is_torch(x):
    """True for a torch tensor (including ``nn.Parameter``)."""
    return type(x).__module__.startswith("torch")


def _torch():
    import torch

    return torch


def sqrt(x):
    return _torch().sqrt(x) if is_torch(x) else np.sqrt(x)


def maximum(a, b):
    return _torch().maximum(a, b) if is_torch(a) else np.maximum(a, b)


def zeros_like(x):
    return _torch().zeros_like(x) if is_torch(x) else np.zeros_like(x)


def exp(x):
    return _torch().exp(x) if is_torch(x) else np.exp(x)


def log1p(x):
    return _torch().log1p(x) if is_torch(x) else np.log1p(x)


def cos(x):
    return _torch().cos(x) if is_torch(x) else np.cos(x)


def sin(x):
    return _torch().sin(x) if is_torch(x) else np.sin(x)


def ema(avg, x, decay):
    r"""One step of an exponential moving average: ``decay * avg + (1 - decay) * x``.

    The newest ``x`` gets weight :math:`1 - \beta` and the one :math:`k`
    steps back :math:`(1 - \beta)\beta^k`: roughly an average over the last
    :math:`1/(1 - \beta)` values. On torch tensors this is one fused
    ``torch.lerp`` (the same operation torch.optim uses) instead of three.

    >>> import numpy as np
    >>> ema(np.array([0.0]), np.array([1.0]), decay=0.9)
    array([0.1])
    """
    if is_torch(avg):
        return _torch().lerp(avg, x, 1 - decay)
    return decay * avg + (1 - decay) * x
