"""Chapter 5, AdaGrad: checks for one step of AdaGrad in torch's form, and the learning rate for a distance.

Each check prints one line of feedback and returns a :class:`~optlib.checks.Feedback`,
truthy when the answer is right, so ``assert check_adagrad_step(adagrad_step)`` is an nbgrader test.
"""
import math

import numpy as np

from ._core import check_cases, close, first_wrong, floats, fmt, quiet_run, read_arrays, report, wrong_order

__all__ = ["check_adagrad_step", "check_adagrad_lr_for_distance"]

_EPS = 1e-10  # the default eps of the student's adagrad_step, as torch's


# One step of AdaGrad, in torch's form: the accumulator s, from 0, adds the squared gradient, coordinate by
# coordinate, and theta moves by -lr * grad / (root of the new s + eps), eps outside the root.

# theta, s, grad, lr, eps: two first steps (s = 0) and four later ones. Three cases have an eps of 0.1 or 0.5,
# large enough that where eps goes (inside the root, outside, nowhere) changes theta; the other three keep the
# default. A zero gradient where s is not 0 (case 4) tells one accumulator per coordinate from one shared. No
# lr is 1, no new s is 1 (a root or none would agree), no gradient is ±1 in a later step only.
_STEP_CASES = [
    (np.array([1.0, -2.0]), np.zeros(2), np.array([0.5, 4.0]), 0.1, _EPS),
    (np.array([0.5, 0.5, -1.0]), np.zeros(3), np.array([1.5, -3.0, 0.2]), 0.05, 0.1),
    (np.array([1.0, -2.0]), np.array([0.25, 16.0]), np.array([-1.0, 2.5]), 0.1, _EPS),
    (np.array([3.0, -1.0, 0.25]), np.array([2.0, 0.5, 4.0]), np.array([0.0, 1.5, -0.4]), 0.25, 0.5),
    (np.array([0.2, 0.7]), np.array([1.0, 9.0]), np.array([2.0, -0.5]), 1.5, _EPS),
    (np.array([-1.0, 2.0, 0.5]), np.array([0.3, 1.2, 0.05]), np.array([0.7, 0.2, -1.3]), 0.02, 0.1),
]


def _adagrad_step(theta, s, grad, lr, eps=_EPS):
    new_s = s + grad ** 2
    return theta - lr * grad / (np.sqrt(new_s) + eps), new_s


_SHARED = ("It shares one accumulator across coordinates: AdaGrad keeps one per coordinate, "
           "which is the point of it.")
_SQUARES = "It accumulates the gradients, not their squares."

# The wrong accumulators: (s, grad) -> new_s.
_S_MISTAKES = [
    (lambda s, g: s + np.abs(g), _SQUARES),
    (lambda s, g: s + g, _SQUARES),
    (lambda s, g: g ** 2, "It overwrites the accumulator: s must keep the sum of all squared gradients so far."),
    (lambda s, g: s, "It returns the accumulator unchanged: new_s must include this step's squared gradient."),
    (lambda s, g: s + np.sum(g ** 2), _SHARED),
    (lambda s, g: s + np.mean(g ** 2), _SHARED),
    (lambda s, g: np.full_like(s, np.sum(s) + np.sum(g ** 2)), _SHARED),
]

# The wrong steps, taken with the right accumulator S (the new one): (theta, s, S, grad, lr, eps) -> new_theta.
_THETA_MISTAKES = [
    (lambda t, s, S, g, lr, eps: t - lr * g / np.sqrt(S + eps),
     "It puts eps inside the square root; torch's form adds it outside."),
    (lambda t, s, S, g, lr, eps: t - lr * g / np.sqrt(S),
     "It forgets eps, which keeps the step finite while a coordinate's accumulator is still 0."),
    (lambda t, s, S, g, lr, eps: t - lr * g / (np.sqrt(s) + eps),
     "It divides by the old accumulator: torch adds the new squared gradient first."),
    (lambda t, s, S, g, lr, eps: t - lr * g / (S + eps),
     "It divides by the accumulator itself, not by its square root."),
    (lambda t, s, S, g, lr, eps: t - lr * g / (np.sqrt(np.sum(S)) + eps), _SHARED),
    (lambda t, s, S, g, lr, eps: t + lr * g / (np.sqrt(S) + eps),
     "Your step moves uphill: theta moves along the gradient, not against it."),
    (lambda t, s, S, g, lr, eps: t - g / (np.sqrt(S) + eps),
     "It applies no learning rate: scale the step by lr."),
]


def _step_label(theta, s, grad, lr, eps):
    extra = "" if eps == _EPS else f", eps={eps}"
    return f"adagrad_step(theta={fmt(theta)}, s={fmt(s)}, grad={fmt(grad)}, lr={lr}{extra})"


def _run_step(adagrad_step, theta, s, grad, lr, eps):
    """Call the student's function on one case (eps left to its default when it is torch's)."""
    if eps == _EPS:
        return quiet_run(lambda t, a, g: adagrad_step(t, a, g, lr), theta, s, grad)
    return quiet_run(lambda t, a, g: adagrad_step(t, a, g, lr, eps=eps), theta, s, grad)


def _read_step(out, case):
    """The student's ``(new_theta, new_s)`` as two float arrays, or ``(None, message)``."""
    only = ["It returns only new_theta: return the pair (new_theta, new_s); the next step needs the accumulator.",
            "It returns only the new accumulator: return the pair (new_theta, new_s)."]
    return read_arrays(out, _adagrad_step(*case), ("new_theta", "new_s"), _step_label(*case), only, _SHARED)


def _diagnose_step(outs):
    """The message for a wrong answer: a swap, a named mistake, or the first wrong value."""
    cases, rights = _STEP_CASES, [_adagrad_step(*case) for case in _STEP_CASES]
    swapped = wrong_order(outs, rights, ("new_theta", "new_s"))
    if swapped:
        return swapped
    for wrong, message in _S_MISTAKES:
        if all(close(s, wrong(c[1], c[2])) for (_, s), c in zip(outs, cases)):
            return message
    if all(close(s, right_s) for (_, s), (_, right_s) in zip(outs, rights)):
        for wrong, message in _THETA_MISTAKES:
            if all(close(theta, wrong(c[0], c[1], s, c[2], c[3], c[4])) for (theta, s), c in zip(outs, cases)):
                return message
    for case, out, right in zip(cases, outs, rights):
        message = first_wrong(_step_label(*case), out, right, ("new_theta", "new_s"), order=(1, 0))
        if message:
            return message
    raise AssertionError("unreachable: some case is wrong")


def check_adagrad_step(adagrad_step):
    r"""Check ``adagrad_step(theta, s, grad, lr, eps=1e-10) -> (new_theta, new_s)``: one step of AdaGrad.

    One step of AdaGrad in torch's form, coordinate by coordinate: the accumulator ``s`` (zeros before the first
    step) adds the squared gradient, :math:`s \leftarrow s + g^2`, and theta moves by
    :math:`-\eta\, g / (\sqrt{s} + \epsilon)` with the new ``s``, eps outside the square root. The inputs are
    NumPy arrays, which it must not change in place.

    >>> import numpy as np
    >>> def adagrad_step(theta, s, grad, lr, eps=1e-10):
    ...     new_s = s + grad ** 2
    ...     return theta - lr * grad / (np.sqrt(new_s) + eps), new_s
    >>> _ = check_adagrad_step(adagrad_step)
    ✔ adagrad_step is correct: torch's accumulator and eps placement.
    """
    outs = []
    for case in _STEP_CASES:
        out, problem = _run_step(adagrad_step, *case)
        if problem:
            return report(False, f"{_step_label(*case)}: {problem}")
        pair, message = _read_step(out, case)
        if message:
            return report(False, message)
        outs.append(pair)
    rights = [_adagrad_step(*case) for case in _STEP_CASES]
    if all(close(theta, right_theta) and close(s, right_s) for (theta, s), (right_theta, right_s) in zip(outs, rights)):
        return report(True, "adagrad_step is correct: torch's accumulator and eps placement.")
    return report(False, _diagnose_step(outs))


# The learning rate at which AdaGrad, fed a gradient of the same size at every step, travels a given distance:
# its t-th step is lr / sqrt(t) long (eps aside), so the answer is distance / sum of 1/sqrt(t) for t = 1..steps.

def _root_sum(first, last):
    """The sum of 1/sqrt(t) for t = first, ..., last (0 if there is none)."""
    return math.fsum(1 / math.sqrt(t) for t in range(first, last + 1))


def _lr_for_distance(distance, steps):
    return distance / _root_sum(1, steps)


def _over(distance, total):
    """distance / total, infinite for an empty sum (as NumPy gives it), without a ZeroDivisionError."""
    return distance / total if total else math.inf


# distance, steps: one step (the travel is exactly lr, and integral approximations are off by a constant),
# 10, 100 and 1000 steps; distance 1 at steps 1 only.
_DISTANCE_CASES = [(2.0, 100), (1.0, 1), (0.5, 10), (10.0, 1000)]

_OFF_BY_ONE = "It is off by one in the steps it counts"
_INTEGRAL = ("It uses the integral approximation of the sum, which is off by a constant that matters for few steps: "
             "with steps=1 the travel is exactly lr.")
_DISTANCE_MISTAKES = [
    (lambda d, n: d / (2 * math.sqrt(n)), _INTEGRAL),
    (lambda d, n: d / (2 * math.sqrt(n) - 1), _INTEGRAL),
    (lambda d, n: _over(d, 2 * math.sqrt(n) - 2), _INTEGRAL),
    (lambda d, n: d / (2 * math.sqrt(n + 1) - 2), _INTEGRAL),
    (lambda d, n: d / math.sqrt(n),
     "It treats every step as if it were as short as the last one, lr/√steps: a step of lr/√t shrinks with t, "
     "so the earlier steps are longer and AdaGrad would overshoot the distance."),
    (lambda d, n: d / n,
     "It treats every step as lr long, as gradient descent with a unit gradient would: AdaGrad's steps shrink."),
    (lambda d, n: d / math.fsum(1 / t for t in range(1, n + 1)),
     "Its steps shrink like 1/t; AdaGrad's shrink like 1/√t."),
    (lambda d, n: _over(d, _root_sum(1, n - 1)), f"{_OFF_BY_ONE}: it leaves out the last step."),
    (lambda d, n: _over(d, _root_sum(2, n)), f"{_OFF_BY_ONE}: it leaves out the first step."),
    (lambda d, n: d / _root_sum(1, n + 1), f"{_OFF_BY_ONE}: it counts one step too many."),
    (lambda d, n: 0.0, f"{_OFF_BY_ONE}: a step t = 0 would be infinitely long, so its lr comes out 0."),
    (lambda d, n: d * _root_sum(1, n), "It multiplies where it should divide."),
    (lambda d, n: _root_sum(1, n) / d, "It has the ratio upside down: a longer distance needs a larger lr."),
    (lambda d, n: d / math.fsum(math.sqrt(t) for t in range(1, n + 1)),
     "Its steps grow like √t; AdaGrad's shrink like 1/√t."),
]


def _distance_label(distance, steps):
    return f"lr_for_distance(distance={distance}, steps={steps})"


def _distance_mismatch(case, out, right):
    distance, steps = case
    lr = float(floats(out))
    if lr <= 0:
        return f"{_distance_label(*case)} returned {lr:.6g}; a learning rate is positive (expected {right:.6g})."
    travel = lr * _root_sum(1, steps)
    return (f"{_distance_label(*case)} returned {lr:.6g}; with it AdaGrad would travel {travel:.6g}, not {distance} "
            f"(expected {right:.6g}).")


def check_adagrad_lr_for_distance(lr_for_distance):
    r"""Check ``lr_for_distance(distance, steps)``: the lr at which AdaGrad's shrinking steps cover ``distance``.

    Fed a gradient of the same size at every step, AdaGrad's t-th step is :math:`\eta/\sqrt t` long (eps aside);
    the answer is the learning rate :math:`\eta` at which the ``steps`` steps, t = 1, ..., steps, add up to
    ``distance``.

    >>> import math
    >>> def lr_for_distance(distance, steps):
    ...     return distance / math.fsum(1 / math.sqrt(t) for t in range(1, steps + 1))
    >>> _ = check_adagrad_lr_for_distance(lr_for_distance)
    ✔ lr_for_distance is correct: the steps lr/√t add up to the distance.
    """
    outs, problems = [], []
    for case in _DISTANCE_CASES:
        out, problem = quiet_run(lr_for_distance, *case)
        outs.append(out)
        problems.append(problem)
    first = next(((case, p) for case, p in zip(_DISTANCE_CASES, problems) if p), None)
    if first:
        zero_division = [p is not None and "raised ZeroDivisionError" in p for p in problems]
        if all(zero_division):
            return report(False, f"{_distance_label(*first[0])}: {first[1]} (does it count a step t = 0?)")
        if all(z == (n == 1) for z, (_, n) in zip(zero_division, _DISTANCE_CASES)):
            # An empty sum at steps=1, as Python's sum gives it: where NumPy's gives an infinite lr.
            filled = [math.inf if z else out for z, out in zip(zero_division, outs)]
            for wrong, message in _DISTANCE_MISTAKES:
                if all(close(out, wrong(*case)) for out, case in zip(filled, _DISTANCE_CASES)):
                    return report(False, message)
        return report(False, f"{_distance_label(*first[0])}: {first[1]}")
    answers = dict(zip(_DISTANCE_CASES, outs))
    return check_cases(
        lambda distance, steps: answers[distance, steps], _DISTANCE_CASES, _lr_for_distance, _DISTANCE_MISTAKES,
        success="lr_for_distance is correct: the steps lr/√t add up to the distance.",
        label=_distance_label, mismatch=_distance_mismatch,
    )
