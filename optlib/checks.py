"""Checks for the coding exercises: they say *what* is wrong, not only that it is.

Each ``check_*`` function calls the student's function on a few inputs,
compares with the right answer, and when it differs, recognises the common
mistakes ("your step moves uphill", "the learning rate is applied twice").
It prints one line of feedback and returns a :class:`Feedback`, which is
truthy when the answer is right, so ``assert check_gd_step(gd_step)`` works
as an nbgrader test.
"""
import dataclasses

import numpy as np

__all__ = ["Feedback", "check_gd_step", "check_gradient_descent", "check_stable_lr", "check_optimal_lr"]


@dataclasses.dataclass(frozen=True)
class Feedback:
    """The outcome of a check: ``passed`` and a ``message`` for the student."""

    passed: bool
    message: str

    def __bool__(self):
        return self.passed

    def __repr__(self):
        return ("✔ " if self.passed else "✘ ") + self.message


def _report(passed, message):
    feedback = Feedback(passed, message)
    print(repr(feedback))
    return feedback


def _call(fn, *args):
    """Call the student's function; turn an exception into feedback."""
    copies = [np.array(a, copy=True) if isinstance(a, np.ndarray) else a for a in args]
    try:
        out = fn(*copies)
    except NotImplementedError:
        return None, "not implemented yet: replace `raise NotImplementedError` with your code"
    except Exception as err:  # a student's bug: report it, don't crash the notebook
        return None, f"calling it raised {type(err).__name__}: {err}"
    for a, c in zip(args, copies):
        if isinstance(a, np.ndarray) and not np.array_equal(a, c):
            return None, "it changed its input array in place; return a new array instead (x - ..., not x -= ...)"
    if out is None:
        return None, "it returned None: did you forget `return`?"
    return out, None


def _close(a, b):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return a.shape == b.shape and np.allclose(a, b, rtol=1e-9, atol=1e-12)


# The cases: x, gradient, lr. The gradients differ in size and sign so that
# each typical mistake gives a different answer.
_STEP_CASES = [
    (np.array([1.0, -2.0]), np.array([0.5, 4.0]), 0.1),
    (np.array([3.0]), np.array([-2.0]), 0.25),
    (np.array([0.5, 0.5, -1.0]), np.array([1.0, -3.0, 0.2]), 0.05),
]


def check_gd_step(gd_step):
    """Check ``gd_step(x, grad, lr) -> x_new``, one gradient-descent step.

    >>> import numpy as np
    >>> _ = check_gd_step(lambda x, g, lr: x - lr * g)
    ✔ gd_step is correct: x_new = x - lr * grad.
    >>> _ = check_gd_step(lambda x, g, lr: x + lr * g)
    ✘ Your step moves uphill: it adds lr * grad. Gradient descent subtracts it, since -grad is the direction of steepest descent.
    """
    outs = []
    for x, g, lr in _STEP_CASES:
        out, problem = _call(gd_step, x, g, lr)
        if problem:
            return _report(False, f"gd_step{_args(x, g, lr)}: {problem}")
        outs.append(out)
    diagnoses = [
        (lambda x, g, lr: x + lr * g, "Your step moves uphill: it adds lr * grad. Gradient descent subtracts it, since -grad is the direction of steepest descent."),
        (lambda x, g, lr: x - g, "The learning rate is missing: the step is x - grad. Scale the gradient by lr."),
        (lambda x, g, lr: x - lr * lr * g, "The learning rate is applied twice: the step is x - lr**2 * grad."),
        (lambda x, g, lr: x - g / lr, "The step divides by the learning rate; multiply by it: x - lr * grad."),
        (lambda x, g, lr: -lr * g, "It returns the step -lr * grad, not the new point: add it to x."),
        (lambda x, g, lr: x - lr * g / np.linalg.norm(g), "It normalises the gradient to length 1; plain gradient descent uses grad as it is."),
        (lambda x, g, lr: x - lr * np.sign(g), "It steps along sign(grad); plain gradient descent uses grad itself."),
    ]
    return _judge(
        outs, _STEP_CASES, lambda x, g, lr: x - lr * g, diagnoses,
        "gd_step is correct: x_new = x - lr * grad.",
        lambda case, out, right: f"gd_step{_args(*case)} returned {_fmt(out)}; expected {_fmt(right)}.",
    )


def _judge(outs, cases, right, diagnoses, success, mismatch):
    """Pass if every output is right; else the first diagnosis that explains
    *every* output (one case alone can fit two mistakes); else show the first
    wrong case."""
    if all(_close(o, right(*c)) for o, c in zip(outs, cases)):
        return _report(True, success)
    for wrong, message in diagnoses:
        if all(_close(o, wrong(*c)) for o, c in zip(outs, cases)):
            return _report(False, message)
    case, out = next((c, o) for o, c in zip(outs, cases) if not _close(o, right(*c)))
    return _report(False, mismatch(case, out, right(*case)))


def check_gradient_descent(gradient_descent):
    """Check ``gradient_descent(grad, x0, lr, steps) -> array of shape (steps + 1, dim)``.

    The rows are ``x0`` and each of the ``steps`` iterates.

    >>> import numpy as np
    >>> def gd(grad, x0, lr, steps):
    ...     xs = [np.asarray(x0, dtype=float)]
    ...     for _ in range(steps):
    ...         xs.append(xs[-1] - lr * grad(xs[-1]))
    ...     return np.array(xs)
    >>> _ = check_gradient_descent(gd)
    ✔ gradient_descent is correct: 21 rows for 20 steps, x0 first, each step at the current point.
    """
    A = np.diag([0.2, 4.0])
    grad = lambda x: A @ x
    x0, lr, steps = np.array([-5.0, -2.0]), 0.4, 20
    right = [x0]
    for _ in range(steps):
        right.append(right[-1] - lr * grad(right[-1]))
    right = np.array(right)
    out, problem = _call(gradient_descent, grad, x0, lr, steps)
    if problem:
        return _report(False, f"gradient_descent(grad, x0={_fmt(x0)}, lr={lr}, steps={steps}): {problem}")
    out = np.asarray(out, dtype=float)
    if out.shape == (steps, 2) and _close(out, right[1:]):
        return _report(False, f"It returns {steps} rows, the iterates without x0; include x0 as the first row ({steps + 1} rows).")
    if out.shape == (steps + 2, 2) or (out.shape == (steps + 1, 2) and _close(out[:-1], right[1:])):
        return _report(False, "Off by one: the rows should be x0 and then exactly `steps` iterates.")
    if out.shape == (2,) and _close(out, right[-1]):
        return _report(False, "It returns only the final point; return every iterate, stacked into an array of shape (steps + 1, dim).")
    if out.shape != right.shape:
        return _report(False, f"It returned an array of shape {out.shape}; expected {right.shape} (x0 and {steps} iterates).")
    stale = x0 - lr * np.arange(steps + 1)[:, None] * grad(x0)
    if _close(out, stale):
        return _report(False, "Every step uses the gradient at x0: evaluate grad at the current point inside the loop.")
    uphill = [x0]
    for _ in range(steps):
        uphill.append(uphill[-1] + lr * grad(uphill[-1]))
    if _close(out, np.array(uphill)):
        return _report(False, "Your steps move uphill: subtract lr * grad(x), don't add it.")
    if not _close(out, right):
        k = int(np.argmax(np.any(~np.isclose(out, right, rtol=1e-9, atol=1e-12), axis=1)))
        return _report(False, f"Row {k} is {_fmt(out[k])}; expected {_fmt(right[k])}.")
    return _report(True, f"gradient_descent is correct: {steps + 1} rows for {steps} steps, x0 first, each step at the current point.")


_MATRICES = [(np.diag([0.2, 4.0]),), (np.array([[2.0, 1.0], [1.0, 3.0]]),), (np.diag([1.0, 10.0, 100.0]),)]
_lmin = lambda A: np.linalg.eigvalsh(A).min()
_lmax = lambda A: np.linalg.eigvalsh(A).max()


def _outputs(fn, name):
    outs = []
    for (A,) in _MATRICES:
        out, problem = _call(fn, A)
        if problem:
            return None, _report(False, f"{name}(A) for A = {_fmt(A)}: {problem}")
        outs.append(out)
    return outs, None


def check_stable_lr(stable_lr):
    r"""Check ``stable_lr(A)``: the largest lr for which GD converges on x^T A x / 2.

    The answer is :math:`2/\lambda_{\max}(A)` (GD diverges at and above it).

    >>> import numpy as np
    >>> _ = check_stable_lr(lambda A: 2 / np.linalg.eigvalsh(A).max())
    ✔ stable_lr is correct: 2 / λ_max.
    """
    outs, failed = _outputs(stable_lr, "stable_lr")
    if failed is not None:
        return failed
    diagnoses = [
        (lambda A: 1 / _lmax(A), "That is 1 / λ_max, where the step lands exactly on the minimum along the steepest direction; GD still converges up to twice that, 2 / λ_max."),
        (lambda A: 2 / _lmin(A), "That uses λ_min. The steepest direction (λ_max) is the first to diverge: the bound is 2 / λ_max."),
        (lambda A: 2 / (_lmin(A) + _lmax(A)), "That is the best learning rate, 2 / (λ_min + λ_max), not the largest stable one, 2 / λ_max."),
        (lambda A: 2 / np.trace(A), "That divides by the trace (the sum of the eigenvalues); the bound uses the largest eigenvalue only."),
        (lambda A: 2 / np.abs(A).max(), "That divides by the largest entry of A; the bound uses the largest eigenvalue, np.linalg.eigvalsh(A).max()."),
    ]
    return _judge(
        outs, _MATRICES, lambda A: 2 / _lmax(A), diagnoses, "stable_lr is correct: 2 / λ_max.",
        lambda case, out, right: f"For A = {_fmt(case[0])} it returned {_fmt(out)}; expected {right:.6g}.",
    )


def check_optimal_lr(optimal_lr):
    r"""Check ``optimal_lr(A)``: the lr with the fastest worst-case GD rate on x^T A x / 2.

    The answer is :math:`2/(\lambda_{\min} + \lambda_{\max})`.

    >>> import numpy as np
    >>> _ = check_optimal_lr(lambda A: 2 / (np.linalg.eigvalsh(A).min() + np.linalg.eigvalsh(A).max()))
    ✔ optimal_lr is correct: 2 / (λ_min + λ_max) balances the slowest and the fastest direction.
    """
    outs, failed = _outputs(optimal_lr, "optimal_lr")
    if failed is not None:
        return failed
    balance = "Balance the two: |1 - η λ_min| = |1 - η λ_max|."
    diagnoses = [
        (lambda A: 1 / _lmax(A), "1 / λ_max is optimal only for the steepest direction; the slow direction (λ_min) then converges at 1 - λ_min/λ_max. " + balance),
        (lambda A: 1 / _lmin(A), "1 / λ_min makes the slowest direction converge in one step but the steepest one diverge. " + balance),
        (lambda A: 2 / _lmax(A), "2 / λ_max is the edge of stability: along λ_max the factor is -1 and that direction never converges."),
        (lambda A: 1 / np.mean(np.linalg.eigvalsh(A)), "That is 1 / mean(λ) over all eigenvalues; only the extremes matter: 2 / (λ_min + λ_max)."),
    ]
    return _judge(
        outs, _MATRICES, lambda A: 2 / (_lmin(A) + _lmax(A)), diagnoses,
        "optimal_lr is correct: 2 / (λ_min + λ_max) balances the slowest and the fastest direction.",
        lambda case, out, right: f"For A = {_fmt(case[0])} it returned {_fmt(out)}; expected {right:.6g}.",
    )


def _fmt(a):
    return np.array2string(np.asarray(a, dtype=float), precision=4, separator=", ").replace("\n", "")


def _args(x, g, lr):
    return f"(x={_fmt(x)}, grad={_fmt(g)}, lr={lr})"
