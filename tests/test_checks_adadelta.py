"""Chapter 7's exercise checks (Adadelta) recognise each typical mistake and say which it is."""
import math

import numpy as np
import pytest

import optlib
from optlib.checks import adadelta

STEP_OK = "✔ adadelta_step is correct: both averages, and u without lr, as torch."
INITIAL_OK = "✔ initial_step is correct: eps, not a learning rate, sets the first step."


def test_success_messages_fit_the_chapters_width():
    assert all(len(message) <= 80 for message in (STEP_OK, INITIAL_OK))


def not_implemented(*args, **kwargs):
    raise NotImplementedError


# ---------------------------------------------------------------------------------------------------------------------
# adadelta_step: right answers

def adadelta_step(theta, v, u, grad, lr=1.0, rho=0.9, eps=1e-6):
    new_v = rho * v + (1 - rho) * grad ** 2
    delta = np.sqrt(u + eps) / np.sqrt(new_v + eps) * grad
    new_u = rho * u + (1 - rho) * delta ** 2
    return theta - lr * delta, new_v, new_u


def step_with_ratio(theta, v, u, grad, lr=1.0, rho=0.9, eps=1e-6):
    # One root of the ratio, not a ratio of roots.
    new_v = rho * v + (1 - rho) * grad * grad
    delta = np.sqrt((u + eps) / (new_v + eps)) * grad
    return theta - lr * delta, new_v, rho * u + (1 - rho) * delta * delta


def step_with_copies(theta, v, u, grad, lr=1.0, rho=0.9, eps=1e-6):
    # torch's own way: update copies of the state in place (mul_, addcmul_, sqrt_), and a new array for theta.
    new_v, new_u, new_theta = v.copy(), u.copy(), theta.copy()
    new_v *= rho
    new_v += (1 - rho) * grad * grad
    std = new_v + eps
    np.sqrt(std, out=std)
    delta = u + eps
    np.sqrt(delta, out=delta)
    delta /= std
    delta *= grad
    new_u *= rho
    new_u += (1 - rho) * delta * delta
    new_theta -= lr * delta
    return new_theta, new_v, new_u


def step_as_lerp(theta, v, u, grad, lr=1.0, rho=0.9, eps=1e-6):
    # Each average as a move towards the new square, a fraction 1 - rho of the way; the roots as powers.
    new_v = v + (1 - rho) * (grad ** 2 - v)
    delta = (u + eps) ** 0.5 * (new_v + eps) ** -0.5 * grad
    return theta - lr * delta, new_v, u + (1 - rho) * (delta ** 2 - u)


def step_as_list(theta, v, u, grad, lr=1.0, rho=0.9, eps=1e-6):
    return [list(a) for a in adadelta_step(theta, v, u, grad, lr, rho, eps)]


def step_stacked(theta, v, u, grad, lr=1.0, rho=0.9, eps=1e-6):
    return np.stack(adadelta_step(theta, v, u, grad, lr, rho, eps))


@pytest.mark.parametrize("student", [adadelta_step, step_with_ratio, step_with_copies, step_as_lerp, step_as_list,
                                     step_stacked])
def test_adadelta_step_accepts_right_answers(student, capsys):
    feedback = adadelta.check_adadelta_step(student)
    assert feedback, feedback
    assert capsys.readouterr().out == STEP_OK + "\n"


# ---------------------------------------------------------------------------------------------------------------------
# adadelta_step: the mistakes

def with_rules(average_v=lambda v, g, rho: rho * v + (1 - rho) * g ** 2,
               update=lambda u, v, new_v, g, eps: np.sqrt(u + eps) / np.sqrt(new_v + eps) * g,
               average_u=lambda u, delta, g, lr, rho: rho * u + (1 - rho) * delta ** 2,
               move=lambda theta, delta, lr: theta - lr * delta):
    """An adadelta_step made of four rules: the average v, the update (with the new v), the average u, the move."""
    def student(theta, v, u, grad, lr=1.0, rho=0.9, eps=1e-6):
        new_v = average_v(v, grad, rho)
        with np.errstate(invalid="ignore", divide="ignore"):  # some wrong updates divide by 0
            delta = update(u, v, new_v, grad, eps)
        return move(theta, delta, lr), new_v, average_u(u, delta, grad, lr, rho)
    return student


def u_first(theta, v, u, grad, lr=1.0, rho=0.9, eps=1e-6):
    new_v = rho * v + (1 - rho) * grad ** 2
    new_u = rho * u + (1 - rho) * grad ** 2
    delta = np.sqrt(new_u + eps) / np.sqrt(new_v + eps) * grad
    return theta - lr * delta, new_v, new_u


def u_first_then_delta(theta, v, u, grad, lr=1.0, rho=0.9, eps=1e-6):
    new_v = rho * v + (1 - rho) * grad ** 2
    new_u = rho * u + (1 - rho) * grad ** 2
    delta = np.sqrt(new_u + eps) / np.sqrt(new_v + eps) * grad
    new_u = rho * u + (1 - rho) * delta ** 2
    return theta - lr * delta, new_v, new_u


def new_u_in_move(theta, v, u, grad, lr=1.0, rho=0.9, eps=1e-6):
    new_v = rho * v + (1 - rho) * grad ** 2
    delta = np.sqrt(u + eps) / np.sqrt(new_v + eps) * grad
    new_u = rho * u + (1 - rho) * delta ** 2
    return theta - lr * np.sqrt(new_u + eps) / np.sqrt(new_v + eps) * grad, new_v, new_u


def lr_in_update(theta, v, u, grad, lr=1.0, rho=0.9, eps=1e-6):
    # The update scaled by lr first, then both accumulated and applied: theta is right, u is not.
    new_v = rho * v + (1 - rho) * grad ** 2
    delta = lr * np.sqrt(u + eps) / np.sqrt(new_v + eps) * grad
    return theta - delta, new_v, rho * u + (1 - rho) * delta ** 2


def mutates(name):
    def student(theta, v, u, grad, lr=1.0, rho=0.9, eps=1e-6):
        new_theta, new_v, new_u = adadelta_step(theta, v, u, grad, lr, rho, eps)
        arrays = {"theta": theta, "v": v, "u": u}
        arrays[name][...] = {"theta": new_theta, "v": new_v, "u": new_u}[name]
        return new_theta, new_v, new_u
    return student


def no_eps_argument(theta, v, u, grad, lr=1.0, rho=0.9):
    return adadelta_step(theta, v, u, grad, lr, rho)


def no_defaults(theta, v, u, grad, lr, rho, eps):
    return adadelta_step(theta, v, u, grad, lr, rho, eps)


def keras_defaults(theta, v, u, grad, lr=1e-3, rho=0.95, eps=1e-7):
    return adadelta_step(theta, v, u, grad, lr, rho, eps)


def lasagne_rho(theta, v, u, grad, lr=1.0, rho=0.95, eps=1e-6):
    return adadelta_step(theta, v, u, grad, lr, rho, eps)


def d2l_eps(theta, v, u, grad, lr=1.0, rho=0.9, eps=1e-5):
    return adadelta_step(theta, v, u, grad, lr, rho, eps)


def swapped_v(v, g, rho):
    return (1 - rho) * v + rho * g ** 2


def swapped_u(u, delta, g, lr, rho):
    return (1 - rho) * u + rho * delta ** 2


same_average = with_rules(update=lambda u, v, new_v, g, eps: np.sqrt(new_v + eps) / np.sqrt(new_v + eps) * g)
u_below = with_rules(update=lambda u, v, new_v, g, eps: np.sqrt(u + eps) / np.sqrt(u + eps) * g)
upside_down = with_rules(update=lambda u, v, new_v, g, eps: np.sqrt(new_v + eps) / np.sqrt(u + eps) * g)
old_v = with_rules(update=lambda u, v, new_v, g, eps: np.sqrt(u + eps) / np.sqrt(v + eps) * g)
no_roots = with_rules(update=lambda u, v, new_v, g, eps: (u + eps) / (new_v + eps) * g)
no_root_on_top = with_rules(update=lambda u, v, new_v, g, eps: (u + eps) / np.sqrt(new_v + eps) * g)
no_root_below = with_rules(update=lambda u, v, new_v, g, eps: np.sqrt(u + eps) / (new_v + eps) * g)
lr_in_u = with_rules(average_u=lambda u, delta, g, lr, rho: rho * u + (1 - rho) * (lr * delta) ** 2)
no_lr = with_rules(move=lambda theta, delta, lr: theta - delta)
eps_only_below = with_rules(update=lambda u, v, new_v, g, eps: np.sqrt(u) / np.sqrt(new_v + eps) * g)
eps_only_on_top = with_rules(update=lambda u, v, new_v, g, eps: np.sqrt(u + eps) / np.sqrt(new_v) * g)
no_eps = with_rules(update=lambda u, v, new_v, g, eps: np.sqrt(u) / np.sqrt(new_v) * g)
eps_outside = with_rules(update=lambda u, v, new_v, g, eps: (np.sqrt(u) + eps) / (np.sqrt(new_v) + eps) * g)
swap_in_v = with_rules(average_v=swapped_v)
swap_in_u = with_rules(average_u=swapped_u)
swap_in_both = with_rules(average_v=swapped_v, average_u=swapped_u)
u_of_grads = with_rules(average_u=lambda u, delta, g, lr, rho: rho * u + (1 - rho) * g ** 2)
u_of_updates = with_rules(average_u=lambda u, delta, g, lr, rho: rho * u + (1 - rho) * delta)
u_unchanged = with_rules(average_u=lambda u, delta, g, lr, rho: u)
v_unchanged = with_rules(average_v=lambda v, g, rho: v)
uphill = with_rules(move=lambda theta, delta, lr: theta + lr * delta)

STEP_FORMULA = ("sqrt(u + eps)", "sqrt(u+eps)", "sqrt(new_v + eps)", "sqrt(new_v+eps)", "sqrt(v + eps)",
                "√(u + ε)", "√(v + ε)", "np.sqrt(", "rho * v +", "rho*v", "rho * u +", "rho*u", "ρ v +", "ρ u +",
                "(1 - rho) * grad", "(1 - rho) * g", "(1-rho)*g", "(1 - rho) * delta", "(1 - rho)*delta",
                "lr * delta", "theta - lr", "* grad", "/ sqrt", "1.0, rho=0.9, eps=1e-6)")

UPDATED_U = "It uses an updated u in the numerator: the numerator is the RMS of the *previous* updates (u before"
# The mistakes that have a message of their own, each with the fragment of its message.
STEP_MISTAKES = [
    (u_first, UPDATED_U),
    (same_average, "Its update is the gradient itself: the two roots hold the same average"),
    (upside_down, "It turns the ratio upside down"),
    (old_v, "It divides by the old average of squared gradients"),
    (no_roots, "It forgets both square roots"),
    (no_root_on_top, "It forgets the square root in the numerator"),
    (no_root_below, "It forgets the square root in the denominator"),
    (lr_in_u, "It folds the learning rate into u: torch accumulates the update before lr multiplies it."),
    (no_lr, "It applies no learning rate"),
    (eps_only_below, "It leaves eps out of the numerator: without eps in the numerator the first step is 0: "
                     "u starts at 0."),
    (eps_only_on_top, "It leaves eps out of the denominator"),
    (no_eps, "It forgets eps, in both roots: without eps in the numerator the first step is 0"),
    (eps_outside, "It adds eps outside the square roots, as torch's RMSprop does"),
    (swap_in_v, "It swaps rho and 1 - rho in v, the average of squared gradients"),
    (swap_in_u, "It swaps rho and 1 - rho in u, the average of squared updates"),
    (swap_in_both, "It swaps rho and 1 - rho in both averages"),
    (u_of_grads, "It accumulates squared gradients in u: u is the average of the squared updates"),
    (u_of_updates, "It averages the updates in u, not their squares."),
    (u_unchanged, "It returns u unchanged"),
    (v_unchanged, "It returns v unchanged"),
    (uphill, "Your step moves uphill"),
]

CASE_1 = "adadelta_step(theta=[ 1.5, -2. ], v=[0., 0.], u=[0., 0.], grad=[0.5, 4. ])"


@pytest.mark.parametrize(
    "student, fragment",
    STEP_MISTAKES + [
        (u_first_then_delta, UPDATED_U),
        (new_u_in_move, UPDATED_U),
        (u_below, "Its update is the gradient itself"),
        (lr_in_update, "It folds the learning rate into u"),
        (keras_defaults, "Its defaults are not the signature's"),
        (lasagne_rho, "Its defaults are not the signature's"),
        (d2l_eps, "Its defaults are not the signature's"),
        (lambda *args, **kwargs: adadelta_step(*args, **kwargs)[0],
         "It returns only new_theta: return the triple (new_theta, new_v, new_u); the next step needs both averages."),
        (lambda *args, **kwargs: adadelta_step(*args, **kwargs)[1], "It returns only new_v: return the triple"),
        (lambda *args, **kwargs: adadelta_step(*args, **kwargs)[2], "It returns only new_u: return the triple"),
        (lambda *args, **kwargs: [adadelta_step(*args, **kwargs)[i] for i in (0, 2, 1)],
         "It returns (new_theta, new_u, new_v): the order is (new_theta, new_v, new_u)."),
        (lambda *args, **kwargs: adadelta_step(*args, **kwargs)[::-1],
         "It returns (new_u, new_v, new_theta): the order is (new_theta, new_v, new_u)."),
        (lambda *args, **kwargs: adadelta_step(*args, **kwargs)[:2],
         "returned 2 items; expected the triple (new_theta, new_v, new_u)."),
        (lambda *args, **kwargs: adadelta_step(*args, **kwargs) + (1,), "returned 4 items; expected the triple"),
        (lambda *args, **kwargs: adadelta_step(*args, **kwargs)[:2] + (None,),
         CASE_1 + " returned new_u = None, which is not an array of numbers."),
        (lambda *args, **kwargs: adadelta_step(*args, **kwargs)[:2] + (adadelta_step(*args, **kwargs)[2][:1],),
         "returned new_u as an array of shape (1,); expected an array of shape (2,), like theta."),
        (lambda *args, **kwargs: adadelta_step(*args, **kwargs)[:2] + (np.mean(adadelta_step(*args, **kwargs)[2]),),
         "returned new_u as a single number; expected an array of shape (2,), like theta."),
        (lambda *args, **kwargs: (adadelta_step(*args, **kwargs)[0] * np.nan,) + adadelta_step(*args, **kwargs)[1:],
         "returned new_theta = [nan, nan], which is not finite"),
        (lambda *args, **kwargs: "theta, v, u",
         "returned 'theta, v, u'; expected the triple (new_theta, new_v, new_u)."),
        (lambda *args, **kwargs: 1.0, "returned 1.; expected the triple (new_theta, new_v, new_u)."),
        (lambda theta, *args, **kwargs: theta + 1, "returned one array, [ 2.5, -1. ]; expected the triple"),
        (with_rules(move=lambda theta, delta, lr: theta - 2 * lr * delta),
         CASE_1 + " returned new_theta = [ 1.4937, -2.0063]; expected [ 1.4968, -2.0032]."),
        (with_rules(average_v=lambda v, g, rho: rho * v + (1 - rho) * g ** 2 + 1e-3),
         CASE_1 + " returned new_v = [0.026, 1.601]; expected [0.025, 1.6  ]."),
        (with_rules(average_u=lambda u, delta, g, lr, rho: rho * u + (1 - rho) * delta ** 2 + 1e-3),
         CASE_1 + " returned new_u = [0.001, 0.001]; expected [9.9996e-07, 1.0000e-06]."),
        (with_rules(average_v=lambda v, g, rho: rho * v - (1 - rho) * g ** 2),
         CASE_1 + " returned new_v = [-0.025, -1.6  ]; expected [0.025, 1.6  ]."),
        (mutates("theta"), CASE_1 + ": it changed its input array in place"),
        (mutates("v"), CASE_1 + ": it changed its input array in place"),
        (mutates("u"), CASE_1 + ": it changed its input array in place"),
        (no_eps_argument, "rho=0.95, eps=0.1): calling it raised TypeError"),
        (no_defaults, CASE_1 + ": calling it raised TypeError"),
        (lambda *args, **kwargs: None, CASE_1 + ": it returned None"),
        (lambda *args, **kwargs: 1 / 0, CASE_1 + ": calling it raised ZeroDivisionError"),
        (not_implemented, CASE_1 + ": not implemented yet"),
    ],
)
def test_adadelta_step_diagnoses(student, fragment, capsys):
    with np.errstate(all="raise"):  # the check keeps NumPy quiet while it runs the student's code
        feedback = adadelta.check_adadelta_step(student)
    assert not feedback and fragment in feedback.message, feedback
    assert not any(formula in feedback.message for formula in STEP_FORMULA), feedback
    out = capsys.readouterr().out
    assert out.startswith("✘ ") and out.count("\n") == 1


def test_adadelta_step_messages_do_not_give_the_formula():
    for _, message in adadelta._STEP_MISTAKES + [(None, adadelta._DEFAULTS)]:
        assert not any(formula in message for formula in STEP_FORMULA), message


def answers(student):
    """The student's three outputs on every case, concatenated and rounded: one hashable answer."""
    with np.errstate(invalid="ignore", divide="ignore"):
        outs = [student(*case[:4], lr=case[4], rho=case[5], eps=case[6]) for case in adadelta._STEP_CASES]
    return tuple(tuple(np.round(np.concatenate([out[k] for out in outs]), 9)) for k in range(3))


def test_adadelta_step_cases_tell_the_mistakes_apart():
    # Every named mistake gives another answer than the right one and than every other mistake.
    right = answers(adadelta_step)
    seen = {}
    for student, _ in STEP_MISTAKES:
        answer = answers(student)
        assert answer != right
        message = adadelta.check_adadelta_step(student).message
        assert seen.setdefault(answer, message) == message, message
    assert len(set(seen.values())) == len(STEP_MISTAKES)
    # The mistakes as the module has them, each apart from the right answer and from the others (but for the
    # variants of one mistake, which share its message).
    module_answers = {}
    for wrong, message in adadelta._STEP_MISTAKES:
        answer = answers(lambda *case, lr, rho, eps: wrong(*case, lr, rho, eps))
        assert answer != right, message
        assert module_answers.setdefault(answer, message) == message, message
    assert len(set(module_answers.values())) == len({message for _, message in adadelta._STEP_MISTAKES})


def test_adadelta_step_order_swaps_are_told_apart():
    # Each case's three outputs differ, so a permutation of them is never the right answer.
    for case in adadelta._STEP_CASES:
        theta, v, u = adadelta._adadelta_step(*case)
        assert not (np.allclose(theta, v) or np.allclose(theta, u) or np.allclose(v, u))


def test_adadelta_step_cases_cover_the_chapter():
    cases = adadelta._STEP_CASES
    # First steps (v = u = 0) and later ones; lr 1 and not 1; rho 0.9, 0.95, 0.5; eps the default and large.
    assert any(not v.any() and not u.any() for _, v, u, *_ in cases)
    assert any(v.all() and u.all() for _, v, u, *_ in cases)
    assert {lr for *_, lr, _, _ in cases} >= {1.0, 0.5, 2.0}
    assert {rho for *_, rho, _ in cases} >= {0.5, 0.9, 0.95}
    assert {eps for *_, eps in cases} >= {1e-6, 0.1}
    assert {len(theta) for theta, *_ in cases} == {2, 3}
    # In the later steps u and v differ and neither is 1.
    assert not any(np.isclose(v, u).any() or np.isclose(v, 1).any() or np.isclose(u, 1).any()
                   for _, v, u, *_ in cases if v.any())
    # lr, rho and eps are each left to their default in some case, and given in another; one case leaves all three.
    for k, default in ((4, 1.0), (5, 0.9), (6, 1e-6)):
        assert any(case[k] == default for case in cases) and any(case[k] != default for case in cases)
    assert any(case[4:] == (1.0, 0.9, 1e-6) for case in cases)


def test_adadelta_step_leaves_the_check_data_alone():
    before = [[np.copy(a) for a in case[:4]] for case in adadelta._STEP_CASES]
    for name in ("theta", "v", "u"):
        adadelta.check_adadelta_step(mutates(name))
    for case, saved in zip(adadelta._STEP_CASES, before):
        assert all(np.array_equal(a, b) for a, b in zip(case[:4], saved))


@pytest.mark.parametrize("lr, rho, eps", [(1.0, 0.9, 1e-6), (0.5, 0.95, 0.1), (2.0, 0.5, 1e-4)])
def test_adadelta_step_is_torchs_adadelta(lr, rho, eps):
    # The reference is torch.optim.Adadelta's rule as optlib implements it: three steps, with a zero gradient.
    theta, grads = np.array([1.0, -2.0, 0.5]), [np.array([0.5, 4.0, 0.0]), np.array([-1.0, 2.5, 0.3]),
                                                np.array([0.2, 0.0, -0.7])]
    opt = optlib.adadelta(lr=lr, rho=rho, eps=eps)
    state = opt.init(theta)
    x, y, v, u = theta, theta, np.zeros(3), np.zeros(3)
    for g in grads:
        updates, state = opt.update(g, state)
        x = optlib.apply_updates(x, updates)
        y, v, u = adadelta._adadelta_step(y, v, u, g, lr, rho, eps)
        assert np.allclose(x, y, rtol=1e-12, atol=0) and np.allclose(state.v, v) and np.allclose(state.u, u)


# ---------------------------------------------------------------------------------------------------------------------
# initial_step

def initial_step(rho, eps):
    return math.sqrt(eps) / math.sqrt(1 - rho)


def initial_step_numpy(rho, eps):
    return np.sqrt(eps / (1 - rho))


def initial_step_simulated(rho, eps):
    # One step of Adadelta from u = v = 0, lr = 1, with a large gradient.
    g = 1e4
    v = (1 - rho) * g ** 2
    return abs(math.sqrt(0 + eps) / math.sqrt(v + eps) * g)


@pytest.mark.parametrize("rho, eps", [(0.9, 1e-6), (0.95, 1e-7), (0.5, 1e-4), (0.99, 1e-8), (0.9, 1e-2)])
def test_initial_step_is_optlibs_first_step(rho, eps):
    c = 1e3  # f(x) = c x, whose gradient is c everywhere
    opt = optlib.adadelta(rho=rho, eps=eps)
    updates, _ = opt.update(np.array([c]), opt.init(np.array([3.0])))
    assert math.isclose(abs(float(updates[0])), adadelta._initial_step(rho, eps), rel_tol=1e-6)
    assert adadelta._initial_step(0.9, 1e-6) == pytest.approx(3.1623e-3, rel=1e-4)


@pytest.mark.parametrize("student", [initial_step, initial_step_numpy, initial_step_simulated])
def test_initial_step_accepts_right_answers(student, capsys):
    assert adadelta.check_initial_step(student)
    assert capsys.readouterr().out == INITIAL_OK + "\n"


INITIAL_FORMULA = ("sqrt(eps) / sqrt(1 - rho)", "sqrt(eps)/sqrt(1 - rho)", "sqrt(eps)/sqrt(1-rho)",
                   "sqrt(eps / (1 - rho))", "sqrt(eps/(1-rho))", "√ε / √(1 - ρ)", "√(ε/(1 - ρ))", "sqrt(1 - rho)",
                   "√(1 - ρ)", "** -0.5", "**-0.5", "/ math.sqrt", "/ np.sqrt")

INITIAL_MISTAKES = [
    (lambda rho, eps: math.sqrt(eps), "It forgets the 1 - rho of v's first value"),
    (lambda rho, eps: math.sqrt(eps) / (1 - rho), "It forgets a square root"),
    (lambda rho, eps: eps / math.sqrt(1 - rho), "It takes eps where its root belongs"),
    (lambda rho, eps: math.sqrt(eps / rho), "It uses rho where 1 - rho belongs"),
    (lambda rho, eps: 1 / math.sqrt(1 - rho), "It forgets eps, as if u started at 1"),
    (lambda rho, eps: math.sqrt((1 - rho) * eps), "It multiplies where it should divide."),
    (lambda rho, eps: eps / (1 - rho), "It forgets both square roots."),
    (lambda rho, eps: 1.0, "That is lr = 1: Adadelta's first step is not the learning rate"),
]


@pytest.mark.parametrize(
    "student, fragment",
    INITIAL_MISTAKES + [
        (lambda rho, eps: math.sqrt(eps) / math.sqrt(rho), "It uses rho where 1 - rho belongs"),
        (lambda rho, eps: 2 * initial_step(rho, eps), "initial_step(rho=0.9, eps=1e-06) returned 0.00632456 "
                                                      "(expected 0.00316228)."),
        (lambda rho, eps: -initial_step(rho, eps),
         "initial_step(rho=0.9, eps=1e-06) returned -0.00316228; a step's length is positive (expected 0.00316228)."),
        (lambda rho, eps: np.sqrt(eps) / np.sqrt(rho - 1), "initial_step(rho=0.9, eps=1e-06) returned nan"),
        (lambda rho, eps: np.array([initial_step(rho, eps)]),
         "returned an array of shape (1,); expected a single number"),
        (lambda rho, eps: "small", "not a number"),
        (lambda rho, eps: initial_step(rho, eps) if rho != 0.5 else 1 / 0,
         "initial_step(rho=0.5, eps=0.0001): calling it raised ZeroDivisionError"),
        (lambda rho, eps: None, "initial_step(rho=0.9, eps=1e-06): it returned None"),
        (lambda rho: initial_step(rho, 1e-6), "initial_step(rho=0.9, eps=1e-06): calling it raised TypeError"),
        (not_implemented, "not implemented yet"),
    ],
)
def test_initial_step_diagnoses(student, fragment, capsys):
    with np.errstate(all="raise"):
        feedback = adadelta.check_initial_step(student)
    assert not feedback and fragment in feedback.message, feedback
    assert not any(formula in feedback.message for formula in INITIAL_FORMULA), feedback
    out = capsys.readouterr().out
    assert out.startswith("✘ ") and out.count("\n") == 1


def test_initial_step_mistake_messages_do_not_give_the_formula():
    for _, message in adadelta._INITIAL_MISTAKES:
        assert not any(formula in message for formula in INITIAL_FORMULA), message


def test_initial_step_cases_tell_the_mistakes_apart():
    cases = adadelta._INITIAL_CASES
    assert cases == [(0.9, 1e-6), (0.95, 1e-7), (0.5, 1e-4), (0.99, 1e-8)]
    right = [initial_step(*case) for case in cases]
    answers = {}
    for wrong, message in adadelta._INITIAL_MISTAKES:
        answer = [wrong(*case) for case in cases]
        # Off by more than the tolerance in some case, and apart from every other mistake.
        assert not all(math.isclose(a, r, rel_tol=1e3 * adadelta._INITIAL_RTOL) for a, r in zip(answer, right)), message
        for other, other_message in answers.items():
            assert not all(math.isclose(a, b, rel_tol=1e3 * adadelta._INITIAL_RTOL) for a, b in zip(answer, other)), (
                message, other_message)
        answers[tuple(answer)] = message
    for student, fragment in INITIAL_MISTAKES:
        assert [student(*case) for case in cases] != right, fragment


# ---------------------------------------------------------------------------------------------------------------------

def test_the_module_is_imported_by_the_package_but_not_re_exported():
    assert optlib.checks.adadelta is adadelta
    assert not any(hasattr(optlib.checks, name) for name in adadelta.__all__)
    assert adadelta.__all__ == ["check_adadelta_step", "check_initial_step"]
