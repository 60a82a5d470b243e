"""What every optimizer shares: the Optimizer type, hyperparameter checks,
the learning-rate lookup, the leaf-by-leaf mapping and ``apply_updates``."""
import contextlib
import contextvars
import dataclasses
import math
import numbers
from types import MappingProxyType
from typing import Any, Callable, Mapping

from ._backend import is_torch, zeros_like
from ._tree import flatten, leaves_like, unflatten

__all__ = ["Optimizer", "apply_updates"]


@dataclasses.dataclass(frozen=True)
class Optimizer:
    """An update rule as a pair of pure functions (optax's contract).

    ``init(params) -> state`` builds the state (an immutable named tuple);
    ``update(grads, state, params=None) -> (updates, new_state)`` computes the
    step, which :func:`apply_updates` adds to the params. ``hyperparams`` are
    the arguments the factory was called with, and ``factory`` the factory
    itself, so ``opt.factory(**{**opt.hyperparams, "lr": 0.1})`` rebuilds it.
    """

    name: str
    init: Callable[[Any], Any]
    update: Callable[..., Any]
    hyperparams: Mapping[str, Any]
    factory: Callable[..., "Optimizer"]

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.hyperparams.items())
        return f"{self.name}({args})"


def make_optimizer(factory, init, update, **hyperparams):
    return Optimizer(factory.__name__, init, update, MappingProxyType(dict(hyperparams)), factory)


# ---------------------------------------------------------------- validation

def _number(name, value):
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {value!r} ({type(value).__name__})")
    value = float(value)
    if math.isnan(value) or math.isinf(value):
        raise ValueError(f"{name} must be a finite number, got {value}")
    return value


def non_negative(name, value):
    """A finite float >= 0, or ValueError naming ``name`` and the valid range."""
    value = _number(name, value)
    if value < 0:
        raise ValueError(f"{name} must be >= 0, got {value}")
    return value


def unit_interval(name, value):
    """A float in [0, 1) (a decay rate: 1 would never forget, > 1 explodes)."""
    value = _number(name, value)
    if not 0.0 <= value < 1.0:
        raise ValueError(f"{name} must be in [0, 1), got {value}")
    return value


def closed_unit_interval(name, value):
    """A float in [0, 1] (a fraction, such as SGD's dampening)."""
    value = _number(name, value)
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"{name} must be in [0, 1], got {value}")
    return value


def boolean(name, value):
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be True or False, got {value!r}")
    return value


def learning_rate(lr):
    """A constant lr >= 0, a one-element torch tensor holding one, or a schedule.

    A tensor is kept as it is, as torch.optim keeps it: its value is read at
    every update, so a torch LR scheduler that edits it in place (``fill_``)
    is followed.
    """
    if is_torch(lr):
        if lr.numel() != 1 or not lr.is_floating_point():
            raise ValueError(f"lr as a tensor must hold one floating-point number, got shape {tuple(lr.shape)} of dtype {lr.dtype}")
        non_negative("lr", float(lr))
        return lr
    if callable(lr):
        return lr
    return non_negative("lr", lr)


def lr_at(lr, count):
    """The learning rate for the update that follows ``count`` earlier ones.

    Schedules are evaluated at k = count = 0, 1, 2, ..., as torch's LR
    schedulers are (``scheduler.step()`` after each ``optimizer.step()``).
    A tensor lr gives its current value.
    """
    if is_torch(lr):
        return non_negative("lr", float(lr))
    if not callable(lr):
        return lr
    value = lr(count)
    try:
        return non_negative("lr", value)
    except (TypeError, ValueError) as err:
        raise ValueError(f"the lr schedule {lr!r} gave an invalid value at step {count}: {err}") from None


def need_params(params, weight_decay, name="weight_decay"):
    if params is None and weight_decay != 0:
        raise ValueError(f"update() needs params when {name} != 0 (got {name}={weight_decay})")


# ------------------------------------------------------------ tree plumbing

def zeros_tree(params):
    """A tree of zeros shaped like ``params`` (checked as params)."""
    return tree_full_like(params, 0.0)


def tree_full_like(params, value):
    """A tree shaped like ``params`` with every entry ``value``."""
    leaves, treedef = flatten(params, "params")
    return unflatten(treedef, [zeros_like(x) + value if value else zeros_like(x) for x in leaves])


def leafwise(step, grads, params, *states):
    """Apply ``step(g, theta, *state_leaves)`` to every leaf.

    ``step`` returns ``(update, *new_state_leaves)``. The first non-None
    state tree (built from params by ``init``) fixes the structure; grads and
    params must match it, else ``ValueError`` names the mismatch. ``theta``
    is None when params is None. Returns ``(updates, *new_state_trees)``;
    a state tree that is None (a disabled feature) stays None.
    """
    runner = _IN_PLACE.get()
    if runner is not None:
        # TorchOptimizer(compile=True), whose trees are lists of tensors of one
        # param group: a compiled function runs `step` on every leaf, adds each
        # update to its param and writes the new state into the old buffers.
        runner(step, grads, params, states)
        return (None, *states)
    ref = next((s for s in states if s is not None), params if params is not None else grads)
    ref_leaves, treedef = flatten(ref, "params")
    n = len(ref_leaves)
    g = leaves_like(grads, treedef, ref_leaves, "grads")
    if params is None:
        p = [None] * n
    elif params is ref:
        p = ref_leaves
    else:
        p = leaves_like(params, treedef, ref_leaves, "params", "the state's params")
    s = [leaves_like(t, treedef, ref_leaves, "state", "params") if t is not None else [None] * n for t in states]
    outs = [step(*args) for args in zip(g, p, *s)]
    columns = list(zip(*outs)) if outs else [()] * (1 + len(states))
    return tuple(
        None if (i > 0 and states[i - 1] is None) else unflatten(treedef, col)
        for i, col in enumerate(columns)
    )


_IN_PLACE = contextvars.ContextVar("optlib_in_place", default=None)


@contextlib.contextmanager
def in_place(runner):
    """Inside this block, :func:`leafwise` hands its per-leaf ``step`` and its
    trees, unchecked, to ``runner(step, grads, params, states)`` and returns
    ``(None, *states)``: the runner must add each update to its param and
    write the new state into the given buffers. Only
    ``TorchOptimizer(compile=True)`` uses this, with lists of tensors."""
    token = _IN_PLACE.set(runner)
    try:
        yield
    finally:
        _IN_PLACE.reset(token)


def apply_updates(params, updates):
    """Return ``params + updates``, leaf by leaf, keeping each param's dtype.

    Neither input is modified. ``updates`` must have the structure and shapes
    of ``params`` (else ``ValueError``).

    >>> import numpy as np
    >>> apply_updates({"w": np.array([1.0, 2.0])}, {"w": np.array([0.5, -0.5])})
    {'w': array([1.5, 1.5])}
    """
    p, treedef = flatten(params, "params")
    u = leaves_like(updates, treedef, p, "updates")
    out = []
    for x, d in zip(p, u):
        y = x + d
        if y.dtype != x.dtype:  # e.g. float64 updates on float32 params
            y = y.to(x.dtype) if hasattr(y, "to") else y.astype(x.dtype)
        out.append(y)
    return unflatten(treedef, out)
