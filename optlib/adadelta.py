"""Adadelta: RMSprop with the units fixed by a running average of past steps."""
from typing import Any, NamedTuple

from ._backend import ema, sqrt
from ._base import boolean, leafwise, learning_rate, lr_at, make_optimizer, need_params, non_negative, unit_interval, zeros_tree

__all__ = ["adadelta", "AdadeltaState"]


class AdadeltaState(NamedTuple):
    """``v``: EMA of g²; ``u``: EMA of the squared steps Δ²."""

    count: int
    v: Any
    u: Any


def adadelta(lr=1.0, rho=0.9, eps=1e-6, weight_decay=0.0, maximize=False):
    r"""Adadelta (torch.optim.Adadelta).

    At step :math:`t = 1, 2, \dots`, elementwise, with :math:`v_0 = u_0 = 0`:

    .. math::

        g_t &\leftarrow -g_t \quad\text{(maximize only)} \\
        g_t &\leftarrow g_t + \lambda\,\theta_{t-1} \\
        v_t &= \rho\, v_{t-1} + (1 - \rho)\, g_t^2 \\
        \Delta_t &= \frac{\sqrt{u_{t-1} + \epsilon}}{\sqrt{v_t + \epsilon}}\, g_t \\
        u_t &= \rho\, u_{t-1} + (1 - \rho)\, \Delta_t^2 \\
        \theta_t &= \theta_{t-1} - \eta_t\, \Delta_t

    ``eps`` is **inside** both square roots. :math:`u` accumulates
    :math:`\Delta^2` without the learning rate, so ``lr`` only rescales the
    step; the paper has no learning rate (``lr=1``, the default).

    Args:
        lr: a factor :math:`\eta` >= 0 on the step (a number or a one-element
            tensor), or a schedule. Default 1.0.
        rho: decay :math:`\rho` of both averages, in [0, 1). Default 0.9.
        eps: :math:`\epsilon` >= 0; it also sets the size of the first steps
            (about :math:`\sqrt{\epsilon}` / rms(g)·g). With ``eps=0``,
            :math:`u` stays 0 and the parameters never move. Default 1e-6.
        weight_decay: L2 penalty :math:`\lambda` >= 0. Default 0.
        maximize: ascend instead of descend. Default False.

    Example:

    >>> import numpy as np, optlib
    >>> opt = optlib.adadelta()
    >>> x = np.array([3.0]); state = opt.init(x)
    >>> updates, state = opt.update(2 * x, state)
    >>> updates.round(6)   # about -sqrt(eps / (1 - rho)) whatever g: a slow start
    array([-0.003162])

    References:
        Zeiler, "ADADELTA: An adaptive learning rate method",
        arXiv:1212.5701, 2012.

    Other frameworks with optlib's arguments (eps inside both roots in all):
        - torch.optim.Adadelta: this rule, same names and defaults.
        - Keras ``Adadelta()``: ``adadelta(lr=1e-3, rho=0.95, eps=1e-7)``.
        - optax ``adadelta(learning_rate)``: ``adadelta(lr, rho=0.9,
          eps=1e-6)``. With ``learning_rate=None`` optax returns
          :math:`+\Delta`, so ``apply_updates`` would *ascend*.
        - Lasagne ``adadelta(loss, params)``: ``adadelta(lr=1.0, rho=0.95,
          eps=1e-6)``.
        - d2l (section 12.9): ``adadelta(rho=0.9, eps=1e-5)``.
    """
    lr = learning_rate(lr)
    rho = unit_interval("rho", rho)
    eps = non_negative("eps", eps)
    weight_decay = non_negative("weight_decay", weight_decay)
    maximize = boolean("maximize", maximize)

    def init(params):
        return AdadeltaState(count=0, v=zeros_tree(params), u=zeros_tree(params))

    def update(grads, state, params=None):
        need_params(params, weight_decay)
        eta = lr_at(lr, state.count)

        def step(g, theta, v, u):
            if maximize:
                g = -g
            if weight_decay:
                g = g + weight_decay * theta
            v = ema(v, g * g, rho)  # rho * v + (1 - rho) * g**2
            delta = sqrt(u + eps) / sqrt(v + eps) * g
            u = ema(u, delta * delta, rho)
            return -eta * delta, v, u

        updates, v, u = leafwise(step, grads, params, state.v, state.u)
        return updates, AdadeltaState(state.count + 1, v, u)

    return make_optimizer(adadelta, init, update, lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize)
