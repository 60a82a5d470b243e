"""Stochastic gradient descent, with heavy-ball or Nesterov momentum."""
from typing import Any, NamedTuple

from ._base import boolean, leafwise, learning_rate, lr_at, make_optimizer, need_params, non_negative, unit_interval, zeros_tree

__all__ = ["sgd", "SGDState"]


class SGDState(NamedTuple):
    """``count``: updates done so far; ``b``: the momentum buffer (None without momentum)."""

    count: int
    b: Any


def sgd(lr=1e-3, momentum=0.0, nesterov=False, weight_decay=0.0):
    r"""Gradient descent, optionally with momentum (torch.optim.SGD).

    The update at step :math:`t = 1, 2, \dots`, exactly as implemented, with
    :math:`\eta_t` the learning rate (or ``lr(t - 1)`` for a schedule),
    :math:`\beta` = ``momentum``, :math:`\lambda` = ``weight_decay`` and
    :math:`b_0 = 0`:

    .. math::

        g_t &\leftarrow g_t + \lambda\,\theta_{t-1} \\
        b_t &= \beta\, b_{t-1} + g_t \\
        d_t &= \begin{cases} g_t + \beta\, b_t & \text{nesterov} \\
                             b_t & \text{otherwise} \end{cases} \\
        \theta_t &= \theta_{t-1} - \eta_t\, d_t

    With ``momentum=0`` the buffer is not kept and :math:`d_t = g_t`: plain
    gradient descent. Since :math:`b_0 = 0`, :math:`b_1 = g_1`, which is how
    torch starts its buffer.

    Args:
        lr: learning rate :math:`\eta` (>= 0) or a schedule, a function of
            the step count ``k = 0, 1, ...`` (see :mod:`optlib.schedules`).
            Default 1e-3.
        momentum: :math:`\beta` in [0, 1). Default 0 (no momentum).
        nesterov: use Nesterov's look-ahead form; needs ``momentum > 0``.
            Default False.
        weight_decay: L2 penalty :math:`\lambda` >= 0 added to the gradient.
            Default 0.

    Returns:
        An :class:`optlib.Optimizer`; its state is :class:`SGDState`.

    Example:

    >>> import numpy as np, optlib
    >>> opt = optlib.sgd(lr=0.1, momentum=0.9)
    >>> x = np.array([1.0, -2.0]); state = opt.init(x)
    >>> for _ in range(3):
    ...     updates, state = opt.update(2 * x, state)   # grad of |x|^2
    ...     x = optlib.apply_updates(x, updates)
    >>> x.round(4), state.count
    (array([ 0.062, -0.124]), 3)

    References:
        Polyak, "Some methods of speeding up the convergence of iteration
        methods", 1964 (heavy ball). Nesterov, "A method for solving the convex
        programming problem with convergence rate O(1/k^2)", 1983; in the form
        of Sutskever et al., "On the importance of initialization and momentum
        in deep learning", ICML 2013.

    How others differ:
        torch.optim.SGD is this rule (optlib omits ``dampening``, i.e. uses 0).
        Keras writes momentum as :math:`v = \beta v - \eta g,\ \theta \mathrel{+}= v`
        and optax's ``trace`` as :math:`b = \beta b + g`; all three give the
        same trajectory at a constant learning rate and differ once it changes
        (Keras folds old learning rates into :math:`v`).
    """
    lr = learning_rate(lr)
    momentum = unit_interval("momentum", momentum)
    nesterov = boolean("nesterov", nesterov)
    if nesterov and momentum == 0:
        raise ValueError("nesterov=True requires momentum > 0 (got momentum=0.0)")
    weight_decay = non_negative("weight_decay", weight_decay)

    def init(params):
        return SGDState(count=0, b=zeros_tree(params) if momentum else None)

    def update(grads, state, params=None):
        need_params(params, weight_decay)
        eta = lr_at(lr, state.count)

        def step(g, theta, b):
            if weight_decay:
                g = g + weight_decay * theta
            if momentum:
                b = momentum * b + g
                g = g + momentum * b if nesterov else b
            return -eta * g, b

        updates, b = leafwise(step, grads, params, state.b)
        return updates, SGDState(state.count + 1, b)

    return make_optimizer(sgd, init, update, lr=lr, momentum=momentum, nesterov=nesterov, weight_decay=weight_decay)
