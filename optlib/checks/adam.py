"""Chapter 8, Adam and its family: checks for one step of Adam in torch's form, AdamW's decay, and Adam's first step.

Each check prints one line of feedback and returns a :class:`~optlib.checks.Feedback`,
truthy when the answer is right, so ``assert check_adam_step(adam_step)`` is an nbgrader test.
"""

import numpy as np

from ._core import check_cases, close, first_wrong, floats, fmt, quiet_run, read_arrays, report, wrong_order

__all__ = ["check_adam_step", "check_adamw_decay", "check_adam_first_step"]

_LR, _BETA1, _BETA2, _EPS = 1e-3, 0.9, 0.999, 1e-8  # the defaults of the student's adam_step, as torch's


# One step of Adam, in torch's form (Algorithm 1 of Kingma and Ba), coordinate by coordinate: m and v, from 0, are
# exponential moving averages of the gradient and of its square; each is divided by its bias correction
# 1 - beta^t, t the number of the step (1 at the first); theta moves by -lr * m_hat / (sqrt(v_hat) + eps), eps
# outside the root, after the correction.

# theta, m, v, grad, t, lr, beta1, beta2, eps: two first steps (t = 1, m = v = 0) and four later ones, at t = 2, 5
# and 50, with m and v of their own. lr is 1e-3 (torch's default) or 0.1; the betas are (0.9, 0.999), torch's,
# (0.5, 0.9) and (0.8, 0.99), so that a swap, or a beta where the other belongs, shows. Two cases, a first step and
# a later one, have an eps of 0.1, large enough that where eps goes (inside the root, outside, before or after the
# correction) changes the step; in the first case a gradient of 2e-6, whose step the default eps shortens by half a
# percent, makes it show at eps = 1e-8 too. The first case leaves lr, the betas and eps to their defaults, and each
# is left to it in another case and given in a third, so that a wrong default is caught. A step number one too small
# divides by 0 at t = 1 (NaN, or a ZeroDivisionError in Python floats); the later steps tell the two ways apart.
_STEP_CASES = [
    (np.array([1.5, -2.0]), np.zeros(2), np.zeros(2), np.array([0.5, -2e-6]), 1, _LR, _BETA1, _BETA2, _EPS),
    (np.array([0.5, 0.5, -1.0]), np.zeros(3), np.zeros(3), np.array([1.5, -3.0, 0.2]), 1, 0.1, 0.5, 0.9, 0.1),
    (np.array([1.0, -2.0]), np.array([0.05, -0.2]), np.array([2.5e-4, 4e-3]), np.array([-1.0, 2.5]), 2,
     0.1, _BETA1, _BETA2, _EPS),
    (np.array([3.0, -1.0, 0.25]), np.array([0.3, -0.5, 0.1]), np.array([0.4, 0.9, 0.05]), np.array([0.8, 1.5, -0.4]),
     5, _LR, 0.8, 0.99, 0.1),
    (np.array([0.2, 0.7]), np.array([0.6, -0.3]), np.array([1.3, 0.2]), np.array([2.0, -0.5]), 50,
     0.1, _BETA1, _BETA2, _EPS),
    (np.array([-1.0, 2.0, 0.5]), np.array([-0.2, 0.1, 0.4]), np.array([0.3, 0.05, 0.6]), np.array([0.7, -0.2, -1.3]),
     5, _LR, 0.5, 0.9, _EPS),
]


def _average(a, x, beta):
    return beta * a + (1 - beta) * x


def _corrected(a, beta, t):
    return a / (1 - beta ** t)


def _adam_step(theta, m, v, grad, t, lr=_LR, beta1=_BETA1, beta2=_BETA2, eps=_EPS):
    new_m, new_v = _average(m, grad, beta1), _average(v, grad ** 2, beta2)
    m_hat, v_hat = _corrected(new_m, beta1, t), _corrected(new_v, beta2, t)
    return theta - lr * m_hat / (np.sqrt(v_hat) + eps), new_m, new_v


def _move(theta, m, v, M, V, g, t, lr, b1, b2, eps):
    """The right move, with the right averages M and V (the old ones, m and v, for the wrong moves)."""
    return theta - lr * _corrected(M, b1, t) / (np.sqrt(_corrected(V, b2, t)) + eps)


def _wrong(new_m=lambda m, g, b1: _average(m, g, b1), new_v=lambda v, g, b2: _average(v, g ** 2, b2), move=_move,
           state=lambda M, V, t, b1, b2: (M, V)):
    """A wrong step: the right one, but for the rules given (the two averages, the move, the state returned)."""
    def step(theta, m, v, grad, t, lr, beta1, beta2, eps):
        M, V = new_m(m, grad, beta1), new_v(v, grad, beta2)
        return (move(theta, m, v, M, V, grad, t, lr, beta1, beta2, eps),) + tuple(state(M, V, t, beta1, beta2))
    return step


def _off_by(k):
    """The step corrected as if it were step t + k."""
    return _wrong(move=lambda theta, m, v, M, V, g, t, lr, b1, b2, eps: _move(theta, m, v, M, V, g, t + k, lr, b1, b2,
                                                                              eps))


def _swapped_betas(theta, m, v, grad, t, lr, beta1, beta2, eps):
    return _adam_step(theta, m, v, grad, t, lr, beta2, beta1, eps)


def _keras(theta, m, v, M, V, g, t, lr, b1, b2, eps):
    # The paper's section 2: the corrections folded into the learning rate, and eps ("epsilon hat") added to the
    # root of the uncorrected v.
    return theta - lr * np.sqrt(1 - b2 ** t) / (1 - b1 ** t) * M / (np.sqrt(V) + eps)


def _eps_inside(theta, m, v, M, V, g, t, lr, b1, b2, eps):
    return theta - lr * _corrected(M, b1, t) / np.sqrt(_corrected(V, b2, t) + eps)


_NO_CORRECTION = ("It forgets the bias correction: m and v start at 0, so in the first steps both are biased "
                  "towards 0, and the steps come out the wrong size.")
_WRONG_T = "It corrects with the wrong step number: t counts the steps from 1, this one included."
_ONE_CORRECTION = "It corrects {} but not {}: both averages start at 0, and each needs its bias correction."
_WITH_G = "It steps with the gradient, not with m: no momentum."
_CORRECTED_STATE = ("It returns the bias-corrected {} as the state: the correction is for this step's move only, "
                    "the state keeps the plain averages.")

# The wrong steps: (theta, m, v, grad, t, lr, beta1, beta2, eps) -> (new_theta, new_m, new_v), with their messages.
# The step number one too small is not here: at t = 1 it divides by 0, which needs more than a comparison.
_STEP_MISTAKES = [
    (_wrong(move=lambda theta, m, v, M, V, g, t, lr, b1, b2, eps: theta - lr * M / (np.sqrt(V) + eps)),
     _NO_CORRECTION),
    (_off_by(1), _WRONG_T),
    (_wrong(move=lambda theta, m, v, M, V, g, t, lr, b1, b2, eps: _move(theta, m, v, M, V * (1 - b2 ** t), g, t, lr,
                                                                        b1, b2, eps)),
     _ONE_CORRECTION.format("m", "v")),
    (_wrong(move=lambda theta, m, v, M, V, g, t, lr, b1, b2, eps: _move(theta, m, v, M * (1 - b1 ** t), V, g, t, lr,
                                                                        b1, b2, eps)),
     _ONE_CORRECTION.format("v", "m")),
    (_wrong(move=lambda theta, m, v, M, V, g, t, lr, b1, b2, eps: theta - lr * _corrected(M, b2, t)
            / (np.sqrt(_corrected(V, b1, t)) + eps)),
     "It swaps beta1 and beta2 in the bias corrections: each average is corrected with its own decay."),
    (_wrong(move=lambda theta, m, v, M, V, g, t, lr, b1, b2, eps: theta - lr * _corrected(M, b1, t)
            / (np.sqrt(_corrected(V, b1, t)) + eps)),
     "It corrects v with beta1: each average is corrected with its own decay, v with beta2."),
    (_wrong(move=lambda theta, m, v, M, V, g, t, lr, b1, b2, eps: theta - lr * _corrected(M, b2, t)
            / (np.sqrt(_corrected(V, b2, t)) + eps)),
     "It corrects m with beta2: each average is corrected with its own decay, m with beta1."),
    (_wrong(move=lambda theta, m, v, M, V, g, t, lr, b1, b2, eps: theta - lr * M * (1 - b1 ** t)
            / (np.sqrt(V * (1 - b2 ** t)) + eps)),
     "It multiplies by the bias corrections where it should divide."),
    (_wrong(move=_eps_inside),
     "It puts eps inside the square root; torch (and Algorithm 1 of the paper) add it outside."),
    (_wrong(move=_keras),
     "That is the 'epsilon hat' form of the paper's section 2 (Keras): equal as eps -> 0, but eps enters "
     "differently."),
    (_wrong(move=lambda theta, m, v, M, V, g, t, lr, b1, b2, eps: _move(theta, m, v, M, V, g, t, lr, b1, b2, 0.0)),
     "It forgets eps, which keeps the step finite while a coordinate's v is still 0."),
    (_swapped_betas,
     "It swaps beta1 and beta2: beta1 is the decay of m, the average of the gradients, beta2 that of v, the average "
     "of their squares."),
    (_wrong(move=lambda theta, m, v, M, V, g, t, lr, b1, b2, eps: theta - lr * g
            / (np.sqrt(_corrected(V, b2, t)) + eps)),
     _WITH_G),
    (_wrong(move=lambda theta, m, v, M, V, g, t, lr, b1, b2, eps: _move(theta, m, v, g, V, g, t, lr, b1, b2, eps)),
     _WITH_G),
    (_wrong(new_m=lambda m, g, b1: _average(m, g ** 2, b1), new_v=lambda v, g, b2: _average(v, g, b2)),
     "It swaps the two averages: m averages the gradients, v their squares."),
    (_wrong(new_m=lambda m, g, b1: _average(m, g ** 2, b1)),
     "It averages g² in m: m is the average of the gradients themselves, v that of their squares."),
    (_wrong(new_v=lambda v, g, b2: _average(v, g, b2)),
     "It averages g in v, not g²: v is the average of the squared gradients."),
    (_wrong(new_m=lambda m, g, b1: b1 * m + g, new_v=lambda v, g, b2: b2 * v + g ** 2),
     "It forgets the weight (1 - beta) of the new gradient in both m and v: they are then weighted sums, "
     "not averages."),
    (_wrong(new_m=lambda m, g, b1: b1 * m + g),
     "It forgets the (1 - beta1) on the new gradient in m: m is then a sum weighted by powers of beta1, "
     "not an average."),
    (_wrong(new_v=lambda v, g, b2: b2 * v + g ** 2),
     "It forgets the (1 - beta2) on the new squared gradient in v: v is then a sum weighted by powers of beta2, "
     "not an average."),
    (_wrong(move=lambda theta, m, v, M, V, g, t, lr, b1, b2, eps: _move(theta, m, v, m, v, g, t, lr, b1, b2, eps)),
     "It steps with the old m and v: torch updates both with this step's gradient first."),
    (_wrong(move=lambda theta, m, v, M, V, g, t, lr, b1, b2, eps: _move(theta, m, v, m, V, g, t, lr, b1, b2, eps)),
     "It steps with the old m: torch updates m with this step's gradient first."),
    (_wrong(move=lambda theta, m, v, M, V, g, t, lr, b1, b2, eps: _move(theta, m, v, M, v, g, t, lr, b1, b2, eps)),
     "It divides by the old v: torch updates v with this step's squared gradient first."),
    (_wrong(move=lambda theta, m, v, M, V, g, t, lr, b1, b2, eps: theta - lr * _corrected(M, b1, t)
            / (_corrected(V, b2, t) + eps)),
     "It forgets the square root of v: without it the step depends on the gradient's scale."),
    (_wrong(move=lambda theta, m, v, M, V, g, t, lr, b1, b2, eps: 2 * theta - _move(theta, m, v, M, V, g, t, lr, b1,
                                                                                    b2, eps)),
     "Your step moves uphill: theta moves against m, the average gradient, not along it."),
    (_wrong(move=lambda theta, m, v, M, V, g, t, lr, b1, b2, eps: _move(theta, m, v, M, V, g, t, 1.0, b1, b2, eps)),
     "It applies no learning rate: scale the step by lr."),
    (_wrong(state=lambda M, V, t, b1, b2: (_corrected(M, b1, t), _corrected(V, b2, t))),
     _CORRECTED_STATE.format("m and v")),
    (_wrong(state=lambda M, V, t, b1, b2: (_corrected(M, b1, t), V)), _CORRECTED_STATE.format("m")),
    (_wrong(state=lambda M, V, t, b1, b2: (M, _corrected(V, b2, t))), _CORRECTED_STATE.format("v")),
]

_DEFAULTS = ("Its defaults are not the signature's: with lr, beta1, beta2 and eps given it is right, but left out "
             "they must be torch's, lr=1e-3, beta1=0.9, beta2=0.999 and eps=1e-8.")

_NAMES = ("new_theta", "new_m", "new_v")
_TRIPLE = "the triple (new_theta, new_m, new_v)"


def _options(lr, beta1, beta2, eps, explicit=False):
    """The keyword arguments of one call: lr, the betas and eps, each left to its default when it is torch's."""
    given = {"lr": (lr, _LR), "beta1": (beta1, _BETA1), "beta2": (beta2, _BETA2), "eps": (eps, _EPS)}
    return {name: value for name, (value, default) in given.items() if explicit or value != default}


def _step_label(theta, m, v, grad, t, lr, beta1, beta2, eps):
    extra = "".join(f", {name}={value}" for name, value in _options(lr, beta1, beta2, eps).items())
    return f"adam_step(theta={fmt(theta)}, m={fmt(m)}, v={fmt(v)}, grad={fmt(grad)}, t={t}{extra})"


def _run_step(adam_step, theta, m, v, grad, t, lr, beta1, beta2, eps, explicit=False):
    """Call the student's function on one case (lr, the betas and eps left to their defaults when they are torch's)."""
    options = _options(lr, beta1, beta2, eps, explicit)
    return quiet_run(lambda th, a, b, g: adam_step(th, a, b, g, t, **options), theta, m, v, grad)


def _read_step(out, case):
    """The student's ``(new_theta, new_m, new_v)`` as three float arrays, or ``(None, message)``."""
    only = [f"It returns only {name}: return {_TRIPLE}; the next step needs both averages." for name in _NAMES]
    return read_arrays(out, _adam_step(*case), _NAMES, _step_label(*case), only)


def _outputs(adam_step, explicit=False):
    """``(triples, None)``: the student's triples on every case; or ``(None, message)`` for the first call that fails.

    A ZeroDivisionError raised at t = 1 does not stop the other calls: it gives ``(outs, message)``, outs holding None
    for those calls and the triples of the others, so that a step number one too small can still be recognised.
    """
    outs, crash = [], None
    for case in _STEP_CASES:
        out, problem = _run_step(adam_step, *case, explicit=explicit)
        if problem and case[4] == 1 and problem.startswith("calling it raised ZeroDivisionError"):
            crash = crash or f"{_step_label(*case)}: {problem}"
            outs.append(None)
            continue
        if problem:
            return None, crash or f"{_step_label(*case)}: {problem}"
        triple, message = _read_step(out, case)
        if message:
            return None, crash or message
        outs.append(triple)
    return outs, crash


def _same(a, b):
    """:func:`close`, but NaN equals NaN: a wrong step may give NaN, and so may the student's."""
    a, b = floats(a), floats(b)
    return (a is not None and b is not None and a.shape == b.shape
            and np.allclose(a, b, rtol=1e-9, atol=1e-12, equal_nan=True))


def _matches(outs, step, same=close):
    """For each case, whether the student's triple is ``step``'s."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        wants = [step(*case) for case in _STEP_CASES]
    return [out is not None and all(same(a, b) for a, b in zip(out, want)) for out, want in zip(outs, wants)]


def _one_step_early(outs):
    """Whether the student corrects as if it were step t - 1: at t = 1 a division by 0 (raised, or not finite)."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        wants = [_off_by(-1)(*case) for case in _STEP_CASES]
    for case, out, want in zip(_STEP_CASES, outs, wants):
        if case[4] == 1:  # 1 - beta**0 is 0: the move divides by it; m and v are still right
            state_right = out is None or all(close(a, b) for a, b in zip(out[1:], want[1:]))
            if out is not None and (np.isfinite(out[0]).all() or not state_right):
                return False
        elif out is None or not all(_same(a, b) for a, b in zip(out, want)):
            return False
    return True


def _diagnose_step(adam_step, outs):
    """The message for a wrong answer: an order, a named mistake, wrong defaults, or the first wrong value."""
    rights = [_adam_step(*case) for case in _STEP_CASES]
    swapped = wrong_order(outs, rights, _NAMES)
    if swapped:
        return swapped
    if _one_step_early(outs):
        return _WRONG_T
    for wrong, message in _STEP_MISTAKES:
        if all(_matches(outs, wrong, same=_same)):
            return message
    defaulted = [len(_options(*case[5:])) < 4 for case in _STEP_CASES]  # some argument left to its default
    if all(ok or by_default for ok, by_default in zip(_matches(outs, _adam_step), defaulted)):
        explicit, problem = _outputs(adam_step, explicit=True)
        if not problem and all(_matches(explicit, _adam_step)):
            return _DEFAULTS
    for case, out, right in zip(_STEP_CASES, outs, rights):
        # m and v first, then the move: the order in which they are computed
        message = first_wrong(_step_label(*case), out, right, _NAMES, order=(1, 2, 0))
        if message:
            return message
    raise AssertionError("unreachable: some case is wrong")


def check_adam_step(adam_step):
    r"""Check ``adam_step(theta, m, v, grad, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8)``: one step of Adam.

    The answer is ``(new_theta, new_m, new_v)`` after one step of Adam in torch's form (Algorithm 1 of Kingma and
    Ba), coordinate by coordinate, with ``m`` and ``v`` zeros before the first step and ``t`` the number of this
    step, 1 at the first:
    :math:`m \leftarrow \beta_1 m + (1 - \beta_1) g`, :math:`v \leftarrow \beta_2 v + (1 - \beta_2) g^2`, each
    divided by its bias correction, :math:`\hat m = m / (1 - \beta_1^t)` and :math:`\hat v = v / (1 - \beta_2^t)`,
    and :math:`\theta \leftarrow \theta - \eta\, \hat m / (\sqrt{\hat v} + \epsilon)`, eps outside the root. The
    state returned is the uncorrected ``m`` and ``v``. The inputs are NumPy arrays, which it must not change in place.

    >>> import numpy as np
    >>> def adam_step(theta, m, v, grad, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    ...     m = beta1 * m + (1 - beta1) * grad
    ...     v = beta2 * v + (1 - beta2) * grad ** 2
    ...     m_hat, v_hat = m / (1 - beta1 ** t), v / (1 - beta2 ** t)
    ...     return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m, v
    >>> _ = check_adam_step(adam_step)
    ✔ adam_step is correct: Algorithm 1 of Kingma and Ba, as torch.
    """
    outs, message = _outputs(adam_step)
    if message:
        return report(False, _WRONG_T if outs is not None and _one_step_early(outs) else message)
    if all(_matches(outs, _adam_step)):
        return report(True, "adam_step is correct: Algorithm 1 of Kingma and Ba, as torch.")
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return report(False, _diagnose_step(adam_step, outs))


# AdamW's decoupled weight decay, alone: before its Adam update, torch's AdamW shrinks every parameter by the same
# factor, set by the learning rate times the weight decay, whatever its gradients.

def _adamw_decay(theta, lr, weight_decay):
    return theta * (1 - lr * weight_decay)


# theta, lr, weight_decay: lr and weight_decay as in practice (0.1 and 0.01, 1e-3 and 0.1), then both 0.5, a shrink
# by a quarter. lr and weight_decay differ in two cases, so that one left out is told from the other.
_DECAY_CASES = [
    (np.array([1.5, -2.0]), 0.1, 0.01),
    (np.array([0.5, 3.0, -1.0]), 1e-3, 0.1),
    (np.array([-4.0, 0.25]), 0.5, 0.5),
]

_OTHER_FACTOR = ("Close for a small lr and weight_decay, but not torch's factor: AdamW's decay is one plain step, "
                 "not a power, an exponential or an implicit step.")
_CHANGE = "It returns the change of the parameters, not the parameters after the decay."
_GROWS = "It grows the parameters: weight decay shrinks them towards 0."

_DECAY_MISTAKES = [
    (lambda theta, lr, wd: theta - wd * theta,
     "It forgets lr: torch's AdamW multiplies the decay by the learning rate (the paper's decoupled decay is scaled "
     "by the schedule)."),
    (lambda theta, lr, wd: theta - lr * theta,
     "It forgets weight_decay: it shrinks the parameters by the learning rate alone."),
    (lambda theta, lr, wd: wd * theta,
     "It returns the L2 gradient weight_decay * theta, which Adam with weight decay adds to g (coupled); AdamW "
     "shrinks the parameters directly."),
    (lambda theta, lr, wd: theta * (1 - wd) ** lr, _OTHER_FACTOR),
    (lambda theta, lr, wd: theta * np.exp(-lr * wd), _OTHER_FACTOR),
    (lambda theta, lr, wd: theta / (1 + lr * wd), _OTHER_FACTOR),
    (lambda theta, lr, wd: -lr * wd * theta, _CHANGE),
    (lambda theta, lr, wd: lr * wd * theta, _CHANGE),
    (lambda theta, lr, wd: theta + lr * wd * theta, _GROWS),
    (lambda theta, lr, wd: theta + wd * theta, _GROWS),
    (lambda theta, lr, wd: theta - lr * wd,
     "It subtracts the same amount from every parameter: the decay is proportional to each parameter."),
]


def _decay_label(theta, lr, weight_decay):
    return f"adamw_decay(theta={fmt(theta)}, lr={lr}, weight_decay={weight_decay})"


def _decay_mismatch(case, out, right):
    # Not the value expected: with it, the factor would be one division away.
    theta, arr = case[0], floats(out)
    ratios = arr / theta
    hint = "" if np.allclose(ratios, ratios[0]) else ": AdamW's decay shrinks every parameter by the same factor"
    return f"{_decay_label(*case)} returned {fmt(out)}, not the parameters after AdamW's decay{hint}."


def check_adamw_decay(adamw_decay):
    r"""Check ``adamw_decay(theta, lr, weight_decay)``: the parameters after AdamW's decoupled weight decay alone.

    torch's AdamW first decays the parameters, then takes Adam's step with the gradient, which holds no weight
    decay (the decay is *decoupled* from it). The answer is the parameters after the first part only,
    :math:`\theta (1 - \eta \lambda)`. ``theta`` is a NumPy array, which it must not change in place.

    >>> _ = check_adamw_decay(lambda theta, lr, weight_decay: theta * (1 - lr * weight_decay))
    ✔ adamw_decay is correct: decoupled decay, scaled by the learning rate.
    """
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return check_cases(
            adamw_decay, _DECAY_CASES, _adamw_decay, _DECAY_MISTAKES,
            success="adamw_decay is correct: decoupled decay, scaled by the learning rate.",
            label=_decay_label, mismatch=_decay_mismatch,
        )


# Adam's first step, from m = v = 0 with eps = 0: m becomes (1 - beta1) g and v (1 - beta2) g², so that, corrected,
# m_hat = g and v_hat = g²: the update is lr against the sign of g, coordinate by coordinate, whatever its size.

def _first_step(grad, lr=_LR, beta1=_BETA1, beta2=_BETA2):
    return -lr * np.sign(grad)


# grad, lr, beta1, beta2: gradients from 1e-3 to 1e4 in size, of both signs, never 0 (where the step is 0/0) nor 1;
# lr never 1, and 1e-3, the default, in two cases; the betas torch's, (0.5, 0.9) and (0.8, 0.99). The first case
# leaves everything to its default.
_FIRST_CASES = [
    (np.array([3.0, -0.001]), _LR, _BETA1, _BETA2),
    (np.array([1e4, -2.0, 0.5]), 0.1, 0.5, 0.9),
    (np.array([-0.02, 7.0]), 0.01, 0.8, 0.99),
    (np.array([0.5, -40.0, 1e-3]), _LR, _BETA1, 0.99),
]


def _corrections(b1, b2, m=True, v=True):
    """The factor the first step is off by when m's correction, v's, or both, are left out."""
    return ((1 - b1) if not m else 1.0) / (np.sqrt(1 - b2) if not v else 1.0)


_FIRST_MISTAKES = [
    (lambda g, lr, b1, b2: -lr * g,
     "Its first step grows with the gradient; Adam's first step is lr in size whatever the gradient."),
    (lambda g, lr, b1, b2: -lr * np.sign(g) * _corrections(b1, b2, m=False, v=False),
     "That is the first step without bias correction."),
    (lambda g, lr, b1, b2: -lr * np.sign(g) * _corrections(b1, b2, v=False), _ONE_CORRECTION.format("m", "v")),
    (lambda g, lr, b1, b2: -lr * np.sign(g) * _corrections(b1, b2, m=False), _ONE_CORRECTION.format("v", "m")),
    (lambda g, lr, b1, b2: lr * np.sign(g), "Its update moves uphill: Adam steps against the gradient."),
    (lambda g, lr, b1, b2: lr * np.ones_like(g), "It returns the step's length, not the signed update."),
    (lambda g, lr, b1, b2: lr, "It returns the step's length, not the signed update."),
    (lambda g, lr, b1, b2: -np.sign(g), "It applies no learning rate: scale the step by lr."),
    (lambda g, lr, b1, b2: -lr * g / np.sqrt(np.sum(g ** 2)),
     "It normalises the gradient as a whole: Adam divides each coordinate by its own average."),
    (lambda g, lr, b1, b2: -lr * g / (np.abs(g) + 1e-8), "Its eps is not 0: the first step asked for has eps = 0."),
    (lambda g, lr, b1, b2: -lr * g / (np.abs(g) + 1e-7), "Its eps is not 0: the first step asked for has eps = 0."),
]


def _first_options(lr, beta1, beta2):
    given = {"lr": (lr, _LR), "beta1": (beta1, _BETA1), "beta2": (beta2, _BETA2)}
    return {name: value for name, (value, default) in given.items() if value != default}


def _first_label(grad, lr, beta1, beta2):
    extra = "".join(f", {name}={value}" for name, value in _first_options(lr, beta1, beta2).items())
    return f"first_step(grad={fmt(grad)}{extra})"


def _first_mismatch(case, out, right):
    # Not the value expected: it is the answer.
    grad, arr = case[0], floats(out)
    if (np.sign(arr) == -np.sign(grad)).all():
        why = "every coordinate goes the right way, but not by the right amount"
    else:
        why = "some coordinate goes the wrong way, or stays put"
    return f"{_first_label(*case)} returned {fmt(out)}: {why}."


def check_adam_first_step(first_step):
    r"""Check ``first_step(grad, lr=1e-3, beta1=0.9, beta2=0.999, eps=0.0)``: the update of Adam's very first step.

    The answer is the change of theta (a signed array, like ``grad``) at Adam's first step in torch's form, from
    ``m`` and ``v`` zeros, with ``eps = 0``, for the gradient ``grad``. The check gives gradients with no 0 in them
    (there, with eps = 0, the step is 0/0), and never passes ``eps``.

    >>> import numpy as np
    >>> _ = check_adam_first_step(lambda grad, lr=1e-3, beta1=0.9, beta2=0.999, eps=0.0: -lr * np.sign(grad))
    ✔ first_step is correct: lr in every coordinate, against the gradient.
    """
    def student(grad, lr, beta1, beta2):  # lr and the betas left to their defaults when they are torch's
        return first_step(grad, **_first_options(lr, beta1, beta2))

    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):  # a 0/0 is diagnosed, not warned about
        return check_cases(
            student, _FIRST_CASES, _first_step, _FIRST_MISTAKES,
            success="first_step is correct: lr in every coordinate, against the gradient.",
            label=_first_label, mismatch=_first_mismatch,
        )
