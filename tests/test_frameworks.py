"""The "Other frameworks with optlib's arguments" claims of optlib's docstrings, checked against the frameworks.

Each docstring says which optlib arguments reproduce another framework's optimizer. Here each claim is run
against an oracle independent of optlib:

- **Keras 3** itself (torch backend, float64): 25 steps of the random gradients of ``oracle.random_run``
  (four float64 params, whose gradient scale changes from step to step) through ``keras.optimizers.X`` and
  through the optlib call the docstring names must agree to 1e-10. Every rule with an epsilon is also run at
  a large one (0.1): at the defaults, eps inside or outside the square root changes the result by < 1e-9,
  so only a large eps pins where it goes. The rules the docstrings call *not*
  reproducible (Keras's "epsilon hat" Adam/AdamW, Adamax's u + eps) are checked both ways: equal at
  epsilon = 0, different at epsilon = 0.1, and equal to the step-dependent eps the Adam docstring gives.
- **d2l** (Dive into Deep Learning, sections 12.7 and 12.8): its printed 20-step AdaGrad and RMSprop runs, which
  put eps = 1e-6 inside the root; with eps outside the printed 6 decimals change.
- **Lasagne** (Theano, not installable): a NumPy transcription of lasagne/updates.py.
- ``eps_root`` in Adam, AdamW and NAdam, which no framework has in exactly this form: closed forms by hand.
"""
import math
import os
import warnings

import numpy as np
import pytest
import torch


def torch_defaults():
    return torch.get_default_dtype(), torch.get_default_device(), torch.is_grad_enabled(), torch.get_num_threads()


# Keras reads KERAS_BACKEND once, when it is first imported; only the torch backend is installed. The variable
# is put back afterwards so that nothing else (e.g. the notebook kernels nbval starts) inherits it.
_previous_backend = os.environ.get("KERAS_BACKEND")
os.environ["KERAS_BACKEND"] = "torch"
TORCH_BEFORE_KERAS = torch_defaults()
try:
    import keras
finally:
    TORCH_AFTER_KERAS = torch_defaults()
    if _previous_backend is None:
        del os.environ["KERAS_BACKEND"]
    else:
        os.environ["KERAS_BACKEND"] = _previous_backend

import optlib  # noqa: E402
from oracle import RTOL, random_run  # noqa: E402

# torch 2.13's Tensor.__array__ takes no `copy` argument, so NumPy 2 warns when np.array() is given a tensor.
# Keras's torch Nadam does that on every step (core.convert_to_numpy(u_product_t_1)): nothing optlib can change.
NUMPY_COPY_WARNING = "__array__ implementation doesn't accept a copy keyword"


def run_keras(name, kwargs, x0, grads):
    """Keras 3's own ``keras.optimizers.<name>(**kwargs)`` on float64 variables; the params after each step."""
    previous = keras.config.floatx()
    # The optimizer creates its learning-rate variable in floatx: at float32, lr = 1e-3 would be off by 5e-8.
    keras.config.set_floatx("float64")
    try:
        opt = getattr(keras.optimizers, name)(**kwargs)
        variables = {p: keras.Variable(v, dtype="float64") for p, v in x0.items()}
        trace = []
        for g in grads:
            pairs = [(keras.ops.convert_to_tensor(g[p], dtype="float64"), v) for p, v in variables.items()]
            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", NUMPY_COPY_WARNING, DeprecationWarning)
                opt.apply_gradients(pairs)
            trace.append({p: v.value.detach().numpy().copy() for p, v in variables.items()})
    finally:
        keras.config.set_floatx(previous)
    # Keras really computed in float64: the params, and every optimizer variable but the step counter.
    assert all(v.value.dtype == torch.float64 for v in variables.values())
    state = {v.path: v.dtype for v in opt.variables if not v.path.endswith("/iteration")}
    assert state and set(state.values()) == {"float64"}, state
    return trace


def run_optlib(opt_at, x0, grads):
    """optlib on NumPy arrays; ``opt_at(t)`` is the rule used at step t = 1, 2, ... (the state is carried over)."""
    params = dict(x0)
    state = opt_at(1).init(params)
    trace = []
    for t, g in enumerate(grads, start=1):
        updates, state = opt_at(t).update(g, state, params)
        params = optlib.apply_updates(params, updates)
        trace.append(params)
    return trace


def assert_same_trace(got, expected):
    assert len(got) == len(expected)
    for step, (a, b) in enumerate(zip(got, expected), start=1):
        for p in b:
            np.testing.assert_allclose(a[p], b[p], rtol=RTOL, atol=0, err_msg=f"step {step}, param {p}")


def displacement_gap(a, b, x0):
    """max |(a - x0) - (b - x0)| / max |a - x0| over the last step: how far apart the two runs moved."""
    gap = max(np.max(np.abs(a[-1][p] - b[-1][p])) for p in x0)
    return gap / max(np.max(np.abs(a[-1][p] - x0[p])) for p in x0)


def optlib_rule(name, kwargs):
    opt = getattr(optlib, name)(**kwargs)
    return lambda t: opt


# Keras 3.15's constructor and arguments -> the optlib call the docstring says is identical. Rows at epsilon=0.1
# (with a larger lr, so the run leaves the start) pin where eps goes; the rows without arguments check the
# defaults the docstrings quote.
KERAS_SAME = [
    pytest.param("SGD", {}, "sgd", dict(lr=0.01), id="sgd-keras-default-lr"),
    pytest.param("SGD", dict(learning_rate=0.05, momentum=0.9), "sgd", dict(lr=0.05, momentum=0.9), id="sgd-momentum"),
    pytest.param("SGD", dict(learning_rate=0.05, momentum=0.9, nesterov=True),
                 "sgd", dict(lr=0.05, momentum=0.9, nesterov=True), id="sgd-nesterov"),
    pytest.param("Adagrad", {}, "adagrad", dict(lr=1e-3, initial_accumulator_value=0.1, eps=0, eps_root=1e-7),
                 id="adagrad-defaults"),
    pytest.param("Adagrad", dict(learning_rate=0.5, epsilon=0.1),
                 "adagrad", dict(lr=0.5, initial_accumulator_value=0.1, eps=0, eps_root=0.1), id="adagrad-eps0.1"),
    pytest.param("RMSprop", {}, "rmsprop", dict(lr=1e-3, alpha=0.9, eps=0, eps_root=1e-7), id="rmsprop-defaults"),
    pytest.param("RMSprop", dict(centered=True),
                 "rmsprop", dict(lr=1e-3, alpha=0.9, eps=0, eps_root=1e-7, centered=True), id="rmsprop-centered"),
    pytest.param("RMSprop", dict(momentum=0.5),
                 "rmsprop", dict(lr=1e-3, alpha=0.9, eps=0, eps_root=1e-7, momentum=0.5), id="rmsprop-momentum"),
    pytest.param("RMSprop", dict(learning_rate=0.1, epsilon=0.1),
                 "rmsprop", dict(lr=0.1, alpha=0.9, eps=0, eps_root=0.1), id="rmsprop-eps0.1"),
    pytest.param("RMSprop", dict(learning_rate=0.1, epsilon=0.1, centered=True, momentum=0.5),
                 "rmsprop", dict(lr=0.1, alpha=0.9, eps=0, eps_root=0.1, centered=True, momentum=0.5),
                 id="rmsprop-centered-momentum-eps0.1"),
    pytest.param("Adadelta", {}, "adadelta", dict(lr=1e-3, rho=0.95, eps=1e-7), id="adadelta-defaults"),
    pytest.param("Adadelta", dict(learning_rate=1.0, epsilon=0.1),
                 "adadelta", dict(lr=1.0, rho=0.95, eps=0.1), id="adadelta-eps0.1"),
    pytest.param("Nadam", {}, "nadam", dict(lr=1e-3, momentum_decay=1.0, eps=1e-7), id="nadam-defaults"),
    pytest.param("Nadam", dict(learning_rate=0.01, epsilon=0.1),
                 "nadam", dict(lr=0.01, momentum_decay=1.0, eps=0.1), id="nadam-eps0.1"),
    # "epsilon hat" and Adamax's u + eps: identical only without epsilon (the gradients are never exactly 0)
    pytest.param("Adam", dict(epsilon=0.0), "adam", dict(lr=1e-3, eps=0), id="adam-eps0"),
    pytest.param("Adam", dict(epsilon=0.0, amsgrad=True), "adam", dict(lr=1e-3, eps=0, amsgrad=True),
                 id="amsgrad-eps0"),
    pytest.param("AdamW", dict(epsilon=0.0), "adamw", dict(lr=1e-3, weight_decay=0.004, eps=0), id="adamw-eps0"),
    # Keras decays before the Adam step, by lr * wd, as torch does; decaying after it would be off by ~3e-7
    # relative at Keras's default decay (row above) and by O(1) here
    pytest.param("AdamW", dict(learning_rate=0.05, weight_decay=0.5, epsilon=0.0),
                 "adamw", dict(lr=0.05, weight_decay=0.5, eps=0), id="adamw-wd0.5-eps0"),
    pytest.param("Adamax", dict(epsilon=0.0), "adamax", dict(lr=1e-3, eps=0), id="adamax-eps0"),
]


@pytest.mark.parametrize("keras_name, keras_kwargs, name, kwargs", KERAS_SAME)
def test_keras_equals_optlib(keras_name, keras_kwargs, name, kwargs):
    x0, grads = random_run()
    assert_same_trace(run_optlib(optlib_rule(name, kwargs), x0, grads), run_keras(keras_name, keras_kwargs, x0, grads))


# Pairs that must NOT agree: the "not reproducible" claims (same epsilon, other placement), and each large-eps row
# above with eps moved to the other side of the root, which shows those rows do pin the placement.
KERAS_DIFFERENT = [
    pytest.param("Adam", {}, "adam", dict(lr=1e-3, eps=1e-7), id="adam-defaults"),
    pytest.param("Adam", dict(learning_rate=0.01, epsilon=0.1), "adam", dict(lr=0.01, eps=0.1), id="adam-eps0.1"),
    pytest.param("AdamW", dict(learning_rate=0.01, epsilon=0.1),
                 "adamw", dict(lr=0.01, weight_decay=0.004, eps=0.1), id="adamw-eps0.1"),
    # at the defaults Keras's and optlib's Adamax differ only by ~1e-10 (see test_keras_adamax_default_gap)
    pytest.param("Adamax", dict(learning_rate=0.01, epsilon=0.1), "adamax", dict(lr=0.01, eps=0.1),
                 id="adamax-eps0.1"),
    pytest.param("Adagrad", dict(learning_rate=0.5, epsilon=0.1),
                 "adagrad", dict(lr=0.5, initial_accumulator_value=0.1, eps=0.1), id="adagrad-eps-outside"),
    pytest.param("RMSprop", dict(learning_rate=0.1, epsilon=0.1),
                 "rmsprop", dict(lr=0.1, alpha=0.9, eps=0.1), id="rmsprop-eps-outside"),
    pytest.param("RMSprop", dict(learning_rate=0.1, epsilon=0.1, centered=True, momentum=0.5),
                 "rmsprop", dict(lr=0.1, alpha=0.9, eps=0.1, centered=True, momentum=0.5),
                 id="rmsprop-centered-momentum-eps-outside"),
    pytest.param("Nadam", dict(learning_rate=0.01, epsilon=0.1),
                 "nadam", dict(lr=0.01, momentum_decay=1.0, eps=0, eps_root=0.1), id="nadam-eps-inside"),
    pytest.param("Nadam", {}, "nadam", dict(lr=1e-3, eps=1e-7), id="nadam-torch-momentum-decay"),
]


@pytest.mark.parametrize("keras_name, keras_kwargs, name, kwargs", KERAS_DIFFERENT)
def test_keras_differs_from_optlib(keras_name, keras_kwargs, name, kwargs):
    x0, grads = random_run()
    expected = run_keras(keras_name, keras_kwargs, x0, grads)
    assert displacement_gap(expected, run_optlib(optlib_rule(name, kwargs), x0, grads), x0) > 1e-6


def test_keras_adamax_default_gap():
    # Keras: u = max(beta2 u, |g|), then / (u + eps); optlib/torch: u = max(beta2 u, |g| + eps). The divisors
    # agree whenever the max picks |g|, and after k steps in a row of beta2 u they differ by eps (1 - beta2^k).
    # So at the defaults (eps 1e-7) the runs do differ, but only by ~1e-10 of the distance travelled here.
    x0, grads = random_run()
    expected = run_keras("Adamax", {}, x0, grads)
    got = run_optlib(optlib_rule("adamax", dict(lr=1e-3, eps=1e-7)), x0, grads)
    assert 1e-12 < displacement_gap(expected, got, x0) < 1e-8


@pytest.mark.parametrize(
    "keras_name, keras_kwargs, name, kwargs",
    [
        pytest.param("Adam", {}, "adam", dict(lr=1e-3), id="adam-defaults"),
        pytest.param("Adam", dict(learning_rate=0.01, epsilon=0.1), "adam", dict(lr=0.01), id="adam-eps0.1"),
        pytest.param("Adam", dict(learning_rate=0.01, epsilon=0.1, amsgrad=True), "adam", dict(lr=0.01, amsgrad=True),
                     id="amsgrad-eps0.1"),
        pytest.param("AdamW", dict(learning_rate=0.01, weight_decay=0.5, epsilon=0.1),
                     "adamw", dict(lr=0.01, weight_decay=0.5), id="adamw-eps0.1"),
    ],
)
def test_keras_epsilon_hat_is_a_step_dependent_eps(keras_name, keras_kwargs, name, kwargs):
    # The Adam docstring: Keras's lr sqrt(1 - beta2^t) / (1 - beta1^t) m / (sqrt(v) + eps_hat) is optlib's rule
    # with eps = eps_hat / sqrt(1 - beta2^t) at step t (m and v do not depend on eps, so the state carries over).
    eps_hat = keras_kwargs.get("epsilon", 1e-7)
    x0, grads = random_run()
    expected = run_keras(keras_name, keras_kwargs, x0, grads)
    got = run_optlib(lambda t: getattr(optlib, name)(**kwargs, eps=eps_hat / math.sqrt(1 - 0.999**t)), x0, grads)
    assert_same_trace(got, expected)


def test_keras_backend_and_state():
    # KERAS_BACKEND is read only at Keras's first import: had another module imported it first, the oracle
    # would not be the torch backend. Importing Keras must not change torch's global defaults (the other tests
    # run in the same process), and run_keras must leave Keras's floatx as it found it.
    assert keras.backend.backend() == "torch"
    assert TORCH_AFTER_KERAS == TORCH_BEFORE_KERAS
    floatx = keras.config.floatx()
    x0, grads = random_run()
    run_keras("Nadam", {}, x0, grads[:1])
    assert keras.config.floatx() == floatx


# d2l (Zhang, Lipton, Li, Smola: Dive into Deep Learning), sections 12.7 and 12.8: 20 steps on
# f = 0.1 x1^2 + 2 x2^2 from (-5, -2), printed by d2l.train_2d as f'epoch {i + 1}, x1: {x1:f}, x2: {x2:f}'.
# Both put eps = 1e-6 inside the root: adagrad_2d's x1 -= eta / math.sqrt(s1 + eps) * g1 with s1 += g1 ** 2,
# rmsprop_2d's the same with s1 = gamma * s1 + (1 - gamma) * g1 ** 2.
D2L = {
    "adagrad-0.4": "epoch 20, x1: -2.382563, x2: -0.158591",  # 12.7.3, eta = 0.4
    "rmsprop-0.4-0.9": "epoch 20, x1: -0.010599, x2: 0.000000",  # 12.8.2, eta = 0.4, gamma = 0.9
}


def d2l_line(opt):
    x = np.array([-5.0, -2.0])
    state = opt.init(x)
    for _ in range(20):
        updates, state = opt.update(np.array([0.2 * x[0], 4.0 * x[1]]), state)
        x = optlib.apply_updates(x, updates)
    return f"epoch 20, x1: {x[0]:f}, x2: {x[1]:f}"


@pytest.mark.parametrize(
    "run, opt",
    [
        ("adagrad-0.4", optlib.adagrad(lr=0.4, eps=0.0, eps_root=1e-6)),
        ("rmsprop-0.4-0.9", optlib.rmsprop(lr=0.4, alpha=0.9, eps=0.0, eps_root=1e-6)),
    ],
    ids=["adagrad-0.4", "rmsprop-0.4-0.9"],
)
def test_d2l_printed_runs(run, opt):
    assert d2l_line(opt) == D2L[run]


@pytest.mark.parametrize(
    "run, opt, printed",
    [
        ("adagrad-0.4", optlib.adagrad(lr=0.4, eps=1e-6), "epoch 20, x1: -2.382564, x2: -0.158591"),
        ("adagrad-0.4", optlib.adagrad(lr=0.4, eps=0.0), "epoch 20, x1: -2.382562, x2: -0.158591"),
        ("rmsprop-0.4-0.9", optlib.rmsprop(lr=0.4, alpha=0.9, eps=1e-6), "epoch 20, x1: -0.010598, x2: 0.000000"),
    ],
    ids=["adagrad-eps-outside", "adagrad-no-eps", "rmsprop-eps-outside"],
)
def test_d2l_runs_depend_on_the_eps_placement(run, opt, printed):
    # eps outside the root (torch's placement), or no eps at all, moves the 6th decimal of x1
    assert d2l_line(opt) == printed != D2L[run]


# Lasagne's rules, transcribed from lasagne/updates.py (Lasagne/Lasagne, commit 07ce3cc5) for one parameter:
# `s` holds its theano.shared accumulators (zeros at the start), the return value is updates[param].
def lasagne_adagrad(param, grad, s, learning_rate=1.0, epsilon=1e-6):
    s["accu"] = s.get("accu", 0.0) + grad**2  # accu_new = accu + grad ** 2
    return param - (learning_rate * grad / np.sqrt(s["accu"] + epsilon))  # T.sqrt(accu_new + epsilon)


def lasagne_rmsprop(param, grad, s, learning_rate=1.0, rho=0.9, epsilon=1e-6):
    s["accu"] = rho * s.get("accu", 0.0) + (1 - rho) * grad**2  # accu_new = rho * accu + (one - rho) * grad ** 2
    return param - (learning_rate * grad / np.sqrt(s["accu"] + epsilon))  # T.sqrt(accu_new + epsilon)


def lasagne_adadelta(param, grad, s, learning_rate=1.0, rho=0.95, epsilon=1e-6):
    s["accu"] = rho * s.get("accu", 0.0) + (1 - rho) * grad**2  # accu_new = rho * accu + (one - rho) * grad ** 2
    delta_accu = s.get("delta_accu", 0.0)
    update = grad * np.sqrt(delta_accu + epsilon) / np.sqrt(s["accu"] + epsilon)  # using the 'old' delta_accu
    s["delta_accu"] = rho * delta_accu + (1 - rho) * update**2  # delta_accu_new = rho*delta_accu + (one-rho)*update**2
    return param - learning_rate * update


def lasagne_momentum(param, grad, s, learning_rate, momentum=0.9):
    sgd = param - learning_rate * grad  # updates = sgd(loss_or_grads, params, learning_rate)
    x = momentum * s.get("velocity", 0.0) + sgd  # apply_momentum: x = momentum * velocity + updates[param]
    s["velocity"] = x - param  # updates[velocity] = x - param
    return x  # updates[param] = x


def lasagne_nesterov_momentum(param, grad, s, learning_rate, momentum=0.9):
    sgd = param - learning_rate * grad
    x = momentum * s.get("velocity", 0.0) + sgd - param  # apply_nesterov_momentum: x = momentum*velocity + upd - param
    s["velocity"] = x  # updates[velocity] = x
    return momentum * x + sgd  # updates[param] = momentum * x + updates[param]


@pytest.mark.parametrize(
    "rule, hyper, name, kwargs",
    [
        pytest.param(lasagne_adagrad, {}, "adagrad", dict(lr=1.0, eps=0, eps_root=1e-6), id="adagrad-defaults"),
        pytest.param(lasagne_adagrad, dict(epsilon=0.1), "adagrad", dict(lr=1.0, eps=0, eps_root=0.1),
                     id="adagrad-eps0.1"),
        pytest.param(lasagne_rmsprop, {}, "rmsprop", dict(lr=1.0, alpha=0.9, eps=0, eps_root=1e-6),
                     id="rmsprop-defaults"),
        pytest.param(lasagne_rmsprop, dict(epsilon=0.1), "rmsprop", dict(lr=1.0, alpha=0.9, eps=0, eps_root=0.1),
                     id="rmsprop-eps0.1"),
        pytest.param(lasagne_adadelta, {}, "adadelta", dict(lr=1.0, rho=0.95, eps=1e-6), id="adadelta-defaults"),
        pytest.param(lasagne_adadelta, dict(epsilon=0.1), "adadelta", dict(lr=1.0, rho=0.95, eps=0.1),
                     id="adadelta-eps0.1"),
        pytest.param(lasagne_momentum, dict(learning_rate=0.05), "sgd", dict(lr=0.05, momentum=0.9), id="momentum"),
        pytest.param(lasagne_nesterov_momentum, dict(learning_rate=0.05),
                     "sgd", dict(lr=0.05, momentum=0.9, nesterov=True), id="nesterov_momentum"),
    ],
)
def test_lasagne_equals_optlib(rule, hyper, name, kwargs):
    x0, grads = random_run()
    params, accumulators, expected = dict(x0), {p: {} for p in x0}, []
    for g in grads:
        params = {p: rule(params[p], g[p], accumulators[p], **hyper) for p in params}
        expected.append(params)
    assert_same_trace(run_optlib(optlib_rule(name, kwargs), x0, grads), expected)


# eps_root in the Adam family, by hand. Under a constant gradient g, bias correction gives m_hat = g and
# v_hat = g^2 at every step, so each Adam step is exactly -lr g / sqrt(g^2 + eps_root) (with eps = 0).
G = np.array([1e-3, -0.05, 0.3, -2.0])  # from well below sqrt(eps_root) to well above it
THETA = np.array([0.5, -1.0, 2.0, -3.0])
E, LR, WD, T = 1e-2, 0.1, 0.2, 25


def adam_closed_form():
    return THETA - T * LR * G / np.sqrt(G**2 + E)


def adamw_closed_form():
    # theta_t = c theta_{t-1} - s with c = 1 - lr wd (decay first, at theta_{t-1}) and s the Adam step above
    c, s = 1 - LR * WD, LR * G / np.sqrt(G**2 + E)
    return c**T * THETA - s * (1 - c**T) / (1 - c)


def nadam_closed_form():
    # T = 1: m_1 = (1 - beta1) g, v_hat_1 = g^2, mu_t = beta1 (1 - 0.96^(0.004 t) / 2); torch's two terms
    # lr (1 - mu_1) / (1 - mu_1) g / r + lr mu_2 / (1 - mu_1 mu_2) m_1 / r, with r = sqrt(v_hat + eps_root)
    mu1, mu2 = (0.9 * (1 - 0.5 * 0.96 ** (0.004 * t)) for t in (1, 2))
    r = np.sqrt(G**2 + E)
    return THETA - LR * G / r - LR * mu2 / (1 - mu1 * mu2) * 0.1 * G / r


@pytest.mark.parametrize(
    "opt, steps, expected",
    [
        (optlib.adam(lr=LR, eps=0.0, eps_root=E), T, adam_closed_form()),
        (optlib.adamw(lr=LR, weight_decay=WD, eps=0.0, eps_root=E), T, adamw_closed_form()),
        (optlib.nadam(lr=LR, eps=0.0, eps_root=E), 1, nadam_closed_form()),
    ],
    ids=["adam", "adamw", "nadam"],
)
def test_eps_root_closed_form(opt, steps, expected):
    theta = THETA.copy()
    state = opt.init(theta)
    for _ in range(steps):
        updates, state = opt.update(G, state, theta)
        theta = optlib.apply_updates(theta, updates)
    np.testing.assert_allclose(theta, expected, rtol=1e-12, atol=0)
