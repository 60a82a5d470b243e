"""NAdam: Adam with Nesterov momentum."""
from typing import Any, NamedTuple

from ._backend import ema, sqrt
from ._base import boolean, leafwise, learning_rate, lr_at, make_optimizer, need_params, non_negative, unit_interval, zeros_tree

__all__ = ["nadam", "NAdamState"]


class NAdamState(NamedTuple):
    """``m``: EMA of g; ``v``: EMA of g²; ``mu_product``: :math:`\\prod_{i \\le t} \\mu_i` (a number)."""

    count: int
    m: Any
    v: Any
    mu_product: float


def nadam(lr=2e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0, momentum_decay=4e-3,
          decoupled_weight_decay=False, maximize=False, eps_root=0.0):
    r"""NAdam (torch.optim.NAdam), Dozat's Nesterov-accelerated Adam.

    At step :math:`t = 1, 2, \dots`, elementwise, with :math:`m_0 = v_0 = 0`,
    :math:`\psi` = ``momentum_decay`` and the momentum schedule
    :math:`\mu_t = \beta_1 (1 - \tfrac12\, 0.96^{t\psi})`:

    .. math::

        g_t &\leftarrow -g_t \quad\text{(maximize only)} \\
        g_t &\leftarrow g_t + \lambda\,\theta_{t-1}
            \quad\text{(coupled decay, the default)} \\
        m_t &= \beta_1\, m_{t-1} + (1 - \beta_1)\, g_t \\
        v_t &= \beta_2\, v_{t-1} + (1 - \beta_2)\, g_t^2 \\
        \hat v_t &= v_t / (1 - \beta_2^t), \qquad
            r_t = \sqrt{\hat v_t + \epsilon_{\text{root}}} + \epsilon \\
        \theta_t &= \theta_{t-1}
            - \eta_t\, \frac{1 - \mu_t}{1 - \prod_{i=1}^{t} \mu_i}\, \frac{g_t}{r_t}
            - \eta_t\, \frac{\mu_{t+1}}{1 - \prod_{i=1}^{t+1} \mu_i}\, \frac{m_t}{r_t}
            \;\big[- \eta_t \lambda\, \theta_{t-1}\ \text{(decoupled decay)}\big]

    ``eps`` is added **outside** the square root, as torch does; ``eps_root``
    (optax's name, 0 by default) inside it.

    Args:
        lr: learning rate :math:`\eta` >= 0 (a number or a one-element
            tensor), or a schedule. Default 2e-3.
        beta1: :math:`\beta_1` in [0, 1). Default 0.9.
        beta2: :math:`\beta_2` in [0, 1). Default 0.999.
        eps: :math:`\epsilon` >= 0, outside the root. Default 1e-8.
        weight_decay: :math:`\lambda` >= 0, an L2 penalty on the gradient
            unless ``decoupled_weight_decay``. Default 0.
        momentum_decay: :math:`\psi` >= 0 in the momentum schedule. Default 4e-3.
        decoupled_weight_decay: decay the weights directly, as AdamW does
            (torch's NAdamW). Default False.
        maximize: ascend instead of descend. Default False.
        eps_root: :math:`\epsilon_{\text{root}}` >= 0, inside the root.
            Default 0.

    Example:

    >>> import numpy as np, optlib
    >>> opt = optlib.nadam()
    >>> state = opt.init(np.zeros(1))
    >>> _, state = opt.update(np.ones(1), state)
    >>> round(state.mu_product, 6)   # mu_1 = 0.9 * (1 - 0.5 * 0.96**0.004)
    0.450073

    References:
        Dozat, "Incorporating Nesterov momentum into Adam", ICLR 2016
        workshop.

    Other frameworks with optlib's arguments:
        - torch.optim.NAdam: this rule, same names and defaults.
        - Keras ``Nadam()``: :math:`\mu_t = \beta_1(1 - \tfrac12\,0.96^{t})`,
          torch's schedule with :math:`\psi = 1`, and eps outside the root:
          ``nadam(lr=1e-3, momentum_decay=1.0, eps=1e-7)``.
        - optax ``nadam(learning_rate)`` keeps :math:`\beta_1` constant (no
          momentum schedule, :math:`\mu_t = \beta_1`): the limit of a large
          :math:`\psi` (:math:`\psi = 0` would give :math:`\beta_1/2`),
          exact in float64 from ``nadam(lr, momentum_decay=1000.0)``
          (:math:`0.96^{1000} \approx 2 \cdot 10^{-18}`).
        - Lasagne and d2l have no NAdam.
    """
    lr = learning_rate(lr)
    beta1 = unit_interval("beta1", beta1)
    beta2 = unit_interval("beta2", beta2)
    eps = non_negative("eps", eps)
    weight_decay = non_negative("weight_decay", weight_decay)
    momentum_decay = non_negative("momentum_decay", momentum_decay)
    decoupled = boolean("decoupled_weight_decay", decoupled_weight_decay)
    maximize = boolean("maximize", maximize)
    eps_root = non_negative("eps_root", eps_root)

    def init(params):
        return NAdamState(count=0, m=zeros_tree(params), v=zeros_tree(params), mu_product=1.0)

    def update(grads, state, params=None):
        need_params(params, weight_decay)
        eta = lr_at(lr, state.count)
        t = state.count + 1
        mu = beta1 * (1 - 0.5 * 0.96 ** (t * momentum_decay))
        mu_next = beta1 * (1 - 0.5 * 0.96 ** ((t + 1) * momentum_decay))
        mu_product = state.mu_product * mu
        bias2 = 1 - beta2**t

        def step(g, theta, m, v):
            if maximize:
                g = -g
            if weight_decay and not decoupled:
                g = g + weight_decay * theta
            m = ema(m, g, beta1)  # beta1 * m + (1 - beta1) * g
            v = ema(v, g * g, beta2)  # beta2 * v + (1 - beta2) * g**2
            r = sqrt(v / bias2 + eps_root) + eps
            # the current gradient, then the look-ahead along the momentum
            update = -eta * (1 - mu) / (1 - mu_product) * g / r
            update = update - eta * mu_next / (1 - mu_product * mu_next) * m / r
            if weight_decay and decoupled:
                update = update - eta * weight_decay * theta
            return update, m, v

        updates, m, v = leafwise(step, grads, params, state.m, state.v)
        return updates, NAdamState(t, m, v, mu_product)

    return make_optimizer(
        nadam, init, update,
        lr=lr, beta1=beta1, beta2=beta2, eps=eps, weight_decay=weight_decay, momentum_decay=momentum_decay,
        decoupled_weight_decay=decoupled, maximize=maximize, eps_root=eps_root,
    )
