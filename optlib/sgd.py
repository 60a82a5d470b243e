"""Stochastic gradient descent, with heavy-ball or Nesterov momentum."""
from typing import Any, NamedTuple

from ._base import boolean, closed_unit_interval, leafwise, learning_rate, lr_at, make_optimizer, need_params, non_negative, unit_interval, zeros_tree

__all__ = ["sgd", "SGDState"]


class SGDState(NamedTuple):
    """``count``: updates done so far; ``b``: the momentum buffer (None without momentum)."""

    count: int
    b: Any


def sgd(lr=1e-3, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False, maximize=False):
    r"""Gradient descent, optionally with momentum (torch.optim.SGD).

    The update at step :math:`t = 1, 2, \dots`, exactly as implemented, with
    :math:`\eta_t` the learning rate (or ``lr(t - 1)`` for a schedule),
    :math:`\beta` = ``momentum``, :math:`\tau` = ``dampening``,
    :math:`\lambda` = ``weight_decay`` and :math:`b_0 = 0`:

    .. math::

        g_t &\leftarrow -g_t \quad\text{(maximize only)} \\
        g_t &\leftarrow g_t + \lambda\,\theta_{t-1} \\
        b_t &= \beta\, b_{t-1} + (1 - \tau_t)\, g_t,
            \qquad \tau_1 = 0,\ \tau_t = \tau \text{ for } t > 1 \\
        d_t &= \begin{cases} g_t + \beta\, b_t & \text{nesterov} \\
                             b_t & \text{otherwise} \end{cases} \\
        \theta_t &= \theta_{t-1} - \eta_t\, d_t

    With ``momentum=0`` the buffer is not kept and :math:`d_t = g_t`: plain
    gradient descent. Since :math:`b_0 = 0` and dampening starts at the
    second step, :math:`b_1 = g_1`, which is how torch starts its buffer.
    With :math:`\tau = \beta` the buffer is an exponential moving average of
    the gradients (after its first step), and the step is :math:`1-\beta`
    times smaller than heavy ball's.

    Args:
        lr: learning rate :math:`\eta` >= 0 (a number or a one-element
            tensor), or a schedule, a function of the step count
            ``k = 0, 1, ...`` (see :mod:`optlib.schedules`). Default 1e-3.
        momentum: :math:`\beta` in [0, 1). Default 0 (no momentum).
        dampening: :math:`\tau` in [0, 1], the share of each new gradient
            left out of the buffer from the second step on. Default 0.
        weight_decay: L2 penalty :math:`\lambda` >= 0 added to the gradient.
            Default 0.
        nesterov: use Nesterov's look-ahead form; needs ``momentum > 0`` and
            ``dampening = 0`` (as torch requires). Default False.
        maximize: ascend instead of descend (the gradient's sign is flipped
            first). Default False.

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

    Other frameworks with optlib's arguments:
        - torch.optim.SGD: this rule, same names and defaults.
        - Keras ``SGD(learning_rate, momentum, nesterov)`` writes
          :math:`v = \beta v - \eta g,\ \theta \mathrel{+}= v`: identical to
          ``sgd(lr, momentum, nesterov=...)`` at a constant learning rate; it
          differs once the rate changes (Keras folds old rates into
          :math:`v`). Keras's default lr is 0.01.
        - optax ``sgd(learning_rate, momentum, nesterov)``: its ``trace`` is
          :math:`b = \beta b + g`, so it is this rule.
        - Lasagne ``momentum(loss, params, learning_rate, momentum=0.9)``
          (and ``nesterov_momentum``): Keras's form, ``sgd(lr, momentum=0.9)``
          at a constant learning rate.
        - d2l (section 12.6): :math:`v = \beta v + g,\ x \mathrel{-}= \eta v`,
          exactly ``sgd(lr, momentum)``.
    """
    lr = learning_rate(lr)
    momentum = unit_interval("momentum", momentum)
    dampening = closed_unit_interval("dampening", dampening)
    weight_decay = non_negative("weight_decay", weight_decay)
    nesterov = boolean("nesterov", nesterov)
    maximize = boolean("maximize", maximize)
    if nesterov and (momentum == 0 or dampening != 0):
        raise ValueError(
            f"nesterov=True requires momentum > 0 and dampening = 0 (got momentum={momentum}, dampening={dampening})"
        )

    def init(params):
        return SGDState(count=0, b=zeros_tree(params) if momentum else None)

    def update(grads, state, params=None):
        need_params(params, weight_decay)
        eta = lr_at(lr, state.count)
        tau = dampening if state.count > 0 else 0.0  # torch: b_1 = g_1, undamped

        def step(g, theta, b):
            if maximize:
                g = -g
            if weight_decay:
                g = g + weight_decay * theta
            if momentum:
                b = momentum * b + (1 - tau) * g
                g = g + momentum * b if nesterov else b
            return -eta * g, b

        updates, b = leafwise(step, grads, params, state.b)
        return updates, SGDState(state.count + 1, b)

    return make_optimizer(
        sgd, init, update,
        lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay, nesterov=nesterov, maximize=maximize,
    )
