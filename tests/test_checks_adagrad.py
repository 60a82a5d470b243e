"""Chapter 5's exercise checks (AdaGrad) recognise each typical mistake and say which it is."""
import math

import numpy as np
import pytest

import optlib
from optlib.checks import adagrad

STEP_OK = "✔ adagrad_step is correct: torch's accumulator and eps placement."
DISTANCE_OK = "✔ lr_for_distance is correct: the steps lr/√t add up to the distance."


def test_success_messages_fit_the_chapters_width():
    assert all(len(message) <= 80 for message in (STEP_OK, DISTANCE_OK))


def not_implemented(*args, **kwargs):
    raise NotImplementedError


# ---------------------------------------------------------------------------------------------------------------------
# adagrad_step: right answers

def adagrad_step(theta, s, grad, lr, eps=1e-10):
    new_s = s + grad ** 2
    return theta - lr * grad / (np.sqrt(new_s) + eps), new_s


def step_with_ufuncs(theta, s, grad, lr, eps=1e-10):
    new_s = np.add(s, np.square(grad))
    return np.subtract(theta, np.multiply(lr, np.divide(grad, np.add(np.sqrt(new_s), eps)))), new_s


def step_with_copies(theta, s, grad, lr, eps=1e-10):
    # torch's own way: update a copy of the state in place, and a new array for theta.
    new_s = np.copy(s)
    new_s += grad * grad
    denom = np.sqrt(new_s)
    denom += eps
    new_theta = theta.copy()
    new_theta -= lr * grad / denom
    return new_theta, new_s


def step_as_list(theta, s, grad, lr, eps=1e-10):
    theta, new_s = adagrad_step(theta, s, grad, lr, eps)
    return [list(theta), list(new_s)]


def step_stacked(theta, s, grad, lr, eps=1e-10):
    return np.stack(adagrad_step(theta, s, grad, lr, eps))


@pytest.mark.parametrize("student", [adagrad_step, step_with_ufuncs, step_with_copies, step_as_list, step_stacked])
def test_adagrad_step_accepts_right_answers(student, capsys):
    feedback = adagrad.check_adagrad_step(student)
    assert feedback, feedback
    assert capsys.readouterr().out == STEP_OK + "\n"


# ---------------------------------------------------------------------------------------------------------------------
# adagrad_step: the mistakes

def with_rules(accumulate=lambda s, g: s + g ** 2,
               step=lambda theta, s, new_s, g, lr, eps: theta - lr * g / (np.sqrt(new_s) + eps)):
    """An adagrad_step made of an accumulator rule and a step rule (with the new accumulator)."""
    def student(theta, s, grad, lr, eps=1e-10):
        new_s = accumulate(s, grad)
        return step(theta, s, new_s, grad, lr, eps), new_s
    return student


def with_step(step):
    return with_rules(step=step)


def with_accumulator(accumulate):
    return with_rules(accumulate=accumulate)


def signed_accumulator(theta, s, grad, lr, eps=1e-10):
    new_s = s + grad
    with np.errstate(invalid="ignore"):  # its accumulator goes negative
        return theta - lr * grad / (np.sqrt(new_s) + eps), new_s


def scalar_accumulator(theta, s, grad, lr, eps=1e-10):
    new_s = np.sum(s) + np.sum(grad ** 2)
    return theta - lr * grad / (np.sqrt(new_s) + eps), new_s


def mutates_s(theta, s, grad, lr, eps=1e-10):
    s += grad ** 2
    return theta - lr * grad / (np.sqrt(s) + eps), s


def mutates_theta(theta, s, grad, lr, eps=1e-10):
    new_s = s + grad ** 2
    theta -= lr * grad / (np.sqrt(new_s) + eps)
    return theta, new_s


def no_eps_argument(theta, s, grad, lr):
    return adagrad_step(theta, s, grad, lr)


eps_inside = with_step(lambda theta, s, new_s, g, lr, eps: theta - lr * g / np.sqrt(new_s + eps))
no_eps = with_step(lambda theta, s, new_s, g, lr, eps: theta - lr * g / np.sqrt(new_s))
old_s = with_step(lambda theta, s, new_s, g, lr, eps: theta - lr * g / (np.sqrt(s) + eps))
no_root = with_step(lambda theta, s, new_s, g, lr, eps: theta - lr * g / (new_s + eps))
norm = with_step(lambda theta, s, new_s, g, lr, eps: theta - lr * g / (np.sqrt(np.sum(new_s)) + eps))
uphill = with_step(lambda theta, s, new_s, g, lr, eps: theta + lr * g / (np.sqrt(new_s) + eps))
no_lr = with_step(lambda theta, s, new_s, g, lr, eps: theta - g / (np.sqrt(new_s) + eps))
abs_accumulator = with_accumulator(lambda s, g: s + np.abs(g))
overwrites = with_accumulator(lambda s, g: g ** 2)
unchanged = with_rules(accumulate=lambda s, g: s,
                       step=lambda theta, s, new_s, g, lr, eps: theta - lr * g / (np.sqrt(s + g ** 2) + eps))
shared = with_accumulator(lambda s, g: s + np.sum(g ** 2))
shared_mean = with_accumulator(lambda s, g: s + np.mean(g ** 2))
shared_total = with_accumulator(lambda s, g: np.full_like(s, np.sum(s) + np.sum(g ** 2)))

STEP_FORMULA = ("sqrt(new_s) + eps", "sqrt(new_s)+eps", "/ np.sqrt", "/np.sqrt", "np.sqrt(", "s + grad ** 2",
                "s + grad**2", "s + g²", "s + g^2", "√s + ε", "√(s) + ε", "(√s + ε)", "lr * grad /")

# The mistakes that have a message of their own, each with the fragment of its message.
STEP_MISTAKES = [
    (eps_inside, "It puts eps inside the square root; torch's form adds it outside."),
    (no_eps, "It forgets eps"),
    (old_s, "It divides by the old accumulator: torch adds the new squared gradient first."),
    (no_root, "It divides by the accumulator itself, not by its square root."),
    (uphill, "Your step moves uphill"),
    (no_lr, "It applies no learning rate"),
    (abs_accumulator, "It accumulates the gradients, not their squares."),
    (overwrites, "It overwrites the accumulator: s must keep the sum of all squared gradients so far."),
    (unchanged, "It returns the accumulator unchanged"),
    (shared, "It shares one accumulator across coordinates: AdaGrad keeps one per coordinate, which is the point"),
]


@pytest.mark.parametrize(
    "student, fragment",
    STEP_MISTAKES + [
        (signed_accumulator, "It accumulates the gradients, not their squares."),
        (norm, "It shares one accumulator across coordinates"),
        (shared_mean, "It shares one accumulator across coordinates"),
        (shared_total, "It shares one accumulator across coordinates"),
        (scalar_accumulator, "It shares one accumulator across coordinates"),
        (lambda *args, **kwargs: adagrad_step(*args, **kwargs)[0], "It returns only new_theta: return the pair"),
        (lambda *args, **kwargs: adagrad_step(*args, **kwargs)[1], "It returns only the new accumulator"),
        (lambda *args, **kwargs: adagrad_step(*args, **kwargs)[::-1],
         "It returns (new_s, new_theta): the order is (new_theta, new_s)."),
        (lambda *args, **kwargs: adagrad_step(*args, **kwargs) + (1,), "returned 3 items; expected the pair"),
        (lambda theta, s, grad, lr, eps=1e-10: (adagrad_step(theta, s, grad, lr, eps)[0], None),
         "adagrad_step(theta=[ 1., -2.], s=[0., 0.], grad=[0.5, 4. ], lr=0.1) returned new_s = None, "
         "which is not an array of numbers."),
        (lambda *args, **kwargs: (adagrad_step(*args, **kwargs)[0], adagrad_step(*args, **kwargs)[1][:1]),
         "returned new_s as an array of shape (1,); expected an array of shape (2,), like theta."),
        (lambda *args, **kwargs: (adagrad_step(*args, **kwargs)[0] * np.nan, adagrad_step(*args, **kwargs)[1]),
         "returned new_theta = [nan, nan], which is not finite"),
        (lambda *args, **kwargs: "theta, s", "returned 'theta, s'; expected the pair (new_theta, new_s)."),
        (lambda *args, **kwargs: 1.0, "returned 1.; expected the pair (new_theta, new_s)."),
        (lambda theta, *args, **kwargs: theta + 1, "returned one array, [ 2., -1.]; expected the pair"),
        (with_step(lambda theta, s, new_s, g, lr, eps: theta - 2 * lr * g / (np.sqrt(new_s) + eps)),
         "adagrad_step(theta=[ 1., -2.], s=[0., 0.], grad=[0.5, 4. ], lr=0.1) returned new_theta = [ 0.8, -2.2]; "
         "expected [ 0.9, -2.1]."),
        (with_accumulator(lambda s, g: 0.9 * s + g ** 2),
         "adagrad_step(theta=[ 1., -2.], s=[ 0.25, 16.  ], grad=[-1. ,  2.5], lr=0.1) returned new_s = "
         "[ 1.225, 20.65 ]; expected [ 1.25, 22.25]."),
        (with_accumulator(lambda s, g: s - g ** 2), "returned new_s = [ -0.25, -16.  ]; expected [ 0.25, 16.  ]."),
        (mutates_s, "s=[0., 0.], grad=[0.5, 4. ], lr=0.1): it changed its input array in place"),
        (mutates_theta, "s=[0., 0.], grad=[0.5, 4. ], lr=0.1): it changed its input array in place"),
        (no_eps_argument, "eps=0.1): calling it raised TypeError"),
        (lambda *args, **kwargs: None, "returned None"),
        (lambda *args, **kwargs: 1 / 0, "raised ZeroDivisionError"),
        (not_implemented, "not implemented yet"),
    ],
)
def test_adagrad_step_diagnoses(student, fragment, capsys):
    feedback = adagrad.check_adagrad_step(student)
    assert not feedback and fragment in feedback.message, feedback
    assert not any(formula in feedback.message for formula in STEP_FORMULA), feedback
    out = capsys.readouterr().out
    assert out.startswith("✘ ") and out.count("\n") == 1


def test_adagrad_step_messages_do_not_give_the_formula():
    for _, message in adagrad._S_MISTAKES + adagrad._THETA_MISTAKES:
        assert not any(formula in message for formula in STEP_FORMULA), message


def test_adagrad_step_cases_tell_the_mistakes_apart():
    # Every named mistake gives another answer than the right one and than every other mistake.
    def answers(student):
        outs = [student(*case) for case in adagrad._STEP_CASES]
        return tuple(np.round(np.concatenate([o[0] for o in outs]), 9)), tuple(
            np.round(np.concatenate([o[1] for o in outs]), 9))

    right = answers(adagrad_step)
    seen = {}
    students = [student for student, _ in STEP_MISTAKES] + [signed_accumulator, norm, shared_mean, shared_total]
    with np.errstate(invalid="ignore"):
        for student in students:
            answer = answers(student)
            assert answer != right
            message = adagrad.check_adagrad_step(student).message
            assert seen.setdefault(answer, message) == message, message
    # The mistakes as the module has them, each apart from the right answer.
    cases = adagrad._STEP_CASES
    right_theta, right_s = zip(*(adagrad._adagrad_step(*case) for case in cases))
    for wrong, message in adagrad._S_MISTAKES:
        assert not all(np.allclose(wrong(c[1], c[2]), s) for c, s in zip(cases, right_s)), message
    for wrong, message in adagrad._THETA_MISTAKES:
        assert not all(np.allclose(wrong(c[0], c[1], s, c[2], c[3], c[4]), t)
                       for c, s, t in zip(cases, right_s, right_theta)), message
    # First and later steps; an eps large enough to matter and the default; a zero gradient where s is not 0.
    assert any(not s.any() for _, s, *_ in cases) and any(s.all() for _, s, *_ in cases)
    assert any(eps >= 0.1 for *_, eps in cases) and any(eps == 1e-10 for *_, eps in cases)
    assert any(((g == 0) & (s > 0)).any() for _, s, g, *_ in cases)
    assert {len(theta) for theta, *_ in cases} == {2, 3} and all(lr != 1 for *_, lr, _ in cases)


def test_adagrad_step_leaves_the_check_data_alone():
    before = [[np.copy(a) for a in case[:3]] for case in adagrad._STEP_CASES]
    adagrad.check_adagrad_step(mutates_s)
    adagrad.check_adagrad_step(mutates_theta)
    for case, saved in zip(adagrad._STEP_CASES, before):
        assert all(np.array_equal(a, b) for a, b in zip(case[:3], saved))


def test_adagrad_step_is_torchs_adagrad():
    # The reference is torch.optim.Adagrad's rule as optlib implements it: three steps, with a large eps.
    theta, grads = np.array([1.0, -2.0, 0.5]), [np.array([0.5, 4.0, 0.0]), np.array([-1.0, 2.5, 0.3]),
                                                np.array([0.2, 0.0, -0.7])]
    opt = optlib.adagrad(lr=0.1, eps=0.5)
    state = opt.init(theta)
    x, y, s = theta, theta, np.zeros(3)
    for g in grads:
        updates, state = opt.update(g, state)
        x = optlib.apply_updates(x, updates)
        y, s = adagrad._adagrad_step(y, s, g, 0.1, 0.5)
    assert np.allclose(x, y) and np.allclose(state.s, s)


# ---------------------------------------------------------------------------------------------------------------------
# lr_for_distance

def lr_for_distance(distance, steps):
    return distance / math.fsum(1 / math.sqrt(t) for t in range(1, steps + 1))


def lr_for_distance_numpy(distance, steps):
    return distance / np.sum(1 / np.sqrt(np.arange(1, steps + 1)))


def lr_for_distance_loop(distance, steps):
    lengths = []
    for t in range(1, steps + 1):
        lengths.append(t ** -0.5)
    return distance / math.fsum(lengths)


def root_sum(first, last):
    return sum(1 / math.sqrt(t) for t in range(first, last + 1))


def numpy_from_zero(distance, steps):
    return distance / np.sum(1 / np.sqrt(np.arange(0, steps)))  # 1/0 is inf in NumPy: the lr comes out 0


def numpy_to_steps_minus_one(distance, steps):
    return distance / np.sum(1 / np.sqrt(np.arange(1, steps)))  # an empty sum, 0.0, at steps=1: an infinite lr


def test_lr_for_distance_example():
    assert lr_for_distance(1.0, 1) == 1.0
    assert math.isclose(lr_for_distance(2.0, 100), 2 / 18.589603824784152)
    # The lr found takes AdaGrad, fed a constant gradient, exactly the distance.
    lr, x = lr_for_distance(0.5, 10), np.array([0.0])
    opt = optlib.adagrad(lr=lr, eps=0.0)
    state = opt.init(x)
    for _ in range(10):
        updates, state = opt.update(np.array([-3.0]), state)
        x = optlib.apply_updates(x, updates)
    assert math.isclose(x[0], 0.5)


@pytest.mark.parametrize("student", [lr_for_distance, lr_for_distance_numpy, lr_for_distance_loop])
def test_lr_for_distance_accepts_right_answers(student, capsys):
    assert adagrad.check_adagrad_lr_for_distance(student)
    assert capsys.readouterr().out == DISTANCE_OK + "\n"


DISTANCE_FORMULA = ("distance / sum", "distance/sum", "/ np.sqrt", "/np.sqrt", "/ sqrt(t)", "1/sqrt(t)",
                    "1 / sqrt(t)", "1/√t)", "Σ", "fsum", "range(1")

DISTANCE_MISTAKES = [
    (lambda d, n: d / (2 * math.sqrt(n)), "It uses the integral approximation of the sum"),
    (lambda d, n: d / math.sqrt(n), "It treats every step as if it were as short as the last one"),
    (lambda d, n: d / n, "It treats every step as lr long, as gradient descent with a unit gradient would: "
                         "AdaGrad's steps shrink."),
    (lambda d, n: d / sum(1 / t for t in range(1, n + 1)), "Its steps shrink like 1/t; AdaGrad's shrink like 1/√t."),
    (numpy_to_steps_minus_one, "It is off by one in the steps it counts: it leaves out the last step."),
    (lambda d, n: d / np.sum(1 / np.sqrt(np.arange(2, n + 1))),
     "It is off by one in the steps it counts: it leaves out the first step."),
    (lambda d, n: d / root_sum(1, n + 1), "It is off by one in the steps it counts: it counts one step too many."),
    (numpy_from_zero, "It is off by one in the steps it counts: a step t = 0"),
    (lambda d, n: d * root_sum(1, n), "It multiplies where it should divide."),
    (lambda d, n: root_sum(1, n) / d, "It has the ratio upside down"),
    (lambda d, n: d / sum(math.sqrt(t) for t in range(1, n + 1)), "Its steps grow like √t"),
]


@pytest.mark.parametrize(
    "student, fragment",
    DISTANCE_MISTAKES + [
        (lambda d, n: d / (2 * np.sqrt(n) - 1), "It uses the integral approximation of the sum"),
        (lambda d, n: d / (2 * math.sqrt(n) - 2), "It uses the integral approximation of the sum"),
        (lambda d, n: d / (2 * np.sqrt(n) - 2), "It uses the integral approximation of the sum"),
        (lambda d, n: d / (2 * math.sqrt(n + 1) - 2), "It uses the integral approximation of the sum"),
        (lambda d, n: d / root_sum(1, n - 1), "It is off by one in the steps it counts: it leaves out the last step."),
        (lambda d, n: d / root_sum(2, n), "It is off by one in the steps it counts: it leaves out the first step."),
        (lambda d, n: d / np.sum(1 / np.sqrt(np.arange(0, n + 1))), "It is off by one in the steps it counts"),
        (lambda d, n: d / root_sum(0, n),
         "lr_for_distance(distance=2.0, steps=100): calling it raised ZeroDivisionError: float division by zero "
         "(does it count a step t = 0?)"),
        (lambda d, n: -lr_for_distance(d, n),
         "lr_for_distance(distance=2.0, steps=100) returned -0.107587; a learning rate is positive "
         "(expected 0.107587)."),
        (lambda d, n: 1.01 * lr_for_distance(d, n),
         "lr_for_distance(distance=2.0, steps=100) returned 0.108663; with it AdaGrad would travel 2.02, not 2.0 "
         "(expected 0.107587)."),
        (lambda d, n: np.array([lr_for_distance(d, n)]), "returned an array of shape (1,); expected a single number"),
        (lambda d, n: math.inf, "not finite"),
        (lambda d, n: "small", "not a number"),
        (lambda d, n: None, "lr_for_distance(distance=2.0, steps=100): it returned None"),
        (lambda d, n: 1 / 0 if n == 10 else lr_for_distance(d, n),
         "lr_for_distance(distance=0.5, steps=10): calling it raised ZeroDivisionError"),
        (lambda d, n: d / 0 if n == 1 else 0.5,
         "lr_for_distance(distance=1.0, steps=1): calling it raised ZeroDivisionError"),
        (not_implemented, "not implemented yet"),
    ],
)
def test_lr_for_distance_diagnoses(student, fragment, capsys):
    feedback = adagrad.check_adagrad_lr_for_distance(student)
    assert not feedback and fragment in feedback.message, feedback
    assert not any(formula in feedback.message for formula in DISTANCE_FORMULA), feedback
    out = capsys.readouterr().out
    assert out.startswith("✘ ") and out.count("\n") == 1


def test_lr_for_distance_mistake_messages_do_not_give_the_formula():
    for _, message in adagrad._DISTANCE_MISTAKES:
        assert not any(formula in message for formula in DISTANCE_FORMULA), message


def test_lr_for_distance_cases_tell_the_mistakes_apart():
    cases = adagrad._DISTANCE_CASES
    right = tuple(round(lr_for_distance(*case), 9) for case in cases)
    answers = {}
    for wrong, message in adagrad._DISTANCE_MISTAKES:
        answer = tuple(round(wrong(*case), 9) for case in cases)
        assert answer != right, message
        assert answers.setdefault(answer, message) == message, message
    for student, fragment in DISTANCE_MISTAKES:  # the students above, as they would write them
        with np.errstate(divide="ignore"):
            answer = tuple(round(float(student(*case)), 9) for case in cases)
        assert answer != right, fragment
    assert (1.0, 1) in cases  # one step: the travel is exactly lr


# ---------------------------------------------------------------------------------------------------------------------

def test_the_module_is_imported_by_the_package_but_not_re_exported():
    assert optlib.checks.adagrad is adagrad
    assert not any(hasattr(optlib.checks, name) for name in adagrad.__all__)
    assert adagrad.__all__ == ["check_adagrad_step", "check_adagrad_lr_for_distance"]
