"""Chapter 4, momentum: checks for one step of heavy ball in torch's form, its best tuning, its largest stable step.

Each check prints one line of feedback and returns a :class:`~optlib.checks.Feedback`,
truthy when the answer is right, so ``assert check_momentum_step(momentum_step)`` is an nbgrader test.
"""
import numpy as np

from ._core import _shape, check_cases, close, first_wrong, floats, fmt, read_arrays, report, run, wrong_order

__all__ = ["check_momentum_step", "check_optimal_momentum", "check_momentum_max_lr"]


# One step of SGD with heavy-ball momentum, in torch's form: the buffer b = beta * b + (1 - dampening) * g holds
# no learning rate, its first value is the gradient itself (undamped), and theta moves by -lr * b.

# theta, buf, grad, lr, beta, dampening: two first steps (buf None), without and with dampening, and four later
# ones, two of them dampened. One lr is above 1 (lr and lr**2 then differ the other way round), beta is never
# dampening nor 1 - dampening, and dampening is never 0.5, where dampening and 1 - dampening coincide. The later
# steps get torch's buffers, so a buffer that holds lr gives another theta too.
_STEP_CASES = [
    (np.array([1.0, -2.0]), None, np.array([0.5, 4.0]), 0.1, 0.9, 0.0),
    (np.array([0.5, 0.5, -1.0]), None, np.array([1.0, -3.0, 0.2]), 0.05, 0.8, 0.3),
    (np.array([1.0, -2.0]), np.array([0.4, -1.5]), np.array([-1.0, 2.5]), 0.1, 0.9, 0.0),
    (np.array([3.0, -1.0, 0.25]), np.array([2.0, 0.5, -1.0]), np.array([-2.0, 1.5, 0.4]), 0.25, 0.6, 0.3),
    (np.array([0.2, 0.7]), np.array([-0.8, 1.2]), np.array([1.5, -0.5]), 1.5, 0.3, 0.0),
    (np.array([-1.0, 2.0, 0.5]), np.array([0.3, -0.6, 1.1]), np.array([0.7, 0.2, -1.3]), 0.02, 0.95, 0.3),
]


def _buffer(buf, grad, beta, dampening):
    return grad if buf is None else beta * buf + (1 - dampening) * grad


def _momentum_step(theta, buf, grad, lr, beta, dampening=0.0):
    new_buf = _buffer(buf, grad, beta, dampening)
    return theta - lr * new_buf, new_buf


# The wrong buffers: each gives the buffers it accepts for (buf, grad, lr, beta, dampening), several where students
# start the first step (buf None) in different ways, e.g. from a buffer of zeros.
_LR_BUFFER = "lr"  # the buffer that holds the learning rate: its message depends on the step taken with it
_BUFFER_MISTAKES = [
    (lambda b, g, lr, beta, d: ((1 - d) * g,) if b is None else (beta * b + (1 - d) * g,),
     "It dampens the first step, where torch takes the gradient itself: dampening applies from the second step on "
     "(buf is None at the first)."),
    (lambda b, g, lr, beta, d: (g, (1 - d) * g),
     "It forgets the previous buffer: each new buffer is made of the latest gradient alone, so the step is plain "
     "SGD, with no momentum."),
    (lambda b, g, lr, beta, d: (g,) if b is None else (beta * b + g,),
     "It ignores dampening: its buffers are the same whatever the dampening, and right only for dampening = 0."),
    (lambda b, g, lr, beta, d: (g, d * g) if b is None else (beta * b + d * g,),
     "It multiplies the new gradient by dampening: dampening is the share of each gradient left out of the buffer, "
     "not the share put in."),
    (lambda b, g, lr, beta, d: (g, (1 - beta) * g) if b is None else (beta * b + (1 - beta) * g,),
     "It uses the EMA form, weighting the new gradient by (1 - beta): torch weights it by (1 - dampening), "
     "and dampening is 0 by default."),
    (lambda b, g, lr, beta, d: (lr * g, lr * (1 - d) * g) if b is None else
     (beta * b + lr * (1 - d) * g, beta * b + lr * g, lr * (beta * b + (1 - d) * g)),
     _LR_BUFFER),
]

_VELOCITY = ("Its buffer holds lr times what torch's holds: that is the velocity form v = γv + ηg, which gives the "
             "same iterates only while lr is constant; the exercise asks for torch's buffer, which holds no lr.")
_TWICE_IN_BUFFER = ("It applies the learning rate twice: once in the buffer and again in the step. "
                    "torch's buffer holds no lr.")

# The wrong steps, taken with the right buffer b (the new one): (theta, b, grad, lr, beta) -> new_theta.
_THETA_MISTAKES = [
    (lambda t, b, g, lr, beta: t - b,
     "It applies no learning rate: theta moves by the whole buffer. Scale the step by lr."),
    (lambda t, b, g, lr, beta: t - lr * lr * b,
     "It applies the learning rate twice: theta moves by lr² times the buffer."),
    (lambda t, b, g, lr, beta: t + lr * b,
     "Your step moves uphill: it adds lr times the buffer to theta. Like the gradient, the buffer points uphill."),
    (lambda t, b, g, lr, beta: t - lr * g,
     "Its step uses the gradient, not the new buffer: theta moves as in plain SGD, and the buffer is never used."),
    (lambda t, b, g, lr, beta: t - lr * (g + beta * b),
     "That is Nesterov's step, which adds beta times the new buffer to the gradient; this exercise is heavy ball's "
     "step, along the buffer itself."),
]


def _step_label(theta, buf, grad, lr, beta, dampening):
    buf = "None" if buf is None else fmt(buf)
    extra = f", dampening={dampening}" if dampening else ""
    return f"momentum_step(theta={fmt(theta)}, buf={buf}, grad={fmt(grad)}, lr={lr}, beta={beta}{extra})"


def _run_step(momentum_step, theta, buf, grad, lr, beta, dampening):
    """Call the student's function on one case (dampening left to its default when it is 0)."""
    if dampening:
        return run(lambda t, b, g: momentum_step(t, b, g, lr, beta, dampening=dampening), theta, buf, grad)
    return run(lambda t, b, g: momentum_step(t, b, g, lr, beta), theta, buf, grad)


def _read_step(out, case):
    """The student's ``(new_theta, new_buf)`` as two float arrays, or ``(None, message)``."""
    label, names = _step_label(*case), ("new_theta", "new_buf")
    only = ["It returns only new_theta: return the pair (new_theta, new_buf); the next step needs the buffer.",
            "It returns only the new buffer: return the pair (new_theta, new_buf)."]
    pair, message = read_arrays(out, _momentum_step(*case), names, label, only)
    if message:
        return None, message
    for name, arr in zip(names, pair):
        if not np.isfinite(arr).all():
            return None, f"{label} returned {name} = {fmt(arr)}, which is not finite."
    return pair, None


def _diagnose_step(outs):
    """The message for a wrong answer: a swap, a named mistake, or the first wrong value."""
    cases, rights = _STEP_CASES, [_momentum_step(*case) for case in _STEP_CASES]
    swapped = wrong_order(outs, rights, ("new_theta", "new_buf"))
    if swapped:
        return swapped
    if all(close(buf, right_buf) for (_, buf), (_, right_buf) in zip(outs, rights)):
        for wrong, message in _THETA_MISTAKES:
            if all(close(theta, wrong(c[0], buf, c[2], c[3], c[4])) for (theta, buf), c in zip(outs, cases)):
                return message
    for wrong, message in _BUFFER_MISTAKES:
        if all(any(close(buf, b) for b in wrong(c[1], c[2], c[3], c[4], c[5])) for (_, buf), c in zip(outs, cases)):
            if message is not _LR_BUFFER:
                return message
            twice = all(close(theta, c[0] - c[3] * buf) for (theta, buf), c in zip(outs, cases))
            return _TWICE_IN_BUFFER if twice else _VELOCITY
    for case, out, right in zip(cases, outs, rights):
        message = first_wrong(_step_label(*case), out, right, ("new_theta", "new_buf"), order=(1, 0))
        if message:
            return message
    raise AssertionError("unreachable: some case is wrong")


def check_momentum_step(momentum_step):
    r"""Check ``momentum_step(theta, buf, grad, lr, beta, dampening=0.0) -> (new_theta, new_buf)``: heavy ball.

    One step of SGD with heavy-ball momentum in torch's form: the new buffer is the gradient itself at the first
    step (``buf`` is None), and :math:`\beta b + (1 - \tau) g` after (:math:`\tau` the dampening); theta moves by
    ``-lr`` times the new buffer. The inputs are NumPy arrays, which it must not change in place.

    >>> def momentum_step(theta, buf, grad, lr, beta, dampening=0.0):
    ...     new_buf = grad if buf is None else beta * buf + (1 - dampening) * grad
    ...     return theta - lr * new_buf, new_buf
    >>> _ = check_momentum_step(momentum_step)
    ✔ momentum_step is correct: torch's buffer, first step and dampening.
    """
    outs = []
    for case in _STEP_CASES:
        out, problem = _run_step(momentum_step, *case)
        if problem:
            return report(False, f"{_step_label(*case)}: {problem}")
        pair, message = _read_step(out, case)
        if message:
            return report(False, message)
        outs.append(pair)
    rights = [_momentum_step(*case) for case in _STEP_CASES]
    if all(close(out, right) for out, right in zip(outs, rights)):
        return report(True, "momentum_step is correct: torch's buffer, first step and dampening.")
    return report(False, _diagnose_step(outs))


# The best learning rate and momentum on a quadratic with Hessian eigenvalues in [lam_min, lam_max].

def _optimal_momentum(lam_min, lam_max):
    a, b = np.sqrt(lam_min), np.sqrt(lam_max)
    return 4 / (a + b) ** 2, ((b - a) / (b + a)) ** 2


def _rate(lam_min, lam_max):
    a, b = np.sqrt(lam_min), np.sqrt(lam_max)
    return (b - a) / (b + a)


# lam_min, lam_max: condition numbers 100, 20, 1 (where beta = 0 and lr = 1/lam) and 100 again at another scale.
_PAIR_CASES = [(0.01, 1.0), (0.2, 4.0), (1.0, 1.0), (0.5, 50.0)]

_LR_CONSTANT = ("A slip in the constant of the learning rate: its lr is off by the same factor for every "
                "λ_min and λ_max (its beta is right).")
_PAIR_MISTAKES = [
    (lambda lo, hi: (_optimal_momentum(lo, hi)[0], _rate(lo, hi)),
     "The beta it returns is the optimal rate, which is only the square root of the optimal β: at the best "
     "tuning the roots of every direction have modulus √β."),
    (lambda lo, hi: (2 / (lo + hi), _optimal_momentum(lo, hi)[1]),
     "Its lr is gradient descent's best learning rate, 2/(λ_min + λ_max): with momentum the best learning rate "
     "is larger."),
    (lambda lo, hi: (_optimal_momentum(lo, hi)[0] / 4, _optimal_momentum(lo, hi)[1]), _LR_CONSTANT),
    (lambda lo, hi: (_optimal_momentum(lo, hi)[0] / 2, _optimal_momentum(lo, hi)[1]), _LR_CONSTANT),
    (lambda lo, hi: (_optimal_momentum(lo, hi)[0], ((hi / lo - 1) / (hi / lo + 1)) ** 2),
     "Its beta uses the condition number κ = λ_max/λ_min where its square root belongs."),
    (lambda lo, hi: _optimal_momentum(lo, hi)[::-1], "It returns (beta, lr): the order is (lr, beta)."),
]


def _pair_label(lam_min, lam_max):
    return f"optimal_momentum(lam_min={lam_min}, lam_max={lam_max})"


def _read_pair(out, label):
    """The student's ``(lr, beta)`` as a float array of shape (2,), or ``(None, message)``."""
    arr = floats(out)
    if arr is None:
        return None, f"{label} returned {fmt(out)}, which is not a pair of numbers (lr, beta)."
    if arr.shape != (2,):
        return None, f"{label} returned {_shape(arr.shape)}; expected a pair of numbers (lr, beta)."
    if not np.isfinite(arr).all():
        return None, (f"{label} returned {fmt(out)}, which is not finite: look for a division by zero "
                      "or the square root of a negative number.")
    return arr, None


def _pair_mismatch(case, out, right):
    (lr, beta), (right_lr, right_beta), label = out, right, _pair_label(*case)
    if not 0 <= beta < 1:
        return f"{label} returned beta = {beta:.6g}; a momentum β lies in [0, 1) (expected {right_beta:.6g})."
    if close(lr, right_lr):
        return f"{label} returned beta = {beta:.6g}; expected {right_beta:.6g} (its lr is right)."
    if close(beta, right_beta):
        return f"{label} returned lr = {lr:.6g}; expected {right_lr:.6g} (its beta is right)."
    return f"{label} returned lr = {lr:.6g}, beta = {beta:.6g}; expected lr = {right_lr:.6g}, beta = {right_beta:.6g}."


def check_optimal_momentum(optimal_momentum):
    r"""Check ``optimal_momentum(lam_min, lam_max) -> (lr, beta)``: heavy ball's best tuning on a quadratic.

    The pair minimises the worst-case rate of heavy-ball momentum over Hessian eigenvalues in
    :math:`[\lambda_{\min}, \lambda_{\max}]`; the rate is then :math:`(\sqrt\kappa - 1)/(\sqrt\kappa + 1)`,
    :math:`\kappa = \lambda_{\max}/\lambda_{\min}`.

    >>> import numpy as np
    >>> def optimal_momentum(lam_min, lam_max):
    ...     a, b = np.sqrt(lam_min), np.sqrt(lam_max)
    ...     return 4 / (a + b) ** 2, ((b - a) / (b + a)) ** 2
    >>> _ = check_optimal_momentum(optimal_momentum)
    ✔ optimal_momentum is correct: the rate is (√κ - 1)/(√κ + 1).
    """
    outs = []
    for case in _PAIR_CASES:
        label = _pair_label(*case)
        out, problem = run(optimal_momentum, *case)
        if problem:
            return report(False, f"{label}: {problem}")
        pair, message = _read_pair(out, label)
        if message:
            return report(False, message)
        outs.append(pair)
    rights = [np.array(_optimal_momentum(*case)) for case in _PAIR_CASES]
    if all(close(out, right) for out, right in zip(outs, rights)):
        return report(True, "optimal_momentum is correct: the rate is (√κ - 1)/(√κ + 1).")
    for wrong, message in _PAIR_MISTAKES:
        if all(close(out, wrong(*case)) for out, case in zip(outs, _PAIR_CASES)):
            return report(False, message)
    case, out, right = next((c, o, r) for c, o, r in zip(_PAIR_CASES, outs, rights) if not close(o, r))
    return report(False, _pair_mismatch(case, out, right))


# The largest stable learning rate of heavy ball on f(x) = lam x^2 / 2.

def _momentum_max_lr(lam, beta):
    return (2 + 2 * beta) / lam


def _spectral_radius(lr, lam, beta):
    """The largest modulus of the roots of z² - (1 + β - ηλ) z + β: heavy ball's rate on lam x^2 / 2."""
    return float(np.abs(np.roots([1.0, -(1 + beta - lr * lam), beta])).max())


# lam, beta: lam is never 1 (dividing by it and multiplying by it then differ), and beta = 0 once.
_MAX_LR_CASES = [(4.0, 0.5), (0.2, 0.0), (1.0, 0.9), (2.5, 0.25)]

_EFFECTIVE = ("It confuses the limit with the effective learning rate η/(1 - β): it rescales gradient descent's "
              "limit by (1 - β). Find where a root of the characteristic polynomial reaches -1.")
_MAX_LR_MISTAKES = [
    (lambda lam, beta: 2 / lam,
     "That is gradient descent's limit, 2/λ: it ignores beta, and momentum is stable for larger learning rates."),
    (lambda lam, beta: (2 + beta) / lam,
     "A slip in how beta enters the limit: find where a root of z² - (1 + β - ηλ)z + β reaches -1."),
    (lambda lam, beta: 2 * (1 - beta) / lam, _EFFECTIVE),
    (lambda lam, beta: 2 / (lam * (1 - beta)), _EFFECTIVE),
    (lambda lam, beta: (1 + beta) / lam,
     "It is off by a factor of 2: at beta = 0 the limit must be gradient descent's, 2/λ."),
    (lambda lam, beta: (2 + 2 * beta) * lam,
     "It multiplies by λ where it should divide: the condition is on the product ηλ, so the largest η shrinks "
     "as λ grows."),
]


def _max_lr_label(lam, beta):
    return f"momentum_max_lr(lam={lam}, beta={beta})"


def _max_lr_mismatch(case, out, right):
    lam, beta = case
    eta = float(floats(out))
    if eta <= 0:
        where = "a learning rate is positive"
    else:
        rho = _spectral_radius(eta, lam, beta)
        where = (f"at that η heavy ball still converges (its rate is {rho:.4g}), so the limit is larger" if rho < 1
                 else f"at that η heavy ball diverges (a root has modulus {rho:.4g})")
    return f"{_max_lr_label(*case)} returned {eta:.6g}; {where} (expected {right:.6g})."


def check_momentum_max_lr(momentum_max_lr):
    r"""Check ``momentum_max_lr(lam, beta)``: the learning rate above which heavy ball diverges on λx²/2.

    Heavy ball with learning rate :math:`\eta` and momentum :math:`0 \le \beta < 1` on :math:`f(x) = \lambda x^2/2`
    converges when both roots of :math:`z^2 - (1 + \beta - \eta\lambda) z + \beta` lie inside the unit circle;
    the answer is the :math:`\eta` at which one of them reaches -1.

    >>> _ = check_momentum_max_lr(lambda lam, beta: (2 + 2 * beta) / lam)
    ✔ momentum_max_lr is correct: momentum is stable for larger steps than GD.
    """
    return check_cases(
        momentum_max_lr, _MAX_LR_CASES, _momentum_max_lr, _MAX_LR_MISTAKES,
        success="momentum_max_lr is correct: momentum is stable for larger steps than GD.",
        label=_max_lr_label, mismatch=_max_lr_mismatch,
    )
