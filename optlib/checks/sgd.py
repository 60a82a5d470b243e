"""Chapter 2, stochastic gradient descent: checks for one shuffled epoch, the noise ball, the Robbins–Monro conditions.

Each check prints one line of feedback and returns a :class:`~optlib.checks.Feedback`,
truthy when the answer is right, so ``assert check_sgd_epoch(sgd_epoch)`` is an nbgrader test.
"""
import operator
import reprlib

import numpy as np

from ._core import _shape, check_cases, close, floats, fmt, report, run

__all__ = ["check_sgd_epoch", "check_noise_ball_lr", "check_robbins_monro"]


# One epoch of mini-batch SGD. The student's sgd_epoch gets a grad_i that logs every call (the index, and the
# theta it was given) and returns the true gradient of example i of a small least-squares problem,
# f_i(theta) = (x_i . theta - y_i)^2 / 2. The log gives the order the student drew and the batches (runs of
# calls at the same theta), so any right way of shuffling with rng passes, and each mistake is seen where it
# happens.

_X = np.array([[1.0, 0.5], [-0.3, 1.2], [0.8, -1.0], [1.5, 0.2], [-1.1, -0.4], [0.4, 0.9], [-0.6, 1.4]])
_Y = np.array([1.0, -0.5, 2.0, 0.3, -1.2, 0.7, 1.1])
_N, _D = _X.shape
_THETA0 = np.array([0.5, -1.0])

# batch_size, lr, seed: batches of sizes [3, 3, 1] (a last batch of one example tells the mean from the sum and
# from a division by batch_size), [1] * 7, [2, 2, 2, 1], and the full batch [7].
_EPOCH_CASES = [(3, 0.1, 11), (1, 0.05, 12), (2, 0.1, 13), (7, 0.2, 14)]


def _grad(theta, i):
    return (_X[i] @ theta - _Y[i]) * _X[i]


class _GradLog:
    """``grad_i(theta, i)`` for the student's function: the gradient of example ``i``, with a log of every call."""

    def __init__(self):
        self.calls = []  # (i, a copy of the theta it was given)

    def __call__(self, theta, i):
        try:
            i = operator.index(i)
        except TypeError:
            raise TypeError(f"grad_i(theta, i) takes the index of one example, an int; "
                            f"it was given {reprlib.repr(i)}") from None
        if not 0 <= i < _N:
            raise IndexError(f"grad_i(theta, i) was given i = {i}; the examples are 0 to {_N - 1}")
        x = floats(theta)
        if x is None or x.shape != (_D,):
            raise ValueError(f"grad_i(theta, i) was given theta = {fmt(theta)}; expected an array of shape ({_D},)")
        self.calls.append((i, x.copy()))
        return _grad(x, i)


def _sizes(batch_size):
    """The sizes of the batches of one epoch: consecutive chunks of the order, the last one smaller."""
    return [min(batch_size, _N - start) for start in range(0, _N, batch_size)]


def _runs(thetas):
    """The lengths of the runs of equal consecutive thetas: the batches as the student took them."""
    sizes = []
    for k, theta in enumerate(thetas):
        if k and np.array_equal(theta, thetas[k - 1]):
            sizes[-1] += 1
        else:
            sizes.append(1)
    return sizes


def _epoch(order, lr, batch_size, step):
    """One epoch over ``order`` in consecutive batches, each applied by ``step(theta, lr, grads, batch_size)``."""
    theta = _THETA0
    for start in range(0, len(order), batch_size):
        grads = np.array([_grad(theta, i) for i in order[start:start + batch_size]])
        theta = step(theta, lr, grads, batch_size)
    return theta


def _mean_step(theta, lr, grads, batch_size):
    return theta - lr * grads.mean(axis=0)


_EPOCH_MISTAKES = [
    (lambda theta, lr, grads, b: theta - lr * grads.sum(axis=0),
     "It sums the gradients of a batch instead of averaging them: the step uses the batch's mean gradient."),
    (lambda theta, lr, grads, b: theta - lr * grads.sum(axis=0) / b,
     "The last, smaller batch is averaged over batch_size, not over its own size: "
     "divide by the number of examples in the batch."),
    (lambda theta, lr, grads, b: theta + lr * grads.mean(axis=0),
     "Your steps move uphill: it adds lr times the batch's mean gradient; SGD subtracts it."),
]


def _epoch_call(batch_size, lr, seed):
    return (f"sgd_epoch(grad_i, theta={fmt(_THETA0)}, n={_N}, lr={lr}, batch_size={batch_size}, "
            f"rng=np.random.default_rng({seed}))")


def _run_epoch(sgd_epoch, batch_size, lr, rng):
    """Run the student's epoch with a logging grad_i; return the order of the calls, the log and the output."""
    log = _GradLog()
    out, problem = run(sgd_epoch, log, _THETA0, _N, lr, batch_size, rng)
    return [i for i, _ in log.calls], [theta for _, theta in log.calls], out, problem


def _usage(order, batch_size):
    """What is wrong with the indices of one epoch's calls to grad_i, or None."""
    if not order:
        return "It never calls grad_i: get the gradient of each example of a batch from grad_i(theta, i)."
    counts = np.bincount(order, minlength=_N)
    if counts.max() > 1:
        if (counts == counts[0]).all():
            return (f"It uses every example {counts[0]} times in one epoch: "
                    "an epoch visits each of the n examples once.")
        others = " and others not at all" if counts.min() == 0 else ""
        return (f"Some examples are used more than once in one epoch{others}: it samples with replacement. "
                "An epoch visits each of the n examples exactly once, in a random order.")
    if len(order) < _N:
        left = _N % batch_size
        if left and len(order) == _N - left:
            rest = "example left over makes" if left == 1 else f"{left} examples left over make"
            return (f"It skips the last, smaller batch: with n = {_N} and batch_size = {batch_size}, "
                    f"the {rest} one more step after the full batches.")
        return f"It uses only {len(order)} of the n = {_N} examples in one epoch; an epoch visits every example once."
    return None


def check_sgd_epoch(sgd_epoch):
    """Check ``sgd_epoch(grad_i, theta, n, lr, batch_size, rng) -> theta_new``, one shuffled epoch of mini-batch SGD.

    The function draws an order of the ``n`` examples from ``rng`` (without replacement), cuts it into
    consecutive batches of ``batch_size`` (the last one smaller), and takes one step per batch with the
    batch's mean gradient, ``grad_i(theta, i)`` being the gradient of example ``i``. The check gives it a
    ``grad_i`` that records every call, so that any right way of shuffling with ``rng`` passes.

    >>> import numpy as np
    >>> def sgd_epoch(grad_i, theta, n, lr, batch_size, rng):
    ...     order = rng.permutation(n)
    ...     for start in range(0, n, batch_size):
    ...         batch = order[start:start + batch_size]
    ...         theta = theta - lr * np.mean([grad_i(theta, i) for i in batch], axis=0)
    ...     return theta
    >>> _ = check_sgd_epoch(sgd_epoch)
    ✔ sgd_epoch is correct: a fresh shuffle per epoch, one mean-gradient step per batch.
    """
    epochs, rngs = [], []  # (batch_size, lr, call, order, thetas, out) for each case, and its Generator
    for batch_size, lr, seed in _EPOCH_CASES:
        rngs.append(np.random.default_rng(seed))
        call = _epoch_call(batch_size, lr, seed)
        order, thetas, out, problem = _run_epoch(sgd_epoch, batch_size, lr, rngs[-1])
        if problem:
            return report(False, f"{call}: {problem}")
        epochs.append((batch_size, lr, call, order, thetas, out))
    # Two more epochs of the first case: the same rng once more, and a fresh Generator with the same seed.
    batch_size, lr, seed = _EPOCH_CASES[0]
    call = _epoch_call(batch_size, lr, seed)
    again, _, _, problem = _run_epoch(sgd_epoch, batch_size, lr, rngs[0])
    if problem:
        return report(False, f"{call}, called a second time with the same rng: {problem}")
    fresh, _, _, problem = _run_epoch(sgd_epoch, batch_size, lr, np.random.default_rng(seed))
    if problem:
        return report(False, f"{call}, called again with a new Generator of the same seed: {problem}")

    # Which examples it visits.
    for batch_size, lr, call, order, thetas, out in epochs:
        message = _usage(order, batch_size)
        if message:
            return report(False, message)

    # In which order: shuffled, by rng, afresh each epoch. (A full batch needs no shuffle.)
    orders = [order for batch_size, _, _, order, _, _ in epochs if batch_size < _N]
    if all(order == list(range(_N)) for order in orders):
        return report(False, "It does not shuffle: every epoch visits the examples in the order 0, 1, ..., n-1. "
                             "Draw a random order from rng.")
    if fresh != orders[0]:
        return report(False, "The order does not come from rng: two Generators with the same seed gave different "
                             "orders, so it shuffles with another source of randomness (np.random's global state, "
                             "the random module). Draw the order from rng.")
    if again == orders[0] or all(order == orders[0] for order in orders):
        evidence = "a second epoch with the same rng" if again == orders[0] else "a Generator with another seed"
        return report(False, f"Every epoch visits the examples in the same order ({evidence} gave the same order): "
                             "draw a fresh order from rng on every call, not from a Generator or seed of your own.")

    # In which batches: the runs of calls to grad_i at the same theta.
    for batch_size, lr, call, order, thetas, out in epochs:
        sizes, want = _runs(thetas), _sizes(batch_size)
        if len(want) > 1 and all(np.array_equal(theta, _THETA0) for theta in thetas):
            if close(out, _THETA0 - lr * np.mean([_grad(_THETA0, i) for i in range(_N)], axis=0)):
                return report(False, f"It takes one step with the gradient of all n = {_N} examples, "
                                     "instead of one step per batch of batch_size examples.")
            return report(False, "All the gradients of the epoch are taken at the initial theta: evaluate each "
                                 "batch's gradients at the parameters after the previous batch's step.")
        if batch_size > 1 and all(size == 1 for size in sizes):
            return report(False, "The parameters change between the examples of one batch: it takes a step after "
                                 "every example instead of one step per batch with the batch's mean gradient.")
        if sizes != want:
            return report(False, f"For {call} the batches (the runs of calls to grad_i at the same theta) have "
                                 f"sizes {sizes}; expected {want}: consecutive chunks of batch_size examples of "
                                 "the shuffled order, the last one smaller.")

    # What it returns.
    for batch_size, lr, call, order, thetas, out in epochs:
        arr = floats(out)
        if arr is None:
            return report(False, f"{call} returned {fmt(out)}, which is not an array of numbers.")
        if arr.shape != _THETA0.shape:
            return report(False, f"{call} returned {_shape(arr.shape)}; expected {_shape(_THETA0.shape)}, "
                                 "the parameters after the epoch.")
        if not np.isfinite(arr).all():
            return report(False, f"{call} returned {fmt(out)}, which is not finite.")
    rights = [_epoch(order, lr, batch_size, _mean_step) for batch_size, lr, _, order, _, _ in epochs]
    if all(close(epoch[5], right) for epoch, right in zip(epochs, rights)):
        return report(True, "sgd_epoch is correct: a fresh shuffle per epoch, one mean-gradient step per batch.")
    for step, message in _EPOCH_MISTAKES:
        if all(close(out, _epoch(order, lr, batch_size, step)) for batch_size, lr, _, order, _, out in epochs):
            return report(False, message)
    (batch_size, lr, call, order, thetas, out), right = next(
        (epoch, right) for epoch, right in zip(epochs, rights) if not close(epoch[5], right))
    return report(False, f"{call} returned {fmt(out)}; expected {fmt(right)} for the order in which it visited "
                         f"the examples, {order}.")


# The learning rate of a given noise ball.

def _variance(eta, lam, sigma2):
    """The stationary variance of SGD with learning rate eta on lam x^2 / 2 with gradient noise of variance sigma2."""
    return eta * sigma2 / (lam * (2 - eta * lam))


def _noise_ball_lr(target, lam, sigma2):
    return 2 * target * lam / (sigma2 + target * lam ** 2)


# target, lam, sigma2: neither lam nor sigma2 is 1, so that each mistake gives a different answer.
_NOISE_CASES = [(0.1, 2.0, 0.5), (0.5, 2.0, 3.0), (0.02, 0.5, 0.25)]

_LAM_SLIP = ("A slip in the powers of λ: it has λ where λ² belongs, or λ² where λ belongs. "
             "Multiply out λ(2 - ηλ) again and collect the terms in η.")
_NOISE_MISTAKES = [
    (lambda t, lam, s2: 2 * t * lam / s2,
     "That solves the small-η limit: it drops the ηλ in (2 - ηλ), which is not small at these learning rates, "
     "so at that η the stationary variance overshoots the target."),
    (lambda t, lam, s2: 2 * t * lam / (s2 ** 2 + t * lam ** 2),
     "It squares sigma2: σ² is already a variance (of the gradient noise), not a standard deviation."),
    (lambda t, lam, s2: 2 * t * lam / (np.sqrt(s2) + t * lam ** 2),
     "It takes the square root of sigma2: σ² is a variance, not a standard deviation; use it as it is."),
    (lambda t, lam, s2: 2 * t * lam / (s2 + t * lam), _LAM_SLIP),
    (lambda t, lam, s2: 2 * t * lam ** 2 / (s2 + t * lam ** 2), _LAM_SLIP),
    (lambda t, lam, s2: 2 * t * lam ** 2 / (s2 + t * lam), _LAM_SLIP),
    (lambda t, lam, s2: 2 * t / (s2 + t * lam ** 2), _LAM_SLIP),
    (lambda t, lam, s2: _variance(t, lam, s2),
     "It returns a variance, not a learning rate: the stationary variance at η = target. "
     "Find the η at which the stationary variance equals the target."),
]


def _noise_label(target, lam, sigma2):
    return f"noise_ball_lr(target={target}, lam={lam}, sigma2={sigma2})"


def _noise_mismatch(case, out, right):
    target, lam, sigma2 = case
    eta = float(floats(out))
    if eta <= 0:
        where = "a learning rate is positive"
    elif eta * lam >= 2:
        where = "at that η SGD diverges (ηλ ≥ 2)"
    else:
        where = f"at that η the stationary variance is {_variance(eta, lam, sigma2):.6g}, not the target {target}"
    return f"{_noise_label(*case)} returned {eta:.6g}; {where} (expected η = {right:.6g})."


def check_noise_ball_lr(noise_ball_lr):
    r"""Check ``noise_ball_lr(target, lam, sigma2)``: the learning rate whose noise ball has variance ``target``.

    On :math:`f(x) = \lambda x^2/2` with gradient noise of variance :math:`\sigma^2`, SGD with a constant
    learning rate :math:`\eta` settles to a stationary variance :math:`\eta\sigma^2 / (\lambda(2 - \eta\lambda))`;
    the answer is the :math:`\eta` at which it equals ``target`` (the largest that keeps it at or below).
    A numerical solution to within a relative 1e-6 passes.

    >>> _ = check_noise_ball_lr(lambda target, lam, sigma2: 2 * target * lam / (sigma2 + target * lam ** 2))
    ✔ noise_ball_lr is correct: at its η the stationary variance equals the target.
    """
    return check_cases(
        noise_ball_lr, _NOISE_CASES, _noise_ball_lr, _NOISE_MISTAKES,
        success="noise_ball_lr is correct: at its η the stationary variance equals the target.",
        label=_noise_label, mismatch=_noise_mismatch, rtol=1e-6,
    )


# The Robbins–Monro conditions for eta_t = eta_0 / t**p.

_P_CASES = [0, 0.25, 0.5, 0.5001, 0.75, 1, 1.0001, 1.5, 2]


def _robbins_monro(p):
    return 0.5 < p <= 1


_RM_MISTAKES = [
    (lambda p: 0.5 <= p <= 1,
     "It accepts p = 1/2, but there the squared steps are η_0²/t, and Σ 1/t diverges: Σ η_t² < ∞ fails."),
    (lambda p: 0.5 < p < 1,
     "It rejects p = 1, Robbins and Monro's own η_0/t: Σ 1/t diverges and Σ 1/t² converges, so 1/t is fine."),
    (lambda p: p > 0.5,
     "It forgets the first condition, Σ η_t = ∞: for p > 1 the steps add up to a finite total, "
     "so SGD can stop short of the minimum."),
    (lambda p: p <= 1,
     "It forgets the second condition, Σ η_t² < ∞: for p ≤ 1/2 the sum of squared steps diverges "
     "and the gradient noise never averages out."),
    (lambda p: not _robbins_monro(p),
     "Its answers are reversed: it returns True where a condition fails and False where both hold."),
]


def check_robbins_monro(satisfies_robbins_monro):
    r"""Check ``satisfies_robbins_monro(p)``: does :math:`\eta_t = \eta_0 / t^p` satisfy the Robbins–Monro conditions?

    The two conditions are :math:`\sum_t \eta_t = \infty` and :math:`\sum_t \eta_t^2 < \infty`; the answer is a
    bool (Python's or NumPy's).

    >>> _ = check_robbins_monro(lambda p: 0.5 < p <= 1)
    ✔ satisfies_robbins_monro is correct on both sides of p = 1/2 and of p = 1.
    """
    outs = []
    for p in _P_CASES:
        label = f"satisfies_robbins_monro(p={p})"
        out, problem = run(satisfies_robbins_monro, p)
        if problem:
            return report(False, f"{label}: {problem}")
        if not isinstance(out, (bool, np.bool_)):
            return report(False, f"{label} returned {reprlib.repr(out)}, not True or False: return a bool.")
        outs.append(bool(out))
    rights = [_robbins_monro(p) for p in _P_CASES]
    if outs == rights:
        return report(True, "satisfies_robbins_monro is correct on both sides of p = 1/2 and of p = 1.")
    for wrong, message in _RM_MISTAKES:
        if outs == [wrong(p) for p in _P_CASES]:
            return report(False, message)
    p, out, right = next((p, o, r) for p, o, r in zip(_P_CASES, outs, rights) if o != r)
    return report(False, f"satisfies_robbins_monro(p={p}) returned {out}; expected {right}.")
