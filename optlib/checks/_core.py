"""What every chapter's checks share: run the student's function, compare, diagnose, report.

Most checks are one call to :func:`check_cases`. A check that needs more
(say, one about the shape of a whole trajectory) is built from the pieces:
:func:`run`, :func:`close`, :func:`floats`, :func:`fmt` and :func:`report`.
"""
import dataclasses
import itertools
import reprlib

import numpy as np

RTOL, ATOL = 1e-9, 1e-12  # the default tolerances of close(): exact up to rounding


@dataclasses.dataclass(frozen=True)
class Feedback:
    """The outcome of a check: ``passed`` and a ``message`` for the student."""

    passed: bool
    message: str

    def __bool__(self):
        return self.passed

    def __repr__(self):
        return ("✔ " if self.passed else "✘ ") + self.message


def report(passed, message):
    """Print the one line of feedback (✔ or ✘, then the message) and return the :class:`Feedback`."""
    feedback = Feedback(passed, message)
    print(repr(feedback))
    return feedback


def run(fn, *args):
    """Call the student's ``fn(*args)``; return ``(output, None)``, or ``(None, problem)``.

    The problem is a phrase for the student ("calling it raised ..."); a check
    prefixes it with the call it made. NumPy arguments are passed as copies,
    so a function that changes its input in place is caught, not believed.

    >>> run(lambda x: x + 1, 1)
    (2, None)
    >>> run(lambda x: x / 0, 1)
    (None, 'calling it raised ZeroDivisionError: division by zero')
    """
    copies = [np.array(a, copy=True) if isinstance(a, np.ndarray) else a for a in args]
    try:
        out = fn(*copies)
    except NotImplementedError:
        return None, "not implemented yet: replace `raise NotImplementedError` with your code"
    except Exception as err:  # a student's bug: report it, don't crash the notebook
        return None, f"calling it raised {type(err).__name__}: {err}"
    for a, c in zip(args, copies):
        if isinstance(a, np.ndarray) and not np.array_equal(a, c):
            return None, "it changed its input array in place; return a new array instead (x - ..., not x -= ...)"
    if out is None:
        return None, "it returned None: did you forget `return`?"
    return out, None


def floats(a):
    """``a`` as a float array (a NumPy array, list, number or CPU tensor), or None if it is not real numbers.

    >>> floats([1, 2]), floats("abc"), floats([[1], [1, 2]])
    (array([1., 2.]), None, None)
    """
    try:
        arr = np.asarray(a)
    except (TypeError, ValueError):  # e.g. ragged lists
        return None
    return arr.astype(float) if arr.dtype.kind in "biuf" else None


def close(a, b, rtol=RTOL, atol=ATOL):
    """True if ``a`` and ``b`` are real numbers of the same shape, equal within the tolerances (NaN equals nothing)."""
    a, b = floats(a), floats(b)
    return a is not None and b is not None and a.shape == b.shape and np.allclose(a, b, rtol=rtol, atol=atol)


def fmt(a):
    """An array (or number) on one line, 4 significant digits: ``fmt([1, 2/3])`` is ``'[1.    , 0.6667]'``."""
    arr = floats(a)
    if arr is None:
        return reprlib.repr(a)
    return np.array2string(arr, precision=4, separator=", ").replace("\n", "")


def _shape(shape):
    return "a single number" if shape == () else f"an array of shape {shape}"


def quiet_run(fn, *args):
    """:func:`run`, without NumPy's warnings: a 0/0 or the root of a negative number is diagnosed, not warned about."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return run(fn, *args)


def read_arrays(out, rights, names, label, only, shared=None):
    """A step function's several outputs (``names``, e.g. ``("new_theta", "new_v")``) as float arrays.

    Returns ``(tuple_of_arrays, None)``, or ``(None, message)`` when ``out`` is not a sequence of that many arrays
    shaped like ``rights[0]``. ``only[k]`` is the message for a single array equal to ``rights[k]`` (the student
    returned one output, not all); ``shared``, if given, is the message for a later output that is one number for
    every coordinate (state shared across coordinates).

    >>> names = ("new_theta", "new_v")
    >>> rights = (np.array([1.0, 2.0]), np.array([3.0, 4.0]))
    >>> read_arrays((np.array([1.0, 2.0]), [3, 4]), rights, names, "f()", ["only theta", "only v"])[0]
    (array([1., 2.]), array([3., 4.]))
    >>> read_arrays(np.array([3.0, 4.0]), rights, names, "f()", ["only theta", "only v"])
    (None, 'only v')
    >>> read_arrays((1, 2, 3), rights, names, "f()", ["", ""])[1]
    'f() returned 3 items; expected the pair (new_theta, new_v).'
    """
    what = f"the {'pair' if len(names) == 2 else 'triple'} ({', '.join(names)})"
    shape = rights[0].shape
    single = floats(out)
    if single is not None and single.shape == shape:
        for message, right in zip(only, rights):
            if close(single, right):
                return None, message
        return None, f"{label} returned one array, {fmt(out)}; expected {what}."
    if not (isinstance(out, (tuple, list)) or (isinstance(out, np.ndarray) and out.ndim >= 1)):
        return None, f"{label} returned {fmt(out)}; expected {what}."
    if len(out) != len(names):
        return None, f"{label} returned {len(out)} items; expected {what}."
    arrays = []
    for k, (name, item) in enumerate(zip(names, out)):
        arr = floats(item)
        if arr is None:
            return None, f"{label} returned {name} = {fmt(item)}, which is not an array of numbers."
        if shared is not None and k > 0 and arr.shape == () and shape != ():
            return None, shared
        if arr.shape != shape:
            return None, f"{label} returned {name} as {_shape(arr.shape)}; expected {_shape(shape)}, like theta."
        arrays.append(arr)
    return tuple(arrays), None


def wrong_order(outs, rights, names):
    """The message for outputs that are right but in another order on every case, else None.

    >>> a, b = np.array([1.0]), np.array([2.0])
    >>> wrong_order([(b, a)], [(a, b)], ("new_theta", "new_v"))
    'It returns (new_v, new_theta): the order is (new_theta, new_v).'
    """
    for order in itertools.permutations(range(len(names))):
        if order != tuple(range(len(names))) and all(
                out is not None and all(close(out[i], right[k]) for i, k in enumerate(order))
                for out, right in zip(outs, rights)):
            return f"It returns ({', '.join(names[k] for k in order)}): the order is ({', '.join(names)})."
    return None


def first_wrong(label, out, right, names, order=None):
    """The message for the first of the outputs (in ``order``) that differs from the right one, else None.

    >>> first_wrong("f()", (np.array([1.0]), np.array([np.nan])), (np.array([1.0]), np.array([2.0])), ("a", "b"))
    'f() returned b = [nan], which is not finite: look for a division by zero or the square root of a negative number.'
    """
    for k in (range(len(names)) if order is None else order):
        if close(out[k], right[k]):
            continue
        if not np.isfinite(out[k]).all():
            return (f"{label} returned {names[k]} = {fmt(out[k])}, which is not finite: look for a division by zero "
                    "or the square root of a negative number.")
        return f"{label} returned {names[k]} = {fmt(out[k])}; expected {fmt(right[k])}."
    return None


def check_cases(student, cases, reference, mistakes=(), *, success, label, mismatch=None, rtol=RTOL, atol=ATOL):
    """Run ``student`` on every case, compare with ``reference``, name the mistake, report.

    Parameters
    ----------
    student : the student's function.
    cases : a list of argument tuples. Choose them so that each mistake gives a different answer.
    reference : the right implementation, called as ``reference(*case)``.
    mistakes : ``(wrong implementation, message)`` pairs: the plausible mistakes and what each deserves
        to hear. The first one that matches the student's output on *every* case is reported
        (one case alone can fit two mistakes); a partial match is not a diagnosis.
    success : the message when every output is right.
    label : ``label(*case)`` names a call in messages, e.g. ``"step(x=[1., 2.], lr=0.1)"``.
    mismatch : ``mismatch(case, out, right)``, the message for a wrong value that no mistake explains;
        by default ``"<label> returned <out>; expected <right>."``.
    rtol, atol : the tolerances of :func:`close`.

    Returns the :class:`Feedback` (truthy if right), after printing it. In order, it reports a call
    that fails (raises, returns None, changes its input), success, a named mistake, then the first
    wrong case: not numbers, the wrong shape, NaN or inf, or a wrong value.

    >>> check = lambda f: check_cases(f, [(1.0, 0.5), (2.0, 4.0)], lambda x, g: x - g,
    ...     [(lambda x, g: x + g, "It moves uphill: it adds the gradient.")],
    ...     success="step is correct.", label=lambda x, g: f"step(x={x}, g={g})")
    >>> _ = check(lambda x, g: x - g)
    ✔ step is correct.
    >>> _ = check(lambda x, g: x + g)
    ✘ It moves uphill: it adds the gradient.
    >>> _ = check(lambda x, g: x + g if x == 1 else x - g)
    ✘ step(x=1.0, g=0.5) returned 1.5; expected 0.5.
    >>> _ = check(lambda x, g: [x - g, x - g])
    ✘ step(x=1.0, g=0.5) returned an array of shape (2,); expected a single number.
    """
    outs = []
    for case in cases:
        out, problem = run(student, *case)
        if problem:
            return report(False, f"{label(*case)}: {problem}")
        outs.append(out)
    rights = [reference(*case) for case in cases]
    if all(close(o, r, rtol, atol) for o, r in zip(outs, rights)):
        return report(True, success)
    for wrong, message in mistakes:
        if all(close(o, wrong(*c), rtol, atol) for o, c in zip(outs, cases)):
            return report(False, message)
    case, out, right = next((c, o, r) for c, o, r in zip(cases, outs, rights) if not close(o, r, rtol, atol))
    arr, want = floats(out), floats(right)
    if arr is None:
        return report(False, f"{label(*case)} returned {fmt(out)}, which is not a number or an array of numbers.")
    if arr.shape != want.shape:
        return report(False, f"{label(*case)} returned {_shape(arr.shape)}; expected {_shape(want.shape)}.")
    if not np.isfinite(arr).all() and np.isfinite(want).all():
        return report(False, f"{label(*case)} returned {fmt(out)}, which is not finite: look for a division by zero, "
                             "an overflow, or the log or square root of a negative number.")
    if mismatch is not None:
        return report(False, mismatch(case, out, right))
    return report(False, f"{label(*case)} returned {fmt(out)}; expected {fmt(right)}.")
