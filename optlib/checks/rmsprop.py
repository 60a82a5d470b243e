"""Chapter 6, RMSprop: checks for one step of RMSprop in torch's form, its first step, and its averaging window.

Each check prints one line of feedback and returns a :class:`~optlib.checks.Feedback`,
truthy when the answer is right, so ``assert check_rmsprop_step(rmsprop_step)`` is an nbgrader test.
"""
import math

import numpy as np

from ._core import check_cases, close, first_wrong, floats, fmt, quiet_run, read_arrays, report, wrong_order

__all__ = ["check_rmsprop_step", "check_first_step", "check_window"]

_ALPHA, _EPS = 0.99, 1e-8  # the defaults of the student's rmsprop_step, as torch's


# One step of RMSprop, in torch's form: the average v, from 0, is an exponential moving average of the squared
# gradient, coordinate by coordinate, v = alpha * v + (1 - alpha) * g**2, and theta moves by
# -lr * grad / (root of the new v + eps), eps outside the root, with no bias correction.

# theta, v, grad, lr, alpha, eps: two first steps (v = 0) and four later ones. alpha is 0.99 (torch's default),
# 0.9, 0.5 and 0.8: at 0.5 alpha and 1 - alpha coincide, so the others tell a swap apart. Three cases have an eps
# of 0.1 or 0.5, large enough that where eps goes (inside the root, outside, nowhere) changes theta; the other
# three keep the default. Two cases leave alpha to its default, one of them eps too, so that a wrong default is
# caught. A zero gradient where v is not 0 (case 4) tells one average per coordinate from one shared. No lr is 1,
# no new v is 1 (a root or none would agree), and in the later steps no v equals the gradient or its square.
_STEP_CASES = [
    (np.array([1.5, -2.0]), np.zeros(2), np.array([0.5, 4.0]), 0.1, _ALPHA, _EPS),
    (np.array([0.5, 0.5, -1.0]), np.zeros(3), np.array([1.5, -3.0, 0.2]), 0.05, 0.9, 0.1),
    (np.array([1.0, -2.0]), np.array([0.25, 16.0]), np.array([-1.0, 2.5]), 0.1, 0.9, _EPS),
    (np.array([3.0, -1.0, 0.25]), np.array([3.0, 0.5, 4.0]), np.array([0.0, 1.5, -0.4]), 0.25, 0.5, 0.5),
    (np.array([0.2, 0.7]), np.array([1.3, 9.0]), np.array([2.0, -0.5]), 1.5, _ALPHA, 0.1),
    (np.array([-1.0, 2.0, 0.5]), np.array([0.3, 1.2, 0.05]), np.array([0.7, 0.2, -1.3]), 0.02, 0.8, _EPS),
]


def _average(v, grad, alpha):
    return alpha * v + (1 - alpha) * grad ** 2


def _rmsprop_step(theta, v, grad, lr, alpha=_ALPHA, eps=_EPS):
    new_v = _average(v, grad, alpha)
    return theta - lr * grad / (np.sqrt(new_v) + eps), new_v


_SHARED = "It shares one average across coordinates: RMSprop keeps one per coordinate, which is the point of it."
_SQUARES = "It averages the gradients, not their squares: the square is missing."
_FORGETS_PAST = "It drops the old v: the average must carry the past along, with the weight alpha."

# The wrong averages: (v, grad, alpha) -> new_v.
_V_MISTAKES = [
    (lambda v, g, a: a * v + g ** 2,
     "It forgets the (1 - alpha) on the new squared gradient: v is then a sum weighted by powers of alpha, "
     "not an average, and its weights add up to more than 1."),
    (lambda v, g, a: (1 - a) * v + a * g ** 2,
     "It swaps alpha and 1 - alpha: alpha is the weight of the past, so that with alpha near 1 v changes slowly."),
    (lambda v, g, a: a * v + (1 - a) * g, _SQUARES),
    (lambda v, g, a: a * v + (1 - a) * np.abs(g), "It averages the gradients' sizes, not their squares."),
    (lambda v, g, a: a * v + ((1 - a) * g) ** 2,
     "The square is in the wrong place: it squares the weight of the new gradient along with the gradient; "
     "the weight is not squared."),
    (lambda v, g, a: (a * v + (1 - a) * g) ** 2,
     "The square is in the wrong place: it squares the whole average, where each gradient should be squared "
     "before it enters the average."),
    (lambda v, g, a: v + g ** 2,
     "It accumulates like AdaGrad: RMSprop forgets, keeping a moving average of the squared gradients, "
     "not their sum."),
    (lambda v, g, a: g ** 2,
     "It keeps only the latest squared gradient: v is a moving average, which carries the past along."),
    (lambda v, g, a: (1 - a) * g ** 2, _FORGETS_PAST),
    (lambda v, g, a: v, "It returns v unchanged: new_v must include this step's squared gradient."),
    (lambda v, g, a: a * v + (1 - a) * np.mean(g ** 2), _SHARED),
    (lambda v, g, a: a * v + (1 - a) * np.sum(g ** 2), _SHARED),
]

# The wrong steps, taken with the right average V (the new one): (theta, v, V, grad, lr, eps) -> new_theta.
_THETA_MISTAKES = [
    (lambda t, v, V, g, lr, eps: t - lr * g / np.sqrt(V + eps),
     "It puts eps inside the square root; torch's form adds it outside (Keras and optax put it inside)."),
    (lambda t, v, V, g, lr, eps: t - lr * g / np.sqrt(V),
     "It forgets eps, which keeps the step finite while a coordinate's average is still 0."),
    (lambda t, v, V, g, lr, eps: t - lr * g / (np.sqrt(v) + eps),
     "It divides by the old average: torch updates v with this step's squared gradient first."),
    (lambda t, v, V, g, lr, eps: t - lr * g / (V + eps),
     "It divides by the average itself, not by its square root: the step must not depend on the gradient's scale."),
    (lambda t, v, V, g, lr, eps: t - lr * g / (np.sqrt(np.sum(V)) + eps), _SHARED),
    (lambda t, v, V, g, lr, eps: t + lr * g / (np.sqrt(V) + eps),
     "Your step moves uphill: theta moves along the gradient, not against it."),
    (lambda t, v, V, g, lr, eps: t - g / (np.sqrt(V) + eps),
     "It applies no learning rate: scale the step by lr."),
]

_DEFAULTS = ("Its defaults are not the signature's: with alpha and eps given it is right, but left out they must "
             "be torch's, alpha=0.99 and eps=1e-8.")


def _options(alpha, eps, explicit=False):
    """The keyword arguments of one call: alpha and eps, each left to its default when it is torch's."""
    options = {}
    if explicit or alpha != _ALPHA:
        options["alpha"] = alpha
    if explicit or eps != _EPS:
        options["eps"] = eps
    return options


def _step_label(theta, v, grad, lr, alpha, eps):
    extra = "".join(f", {name}={value}" for name, value in _options(alpha, eps).items())
    return f"rmsprop_step(theta={fmt(theta)}, v={fmt(v)}, grad={fmt(grad)}, lr={lr}{extra})"


def _run_step(rmsprop_step, theta, v, grad, lr, alpha, eps, explicit=False):
    """Call the student's function on one case (alpha and eps left to their defaults when they are torch's)."""
    options = _options(alpha, eps, explicit)
    return quiet_run(lambda t, a, g: rmsprop_step(t, a, g, lr, **options), theta, v, grad)


def _read_step(out, case):
    """The student's ``(new_theta, new_v)`` as two float arrays, or ``(None, message)``."""
    only = ["It returns only new_theta: return the pair (new_theta, new_v); the next step needs the average.",
            "It returns only the new average: return the pair (new_theta, new_v)."]
    return read_arrays(out, _rmsprop_step(*case), ("new_theta", "new_v"), _step_label(*case), only, _SHARED)


def _outputs(rmsprop_step, explicit=False):
    """The student's pairs on every case, or ``(None, message)`` for the first call that fails."""
    outs = []
    for case in _STEP_CASES:
        out, problem = _run_step(rmsprop_step, *case, explicit=explicit)
        if problem:
            return None, f"{_step_label(*case)}: {problem}"
        pair, message = _read_step(out, case)
        if message:
            return None, message
        outs.append(pair)
    return outs, None


def _right(outs):
    """For each case, whether the student's pair is right."""
    return [close(theta, right_theta) and close(v, right_v)
            for (theta, v), (right_theta, right_v) in zip(outs, (_rmsprop_step(*case) for case in _STEP_CASES))]


def _diagnose_step(rmsprop_step, outs):
    """The message for a wrong answer: a swap, a named mistake, wrong defaults, or the first wrong value."""
    cases, rights = _STEP_CASES, [_rmsprop_step(*case) for case in _STEP_CASES]
    swapped = wrong_order(outs, rights, ("new_theta", "new_v"))
    if swapped:
        return swapped
    for wrong, message in _V_MISTAKES:
        if all(close(v, wrong(c[1], c[2], c[4])) for (_, v), c in zip(outs, cases)):
            return message
    if all(close(v, right_v) for (_, v), (_, right_v) in zip(outs, rights)):
        for wrong, message in _THETA_MISTAKES:
            if all(close(theta, wrong(c[0], c[1], v, c[2], c[3], c[5])) for (theta, v), c in zip(outs, cases)):
                return message
    defaulted = [alpha == _ALPHA or eps == _EPS for *_, alpha, eps in cases]
    if all(ok or by_default for ok, by_default in zip(_right(outs), defaulted)):
        explicit, _ = _outputs(rmsprop_step, explicit=True)
        if explicit is not None and all(_right(explicit)):
            return _DEFAULTS
    for case, out, right in zip(cases, outs, rights):
        message = first_wrong(_step_label(*case), out, right, ("new_theta", "new_v"), order=(1, 0))
        if message:
            return message
    raise AssertionError("unreachable: some case is wrong")


def check_rmsprop_step(rmsprop_step):
    r"""Check ``rmsprop_step(theta, v, grad, lr, alpha=0.99, eps=1e-8) -> (new_theta, new_v)``: one step of RMSprop.

    One step of RMSprop in torch's form, coordinate by coordinate: the average ``v`` (zeros before the first step)
    is an exponential moving average of the squared gradient, :math:`v \leftarrow \alpha v + (1 - \alpha) g^2`,
    and theta moves by :math:`-\eta\, g / (\sqrt{v} + \epsilon)` with the new ``v``, eps outside the square root,
    and no bias correction. The inputs are NumPy arrays, which it must not change in place.

    >>> import numpy as np
    >>> def rmsprop_step(theta, v, grad, lr, alpha=0.99, eps=1e-8):
    ...     new_v = alpha * v + (1 - alpha) * grad ** 2
    ...     return theta - lr * grad / (np.sqrt(new_v) + eps), new_v
    >>> _ = check_rmsprop_step(rmsprop_step)
    ✔ rmsprop_step is correct: torch's average of g², eps outside the root.
    """
    outs, message = _outputs(rmsprop_step)
    if message:
        return report(False, message)
    if all(_right(outs)):
        return report(True, "rmsprop_step is correct: torch's average of g², eps outside the root.")
    return report(False, _diagnose_step(rmsprop_step, outs))


# The length of RMSprop's first step, v starting at 0 and eps = 0: the new v is (1 - alpha) g², so the step is
# lr |g| / (sqrt(1 - alpha) |g|), the same for a gradient of any size.

def _first_step(lr, alpha):
    return lr / math.sqrt(1 - alpha)


# lr, alpha: alpha from 0.5 to 0.999, lr never 1 but once, where alpha is 0.5 (there alpha and 1 - alpha coincide,
# and the other cases tell them apart).
_FIRST_CASES = [(0.01, 0.99), (0.1, 0.9), (1.0, 0.5), (0.001, 0.999)]

_FIRST_MISTAKES = [
    (lambda lr, a: lr / (1 - a),
     "It forgets the square root: the step divides by the root of the average of squared gradients."),
    (lambda lr, a: lr * math.sqrt(1 - a), "It multiplies where it should divide."),
    (lambda lr, a: lr,
     "That is the first step with Adam's bias correction (chapter 8); RMSprop has none, and its v starts at 0."),
    (lambda lr, a: lr / math.sqrt(a),
     "It uses alpha where 1 - alpha belongs: alpha weights the old v, which is 0 at the first step."),
    (lambda lr, a: lr / a,
     "It uses alpha where 1 - alpha belongs (alpha weights the old v, which is 0 at the first step), "
     "and it forgets the square root."),
    (lambda lr, a: lr * (1 - a), "It multiplies where it should divide, and it forgets the square root."),
]


def _first_label(lr, alpha):
    return f"first_step(lr={lr}, alpha={alpha})"


def _first_mismatch(case, out, right):
    length = float(floats(out))
    where = "; a step's length is positive" if length <= 0 else ""
    return f"{_first_label(*case)} returned {length:.6g}{where} (expected {right:.6g})."


def check_first_step(first_step):
    r"""Check ``first_step(lr, alpha, eps=0.0)``: the length of RMSprop's very first step, with eps = 0.

    With ``v`` starting at 0, the first step of RMSprop in torch's form (no bias correction), for a gradient
    :math:`g` of any size and :math:`\epsilon = 0`, has a length that depends on ``lr`` and ``alpha`` only.

    >>> import math
    >>> _ = check_first_step(lambda lr, alpha, eps=0.0: lr / math.sqrt(1 - alpha))
    ✔ first_step is correct: RMSprop's first step is lr/√(1 - α), not lr.
    """
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):  # a 0/0 is diagnosed, not warned about
        return check_cases(
            first_step, _FIRST_CASES, _first_step, _FIRST_MISTAKES,
            success="first_step is correct: RMSprop's first step is lr/√(1 - α), not lr.",
            label=_first_label, mismatch=_first_mismatch,
        )


# The effective window of an exponential moving average with decay alpha: the weight of the gradient k steps back
# is (1 - alpha) alpha^k; the window, the mean age of the gradients plus one (the sum of alpha^k), is 1/(1 - alpha).

def _window(alpha):
    return 1 / (1 - alpha)


# alpha: 0.5, 0.9, 0.99, 0.999: at 0.5 the window is 2 steps, where the half-life is 1 and the mean age 1.
_WINDOW_CASES = [(0.9,), (0.99,), (0.5,), (0.999,)]

_HALF_LIFE = ("That is the half-life, the steps for a weight to halve; the window counts every step the average "
              "spans: the mean age of its gradients, plus one.")
_WINDOW_MISTAKES = [
    (lambda a: 1 / a,
     "That is 1/α, a slip found in well-known sources: it is about 1 for every α near 1. The weight of "
     "g_{t-k} is (1 - α) α^k; the window grows without bound as α approaches 1."),
    (lambda a: a / (1 - a),
     "It is off by one step: that is the mean age of the gradients in the average, the latest counting as age 0."),
    (lambda a: 1 / (1 - a ** 2),
     "That is 1/(1 - α²): it squares α, as if each step back multiplied a gradient's weight by α twice."),
    (lambda a: math.log(2) / -math.log(a), _HALF_LIFE),
    (lambda a: -1 / math.log(a),
     "That is the time constant -1/ln α, the steps for a weight to shrink by a factor e: close to the window "
     "for α near 1, but not it."),
    (lambda a: 1 - a, "That is the weight of the newest gradient, a fraction, not a number of steps."),
]


def _window_label(alpha):
    return f"window(alpha={alpha})"


def _window_mismatch(case, out, right):
    steps = float(floats(out))
    where = "; a window is a positive number of steps" if steps <= 0 else ""
    return f"{_window_label(*case)} returned {steps:.6g}{where} (expected {right:.6g})."


def check_window(window):
    r"""Check ``window(alpha)``: the effective window, in steps, of an exponential moving average with decay alpha.

    The average :math:`v \leftarrow \alpha v + (1 - \alpha) x` weights the value :math:`k` steps back by
    :math:`(1 - \alpha)\alpha^k`; the answer is the number of steps it averages over, about.

    >>> _ = check_window(lambda alpha: 1 / (1 - alpha))
    ✔ window is correct: an average over about 1/(1 - α) steps.
    """
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):  # a 0/0 is diagnosed, not warned about
        return check_cases(
            window, _WINDOW_CASES, _window, _WINDOW_MISTAKES,
            success="window is correct: an average over about 1/(1 - α) steps.",
            label=_window_label, mismatch=_window_mismatch,
        )
