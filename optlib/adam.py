"""Adam and AdamW (and AMSGrad, an option of both)."""
from typing import Any, NamedTuple

from ._backend import ema, maximum, sqrt
from ._base import boolean, leafwise, learning_rate, lr_at, make_optimizer, need_params, non_negative, unit_interval, zeros_tree

__all__ = ["adam", "adamw", "AdamState"]


class AdamState(NamedTuple):
    """``m``: EMA of g; ``v``: EMA of g²; ``v_max``: running max of v (amsgrad only)."""

    count: int
    m: Any
    v: Any
    v_max: Any


_ADAM_MATH = r"""
    At step :math:`t = 1, 2, \dots`, elementwise, with :math:`m_0 = v_0 = 0`
    (``count`` holds :math:`t - 1` before the update):

    .. math::

        g_t &\leftarrow -g_t \quad\text{(maximize only)} \\
        g_t &\leftarrow g_t + \lambda\,\theta_{t-1}
            \quad\text{(coupled decay: adam)} \\
        m_t &= \beta_1\, m_{t-1} + (1 - \beta_1)\, g_t \\
        v_t &= \beta_2\, v_{t-1} + (1 - \beta_2)\, g_t^2 \\
        v^{\max}_t &= \max(v^{\max}_{t-1}, v_t)
            \quad\text{(amsgrad: used for } v_t \text{ below)} \\
        \hat m_t &= m_t / (1 - \beta_1^t), \qquad \hat v_t = v_t / (1 - \beta_2^t) \\
        \theta_t &= \theta_{t-1} - \eta_t\, \frac{\hat m_t}{\sqrt{\hat v_t + \epsilon_{\text{root}}} + \epsilon}
            \quad\text{(adam)} \\
        \theta_t &= \theta_{t-1} - \eta_t\, \frac{\hat m_t}{\sqrt{\hat v_t + \epsilon_{\text{root}}} + \epsilon}
            - \eta_t \lambda\, \theta_{t-1} \quad\text{(decoupled decay: adamw)}

    ``eps`` is added **outside** the square root, to the bias-corrected
    :math:`\sqrt{\hat v_t}` (Algorithm 1 of the paper, and torch); ``eps_root``
    (optax's name, 0 by default) is added inside it. AMSGrad takes the
    maximum of the *uncorrected* :math:`v_t` and then corrects it, as torch
    does."""

_ADAM_DIFFER = r"""
    Other frameworks with optlib's arguments:
        - torch.optim.Adam and AdamW: this rule, same names and defaults
          (``betas`` split into ``beta1``, ``beta2``).
        - optax ``adam(learning_rate)`` and ``adamw(learning_rate)``: this
          rule with their ``eps_root``; ``adamw``'s default weight decay is
          1e-4. Not reproducible: optax's AMSGrad takes the max of the
          *corrected* :math:`\hat v_t`.
        - d2l (section 12.10): ``adam(lr, eps=1e-6)``.
        - Keras and Lasagne use the paper's "epsilon hat" form,
          :math:`\eta\sqrt{1-\beta_2^t}/(1-\beta_1^t)\cdot m_t/(\sqrt{v_t}+\hat\epsilon)`
          (Keras :math:`\hat\epsilon` = 1e-7, Lasagne 1e-8). That is this
          rule with a step-dependent :math:`\epsilon = \hat\epsilon/\sqrt{1-\beta_2^t}`
          (31.6 :math:`\hat\epsilon` at the first step with
          :math:`\beta_2` = 0.999, 3.2 :math:`\hat\epsilon` at step 100,
          near :math:`\hat\epsilon` only after a few thousand steps), so no
          constant ``eps`` reproduces it; ``eps=0`` does when
          :math:`\hat\epsilon = 0`. Keras's AdamW decays by 4e-3 by default,
          before the Adam step, as torch does."""


def _adam_family(factory, lr, beta1, beta2, eps, weight_decay, amsgrad, maximize, decoupled_weight_decay, eps_root):
    lr = learning_rate(lr)
    beta1 = unit_interval("beta1", beta1)
    beta2 = unit_interval("beta2", beta2)
    eps = non_negative("eps", eps)
    weight_decay = non_negative("weight_decay", weight_decay)
    amsgrad = boolean("amsgrad", amsgrad)
    maximize = boolean("maximize", maximize)
    decoupled = boolean("decoupled_weight_decay", decoupled_weight_decay)
    eps_root = non_negative("eps_root", eps_root)

    def init(params):
        return AdamState(count=0, m=zeros_tree(params), v=zeros_tree(params), v_max=zeros_tree(params) if amsgrad else None)

    def update(grads, state, params=None):
        need_params(params, weight_decay)
        eta = lr_at(lr, state.count)
        t = state.count + 1
        bias1, bias2 = 1 - beta1**t, 1 - beta2**t  # the bias corrections

        def step(g, theta, m, v, v_max):
            if maximize:
                g = -g
            if weight_decay and not decoupled:
                g = g + weight_decay * theta
            m = ema(m, g, beta1)  # beta1 * m + (1 - beta1) * g
            v = ema(v, g * g, beta2)  # beta2 * v + (1 - beta2) * g**2
            if amsgrad:
                v_max = maximum(v_max, v)
            m_hat = m / bias1
            v_hat = (v_max if amsgrad else v) / bias2
            update = -eta * m_hat / (sqrt(v_hat + eps_root) + eps)
            if weight_decay and decoupled:
                update = update - eta * weight_decay * theta
            return update, m, v, v_max

        states = (state.m, state.v, state.v_max)
        updates, m, v, v_max = leafwise(step, grads, params, *states)
        return updates, AdamState(t, m, v, v_max)

    names = dict(lr=lr, beta1=beta1, beta2=beta2, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad, maximize=maximize)
    if factory is adam:  # torch's AdamW has no such switch: it is always decoupled
        names["decoupled_weight_decay"] = decoupled
    return make_optimizer(factory, init, update, **names, eps_root=eps_root)


def adam(lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0, amsgrad=False, maximize=False,
         decoupled_weight_decay=False, eps_root=0.0):
    return _adam_family(adam, lr, beta1, beta2, eps, weight_decay, amsgrad, maximize, decoupled_weight_decay, eps_root)


def adamw(lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=1e-2, amsgrad=False, maximize=False, eps_root=0.0):
    return _adam_family(adamw, lr, beta1, beta2, eps, weight_decay, amsgrad, maximize, True, eps_root)


_ARGS = r"""

    Args:
        lr: learning rate :math:`\eta` >= 0 (a number or a one-element
            tensor), or a schedule. Default 1e-3.
        beta1: decay :math:`\beta_1` of the first moment, in [0, 1). Default 0.9.
        beta2: decay :math:`\beta_2` of the second moment, in [0, 1). Default 0.999.
        eps: :math:`\epsilon` >= 0, outside the root. Default 1e-8."""

_FLAGS = r"""
        amsgrad: use the running maximum of :math:`v_t` (Reddi et al.).
            Default False.
        maximize: ascend instead of descend. Default False."""

_EPS_ROOT = r"""
        eps_root: :math:`\epsilon_{\text{root}}` >= 0, inside the root.
            Default 0."""

adam.__doc__ = (
    r"""Adam (torch.optim.Adam): momentum on g, scaled by a running RMS of g.
"""
    + _ADAM_MATH
    + _ARGS
    + r"""
        weight_decay: :math:`\lambda` >= 0. Coupled (an L2 penalty added to
            the gradient, then rescaled by :math:`\hat v`) unless
            ``decoupled_weight_decay``. Default 0."""
    + _FLAGS
    + r"""
        decoupled_weight_decay: decay the weights directly, as AdamW does;
            ``adam(decoupled_weight_decay=True, ...)`` is ``adamw(...)``.
            Default False."""
    + _EPS_ROOT
    + r"""

    Example:

    >>> import numpy as np, optlib
    >>> opt = optlib.adam(lr=0.1)
    >>> x = np.array([1.0, 100.0]); state = opt.init(x)
    >>> updates, state = opt.update(2 * x, state)
    >>> updates.round(6)   # bias correction: the first step is -lr * sign(g)
    array([-0.1, -0.1])

    References:
        Kingma and Ba, "Adam: A method for stochastic optimization", ICLR
        2015 (arXiv:1412.6980). Reddi, Kale and Kumar, "On the convergence
        of Adam and beyond", ICLR 2018 (AMSGrad).
"""
    + _ADAM_DIFFER
)

adamw.__doc__ = (
    r"""AdamW (torch.optim.AdamW): Adam with weight decay decoupled from the gradient.

    The decay :math:`-\eta_t\lambda\theta_{t-1}` is added to the Adam step
    instead of entering :math:`g_t`, so every weight shrinks by the same
    factor :math:`1 - \eta_t\lambda` regardless of its gradient history.
    With ``weight_decay=0`` it is exactly :func:`adam`.
"""
    + _ADAM_MATH
    + _ARGS
    + r"""
        weight_decay: decoupled decay :math:`\lambda` >= 0. Default 1e-2."""
    + _FLAGS
    + _EPS_ROOT
    + r"""

    Example:

    >>> import numpy as np, optlib
    >>> opt = optlib.adamw(lr=0.1, weight_decay=0.5)
    >>> x = np.array([2.0]); state = opt.init(x)
    >>> updates, state = opt.update(np.array([0.0]), state, x)  # zero gradient
    >>> updates            # only the decay: -lr * weight_decay * x
    array([-0.1])

    References:
        Loshchilov and Hutter, "Decoupled weight decay regularization",
        ICLR 2019 (arXiv:1711.05101).
"""
    + _ADAM_DIFFER
)
