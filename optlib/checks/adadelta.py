"""Chapter 7, Adadelta: checks for one step of Adadelta in torch's form, and the length of its first step.

Each check prints one line of feedback and returns a :class:`~optlib.checks.Feedback`,
truthy when the answer is right, so ``assert check_adadelta_step(adadelta_step)`` is an nbgrader test.
"""
import math

import numpy as np

from ._core import check_cases, close, first_wrong, floats, fmt, quiet_run, read_arrays, report, wrong_order

__all__ = ["check_adadelta_step", "check_initial_step"]

_LR, _RHO, _EPS = 1.0, 0.9, 1e-6  # the defaults of the student's adadelta_step, as torch's


# One step of Adadelta, in torch's form, coordinate by coordinate: v, from 0, is an exponential moving average of
# the squared gradient; the update delta is the gradient times the ratio of two RMS values, that of the previous
# updates (u before this step) over that of the gradients (v after it), eps inside both roots; u then averages
# delta², without the learning rate, and theta moves by -lr * delta.

# theta, v, u, grad, lr, rho, eps: two first steps (v = u = 0) and three later ones. lr is 1 (torch's default) in
# two cases, 0.5 or 2 in the others, so that a learning rate left out, or folded into u, shows. rho is 0.9, 0.95
# and 0.5: at 0.5, rho and 1 - rho coincide, so the others tell a swap apart, and tell which average it is in. Two
# cases have an eps of 0.1, large enough that where eps goes (in one root, in both, outside them) changes every
# output; the others keep the default. The first case leaves lr, rho and eps to their defaults, two more leave
# some, so that a wrong default is caught. In the later steps u and v differ, and neither is 1.
_STEP_CASES = [
    (np.array([1.5, -2.0]), np.zeros(2), np.zeros(2), np.array([0.5, 4.0]), _LR, _RHO, _EPS),
    (np.array([0.5, 0.5, -1.0]), np.zeros(3), np.zeros(3), np.array([1.5, -3.0, 0.2]), 0.5, 0.95, 0.1),
    (np.array([1.0, -2.0]), np.array([0.25, 16.0]), np.array([0.01, 0.04]), np.array([-1.0, 2.5]), _LR, 0.5, _EPS),
    (np.array([3.0, -1.0, 0.25]), np.array([3.0, 0.5, 4.0]), np.array([0.2, 0.05, 0.3]), np.array([0.8, 1.5, -0.4]),
     2.0, _RHO, 0.1),
    (np.array([0.2, 0.7]), np.array([1.3, 9.0]), np.array([0.02, 0.5]), np.array([2.0, -0.5]), 0.5, 0.95, _EPS),
]


def _average(a, x, rho):
    return rho * a + (1 - rho) * x


def _adadelta_step(theta, v, u, grad, lr=_LR, rho=_RHO, eps=_EPS):
    new_v = _average(v, grad ** 2, rho)
    delta = np.sqrt(u + eps) / np.sqrt(new_v + eps) * grad
    return theta - lr * delta, new_v, _average(u, delta ** 2, rho)


def _wrong(new_v=lambda v, g, rho: _average(v, g ** 2, rho),
           delta=lambda u, v, V, g, eps: np.sqrt(u + eps) / np.sqrt(V + eps) * g,
           new_u=lambda u, d, g, lr, rho: _average(u, d ** 2, rho),
           new_theta=lambda theta, d, lr: theta - lr * d):
    """A wrong step: the right one, but for the rules given (the average v, the update, the average u, the move)."""
    def step(theta, v, u, grad, lr, rho, eps):
        V = new_v(v, grad, rho)
        d = delta(u, v, V, grad, eps)
        return new_theta(theta, d, lr), V, new_u(u, d, grad, lr, rho)
    return step


def _u_first(theta, v, u, grad, lr, rho, eps):
    # u updated first, with g², and that new u in the numerator.
    V, U = _average(v, grad ** 2, rho), _average(u, grad ** 2, rho)
    d = np.sqrt(U + eps) / np.sqrt(V + eps) * grad
    return theta - lr * d, V, U


def _u_first_then_delta(theta, v, u, grad, lr, rho, eps):
    # The same update, but u then averages its square.
    V, U = _average(v, grad ** 2, rho), _average(u, grad ** 2, rho)
    d = np.sqrt(U + eps) / np.sqrt(V + eps) * grad
    return theta - lr * d, V, _average(u, d ** 2, rho)


def _new_u_in_move(theta, v, u, grad, lr, rho, eps):
    # u right, but theta moved by an update recomputed with the new u.
    _, V, U = _adadelta_step(theta, v, u, grad, lr, rho, eps)
    return theta - lr * np.sqrt(U + eps) / np.sqrt(V + eps) * grad, V, U


_UPDATED_U = ("It uses an updated u in the numerator: the numerator is the RMS of the *previous* updates "
              "(u before this step).")
_NO_EPS_ON_TOP = "without eps in the numerator the first step is 0: u starts at 0."

# The wrong steps: (theta, v, u, grad, lr, rho, eps) -> (new_theta, new_v, new_u), with their messages.
_STEP_MISTAKES = [
    (_u_first, _UPDATED_U),
    (_u_first_then_delta, _UPDATED_U),
    (_new_u_in_move, _UPDATED_U),
    (_wrong(delta=lambda u, v, V, g, eps: g),
     "Its update is the gradient itself: the two roots hold the same average; the numerator is the RMS of the "
     "*previous* updates (u before this step)."),
    (_wrong(delta=lambda u, v, V, g, eps: np.sqrt(V + eps) / np.sqrt(u + eps) * g),
     "It turns the ratio upside down: the RMS of the previous updates goes on top, that of the gradients below."),
    (_wrong(delta=lambda u, v, V, g, eps: np.sqrt(u + eps) / np.sqrt(v + eps) * g),
     "It divides by the old average of squared gradients: torch updates v with this step's gradient first."),
    (_wrong(delta=lambda u, v, V, g, eps: (u + eps) / (V + eps) * g),
     "It forgets both square roots: the ratio is one of RMS values, each the root of an average."),
    (_wrong(delta=lambda u, v, V, g, eps: (u + eps) / np.sqrt(V + eps) * g),
     "It forgets the square root in the numerator: the RMS of the previous updates is a root."),
    (_wrong(delta=lambda u, v, V, g, eps: np.sqrt(u + eps) / (V + eps) * g),
     "It forgets the square root in the denominator: the RMS of the gradients is a root."),
    (_wrong(new_u=lambda u, d, g, lr, rho: _average(u, (lr * d) ** 2, rho)),
     "It folds the learning rate into u: torch accumulates the update before lr multiplies it."),
    (_wrong(new_theta=lambda theta, d, lr: theta - d),
     "It applies no learning rate: the paper has none, but torch scales the update by lr, which need not be 1."),
    (_wrong(delta=lambda u, v, V, g, eps: np.sqrt(u) / np.sqrt(V + eps) * g),
     "It leaves eps out of the numerator: " + _NO_EPS_ON_TOP),
    (_wrong(delta=lambda u, v, V, g, eps: np.sqrt(u + eps) / np.sqrt(V) * g),
     "It leaves eps out of the denominator: there it keeps the step finite for a coordinate whose gradients "
     "have all been 0."),
    (_wrong(delta=lambda u, v, V, g, eps: np.sqrt(u) / np.sqrt(V) * g),
     "It forgets eps, in both roots: " + _NO_EPS_ON_TOP),
    (_wrong(delta=lambda u, v, V, g, eps: (np.sqrt(u) + eps) / (np.sqrt(V) + eps) * g),
     "It adds eps outside the square roots, as torch's RMSprop does; torch's Adadelta adds it inside them."),
    (_wrong(new_v=lambda v, g, rho: _average(v, g ** 2, 1 - rho)),
     "It swaps rho and 1 - rho in v, the average of squared gradients: rho is the weight of the past."),
    (_wrong(new_u=lambda u, d, g, lr, rho: _average(u, d ** 2, 1 - rho)),
     "It swaps rho and 1 - rho in u, the average of squared updates: rho is the weight of the past."),
    (_wrong(new_v=lambda v, g, rho: _average(v, g ** 2, 1 - rho),
            new_u=lambda u, d, g, lr, rho: _average(u, d ** 2, 1 - rho)),
     "It swaps rho and 1 - rho in both averages: rho is the weight of the past."),
    (_wrong(new_u=lambda u, d, g, lr, rho: _average(u, g ** 2, rho)),
     "It accumulates squared gradients in u: u is the average of the squared updates, not of g²."),
    (_wrong(new_u=lambda u, d, g, lr, rho: _average(u, d, rho)), "It averages the updates in u, not their squares."),
    (_wrong(new_u=lambda u, d, g, lr, rho: u),
     "It returns u unchanged: new_u must include this step's squared update."),
    (_wrong(new_v=lambda v, g, rho: v),
     "It returns v unchanged: new_v must include this step's squared gradient."),
    (_wrong(new_theta=lambda theta, d, lr: theta + lr * d),
     "Your step moves uphill: theta moves along the gradient, not against it."),
]

_DEFAULTS = ("Its defaults are not the signature's: with lr, rho and eps given it is right, but left out they must "
             "be torch's, lr=1.0, rho=0.9 and eps=1e-6.")

_NAMES = ("new_theta", "new_v", "new_u")
_TRIPLE = "the triple (new_theta, new_v, new_u)"


def _options(lr, rho, eps, explicit=False):
    """The keyword arguments of one call: lr, rho and eps, each left to its default when it is torch's."""
    given = {"lr": (lr, _LR), "rho": (rho, _RHO), "eps": (eps, _EPS)}
    return {name: value for name, (value, default) in given.items() if explicit or value != default}


def _step_label(theta, v, u, grad, lr, rho, eps):
    extra = "".join(f", {name}={value}" for name, value in _options(lr, rho, eps).items())
    return f"adadelta_step(theta={fmt(theta)}, v={fmt(v)}, u={fmt(u)}, grad={fmt(grad)}{extra})"


def _run_step(adadelta_step, theta, v, u, grad, lr, rho, eps, explicit=False):
    """Call the student's function on one case (lr, rho and eps left to their defaults when they are torch's)."""
    options = _options(lr, rho, eps, explicit)
    return quiet_run(lambda t, a, b, g: adadelta_step(t, a, b, g, **options), theta, v, u, grad)


def _read_step(out, case):
    """The student's ``(new_theta, new_v, new_u)`` as three float arrays, or ``(None, message)``."""
    only = [f"It returns only {name}: return {_TRIPLE}; the next step needs both averages." for name in _NAMES]
    return read_arrays(out, _adadelta_step(*case), _NAMES, _step_label(*case), only)


def _outputs(adadelta_step, explicit=False):
    """The student's triples on every case, or ``(None, message)`` for the first call that fails."""
    outs = []
    for case in _STEP_CASES:
        out, problem = _run_step(adadelta_step, *case, explicit=explicit)
        if problem:
            return None, f"{_step_label(*case)}: {problem}"
        triple, message = _read_step(out, case)
        if message:
            return None, message
        outs.append(triple)
    return outs, None


def _matches(outs, step):
    """Whether the student's triples are ``step``'s on every case."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        wants = [step(*case) for case in _STEP_CASES]
    return [all(close(a, b) for a, b in zip(out, want)) for out, want in zip(outs, wants)]


def _diagnose_step(adadelta_step, outs):
    """The message for a wrong answer: an order, a named mistake, wrong defaults, or the first wrong value."""
    rights = [_adadelta_step(*case) for case in _STEP_CASES]
    swapped = wrong_order(outs, rights, _NAMES)
    if swapped:
        return swapped
    for wrong, message in _STEP_MISTAKES:
        if all(_matches(outs, wrong)):
            return message
    defaulted = [lr == _LR or rho == _RHO or eps == _EPS for *_, lr, rho, eps in _STEP_CASES]
    if all(ok or by_default for ok, by_default in zip(_matches(outs, _adadelta_step), defaulted)):
        explicit, _ = _outputs(adadelta_step, explicit=True)
        if explicit is not None and all(_matches(explicit, _adadelta_step)):
            return _DEFAULTS
    for case, out, right in zip(_STEP_CASES, outs, rights):
        # v first, then the move, then u: the order in which they are computed
        message = first_wrong(_step_label(*case), out, right, _NAMES, order=(1, 0, 2))
        if message:
            return message
    raise AssertionError("unreachable: some case is wrong")


def check_adadelta_step(adadelta_step):
    r"""Check ``adadelta_step(theta, v, u, grad, lr=1.0, rho=0.9, eps=1e-6) -> (new_theta, new_v, new_u)``.

    One step of Adadelta in torch's form, coordinate by coordinate, with ``v`` and ``u`` zeros before the first
    step: :math:`v \leftarrow \rho v + (1 - \rho) g^2`, then the update
    :math:`\Delta = \sqrt{u + \epsilon}\, g / \sqrt{v + \epsilon}` with the new ``v`` and the old ``u``, then
    :math:`u \leftarrow \rho u + (1 - \rho) \Delta^2`, without the learning rate, and
    :math:`\theta \leftarrow \theta - \eta \Delta`. The inputs are NumPy arrays, which it must not change in place.

    >>> import numpy as np
    >>> def adadelta_step(theta, v, u, grad, lr=1.0, rho=0.9, eps=1e-6):
    ...     new_v = rho * v + (1 - rho) * grad ** 2
    ...     delta = np.sqrt(u + eps) / np.sqrt(new_v + eps) * grad
    ...     return theta - lr * delta, new_v, rho * u + (1 - rho) * delta ** 2
    >>> _ = check_adadelta_step(adadelta_step)
    ✔ adadelta_step is correct: both averages, and u without lr, as torch.
    """
    outs, message = _outputs(adadelta_step)
    if message:
        return report(False, message)
    if all(_matches(outs, _adadelta_step)):
        return report(True, "adadelta_step is correct: both averages, and u without lr, as torch.")
    return report(False, _diagnose_step(adadelta_step, outs))


# The length of Adadelta's first step (torch's form, lr = 1, u = v = 0): v becomes (1 - rho) g², so the step is
# sqrt(eps) |g| / sqrt((1 - rho) g² + eps), which for |g| much larger than sqrt(eps) tends to sqrt(eps / (1 - rho)),
# the same for a gradient of any size: eps, not a learning rate, sets it.

def _initial_step(rho, eps):
    return math.sqrt(eps) / math.sqrt(1 - rho)


# rho, eps: rho from 0.5 to 0.99 and eps from 1e-8 to 1e-4, as in Keras, torch and d2l; rho = 0.5 (where rho and
# 1 - rho coincide) once, and the other cases tell them apart.
_INITIAL_CASES = [(0.9, 1e-6), (0.95, 1e-7), (0.5, 1e-4), (0.99, 1e-8)]

# The limit is approached to 1e-6 for a gradient of 10 or more in these cases: a simulated step passes, and every
# mistake below is off by far more.
_INITIAL_RTOL = 1e-6

_INITIAL_MISTAKES = [
    (lambda rho, eps: math.sqrt(eps),
     "It forgets the 1 - rho of v's first value: v starts at 0, and the first gradient enters it with that weight."),
    (lambda rho, eps: math.sqrt(eps) / (1 - rho),
     "It forgets a square root: the denominator is the RMS of the gradients, a root of the whole of v."),
    (lambda rho, eps: eps / math.sqrt(1 - rho),
     "It takes eps where its root belongs: the numerator is the RMS of the previous updates, with u = 0."),
    (lambda rho, eps: math.sqrt(eps / rho),
     "It uses rho where 1 - rho belongs: rho weights the old v, which is 0 at the first step."),
    (lambda rho, eps: 1 / math.sqrt(1 - rho),
     "It forgets eps, as if u started at 1: that is RMSprop's first step with lr = 1. u starts at 0."),
    (lambda rho, eps: math.sqrt((1 - rho) * eps), "It multiplies where it should divide."),
    (lambda rho, eps: eps / (1 - rho), "It forgets both square roots."),
    (lambda rho, eps: 1.0,
     "That is lr = 1: Adadelta's first step is not the learning rate, and u starts at 0."),
]


def _initial_label(rho, eps):
    return f"initial_step(rho={rho}, eps={eps})"


def _initial_mismatch(case, out, right):
    length = float(floats(out))
    where = "; a step's length is positive" if length <= 0 else ""
    return f"{_initial_label(*case)} returned {length:.6g}{where} (expected {right:.6g})."


def check_initial_step(initial_step):
    r"""Check ``initial_step(rho, eps)``: the length of Adadelta's first step, for a large gradient.

    With ``u`` and ``v`` starting at 0 and ``lr = 1`` (torch's form), the first step of Adadelta for a gradient
    :math:`g` much larger than :math:`\sqrt{\epsilon}` has a length that depends, in the limit, on ``rho`` and
    ``eps`` only.

    >>> import math
    >>> _ = check_initial_step(lambda rho, eps: math.sqrt(eps) / math.sqrt(1 - rho))
    ✔ initial_step is correct: eps, not a learning rate, sets the first step.
    """
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):  # a 0/0 is diagnosed, not warned about
        return check_cases(
            initial_step, _INITIAL_CASES, _initial_step, _INITIAL_MISTAKES,
            success="initial_step is correct: eps, not a learning rate, sets the first step.",
            label=_initial_label, mismatch=_initial_mismatch, rtol=_INITIAL_RTOL,
        )
