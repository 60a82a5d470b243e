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
