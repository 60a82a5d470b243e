"""Chapter 3, mini-batch SGD: checks for the mini-batches of one epoch and the variance of a mini-batch gradient.

Each check prints one line of feedback and returns a :class:`~optlib.checks.Feedback`, truthy when the
answer is right, so ``assert check_minibatch_indices(minibatch_indices)`` is an nbgrader test.
"""
import reprlib

import numpy as np

from ._core import _shape, check_cases, floats, report, run

__all__ = ["check_minibatch_indices", "check_minibatch_variance"]


# The mini-batches of one epoch. The student's minibatch_indices is called on each case with a new
# np.random.default_rng(seed). Its batches are checked for what they must be (1-D integer arrays of indices in
# range, disjoint, of the right sizes, shuffled), not against one reference permutation, so that any right way
# of drawing the shuffle from rng passes. Two more calls of the first case, the same rng once more and a new
# Generator with the same seed, tell whether the shuffle comes from rng, and afresh on every call.

# n, batch_size, drop_last, seed: short last batches of 2 and of 4 examples (kept, then dropped), batch_size
# dividing n, one batch of all the examples (batch_size = n, with and without drop_last), batches of one example.
_INDEX_CASES = [
    (10, 4, False, 21), (10, 5, False, 22), (7, 7, False, 23), (7, 1, False, 24), (100, 32, False, 25),
    (10, 4, True, 26), (100, 32, True, 27), (10, 10, True, 28),
]

_NOT_IMPLEMENTED = "not implemented yet: replace `raise NotImplementedError` with your code"


def _index_call(n, batch_size, drop_last, seed):
    flag = ", drop_last=True" if drop_last else ""
    return f"minibatch_indices(n={n}, batch_size={batch_size}, rng=np.random.default_rng({seed}){flag})"


def _want_sizes(n, batch_size, drop_last):
    """The sizes of one epoch's batches: consecutive chunks of the order, the last one smaller unless dropped."""
    stop = n - n % batch_size if drop_last else n
    return [min(batch_size, n - start) for start in range(0, stop, batch_size)]


def _read_batches(out, n, batch_size, drop_last):
    """What the student returned, as a list of 1-D integer arrays: ``(batches, None)`` or ``(None, problem)``."""
    if isinstance(out, (str, bytes, dict)):
        return None, f"it returned {reprlib.repr(out)}, not a list of batches (1-D arrays of indices)"
    try:
        items = iter(out)
    except TypeError:
        return None, f"it returned {reprlib.repr(out)}, not a list of batches (1-D arrays of indices)"
    try:
        items = list(items)  # a generator runs here
    except NotImplementedError:
        return None, _NOT_IMPLEMENTED
    except Exception as err:  # a student's bug: report it, don't crash the notebook
        return None, f"going through the batches it returned raised {type(err).__name__}: {err}"
    if not items:
        if drop_last and n % batch_size == 0:
            return None, ("it returned no batches, so with drop_last=True it drops the last batch even when it is "
                          "full; drop_last drops only a short batch")
        return None, "it returned no batches (an empty sequence); an epoch has at least one batch"
    if all(np.ndim(item) == 0 for item in items):
        return None, (f"it returned one flat sequence of {len(items)} indices, not a list of batches: "
                      "each batch is a 1-D array of indices of its own")
    batches = []
    for k, item in enumerate(items):
        try:
            arr = np.asarray(item)
        except (TypeError, ValueError):  # e.g. ragged lists
            arr = None
        if arr is None or arr.dtype.kind == "O":
            return None, f"batch {k} is {reprlib.repr(item)}, not a 1-D array of indices"
        if arr.ndim != 1:
            return None, f"batch {k} is {_shape(arr.shape)}, not a 1-D array of indices"
        if arr.size == 0:
            extra = (", an extra batch after the last one when batch_size divides n"
                     if k == len(items) - 1 and n % batch_size == 0 else "")
            return None, f"batch {k} is empty{extra}; every batch holds at least one example"
        if arr.dtype.kind == "b":
            return None, f"batch {k} holds True/False values (a mask), not the indices of examples"
        if arr.dtype.kind not in "iu":
            return None, (f"batch {k} has dtype {arr.dtype}, not an integer dtype: indices are ints "
                          "(X[idx] rejects an array of floats)")
        batches.append(arr.astype(np.int64))
    flat = np.concatenate(batches)
    if flat.min() >= 1 and flat.max() == n:
        return None, f"its indices run from 1 to n = {n}; the examples are numbered 0, 1, ..., n-1"
    for k, arr in enumerate(batches):
        bad = arr[(arr < 0) | (arr >= n)]
        if bad.size:
            return None, f"batch {k} holds the index {bad[0]}, outside the examples 0, 1, ..., n-1 = {n - 1}"
    return batches, None


def _run_indices(minibatch_indices, n, batch_size, drop_last, rng):
    """Run the student's function on one case; return ``(batches, None)`` or ``(None, problem)``."""
    if drop_last:
        out, problem = run(lambda: minibatch_indices(n, batch_size, rng, drop_last=True))
    else:
        out, problem = run(minibatch_indices, n, batch_size, rng)
    if problem:
        return None, problem
    return _read_batches(out, n, batch_size, drop_last)


def _window_stride(batches):
    """``s`` if each batch starts ``s < len`` positions after the one before in one order (overlapping windows)."""
    for s in range(1, max(len(b) for b in batches)):
        pairs = [(a, b) for a, b in zip(batches, batches[1:]) if len(a) > s]
        if pairs and all(len(b) >= len(a) - s and np.array_equal(a[s:], b[:len(a) - s]) for a, b in pairs):
            return s
    return None


def _epoch_key(batches):
    return tuple(tuple(int(i) for i in b) for b in batches)


def _usage(epochs):
    """What is wrong with the examples the batches hold (each at most once an epoch, all of them), or None."""
    for n, b, drop_last, call, batches in epochs:
        s = _window_stride(batches) if len(batches) > 1 else None
        if s is not None:
            step = "1 example" if s == 1 else f"{s} examples"
            return (f"Its batches overlap: they are windows that slide through the shuffled order {step} at a "
                    "time, so each shares examples with the next. In one epoch each example is in exactly one batch.")
    for n, b, drop_last, call, batches in epochs:
        counts = np.bincount(np.concatenate(batches), minlength=n)
        if counts.min() > 1 and (counts == counts[0]).all():
            return f"It uses every example {counts[0]} times in one epoch: an epoch visits each of the n examples once."
    for n, b, drop_last, call, batches in epochs:
        for k, batch in enumerate(batches):
            values, counts = np.unique(batch, return_counts=True)
            if counts.max() > 1:
                return (f"Batch {k} of {call} holds example {values[counts.argmax()]} more than once: it samples "
                        "with replacement. In one epoch no example repeats, within a batch or across batches.")
    for n, b, drop_last, call, batches in epochs:
        seen = {}
        for k, batch in enumerate(batches):
            for i in batch.tolist():
                if i in seen:
                    return (f"Example {i} is in batches {seen[i]} and {k} of {call}: its batches overlap, as if each "
                            "were drawn on its own. In one epoch each example is in exactly one batch.")
                seen[i] = k
    for n, b, drop_last, call, batches in epochs:
        sizes, used, left = [len(batch) for batch in batches], sum(len(batch) for batch in batches), n % b
        if not drop_last and used < n:
            if left and sizes == [b] * (n // b):
                where = (f"the example at position {n - 1} of the shuffled order is" if left == 1 else
                         f"the examples at positions {n - 2} and {n - 1} of the shuffled order are" if left == 2 else
                         f"the examples at positions {n - left} to {n - 1} of the shuffled order are")
                return (f"With drop_last=False it drops the last, short batch: for n = {n}, batch_size = {b}, {where} "
                        "never used in the epoch; only drop_last=True drops them.")
            return (f"Its batches leave out {n - used} of the n = {n} examples in {call}: with drop_last=False every "
                    "example is in one batch of the epoch.")
        if drop_last and left and used == n and sizes == _want_sizes(n, b, False):
            return (f"With drop_last=True it keeps the last, short batch: for n = {n}, batch_size = {b} it returns "
                    f"a batch of {left} examples, which drop_last=True drops, so that every batch is full.")
        if drop_last and used < n - left:
            return (f"With drop_last=True only the short batch is dropped, the n % batch_size = {left} examples left "
                    f"over, but {call} leaves out {n - used} of the n = {n} examples.")
    return None


def _sizes_problem(epochs):
    """What is wrong with the sizes of the batches, or None."""
    for n, b, drop_last, call, batches in epochs:
        sizes, want = [len(batch) for batch in batches], _want_sizes(n, b, drop_last)
        if sizes == want:
            continue
        shown = reprlib.repr(sizes)
        if max(sizes) > b:
            return f"A batch has more than batch_size examples: {call} returns batches of sizes {shown}."
        if drop_last:
            return f"With drop_last=True every batch has batch_size examples: {call} returns batches of sizes {shown}."
        if sorted(sizes, reverse=True) == want:
            return f"The short batch comes before full ones: {call} returns batches of sizes {shown}; it goes last."
        return (f"{call} returns batches of sizes {shown}: every batch but the last has exactly batch_size "
                "examples.")
    return None


def _contiguous(batch):
    return np.array_equal(np.sort(batch), np.arange(batch.min(), batch.min() + len(batch)))


def check_minibatch_indices(minibatch_indices):
    """Check ``minibatch_indices(n, batch_size, rng, drop_last=False)``: the mini-batches of one epoch.

    The function returns a list of 1-D integer arrays: a random permutation of ``range(n)`` drawn from the NumPy
    Generator ``rng``, cut into consecutive batches of ``batch_size``, the last one holding the ``n % batch_size``
    examples left over, unless ``drop_last=True`` drops it. The check looks at what the batches are, not at one
    reference permutation, so that any right way of shuffling with ``rng`` passes; lists of ints, and a generator
    of batches, are accepted too.

    >>> def minibatch_indices(n, batch_size, rng, drop_last=False):
    ...     order = rng.permutation(n)
    ...     stop = n - n % batch_size if drop_last else n
    ...     return [order[start:start + batch_size] for start in range(0, stop, batch_size)]
    >>> _ = check_minibatch_indices(minibatch_indices)
    ✔ minibatch_indices is correct: shuffled, disjoint, each example once per epoch.
    """
    epochs, rngs = [], []  # (n, batch_size, drop_last, call, batches) for each case, and its Generator
    for n, b, drop_last, seed in _INDEX_CASES:
        rngs.append(np.random.default_rng(seed))
        call = _index_call(n, b, drop_last, seed)
        batches, problem = _run_indices(minibatch_indices, n, b, drop_last, rngs[-1])
        if problem:
            return report(False, f"{call}: {problem}")
        epochs.append((n, b, drop_last, call, batches))
    # Two more epochs of the first case: the same rng once more, and a new Generator with the same seed.
    n, b, drop_last, seed = _INDEX_CASES[0]
    call = _index_call(n, b, drop_last, seed)
    again, problem = _run_indices(minibatch_indices, n, b, drop_last, rngs[0])
    if problem:
        return report(False, f"{call}, called a second time with the same rng: {problem}")
    fresh, problem = _run_indices(minibatch_indices, n, b, drop_last, np.random.default_rng(seed))
    if problem:
        return report(False, f"{call}, called again with a new Generator of the same seed: {problem}")

    # Which examples, and in batches of which sizes.
    message = _usage(epochs) or _sizes_problem(epochs)
    if message:
        return report(False, message)

    # In which order: shuffled, by rng, afresh each epoch. (One batch of all the examples needs no shuffle.)
    shuffled = [(n, b, batches) for n, b, _, _, batches in epochs if b < n]
    orders = [np.concatenate(batches) for _, _, batches in shuffled]
    if all(np.array_equal(order, np.arange(len(order))) for order in orders):
        return report(False, "It does not shuffle: the batches take the examples in the order 0, 1, ..., n-1. "
                             "Draw a random order from rng.")
    if all(_contiguous(batch) for n, b, batches in shuffled if b > 1 for batch in batches):
        return report(False, "It shuffles the batches, not the examples: each batch is a block of consecutive "
                             "examples, so the same examples always share a batch.")
    first = _epoch_key(epochs[0][4])
    if _epoch_key(fresh) != first:
        return report(False, "The shuffle does not come from rng: two Generators with the same seed gave different "
                             "epochs, so it draws from another source of randomness (np.random's global state, "
                             "the random module, a Generator made without a seed). Draw it from rng.")
    same_seeds = any(n == m and np.array_equal(a[:min(len(a), len(o))], o[:min(len(a), len(o))])
                     for k, ((n, _, _), a) in enumerate(zip(shuffled, orders))
                     for (m, _, _), o in zip(shuffled[k + 1:], orders[k + 1:]))
    if _epoch_key(again) == first or same_seeds:
        evidence = ("a second epoch with the same rng gave the same batches" if _epoch_key(again) == first
                    else "Generators with different seeds gave the same order")
        return report(False, f"Every epoch has the same order ({evidence}): draw a fresh shuffle from rng on every "
                             "call, not from a Generator or seed of your own.")
    return report(True, "minibatch_indices is correct: shuffled, disjoint, each example once per epoch.")


# The variance of a mini-batch gradient.

def _minibatch_variance(sigma2, n, batch_size, replacement):
    variance = sigma2 / batch_size
    return variance if replacement else variance * (n - batch_size) / (n - 1)


def _factor(n, batch_size, replacement):
    """The finite-population correction of sampling without replacement (1 with replacement)."""
    return 1.0 if replacement else (n - batch_size) / (n - 1)


# sigma2, n, batch_size, replacement: batch_size = n with and without replacement (the full batch has variance 0
# only without), batch_size = 1 (the correction is then 1), and sigma2 != 1 so that its powers differ.
_VARIANCE_CASES = [
    (2.0, 10, 3, False), (2.0, 10, 3, True), (5.0, 100, 100, False), (5.0, 100, 100, True), (5.0, 100, 1, False),
    (1.5, 50, 20, False),
]

_TWICE = ("It divides by B twice: the mean divides the variance of the sum by B², but the sum of B independent "
          "gradients has B times the variance of one.")
_SQRT = ("It confuses the standard deviation and the variance: √B is what the standard deviation of the mean "
         "shrinks by, not its variance.")
_VARIANCE_MISTAKES = [
    (lambda s2, n, b, r: s2 / b if r else s2 / b * (n - b) / n,
     "It uses n where the finite-population factor has n - 1: at batch_size = 1 that factor must be 1, "
     "since a batch of one example is one example, with or without replacement."),
    (lambda s2, n, b, r: s2 / b,
     "It ignores `replacement`: without replacement a batch cannot repeat an example, so its mean varies less, "
     "and at batch_size = n it is the full gradient, with variance 0."),
    (lambda s2, n, b, r: s2 / b * _factor(n, b, False),
     "It applies the correction for sampling without replacement with replacement too: draws with replacement "
     "are independent, so n does not enter their variance."),
    (lambda s2, n, b, r: s2 / b * _factor(n, b, not r),
     "Its two cases are the wrong way round: the finite-population correction belongs to sampling without "
     "replacement (replacement=False)."),
    (lambda s2, n, b, r: s2 / b ** 2 * _factor(n, b, r), _TWICE),
    (lambda s2, n, b, r: s2 / b ** 2, _TWICE),
    (lambda s2, n, b, r: s2 / np.sqrt(b) * _factor(n, b, r), _SQRT),
    (lambda s2, n, b, r: s2 / np.sqrt(b), _SQRT),
    (lambda s2, n, b, r: np.sqrt(_minibatch_variance(s2, n, b, r)),
     "It returns the standard deviation of the mini-batch gradient, the square root of its variance: "
     "return the variance itself."),
    (lambda s2, n, b, r: s2 * _factor(n, b, r),
     "It never divides by batch_size: the mean of B gradients varies less than one gradient does."),
    (lambda s2, n, b, r: s2 / b if r else s2 * _factor(n, b, r),
     "Without replacement it forgets to divide by batch_size: the batch is still a mean of B gradients, "
     "which varies less than one gradient does."),
]


def _variance_label(sigma2, n, batch_size, replacement):
    call = f"minibatch_variance(sigma2={sigma2}, n={n}, batch_size={batch_size}, replacement={replacement})"
    return f"At batch_size = n, {call}" if batch_size == n else call


def _variance_mismatch(case, out, right):
    value = floats(out)
    if value < 0:
        return f"{_variance_label(*case)} returned {float(value):.6g}; a variance is never negative."
    return f"{_variance_label(*case)} returned {float(value):.6g}; expected {right:.6g}."


def check_minibatch_variance(minibatch_variance):
    r"""Check ``minibatch_variance(sigma2, n, batch_size, replacement)``: the variance of a mini-batch gradient.

    It is the variance (summed over coordinates) of the mean of ``batch_size`` per-example gradients drawn
    from ``n`` examples whose per-example gradients have variance ``sigma2`` (the population variance, divisor
    ``n``), drawn with replacement or without.

    >>> def minibatch_variance(sigma2, n, batch_size, replacement):
    ...     variance = sigma2 / batch_size
    ...     return variance if replacement else variance * (n - batch_size) / (n - 1)
    >>> _ = check_minibatch_variance(minibatch_variance)
    ✔ minibatch_variance is correct, with and without replacement.
    """
    return check_cases(
        minibatch_variance, _VARIANCE_CASES, _minibatch_variance, _VARIANCE_MISTAKES,
        success="minibatch_variance is correct, with and without replacement.",
        label=_variance_label, mismatch=_variance_mismatch,
    )
