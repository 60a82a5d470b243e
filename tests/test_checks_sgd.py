"""Chapter 2's exercise checks (stochastic gradient descent) recognise each typical mistake and say which it is."""
import random

import numpy as np
import pytest

import optlib
from optlib.checks import sgd


# ---------------------------------------------------------------------------------------------------------------------
# sgd_epoch: right answers, written in the ways students shuffle and average

def batches_of(order, batch_size):
    return [order[start:start + batch_size] for start in range(0, len(order), batch_size)]


def epoch_over(order, grad_i, theta, lr, batch_size, step=None):
    for batch in batches_of(order, batch_size):
        grads = np.array([grad_i(theta, i) for i in batch])
        theta = step(theta, lr, grads, batch_size) if step else theta - lr * grads.mean(axis=0)
    return theta


def sgd_permutation(grad_i, theta, n, lr, batch_size, rng):
    return epoch_over(rng.permutation(n), grad_i, theta, lr, batch_size)


def sgd_choice(grad_i, theta, n, lr, batch_size, rng):
    return epoch_over(rng.choice(n, n, replace=False), grad_i, theta, lr, batch_size)


def sgd_shuffle(grad_i, theta, n, lr, batch_size, rng):
    order = np.arange(n)
    rng.shuffle(order)
    theta = theta.copy()
    for batch in batches_of(order, batch_size):
        g = sum(grad_i(theta, int(i)) for i in batch) / len(batch)
        theta -= lr * g  # in place, but on a copy: the input is left alone
    return theta


def sgd_vectorised(grad_i, theta, n, lr, batch_size, rng):
    order = rng.permuted(np.arange(n))
    for start in range(0, n, batch_size):
        batch = order[start:start + batch_size]
        G = np.stack([grad_i(theta, i) for i in batch])  # one row per example
        theta = theta - lr * G.sum(axis=0) / G.shape[0]
    return theta


def sgd_draw_each_batch(grad_i, theta, n, lr, batch_size, rng):
    # Each batch drawn without replacement from the examples not used yet: a random order all the same.
    left = list(range(n))
    while left:
        batch = rng.choice(left, size=min(batch_size, len(left)), replace=False)
        left = [i for i in left if i not in batch]
        theta = theta - lr * np.mean([grad_i(theta, i) for i in batch], axis=0)
    return list(theta)


@pytest.mark.parametrize(
    "student", [sgd_permutation, sgd_choice, sgd_shuffle, sgd_vectorised, sgd_draw_each_batch])
def test_sgd_epoch_accepts_right_answers(student, capsys):
    feedback = sgd.check_sgd_epoch(student)
    assert feedback, feedback
    assert capsys.readouterr().out == (
        "✔ sgd_epoch is correct: a fresh shuffle per epoch, one mean-gradient step per batch.\n")


# ---------------------------------------------------------------------------------------------------------------------
# sgd_epoch: the mistakes

def with_replacement(grad_i, theta, n, lr, batch_size, rng):
    return epoch_over(rng.integers(0, n, size=n), grad_i, theta, lr, batch_size)


def two_epochs(grad_i, theta, n, lr, batch_size, rng):
    return epoch_over(np.concatenate([rng.permutation(n), rng.permutation(n)]), grad_i, theta, lr, batch_size)


def no_shuffle(grad_i, theta, n, lr, batch_size, rng):
    return epoch_over(np.arange(n), grad_i, theta, lr, batch_size)


def global_numpy(grad_i, theta, n, lr, batch_size, rng):
    return epoch_over(np.random.permutation(n), grad_i, theta, lr, batch_size)


def random_module(grad_i, theta, n, lr, batch_size, rng):
    return epoch_over(random.sample(range(n), n), grad_i, theta, lr, batch_size)


def own_generator(grad_i, theta, n, lr, batch_size, rng):
    return epoch_over(np.random.default_rng(0).permutation(n), grad_i, theta, lr, batch_size)


def own_seed(grad_i, theta, n, lr, batch_size, rng):
    return epoch_over(np.random.RandomState(0).permutation(n), grad_i, theta, lr, batch_size)


def cached_order(grad_i, theta, n, lr, batch_size, rng, _cache={}):
    order = _cache.setdefault(n, rng.permutation(n))  # drawn once, reused every epoch
    return epoch_over(order, grad_i, theta, lr, batch_size)


def same_rng_state(grad_i, theta, n, lr, batch_size, rng):
    # Draws from a copy of rng, so rng never moves on: the next epoch repeats this one's order.
    copy = np.random.Generator(type(rng.bit_generator)())
    copy.bit_generator.state = rng.bit_generator.state
    return epoch_over(copy.permutation(n), grad_i, theta, lr, batch_size)


def step_per_example(grad_i, theta, n, lr, batch_size, rng):
    for i in rng.permutation(n):
        theta = theta - lr * grad_i(theta, i)
    return theta


def step_per_example_scaled(grad_i, theta, n, lr, batch_size, rng):
    for batch in batches_of(rng.permutation(n), batch_size):
        for i in batch:
            theta = theta - lr / len(batch) * grad_i(theta, i)
    return theta


def array_split(grad_i, theta, n, lr, batch_size, rng):
    for batch in np.array_split(rng.permutation(n), n // batch_size):
        theta = theta - lr * np.mean([grad_i(theta, i) for i in batch], axis=0)
    return theta


def drops_last_batch(grad_i, theta, n, lr, batch_size, rng):
    order = rng.permutation(n)
    for start in range(0, n - batch_size + 1, batch_size):
        batch = order[start:start + batch_size]
        theta = theta - lr * np.mean([grad_i(theta, i) for i in batch], axis=0)
    return theta


def stale_gradients(grad_i, theta, n, lr, batch_size, rng):
    new = theta
    for batch in batches_of(rng.permutation(n), batch_size):
        new = new - lr * np.mean([grad_i(theta, i) for i in batch], axis=0)  # theta, not new
    return new


def full_batch(grad_i, theta, n, lr, batch_size, rng):
    return epoch_over(rng.permutation(n), grad_i, theta, lr, n)


def sums(grad_i, theta, n, lr, batch_size, rng):
    return epoch_over(rng.permutation(n), grad_i, theta, lr, batch_size, lambda t, lr, G, b: t - lr * G.sum(0))


def divides_by_batch_size(grad_i, theta, n, lr, batch_size, rng):
    return epoch_over(rng.permutation(n), grad_i, theta, lr, batch_size, lambda t, lr, G, b: t - lr * G.sum(0) / b)


def uphill(grad_i, theta, n, lr, batch_size, rng):
    return epoch_over(rng.permutation(n), grad_i, theta, lr, batch_size, lambda t, lr, G, b: t + lr * G.mean(0))


def mutates_theta(grad_i, theta, n, lr, batch_size, rng):
    for batch in batches_of(rng.permutation(n), batch_size):
        theta -= lr * np.mean([grad_i(theta, i) for i in batch], axis=0)
    return theta


def passes_the_batch(grad_i, theta, n, lr, batch_size, rng):
    for batch in batches_of(rng.permutation(n), batch_size):
        theta = theta - lr * grad_i(theta, batch)
    return theta


def never_calls_grad_i(grad_i, theta, n, lr, batch_size, rng):
    return theta - lr


def trajectory(grad_i, theta, n, lr, batch_size, rng):
    thetas = [theta]
    for batch in batches_of(rng.permutation(n), batch_size):
        thetas.append(thetas[-1] - lr * np.mean([grad_i(thetas[-1], i) for i in batch], axis=0))
    return np.array(thetas)


def not_implemented(*args):
    raise NotImplementedError


@pytest.mark.parametrize(
    "student, fragment",
    [
        (with_replacement, "samples with replacement"),
        (two_epochs, "uses every example 2 times in one epoch"),
        (no_shuffle, "It does not shuffle"),
        (global_numpy, "does not come from rng"),
        (random_module, "does not come from rng"),
        (own_generator, "same order (a second epoch with the same rng gave the same order)"),
        (own_seed, "same order"),
        (cached_order, "same order"),
        (same_rng_state, "same order (a second epoch with the same rng"),
        (step_per_example, "takes a step after every example"),
        (step_per_example_scaled, "takes a step after every example"),
        (array_split, "have sizes [4, 3]; expected [3, 3, 1]"),
        (drops_last_batch, "skips the last, smaller batch: with n = 7 and batch_size = 3, the example left over"),
        (stale_gradients, "taken at the initial theta"),
        (full_batch, "one step with the gradient of all n = 7 examples"),
        (sums, "sums the gradients of a batch instead of averaging"),
        (divides_by_batch_size, "averaged over batch_size, not over its own size"),
        (uphill, "move uphill"),
        (mutates_theta, "changed its input array in place"),
        (passes_the_batch, "grad_i(theta, i) takes the index of one example, an int"),
        (never_calls_grad_i, "never calls grad_i"),
        (lambda grad_i, theta, n, lr, batch_size, rng: sgd_permutation(grad_i, theta, n, 2 * lr, batch_size, rng),
         "expected"),
        (trajectory, "returned an array of shape (4, 2); expected an array of shape (2,)"),
        (lambda *args: sgd_permutation(*args) * np.nan, "[nan, nan], which is not finite"),
        (lambda *args: [sgd_permutation(*args), [1.0]], "not an array of numbers"),
        (lambda *args: None, "returned None"),
        (lambda *args: 1 / 0, "raised ZeroDivisionError"),
        (not_implemented, "not implemented yet"),
    ],
)
def test_sgd_epoch_diagnoses(student, fragment, capsys):
    feedback = sgd.check_sgd_epoch(student)
    assert not feedback and fragment in feedback.message, feedback
    out = capsys.readouterr().out
    assert out.startswith("✘ ") and out.count("\n") == 1


def test_sgd_epoch_says_which_epochs_repeated_the_order():
    # Contrived: one fixed order for every seed, another one only on the second epoch with the first case's rng.
    calls = []

    def student(grad_i, theta, n, lr, batch_size, rng):
        calls.append(None)
        order = np.arange(n)[::-1] if len(calls) == 5 else np.array([3, 1, 4, 0, 5, 2, 6])
        return epoch_over(order, grad_i, theta, lr, batch_size)

    feedback = sgd.check_sgd_epoch(student)
    assert len(calls) == 6  # the four cases, a second epoch with the same rng, a fresh rng with the same seed
    assert not feedback and "same order (a Generator with another seed gave the same order)" in feedback.message


def test_sgd_epoch_names_the_call_and_the_order_for_a_wrong_value():
    message = sgd.check_sgd_epoch(lambda g, theta, n, lr, b, rng: sgd_permutation(g, theta, n, 2 * lr, b, rng)).message
    assert message.startswith("sgd_epoch(grad_i, theta=[ 0.5, -1. ], n=7, lr=0.1, batch_size=3, "
                              "rng=np.random.default_rng(11)) returned")
    assert "for the order in which it visited the examples, [" in message


def test_sgd_epoch_leaves_the_check_data_alone():
    before = sgd._THETA0.copy()
    sgd.check_sgd_epoch(mutates_theta)
    assert np.array_equal(sgd._THETA0, before)


def test_sgd_epoch_cases_tell_the_orderings_apart():
    # The right answers above pass only if their orders, drawn from the cases' seeds, are no accident:
    # never 0, ..., n-1, different for different seeds and for a second epoch with the same rng.
    for draw in (lambda rng: rng.permutation(7), lambda rng: rng.choice(7, 7, replace=False),
                 lambda rng: rng.permuted(np.arange(7))):
        rngs = [np.random.default_rng(seed) for _, _, seed in sgd._EPOCH_CASES]
        orders = [tuple(draw(rng)) for rng in rngs] + [tuple(draw(rngs[0]))]
        assert len(set(orders)) == len(orders) and tuple(range(7)) not in orders


# ---------------------------------------------------------------------------------------------------------------------
# noise_ball_lr

def noise_ball_lr(target, lam, sigma2):
    return 2 * target * lam / (sigma2 + target * lam ** 2)


def bisection(target, lam, sigma2):
    # Numerically: the variance grows with eta on (0, 2 / lam).
    lo, hi = 0.0, 2 / lam
    for _ in range(200):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if mid * sigma2 / (lam * (2 - mid * lam)) < target else (lo, mid)
    return lo


NOISE_FORMULA = ("2*target", "2 * target", "sigma2 + target", "σ² + ")


def test_noise_ball_lr_accepts_right_answers(capsys):
    assert sgd.check_noise_ball_lr(noise_ball_lr)
    assert sgd.check_noise_ball_lr(bisection)
    assert sgd.check_noise_ball_lr(lambda t, lam, s2: np.float64(2 * t * lam) / (s2 + t * lam * lam))
    assert capsys.readouterr().out.splitlines() == [
        "✔ noise_ball_lr is correct: at its η the stationary variance equals the target.",
    ] * 3


@pytest.mark.parametrize(
    "student, fragment",
    [
        (lambda t, lam, s2: 2 * t * lam / s2, "small-η limit: it drops the ηλ in (2 - ηλ)"),
        (lambda t, lam, s2: 2 * t * lam / (s2 ** 2 + t * lam ** 2), "squares sigma2: σ² is already a variance"),
        (lambda t, lam, s2: 2 * t * lam / (np.sqrt(s2) + t * lam ** 2), "square root of sigma2"),
        (lambda t, lam, s2: 2 * t * lam / (s2 + t * lam), "slip in the powers of λ"),
        (lambda t, lam, s2: 2 * t * lam ** 2 / (s2 + t * lam ** 2), "slip in the powers of λ"),
        (lambda t, lam, s2: t * s2 / (lam * (2 - t * lam)), "returns a variance, not a learning rate"),
        (lambda t, lam, s2: 0.1,
         "noise_ball_lr(target=0.1, lam=2.0, sigma2=0.5) returned 0.1; at that η the stationary variance is 0.0138889"),
        (lambda t, lam, s2: 1.5, "at that η SGD diverges"),
        (lambda t, lam, s2: -0.1, "a learning rate is positive"),
        (lambda t, lam, s2: noise_ball_lr(t, lam, s2) * (1 + 1e-4),
         "returned 0.444489; at that η the stationary variance is 0.100018, not the target 0.1 "
         "(expected η = 0.444444)."),
        (lambda t, lam, s2: np.array([noise_ball_lr(t, lam, s2)]),
         "returned an array of shape (1,); expected a single number"),
        (lambda t, lam, s2: np.nan, "not finite"),
        (lambda t, lam, s2: "eta", "not a number"),
        (lambda t, lam, s2: None, "returned None"),
        (lambda t, lam, s2: 1 / 0, "raised ZeroDivisionError"),
        (not_implemented, "not implemented yet"),
    ],
)
def test_noise_ball_lr_diagnoses(student, fragment):
    feedback = sgd.check_noise_ball_lr(student)
    assert not feedback and fragment in feedback.message, feedback
    assert not any(formula in feedback.message for formula in NOISE_FORMULA), feedback


def test_noise_ball_lr_cases_tell_the_mistakes_apart():
    for case in sgd._NOISE_CASES:
        answers = [noise_ball_lr(*case)] + [wrong(*case) for wrong, _ in sgd._NOISE_MISTAKES]
        assert len({round(a, 6) for a in answers}) == len(answers), case


# ---------------------------------------------------------------------------------------------------------------------
# satisfies_robbins_monro

RM_ANSWER = ("1/2 < p", "0.5 < p", "½ < p")


def test_robbins_monro_accepts_right_answers(capsys):
    assert sgd.check_robbins_monro(lambda p: 0.5 < p <= 1)
    assert sgd.check_robbins_monro(lambda p: np.logical_and(p > 0.5, p <= 1))  # a NumPy bool
    assert sgd.check_robbins_monro(lambda p: p <= 1 and 2 * p > 1)
    assert capsys.readouterr().out.splitlines() == [
        "✔ satisfies_robbins_monro is correct on both sides of p = 1/2 and of p = 1.",
    ] * 3


@pytest.mark.parametrize(
    "student, fragment",
    [
        (lambda p: 0.5 <= p <= 1, "accepts p = 1/2"),
        (lambda p: 0.5 < p < 1, "rejects p = 1, Robbins and Monro's own"),
        (lambda p: p > 0.5, "forgets the first condition"),
        (lambda p: p <= 1, "forgets the second condition"),
        (lambda p: not (0.5 < p <= 1), "reversed"),
        (lambda p: 0.75 <= p <= 1, "satisfies_robbins_monro(p=0.5001) returned False; expected True."),
        (lambda p: int(0.5 < p <= 1), "returned 0, not True or False"),
        (lambda p: "yes", "returned 'yes', not True or False"),
        (lambda p: np.array([0.5 < p <= 1]), "not True or False"),
        (lambda p: None, "returned None"),
        (lambda p: 1 / p, "satisfies_robbins_monro(p=0): calling it raised ZeroDivisionError"),
        (not_implemented, "not implemented yet"),
    ],
)
def test_robbins_monro_diagnoses(student, fragment):
    feedback = sgd.check_robbins_monro(student)
    assert not feedback and fragment in feedback.message, feedback
    assert not any(answer in feedback.message for answer in RM_ANSWER), feedback


def test_robbins_monro_mistake_messages_do_not_give_the_interval():
    for _, message in sgd._RM_MISTAKES:
        assert not any(answer in message for answer in RM_ANSWER), message


# ---------------------------------------------------------------------------------------------------------------------

def test_the_module_is_imported_by_the_package_but_not_re_exported():
    assert optlib.checks.sgd is sgd
    assert not any(hasattr(optlib.checks, name) for name in sgd.__all__)
    assert sgd.__all__ == ["check_sgd_epoch", "check_noise_ball_lr", "check_robbins_monro"]
