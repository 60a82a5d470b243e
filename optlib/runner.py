"""Run an optimizer on an objective and keep the whole path.

``minimize(opt, objective, x0, steps)`` is the loop every chapter would
otherwise write by hand (init, then value/grad, update, apply_updates, repeat),
returning a :class:`Trajectory` to print, plot and compare. A run that blows up
is a result worth showing, not a crash: it stops at the last finite point and
says ``diverged=True``.

The same loop runs stochastic gradient descent: ``batch_size=`` steps with
mini-batch gradients of a :class:`~optlib.objectives.FiniteSum`, and
``grad_noise=`` adds seeded Gaussian noise to every gradient (the model of
SGD the theory uses). The trajectory still records the true loss and
gradient norm at every iterate.
"""
import dataclasses
import numbers
from typing import Optional

import numpy as np

from ._base import apply_updates
from .datasets import minibatches
from .objectives import FiniteSum, Objective

__all__ = ["Trajectory", "minimize"]


def _readonly(a):
    a = np.array(a, dtype=np.float64)
    a.setflags(write=False)
    return a


@dataclasses.dataclass(frozen=True, eq=False, repr=False)
class Trajectory:
    """The iterates of one run of :func:`minimize`.

    Attributes
    ----------
    xs : ndarray, shape (steps + 1, dim)
        ``x0`` and every iterate after it.
    losses : ndarray, shape (steps + 1,)
        ``f(xs[k])``.
    grad_norms : ndarray, shape (steps + 1,)
        Euclidean norm of the gradient at ``xs[k]``.
    states : tuple or None
        Optimizer states, ``opt.init(x0)`` first, so ``states[k]`` is the
        state that produced ``xs[k]``; None unless ``record_state=True``.
    diverged : bool
        True when the run stopped early because an iterate, the loss or the
        gradient became nan or infinite; the arrays hold the finite part.
    steps : int
        Number of updates whose result was kept, so ``len(xs) == steps + 1``.
    """

    xs: np.ndarray
    losses: np.ndarray
    grad_norms: np.ndarray
    states: Optional[tuple]
    diverged: bool
    steps: int

    @property
    def final(self):
        """The last finite iterate."""
        return self.xs[-1]

    @property
    def final_loss(self):
        """The loss at :attr:`final`, as a float."""
        return float(self.losses[-1])

    def __repr__(self):
        x = self.final
        # Fixed-point 6 decimals reads best ([-0.943467, -0.000073]), but only
        # if no entry would round to a misleading 0; else numpy's default.
        fixed = bool(np.all((x == 0) | (np.abs(x) >= 5e-7)))
        final = np.array2string(x, precision=6, separator=", ", suppress_small=fixed, threshold=8)
        head = f"Trajectory(steps={self.steps}, final={final},"
        tail = f"final_loss={self.final_loss:.6g}, diverged={self.diverged})"
        # one line if it fits a book page's code block, else two, aligned
        if len(head) + 1 + len(tail) <= 79:
            return f"{head} {tail}"
        return f"{head}\n{' ' * len('Trajectory(')}{tail}"


def _check_steps(steps):
    # bool is an int subclass, but minimize(..., True) is surely a mistake.
    if isinstance(steps, bool) or not isinstance(steps, numbers.Integral):
        raise TypeError(f"steps must be a non-negative int, got {steps!r} ({type(steps).__name__})")
    if steps < 0:
        raise ValueError(f"steps must be >= 0, got {steps}")
    return int(steps)


def _check_x0(x0):
    x = np.array(x0)  # a copy: the caller's array is never touched
    if x.dtype.kind not in "biuf":
        raise TypeError(f"x0 must hold real numbers, got dtype {x.dtype}")
    x = x.astype(np.float64).reshape(-1) if x.ndim == 0 else x.astype(np.float64)
    if x.ndim != 1 or x.size == 0:
        raise ValueError(f"x0 must be a number or a non-empty 1-D array, got shape {x.shape}")
    if not np.all(np.isfinite(x)):
        raise ValueError(f"x0 must be finite, got {x}")
    return x


def _evaluator(objective):
    """``x -> (loss as float, grad as float64 array)`` for an Objective or a callable."""
    if isinstance(objective, Objective):
        f = objective.value_and_grad
    elif callable(objective):
        f = objective
    else:
        raise TypeError(
            f"objective must be an Objective or a callable x -> (value, grad), got {type(objective).__name__}"
        )

    def evaluate(x):
        value, grad = f(x)
        value = np.asarray(value, dtype=np.float64)
        if value.size != 1:
            raise ValueError(f"objective must return a single value, got shape {value.shape}")
        grad = np.asarray(grad, dtype=np.float64)
        if grad.shape != x.shape:
            raise ValueError(f"objective returned a gradient of shape {grad.shape} for x of shape {x.shape}")
        return value.item(), grad  # item(): also accepts a value of shape (1,)

    return evaluate


def _measure(evaluate, x):
    """``(loss, grad, |grad|)`` at x, or None if any of them is not finite."""
    loss, grad = evaluate(x)
    norm = np.linalg.norm(grad)  # can overflow even when every entry is finite
    return (loss, grad, norm) if np.isfinite(loss) and np.isfinite(norm) else None


def _stochastic(objective, batch_size, replacement, grad_noise, seed):
    """The gradient oracle ``(x, grad) -> g`` the updates use; None for the exact gradient."""
    if not isinstance(replacement, (bool, np.bool_)):
        raise TypeError(f"replacement must be True or False, got {replacement!r}")
    if isinstance(grad_noise, bool) or not isinstance(grad_noise, numbers.Real):
        raise TypeError(f"grad_noise must be a real number >= 0 (a standard deviation), got {grad_noise!r}")
    grad_noise = float(grad_noise)
    if not (np.isfinite(grad_noise) and grad_noise >= 0):
        raise ValueError(f"grad_noise must be a finite standard deviation >= 0, got {grad_noise}")
    torch_generator = type(seed).__name__ == "Generator" and type(seed).__module__.startswith("torch")
    if torch_generator and batch_size is None:
        raise TypeError("seed: a torch.Generator draws mini-batches (with batch_size); give an int seed for grad_noise")
    if not torch_generator:
        if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, numbers.Integral):
            raise TypeError(f"seed must be an int >= 0 (or, with batch_size, a torch.Generator), got {seed!r}")
        if seed < 0:
            raise ValueError(f"seed must be an int >= 0, got {seed!r}")
        seed = int(seed)
    if batch_size is None:
        if replacement:
            raise ValueError("replacement=True needs batch_size (it says how mini-batches are drawn)")
        if grad_noise == 0:
            return None
        rng = np.random.default_rng(seed)
        return lambda x, grad: grad + grad_noise * rng.standard_normal(x.shape)
    if grad_noise:
        raise ValueError("give batch_size or grad_noise, not both: the noise of SGD on a FiniteSum "
                         "is that of its mini-batches")
    if not isinstance(objective, FiniteSum):
        raise TypeError(
            f"batch_size needs a FiniteSum objective (least_squares, logistic, ...), got {objective!r}"
        )
    batches = minibatches(objective.n, batch_size, seed=seed, replacement=bool(replacement), epochs=None)
    return lambda x, grad: objective.grad_batch(x, next(batches))


def minimize(opt, objective, x0, steps, record_state=False, *, batch_size=None, replacement=False,
             grad_noise=0.0, seed=0):
    r"""Run ``steps`` updates of ``opt`` on ``objective`` from ``x0``.

    At every step :math:`k = 0, 1, \dots`: evaluate the loss and gradient at
    :math:`x_k`, ask the optimizer for the update, and add it:

    .. math::

        (u_k, s_{k+1}) = \mathrm{opt.update}(g_k, s_k, x_k), \qquad
        x_{k+1} = x_k + u_k, \qquad s_0 = \mathrm{opt.init}(x_0)

    with :math:`g_k = \nabla f(x_k)`, or a stochastic gradient:

    * ``batch_size=B`` (a :class:`~optlib.objectives.FiniteSum` only):
      :math:`g_k = \nabla f_{B_k}(x_k)`, ``objective.grad_batch(x_k, idx)``
      with the batches of ``optlib.datasets.minibatches(n, B, seed=seed,
      replacement=replacement)`` in order, epoch after epoch: stochastic
      gradient descent (``B = 1``), mini-batch SGD, or full-batch gradient
      descent (``B = n``, no replacement).
    * ``grad_noise=sigma``: :math:`g_k = \nabla f(x_k) + \sigma \xi_k` with
      :math:`\xi_k` standard normal, drawn in order from
      ``numpy.random.default_rng(seed).standard_normal(x0.shape)``: unbiased
      noise of variance :math:`\sigma^2` per coordinate.

    Either way the trajectory records the true :math:`f(x_k)` and
    :math:`\lVert\nabla f(x_k)\rVert`, and the same ``seed`` gives the same
    run.

    If an iterate, its loss or its gradient is nan or infinite, the run
    stops there without warnings or exceptions (overflow is expected when a
    learning rate is too large) and the trajectory ends at the last finite
    point with ``diverged=True``.

    Parameters
    ----------
    opt : optlib.Optimizer
        Anything with ``init(params)`` and ``update(grads, state, params)``.
    objective : Objective or callable
        An :class:`~optlib.objectives.Objective`, or a function
        ``f(x) -> (value, grad)``.
    x0 : array_like, shape (dim,) or a number
        Starting point; copied to a float64 array (a number becomes shape (1,)).
    steps : int
        Number of updates, >= 0.
    record_state : bool
        Keep every optimizer state in ``Trajectory.states`` (to plot, say,
        Adam's ``v`` over time).
    batch_size : int or None
        Mini-batch size ``1 <= B <= n`` for a FiniteSum; None (default): the
        exact gradient.
    replacement : bool
        With ``batch_size``: draw batches independently with replacement
        instead of shuffled epochs (the default, as torch's DataLoader).
    grad_noise : float
        Standard deviation :math:`\sigma \ge 0` of Gaussian noise added to
        each gradient coordinate (default 0). Not together with ``batch_size``.
    seed : int or torch.Generator
        Seed of the batches or of the noise. With ``batch_size``, a seeded
        ``torch.Generator`` gives the batches of torch's ``DataLoader(...,
        shuffle=True, generator=seed)`` (see ``optlib.datasets.minibatches``).

    Returns
    -------
    Trajectory

    Raises
    ------
    TypeError, ValueError
        For a bad ``steps``, ``x0`` or ``objective``, naming it; ValueError
        if the objective is not finite at ``x0``.

    Examples
    --------
    Gradient descent on :math:`f(x) = x^2` with :math:`\eta = 0.2` multiplies
    :math:`x` by :math:`1 - 2 \cdot 0.2 = 0.6` per step:

    >>> import optlib
    >>> from optlib.objectives import quadratic_1d
    >>> traj = minimize(optlib.sgd(lr=0.2), quadratic_1d(), [10.0], steps=10)
    >>> traj
    Trajectory(steps=10, final=[0.060466], final_loss=0.00365616, diverged=False)
    >>> print(traj.xs[:3, 0])
    [10.   6.   3.6]

    Too large a step diverges, and says so instead of raising:

    >>> minimize(optlib.sgd(lr=1.1), quadratic_1d(), [10.0], steps=5000).diverged
    True

    With noisy gradients it does not converge but keeps moving around the
    minimum, the same way for the same seed:

    >>> noisy = minimize(optlib.sgd(lr=0.2), quadratic_1d(), [10.0], 50, grad_noise=1.0, seed=3)
    >>> noisy.final == minimize(optlib.sgd(lr=0.2), quadratic_1d(), [10.0], 50, grad_noise=1.0, seed=3).final
    array([ True])
    """
    steps = _check_steps(steps)
    if not isinstance(record_state, bool):
        raise TypeError(f"record_state must be True or False, got {record_state!r}")
    evaluate = _evaluator(objective)
    oracle = _stochastic(objective, batch_size, replacement, grad_noise, seed)
    x = _check_x0(x0)

    with np.errstate(all="ignore"):
        point = _measure(evaluate, x)
    if point is None:
        raise ValueError(f"the objective or its gradient is not finite at x0 = {x}")
    loss, grad, norm = point
    state = opt.init(x)
    xs, losses, norms = [x], [loss], [norm]
    states = [state] if record_state else None
    diverged = False

    for _ in range(steps):
        # A learning rate that is too large makes the numbers overflow; that
        # is detected here and reported as divergence, so NumPy's overflow
        # warnings would only be noise (and errors under filterwarnings=error).
        with np.errstate(all="ignore"):
            try:
                g = grad if oracle is None else oracle(x, grad)
                updates, state = opt.update(g, state, x)
                x = apply_updates(x, updates)
                point = _measure(evaluate, x) if np.all(np.isfinite(x)) else None
            except OverflowError:  # from Python floats in a user's objective
                point = None
        if point is None:
            diverged = True
            break
        loss, grad, norm = point
        xs.append(x)
        losses.append(loss)
        norms.append(norm)
        if record_state:
            states.append(state)

    return Trajectory(
        xs=_readonly(xs),
        losses=_readonly(losses),
        grad_norms=_readonly(norms),
        states=tuple(states) if record_state else None,  # a tuple: immutable like the rest
        diverged=diverged,
        steps=len(xs) - 1,
    )
