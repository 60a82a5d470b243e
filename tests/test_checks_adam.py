"""Chapter 8's exercise checks (Adam and its family) recognise each typical mistake and say which it is."""
import math

import numpy as np
import pytest
import torch

import optlib
from optlib.checks import adam

STEP_OK = "✔ adam_step is correct: Algorithm 1 of Kingma and Ba, as torch."
DECAY_OK = "✔ adamw_decay is correct: decoupled decay, scaled by the learning rate."
FIRST_OK = "✔ first_step is correct: lr in every coordinate, against the gradient."


def test_success_messages_fit_the_chapters_width():
    assert all(len(message) <= 80 for message in (STEP_OK, DECAY_OK, FIRST_OK))


def not_implemented(*args, **kwargs):
    raise NotImplementedError


def expect_failure(check, student, fragment, formulas, capsys):
    with np.errstate(all="raise"):  # the check keeps NumPy quiet while it runs the student's code
        feedback = check(student)
    assert not feedback and fragment in feedback.message, feedback
    assert not any(formula in feedback.message for formula in formulas), feedback
    out = capsys.readouterr().out
    assert out.startswith("✘ ") and out.count("\n") == 1


# ---------------------------------------------------------------------------------------------------------------------
# adam_step: right answers

def adam_step(theta, m, v, grad, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    new_m = beta1 * m + (1 - beta1) * grad
    new_v = beta2 * v + (1 - beta2) * grad ** 2
    m_hat = new_m / (1 - beta1 ** t)
    v_hat = new_v / (1 - beta2 ** t)
    return theta - lr * m_hat / (np.sqrt(v_hat) + eps), new_m, new_v


def step_as_torch(theta, m, v, grad, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    # torch's own way: copies of the state updated in place, the first correction folded into the step size,
    # the second into the denominator.
    new_m, new_v, new_theta = m.copy(), v.copy(), theta.copy()
    new_m *= beta1
    new_m += (1 - beta1) * grad
    new_v *= beta2
    new_v += (1 - beta2) * grad * grad
    step_size = lr / (1 - beta1 ** t)
    denom = np.sqrt(new_v) / math.sqrt(1 - beta2 ** t) + eps
    new_theta -= step_size * new_m / denom
    return new_theta, new_m, new_v


def step_as_lerp(theta, m, v, grad, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    # Each average as a move towards the new value, a fraction 1 - beta of the way; the root as a power.
    new_m = m + (1 - beta1) * (grad - m)
    new_v = v + (1 - beta2) * (grad ** 2 - v)
    bias1, bias2 = 1 - beta1 ** t, 1 - beta2 ** t
    return theta - lr / bias1 * new_m / ((new_v / bias2) ** 0.5 + eps), new_m, new_v


def step_with_torch_tensors(theta, m, v, grad, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    theta, m, v, grad = (torch.tensor(a, dtype=torch.float64) for a in (theta, m, v, grad))
    m = torch.lerp(m, grad, 1 - beta1)
    v = beta2 * v + (1 - beta2) * grad * grad
    new_theta = theta - lr * (m / (1 - beta1 ** t)) / ((v / (1 - beta2 ** t)).sqrt() + eps)
    return new_theta.numpy(), m.numpy(), v.numpy()


def step_as_list(theta, m, v, grad, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    return [list(a) for a in adam_step(theta, m, v, grad, t, lr, beta1, beta2, eps)]


def step_stacked(theta, m, v, grad, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    return np.stack(adam_step(theta, m, v, grad, t, lr, beta1, beta2, eps))


@pytest.mark.parametrize("student", [adam_step, step_as_torch, step_as_lerp, step_with_torch_tensors, step_as_list,
                                     step_stacked])
def test_adam_step_accepts_right_answers(student, capsys):
    feedback = adam.check_adam_step(student)
    assert feedback, feedback
    assert capsys.readouterr().out == STEP_OK + "\n"


# ---------------------------------------------------------------------------------------------------------------------
# adam_step: the mistakes

def right_m(m, g, beta1):
    return beta1 * m + (1 - beta1) * g


def right_v(v, g, beta2):
    return beta2 * v + (1 - beta2) * g ** 2


def right_move(theta, m_hat, v_hat, lr, eps):
    return theta - lr * m_hat / (np.sqrt(v_hat) + eps)


def with_rules(average_m=right_m, average_v=right_v,
               correct=lambda m, v, t, beta1, beta2: (m / (1 - beta1 ** t), v / (1 - beta2 ** t)),
               move=lambda theta, m, v, M, V, m_hat, v_hat, g, lr, eps: right_move(theta, m_hat, v_hat, lr, eps),
               state=lambda new_m, new_v, m_hat, v_hat: (new_m, new_v)):
    """An adam_step made of five rules: the averages m and v, their corrections, the move, the state returned.

    The move sees the old and new averages (m, v, M, V), the corrected ones, the gradient, lr and eps.
    """
    def student(theta, m, v, grad, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
        new_m, new_v = average_m(m, grad, beta1), average_v(v, grad, beta2)
        with np.errstate(invalid="ignore", divide="ignore"):  # some wrong steps divide by 0, or take a negative root
            m_hat, v_hat = correct(new_m, new_v, t, beta1, beta2)
            new_theta = move(theta, m, v, new_m, new_v, m_hat, v_hat, grad, lr, eps)
        return (new_theta,) + tuple(state(new_m, new_v, m_hat, v_hat))
    return student


def corrected_move(rule):
    """A move made with the corrected averages only: ``rule(theta, m_hat, v_hat, lr, eps)``."""
    return with_rules(move=lambda theta, m, v, M, V, m_hat, v_hat, g, lr, eps: rule(theta, m_hat, v_hat, lr, eps))


def step_numbered(k):
    return with_rules(correct=lambda m, v, t, beta1, beta2: (m / (1 - beta1 ** (t + k)), v / (1 - beta2 ** (t + k))))


def step_from_zero_python(theta, m, v, grad, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    # The step number counted from 0, with the corrections in Python floats: at t = 1, a ZeroDivisionError.
    t = t - 1
    new_m, new_v = right_m(m, grad, beta1), right_v(v, grad, beta2)
    step_size = lr / (1 - beta1 ** t)
    denom = np.sqrt(new_v) / math.sqrt(1 - beta2 ** t) + eps
    return theta - step_size * new_m / denom, new_m, new_v


def keras(theta, m, v, grad, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    new_m, new_v = right_m(m, grad, beta1), right_v(v, grad, beta2)
    lr_t = lr * np.sqrt(1 - beta2 ** t) / (1 - beta1 ** t)
    return theta - lr_t * new_m / (np.sqrt(new_v) + eps), new_m, new_v


def swapped_betas(theta, m, v, grad, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    return adam_step(theta, m, v, grad, t, lr, beta2, beta1, eps)


def mutates(name):
    def student(theta, m, v, grad, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
        new = dict(zip(("theta", "m", "v"), adam_step(theta, m, v, grad, t, lr, beta1, beta2, eps)))
        {"theta": theta, "m": m, "v": v}[name][...] = new[name]
        return new["theta"], new["m"], new["v"]
    return student


def in_place(theta, m, v, grad, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m *= beta1
    m += (1 - beta1) * grad
    v *= beta2
    v += (1 - beta2) * grad ** 2
    theta -= lr * (m / (1 - beta1 ** t)) / (np.sqrt(v / (1 - beta2 ** t)) + eps)
    return theta, m, v


def no_t(theta, m, v, grad, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    return adam_step(theta, m, v, grad, 1, lr, beta1, beta2, eps)


def no_defaults(theta, m, v, grad, t, lr, beta1, beta2, eps):
    return adam_step(theta, m, v, grad, t, lr, beta1, beta2, eps)


def defaults(lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    def student(theta, m, v, grad, t, lr=lr, beta1=beta1, beta2=beta2, eps=eps):
        return adam_step(theta, m, v, grad, t, lr, beta1, beta2, eps)
    return student


no_correction = with_rules(correct=lambda m, v, t, beta1, beta2: (m, v))
only_m_corrected = with_rules(correct=lambda m, v, t, beta1, beta2: (m / (1 - beta1 ** t), v))
only_v_corrected = with_rules(correct=lambda m, v, t, beta1, beta2: (m, v / (1 - beta2 ** t)))
corrections_swapped = with_rules(correct=lambda m, v, t, beta1, beta2: (m / (1 - beta2 ** t), v / (1 - beta1 ** t)))
v_corrected_with_beta1 = with_rules(correct=lambda m, v, t, beta1, beta2: (m / (1 - beta1 ** t), v / (1 - beta1 ** t)))
m_corrected_with_beta2 = with_rules(correct=lambda m, v, t, beta1, beta2: (m / (1 - beta2 ** t), v / (1 - beta2 ** t)))
corrections_multiplied = with_rules(correct=lambda m, v, t, beta1, beta2: (m * (1 - beta1 ** t), v * (1 - beta2 ** t)))
eps_inside = corrected_move(lambda theta, m_hat, v_hat, lr, eps: theta - lr * m_hat / np.sqrt(v_hat + eps))
no_eps = corrected_move(lambda theta, m_hat, v_hat, lr, eps: theta - lr * m_hat / np.sqrt(v_hat))
with_g = with_rules(move=lambda theta, m, v, M, V, m_hat, v_hat, g, lr, eps: right_move(theta, g, v_hat, lr, eps))


def with_g_corrected(theta, m, v, grad, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    # The gradient, corrected as m would be, in m's place.
    new_m, new_v = right_m(m, grad, beta1), right_v(v, grad, beta2)
    return right_move(theta, grad / (1 - beta1 ** t), new_v / (1 - beta2 ** t), lr, eps), new_m, new_v


m_of_squares = with_rules(average_m=lambda m, g, beta1: beta1 * m + (1 - beta1) * g ** 2)
v_of_grads = with_rules(average_v=lambda v, g, beta2: beta2 * v + (1 - beta2) * g)
averages_swapped = with_rules(average_m=lambda m, g, beta1: beta1 * m + (1 - beta1) * g ** 2,
                              average_v=lambda v, g, beta2: beta2 * v + (1 - beta2) * g)
m_unweighted = with_rules(average_m=lambda m, g, beta1: beta1 * m + g)
v_unweighted = with_rules(average_v=lambda v, g, beta2: beta2 * v + g ** 2)
both_unweighted = with_rules(average_m=lambda m, g, beta1: beta1 * m + g,
                             average_v=lambda v, g, beta2: beta2 * v + g * g)


def old(use_m, use_v):
    """A step that moves with the averages before this step's update: m's, v's, or both."""
    def student(theta, m, v, grad, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
        new_m, new_v = right_m(m, grad, beta1), right_v(v, grad, beta2)
        m_hat = (m if use_m else new_m) / (1 - beta1 ** t)
        v_hat = (v if use_v else new_v) / (1 - beta2 ** t)
        return right_move(theta, m_hat, v_hat, lr, eps), new_m, new_v
    return student


old_m, old_v, old_both = old(True, False), old(False, True), old(True, True)
no_root = corrected_move(lambda theta, m_hat, v_hat, lr, eps: theta - lr * m_hat / (v_hat + eps))
uphill = corrected_move(lambda theta, m_hat, v_hat, lr, eps: theta + lr * m_hat / (np.sqrt(v_hat) + eps))
no_lr = corrected_move(lambda theta, m_hat, v_hat, lr, eps: theta - m_hat / (np.sqrt(v_hat) + eps))
corrected_state = with_rules(state=lambda M, V, m_hat, v_hat: (m_hat, v_hat))
corrected_m_state = with_rules(state=lambda M, V, m_hat, v_hat: (m_hat, V))
corrected_v_state = with_rules(state=lambda M, V, m_hat, v_hat: (M, v_hat))

STEP_FORMULA = ("m / (1 - beta1", "m/(1 - beta1", "m/(1-beta1", "v / (1 - beta2", "v/(1-beta2", "sqrt(v_hat) + eps",
                "sqrt(v_hat)+eps", "sqrt(v_hat", "np.sqrt(", "√", "beta1 * m", "beta1*m", "beta2 * v", "beta2*v",
                "(1 - beta1) * g", "(1-beta1)*g", "(1 - beta2) * g", "(1-beta2)*g", "1 - beta1 ** t", "1 - beta2 ** t",
                "beta1**t", "beta2**t", "^t", "** t", "lr * m_hat", "m_hat / ", "theta - lr", "lr / (1",
                "eps=1e-8)", "/ (1 - beta")

NO_CORRECTION = ("It forgets the bias correction: m and v start at 0, so in the first steps both are biased towards 0, "
                 "and the steps come out the wrong size.")
WRONG_T = "It corrects with the wrong step number: t counts the steps from 1, this one included."
WITH_G = "It steps with the gradient, not with m: no momentum."
# The mistakes that have a message of their own, each with the fragment of its message.
STEP_MISTAKES = [
    (no_correction, NO_CORRECTION),
    (step_numbered(-1), WRONG_T),
    (only_m_corrected, "It corrects m but not v"),
    (only_v_corrected, "It corrects v but not m"),
    (corrections_swapped, "It swaps beta1 and beta2 in the bias corrections"),
    (v_corrected_with_beta1, "It corrects v with beta1: each average is corrected with its own decay, v with beta2."),
    (m_corrected_with_beta2, "It corrects m with beta2: each average is corrected with its own decay, m with beta1."),
    (corrections_multiplied, "It multiplies by the bias corrections where it should divide."),
    (eps_inside, "It puts eps inside the square root; torch (and Algorithm 1 of the paper) add it outside."),
    (keras, "That is the 'epsilon hat' form of the paper's section 2 (Keras): equal as eps -> 0, but eps enters "
            "differently."),
    (no_eps, "It forgets eps"),
    (swapped_betas, "It swaps beta1 and beta2: beta1 is the decay of m"),
    (with_g, WITH_G),
    (averages_swapped, "It swaps the two averages"),
    (m_of_squares, "It averages g² in m"),
    (v_of_grads, "It averages g in v, not g²"),
    (both_unweighted, "It forgets the weight (1 - beta) of the new gradient in both m and v"),
    (m_unweighted, "It forgets the (1 - beta1) on the new gradient in m"),
    (v_unweighted, "It forgets the (1 - beta2) on the new squared gradient in v"),
    (old_both, "It steps with the old m and v"),
    (old_m, "It steps with the old m: torch updates m"),
    (old_v, "It divides by the old v"),
    (no_root, "It forgets the square root of v"),
    (uphill, "Your step moves uphill"),
    (no_lr, "It applies no learning rate"),
    (corrected_state, "It returns the bias-corrected m and v as the state"),
    (corrected_m_state, "It returns the bias-corrected m as the state"),
    (corrected_v_state, "It returns the bias-corrected v as the state"),
]

CASE_1 = "adam_step(theta=[ 1.5, -2. ], m=[0., 0.], v=[0., 0.], grad=[ 5.e-01, -2.e-06], t=1)"
CASE_2 = ("adam_step(theta=[ 0.5,  0.5, -1. ], m=[0., 0., 0.], v=[0., 0., 0.], grad=[ 1.5, -3. ,  0.2], t=1, lr=0.1, "
          "beta1=0.5, beta2=0.9, eps=0.1)")


def returns(transform):
    """A student returning ``transform`` of the right triple."""
    return lambda *args, **kwargs: transform(adam_step(*args, **kwargs))


@pytest.mark.parametrize(
    "student, fragment",
    STEP_MISTAKES + [
        (step_numbered(1), WRONG_T),
        (step_from_zero_python, WRONG_T),
        (with_g_corrected, WITH_G),
        (defaults(eps=1e-7), "Its defaults are not the signature's"),  # Keras
        (defaults(eps=1e-6), "Its defaults are not the signature's"),  # d2l
        (defaults(beta2=0.99), "Its defaults are not the signature's"),
        (defaults(lr=1e-2), "Its defaults are not the signature's"),
        (returns(lambda out: out[0]),
         "It returns only new_theta: return the triple (new_theta, new_m, new_v); the next step needs both averages."),
        (returns(lambda out: out[1]), "It returns only new_m: return the triple"),
        (returns(lambda out: out[2]), "It returns only new_v: return the triple"),
        (returns(lambda out: (out[0], out[2], out[1])),
         "It returns (new_theta, new_v, new_m): the order is (new_theta, new_m, new_v)."),
        (returns(lambda out: out[::-1]),
         "It returns (new_v, new_m, new_theta): the order is (new_theta, new_m, new_v)."),
        (returns(lambda out: (out[1], out[2], out[0])), "It returns (new_m, new_v, new_theta): the order is"),
        (returns(lambda out: out[:2]), CASE_1 + " returned 2 items; expected the triple (new_theta, new_m, new_v)."),
        (returns(lambda out: out + (1,)), "returned 4 items; expected the triple"),
        (returns(lambda out: out[:2] + (None,)), CASE_1 + " returned new_v = None, which is not an array of numbers."),
        (returns(lambda out: out[:2] + (out[2][:1],)),
         "returned new_v as an array of shape (1,); expected an array of shape (2,), like theta."),
        (returns(lambda out: out[:2] + (np.mean(out[2]),)),
         "returned new_v as a single number; expected an array of shape (2,), like theta."),
        (returns(lambda out: (out[0] * np.nan,) + out[1:]),
         CASE_1 + " returned new_theta = [nan, nan], which is not finite"),
        (lambda *args, **kwargs: "theta, m, v",
         "returned 'theta, m, v'; expected the triple (new_theta, new_m, new_v)."),
        (lambda *args, **kwargs: 1.0, "returned 1.; expected the triple (new_theta, new_m, new_v)."),
        (lambda theta, *args, **kwargs: theta + 1, "returned one array, [ 2.5, -1. ]; expected the triple"),
        (corrected_move(lambda theta, m_hat, v_hat, lr, eps: right_move(theta, m_hat, v_hat, 2 * lr, eps)),
         CASE_1 + " returned new_theta = [ 1.498, -1.998]; expected [ 1.499, -1.999]."),
        (with_rules(average_m=lambda m, g, beta1: right_m(m, g, beta1) + 1e-3),
         CASE_1 + " returned new_m = [0.051, 0.001]; expected [ 5.e-02, -2.e-07]."),
        (with_rules(average_v=lambda v, g, beta2: beta2 * v - (1 - beta2) * g ** 2),
         CASE_1 + " returned new_v = [-2.5e-04, -4.0e-15]; expected [2.5e-04, 4.0e-15]."),
        (lambda theta, m, v, grad, t, **kwargs: (1 / 0) if t == 1 else adam_step(theta, m, v, grad, t, **kwargs),
         CASE_1 + ": calling it raised ZeroDivisionError"),
        (lambda theta, m, v, grad, t, **kwargs: (theta - 1, m, v) if t == 1 else 1 / 0,
         "t=2, lr=0.1): calling it raised ZeroDivisionError"),
        (mutates("theta"), CASE_1 + ": it changed its input array in place"),
        (mutates("m"), CASE_1 + ": it changed its input array in place"),
        (mutates("v"), CASE_1 + ": it changed its input array in place"),
        (in_place, CASE_1 + ": it changed its input array in place"),
        (no_t, CASE_2 + ": calling it raised TypeError"),  # at t=1 it took 1 for lr
        (no_defaults, CASE_1 + ": calling it raised TypeError"),
        (lambda *args, **kwargs: None, CASE_1 + ": it returned None"),
        (lambda *args, **kwargs: 1 / 0, CASE_1 + ": calling it raised ZeroDivisionError"),
        (not_implemented, CASE_1 + ": not implemented yet"),
    ],
)
def test_adam_step_diagnoses(student, fragment, capsys):
    expect_failure(adam.check_adam_step, student, fragment, STEP_FORMULA, capsys)


def test_adam_step_messages_do_not_give_the_formula():
    messages = [message for _, message in adam._STEP_MISTAKES] + [adam._DEFAULTS, adam._WRONG_T]
    for message in messages:
        assert not any(formula in message for formula in STEP_FORMULA), message


def test_a_step_number_one_too_small_is_named_whether_it_divides_by_zero_or_raises(capsys):
    # At t = 1, 1 - beta**0 is 0: NumPy gives NaN, Python floats raise. Both are the same mistake.
    with np.errstate(all="ignore"):
        first = step_numbered(-1)(*adam._STEP_CASES[0][:5])
    assert np.isnan(first[0]).all() and np.isfinite(first[1]).all()
    with pytest.raises(ZeroDivisionError):
        step_from_zero_python(*adam._STEP_CASES[0][:5])
    for student in (step_numbered(-1), step_from_zero_python):
        assert adam.check_adam_step(student).message == WRONG_T
    # A division by zero at t = 1 that is not this mistake is reported as it is.
    crash = adam.check_adam_step(lambda *args, **kwargs: 1 / 0 if args[4] == 1 else no_correction(*args, **kwargs))
    assert crash.message.startswith(CASE_1 + ": calling it raised ZeroDivisionError")


def answers(student):
    """The student's three outputs on every case, as one hashable answer, NaN included."""
    with np.errstate(invalid="ignore", divide="ignore"):
        outs = [student(*case[:5], lr=case[5], beta1=case[6], beta2=case[7], eps=case[8]) for case in adam._STEP_CASES]
    return tuple(tuple(np.nan_to_num(np.round(np.concatenate([out[k] for out in outs]), 9), nan=7.25))
                 for k in range(3))


def told_apart(a, b):
    """Whether two answers differ by far more than the check's tolerance, in some output."""
    return any(not np.allclose(x, y, rtol=1e-6, atol=1e-9) for x, y in zip(a, b))


def test_adam_step_cases_tell_the_mistakes_apart():
    # Every named mistake gives another answer than the right one and than every other mistake.
    right = answers(adam_step)
    seen = {}
    for student, _ in STEP_MISTAKES:
        answer = answers(student)
        assert told_apart(answer, right)
        message = adam.check_adam_step(student).message
        for other, other_message in seen.items():
            assert told_apart(answer, other), (message, other_message)
        seen[answer] = message
    assert len(set(seen.values())) == len(STEP_MISTAKES)
    # The mistakes as the module has them, each apart from the right answer and from the others (but for the
    # variants of one mistake, which share its message).
    module_answers = {}
    for wrong, message in adam._STEP_MISTAKES + [(adam._off_by(-1), adam._WRONG_T)]:
        answer = answers(lambda *case, lr, beta1, beta2, eps: wrong(*case, lr, beta1, beta2, eps))
        assert told_apart(answer, right), message
        for other, other_message in module_answers.items():
            assert other_message == message or told_apart(answer, other), (message, other_message)
        module_answers[answer] = message
    assert len(set(module_answers.values())) == len({message for _, message in adam._STEP_MISTAKES})


def test_adam_step_order_swaps_are_told_apart():
    # Each case's three outputs differ, so a permutation of them is never the right answer.
    for case in adam._STEP_CASES:
        theta, m, v = adam._adam_step(*case)
        assert not (np.allclose(theta, m) or np.allclose(theta, v) or np.allclose(m, v))


def test_adam_step_cases_cover_the_chapter():
    cases = adam._STEP_CASES
    # First steps (t = 1, m = v = 0) and later ones with averages of their own; lr, betas and eps as the brief.
    assert all(not m.any() and not v.any() for _, m, v, _, t, *_ in cases if t == 1)
    assert all(m.all() and (v > 0).all() for _, m, v, _, t, *_ in cases if t > 1)
    assert {t for *_, t, _, _, _, _ in cases} == {1, 2, 5, 50}
    assert {lr for *_, lr, _, _, _ in cases} == {1e-3, 0.1}
    assert {(b1, b2) for *_, b1, b2, _ in cases} == {(0.9, 0.999), (0.5, 0.9), (0.8, 0.99)}
    assert {eps for *_, eps in cases} == {1e-8, 0.1}
    assert any(eps == 0.1 and t == 1 for *_, t, _, _, _, eps in cases)
    assert any(eps == 0.1 and t > 1 for *_, t, _, _, _, eps in cases)
    assert {len(theta) for theta, *_ in cases} == {2, 3}
    # lr, each beta and eps are left to their default in some case, and given in another; the first leaves all four.
    for k, default in ((5, 1e-3), (6, 0.9), (7, 0.999), (8, 1e-8)):
        assert any(case[k] == default for case in cases) and any(case[k] != default for case in cases)
    assert cases[0][5:] == (1e-3, 0.9, 0.999, 1e-8)


def test_adam_step_leaves_the_check_data_alone():
    before = [[np.copy(a) for a in case[:4]] for case in adam._STEP_CASES]
    for student in (mutates("theta"), mutates("m"), mutates("v"), in_place):
        adam.check_adam_step(student)
    for case, saved in zip(adam._STEP_CASES, before):
        assert all(np.array_equal(a, b) for a, b in zip(case[:4], saved))


THETA = np.array([1.0, -2.0, 0.5])
GRADS = [np.array([0.5, 4.0, -1e-3]), np.array([-1.0, 2.5, 0.3]), np.array([0.2, 0.0, -0.7])]
HYPER = [(1e-3, 0.9, 0.999, 1e-8), (0.1, 0.5, 0.9, 0.1), (0.1, 0.8, 0.99, 1e-8)]


@pytest.mark.parametrize("lr, beta1, beta2, eps", HYPER)
def test_adam_step_is_optlibs_adam(lr, beta1, beta2, eps):
    opt = optlib.adam(lr=lr, beta1=beta1, beta2=beta2, eps=eps)
    state = opt.init(THETA)
    x, y, m, v = THETA, THETA, np.zeros(3), np.zeros(3)
    for t, g in enumerate(GRADS, start=1):
        updates, state = opt.update(g, state)
        x = optlib.apply_updates(x, updates)
        y, m, v = adam._adam_step(y, m, v, g, t, lr, beta1, beta2, eps)
        assert state.count == t
        assert np.allclose(x, y, rtol=1e-12, atol=0) and np.allclose(state.m, m) and np.allclose(state.v, v)


@pytest.mark.parametrize("lr, beta1, beta2, eps", HYPER)
def test_adam_step_is_torchs_adam(lr, beta1, beta2, eps):
    p = torch.tensor(THETA, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.Adam([p], lr=lr, betas=(beta1, beta2), eps=eps)
    y, m, v = THETA, np.zeros(3), np.zeros(3)
    for t, g in enumerate(GRADS, start=1):
        p.grad = torch.tensor(g, dtype=torch.float64)
        opt.step()
        y, m, v = adam._adam_step(y, m, v, g, t, lr, beta1, beta2, eps)
        state = opt.state[p]
        assert int(state["step"]) == t
        assert np.allclose(p.detach().numpy(), y, rtol=1e-12, atol=0)
        assert np.allclose(state["exp_avg"].numpy(), m) and np.allclose(state["exp_avg_sq"].numpy(), v)


# ---------------------------------------------------------------------------------------------------------------------
# adamw_decay

def adamw_decay(theta, lr, weight_decay):
    return theta * (1 - lr * weight_decay)


def decay_as_torch(theta, lr, weight_decay):
    theta = theta.copy()
    theta *= 1 - lr * weight_decay  # torch: param.mul_(1 - lr * weight_decay)
    return theta


def decay_subtracted(theta, lr, weight_decay):
    return theta - lr * weight_decay * theta


@pytest.mark.parametrize("student", [adamw_decay, decay_as_torch, decay_subtracted,
                                     lambda theta, lr, weight_decay: list(adamw_decay(theta, lr, weight_decay))])
def test_adamw_decay_accepts_right_answers(student, capsys):
    assert adam.check_adamw_decay(student)
    assert capsys.readouterr().out == DECAY_OK + "\n"


DECAY_FORMULA = ("1 - lr * weight_decay", "1 - lr*weight_decay", "1-lr*weight_decay", "(1 - lr", "lr * weight_decay *",
                 "lr*weight_decay*", "theta * (1", "theta*(1", "theta - lr", "1 - η", "1 - ηλ", "mul_(")

DECAY_MISTAKES = [
    (lambda theta, lr, wd: theta - wd * theta,
     "It forgets lr: torch's AdamW multiplies the decay by the learning rate (the paper's decoupled decay is scaled "
     "by the schedule)."),
    (lambda theta, lr, wd: theta - lr * theta, "It forgets weight_decay"),
    (lambda theta, lr, wd: wd * theta,
     "It returns the L2 gradient weight_decay * theta, which Adam with weight decay adds to g (coupled); AdamW "
     "shrinks the parameters directly."),
    (lambda theta, lr, wd: theta * (1 - wd) ** lr, "Close for a small lr and weight_decay, but not torch's factor"),
    (lambda theta, lr, wd: -lr * wd * theta, "It returns the change of the parameters, not the parameters after"),
    (lambda theta, lr, wd: theta + lr * wd * theta, "It grows the parameters"),
    (lambda theta, lr, wd: theta - lr * wd, "It subtracts the same amount from every parameter"),
]


@pytest.mark.parametrize(
    "student, fragment",
    DECAY_MISTAKES + [
        (lambda theta, lr, wd: theta * np.exp(-lr * wd), "Close for a small lr and weight_decay, but not torch's"),
        (lambda theta, lr, wd: theta / (1 + lr * wd), "Close for a small lr and weight_decay, but not torch's"),
        (lambda theta, lr, wd: lr * wd * theta, "It returns the change of the parameters"),
        (lambda theta, lr, wd: theta + wd * theta, "It grows the parameters"),
        (lambda theta, lr, wd: theta * (1 - 2 * lr * wd),
         "adamw_decay(theta=[ 1.5, -2. ], lr=0.1, weight_decay=0.01) returned [ 1.497, -1.996], not the parameters "
         "after AdamW's decay."),
        (lambda theta, lr, wd: theta * (1 - lr * wd) - 0.5 * lr * wd,
         "returned [ 1.498 , -1.9985], not the parameters after AdamW's decay: AdamW's decay shrinks every parameter "
         "by the same factor."),
        (lambda theta, lr, wd: np.mean(adamw_decay(theta, lr, wd)),
         "returned a single number; expected an array of shape (2,)"),
        (lambda theta, lr, wd: np.nan * theta, "which is not finite"),
        (lambda theta, lr, wd: "theta", "which is not a number or an array of numbers"),
        (lambda theta, lr, wd: theta.__imul__(1 - lr * wd), "it changed its input array in place"),
        (lambda theta, lr: theta, "calling it raised TypeError"),
        (lambda theta, lr, wd: None, "it returned None"),
        (not_implemented, "adamw_decay(theta=[ 1.5, -2. ], lr=0.1, weight_decay=0.01): not implemented yet"),
    ],
)
def test_adamw_decay_diagnoses(student, fragment, capsys):
    expect_failure(adam.check_adamw_decay, student, fragment, DECAY_FORMULA, capsys)


def test_adamw_decay_messages_do_not_give_the_formula():
    for _, message in adam._DECAY_MISTAKES:
        assert not any(formula in message for formula in DECAY_FORMULA), message


def test_adamw_decay_cases_tell_the_mistakes_apart():
    cases = adam._DECAY_CASES
    assert [(lr, wd) for _, lr, wd in cases] == [(0.1, 0.01), (1e-3, 0.1), (0.5, 0.5)]
    right = np.concatenate([adamw_decay(*case) for case in cases])
    seen = {}
    for wrong, message in adam._DECAY_MISTAKES:
        answer = np.concatenate([wrong(*case) * np.ones_like(case[0]) for case in cases])
        assert not np.allclose(answer, right, rtol=1e-6, atol=1e-9), message
        for other, other_message in seen.items():
            assert other_message == message or not np.allclose(answer, other, rtol=1e-6, atol=1e-9), message
        seen[tuple(answer)] = message
    for student, fragment in DECAY_MISTAKES:
        assert adam.check_adamw_decay(student).message.startswith(fragment)


@pytest.mark.parametrize("lr, weight_decay", [(0.1, 0.01), (1e-3, 0.1), (0.5, 0.5)])
def test_adamw_decay_is_optlibs_and_torchs_adamw_with_a_zero_gradient(lr, weight_decay):
    # With g = 0, Adam's part of the step is 0 / (0 + eps) = 0: the update is the decay alone.
    theta = np.array([1.5, -2.0, 0.25])
    opt = optlib.adamw(lr=lr, weight_decay=weight_decay)
    updates, _ = opt.update(np.zeros(3), opt.init(theta), theta)
    assert np.allclose(optlib.apply_updates(theta, updates), adam._adamw_decay(theta, lr, weight_decay),
                       rtol=1e-15, atol=0)
    p = torch.tensor(theta, dtype=torch.float64, requires_grad=True)
    p.grad = torch.zeros(3, dtype=torch.float64)
    torch.optim.AdamW([p], lr=lr, weight_decay=weight_decay).step()
    assert np.allclose(p.detach().numpy(), adam._adamw_decay(theta, lr, weight_decay), rtol=1e-15, atol=0)


# ---------------------------------------------------------------------------------------------------------------------
# first_step

def first_step(grad, lr=1e-3, beta1=0.9, beta2=0.999, eps=0.0):
    return -lr * np.sign(grad)


def first_step_simulated(grad, lr=1e-3, beta1=0.9, beta2=0.999, eps=0.0):
    # One step of Adam from m = v = 0, as the chapter's adam_step takes it.
    theta = np.zeros_like(grad)
    new_theta, _, _ = adam_step(theta, np.zeros_like(grad), np.zeros_like(grad), grad, 1, lr, beta1, beta2, eps)
    return new_theta - theta


def first_step_ratio(grad, lr=1e-3, beta1=0.9, beta2=0.999, eps=0.0):
    return -lr * grad / np.abs(grad)


def first_step_with_optlib(grad, lr=1e-3, beta1=0.9, beta2=0.999, eps=0.0):
    opt = optlib.adam(lr=lr, beta1=beta1, beta2=beta2, eps=eps)
    updates, _ = opt.update(grad, opt.init(np.zeros_like(grad)))
    return updates


@pytest.mark.parametrize("student", [first_step, first_step_simulated, first_step_ratio, first_step_with_optlib,
                                     lambda grad, lr=1e-3, beta1=0.9, beta2=0.999, eps=0.0: list(first_step(grad, lr))])
def test_adam_first_step_accepts_right_answers(student, capsys):
    assert adam.check_adam_first_step(student)
    assert capsys.readouterr().out == FIRST_OK + "\n"


FIRST_FORMULA = ("np.sign", "sign(grad)", "sign(g)", "-lr *", "-lr*", "- lr *", "lr * sign", "-η", "(1 - beta1) / ",
                 "(1 - beta1)/sqrt", "/ sqrt(1 - beta2", "/sqrt(1-beta2", "√")


def first_defaults(**defaults):
    def student(grad, **kwargs):
        return first_step_simulated(grad, **{**defaults, **kwargs})
    return student


FIRST_MISTAKES = [
    (lambda grad, lr=1e-3, beta1=0.9, beta2=0.999, eps=0.0: -lr * grad,
     "Its first step grows with the gradient; Adam's first step is lr in size whatever the gradient."),
    (lambda grad, lr=1e-3, beta1=0.9, beta2=0.999, eps=0.0: -lr * np.sign(grad) * (1 - beta1) / np.sqrt(1 - beta2),
     "That is the first step without bias correction."),
    (lambda grad, lr=1e-3, beta1=0.9, beta2=0.999, eps=0.0: -lr * np.sign(grad) / np.sqrt(1 - beta2),
     "It corrects m but not v"),
    (lambda grad, lr=1e-3, beta1=0.9, beta2=0.999, eps=0.0: -lr * np.sign(grad) * (1 - beta1),
     "It corrects v but not m"),
    (lambda grad, lr=1e-3, beta1=0.9, beta2=0.999, eps=0.0: lr * np.sign(grad), "Its update moves uphill"),
    (lambda grad, lr=1e-3, beta1=0.9, beta2=0.999, eps=0.0: lr * np.ones_like(grad),
     "It returns the step's length, not the signed update."),
    (lambda grad, lr=1e-3, beta1=0.9, beta2=0.999, eps=0.0: -np.sign(grad), "It applies no learning rate"),
    (lambda grad, lr=1e-3, beta1=0.9, beta2=0.999, eps=0.0: -lr * grad / np.linalg.norm(grad),
     "It normalises the gradient as a whole"),
    (first_defaults(eps=1e-8), "Its eps is not 0"),
]


@pytest.mark.parametrize(
    "student, fragment",
    FIRST_MISTAKES + [
        (lambda grad, lr=1e-3, beta1=0.9, beta2=0.999, eps=0.0: lr, "It returns the step's length"),
        (lambda grad, lr=1e-3, beta1=0.9, beta2=0.999, eps=0.0: np.abs(first_step(grad, lr)),
         "It returns the step's length"),
        (first_defaults(eps=1e-7), "Its eps is not 0"),
        (lambda grad, lr=1e-3, beta1=0.9, beta2=0.999, eps=0.0: first_step(grad, 2 * lr),
         "first_step(grad=[ 3.e+00, -1.e-03]) returned [-0.002,  0.002]: every coordinate goes the right way, but "
         "not by the right amount."),
        (lambda grad, lr=1e-3, beta1=0.9, beta2=0.999, eps=0.0: -lr * np.sign(grad) * (grad > 0),
         "first_step(grad=[ 3.e+00, -1.e-03]) returned [-0.001,  0.   ]: some coordinate goes the wrong way, or "
         "stays put."),
        (lambda grad, lr=0.01, beta1=0.9, beta2=0.999, eps=0.0: first_step(grad, lr),
         "first_step(grad=[ 3.e+00, -1.e-03]) returned [-0.01,  0.01]: every coordinate goes the right way"),
        (lambda grad, lr=1e-3, beta1=0.9, beta2=0.999, eps=0.0: first_step(grad, lr)[:1],
         "returned an array of shape (1,); expected an array of shape (2,)"),
        (lambda grad, lr=1e-3, beta1=0.9, beta2=0.999, eps=0.0: first_step(grad, lr) / 0 * 0, "which is not finite"),
        (lambda grad, lr=1e-3, beta1=0.9, beta2=0.999, eps=0.0: grad.__imul__(-lr) / np.abs(grad),
         "first_step(grad=[ 3.e+00, -1.e-03]): it changed its input array in place"),
        (lambda grad, lr=1e-3: first_step(grad, lr), "lr=0.1, beta1=0.5, beta2=0.9): calling it raised TypeError"),
        (lambda grad, lr=1e-3, beta1=0.9, beta2=0.999, eps=0.0: None, "it returned None"),
        (not_implemented, "first_step(grad=[ 3.e+00, -1.e-03]): not implemented yet"),
    ],
)
def test_adam_first_step_diagnoses(student, fragment, capsys):
    expect_failure(adam.check_adam_first_step, student, fragment, FIRST_FORMULA, capsys)


def test_adam_first_step_messages_do_not_give_the_formula():
    for _, message in adam._FIRST_MISTAKES:
        assert not any(formula in message for formula in FIRST_FORMULA), message


def test_adam_first_step_cases_tell_the_mistakes_apart():
    cases = adam._FIRST_CASES
    assert all(np.all(grad != 0) and np.all(np.abs(grad) != 1) for grad, *_ in cases)
    assert all(lr != 1 for _, lr, _, _ in cases) and cases[0][1:] == (1e-3, 0.9, 0.999)
    right = np.concatenate([adam._first_step(*case) for case in cases])
    seen = {}
    for wrong, message in adam._FIRST_MISTAKES:
        answer = np.concatenate([wrong(*case) * np.ones_like(case[0]) for case in cases])
        assert not np.allclose(answer, right, rtol=1e-6, atol=1e-9), message
        for other, other_message in seen.items():
            assert other_message == message or not np.allclose(answer, other, rtol=1e-6, atol=1e-9), message
        seen[tuple(answer)] = message
    for student, fragment in FIRST_MISTAKES:
        assert adam.check_adam_first_step(student).message.startswith(fragment)


@pytest.mark.parametrize("grad, lr, beta1, beta2", [(g, lr, b1, b2) for g, lr, b1, b2 in adam._FIRST_CASES])
def test_adam_first_step_is_optlibs_first_step(grad, lr, beta1, beta2):
    opt = optlib.adam(lr=lr, beta1=beta1, beta2=beta2, eps=0.0)
    updates, _ = opt.update(grad, opt.init(np.ones_like(grad)))
    assert np.allclose(updates, adam._first_step(grad, lr, beta1, beta2), rtol=1e-12, atol=0)


# ---------------------------------------------------------------------------------------------------------------------

def test_the_module_is_imported_by_the_package_but_not_re_exported():
    assert optlib.checks.adam is adam
    assert not any(hasattr(optlib.checks, name) for name in adam.__all__)
    assert adam.__all__ == ["check_adam_step", "check_adamw_decay", "check_adam_first_step"]
