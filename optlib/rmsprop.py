"""RMSprop: divide by a running root-mean-square of recent gradients."""
from typing import Any, NamedTuple

from ._backend import ema, sqrt
from ._base import boolean, leafwise, learning_rate, lr_at, make_optimizer, need_params, non_negative, unit_interval, zeros_tree

__all__ = ["rmsprop", "RMSpropState"]


class RMSpropState(NamedTuple):
    """``v``: EMA of g²; ``g_avg``: EMA of g (centered only); ``b``: momentum buffer (momentum > 0 only)."""

    count: int
    v: Any
    g_avg: Any
    b: Any


def rmsprop(lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0, centered=False, eps_root=0.0, maximize=False):
    r"""RMSprop (torch.optim.RMSprop).

    At step :math:`t = 1, 2, \dots`, elementwise, with :math:`v_0 = \bar g_0 = b_0 = 0`:

    .. math::

        g_t &\leftarrow -g_t \quad\text{(maximize only)} \\
        g_t &\leftarrow g_t + \lambda\,\theta_{t-1} \\
        v_t &= \alpha\, v_{t-1} + (1 - \alpha)\, g_t^2 \\
        \bar g_t &= \alpha\, \bar g_{t-1} + (1 - \alpha)\, g_t
            \quad\text{(centered only)} \\
        r_t &= \begin{cases} \sqrt{v_t - \bar g_t^2 + \epsilon_{\text{root}}} + \epsilon & \text{centered} \\
                             \sqrt{v_t + \epsilon_{\text{root}}} + \epsilon & \text{otherwise} \end{cases} \\
        b_t &= \beta\, b_{t-1} + g_t / r_t \quad\text{(momentum } \beta > 0\text{)} \\
        \theta_t &= \theta_{t-1} - \eta_t\, b_t
            \quad\text{(or } - \eta_t\, g_t / r_t \text{ without momentum)}

    ``eps`` is added **outside** the square root, as torch does; ``eps_root``
    (optax's name, 0 by default) inside it. :math:`v_t` weights the
    gradient :math:`k` steps back by :math:`(1-\alpha)\alpha^k`: an average
    over roughly the last :math:`1/(1-\alpha)` steps (100 at the default).

    Args:
        lr: learning rate :math:`\eta` >= 0 (a number or a one-element
            tensor), or a schedule. Default 1e-2.
        alpha: decay :math:`\alpha` of the average, in [0, 1). Default 0.99.
        eps: :math:`\epsilon` >= 0, outside the root. Default 1e-8.
        weight_decay: L2 penalty :math:`\lambda` >= 0. Default 0.
        momentum: :math:`\beta` in [0, 1). Default 0.
        centered: divide by an estimate of the gradient's standard deviation
            instead of its root mean square (Graves, 2013). Default False.
        eps_root: :math:`\epsilon_{\text{root}}` >= 0, inside the root.
            Default 0.
        maximize: ascend instead of descend. Default False.

    Example:

    >>> import numpy as np, optlib
    >>> opt = optlib.rmsprop(lr=0.01, alpha=0.9)
    >>> x = np.array([1.0, 100.0]); state = opt.init(x)
    >>> updates, state = opt.update(2 * x, state)
    >>> updates.round(6)   # -lr / sqrt(1 - alpha): same size in both coordinates
    array([-0.031623, -0.031623])

    References:
        Tieleman and Hinton, "Lecture 6.5 - RMSProp", COURSERA: Neural
        Networks for Machine Learning, 2012. Graves, "Generating sequences with
        recurrent neural networks", arXiv:1308.0850, 2013 (centered form).

    Other frameworks with optlib's arguments (all but torch put eps inside the root):
        - torch.optim.RMSprop: this rule, same names and defaults.
        - Keras ``RMSprop()``: ``rmsprop(lr=1e-3, alpha=0.9, eps=0,
          eps_root=1e-7)``; its ``momentum`` keeps :math:`\eta` inside the
          buffer, which equals this rule at a constant learning rate.
        - optax ``rmsprop(learning_rate)``: ``rmsprop(lr, alpha=0.9, eps=0,
          eps_root=1e-8)``; its ``momentum``, like Keras's, keeps
          :math:`\eta` inside the buffer.
        - Lasagne ``rmsprop(loss, params)``: ``rmsprop(lr=1.0, alpha=0.9,
          eps=0, eps_root=1e-6)``.
        - d2l (section 12.8): ``rmsprop(lr, alpha=gamma, eps=0,
          eps_root=1e-6)``.
    """
    lr = learning_rate(lr)
    alpha = unit_interval("alpha", alpha)
    eps = non_negative("eps", eps)
    weight_decay = non_negative("weight_decay", weight_decay)
    momentum = unit_interval("momentum", momentum)
    centered = boolean("centered", centered)
    eps_root = non_negative("eps_root", eps_root)
    maximize = boolean("maximize", maximize)

    def init(params):
        return RMSpropState(
            count=0,
            v=zeros_tree(params),
            g_avg=zeros_tree(params) if centered else None,
            b=zeros_tree(params) if momentum else None,
        )

    def update(grads, state, params=None):
        need_params(params, weight_decay)
        eta = lr_at(lr, state.count)

        def step(g, theta, v, g_avg, b):
            if maximize:
                g = -g
            if weight_decay:
                g = g + weight_decay * theta
            v = ema(v, g * g, alpha)  # alpha * v + (1 - alpha) * g**2
            if centered:
                g_avg = ema(g_avg, g, alpha)
                r = sqrt(v - g_avg * g_avg + eps_root) + eps
            else:
                r = sqrt(v + eps_root) + eps
            if momentum:
                b = momentum * b + g / r
                return -eta * b, v, g_avg, b
            return -eta * g / r, v, g_avg, b

        states = (state.v, state.g_avg, state.b)
        updates, v, g_avg, b = leafwise(step, grads, params, *states)
        return updates, RMSpropState(state.count + 1, v, g_avg, b)

    return make_optimizer(
        rmsprop, init, update,
        lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay, momentum=momentum, centered=centered,
        eps_root=eps_root, maximize=maximize,
    )
