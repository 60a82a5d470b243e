"""Chapter 4's exercise checks (momentum) recognise each typical mistake and say which it is."""
import math

import numpy as np
import pytest

import optlib
from optlib.checks import momentum

STEP_OK = "✔ momentum_step is correct: torch's buffer, first step and dampening."
PAIR_OK = "✔ optimal_momentum is correct: the rate is (√κ - 1)/(√κ + 1)."
MAX_LR_OK = "✔ momentum_max_lr is correct: momentum is stable for larger steps than GD."


def test_success_messages_fit_the_chapters_width():
    assert all(len(message) <= 80 for message in (STEP_OK, PAIR_OK, MAX_LR_OK))


def not_implemented(*args, **kwargs):
    raise NotImplementedError


# ---------------------------------------------------------------------------------------------------------------------
# momentum_step: right answers

def momentum_step(theta, buf, grad, lr, beta, dampening=0.0):
    new_buf = grad if buf is None else beta * buf + (1 - dampening) * grad
    return theta - lr * new_buf, new_buf


def step_with_copies(theta, buf, grad, lr, beta, dampening=0.0):
    # torch's own way: clone the gradient at the first step, update a copy in place after, a new array for theta.
    if buf is None:
        new_buf = np.copy(grad)
    else:
        new_buf = np.copy(buf)
        new_buf *= beta
        new_buf += (1 - dampening) * grad
    new_theta = np.empty_like(theta)
    np.subtract(theta, lr * new_buf, out=new_theta)
    return new_theta, new_buf


def step_as_list(theta, buf, grad, lr, beta, dampening=0.0):
    b = np.asarray(grad) if buf is None else np.add(np.multiply(beta, buf), np.multiply(1 - dampening, grad))
    return [list(theta - lr * b), list(b)]


def step_stacked(theta, buf, grad, lr, beta, dampening=0.0):
    return np.stack(momentum_step(theta, buf, grad, lr, beta, dampening))


@pytest.mark.parametrize("student", [momentum_step, step_with_copies, step_as_list, step_stacked])
def test_momentum_step_accepts_right_answers(student, capsys):
    feedback = momentum.check_momentum_step(student)
    assert feedback, feedback
    assert capsys.readouterr().out == STEP_OK + "\n"


# ---------------------------------------------------------------------------------------------------------------------
# momentum_step: the mistakes

def with_buffer(buffer, step=lambda theta, b, grad, lr, beta: theta - lr * b):
    """A momentum_step made of a buffer rule (buf None at the first step) and a step rule."""
    def student(theta, buf, grad, lr, beta, dampening=0.0):
        b = buffer(buf, grad, lr, beta, dampening)
        return step(theta, b, grad, lr, beta), b
    return student


def torch_buffer(buf, grad, lr, beta, d):
    return grad if buf is None else beta * buf + (1 - d) * grad


def with_step(step):
    return with_buffer(torch_buffer, step)


def zeros_start(later):
    """A buffer rule that starts from a buffer of zeros: the first step follows the later steps' rule."""
    return lambda buf, grad, lr, beta, d: later(np.zeros_like(grad) if buf is None else buf, grad, lr, beta, d)


def torch_start(later):
    """A buffer rule that starts from the gradient itself, as torch does."""
    return lambda buf, grad, lr, beta, d: grad if buf is None else later(buf, grad, lr, beta, d)


no_lr = with_step(lambda theta, b, grad, lr, beta: theta - b)
lr_twice = with_step(lambda theta, b, grad, lr, beta: theta - lr * lr * b)
uphill = with_step(lambda theta, b, grad, lr, beta: theta + lr * b)
gradient_step = with_step(lambda theta, b, grad, lr, beta: theta - lr * grad)
nesterov = with_step(lambda theta, b, grad, lr, beta: theta - lr * (grad + beta * b))
velocity_buffer = lambda buf, grad, lr, beta, d: lr * grad if buf is None else beta * buf + lr * (1 - d) * grad
velocity = with_buffer(velocity_buffer, lambda theta, b, grad, lr, beta: theta - b)
velocity_undamped = with_buffer(lambda buf, grad, lr, beta, d: lr * grad if buf is None else beta * buf + lr * grad,
                                lambda theta, b, grad, lr, beta: theta - b)
velocity_from_zeros = with_buffer(zeros_start(lambda buf, grad, lr, beta, d: beta * buf + lr * (1 - d) * grad),
                                  lambda theta, b, grad, lr, beta: theta - b)
lr_twice_in_buffer = with_buffer(velocity_buffer)
forgets_buffer = with_buffer(lambda buf, grad, lr, beta, d: grad)
forgets_buffer_damped = with_buffer(lambda buf, grad, lr, beta, d: (1 - d) * grad)
dampens_first_step = with_buffer(zeros_start(lambda buf, grad, lr, beta, d: beta * buf + (1 - d) * grad))
ignores_dampening = with_buffer(torch_start(lambda buf, grad, lr, beta, d: beta * buf + grad))
dampening_kept = with_buffer(torch_start(lambda buf, grad, lr, beta, d: beta * buf + d * grad))
dampening_kept_from_zeros = with_buffer(zeros_start(lambda buf, grad, lr, beta, d: beta * buf + d * grad))
ema = with_buffer(torch_start(lambda buf, grad, lr, beta, d: beta * buf + (1 - beta) * grad))
ema_from_zeros = with_buffer(zeros_start(lambda buf, grad, lr, beta, d: beta * buf + (1 - beta) * grad))


def mutates_buf(theta, buf, grad, lr, beta, dampening=0.0):
    if buf is None:
        buf = grad.copy()
    else:
        buf *= beta
        buf += (1 - dampening) * grad
    return theta - lr * buf, buf


def mutates_theta(theta, buf, grad, lr, beta, dampening=0.0):
    new_buf = grad if buf is None else beta * buf + (1 - dampening) * grad
    theta -= lr * new_buf
    return theta, new_buf


def no_dampening_argument(theta, buf, grad, lr, beta):
    return momentum_step(theta, buf, grad, lr, beta)


STEP_FORMULA = ("beta * buf + (1 - dampening)", "beta*buf + (1-dampening)", "beta * buf + (1-dampening)",
                "β b + (1 - τ)", "βb + (1 - τ)", "theta - lr * new_buf", "theta - lr*new_buf", "θ - η b")

# The mistakes that have a message of their own, each with the fragment of its message.
STEP_MISTAKES = [
    (no_lr, "It applies no learning rate"),
    (lr_twice, "It applies the learning rate twice: theta moves by lr²"),
    (lr_twice_in_buffer, "It applies the learning rate twice: once in the buffer and again in the step"),
    (velocity, "Its buffer holds lr times what torch's holds: that is the velocity form v = γv + ηg, which gives "
               "the same iterates only while lr is constant"),
    (forgets_buffer, "It forgets the previous buffer"),
    (dampens_first_step, "It dampens the first step, where torch takes the gradient itself"),
    (ignores_dampening, "It ignores dampening"),
    (dampening_kept, "It multiplies the new gradient by dampening"),
    (uphill, "Your step moves uphill"),
    (ema, "It uses the EMA form, weighting the new gradient by (1 - beta): torch weights it by (1 - dampening)"),
    (gradient_step, "Its step uses the gradient, not the new buffer"),
    (nesterov, "That is Nesterov's step"),
]


@pytest.mark.parametrize(
    "student, fragment",
    STEP_MISTAKES + [
        (velocity_undamped, "the velocity form"),
        (velocity_from_zeros, "the velocity form"),
        (with_buffer(lambda buf, grad, lr, beta, d: lr * torch_buffer(buf, grad, lr, beta, d),
                     lambda theta, b, grad, lr, beta: theta - b), "Its buffer holds lr times what torch's holds"),
        (forgets_buffer_damped, "It forgets the previous buffer"),
        (dampening_kept_from_zeros, "It multiplies the new gradient by dampening"),
        (ema_from_zeros, "It uses the EMA form"),
        (lambda *args, **kwargs: momentum_step(*args, **kwargs)[0], "It returns only new_theta: return the pair"),
        (lambda *args, **kwargs: momentum_step(*args, **kwargs)[1], "It returns only the new buffer"),
        (lambda *args, **kwargs: momentum_step(*args, **kwargs)[::-1],
         "It returns (new_buf, new_theta): the order is (new_theta, new_buf)."),
        (lambda *args, **kwargs: momentum_step(*args, **kwargs) + (1,), "returned 3 items; expected the pair"),
        (lambda theta, buf, grad, lr, beta, dampening=0.0: (momentum_step(theta, buf, grad, lr, beta)[0], buf),
         "buf=None, grad=[0.5, 4. ], lr=0.1, beta=0.9) returned new_buf = None, which is not an array of numbers."),
        (lambda *args, **kwargs: (momentum_step(*args, **kwargs)[0], momentum_step(*args, **kwargs)[1][:1]),
         "returned new_buf as an array of shape (1,); expected an array of shape (2,), like theta."),
        (lambda *args, **kwargs: (momentum_step(*args, **kwargs)[0] * np.nan, momentum_step(*args, **kwargs)[1]),
         "returned new_theta = [nan, nan], which is not finite."),
        (lambda *args, **kwargs: "theta, buf", "returned 'theta, buf'; expected the pair (new_theta, new_buf)."),
        (lambda *args, **kwargs: 1.0, "returned 1.; expected the pair (new_theta, new_buf)."),
        (lambda theta, *args, **kwargs: theta + 1, "returned one array, [ 2., -1.]; expected the pair"),
        (with_step(lambda theta, b, grad, lr, beta: theta - 2 * lr * b),
         "momentum_step(theta=[ 1., -2.], buf=None, grad=[0.5, 4. ], lr=0.1, beta=0.9) returned new_theta = "
         "[ 0.9, -2.8]; expected [ 0.95, -2.4 ]."),
        (with_buffer(torch_start(lambda buf, grad, lr, beta, d: beta ** 2 * buf + (1 - d) * grad)),
         "momentum_step(theta=[ 1., -2.], buf=[ 0.4, -1.5], grad=[-1. ,  2.5], lr=0.1, beta=0.9) returned new_buf = "
         "[-0.676,  1.285]; expected [-0.64,  1.15]."),
        (mutates_buf, "buf=[ 0.4, -1.5], grad=[-1. ,  2.5], lr=0.1, beta=0.9): it changed its input array in place"),
        (mutates_theta, "buf=None, grad=[0.5, 4. ], lr=0.1, beta=0.9): it changed its input array in place"),
        (no_dampening_argument, "dampening=0.3): calling it raised TypeError"),
        (lambda *args, **kwargs: None, "returned None"),
        (lambda *args, **kwargs: 1 / 0, "raised ZeroDivisionError"),
        (not_implemented, "not implemented yet"),
    ],
)
def test_momentum_step_diagnoses(student, fragment, capsys):
    feedback = momentum.check_momentum_step(student)
    assert not feedback and fragment in feedback.message, feedback
    assert not any(formula in feedback.message for formula in STEP_FORMULA), feedback
    out = capsys.readouterr().out
    assert out.startswith("✘ ") and out.count("\n") == 1


def test_momentum_step_messages_do_not_give_the_formula():
    messages = [m for _, m in momentum._BUFFER_MISTAKES + momentum._THETA_MISTAKES]
    for message in messages + [momentum._VELOCITY, momentum._TWICE_IN_BUFFER]:
        assert not any(formula in message for formula in STEP_FORMULA), message


def test_momentum_step_cases_tell_the_mistakes_apart():
    # Every named mistake gives another answer than the right one and than every other mistake, in theta and in
    # the buffer both where the mistake is about the buffer.
    def answers(student):
        outs = [student(*case) for case in momentum._STEP_CASES]
        return tuple(np.round(np.concatenate([o[0] for o in outs]), 9)), tuple(
            np.round(np.concatenate([o[1] for o in outs]), 9))

    right_theta, right_buf = answers(momentum_step)
    seen = {}
    for student, fragment in STEP_MISTAKES:
        theta, buf = answers(student)
        assert theta != right_theta, fragment
        assert seen.setdefault((theta, buf), fragment) == fragment, fragment
    for student in (velocity, lr_twice_in_buffer, dampens_first_step, ignores_dampening, dampening_kept, ema):
        assert answers(student)[0] != right_theta and answers(student)[1] != right_buf
    # First steps without and with dampening, later ones too; dampening never 1/2, beta never dampening or 1 - it.
    assert {(buf is None, d > 0) for _, buf, _, _, _, d in momentum._STEP_CASES} == {
        (True, False), (True, True), (False, False), (False, True)}
    assert all(d != 0.5 and beta not in (d, 1 - d) for *_, beta, d in momentum._STEP_CASES)


def test_momentum_step_leaves_the_check_data_alone():
    before = [[None if a is None else np.copy(a) for a in case[:3]] for case in momentum._STEP_CASES]
    momentum.check_momentum_step(mutates_buf)
    momentum.check_momentum_step(mutates_theta)
    for case, saved in zip(momentum._STEP_CASES, before):
        for a, b in zip(case[:3], saved):
            assert (a is None and b is None) or np.array_equal(a, b)


def test_momentum_step_is_torchs_sgd():
    # The reference is torch.optim.SGD's rule as optlib implements it: two steps, dampened from the second on.
    theta, g1, g2 = np.array([1.0, -2.0]), np.array([0.5, 4.0]), np.array([-1.0, 2.5])
    opt = optlib.sgd(lr=0.1, momentum=0.9, dampening=0.3)
    state = opt.init(theta)
    updates, state = opt.update(g1, state)
    x1 = optlib.apply_updates(theta, updates)
    updates, state = opt.update(g2, state)
    x2 = optlib.apply_updates(x1, updates)
    y1, b1 = momentum._momentum_step(theta, None, g1, 0.1, 0.9, 0.3)
    y2, b2 = momentum._momentum_step(y1, b1, g2, 0.1, 0.9, 0.3)
    assert np.allclose(x1, y1) and np.allclose(x2, y2) and np.allclose(state.b, b2)


# ---------------------------------------------------------------------------------------------------------------------
# optimal_momentum

def optimal_momentum(lam_min, lam_max):
    a, b = math.sqrt(lam_min), math.sqrt(lam_max)
    return 4 / (a + b) ** 2, ((b - a) / (b + a)) ** 2


def optimal_momentum_kappa(lam_min, lam_max):
    kappa = lam_max / lam_min
    rate = (np.sqrt(kappa) - 1) / (np.sqrt(kappa) + 1)
    return 4 / (lam_min * (1 + np.sqrt(kappa)) ** 2), rate ** 2


PAIR_FORMULA = ("4 /", "4/(", "sqrt(lam_min) + sqrt", "√λ_min + √λ_max", "(√κ - 1)/(√κ + 1)", "(√κ-1)/(√κ+1)",
                "√κ - 1", "(sqrt(kappa) - 1)")


def test_optimal_momentum_example():
    lr, beta = optimal_momentum(0.01, 1)
    assert math.isclose(lr, 3.305785123966942) and math.isclose(beta, 0.6694214876033057)
    assert math.isclose(math.sqrt(beta), 9 / 11)


def test_optimal_momentum_accepts_right_answers(capsys):
    assert momentum.check_optimal_momentum(optimal_momentum)
    assert momentum.check_optimal_momentum(optimal_momentum_kappa)
    assert momentum.check_optimal_momentum(lambda lo, hi: list(optimal_momentum(lo, hi)))
    assert momentum.check_optimal_momentum(lambda lo, hi: np.array(optimal_momentum(lo, hi)))
    assert capsys.readouterr().out.splitlines() == [PAIR_OK] * 4


def pair(lr=None, beta=None):
    """optimal_momentum with a wrong lr or beta, each a function of (lam_min, lam_max)."""
    return lambda lo, hi: ((lr or (lambda lo, hi: optimal_momentum(lo, hi)[0]))(lo, hi),
                           (beta or (lambda lo, hi: optimal_momentum(lo, hi)[1]))(lo, hi))


def rate(lo, hi):
    return (math.sqrt(hi) - math.sqrt(lo)) / (math.sqrt(hi) + math.sqrt(lo))


@pytest.mark.parametrize(
    "student, fragment",
    [
        (pair(beta=rate), "The beta it returns is the optimal rate, which is only the square root of the optimal β"),
        (pair(lr=lambda lo, hi: 2 / (lo + hi)), "Its lr is gradient descent's best learning rate"),
        (pair(lr=lambda lo, hi: 1 / (math.sqrt(lo) + math.sqrt(hi)) ** 2), "A slip in the constant of the learning"),
        (pair(lr=lambda lo, hi: 2 / (math.sqrt(lo) + math.sqrt(hi)) ** 2), "A slip in the constant of the learning"),
        (pair(beta=lambda lo, hi: ((hi / lo - 1) / (hi / lo + 1)) ** 2), "uses the condition number κ"),
        (lambda lo, hi: optimal_momentum(lo, hi)[::-1], "It returns (beta, lr): the order is (lr, beta)."),
        (pair(beta=lambda lo, hi: -rate(lo, hi) ** 2),
         "optimal_momentum(lam_min=0.01, lam_max=1.0) returned beta = -0.669421; a momentum β lies in [0, 1)"),
        (pair(beta=lambda lo, hi: rate(lo, hi) ** 3),
         "optimal_momentum(lam_min=0.01, lam_max=1.0) returned beta = 0.547708; expected 0.669421 (its lr is right)."),
        (pair(lr=lambda lo, hi: 3 / (math.sqrt(lo) + math.sqrt(hi)) ** 2),
         "returned lr = 2.47934; expected 3.30579 (its beta is right)."),
        (lambda lo, hi: (1.0, 0.5), "returned lr = 1, beta = 0.5; expected lr = 3.30579, beta = 0.669421."),
        (lambda lo, hi: optimal_momentum(lo, hi)[0], "returned a single number; expected a pair of numbers (lr, beta)"),
        (lambda lo, hi: optimal_momentum(lo, hi) + (0.0,), "returned an array of shape (3,); expected a pair"),
        (lambda lo, hi: ("lr", "beta"), "which is not a pair of numbers (lr, beta)"),
        (lambda lo, hi: (math.nan, 0.5), "which is not finite"),
        (lambda lo, hi: None, "returned None"),
        (lambda lo, hi: 1 / 0, "optimal_momentum(lam_min=0.01, lam_max=1.0): calling it raised ZeroDivisionError"),
        (not_implemented, "not implemented yet"),
    ],
)
def test_optimal_momentum_diagnoses(student, fragment, capsys):
    feedback = momentum.check_optimal_momentum(student)
    assert not feedback and fragment in feedback.message, feedback
    assert not any(formula in feedback.message for formula in PAIR_FORMULA), feedback
    out = capsys.readouterr().out
    assert out.startswith("✘ ") and out.count("\n") == 1


def test_optimal_momentum_mistake_messages_do_not_give_the_formula():
    for _, message in momentum._PAIR_MISTAKES:
        assert not any(formula in message for formula in PAIR_FORMULA), message


def test_optimal_momentum_cases_tell_the_mistakes_apart():
    cases = momentum._PAIR_CASES
    right = tuple(np.round(np.concatenate([optimal_momentum(*case) for case in cases]), 9))
    answers = {}
    for wrong, message in momentum._PAIR_MISTAKES:
        answer = tuple(np.round(np.concatenate([wrong(*case) for case in cases]), 9))
        assert answer != right, message
        assert answers.setdefault(answer, message) == message, message
    assert (1.0, 1.0) in cases  # κ = 1: beta = 0 and lr = 1/λ


def test_optimal_momentum_is_optimal():
    # On a grid of (lr, beta), none has a smaller worst-case rate over [lam_min, lam_max] than the answer.
    lo, hi = 0.2, 4.0
    lams = np.linspace(lo, hi, 201)

    def worst(lr, beta):
        return max(momentum._spectral_radius(lr, lam, beta) for lam in lams)

    lr, beta = optimal_momentum(lo, hi)
    best = worst(lr, beta)
    assert math.isclose(best, rate(lo, hi), rel_tol=1e-6)
    for dl in (0.9, 0.97, 1.03, 1.1):
        for db in (0.9, 1.0, 1.1):
            assert worst(lr * dl, beta * db) > best - 1e-9


# ---------------------------------------------------------------------------------------------------------------------
# momentum_max_lr

MAX_LR_FORMULA = ("2 + 2", "(2 + 2*beta)", "2 * (1 + beta)", "2*(1+beta)", "2(1 + β)", "(1 + β)/λ", "(1 + beta) / lam",
                  "(1 + beta)/lam", "(2 + 2β)")


def test_momentum_max_lr_accepts_right_answers(capsys):
    assert momentum.check_momentum_max_lr(lambda lam, beta: (2 + 2 * beta) / lam)
    assert momentum.check_momentum_max_lr(lambda lam, beta: 2 * (1 + beta) / lam)
    assert momentum.check_momentum_max_lr(lambda lam, beta: np.float64(2 + 2 * beta) / lam)
    assert capsys.readouterr().out.splitlines() == [MAX_LR_OK] * 3


@pytest.mark.parametrize(
    "student, fragment",
    [
        (lambda lam, beta: 2 / lam, "That is gradient descent's limit, 2/λ: it ignores beta"),
        (lambda lam, beta: (2 + beta) / lam, "A slip in how beta enters the limit"),
        (lambda lam, beta: 2 * (1 - beta) / lam, "It confuses the limit with the effective learning rate η/(1 - β)"),
        (lambda lam, beta: 2 / (lam * (1 - beta)), "It confuses the limit with the effective learning rate η/(1 - β)"),
        (lambda lam, beta: (1 + beta) / lam, "It is off by a factor of 2"),
        (lambda lam, beta: (2 + 2 * beta) * lam, "It multiplies by λ where it should divide"),
        (lambda lam, beta: 0.99 * (2 + 2 * beta) / lam,
         "momentum_max_lr(lam=4.0, beta=0.5) returned 0.7425; at that η heavy ball still converges (its rate is "),
        (lambda lam, beta: 1.01 * (2 + 2 * beta) / lam, "returned 0.7575; at that η heavy ball diverges"),
        (lambda lam, beta: -(2 + 2 * beta) / lam, "a learning rate is positive"),
        (lambda lam, beta: np.array([(2 + 2 * beta) / lam]), "returned an array of shape (1,)"),
        (lambda lam, beta: math.inf, "not finite"),
        (lambda lam, beta: "big", "not a number"),
        (lambda lam, beta: None, "returned None"),
        (lambda lam, beta: 1 / 0, "momentum_max_lr(lam=4.0, beta=0.5): calling it raised ZeroDivisionError"),
        (not_implemented, "not implemented yet"),
    ],
)
def test_momentum_max_lr_diagnoses(student, fragment, capsys):
    feedback = momentum.check_momentum_max_lr(student)
    assert not feedback and fragment in feedback.message, feedback
    assert not any(formula in feedback.message for formula in MAX_LR_FORMULA), feedback
    out = capsys.readouterr().out
    assert out.startswith("✘ ") and out.count("\n") == 1


def test_momentum_max_lr_mistake_messages_do_not_give_the_formula():
    for _, message in momentum._MAX_LR_MISTAKES:
        assert not any(formula in message for formula in MAX_LR_FORMULA), message


def test_momentum_max_lr_cases_tell_the_mistakes_apart():
    cases = momentum._MAX_LR_CASES
    right = tuple(round((2 + 2 * beta) / lam, 9) for lam, beta in cases)
    answers = {}
    for wrong, message in momentum._MAX_LR_MISTAKES:
        answer = tuple(round(wrong(*case), 9) for case in cases)
        assert answer != right, message
        assert answers.setdefault(answer, message) == message, message


def test_momentum_max_lr_is_the_edge_of_stability():
    for lam, beta in momentum._MAX_LR_CASES:
        edge = (2 + 2 * beta) / lam
        rho = [momentum._spectral_radius(f * edge, lam, beta) for f in (0.999, 1.001)]
        assert rho[0] < 1 < rho[1]


# ---------------------------------------------------------------------------------------------------------------------

def test_the_module_is_imported_by_the_package_but_not_re_exported():
    assert optlib.checks.momentum is momentum
    assert not any(hasattr(optlib.checks, name) for name in momentum.__all__)
    assert momentum.__all__ == ["check_momentum_step", "check_optimal_momentum", "check_momentum_max_lr"]
