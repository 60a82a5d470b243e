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

Learning from data. :func:`least_squares`, :func:`logistic` and
:func:`softmax_regression` return a :class:`FiniteSum`, an Objective that is
an average over examples, :math:`f(x) = \frac1n \sum_{i=1}^n f_i(x)`, and
that also gives the stochastic pieces: ``f.grad_batch(x, idx)`` (the mean
gradient over the examples ``idx``, what one step of SGD uses),
``f.value_batch(x, idx)``, ``f.per_example_grads(x, idx)`` and
``f.per_example_values(x, idx)``. :func:`optlib.datasets.minibatches`
yields the ``idx``.

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
    "double_well",
    "quadratic",
    "ill_conditioned",
    "rosenbrock",
    "beale",
    "saddle",
    "FiniteSum",
    "least_squares",
    "logistic",
    "softmax_regression",
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


def _logsumexp(z):
    r"""``log(sum(exp(z)))`` over the last axis, without overflow, on NumPy or torch.

    Computed as :math:`m + \log \sum_k e^{z_k - m}` with :math:`m = \max_k z_k`:
    every exponent is <= 0, and the largest term is 1, so the log is >= 0.
    """
    if is_torch(z):
        import torch

        m = torch.amax(z, dim=-1, keepdim=True)
        return (m + torch.log(torch.exp(z - m).sum(-1, keepdim=True)))[..., 0]
    m = np.max(z, axis=-1, keepdims=True)
    return (m + np.log(np.exp(z - m).sum(-1, keepdims=True)))[..., 0]


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


@dataclasses.dataclass(frozen=True, eq=False, repr=False, kw_only=True)
class FiniteSum(Objective):
    r"""An average over n examples, :math:`f(x) = \frac1n \sum_{i=1}^n f_i(x)`, with mini-batch access.

    Everything an :class:`Objective` does (``value``, ``grad``, ...), for the
    full average, plus the stochastic pieces. For an index array
    :math:`B` = ``idx`` (repeats allowed; each occurrence counts):

    .. math::

        f_B(x) = \frac{1}{|B|} \sum_{i \in B} f_i(x), \qquad
        \nabla f_B(x) = \frac{1}{|B|} \sum_{i \in B} \nabla f_i(x)

    ``value_batch(x, idx)`` is :math:`f_B(x)`, ``grad_batch(x, idx)`` is
    :math:`\nabla f_B(x)`; ``per_example_values`` and ``per_example_grads``
    give the terms one by one. With ``idx`` a batch drawn uniformly,
    :math:`\nabla f_B(x)` is an unbiased estimate of :math:`\nabla f(x)`;
    with ``idx = np.arange(n)`` it is :math:`\nabla f(x)`.

    A regularizer such as :math:`\tfrac\lambda2 \lVert x \rVert^2` is part of
    every :math:`f_i`, so it enters :math:`f`, every :math:`f_B` and every
    :math:`\nabla f_i` exactly once.

    The factories :func:`least_squares`, :func:`logistic` and
    :func:`softmax_regression` build it; the fields below, beyond those of
    :class:`Objective`, are keyword-only.

    Parameters
    ----------
    X : ndarray, shape (n, d)
        The data, one example per row (stored read-only).
    y : ndarray, shape (n,)
        Targets or labels (stored read-only).
    example_value_fn : callable
        ``example_value_fn(x, idx)`` returns :math:`f_i(x)` for ``i`` in ``idx``
        (all n when None), shape ``(..., m)``; array-agnostic like ``value_fn``.
    batch_grad_fn : callable
        ``batch_grad_fn(x, idx)``: :math:`\nabla f_B(x)`, NumPy, shape ``(..., dim)``.
    example_grad_fn : callable
        ``example_grad_fn(x, idx)``: the :math:`\nabla f_i(x)`, NumPy, shape ``(..., m, dim)``.
    param_shape : tuple
        What the flat ``x`` stands for: ``x.reshape(param_shape)`` is the
        weight vector ``(d,)`` or the weight matrix ``(d, K)``.

    Examples
    --------
    >>> import numpy as np
    >>> f = least_squares([[1.0, 0.0], [0.0, 2.0], [1.0, 1.0]], [1.0, 2.0, 0.0])
    >>> w = np.array([1.0, 1.0])
    >>> f.n, f.per_example_values(w)                      # (x_i . w - y_i)^2 / 2
    (3, array([0., 0., 2.]))
    >>> f.per_example_grads(w, [1, 2])                    # (x_i . w - y_i) x_i
    array([[0., 0.],
           [2., 2.]])
    >>> f.grad_batch(w, [1, 2]), f.grad(w)                # their mean; the mean of all 3
    (array([1., 1.]), array([0.66666667, 0.66666667]))
    """

    X: np.ndarray
    y: np.ndarray
    example_value_fn: Callable
    batch_grad_fn: Callable
    example_grad_fn: Callable
    param_shape: tuple

    def __post_init__(self):
        super().__post_init__()
        X, y = np.array(self.X), np.array(self.y)  # private read-only copies
        X.setflags(write=False)
        y.setflags(write=False)
        object.__setattr__(self, "X", X)
        object.__setattr__(self, "y", y)
        shape = tuple(int(k) for k in self.param_shape)
        if math.prod(shape) != self.dim:
            raise ValueError(f"param_shape {shape} must have dim = {self.dim} entries")
        object.__setattr__(self, "param_shape", shape)

    @property
    def n(self):
        """Number of examples (terms of the sum)."""
        return self.X.shape[0]

    def _index(self, idx, allow_none=True):
        """``idx`` as a 1-D intp array of valid example indices (None: all examples)."""
        if idx is None:
            if allow_none:
                return None
            raise TypeError("idx must be an array of example indices, got None (use value(x) / grad(x) for all)")
        if is_torch(idx):
            idx = idx.detach().cpu().numpy()
        a = np.asarray(idx)
        if a.ndim > 1:
            raise ValueError(f"idx must be a 1-D array of example indices, got shape {a.shape}")
        if a.size == 0:
            raise ValueError("idx must hold at least one example index, got an empty array")
        if a.dtype.kind not in "iu":
            hint = " (for a boolean mask, pass np.flatnonzero(mask))" if a.dtype.kind == "b" else ""
            raise TypeError(f"idx must hold integer indices, got dtype {a.dtype}{hint}")
        lo, hi = int(a.min()), int(a.max())
        if lo < 0 or hi >= self.n:
            raise ValueError(f"idx must hold indices in [0, {self.n}) (n = {self.n} examples), got {lo}..{hi}")
        return a.reshape(-1).astype(np.intp)

    def _numpy(self, x):
        if is_torch(x):  # the gradient formulas are NumPy's; use autograd for tensors
            x = x.detach().cpu().numpy()
        return self._check(x)

    def per_example_values(self, x, idx=None):
        """The terms :math:`f_i(x)` for ``i`` in ``idx`` (all n when None): shape ``(m,)``.

        For a batch of points, shape ``(..., dim)``, the result has shape ``(..., m)``.
        Array-agnostic, like :meth:`Objective.value`: a torch tensor ``x`` gives a tensor.
        """
        return self.example_value_fn(self._check(x), self._index(idx))

    def value_batch(self, x, idx):
        """The mini-batch objective :math:`f_B(x)`, the mean of :math:`f_i(x)` over ``idx``."""
        return self.example_value_fn(self._check(x), self._index(idx, allow_none=False)).mean(-1)

    def grad_batch(self, x, idx):
        """The mini-batch gradient :math:`\nabla f_B(x)`, a NumPy array shaped like ``x``."""
        shape = np.shape(x)
        g = self.batch_grad_fn(self._numpy(x), self._index(idx, allow_none=False))
        return np.reshape(g, shape)

    def value_and_grad_batch(self, x, idx):
        """``(value_batch(x, idx), grad_batch(x, idx))``, one SGD step's worth."""
        return self.value_batch(x, idx), self.grad_batch(x, idx)

    def per_example_grads(self, x, idx=None):
        """The gradients :math:`\nabla f_i(x)` for ``i`` in ``idx`` (all n when None), one per row.

        Shape ``(m, dim)`` for ``x`` of shape ``(dim,)``; ``(..., m, dim)``
        for a batch of points. Their mean over the rows is :meth:`grad_batch`.
        """
        return self.example_grad_fn(self._numpy(x), self._index(idx))


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


def double_well(tilt=0.3):
    r"""A tilted double well: two minima, one deeper than the other.

    .. math::

        f(x) = (x^2 - 1)^2 + c\,x, \qquad f'(x) = 4x(x^2 - 1) + c, \qquad
        f''(x) = 12 x^2 - 4

    with :math:`c` = ``tilt``. For :math:`0 < c < 8/(3\sqrt3) \approx 1.54`
    there are two local minima, near :math:`-1` and :math:`+1`, separated by
    a local maximum near 0; the tilt makes the left one the global minimum
    (``minimizer``, ``min_value``) and the right one a shallower trap.
    The stationary points are the real roots of :math:`4x^3 - 4x + c`.

    Parameters
    ----------
    tilt : float
        :math:`c` (default 0.3); 0 gives two equal minima at :math:`\pm 1`.

    Examples
    --------
    >>> import numpy as np
    >>> f = double_well()
    >>> points = np.sort(np.roots([4, 0, -4, 0.3]).real)   # min, max, min
    >>> print(points.round(4), f(points[:, None]).round(4))
    [-1.0356  0.0754  0.9601] [-0.3054  1.0113  0.2941]
    >>> print(f.minimizer.round(4), round(f.min_value, 4))
    [-1.0356] -0.3054
    """
    c = float(_numeric("tilt", tilt))

    def value(x):
        x = x[..., 0]
        return (x * x - 1) ** 2 + c * x

    def grad(x):
        x = x[..., 0]
        return (4 * x * (x * x - 1) + c)[..., None]

    roots = np.roots([4.0, 0.0, -4.0, c])
    real = roots[np.abs(roots.imag) < 1e-9].real
    x_star = min(real, key=lambda x: (x * x - 1) ** 2 + c * x)
    f_star = (x_star * x_star - 1) ** 2 + c * x_star
    name = "(x² − 1)²" if c == 0 else f"(x² − 1)² {'+' if c > 0 else '−'} {abs(c):g} x"
    return Objective(name, 1, value, grad, minimizer=None if c == 0 else [x_star],
                     min_value=f_star, bounds=(-1.8, 1.8))


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


def _penalty(l2):
    """``l2`` as a float >= 0 (the weight of the L2 penalty)."""
    l2 = float(_numeric("l2", l2))
    if l2 < 0:
        raise ValueError(f"l2 must be >= 0, got {l2}")
    return l2


def _rows(a, idx):
    """The rows ``idx`` of ``a`` (all of them when idx is None)."""
    return a if idx is None else a[idx]


def _finite_sum(name, X, y, example_value, batch_grad, example_grad, param_shape, **facts):
    """A FiniteSum whose value and gradient are those of the mini-batch of all n examples."""

    def value(x):
        return example_value(x, None).mean(-1)

    def grad(x):
        return batch_grad(x, None)

    return FiniteSum(
        name, math.prod(param_shape), value, grad, **facts, X=X, y=y, example_value_fn=example_value,
        batch_grad_fn=batch_grad, example_grad_fn=example_grad, param_shape=param_shape,
    )


def least_squares(X, y, l2=0.0):
    r"""Mean squared error of a linear model, halved: linear regression (ridge with ``l2 > 0``).

    A :class:`FiniteSum` over the n rows :math:`x_i^\top` of ``X``:

    .. math::

        f_i(w) = \tfrac12 (x_i^\top w - y_i)^2 + \tfrac{\lambda}{2} \lVert w \rVert^2, \qquad
        \nabla f_i(w) = (x_i^\top w - y_i)\, x_i + \lambda w

        f(w) = \frac1n \sum_{i=1}^n f_i(w)
             = \frac{1}{2n} \lVert X w - y \rVert^2 + \frac{\lambda}{2} \lVert w \rVert^2, \qquad
        \nabla f(w) = \frac1n X^\top (X w - y) + \lambda w, \qquad
        \nabla^2 f = \frac1n X^\top X + \lambda I

    The mean is over examples (not the sum), the 1/2 makes the gradient
    clean, and there is no intercept unless ``X`` has a column of ones (which
    the penalty then shrinks too). It is a quadratic, so ``hessian`` and
    ``eigenvalues`` are set (the largest eigenvalue :math:`L` gives the stable
    step :math:`\eta < 2/L`). ``minimizer`` solves
    :math:`(\frac1n X^\top X + \lambda I) w = \frac1n X^\top y`; with
    :math:`\lambda = 0` it is the least-squares solution when ``X`` has full
    column rank, else None (then many ``w`` reach ``min_value``).

    Parameters
    ----------
    X : array_like, shape (n, d)
        One sample per row.
    y : array_like, shape (n,)
        Targets.
    l2 : float
        Penalty :math:`\lambda \ge 0` (default 0: plain least squares).

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[1.0, 0.0], [1.0, 1.0], [1.0, 2.0]])
    >>> f = least_squares(X, [1.0, 3.0, 5.0])    # y = 1 + 2 t exactly
    >>> print(f.minimizer.round(6), round(f.min_value, 12), f([0.0, 0.0]))
    [1. 2.] 0.0 5.833333333333333
    >>> f.per_example_values([0.0, 0.0]), f.grad_batch([0.0, 0.0], [2])   # y_i^2 / 2; -y_i x_i
    (array([ 0.5,  4.5, 12.5]), array([ -5., -10.]))
    """
    X, y = _data(X, y)
    l2 = _penalty(l2)
    n, d = X.shape

    def example_value(w, idx):
        Xb, yb = _rows(X, idx), _rows(y, idx)
        r = w @ _like(Xb, w).T - _like(yb, w)  # residuals, shape (..., m)
        return 0.5 * r * r + 0.5 * l2 * (w * w).sum(-1)[..., None]

    def batch_grad(w, idx):
        Xb, yb = _rows(X, idx), _rows(y, idx)
        return (w @ Xb.T - yb) @ Xb / len(yb) + l2 * w

    def example_grad(w, idx):
        Xb, yb = _rows(X, idx), _rows(y, idx)
        return (w @ Xb.T - yb)[..., None] * Xb + l2 * w[..., None, :]

    hessian = X.T @ X / n + l2 * np.eye(d)
    if l2 > 0:
        w_star, rank = np.linalg.solve(hessian, X.T @ y / n), d
    else:
        w_star, _, rank, _ = np.linalg.lstsq(X, y)
    min_value = 0.5 * np.mean((X @ w_star - y) ** 2) + 0.5 * l2 * w_star @ w_star
    minimizer = w_star if rank == d else None
    bounds = _window(w_star, 2.0 * max(1.0, float(np.abs(w_star).max()))) if d == 2 else None
    return _finite_sum(
        "least squares", X, y, example_value, batch_grad, example_grad, (d,),
        minimizer=minimizer, min_value=min_value, bounds=bounds, hessian=hessian,
    )


def logistic(X, y, l2=0.0):
    r"""Mean log-loss of logistic regression (binary), with an optional L2 penalty.

    A :class:`FiniteSum` over the n examples. With labels
    :math:`y_i \in \{0, 1\}`, logits :math:`z_i = x_i^\top w` and
    :math:`\sigma(z) = 1/(1 + e^{-z})`:

    .. math::

        f_i(w) = \log(1 + e^{z_i}) - y_i z_i + \frac{\lambda}{2} \lVert w \rVert^2, \qquad
        \nabla f_i(w) = (\sigma(z_i) - y_i)\, x_i + \lambda w

        f(w) = \frac1n \sum_{i=1}^n f_i(w), \qquad
        \nabla f(w) = \frac1n X^\top (\sigma(X w) - y) + \lambda w

    :math:`\log(1 + e^{z}) - y z` equals the cross-entropy
    :math:`-[y \log\sigma(z) + (1-y)\log(1-\sigma(z))]`, so :math:`f` is the
    mean log-loss plus :math:`\frac\lambda2 \lVert w \rVert^2` (a mean over
    examples, not a sum). There is no intercept unless ``X`` has a column of
    ones (the penalty then shrinks it too).
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
    >>> f.per_example_grads([0.0, 0.0])                        # (1/2 - y_i) x_i
    array([[-0.5, -1. ],
           [ 0.5, -0.5]])
    """
    X, y = _data(X, y)
    if not np.all((y == 0) | (y == 1)):
        raise ValueError("y must hold labels 0 and 1 only")
    l2 = _penalty(l2)
    n, d = X.shape

    def example_value(w, idx):
        Xb, yb = _rows(X, idx), _rows(y, idx)
        z = w @ _like(Xb, w).T  # logits, shape (..., m)
        softplus = (z + abs(z)) / 2 + log1p(exp(-abs(z)))  # log(1 + e^z), stable
        return softplus - _like(yb, w) * z + 0.5 * l2 * (w * w).sum(-1)[..., None]

    def residual(w, Xb, yb):
        sigma = 0.5 * (1.0 + np.tanh(0.5 * (w @ Xb.T)))  # = 1/(1+e^-z), without overflow
        return sigma - yb

    def batch_grad(w, idx):
        Xb, yb = _rows(X, idx), _rows(y, idx)
        return residual(w, Xb, yb) @ Xb / len(yb) + l2 * w

    def example_grad(w, idx):
        Xb, yb = _rows(X, idx), _rows(y, idx)
        return residual(w, Xb, yb)[..., None] * Xb + l2 * w[..., None, :]

    bounds = _window(np.zeros(2), 3.0) if d == 2 else None
    return _finite_sum("logistic loss", X, y, example_value, batch_grad, example_grad, (d,), bounds=bounds)


def softmax_regression(X, y, num_classes=None, l2=0.0):
    r"""Mean cross-entropy of softmax (multinomial logistic) regression, with an optional L2 penalty.

    The parameters are one flat vector :math:`\theta` of size :math:`d K`
    (the Objective contract: ``x`` has shape ``(dim,)``), the weight matrix
    :math:`W` = ``theta.reshape(d, K)`` read row by row, so
    :math:`\theta_{jK + k} = W_{jk}` and column :math:`k` of :math:`W` holds
    the weights of class :math:`k`. With logits :math:`z_i = W^\top x_i \in
    \mathbb{R}^K` (row :math:`i` of :math:`X W`), class probabilities
    :math:`p_i = \operatorname{softmax}(z_i)`, :math:`p_{ik} = e^{z_{ik}} / \sum_l e^{z_{il}}`,
    and :math:`e_{y_i}` the one-hot vector of label :math:`y_i`:

    .. math::

        f_i(\theta) = \log \sum_{k=1}^K e^{z_{ik}} - z_{i y_i}
                      + \frac{\lambda}{2} \lVert \theta \rVert^2, \qquad
        \nabla_W f_i = x_i\, (p_i - e_{y_i})^\top + \lambda W

        f(\theta) = \frac1n \sum_{i=1}^n f_i(\theta), \qquad
        \nabla_W f = \frac1n X^\top (P - Y) + \lambda W

    where :math:`P` and :math:`Y` stack the :math:`p_i` and :math:`e_{y_i}` as
    rows; :math:`f_i` is :math:`-\log p_{i y_i}`, the cross-entropy, so
    :math:`f` is torch's ``cross_entropy`` (mean reduction) plus the penalty
    :math:`\frac\lambda2 \lVert W \rVert_F^2`. There is no intercept (bias)
    unless ``X`` has a column of ones (the penalty then shrinks it too). The
    log-sum-exp is computed as :math:`m + \log\sum_k e^{z_k - m}` with
    :math:`m = \max_k z_k`, which never overflows.

    With :math:`K = 2` this is :func:`logistic` in disguise: with columns
    :math:`w_0, w_1` of :math:`W`, :math:`p_{i1} = \sigma(x_i^\top (w_1 - w_0))`,
    so without penalty the loss is logistic's at :math:`w = w_1 - w_0`.
    Adding the same vector to every column of :math:`W` changes no
    probability, so with :math:`\lambda = 0` a minimizer is never unique:
    ``minimizer`` is None.

    Parameters
    ----------
    X : array_like, shape (n, d)
        One sample per row (add a column of ones for an intercept).
    y : array_like, shape (n,)
        Class labels, integers in ``0 .. K-1`` (integer-valued floats are accepted).
    num_classes : int or None
        :math:`K \ge 2`; default ``max(y) + 1``.
    l2 : float
        Penalty :math:`\lambda \ge 0`.

    Examples
    --------
    >>> import numpy as np
    >>> f = softmax_regression([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]], [0, 2, 1])
    >>> f.dim, f.param_shape                                   # d = 2 features, K = 3 classes
    (6, (2, 3))
    >>> print(f"{f(np.zeros(6)):.6f}")                         # log 3: uniform probabilities
    1.098612
    >>> W = np.array([[1000.0, 0.0, 0.0], [0.0, 0.0, 0.0]])     # logit 1000 for class 0 of x_0
    >>> f.per_example_values(W.ravel()).round(6)               # no overflow
    array([   0.      ,    1.098612, 1000.      ])

    On the shipped digits (64 pixels, 10 classes), one SGD-sized gradient:

    >>> from optlib.datasets import load_digits, minibatches
    >>> digits = load_digits()
    >>> f = softmax_regression(digits.X / 16, digits.y)
    >>> f.n, f.param_shape, f"{f(np.zeros(f.dim)):.6f}"       # log 10 at theta = 0
    (1797, (64, 10), '2.302585')
    >>> idx = next(minibatches(f.n, 32, seed=0))
    >>> f.grad_batch(np.zeros(f.dim), idx).shape
    (640,)
    """
    X, y = _data(X, y)
    if not np.all((y == np.round(y)) & (y >= 0)):
        raise ValueError("y must hold class labels 0, 1, ..., K-1 (integers >= 0)")
    labels = y.astype(np.int64)
    if num_classes is None:
        K = int(labels.max()) + 1
        if K < 2:
            raise ValueError("num_classes must be >= 2, but y holds only label 0: pass num_classes")
    else:
        if isinstance(num_classes, (bool, np.bool_)) or not isinstance(num_classes, (int, np.integer)):
            raise TypeError(f"num_classes must be an int >= 2 or None, got {num_classes!r}")
        K = int(num_classes)
        if K < 2:
            raise ValueError(f"num_classes must be >= 2, got {K}")
        if labels.max() >= K:
            raise ValueError(f"y must hold labels < num_classes = {K}, got label {labels.max()}")
    l2 = _penalty(l2)
    n, d = X.shape
    Y = np.eye(K)[labels]  # one-hot labels, shape (n, K)

    def weights(theta):
        return theta.reshape(tuple(theta.shape[:-1]) + (d, K))

    def example_value(theta, idx):
        Xb, Yb = _rows(X, idx), _rows(Y, idx)
        Z = _like(Xb, theta) @ weights(theta)  # logits, shape (..., m, K)
        return _logsumexp(Z) - (_like(Yb, theta) * Z).sum(-1) + 0.5 * l2 * (theta * theta).sum(-1)[..., None]

    def residual(theta, Xb, Yb):
        Z = Xb @ weights(theta)
        P = np.exp(Z - _logsumexp(Z)[..., None])  # softmax, without overflow
        return P - Yb  # shape (..., m, K)

    def batch_grad(theta, idx):
        Xb, Yb = _rows(X, idx), _rows(Y, idx)
        G = Xb.T @ residual(theta, Xb, Yb) / len(Xb)  # shape (..., d, K)
        return G.reshape(theta.shape) + l2 * theta

    def example_grad(theta, idx):
        Xb, Yb = _rows(X, idx), _rows(Y, idx)
        G = Xb[:, :, None] * residual(theta, Xb, Yb)[..., :, None, :]  # x_i (p_i - e_yi)^T, (..., m, d, K)
        return G.reshape(G.shape[:-2] + (d * K,)) + l2 * theta[..., None, :]

    bounds = _window(np.zeros(2), 3.0) if d * K == 2 else None
    return _finite_sum(
        "softmax cross-entropy", X, labels, example_value, batch_grad, example_grad, (d, K), bounds=bounds
    )
