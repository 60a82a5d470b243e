"""Chapter 3's exercise checks (mini-batch SGD) recognise each typical mistake and say which it is."""
import math
import random

import numpy as np
import pytest

import optlib
from optlib.checks import minibatch

INDICES_OK = "✔ minibatch_indices is correct: shuffled, disjoint, each example once per epoch."
VARIANCE_OK = "✔ minibatch_variance is correct, with and without replacement."


def test_success_messages_fit_the_chapters_width():
    assert len(INDICES_OK) <= 80 and len(VARIANCE_OK) <= 80


# ---------------------------------------------------------------------------------------------------------------------
# minibatch_indices: right answers, written in the ways students shuffle and cut

def cut(order, batch_size, drop_last):
    stop = len(order) - len(order) % batch_size if drop_last else len(order)
    return [order[start:start + batch_size] for start in range(0, stop, batch_size)]


def by_permutation(n, batch_size, rng, drop_last=False):
    return cut(rng.permutation(n), batch_size, drop_last)


def by_choice(n, batch_size, rng, drop_last=False):
    return cut(rng.choice(n, n, replace=False), batch_size, drop_last)


def by_shuffle(n, batch_size, rng, drop_last=False):
    order = np.arange(n)
    rng.shuffle(order)
    batches = [order[start:start + batch_size] for start in range(0, n, batch_size)]
    if drop_last and len(batches[-1]) < batch_size:
        batches.pop()
    return batches


def by_permuted(n, batch_size, rng, drop_last=False):
    order = rng.permuted(np.arange(n))
    full = n // batch_size
    batches = list(order[:full * batch_size].reshape(full, batch_size))  # the full batches, as rows
    if n % batch_size and not drop_last:
        batches.append(order[full * batch_size:])
    return batches


def by_split(n, batch_size, rng, drop_last=False):
    batches = np.split(rng.permutation(n), range(batch_size, n, batch_size))
    return batches[:n // batch_size] if drop_last else batches


def as_generator(n, batch_size, rng, drop_last=False):
    order = rng.permutation(n)
    for start in range(0, n, batch_size):
        batch = order[start:start + batch_size]
        if drop_last and len(batch) < batch_size:
            return
        yield batch


def as_lists(n, batch_size, rng, drop_last=False):
    order = [int(i) for i in rng.permutation(n)]
    return [order[start:start + batch_size] for start in range(0, n - (n % batch_size if drop_last else 0), batch_size)]


def draw_each_batch(n, batch_size, rng, drop_last=False):
    # Each batch drawn without replacement from the examples not used yet: a random order all the same.
    left, batches = list(range(n)), []
    while len(left) >= (batch_size if drop_last else 1):
        batch = rng.choice(left, size=min(batch_size, len(left)), replace=False)
        left = [i for i in left if i not in batch]
        batches.append(batch)
    return tuple(batches)


def sorted_batches(n, batch_size, rng, drop_last=False):
    return [np.sort(batch).astype(np.int32) for batch in by_permutation(n, batch_size, rng, drop_last)]


@pytest.mark.parametrize(
    "student",
    [by_permutation, by_choice, by_shuffle, by_permuted, by_split, as_generator, as_lists, draw_each_batch,
     sorted_batches])
def test_minibatch_indices_accepts_right_answers(student, capsys):
    feedback = minibatch.check_minibatch_indices(student)
    assert feedback, feedback
    assert capsys.readouterr().out == INDICES_OK + "\n"


def test_minibatch_indices_calls_every_case_and_a_full_batch():
    calls = []

    def student(n, batch_size, rng, drop_last=False):
        calls.append((n, batch_size, drop_last))
        return by_permutation(n, batch_size, rng, drop_last)

    assert minibatch.check_minibatch_indices(student)
    for case in [(10, 4, False), (10, 5, False), (7, 7, False), (7, 1, False), (100, 32, False),
                 (10, 4, True), (100, 32, True), (10, 10, True)]:
        assert case in calls
    assert calls.count((10, 4, False)) == 3  # its case, the same rng once more, a new Generator of the same seed


# ---------------------------------------------------------------------------------------------------------------------
# minibatch_indices: the mistakes

def always_drops(n, batch_size, rng, drop_last=False):
    return cut(rng.permutation(n), batch_size, True)


def never_drops(n, batch_size, rng, drop_last=False):
    return cut(rng.permutation(n), batch_size, False)


def drops_full_batch(n, batch_size, rng, drop_last=False):
    batches = cut(rng.permutation(n), batch_size, False)
    return batches[:-1] if drop_last else batches


def off_by_one(n, batch_size, rng, drop_last=False):
    order = rng.permutation(n)
    return [order[start:start + batch_size] for start in range(0, n - batch_size, batch_size)] or [order]


def one_batch(n, batch_size, rng, drop_last=False):
    return [rng.permutation(n)[:batch_size]]


def with_replacement(n, batch_size, rng, drop_last=False):
    return cut(rng.choice(n, n), batch_size, drop_last)  # choice's default: replace=True


def integers(n, batch_size, rng, drop_last=False):
    count = n // batch_size if drop_last else math.ceil(n / batch_size)
    return [rng.integers(0, n, size=batch_size) for _ in range(count)]


def independent_batches(n, batch_size, rng, drop_last=False):
    sizes = [len(b) for b in cut(np.arange(n), batch_size, drop_last)]
    return [rng.choice(n, size, replace=False) for size in sizes]


def windows(n, batch_size, rng, drop_last=False):
    order = rng.permutation(n)
    return [order[i:i + batch_size] for i in range(n)]


def half_windows(n, batch_size, rng, drop_last=False):
    order = rng.permutation(n)
    step = max(1, batch_size // 2)
    return [order[i:i + batch_size] for i in range(0, n - batch_size + 1, step)]


def two_epochs(n, batch_size, rng, drop_last=False):
    return by_permutation(n, batch_size, rng, drop_last) + by_permutation(n, batch_size, rng, drop_last)


def array_split_floor(n, batch_size, rng, drop_last=False):
    return np.array_split(rng.permutation(n), n // batch_size)


def array_split_ceil(n, batch_size, rng, drop_last=False):
    return np.array_split(rng.permutation(n), math.ceil(n / batch_size))


def short_first(n, batch_size, rng, drop_last=False):
    return cut(rng.permutation(n)[::-1], batch_size, drop_last)[::-1]


def drops_one_example(n, batch_size, rng, drop_last=False):
    order = rng.permutation(n)
    return cut(order[:-1], batch_size, False) if drop_last and n % batch_size else cut(order, batch_size, drop_last)


def drops_one_batch_too_many(n, batch_size, rng, drop_last=False):
    return cut(rng.permutation(n), batch_size, drop_last)[:-1] if drop_last and n % batch_size else by_permutation(
        n, batch_size, rng, drop_last)


def no_shuffle(n, batch_size, rng, drop_last=False):
    return cut(np.arange(n), batch_size, drop_last)


def shuffled_blocks(n, batch_size, rng, drop_last=False):
    blocks = cut(np.arange(n), batch_size, drop_last)
    full, rest = blocks[:n // batch_size], blocks[n // batch_size:]
    return [full[k] for k in rng.permutation(len(full))] + rest


def global_numpy(n, batch_size, rng, drop_last=False):
    return cut(np.random.permutation(n), batch_size, drop_last)


def random_module(n, batch_size, rng, drop_last=False):
    return cut(np.array(random.sample(range(n), n)), batch_size, drop_last)


def unseeded_generator(n, batch_size, rng, drop_last=False):
    return cut(np.random.default_rng().permutation(n), batch_size, drop_last)


def own_generator(n, batch_size, rng, drop_last=False):
    return cut(np.random.default_rng(0).permutation(n), batch_size, drop_last)


def same_rng_state(n, batch_size, rng, drop_last=False):
    # Draws from a copy of rng, so rng never moves on: the next epoch repeats this one's order.
    copy = np.random.Generator(type(rng.bit_generator)())
    copy.bit_generator.state = rng.bit_generator.state
    return cut(copy.permutation(n), batch_size, drop_last)


def cached_order(n, batch_size, rng, drop_last=False, _cache={}):
    return cut(_cache.setdefault(n, rng.permutation(n)), batch_size, drop_last)  # drawn once, reused every epoch


def not_implemented(*args, **kwargs):
    raise NotImplementedError


def lazy_not_implemented(n, batch_size, rng, drop_last=False):
    yield rng.permutation(n)[:batch_size]
    raise NotImplementedError


@pytest.mark.parametrize(
    "student, fragment",
    [
        (always_drops, "With drop_last=False it drops the last, short batch: for n = 10, batch_size = 4, the examples "
                       "at positions 8 and 9 of the shuffled order are never used in the epoch; only drop_last=True "
                       "drops them."),
        (never_drops, "With drop_last=True it keeps the last, short batch: for n = 10, batch_size = 4 it returns a "
                      "batch of 2 examples"),
        (drops_full_batch, "minibatch_indices(n=10, batch_size=10, rng=np.random.default_rng(28), drop_last=True): "
                           "it returned no batches, so with drop_last=True it drops the last batch even when it is "
                           "full"),
        (off_by_one, "With drop_last=False it drops the last, short batch"),
        (one_batch, "Its batches leave out 6 of the n = 10 examples in minibatch_indices(n=10, batch_size=4, "
                    "rng=np.random.default_rng(21)): with drop_last=False every example is in one batch"),
        (with_replacement, "it samples with replacement"),
        (integers, "it samples with replacement"),
        (independent_batches, "its batches overlap, as if each were drawn on its own"),
        (windows, "windows that slide through the shuffled order 1 example at a time"),
        (half_windows, "windows that slide through the shuffled order 2 examples at a time"),
        (two_epochs, "It uses every example 2 times in one epoch"),
        (array_split_floor, "A batch has more than batch_size examples: minibatch_indices(n=10, batch_size=4, "
                            "rng=np.random.default_rng(21)) returns batches of sizes [5, 5]."),
        (array_split_ceil, "returns batches of sizes [4, 3, 3]: every batch but the last has exactly batch_size"),
        (short_first, "The short batch comes before full ones"),
        (drops_one_example, "With drop_last=True every batch has batch_size examples: minibatch_indices(n=10, "
                            "batch_size=4, rng=np.random.default_rng(26), drop_last=True) returns batches of "
                            "sizes [4, 4, 1]."),
        (drops_one_batch_too_many,
         "With drop_last=True only the short batch is dropped, the n % batch_size = 2 examples left over, but "
         "minibatch_indices(n=10, batch_size=4, rng=np.random.default_rng(26), drop_last=True) leaves out 6"),
        (no_shuffle, "It does not shuffle"),
        (shuffled_blocks, "It shuffles the batches, not the examples"),
        (global_numpy, "The shuffle does not come from rng"),
        (random_module, "The shuffle does not come from rng"),
        (unseeded_generator, "The shuffle does not come from rng"),
        (own_generator, "Every epoch has the same order (a second epoch with the same rng gave the same batches)"),
        (same_rng_state, "Every epoch has the same order (a second epoch with the same rng"),
        (cached_order, "Every epoch has the same order"),
        (lambda n, b, rng, drop_last=False: rng.permutation(n), "one flat sequence of 10 indices, not a list"),
        (lambda n, b, rng, drop_last=False: list(range(n)), "one flat sequence of 10 indices, not a list"),
        (lambda n, b, rng, drop_last=False: 3, "it returned 3, not a list of batches"),
        (lambda n, b, rng, drop_last=False: "batches", "it returned 'batches', not a list of batches"),
        (lambda n, b, rng, drop_last=False: {0: np.arange(n)}, "not a list of batches"),
        (lambda n, b, rng, drop_last=False: [], "it returned no batches (an empty sequence)"),
        (lambda n, b, rng, drop_last=False: [np.arange(n).reshape(2, -1)], "batch 0 is an array of shape (2, 5)"),
        (lambda n, b, rng, drop_last=False: [[0, 1], [2, [3]]], "batch 1 is [2, [3]], not a 1-D array of indices"),
        (lambda n, b, rng, drop_last=False: [b.astype(float) for b in by_permutation(n, b, rng, drop_last)],
         "batch 0 has dtype float64, not an integer dtype"),
        (lambda n, b, rng, drop_last=False: [np.arange(n) < b], "batch 0 holds True/False values (a mask)"),
        (lambda n, b, rng, drop_last=False: [b + 1 for b in by_permutation(n, b, rng, drop_last)],
         "its indices run from 1 to n = 10; the examples are numbered 0, 1, ..., n-1"),
        (lambda n, b, rng, drop_last=False: [b - 1 for b in by_permutation(n, b, rng, drop_last)],
         "holds the index -1, outside the examples 0, 1, ..., n-1 = 9"),
        (lambda n, b, rng, drop_last=False: [rng.permutation(n)[start:start + b] for start in range(0, n + 1, b)],
         "minibatch_indices(n=10, batch_size=5, rng=np.random.default_rng(22)): batch 2 is empty, an extra batch"),
        (lambda n, b, rng: by_permutation(n, b, rng),
         "minibatch_indices(n=10, batch_size=4, rng=np.random.default_rng(26), drop_last=True): calling it raised "
         "TypeError"),
        (lambda n, b, rng, drop_last: by_permutation(n, b, rng, drop_last), "missing 1 required positional"),
        (lambda n, b, rng, drop_last=False: None, "returned None"),
        (lambda n, b, rng, drop_last=False: 1 / 0, "raised ZeroDivisionError"),
        (lambda n, b, rng, drop_last=False: (1 / 0 for _ in range(n)),
         "going through the batches it returned raised ZeroDivisionError"),
        (not_implemented, "not implemented yet"),
        (lazy_not_implemented, "not implemented yet"),
    ],
)
def test_minibatch_indices_diagnoses(student, fragment, capsys):
    feedback = minibatch.check_minibatch_indices(student)
    assert not feedback and fragment in feedback.message, feedback
    out = capsys.readouterr().out
    assert out.startswith("✘ ") and out.count("\n") == 1
    assert not any(code in feedback.message for code in ("permutation(", "[start:", "range(0, n", "choice(")), feedback


def test_minibatch_indices_a_single_example_left_over():
    def drops(n, batch_size, rng, drop_last=False):
        return cut(rng.permutation(n), batch_size, True)

    message = minibatch._usage([(9, 4, False, "call", drops(9, 4, np.random.default_rng(0)))])
    assert "for n = 9, batch_size = 4, the example at position 8 of the shuffled order is never used" in message
    message = minibatch._usage([(100, 32, False, "call", drops(100, 32, np.random.default_rng(0)))])
    assert "the examples at positions 96 to 99 of the shuffled order are never used in the epoch" in message


def test_minibatch_indices_says_when_a_second_call_fails():
    calls = []

    def student(n, batch_size, rng, drop_last=False):
        calls.append(None)
        if len(calls) > len(minibatch._INDEX_CASES):
            raise RuntimeError("no more")
        return by_permutation(n, batch_size, rng, drop_last)

    feedback = minibatch.check_minibatch_indices(student)
    assert not feedback and "called a second time with the same rng: calling it raised RuntimeError" in feedback.message


def test_minibatch_indices_says_when_other_seeds_gave_the_same_order():
    # Contrived: a fixed order per n, but another one on the second epoch with the first case's rng.
    calls = []

    def student(n, batch_size, rng, drop_last=False):
        calls.append(None)
        order = np.random.default_rng(n).permutation(n)
        return cut(order[::-1] if len(calls) == len(minibatch._INDEX_CASES) + 1 else order, batch_size, drop_last)

    feedback = minibatch.check_minibatch_indices(student)
    assert not feedback
    assert "same order (Generators with different seeds gave the same order)" in feedback.message


def test_minibatch_indices_cases_tell_the_orderings_apart():
    # The right answers above pass only if their orders, drawn from the cases' seeds, are no accident:
    # never 0, ..., n-1, different for different seeds and for a second epoch with the same rng.
    for draw in (lambda rng, n: rng.permutation(n), lambda rng, n: rng.choice(n, n, replace=False),
                 lambda rng, n: rng.permuted(np.arange(n))):
        rngs = [np.random.default_rng(seed) for *_, seed in minibatch._INDEX_CASES]
        orders = [tuple(draw(rng, n)) for rng, (n, *_) in zip(rngs, minibatch._INDEX_CASES)]
        orders.append(tuple(draw(rngs[0], minibatch._INDEX_CASES[0][0])))
        assert len(set(orders)) == len(orders)
        assert not any(order == tuple(range(len(order))) for order in orders)


def test_minibatch_indices_leaves_the_rng_to_the_student():
    # A lazy generator draws from rng while the check goes through it: the check must not advance rng in between.
    def lazy(n, batch_size, rng, drop_last=False):
        yield from by_permutation(n, batch_size, rng, drop_last)

    assert minibatch.check_minibatch_indices(lazy)


# ---------------------------------------------------------------------------------------------------------------------
# minibatch_variance

def minibatch_variance(sigma2, n, batch_size, replacement):
    variance = sigma2 / batch_size
    return variance if replacement else variance * (n - batch_size) / (n - 1)


def variance_simulated_exactly(sigma2, n, batch_size, replacement):
    # The finite-population form written another way: (1 - (B - 1) / (n - 1)) / B.
    if replacement:
        return sigma2 / batch_size
    return sigma2 * (1 - (batch_size - 1) / (n - 1)) / batch_size


VARIANCE_FORMULA = ("(n - B) / (n - 1)", "(n-B)/(n-1)", "(n - B)/(n - 1)", "(n-B) / (n-1)", "(n - batch_size)",
                    "(n-batch_size)", "/ (n - 1)", "/(n-1)", "(N - B)", "sigma2 / B", "sigma2/B", "σ²/B", "σ² / B",
                    "1 - (B - 1)")


def test_minibatch_variance_accepts_right_answers(capsys):
    assert minibatch.check_minibatch_variance(minibatch_variance)
    assert minibatch.check_minibatch_variance(variance_simulated_exactly)
    assert minibatch.check_minibatch_variance(
        lambda s2, n, b, r: np.float64(s2) / b * (1.0 if r else (n - b) / (n - 1)))
    assert capsys.readouterr().out.splitlines() == [VARIANCE_OK] * 3


def full_batch_raises(sigma2, n, batch_size, replacement):
    if replacement:
        return sigma2 / batch_size
    return sigma2 / batch_size / ((n - 1) / (n - batch_size))


@pytest.mark.parametrize(
    "student, fragment",
    [
        (lambda s2, n, b, r: s2 / b if r else s2 / b * (n - b) / n,
         "It uses n where the finite-population factor has n - 1: at batch_size = 1 that factor must be 1"),
        (lambda s2, n, b, r: s2 / b * (1 - b / n) if not r else s2 / b, "It uses n where"),
        (lambda s2, n, b, r: s2 / b, "It ignores `replacement`: without replacement a batch cannot repeat an example"),
        (lambda s2, n, b, r: s2 / b * (n - b) / (n - 1),
         "It applies the correction for sampling without replacement with replacement too"),
        (lambda s2, n, b, r: s2 / b * (n - b) / (n - 1) if r else s2 / b, "Its two cases are the wrong way round"),
        (lambda s2, n, b, r: s2 / b ** 2, "It divides by B twice"),
        (lambda s2, n, b, r: minibatch_variance(s2, n, b, r) / b, "It divides by B twice"),
        (lambda s2, n, b, r: s2 / math.sqrt(b), "It confuses the standard deviation and the variance"),
        (lambda s2, n, b, r: minibatch_variance(s2, n, b, r) * b / math.sqrt(b),
         "It confuses the standard deviation and the variance"),
        (lambda s2, n, b, r: math.sqrt(minibatch_variance(s2, n, b, r)), "returns the standard deviation"),
        (lambda s2, n, b, r: minibatch_variance(s2, n, b, r) * b, "It never divides by batch_size"),
        (lambda s2, n, b, r: s2 / b if r else s2 * (n - b) / (n - 1), "Without replacement it forgets to divide"),
        (lambda s2, n, b, r: s2 / b if r else s2 / b * (b - n) / (n - 1),
         "minibatch_variance(sigma2=2.0, n=10, batch_size=3, replacement=False) returned -0.518519; "
         "a variance is never negative."),
        (full_batch_raises,
         "At batch_size = n, minibatch_variance(sigma2=5.0, n=100, batch_size=100, replacement=False): "
         "calling it raised ZeroDivisionError"),
        (lambda s2, n, b, r: s2 / b if r else s2 / b * (n - b) / (n - 1) + (b == n),
         "At batch_size = n, minibatch_variance(sigma2=5.0, n=100, batch_size=100, replacement=False) returned 1; "
         "expected 0."),
        (lambda s2, n, b, r: 2 * minibatch_variance(s2, n, b, r), "returned 1.03704; expected 0.518519."),
        (lambda s2, n, b, r: np.array([minibatch_variance(s2, n, b, r)]), "an array of shape (1,)"),
        (lambda s2, n, b, r: np.nan, "not finite"),
        (lambda s2, n, b, r: "small", "not a number"),
        (lambda s2, n, b, r: None, "returned None"),
        (lambda s2, n, b, r: 1 / 0, "raised ZeroDivisionError"),
        (not_implemented, "not implemented yet"),
    ],
)
def test_minibatch_variance_diagnoses(student, fragment, capsys):
    feedback = minibatch.check_minibatch_variance(student)
    assert not feedback and fragment in feedback.message, feedback
    assert not any(formula in feedback.message for formula in VARIANCE_FORMULA), feedback
    out = capsys.readouterr().out
    assert out.startswith("✘ ") and out.count("\n") == 1


def test_minibatch_variance_mistake_messages_do_not_give_the_formula():
    for _, message in minibatch._VARIANCE_MISTAKES:
        assert not any(formula in message for formula in VARIANCE_FORMULA), message


def test_minibatch_variance_cases_tell_the_mistakes_apart():
    # Every mistake differs from the right answer, and from every other mistake with another message.
    cases = minibatch._VARIANCE_CASES
    right = tuple(round(minibatch_variance(*case), 9) for case in cases)
    answers = {}
    for wrong, message in minibatch._VARIANCE_MISTAKES:
        answer = tuple(round(float(wrong(*case)), 9) for case in cases)
        assert answer != right, message
        assert answers.setdefault(answer, message) == message, message
    # The cases include the full batch both ways, a batch of one, and both values of replacement.
    assert {(b == n, r) for _, n, b, r in cases} >= {(True, True), (True, False), (False, True), (False, False)}
    assert any(b == 1 for _, _, b, _ in cases)


# ---------------------------------------------------------------------------------------------------------------------

def test_the_module_is_imported_by_the_package_but_not_re_exported():
    assert optlib.checks.minibatch is minibatch
    assert not any(hasattr(optlib.checks, name) for name in minibatch.__all__)
    assert minibatch.__all__ == ["check_minibatch_indices", "check_minibatch_variance"]
