"""AdaGrad: a per-coordinate learning rate from the sum of squared gradients."""
from typing import Any, NamedTuple

from ._backend import sqrt
from ._base import leafwise, learning_rate, lr_at, make_optimizer, need_params, non_negative, zeros_tree

__all__ = ["adagrad", "AdagradState"]


class AdagradState(NamedTuple):
    """``count``: updates done; ``s``: running sum of squared gradients."""

    count: int
    s: Any


def adagrad(lr=1e-2, eps=1e-10, weight_decay=0.0):
    r"""AdaGrad (torch.optim.Adagrad with ``lr_decay=0``, ``initial_accumulator_value=0``).

    At step :math:`t = 1, 2, \dots`, elementwise, with :math:`s_0 = 0`:

    .. math::

        g_t &\leftarrow g_t + \lambda\,\theta_{t-1} \\
        s_t &= s_{t-1} + g_t^2 \\
        \theta_t &= \theta_{t-1} - \eta_t\, \frac{g_t}{\sqrt{s_t} + \epsilon}

    ``eps`` is added **outside** the square root, as torch does.

    Args:
        lr: learning rate :math:`\eta` >= 0, or a schedule. Default 1e-2.
        eps: :math:`\epsilon` >= 0, keeps the division finite. Default 1e-10.
        weight_decay: L2 penalty :math:`\lambda` >= 0 added to the gradient.
            Default 0.

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

    How others differ:
        optax and Keras start the sum at 0.1 and put eps inside the root
        (:math:`g/\sqrt{s + \epsilon}`, eps=1e-7); Keras' default lr is 1e-3.
    """
    lr = learning_rate(lr)
    eps = non_negative("eps", eps)
    weight_decay = non_negative("weight_decay", weight_decay)

    def init(params):
        return AdagradState(count=0, s=zeros_tree(params))

    def update(grads, state, params=None):
        need_params(params, weight_decay)
        eta = lr_at(lr, state.count)

        def step(g, theta, s):
            if weight_decay:
                g = g + weight_decay * theta
            s = s + g * g
            return -eta * g / (sqrt(s) + eps), s

        updates, s = leafwise(step, grads, params, state.s)
        return updates, AdagradState(state.count + 1, s)

    return make_optimizer(adagrad, init, update, lr=lr, eps=eps, weight_decay=weight_decay)
