"""AdaGrad: a per-coordinate learning rate from the sum of squared gradients."""
from typing import Any, NamedTuple

from ._backend import sqrt
from ._base import boolean, leafwise, learning_rate, lr_at, make_optimizer, need_params, non_negative, tree_full_like

__all__ = ["adagrad", "AdagradState"]


class AdagradState(NamedTuple):
    """``count``: updates done; ``s``: running sum of squared gradients."""

    count: int
    s: Any


def adagrad(lr=1e-2, lr_decay=0.0, weight_decay=0.0, initial_accumulator_value=0.0, eps=1e-10, eps_root=0.0, maximize=False):
    r"""AdaGrad (torch.optim.Adagrad).

    At step :math:`t = 1, 2, \dots`, elementwise, with
    :math:`s_0` = ``initial_accumulator_value`` (0 by default):

    .. math::

        g_t &\leftarrow -g_t \quad\text{(maximize only)} \\
        g_t &\leftarrow g_t + \lambda\,\theta_{t-1} \\
        s_t &= s_{t-1} + g_t^2 \\
        \eta_t &= \frac{\eta}{1 + (t - 1)\,\delta} \\
        \theta_t &= \theta_{t-1} - \eta_t\, \frac{g_t}{\sqrt{s_t + \epsilon_{\text{root}}} + \epsilon}

    ``eps`` is added **outside** the square root, as torch does; ``eps_root``
    (optax's name, 0 by default) is added inside it. :math:`\delta` =
    ``lr_decay`` is torch's decay, the same as the schedule
    ``optlib.schedules.inverse_time(lr, decay_rate=lr_decay)``.

    Args:
        lr: learning rate :math:`\eta` >= 0 (a number or a one-element
            tensor), or a schedule. Default 1e-2.
        lr_decay: :math:`\delta` >= 0. Default 0.
        weight_decay: L2 penalty :math:`\lambda` >= 0 added to the gradient.
            Default 0.
        initial_accumulator_value: :math:`s_0` >= 0. Default 0.
        eps: :math:`\epsilon` >= 0, outside the root. Default 1e-10.
        eps_root: :math:`\epsilon_{\text{root}}` >= 0, inside the root.
            Default 0.
        maximize: ascend instead of descend. Default False.

    Example:

    >>> import numpy as np, optlib
    >>> opt = optlib.adagrad(lr=0.5)
    >>> x = np.array([1.0, 100.0]); state = opt.init(x)
    >>> updates, state = opt.update(2 * x, state)
    >>> updates      # the first step is -lr * sign(g) in every coordinate
    array([-0.5, -0.5])

    References:
        Duchi, Hazan and Singer, "Adaptive subgradient methods for online
        learning and stochastic optimization", JMLR 12, 2011.

    Other frameworks with optlib's arguments:
        - torch.optim.Adagrad: this rule, same names and defaults.
        - Keras ``Adagrad()``: ``adagrad(lr=1e-3, initial_accumulator_value=0.1,
          eps=0, eps_root=1e-7)`` (eps inside the root, sum from 0.1).
        - optax ``adagrad(learning_rate)``: ``adagrad(lr,
          initial_accumulator_value=0.1, eps=0, eps_root=1e-7)``.
        - Lasagne ``adagrad(loss, params)``: ``adagrad(lr=1.0, eps=0,
          eps_root=1e-6)``.
        - d2l (section 12.7): ``adagrad(lr, eps=0, eps_root=1e-6)``. Its
          published 20-step run at lr 0.4 depends on that placement in the
          6th decimal.
    """
    lr = learning_rate(lr)
    lr_decay = non_negative("lr_decay", lr_decay)
    weight_decay = non_negative("weight_decay", weight_decay)
    initial_accumulator_value = non_negative("initial_accumulator_value", initial_accumulator_value)
    eps = non_negative("eps", eps)
    eps_root = non_negative("eps_root", eps_root)
    maximize = boolean("maximize", maximize)

    def init(params):
        return AdagradState(count=0, s=tree_full_like(params, initial_accumulator_value))

    def update(grads, state, params=None):
        need_params(params, weight_decay)
        eta = lr_at(lr, state.count) / (1 + state.count * lr_decay)

        def step(g, theta, s):
            if maximize:
                g = -g
            if weight_decay:
                g = g + weight_decay * theta
            s = s + g * g
            return -eta * g / (sqrt(s + eps_root) + eps), s

        updates, s = leafwise(step, grads, params, state.s)
        return updates, AdagradState(state.count + 1, s)

    return make_optimizer(
        adagrad, init, update,
        lr=lr, lr_decay=lr_decay, weight_decay=weight_decay, initial_accumulator_value=initial_accumulator_value,
        eps=eps, eps_root=eps_root, maximize=maximize,
    )
