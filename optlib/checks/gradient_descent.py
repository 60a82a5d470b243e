"""Chapter 1, gradient descent: checks for one step, the loop, and the two learning rates.

Each check prints one line of feedback and returns a :class:`~optlib.checks.Feedback`,
truthy when the answer is right, so ``assert check_gd_step(gd_step)`` is an nbgrader test.
"""
import numpy as np

from ._core import check_cases, close, floats, fmt, report, run

__all__ = ["check_gd_step", "check_gradient_descent", "check_stable_lr", "check_optimal_lr"]


def _args(x, g, lr):
    return f"(x={fmt(x)}, grad={fmt(g)}, lr={lr})"


# The cases: x, gradient, lr. The gradients differ in size and sign so that
# each typical mistake gives a different answer.
_STEP_CASES = [
    (np.array([1.0, -2.0]), np.array([0.5, 4.0]), 0.1),
    (np.array([3.0]), np.array([-2.0]), 0.25),
    (np.array([0.5, 0.5, -1.0]), np.array([1.0, -3.0, 0.2]), 0.05),
]

_STEP_MISTAKES = [
    (lambda x, g, lr: x + lr * g, "Your step moves uphill: it adds lr * grad. Gradient descent subtracts it, since -grad is the direction of steepest descent."),
    (lambda x, g, lr: x - g, "The learning rate is missing: the step is x - grad. Scale the gradient by lr."),
    (lambda x, g, lr: x - lr * lr * g, "The learning rate is applied twice: the step is x - lr**2 * grad."),
    (lambda x, g, lr: x - g / lr, "The step divides the gradient by the learning rate; the learning rate should scale it, not divide it."),
    (lambda x, g, lr: -lr * g, "It returns the step -lr * grad, not the new point: add it to x."),
    (lambda x, g, lr: x - lr * g / np.linalg.norm(g), "It normalises the gradient to length 1; plain gradient descent uses grad as it is."),
    (lambda x, g, lr: x - lr * np.sign(g), "It steps along sign(grad); plain gradient descent uses grad itself."),
]


def check_gd_step(gd_step):
    """Check ``gd_step(x, grad, lr) -> x_new``, one gradient-descent step.

    >>> import numpy as np
    >>> _ = check_gd_step(lambda x, g, lr: x - lr * g)
    ✔ gd_step is correct: x_new = x - lr * grad.
    >>> _ = check_gd_step(lambda x, g, lr: x + lr * g)
    ✘ Your step moves uphill: it adds lr * grad. Gradient descent subtracts it, since -grad is the direction of steepest descent.
    """
    return check_cases(
        gd_step, _STEP_CASES, lambda x, g, lr: x - lr * g, _STEP_MISTAKES,
        success="gd_step is correct: x_new = x - lr * grad.",
        label=lambda x, g, lr: f"gd_step{_args(x, g, lr)}",
    )


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
    ✔ gradient_descent is correct: 21 rows for 20 steps, each from the one before.
    """
    A = np.diag([0.2, 4.0])
    grad = lambda x: A @ x
    x0, lr, steps = np.array([-5.0, -2.0]), 0.4, 20
    call = f"gradient_descent(grad, x0={fmt(x0)}, lr={lr}, steps={steps})"
    right = [x0]
    for _ in range(steps):
        right.append(right[-1] - lr * grad(right[-1]))
    right = np.array(right)
    out, problem = run(gradient_descent, grad, x0, lr, steps)
    if problem:
        return report(False, f"{call}: {problem}")
    returned, out = out, floats(out)
    if out is None:
        return report(False, f"{call} returned {fmt(returned)}, which is not an array of numbers.")
    if out.shape == (steps, 2) and close(out, right[1:]):
        return report(False, f"It returns {steps} rows, the iterates without x0; include x0 as the first row ({steps + 1} rows).")
    if out.shape == (steps + 2, 2) or (out.shape == (steps + 1, 2) and close(out[:-1], right[1:])):
        return report(False, "Off by one: the rows should be x0 and then exactly `steps` iterates.")
    if out.shape == (2,) and close(out, right[-1]):
        return report(False, "It returns only the final point; return every iterate, stacked into an array of shape (steps + 1, dim).")
    if out.shape != right.shape:
        return report(False, f"It returned an array of shape {out.shape}; expected {right.shape} (x0 and {steps} iterates).")
    stale = x0 - lr * np.arange(steps + 1)[:, None] * grad(x0)
    if close(out, stale):
        return report(False, "Every step uses the gradient at x0: evaluate grad at the current point inside the loop.")
    uphill = [x0]
    for _ in range(steps):
        uphill.append(uphill[-1] + lr * grad(uphill[-1]))
    if close(out, np.array(uphill)):
        return report(False, "Your steps move uphill: subtract lr * grad(x), don't add it.")
    if not close(out, right):
        k = int(np.argmax(np.any(~np.isclose(out, right, rtol=1e-9, atol=1e-12), axis=1)))
        return report(False, f"Row {k} is {fmt(out[k])}; expected {fmt(right[k])}.")
    return report(True, f"gradient_descent is correct: {steps + 1} rows for {steps} steps, each from the one before.")


# The cases for the learning rates: one matrix A each (the objective is x^T A x / 2),
# diagonal and not, 2-D and 3-D, so that each mistake gives a different answer.
_MATRICES = [(np.diag([0.2, 4.0]),), (np.array([[2.0, 1.0], [1.0, 3.0]]),), (np.diag([1.0, 10.0, 100.0]),)]
_lmin = lambda A: np.linalg.eigvalsh(A).min()
_lmax = lambda A: np.linalg.eigvalsh(A).max()


def _lr_label(name):
    return lambda A: f"{name}(A) for A = {fmt(A)}"


def _lr_mismatch(case, out, right):
    return f"For A = {fmt(case[0])} it returned {fmt(out)}; expected {right:.6g}."


def check_stable_lr(stable_lr):
    r"""Check ``stable_lr(A)``: the largest lr for which GD converges on x^T A x / 2.

    The answer is :math:`2/\lambda_{\max}(A)` (GD diverges at and above it).

    >>> import numpy as np
    >>> _ = check_stable_lr(lambda A: 2 / np.linalg.eigvalsh(A).max())
    ✔ stable_lr is correct: 2 / λ_max.
    """
    mistakes = [
        (lambda A: 1 / _lmax(A), "That is 1 / λ_max, where the step lands exactly on the minimum along the steepest direction; GD still converges for larger steps. How much larger?"),
        (lambda A: 2 / _lmin(A), "That uses λ_min. As η grows, which direction is the first to stop shrinking?"),
        (lambda A: 2 / (_lmin(A) + _lmax(A)), "That is the best learning rate, not the largest stable one: how far past it can η go before one direction stops shrinking?"),
        (lambda A: 2 / np.trace(A), "That divides by the trace (the sum of the eigenvalues); the bound uses the largest eigenvalue only."),
        (lambda A: 2 / np.abs(A).max(), "That divides by the largest entry of A; the bound uses the largest eigenvalue, np.linalg.eigvalsh(A).max()."),
    ]
    return check_cases(
        stable_lr, _MATRICES, lambda A: 2 / _lmax(A), mistakes,
        success="stable_lr is correct: 2 / λ_max.", label=_lr_label("stable_lr"), mismatch=_lr_mismatch,
    )


def check_optimal_lr(optimal_lr):
    r"""Check ``optimal_lr(A)``: the lr with the fastest worst-case GD rate on x^T A x / 2.

    The answer is :math:`2/(\lambda_{\min} + \lambda_{\max})`.

    >>> import numpy as np
    >>> _ = check_optimal_lr(lambda A: 2 / (np.linalg.eigvalsh(A).min() + np.linalg.eigvalsh(A).max()))
    ✔ optimal_lr is correct: 2 / (λ_min + λ_max) balances the extreme directions.
    """
    balance = "Balance the two: |1 - η λ_min| = |1 - η λ_max|."
    mistakes = [
        (lambda A: 1 / _lmax(A), "1 / λ_max is optimal only for the steepest direction; the slow direction (λ_min) then converges at 1 - λ_min/λ_max. " + balance),
        (lambda A: 1 / _lmin(A), "1 / λ_min makes the slowest direction converge in one step but the steepest one diverge. " + balance),
        (lambda A: 2 / _lmax(A), "2 / λ_max is the edge of stability: along λ_max the factor is -1 and that direction never converges."),
        (lambda A: 1 / np.mean(np.linalg.eigvalsh(A)), "That is 1 / mean(λ) over all eigenvalues; only the slowest and the fastest direction set the worst-case rate."),
    ]
    return check_cases(
        optimal_lr, _MATRICES, lambda A: 2 / (_lmin(A) + _lmax(A)), mistakes,
        success="optimal_lr is correct: 2 / (λ_min + λ_max) balances the extreme directions.",
        label=_lr_label("optimal_lr"), mismatch=_lr_mismatch,
    )
