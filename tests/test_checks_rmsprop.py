"""Chapter 6's exercise checks (RMSprop) recognise each typical mistake and say which it is."""
import math

import numpy as np
import pytest

import optlib
from optlib.checks import rmsprop

STEP_OK = "✔ rmsprop_step is correct: torch's average of g², eps outside the root."
FIRST_OK = "✔ first_step is correct: RMSprop's first step is lr/√(1 - α), not lr."
WINDOW_OK = "✔ window is correct: an average over about 1/(1 - α) steps."


def test_success_messages_fit_the_chapters_width():
    assert all(len(message) <= 80 for message in (STEP_OK, FIRST_OK, WINDOW_OK))


def not_implemented(*args, **kwargs):
    raise NotImplementedError


# ---------------------------------------------------------------------------------------------------------------------
# rmsprop_step: right answers

def rmsprop_step(theta, v, grad, lr, alpha=0.99, eps=1e-8):
    new_v = alpha * v + (1 - alpha) * grad ** 2
    return theta - lr * grad / (np.sqrt(new_v) + eps), new_v


def step_with_ufuncs(theta, v, grad, lr, alpha=0.99, eps=1e-8):
    new_v = np.add(np.multiply(alpha, v), np.multiply(1 - alpha, np.square(grad)))
    return np.subtract(theta, np.multiply(lr, np.divide(grad, np.add(np.sqrt(new_v), eps)))), new_v


def step_with_copies(theta, v, grad, lr, alpha=0.99, eps=1e-8):
    # torch's own way: update a copy of the state in place (mul_, addcmul_), and a new array for theta.
    new_v = np.copy(v)
    new_v *= alpha
    new_v += (1 - alpha) * grad * grad
    denom = np.sqrt(new_v)
    denom += eps
    new_theta = theta.copy()
    new_theta -= lr * grad / denom
    return new_theta, new_v


def step_as_lerp(theta, v, grad, lr, alpha=0.99, eps=1e-8):
    # The average as a move of v towards grad², a fraction 1 - alpha of the way.
    new_v = v + (1 - alpha) * (grad ** 2 - v)
    return theta - lr * grad / (new_v ** 0.5 + eps), new_v


def step_as_list(theta, v, grad, lr, alpha=0.99, eps=1e-8):
    theta, new_v = rmsprop_step(theta, v, grad, lr, alpha, eps)
    return [list(theta), list(new_v)]


def step_stacked(theta, v, grad, lr, alpha=0.99, eps=1e-8):
    return np.stack(rmsprop_step(theta, v, grad, lr, alpha, eps))


@pytest.mark.parametrize("student", [rmsprop_step, step_with_ufuncs, step_with_copies, step_as_lerp, step_as_list,
                                     step_stacked])
def test_rmsprop_step_accepts_right_answers(student, capsys):
    feedback = rmsprop.check_rmsprop_step(student)
    assert feedback, feedback
    assert capsys.readouterr().out == STEP_OK + "\n"


# ---------------------------------------------------------------------------------------------------------------------
# rmsprop_step: the mistakes

def with_rules(average=lambda v, g, a: a * v + (1 - a) * g ** 2,
               step=lambda theta, v, new_v, g, lr, eps: theta - lr * g / (np.sqrt(new_v) + eps)):
    """An rmsprop_step made of an average rule and a step rule (with the new average)."""
    def student(theta, v, grad, lr, alpha=0.99, eps=1e-8):
        new_v = average(v, grad, alpha)
        with np.errstate(invalid="ignore", divide="ignore"):  # some wrong averages go negative, or stay 0
            return step(theta, v, new_v, grad, lr, eps), new_v
    return student


def with_step(step):
    return with_rules(step=step)


def with_average(average):
    return with_rules(average=average)


def scalar_average(theta, v, grad, lr, alpha=0.99, eps=1e-8):
    new_v = alpha * np.mean(v) + (1 - alpha) * np.mean(grad ** 2)
    return theta - lr * grad / (np.sqrt(new_v) + eps), new_v


def mutates_v(theta, v, grad, lr, alpha=0.99, eps=1e-8):
    v *= alpha
    v += (1 - alpha) * grad ** 2
    return theta - lr * grad / (np.sqrt(v) + eps), v


def mutates_theta(theta, v, grad, lr, alpha=0.99, eps=1e-8):
    new_v = alpha * v + (1 - alpha) * grad ** 2
    theta -= lr * grad / (np.sqrt(new_v) + eps)
    return theta, new_v


def no_eps_argument(theta, v, grad, lr, alpha=0.99):
    return rmsprop_step(theta, v, grad, lr, alpha)


def no_defaults(theta, v, grad, lr, alpha, eps):
    return rmsprop_step(theta, v, grad, lr, alpha, eps)


def keras_alpha(theta, v, grad, lr, alpha=0.9, eps=1e-8):
    return rmsprop_step(theta, v, grad, lr, alpha, eps)


def adagrads_eps(theta, v, grad, lr, alpha=0.99, eps=1e-10):
    return rmsprop_step(theta, v, grad, lr, alpha, eps)


def bias_corrected_first_step(theta, v, grad, lr, alpha=0.99, eps=1e-8):
    # As if t were known: Adam's correction, divided by 1 - alpha**t, with t = 1 when v is 0, else 2.
    new_v = alpha * v + (1 - alpha) * grad ** 2
    t = 1 if not v.any() else 2
    return theta - lr * grad / (np.sqrt(new_v / (1 - alpha ** t)) + eps), new_v


eps_inside = with_step(lambda theta, v, new_v, g, lr, eps: theta - lr * g / np.sqrt(new_v + eps))
no_eps = with_step(lambda theta, v, new_v, g, lr, eps: theta - lr * g / np.sqrt(new_v))
old_v = with_step(lambda theta, v, new_v, g, lr, eps: theta - lr * g / (np.sqrt(v) + eps))
no_root = with_step(lambda theta, v, new_v, g, lr, eps: theta - lr * g / (new_v + eps))
norm = with_step(lambda theta, v, new_v, g, lr, eps: theta - lr * g / (np.sqrt(np.sum(new_v)) + eps))
uphill = with_step(lambda theta, v, new_v, g, lr, eps: theta + lr * g / (np.sqrt(new_v) + eps))
no_lr = with_step(lambda theta, v, new_v, g, lr, eps: theta - g / (np.sqrt(new_v) + eps))
no_one_minus_alpha = with_average(lambda v, g, a: a * v + g ** 2)
swapped_weights = with_average(lambda v, g, a: (1 - a) * v + a * g ** 2)
no_square = with_average(lambda v, g, a: a * v + (1 - a) * g)
abs_average = with_average(lambda v, g, a: a * v + (1 - a) * np.abs(g))
squares_the_weight = with_average(lambda v, g, a: a * v + ((1 - a) * g) ** 2)
squares_the_average = with_average(lambda v, g, a: (a * v + (1 - a) * g) ** 2)
adagrad_sum = with_average(lambda v, g, a: v + g ** 2)
latest_only = with_average(lambda v, g, a: g ** 2)
drops_old_v = with_average(lambda v, g, a: (1 - a) * g ** 2)
unchanged = with_rules(average=lambda v, g, a: v,
                       step=lambda theta, v, new_v, g, lr, eps: theta - lr * g / (np.sqrt(v + g ** 2) + eps))
shared = with_average(lambda v, g, a: a * v + (1 - a) * np.mean(g ** 2))
shared_sum = with_average(lambda v, g, a: a * v + (1 - a) * np.sum(g ** 2))

STEP_FORMULA = ("(1 - alpha) * grad", "(1 - alpha)*grad", "(1-alpha)*grad", "(1 - alpha) * g", "(1 - α) g²",
                "(1 - α)g²", "alpha * v +", "alpha*v +", "α v +", "sqrt(new_v) + eps", "sqrt(new_v)+eps",
                "√v + ε", "(√v + ε)", "/ np.sqrt", "/np.sqrt", "np.sqrt(", "lr * grad /", "lr / sqrt",
                "1 / (1 - alpha)", "1/(1 - alpha)")

# The mistakes that have a message of their own, each with the fragment of its message.
STEP_MISTAKES = [
    (no_one_minus_alpha, "It forgets the (1 - alpha) on the new squared gradient: v is then a sum weighted"),
    (swapped_weights, "It swaps alpha and 1 - alpha: alpha is the weight of the past"),
    (no_square, "It averages the gradients, not their squares: the square is missing."),
    (abs_average, "It averages the gradients' sizes, not their squares."),
    (squares_the_weight, "The square is in the wrong place: it squares the weight of the new gradient"),
    (squares_the_average, "The square is in the wrong place: it squares the whole average"),
    (adagrad_sum, "It accumulates like AdaGrad: RMSprop forgets"),
    (latest_only, "It keeps only the latest squared gradient"),
    (drops_old_v, "It drops the old v"),
    (unchanged, "It returns v unchanged"),
    (shared, "It shares one average across coordinates: RMSprop keeps one per coordinate"),
    (eps_inside, "It puts eps inside the square root; torch's form adds it outside (Keras and optax put it inside)."),
    (no_eps, "It forgets eps"),
    (old_v, "It divides by the old average"),
    (no_root, "It divides by the average itself, not by its square root"),
    (uphill, "Your step moves uphill"),
    (no_lr, "It applies no learning rate"),
]


@pytest.mark.parametrize(
    "student, fragment",
    STEP_MISTAKES + [
        (shared_sum, "It shares one average across coordinates"),
        (norm, "It shares one average across coordinates"),
        (scalar_average, "It shares one average across coordinates"),
        (keras_alpha, "Its defaults are not the signature's"),
        (adagrads_eps, "Its defaults are not the signature's"),
        (lambda *args, **kwargs: rmsprop_step(*args, **kwargs)[0], "It returns only new_theta: return the pair"),
        (lambda *args, **kwargs: rmsprop_step(*args, **kwargs)[1], "It returns only the new average"),
        (lambda *args, **kwargs: rmsprop_step(*args, **kwargs)[::-1],
         "It returns (new_v, new_theta): the order is (new_theta, new_v)."),
        (lambda *args, **kwargs: rmsprop_step(*args, **kwargs) + (1,), "returned 3 items; expected the pair"),
        (lambda theta, v, grad, lr, alpha=0.99, eps=1e-8: (rmsprop_step(theta, v, grad, lr, alpha, eps)[0], None),
         "rmsprop_step(theta=[ 1.5, -2. ], v=[0., 0.], grad=[0.5, 4. ], lr=0.1) returned new_v = None, "
         "which is not an array of numbers."),
        (lambda *args, **kwargs: (rmsprop_step(*args, **kwargs)[0], rmsprop_step(*args, **kwargs)[1][:1]),
         "returned new_v as an array of shape (1,); expected an array of shape (2,), like theta."),
        (lambda *args, **kwargs: (rmsprop_step(*args, **kwargs)[0] * np.nan, rmsprop_step(*args, **kwargs)[1]),
         "returned new_theta = [nan, nan], which is not finite"),
        (lambda *args, **kwargs: "theta, v", "returned 'theta, v'; expected the pair (new_theta, new_v)."),
        (lambda *args, **kwargs: 1.0, "returned 1.; expected the pair (new_theta, new_v)."),
        (lambda theta, *args, **kwargs: theta + 1, "returned one array, [ 2.5, -1. ]; expected the pair"),
        (with_step(lambda theta, v, new_v, g, lr, eps: theta - 2 * lr * g / (np.sqrt(new_v) + eps)),
         "rmsprop_step(theta=[ 1.5, -2. ], v=[0., 0.], grad=[0.5, 4. ], lr=0.1) returned new_theta = [-0.5, -4. ]; "
         "expected [ 0.5, -3. ]."),
        (with_average(lambda v, g, a: a * v + (1 - a) * g ** 2 + 1e-3),
         "rmsprop_step(theta=[ 1.5, -2. ], v=[0., 0.], grad=[0.5, 4. ], lr=0.1) returned new_v = [0.0035, 0.161 ]; "
         "expected [0.0025, 0.16  ]."),
        (with_average(lambda v, g, a: a * v - (1 - a) * g ** 2), "returned new_v = [-0.0025, -0.16  ]; expected"),
        (bias_corrected_first_step, "returned new_theta = [ 1.4, -2.1]; expected [ 0.5, -3. ]."),
        (mutates_v, "v=[0., 0.], grad=[0.5, 4. ], lr=0.1): it changed its input array in place"),
        (mutates_theta, "v=[0., 0.], grad=[0.5, 4. ], lr=0.1): it changed its input array in place"),
        (no_eps_argument, "alpha=0.9, eps=0.1): calling it raised TypeError"),
        (no_defaults, "lr=0.1): calling it raised TypeError"),
        (lambda *args, **kwargs: None, "returned None"),
        (lambda *args, **kwargs: 1 / 0, "raised ZeroDivisionError"),
        (not_implemented, "not implemented yet"),
    ],
)
def test_rmsprop_step_diagnoses(student, fragment, capsys):
    with np.errstate(all="raise"):  # the check keeps NumPy quiet while it runs the student's code
        feedback = rmsprop.check_rmsprop_step(student)
    assert not feedback and fragment in feedback.message, feedback
    assert not any(formula in feedback.message for formula in STEP_FORMULA), feedback
    out = capsys.readouterr().out
    assert out.startswith("✘ ") and out.count("\n") == 1


def test_rmsprop_step_messages_do_not_give_the_formula():
    for _, message in rmsprop._V_MISTAKES + rmsprop._THETA_MISTAKES + [(None, rmsprop._DEFAULTS)]:
        assert not any(formula in message for formula in STEP_FORMULA), message


def test_rmsprop_step_cases_tell_the_mistakes_apart():
    # Every named mistake gives another answer than the right one and than every other mistake.
    def answers(student):
        outs = [student(*case[:4], alpha=case[4], eps=case[5]) for case in rmsprop._STEP_CASES]
        return tuple(np.round(np.concatenate([o[0] for o in outs]), 9)), tuple(
            np.round(np.concatenate([o[1] for o in outs]), 9))

    right = answers(rmsprop_step)
    seen = {}
    students = [student for student, _ in STEP_MISTAKES] + [shared_sum, norm]
    with np.errstate(invalid="ignore", divide="ignore"):
        for student in students:
            answer = answers(student)
            assert answer != right
            message = rmsprop.check_rmsprop_step(student).message
            assert seen.setdefault(answer, message) == message, message
    assert len(set(seen.values())) == len(STEP_MISTAKES)
    # The mistakes as the module has them, each apart from the right answer and from the others.
    cases = rmsprop._STEP_CASES
    right_theta, right_v = zip(*(rmsprop._rmsprop_step(*case) for case in cases))
    vs = [tuple(np.round(np.concatenate([wrong(c[1], c[2], c[4]) * np.ones_like(c[1]) for c in cases]), 9))
          for wrong, _ in rmsprop._V_MISTAKES]
    assert tuple(np.round(np.concatenate(right_v), 9)) not in vs and len(set(vs)) == len(vs)
    thetas = [tuple(np.round(np.concatenate([wrong(c[0], c[1], V, c[2], c[3], c[5]) for c, V in zip(cases, right_v)]),
                             6)) for wrong, _ in rmsprop._THETA_MISTAKES]
    assert tuple(np.round(np.concatenate(right_theta), 6)) not in thetas and len(set(thetas)) == len(thetas)


def test_rmsprop_step_cases_cover_the_chapter():
    cases = rmsprop._STEP_CASES
    # First and later steps; an eps large enough to matter and the default; a zero gradient where v is not 0.
    assert any(not v.any() for _, v, *_ in cases) and any(v.all() for _, v, *_ in cases)
    assert any(eps >= 0.1 for *_, eps in cases) and any(eps == 1e-8 for *_, eps in cases)
    assert any(((g == 0) & (v > 0)).any() for _, v, g, *_ in cases)
    assert {alpha for *_, alpha, _ in cases} >= {0.5, 0.9, 0.99}
    assert {len(theta) for theta, *_ in cases} == {2, 3} and all(lr != 1 for *_, lr, _, _ in cases)
    assert not any(np.isclose(rmsprop._rmsprop_step(*case)[1], 1).any() for case in cases)
    # alpha and eps are each left to their default in some case, and given in another.
    assert any(alpha == 0.99 for *_, alpha, _ in cases) and any(alpha != 0.99 for *_, alpha, _ in cases)
    assert any(eps == 1e-8 for *_, eps in cases) and any(eps != 1e-8 for *_, eps in cases)


def test_rmsprop_step_leaves_the_check_data_alone():
    before = [[np.copy(a) for a in case[:3]] for case in rmsprop._STEP_CASES]
    rmsprop.check_rmsprop_step(mutates_v)
    rmsprop.check_rmsprop_step(mutates_theta)
    for case, saved in zip(rmsprop._STEP_CASES, before):
        assert all(np.array_equal(a, b) for a, b in zip(case[:3], saved))


@pytest.mark.parametrize("alpha, eps", [(0.99, 1e-8), (0.9, 0.5), (0.5, 0.1)])
def test_rmsprop_step_is_torchs_rmsprop(alpha, eps):
    # The reference is torch.optim.RMSprop's rule as optlib implements it: three steps, with a zero gradient.
    theta, grads = np.array([1.0, -2.0, 0.5]), [np.array([0.5, 4.0, 0.0]), np.array([-1.0, 2.5, 0.3]),
                                                np.array([0.2, 0.0, -0.7])]
    opt = optlib.rmsprop(lr=0.1, alpha=alpha, eps=eps)
    state = opt.init(theta)
    x, y, v = theta, theta, np.zeros(3)
    for g in grads:
        updates, state = opt.update(g, state)
        x = optlib.apply_updates(x, updates)
        y, v = rmsprop._rmsprop_step(y, v, g, 0.1, alpha, eps)
    assert np.allclose(x, y) and np.allclose(state.v, v)


# ---------------------------------------------------------------------------------------------------------------------
# first_step

def first_step(lr, alpha, eps=0.0):
    return lr / math.sqrt(1 - alpha)


def first_step_numpy(lr, alpha, eps=0.0):
    return lr * (1 - alpha) ** -0.5


def first_step_simulated(lr, alpha, eps=0.0):
    # One step of RMSprop from v = 0, with a gradient of any size.
    g = 3.0
    v = (1 - alpha) * g ** 2
    return abs(lr * g / (np.sqrt(v) + eps))


def test_first_step_is_optlibs_first_step():
    for lr, alpha in rmsprop._FIRST_CASES:
        for g in (1e-3, 1.0, 1e3):
            opt = optlib.rmsprop(lr=lr, alpha=alpha, eps=0.0)
            updates, _ = opt.update(np.array([g, -g]), opt.init(np.zeros(2)))
            assert np.allclose(np.abs(updates), first_step(lr, alpha))


@pytest.mark.parametrize("student", [first_step, first_step_numpy, first_step_simulated])
def test_first_step_accepts_right_answers(student, capsys):
    assert rmsprop.check_first_step(student)
    assert capsys.readouterr().out == FIRST_OK + "\n"


FIRST_FORMULA = ("lr / sqrt", "lr/sqrt", "lr / √", "lr/√", "/ math.sqrt", "/ np.sqrt", "** -0.5", "**-0.5",
                 "sqrt(1 - alpha)", "√(1 - α)", "√(1 - alpha)")

FIRST_MISTAKES = [
    (lambda lr, alpha, eps=0.0: lr / (1 - alpha), "It forgets the square root"),
    (lambda lr, alpha, eps=0.0: lr * math.sqrt(1 - alpha), "It multiplies where it should divide."),
    (lambda lr, alpha, eps=0.0: lr,
     "That is the first step with Adam's bias correction (chapter 8); RMSprop has none"),
    (lambda lr, alpha, eps=0.0: lr / math.sqrt(alpha),
     "It uses alpha where 1 - alpha belongs: alpha weights the old v"),
    (lambda lr, alpha, eps=0.0: lr / alpha, "It uses alpha where 1 - alpha belongs (alpha weights the old v, which is "
                                            "0 at the first step), and it forgets the square root."),
    (lambda lr, alpha, eps=0.0: lr * (1 - alpha), "It multiplies where it should divide, and it forgets the square"),
]


@pytest.mark.parametrize(
    "student, fragment",
    FIRST_MISTAKES + [
        (lambda lr, alpha, eps=0.0: np.sqrt(lr / (1 - alpha)), "first_step(lr=0.01, alpha=0.99) returned 1 "
                                                                "(expected 0.1)."),
        (lambda lr, alpha, eps=0.0: -first_step(lr, alpha),
         "first_step(lr=0.01, alpha=0.99) returned -0.1; a step's length is positive (expected 0.1)."),
        (lambda lr, alpha, eps=0.0: lr / np.sqrt(alpha - 1), "first_step(lr=0.01, alpha=0.99) returned nan"),
        (lambda lr, alpha, eps=0.0: np.array([first_step(lr, alpha)]),
         "returned an array of shape (1,); expected a single number"),
        (lambda lr, alpha, eps=0.0: "large", "not a number"),
        (lambda lr, alpha: first_step(lr, alpha) if alpha != 0.5 else 1 / 0,
         "first_step(lr=1.0, alpha=0.5): calling it raised ZeroDivisionError"),
        (lambda lr, alpha, eps=0.0: None, "first_step(lr=0.01, alpha=0.99): it returned None"),
        (not_implemented, "not implemented yet"),
    ],
)
def test_first_step_diagnoses(student, fragment, capsys):
    with np.errstate(all="raise"):
        feedback = rmsprop.check_first_step(student)
    assert not feedback and fragment in feedback.message, feedback
    assert not any(formula in feedback.message for formula in FIRST_FORMULA), feedback
    out = capsys.readouterr().out
    assert out.startswith("✘ ") and out.count("\n") == 1


def test_first_step_mistake_messages_do_not_give_the_formula():
    for _, message in rmsprop._FIRST_MISTAKES:
        assert not any(formula in message for formula in FIRST_FORMULA), message


def test_first_step_cases_tell_the_mistakes_apart():
    cases = rmsprop._FIRST_CASES
    assert cases == [(0.01, 0.99), (0.1, 0.9), (1.0, 0.5), (0.001, 0.999)]
    right = tuple(round(first_step(*case), 9) for case in cases)
    answers = {}
    for wrong, message in rmsprop._FIRST_MISTAKES:
        answer = tuple(round(wrong(*case), 9) for case in cases)
        assert answer != right, message
        assert answers.setdefault(answer, message) == message, message
    for student, fragment in FIRST_MISTAKES:
        assert tuple(round(student(*case), 9) for case in cases) != right, fragment


# ---------------------------------------------------------------------------------------------------------------------
# window

def window(alpha):
    return 1 / (1 - alpha)


def window_numpy(alpha):
    return np.reciprocal(1.0 - np.float64(alpha))


def window_as_mean_age(alpha):
    # The mean age of the gradients, sum of k (1 - alpha) alpha^k, plus one.
    return alpha / (1 - alpha) + 1


def test_window_is_the_sum_of_the_decays():
    for (alpha,) in rmsprop._WINDOW_CASES:
        k = np.arange(200_000)
        assert math.isclose(np.sum(alpha ** k), window(alpha), rel_tol=1e-9)
        assert math.isclose(np.sum(k * (1 - alpha) * alpha ** k) + 1, window(alpha), rel_tol=1e-9)


@pytest.mark.parametrize("student", [window, window_numpy, window_as_mean_age])
def test_window_accepts_right_answers(student, capsys):
    assert rmsprop.check_window(student)
    assert capsys.readouterr().out == WINDOW_OK + "\n"


WINDOW_FORMULA = ("1 / (1 - alpha)", "1/(1 - alpha)", "1/(1-alpha)", "1 / (1 - α)", "1/(1 - α)", "1/(1-α)",
                  "(1 - α)^-1", "(1 - alpha) ** -1")

WINDOW_MISTAKES = [
    (lambda alpha: 1 / alpha, "That is 1/α, a slip found in well-known sources"),
    (lambda alpha: alpha / (1 - alpha), "It is off by one step"),
    (lambda alpha: 1 / (1 - alpha ** 2), "That is 1/(1 - α²): it squares α"),
    (lambda alpha: math.log(2) / -math.log(alpha), "That is the half-life, the steps for a weight to halve"),
    (lambda alpha: -1 / math.log(alpha), "That is the time constant"),
    (lambda alpha: 1 - alpha, "That is the weight of the newest gradient, a fraction, not a number of steps."),
]


@pytest.mark.parametrize(
    "student, fragment",
    WINDOW_MISTAKES + [
        (lambda alpha: math.log(0.5) / math.log(alpha), "That is the half-life"),
        (lambda alpha: np.log(0.5) / np.log(alpha), "That is the half-life"),
        (lambda alpha: 2 / (1 - alpha), "window(alpha=0.9) returned 20 (expected 10)."),
        (lambda alpha: -window(alpha), "window(alpha=0.9) returned -10; a window is a positive number of steps"),
        (lambda alpha: np.float64(alpha) / 0.0, "window(alpha=0.9) returned inf, which is not finite"),
        (lambda alpha: [window(alpha)], "returned an array of shape (1,); expected a single number"),
        (lambda alpha: None, "window(alpha=0.9): it returned None"),
        (lambda alpha: 1 / 0, "window(alpha=0.9): calling it raised ZeroDivisionError"),
        (not_implemented, "not implemented yet"),
    ],
)
def test_window_diagnoses(student, fragment, capsys):
    with np.errstate(all="raise"):
        feedback = rmsprop.check_window(student)
    assert not feedback and fragment in feedback.message, feedback
    assert not any(formula in feedback.message for formula in WINDOW_FORMULA), feedback
    out = capsys.readouterr().out
    assert out.startswith("✘ ") and out.count("\n") == 1


def test_window_mistake_messages_do_not_give_the_formula():
    for _, message in rmsprop._WINDOW_MISTAKES:
        assert not any(formula in message for formula in WINDOW_FORMULA), message


def test_window_cases_tell_the_mistakes_apart():
    cases = rmsprop._WINDOW_CASES
    assert sorted(alpha for (alpha,) in cases) == [0.5, 0.9, 0.99, 0.999]
    right = tuple(round(window(*case), 9) for case in cases)
    answers = {}
    for wrong, message in rmsprop._WINDOW_MISTAKES:
        answer = tuple(round(wrong(*case), 9) for case in cases)
        assert answer != right, message
        assert answers.setdefault(answer, message) == message, message


# ---------------------------------------------------------------------------------------------------------------------

def test_the_module_is_imported_by_the_package_but_not_re_exported():
    assert optlib.checks.rmsprop is rmsprop
    assert not any(hasattr(optlib.checks, name) for name in rmsprop.__all__)
    assert rmsprop.__all__ == ["check_rmsprop_step", "check_first_step", "check_window"]
