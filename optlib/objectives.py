r"""Test functions to minimize: a value, a hand-written gradient, and facts.

Every objective is an :class:`Objective`: ``f.value(x)`` (also ``f(x)``),
``f.grad(x)``, ``f.value_and_grad(x)``, plus what is known about it
(``minimizer``, ``min_value``, a plotting window ``bounds`` and, for
quadratics, the ``hessian`` and its ``eigenvalues``).

Shapes. ``x`` always has shape ``(dim,)``, *also in one dimension*: a 1-D
objective takes ``x = np.array([0.5])`` (a plain number is accepted too), so
the runner and the optimizers see the same kind of array in every chapter.
``value`` also accepts a batch of points, shape ``(..., dim)``, and returns
shape ``(...)``: that is how a contour plot evaluates a whole grid at once.

Why ``value`` is written only with operators and the helpers of
``optlib._backend``: the very same code then runs on a torch tensor, so the
tests differentiate it with autograd and compare with the hand-written
``grad``, an independent check of every derivative below.
"""
import dataclasses
import math
from typing import Callable, Optional

import numpy as np

from ._backend import cos, exp, is_torch, log1p

__all__ = [
    "Objective",
    "quadratic_1d",
    "nonconvex_1d",
    "quadratic",
    "ill_conditioned",
    "rosenbrock",
    "beale",
    "saddle",
    "least_squares",
    "logistic",
]


# ------------------------------------------------------------------ helpers

def _like(a, x):
    """The constant array ``a`` in x's backend (and dtype/device for torch)."""
    if is_torch(x):
        import torch

        return torch.as_tensor(a, dtype=x.dtype, device=x.device)
    return a


def _numeric(name, a):
    """``a`` as a float64 array; TypeError (naming it) if it is not real numbers."""
    arr = np.asarray(a)
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"{name} must hold real numbers, got dtype {arr.dtype}")
    arr = arr.astype(np.float64)
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite (it contains nan or inf)")
    return arr


def _frozen(a):
    """A read-only float64 copy, so an Objective's facts cannot be edited."""
    if a is None:
        return None
    a = np.array(a, dtype=np.float64)
    a.setflags(write=False)
    return a


def _window(center, half_width):
    """A square plotting window ((lo, hi), (lo, hi)) around a 2-D point."""
    return tuple((float(c) - half_width, float(c) + half_width) for c in center)


# ---------------------------------------------------------------- Objective

@dataclasses.dataclass(frozen=True, eq=False, repr=False)
class Objective:
    """A function to minimize with its gradient and what is known about it.

    Parameters
    ----------
    name : str
        Short name, used in plot titles.
    dim : int
        Number of coordinates of ``x``.
    value_fn, grad_fn : callable
        ``value_fn(x)`` maps ``x`` of shape ``(..., dim)`` to shape ``(...)``
        and must be array-agnostic (NumPy or torch); ``grad_fn(x)`` returns a
        NumPy array shaped like ``x``. Call them through :meth:`value` and
        :meth:`grad`, which check and convert ``x``.
    minimizer : array of shape (dim,) or None
        The global minimizer, or None when there is none (unbounded below),
        it is not unique, or it is not known in closed form.
    min_value : float or None
        ``value(minimizer)`` (or the infimum when known).
    bounds : tuple or None
        Default plotting window: ``((x1min, x1max), (x2min, x2max))`` in 2-D,
        ``(xmin, xmax)`` in 1-D, None otherwise.
    hessian : array of shape (dim, dim) or None
        The constant Hessian :math:`A` of a quadratic, else None.

    Examples
    --------
    >>> import numpy as np
    >>> f = rosenbrock()
    >>> value, grad = f.value_and_grad(np.array([0.0, 0.0]))
    >>> print(float(value), grad)
    1.0 [-2.  0.]
    """

    name: str
    dim: int
    value_fn: Callable
    grad_fn: Callable
    minimizer: Optional[np.ndarray] = None
    min_value: Optional[float] = None
    bounds: Optional[tuple] = None
    hessian: Optional[np.ndarray] = None

    def __post_init__(self):
        if isinstance(self.dim, bool) or not isinstance(self.dim, int):
            raise TypeError(f"dim must be a positive int, got {self.dim!r}")
        if self.dim < 1:
            raise ValueError(f"dim must be a positive int, got {self.dim}")
        # Frozen dataclass: object.__setattr__ is the documented way to
        # normalise fields once, in __post_init__.
        object.__setattr__(self, "minimizer", _frozen(self.minimizer))
        object.__setattr__(self, "hessian", _frozen(self.hessian))
        if self.min_value is not None:
            object.__setattr__(self, "min_value", float(self.min_value))

    @property
    def eigenvalues(self):
        """Eigenvalues of the Hessian in ascending order (quadratics only), else None."""
        return None if self.hessian is None else np.linalg.eigvalsh(self.hessian)

    def _check(self, x):
        # NumPy input is converted (lists, ints -> float64); a torch tensor is
        # left alone so autograd can follow it.
        if not is_torch(x):
            x = _numeric("x", x)
        if self.dim == 1 and x.ndim == 0:  # a plain number for a 1-D function
            x = x[None]
        if x.ndim == 0 or x.shape[-1] != self.dim:
            raise ValueError(
                f"x must have shape ({self.dim},) or (..., {self.dim}) for {self.name}, got {tuple(x.shape)}"
            )
        return x

    def value(self, x):
        """f(x) for x of shape (dim,), or for a batch of shape (..., dim)."""
        return self.value_fn(self._check(x))

    __call__ = value

    def grad(self, x):
        """The hand-written gradient, a NumPy array shaped like ``x``."""
        if is_torch(x):  # the formulas below are NumPy's; use autograd for tensors
            x = x.detach().cpu().numpy()
        shape = np.shape(x)
        return np.reshape(self.grad_fn(self._check(x)), shape)

    def value_and_grad(self, x):
        """``(value(x), grad(x))``, the form the runner calls."""
        return self.value(x), self.grad(x)

    def __repr__(self):
        return f"Objective({self.name!r}, dim={self.dim})"


# ------------------------------------------------------------- 1-D examples

def quadratic_1d(a=1.0):
    r"""The parabola :math:`f(x) = a x^2`, the first example of the book.

    .. math::

        f(x) = a x^2, \qquad f'(x) = 2 a x, \qquad f''(x) = 2a

    ``x`` has shape ``(1,)``. Gradient descent with step :math:`\eta`
    multiplies :math:`x` by :math:`1 - 2a\eta` at every step.

    Parameters
    ----------
    a : float
        Curvature; for ``a > 0`` the minimizer is 0, else there is none.

    Examples
    --------
    >>> f = quadratic_1d()
    >>> print(f([3.0]), f.grad([3.0]), f.minimizer)
    9.0 [6.] [0.]
    """
    a = float(_numeric("a", a))
    f = quadratic([[2.0 * a]])
    return dataclasses.replace(f, name="x²" if a == 1 else f"{a:g} x²", bounds=(-2.0, 2.0))


def nonconvex_1d():
    r"""A wiggly function with several local minima: :math:`f(x) = x \cos(\pi x)`.

    .. math::

        f(x) = x \cos(\pi x), \qquad f'(x) = \cos(\pi x) - \pi x \sin(\pi x)

    Plotted on :math:`[-1, 2]`, it has a local minimum near :math:`x=-0.27`
    and a lower one near :math:`x=1.09` (computed below), so gradient descent ends in one or the
    other depending on where it starts. On the whole line :math:`f` is
    unbounded below, hence ``minimizer`` and ``min_value`` are None.

    Examples
    --------
    The local minima in the window, where :math:`f'` crosses zero upwards:

    >>> import numpy as np
    >>> f = nonconvex_1d()
    >>> xs = np.linspace(*f.bounds, 300001)[:, None]
    >>> g = f.grad(xs)[:, 0]
    >>> [round(float(x), 3) for x in xs[1:][(g[:-1] < 0) & (g[1:] >= 0)][:, 0]]
    [-0.274, 1.09]
    """

    def value(x):
        x = x[..., 0]
        return x * cos(math.pi * x)

    def grad(x):
        x = x[..., 0]
        return (np.cos(np.pi * x) - np.pi * x * np.sin(np.pi * x))[..., None]

    return Objective("x cos(πx)", 1, value, grad, bounds=(-1.0, 2.0))


# --------------------------------------------------------------- quadratics

def quadratic(A, b=None, c=0.0, name="quadratic"):
    r"""The quadratic :math:`f(x) = \tfrac12 x^\top A x - b^\top x + c`.

    .. math::

        f(x) = \tfrac12 x^\top A x - b^\top x + c, \qquad
        \nabla f(x) = A x - b, \qquad \nabla^2 f = A

    When :math:`A` is positive definite the minimizer is :math:`A^{-1} b`;
    otherwise ``minimizer`` and ``min_value`` are None (a saddle or a
    valley without a unique bottom).

    Parameters
    ----------
    A : array_like, shape (d, d)
        Symmetric matrix.
    b : array_like, shape (d,), optional
        Linear term (default zeros).
    c : float
        Constant term.
    name : str
        Shown in plots and in the repr (default "quadratic").

    Raises
    ------
    ValueError
        If ``A`` is not square and symmetric, ``b`` has the wrong shape, or
        either contains nan/inf.
    TypeError
        If ``A``, ``b`` or ``c`` is not made of real numbers.

    Examples
    --------
    >>> f = quadratic([[2.0, 0.0], [0.0, 8.0]], b=[2.0, 8.0])
    >>> print(f.minimizer, f.min_value, f.eigenvalues)
    [1. 1.] -5.0 [2. 8.]
    """
    A = _numeric("A", A)
    if A.ndim != 2 or A.shape[0] != A.shape[1] or A.shape[0] == 0:
        raise ValueError(f"A must be a square (d, d) matrix, got shape {A.shape}")
    if not np.allclose(A, A.T, rtol=1e-12, atol=1e-12):
        raise ValueError("A must be symmetric (A == A.T); use (A + A.T) / 2 for the same quadratic form")
    d = A.shape[0]
    b = np.zeros(d) if b is None else _numeric("b", b)
    if b.shape != (d,):
        raise ValueError(f"b must have shape ({d},) to match A, got {b.shape}")
    c = float(_numeric("c", c))

    def value(x):
        return 0.5 * ((x @ _like(A, x)) * x).sum(-1) - x @ _like(b, x) + c

    def grad(x):
        return x @ A - b  # A is symmetric, so x A = (A x)^T

    minimizer = min_value = None
    if np.linalg.eigvalsh(A)[0] > 0:
        minimizer = np.linalg.solve(A, b)
        min_value = c - 0.5 * b @ minimizer  # f(A^-1 b) = c - b^T A^-1 b / 2
    center = minimizer if minimizer is not None else np.zeros(d)
    bounds = {1: (center[0] - 2.0, center[0] + 2.0), 2: _window(center, 3.0)}.get(d)
    return Objective(name, d, value, grad, minimizer, min_value, bounds, hessian=A)


def ill_conditioned():
    r"""The stretched bowl :math:`f(x) = 0.1 x_1^2 + 2 x_2^2` (condition number 20).

    .. math::

        f(x) = 0.1\, x_1^2 + 2\, x_2^2, \qquad
        \nabla f(x) = (0.2\, x_1,\ 4\, x_2), \qquad
        \nabla^2 f = \operatorname{diag}(0.2,\ 4)

    The classic example for momentum (d2l.ai, section 12.6), usually started
    from :math:`(-5, -2)`: a step that suits :math:`x_2` crawls along
    :math:`x_1`. Gradient descent diverges once :math:`\eta > 2/4 = 0.5`.

    Examples
    --------
    >>> f = ill_conditioned()
    >>> print(f([-5.0, -2.0]), f.eigenvalues)
    10.5 [0.2 4. ]
    """
    f = quadratic(np.diag([0.2, 4.0]))
    return dataclasses.replace(f, name="0.1 x₁² + 2 x₂²", bounds=((-5.5, 2.0), (-3.0, 3.0)))


def saddle():
    r"""The saddle :math:`f(x) = x_1^2 - x_2^2`: a stationary point that is no minimum.

    .. math::

        f(x) = x_1^2 - x_2^2, \qquad \nabla f(x) = (2 x_1,\ -2 x_2), \qquad
        \nabla^2 f = \operatorname{diag}(2,\ -2)

    The gradient vanishes at the origin, but :math:`f` is unbounded below
    along :math:`x_2`, so ``minimizer`` and ``min_value`` are None. Started
    exactly on the :math:`x_1` axis, gradient descent converges to the saddle.

    Examples
    --------
    >>> f = saddle()
    >>> print(f.minimizer, f.eigenvalues, f.grad([0.0, 0.0]))
    None [-2.  2.] [0. 0.]
    """
    f = quadratic(np.diag([2.0, -2.0]))
    return dataclasses.replace(f, name="x₁² − x₂²", bounds=((-2.0, 2.0), (-2.0, 2.0)))


# ------------------------------------------------------------- non-convex 2-D

def rosenbrock(a=1.0, b=100.0):
    r"""Rosenbrock's banana valley, minimum 0 at :math:`(a, a^2)`.

    .. math::

        f(x) = (a - x_1)^2 + b\,(x_2 - x_1^2)^2

        \nabla f(x) = \bigl(-2(a - x_1) - 4 b\, x_1 (x_2 - x_1^2),\ \
                            2 b\, (x_2 - x_1^2)\bigr)

    The valley floor :math:`x_2 = x_1^2` is easy to reach and slow to
    follow. Rosenbrock, "An automatic method for finding the greatest or
    least value of a function", The Computer Journal, 1960.

    Examples
    --------
    >>> f = rosenbrock()
    >>> print(f([-1.0, 1.0]), f.minimizer, f.min_value)
    4.0 [1. 1.] 0.0
    """
    a, b = float(_numeric("a", a)), float(_numeric("b", b))
    if b <= 0:
        raise ValueError(f"b must be > 0, got {b}")

    def value(x):
        x1, x2 = x[..., 0], x[..., 1]
        return (a - x1) ** 2 + b * (x2 - x1**2) ** 2

    def grad(x):
        x1, x2 = x[..., 0], x[..., 1]
        return np.stack([-2 * (a - x1) - 4 * b * x1 * (x2 - x1**2), 2 * b * (x2 - x1**2)], axis=-1)

    s = max(1.0, abs(a))  # keep (a, a^2) inside the window
    bounds = ((-2.0 * s, 2.0 * s), (-1.0 * s, 3.0 * s * s))
    return Objective("Rosenbrock", 2, value, grad, [a, a * a], 0.0, bounds)


def beale():
    r"""Beale's function: flat plateaus and steep walls, minimum 0 at :math:`(3, 0.5)`.

    .. math::

        f(x) = (1.5 - x_1 + x_1 x_2)^2 + (2.25 - x_1 + x_1 x_2^2)^2
             + (2.625 - x_1 + x_1 x_2^3)^2

    Beale, "On an iterative method for finding a local minimum of a function
    of more than one variable", 1958.

    Examples
    --------
    >>> f = beale()
    >>> print(f([0.0, 0.0]), f([3.0, 0.5]))
    14.203125 0.0
    """
    c = (1.5, 2.25, 2.625)

    def value(x):
        x1, x2 = x[..., 0], x[..., 1]
        return sum((ci - x1 + x1 * x2 ** (i + 1)) ** 2 for i, ci in enumerate(c))

    def grad(x):
        x1, x2 = x[..., 0], x[..., 1]
        g1 = g2 = 0.0
        for i, ci in enumerate(c):  # term t_i = c_i - x1 + x1 x2^k with k = i + 1
            k = i + 1
            t = ci - x1 + x1 * x2**k
            g1 = g1 + 2 * t * (x2**k - 1)
            g2 = g2 + 2 * t * k * x1 * x2 ** (k - 1)
        return np.stack([g1, g2], axis=-1)

    return Objective("Beale", 2, value, grad, [3.0, 0.5], 0.0, ((-4.5, 4.5), (-4.5, 4.5)))


# ------------------------------------------------------------ learning from data

def _data(X, y):
    """Check a design matrix X (n, d) and targets y (n,); return float64 copies."""
    X, y = _numeric("X", X), _numeric("y", y)
    if X.ndim != 2 or X.shape[0] == 0 or X.shape[1] == 0:
        raise ValueError(f"X must be a non-empty 2-D array (n_samples, n_features), got shape {X.shape}")
    if y.shape != (X.shape[0],):
        raise ValueError(f"y must have shape ({X.shape[0]},) to match X's {X.shape[0]} rows, got {y.shape}")
    return X, y


def least_squares(X, y):
    r"""Mean squared error of a linear model, halved: linear regression.

    .. math::

        f(w) = \frac{1}{2n} \lVert X w - y \rVert^2, \qquad
        \nabla f(w) = \frac1n X^\top (X w - y), \qquad
        \nabla^2 f = \frac1n X^\top X

    It is a quadratic, so ``hessian`` and ``eigenvalues`` are set (the
    largest eigenvalue :math:`L` gives the stable step :math:`\eta < 2/L`).
    ``minimizer`` is the least-squares solution when ``X`` has full column
    rank, else None (then many ``w`` reach ``min_value``).

    Parameters
    ----------
    X : array_like, shape (n, d)
        One sample per row.
    y : array_like, shape (n,)
        Targets.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[1.0, 0.0], [1.0, 1.0], [1.0, 2.0]])
    >>> f = least_squares(X, [1.0, 3.0, 5.0])    # y = 1 + 2 t exactly
    >>> print(f.minimizer.round(6), round(f.min_value, 12), f([0.0, 0.0]))
    [1. 2.] 0.0 5.833333333333333
    """
    X, y = _data(X, y)
    n, d = X.shape

    def value(w):
        r = w @ _like(X, w).T - _like(y, w)  # residuals, shape (..., n)
        return 0.5 * (r * r).mean(-1)

    def grad(w):
        return (w @ X.T - y) @ X / n

    w_star, _, rank, _ = np.linalg.lstsq(X, y)
    min_value = 0.5 * np.mean((X @ w_star - y) ** 2)
    minimizer = w_star if rank == d else None
    bounds = _window(w_star, 2.0 * max(1.0, float(np.abs(w_star).max()))) if d == 2 else None
    return Objective("least squares", d, value, grad, minimizer, min_value, bounds, hessian=X.T @ X / n)


def logistic(X, y, l2=0.0):
    r"""Mean log-loss of logistic regression, with an optional L2 penalty.

    With labels :math:`y_i \in \{0, 1\}`, :math:`z = X w` and
    :math:`\sigma(z) = 1/(1 + e^{-z})`:

    .. math::

        f(w) = \frac1n \sum_{i=1}^n \bigl[\log(1 + e^{z_i}) - y_i z_i\bigr]
               + \frac{\lambda}{2} \lVert w \rVert^2, \qquad
        \nabla f(w) = \frac1n X^\top (\sigma(X w) - y) + \lambda w

    which equals :math:`-\frac1n\sum [y_i \log\sigma(z_i) + (1-y_i)\log(1-\sigma(z_i))]`.
    :math:`\log(1+e^{z})` is computed as :math:`\max(z, 0) + \log(1 + e^{-|z|})`,
    which never overflows. No closed-form minimizer: ``minimizer`` is None
    (and with separable data and :math:`\lambda = 0` there is none at all).

    Parameters
    ----------
    X : array_like, shape (n, d)
        One sample per row (add a column of ones for an intercept).
    y : array_like, shape (n,)
        Labels, each 0 or 1.
    l2 : float
        Penalty :math:`\lambda \ge 0`.

    Examples
    --------
    >>> import numpy as np
    >>> f = logistic([[1.0, 2.0], [1.0, -1.0]], [1, 0])
    >>> print(f"{f([0.0, 0.0]):.6f}", f.grad([0.0, 0.0]))     # log 2 at w = 0
    0.693147 [ 0.   -0.75]
    >>> print(f"{f([0.0, 1000.0]):.1f}")                       # no overflow
    0.0
    """
    X, y = _data(X, y)
    if not np.all((y == 0) | (y == 1)):
        raise ValueError("y must hold labels 0 and 1 only")
    l2 = float(_numeric("l2", l2))
    if l2 < 0:
        raise ValueError(f"l2 must be >= 0, got {l2}")
    n, d = X.shape

    def value(w):
        z = w @ _like(X, w).T  # logits, shape (..., n)
        softplus = (z + abs(z)) / 2 + log1p(exp(-abs(z)))  # log(1 + e^z), stable
        return (softplus - _like(y, w) * z).mean(-1) + 0.5 * l2 * (w * w).sum(-1)

    def grad(w):
        sigma = 0.5 * (1.0 + np.tanh(0.5 * (w @ X.T)))  # = 1/(1+e^-z), without overflow
        return (sigma - y) @ X / n + l2 * w

    bounds = _window(np.zeros(2), 3.0) if d == 2 else None
    return Objective("logistic loss", d, value, grad, bounds=bounds)
