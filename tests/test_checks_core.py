"""The shared core of the exercise checks: running the student's function,
comparing, naming a mistake only when it explains every case, reporting."""
import importlib
import pkgutil

import numpy as np
import pytest

import optlib
from optlib.checks import _core
from optlib.checks._core import Feedback, check_cases, close, floats, fmt, run

# A toy exercise: scale(x, c) -> c * x, on cases whose answers tell the mistakes apart.
CASES = [(np.array([1.0, -2.0]), 3.0), (np.array([0.5]), -2.0), (np.array([2.0, 4.0, -1.0]), 0.5)]
MISTAKES = [
    (lambda x, c: x + c, "It adds c to x; scale multiplies."),
    (lambda x, c: x / c, "It divides by c."),
]


def check_scale(student, **kw):
    return check_cases(
        student, CASES, lambda x, c: c * x, MISTAKES,
        success="scale is correct.", label=lambda x, c: f"scale(x={fmt(x)}, c={c})", **kw,
    )


def test_a_right_answer_passes_and_prints_one_line(capsys):
    feedback = check_scale(lambda x, c: c * x)
    assert feedback and feedback == Feedback(True, "scale is correct.")
    assert capsys.readouterr().out == "✔ scale is correct.\n"


def test_lists_and_rounding_are_accepted():
    assert check_scale(lambda x, c: [c * v for v in x])
    assert check_scale(lambda x, c: x * c * (1 + 1e-12))
    assert not check_scale(lambda x, c: x * c * (1 + 1e-6))
    assert check_scale(lambda x, c: x * c * (1 + 1e-6), rtol=1e-4)


def test_failure_is_falsy_and_printed_with_a_cross(capsys):
    feedback = check_scale(lambda x, c: x + c)
    assert not feedback
    assert repr(feedback) == "✘ It adds c to x; scale multiplies."
    assert capsys.readouterr().out == "✘ It adds c to x; scale multiplies.\n"


def test_a_mistake_is_named_only_if_it_explains_every_case():
    # Right on the first case, "adds c" on the others: no diagnosis, the first wrong case is shown.
    partly = lambda x, c: c * x if c == 3.0 else x + c
    assert partly(*CASES[1]).tolist() == MISTAKES[0][0](*CASES[1]).tolist()
    feedback = check_scale(partly)
    assert not feedback
    assert feedback.message == "scale(x=[0.5], c=-2.0) returned [-1.5]; expected [-1.]."


def test_one_case_that_fits_two_mistakes_does_not_decide():
    # On the first case "adds c" and "doubles c * x" give the same answer; the student
    # doubles everywhere, so only the second mistake explains every case.
    cases = [(np.array([1.0]), 1.0), (np.array([3.0]), 2.0)]
    mistakes = [(lambda x, c: x + c, "adds"), (lambda x, c: 2 * c * x, "doubles")]
    assert mistakes[0][0](*cases[0]) == mistakes[1][0](*cases[0])
    feedback = check_cases(lambda x, c: 2 * c * x, cases, lambda x, c: c * x, mistakes, success="", label=str)
    assert feedback.message == "doubles"


def test_the_first_mistake_that_explains_everything_wins():
    twice = [(lambda x, c: x + c, "first"), (lambda x, c: x + c, "second")]
    feedback = check_cases(lambda x, c: x + c, CASES, lambda x, c: c * x, twice, success="", label=str)
    assert feedback.message == "first"


@pytest.mark.parametrize(
    "student, message",
    [
        (lambda x, c: 1 / 0, "scale(x=[ 1., -2.], c=3.0): calling it raised ZeroDivisionError: division by zero"),
        (lambda x, c: None, "scale(x=[ 1., -2.], c=3.0): it returned None: did you forget `return`?"),
        (lambda x, c: np.ones(3), "scale(x=[ 1., -2.], c=3.0) returned an array of shape (3,); expected an array of shape (2,)."),
        (lambda x, c: (c * x).sum(), "scale(x=[ 1., -2.], c=3.0) returned a single number; expected an array of shape (2,)."),
        (lambda x, c: c * x[:, None], "scale(x=[ 1., -2.], c=3.0) returned an array of shape (2, 1); expected an array of shape (2,)."),
        (lambda x, c: np.full_like(x, np.nan),
         "scale(x=[ 1., -2.], c=3.0) returned [nan, nan], which is not finite: look for a division by zero, "
         "an overflow, or the log or square root of a negative number."),
        (lambda x, c: np.full_like(x, np.inf), "scale(x=[ 1., -2.], c=3.0) returned [inf, inf], which is not finite"),
        (lambda x, c: "c * x", "scale(x=[ 1., -2.], c=3.0) returned 'c * x', which is not a number or an array of numbers."),
        (lambda x, c: [[1.0], [1.0, 2.0]], "returned [[1.0], [1.0, 2.0]], which is not a number or an array of numbers."),
        (lambda x, c: (c * x).astype(complex), "which is not a number or an array of numbers."),
    ],
)
def test_what_goes_wrong_is_said(student, message):
    feedback = check_scale(student)
    assert not feedback
    assert message in feedback.message


def test_not_implemented_is_a_reminder_not_an_error():
    def student(x, c):
        raise NotImplementedError

    assert check_scale(student).message.endswith("not implemented yet: replace `raise NotImplementedError` with your code")


def test_changing_the_input_in_place_is_caught_and_the_cases_survive():
    before = [x.copy() for x, _ in CASES]

    def student(x, c):
        x *= c
        return x

    assert "changed its input array in place" in check_scale(student).message
    assert all(np.array_equal(x, b) for (x, _), b in zip(CASES, before))


def test_a_custom_mismatch_message_is_used_only_for_wrong_values():
    mismatch = lambda case, out, right: f"custom {fmt(out)} vs {fmt(right)}"
    assert check_scale(lambda x, c: c * x + 1, mismatch=mismatch).message == "custom [ 4., -5.] vs [ 3., -6.]"
    assert "shape" in check_scale(lambda x, c: np.ones(3), mismatch=mismatch).message
    assert check_scale(lambda x, c: x + c, mismatch=mismatch).message == MISTAKES[0][1]


def test_run_passes_copies_and_returns_the_output():
    x = np.array([1.0, 2.0])
    out, problem = run(lambda a: a, x)
    assert problem is None and np.array_equal(out, x) and out is not x
    assert run(lambda: 0.0) == (0.0, None)  # a falsy output is an output
    assert run(lambda a: a.missing, x)[1] == "calling it raised AttributeError: 'numpy.ndarray' object has no attribute 'missing'"


def test_floats_close_and_fmt():
    assert floats(3).shape == () and floats([True, False]).dtype == float
    assert floats(None) is None and floats({"a": 1}) is None and floats(1 + 2j) is None
    assert close([1.0, 2.0], np.array([1.0, 2.0]))
    assert not close([1.0], 1.0)  # shapes must agree
    assert not close(np.nan, np.nan)
    assert not close("1", 1.0)
    assert close(np.inf, np.inf)
    assert fmt(np.eye(2)) == "[[1., 0.], [0., 1.]]"
    assert fmt([1, 2 / 3]) == "[1.    , 0.6667]"
    assert fmt({"a": 1}) == "{'a': 1}"
    assert (_core.RTOL, _core.ATOL) == (1e-9, 1e-12)


def test_chapter_modules_are_importable_and_imported_by_the_package():
    # Every chapter module under optlib/checks/ is imported by optlib.checks, so
    # `import optlib` is enough for `optlib.checks.<chapter>.check_...` in a notebook.
    chapters = [m.name for m in pkgutil.iter_modules(optlib.checks.__path__) if not m.name.startswith("_")]
    assert "gradient_descent" in chapters
    for name in chapters:
        module = importlib.import_module(f"optlib.checks.{name}")
        assert getattr(optlib.checks, name) is module, f"add `from . import {name}` to optlib/checks/__init__.py"
        assert module.__doc__, f"optlib.checks.{name} needs a docstring"
        for check in module.__all__:
            assert check.startswith("check_") and ">>>" in getattr(module, check).__doc__, check


def test_chapter_one_is_still_at_the_top_level():
    from optlib.checks import gradient_descent

    for name in gradient_descent.__all__:
        assert getattr(optlib.checks, name) is getattr(gradient_descent, name)
    assert optlib.checks.Feedback is Feedback
