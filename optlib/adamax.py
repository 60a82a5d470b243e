"""Adamax: Adam with the infinity norm in place of the RMS."""
from typing import Any, NamedTuple

from ._base import boolean, leafwise, learning_rate, lr_at, make_optimizer, need_params, non_negative, unit_interval, zeros_tree
from ._backend import ema, maximum

__all__ = ["adamax", "AdamaxState"]


class AdamaxState(NamedTuple):
    """``m``: EMA of g; ``u``: exponentially weighted infinity norm of g."""

    count: int
    m: Any
    u: Any


def adamax(lr=2e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0, maximize=False):
    r"""Adamax (torch.optim.Adamax), section 7.1 of the Adam paper.

    At step :math:`t = 1, 2, \dots`, elementwise, with :math:`m_0 = u_0 = 0`:

    .. math::

        g_t &\leftarrow -g_t \quad\text{(maximize only)} \\
        g_t &\leftarrow g_t + \lambda\,\theta_{t-1} \\
        m_t &= \beta_1\, m_{t-1} + (1 - \beta_1)\, g_t \\
        u_t &= \max(\beta_2\, u_{t-1},\ |g_t| + \epsilon) \\
        \theta_t &= \theta_{t-1} - \frac{\eta_t}{1 - \beta_1^t}\, \frac{m_t}{u_t}

    ``eps`` is added to :math:`|g_t|` **inside** the max, as torch does;
    :math:`u_t` needs no bias correction.

    Args:
        lr: learning rate :math:`\eta` >= 0 (a number or a one-element
            tensor), or a schedule. Default 2e-3.
        beta1: decay :math:`\beta_1` in [0, 1). Default 0.9.
        beta2: decay :math:`\beta_2` of the norm, in [0, 1). Default 0.999.
        eps: :math:`\epsilon` >= 0. Default 1e-8.
        weight_decay: L2 penalty :math:`\lambda` >= 0. Default 0.
        maximize: ascend instead of descend. Default False.

    Example:

    >>> import numpy as np, optlib
    >>> opt = optlib.adamax(lr=0.1, eps=0.0)
    >>> x = np.array([1.0, -100.0]); state = opt.init(x)
    >>> updates, state = opt.update(2 * x, state)
    >>> updates            # the first step is -lr * sign(g)
    array([-0.1,  0.1])

    References:
        Kingma and Ba, "Adam: A method for stochastic optimization", ICLR
        2015, section 7.1.

    Other frameworks with optlib's arguments:
        - torch.optim.Adamax: this rule, same names and defaults.
        - optax ``adamax(learning_rate)``: this rule, ``adamax(lr)``.
        - Keras ``Adamax()`` and Lasagne ``adamax(loss, params)`` take
          :math:`u_t = \max(\beta_2 u_{t-1}, |g_t|)` and divide by
          :math:`u_t + \epsilon`: no constant ``eps`` reproduces that
          placement exactly, ``eps=0`` does when theirs is 0 (Keras: lr
          1e-3, eps 1e-7; Lasagne: lr 2e-3, eps 1e-8). With their eps the
          two :math:`u` differ by less than eps, so ``adamax(lr=1e-3,
          eps=1e-7)`` stays within 1e-9 relative of Keras's defaults over
          25 steps. d2l has no Adamax.
    """
    lr = learning_rate(lr)
    beta1 = unit_interval("beta1", beta1)
    beta2 = unit_interval("beta2", beta2)
    eps = non_negative("eps", eps)
    weight_decay = non_negative("weight_decay", weight_decay)
    maximize = boolean("maximize", maximize)

    def init(params):
        return AdamaxState(count=0, m=zeros_tree(params), u=zeros_tree(params))

    def update(grads, state, params=None):
        need_params(params, weight_decay)
        eta = lr_at(lr, state.count)
        t = state.count + 1
        bias1 = 1 - beta1**t  # u needs no bias correction

        def step(g, theta, m, u):
            if maximize:
                g = -g
            if weight_decay:
                g = g + weight_decay * theta
            m = ema(m, g, beta1)  # beta1 * m + (1 - beta1) * g
            u = maximum(beta2 * u, abs(g) + eps)
            return -eta / bias1 * m / u, m, u

        updates, m, u = leafwise(step, grads, params, state.m, state.u)
        return updates, AdamaxState(t, m, u)

    return make_optimizer(
        adamax, init, update, lr=lr, beta1=beta1, beta2=beta2, eps=eps, weight_decay=weight_decay, maximize=maximize
    )
