"""The exercise checks recognise each typical mistake and say which it is."""
import numpy as np
import pytest

from optlib import checks


def mutating_step(x, g, lr):
    x -= lr * g
    return x


def not_implemented(*args):
    raise NotImplementedError


@pytest.mark.parametrize(
    "student, fragment",
    [
        (lambda x, g, lr: x + lr * g, "moves uphill"),
        (lambda x, g, lr: x - g, "learning rate is missing"),
        (lambda x, g, lr: x - lr * lr * g, "applied twice"),
        (lambda x, g, lr: x - g / lr, "divides the gradient by the learning rate"),
        (lambda x, g, lr: -lr * g, "not the new point"),
        (lambda x, g, lr: x - lr * g / np.linalg.norm(g), "normalises the gradient"),
        (lambda x, g, lr: x - lr * np.sign(g), "sign(grad)"),
        (mutating_step, "changed its input array in place"),
        (lambda x, g, lr: None, "returned None"),
        (not_implemented, "not implemented yet"),
        (lambda x, g, lr: x - lr * g[::-1], "expected"),
        (lambda x, g, lr: 1 / 0, "raised ZeroDivisionError"),
        (lambda x, g, lr: (x - lr * g) * np.nan, "[nan, nan], which is not finite"),
        (lambda x, g, lr: (x - lr * g)[:1], "returned an array of shape (1,); expected an array of shape (2,)"),
        (lambda x, g, lr: "x - lr * grad", "not a number or an array of numbers"),
    ],
)
def test_gd_step_diagnoses(student, fragment, capsys):
    feedback = checks.check_gd_step(student)
    assert not feedback
    assert fragment in feedback.message
    assert capsys.readouterr().out.startswith("✘ ")


def test_gd_step_accepts_right_answers(capsys):
    assert checks.check_gd_step(lambda x, g, lr: x - lr * g)
    assert checks.check_gd_step(lambda x, g, lr: np.subtract(x, np.multiply(lr, g)))
    assert capsys.readouterr().out.startswith("✔ ")


def right_gd(grad, x0, lr, steps):
    xs = [np.asarray(x0, dtype=float)]
    for _ in range(steps):
        xs.append(xs[-1] - lr * grad(xs[-1]))
    return np.array(xs)


@pytest.mark.parametrize(
    "student, fragment",
    [
        (lambda grad, x0, lr, steps: right_gd(grad, x0, lr, steps)[1:], "without x0"),
        (lambda grad, x0, lr, steps: right_gd(grad, x0, lr, steps + 1), "Off by one"),
        (lambda grad, x0, lr, steps: right_gd(grad, x0, lr, steps)[-1], "only the final point"),
        (lambda grad, x0, lr, steps: np.array([x0 - lr * k * grad(x0) for k in range(steps + 1)]), "gradient at x0"),
        (lambda grad, x0, lr, steps: right_gd(lambda x: -grad(x), x0, lr, steps), "uphill"),
        (lambda grad, x0, lr, steps: right_gd(grad, x0, lr * 1.01, steps), "Row 1 is"),
        (lambda grad, x0, lr, steps: right_gd(grad, x0, lr, steps).T, "shape (2, 21)"),
        (lambda grad, x0, lr, steps: right_gd(grad, x0, lr, steps) * np.nan, "Row 0 is [nan, nan]"),
        (lambda grad, x0, lr, steps: [x0, [1.0]], "not an array of numbers"),
        (lambda grad, x0, lr, steps: 1 / 0, "steps=20): calling it raised ZeroDivisionError"),
    ],
)
def test_gradient_descent_diagnoses(student, fragment):
    feedback = checks.check_gradient_descent(student)
    assert not feedback and fragment in feedback.message, feedback


def test_gradient_descent_accepts_the_right_answer():
    assert checks.check_gradient_descent(right_gd)


eig = np.linalg.eigvalsh


@pytest.mark.parametrize(
    "student, fragment",
    [
        (lambda A: 1 / eig(A).max(), "1 / λ_max"),
        (lambda A: 2 / eig(A).min(), "uses λ_min"),
        (lambda A: 2 / (eig(A).min() + eig(A).max()), "best learning rate"),
        (lambda A: 2 / np.trace(A), "trace"),
        (lambda A: 2 / np.abs(A).max(), "largest entry"),
        (lambda A: 0.1, "expected"),
        (lambda A: 2 / eig(A).max() if A[0, 1] == 0 else 0.5, "For A = [[2., 1.], [1., 3.]] it returned 0.5; expected 0.552786."),
        (lambda A: 2 / eig(A), "returned an array of shape (2,); expected a single number"),
        (lambda A: np.inf, "stable_lr(A) for A = [[0.2, 0. ], [0. , 4. ]] returned inf, which is not finite"),
    ],
)
def test_stable_lr_diagnoses(student, fragment):
    feedback = checks.check_stable_lr(student)
    assert not feedback and fragment in feedback.message, feedback


@pytest.mark.parametrize(
    "student, fragment",
    [
        (lambda A: 1 / eig(A).max(), "optimal only for the steepest"),
        (lambda A: 1 / eig(A).min(), "steepest one diverge"),
        (lambda A: 2 / eig(A).max(), "edge of stability"),
        (lambda A: 1 / np.mean(eig(A)), "mean"),
    ],
)
def test_optimal_lr_diagnoses(student, fragment):
    feedback = checks.check_optimal_lr(student)
    assert not feedback and fragment in feedback.message, feedback


def test_right_answers_pass():
    assert checks.check_stable_lr(lambda A: 2 / eig(A).max())
    assert checks.check_optimal_lr(lambda A: 2 / (eig(A).min() + eig(A).max()))


def test_right_answers_print_the_chapters_messages(capsys):
    # The chapter's committed outputs show these lines; nbval compares them byte for byte.
    checks.check_gd_step(lambda x, g, lr: x - lr * g)
    checks.check_gradient_descent(right_gd)
    checks.check_stable_lr(lambda A: 2 / eig(A).max())
    checks.check_optimal_lr(lambda A: 2 / (eig(A).min() + eig(A).max()))
    assert capsys.readouterr().out.splitlines() == [
        "✔ gd_step is correct: x_new = x - lr * grad.",
        "✔ gradient_descent is correct: 21 rows for 20 steps, each from the one before.",
        "✔ stable_lr is correct: 2 / λ_max.",
        "✔ optimal_lr is correct: 2 / (λ_min + λ_max) balances the extreme directions.",
    ]


def test_chapter_module_is_the_same_as_the_top_level():
    from optlib.checks import gradient_descent

    assert checks.check_gd_step is gradient_descent.check_gd_step
