"""optlib.frameworks, the table of every optimizer of the book, checked against the frameworks it quotes.

- **torch and optlib** columns are read from the signatures by the module; here the two must agree (optlib
  follows torch), and the memory the module computes from optlib's state must equal the number of
  param-shaped tensors torch.optim keeps in ``optimizer.state[p]``.
- **Keras 3** (torch backend, through tests/test_frameworks.py's ``run_keras``) and **optax** (jax on CPU,
  float64; these tests skip without it): every name and default the table states against
  ``inspect.signature``, then 25 steps of ``oracle.random_run`` through the framework and through
  ``frameworks.equivalent``, at the defaults and at a large epsilon (0.1), which pins where epsilon goes.
  Cells the table calls exact must agree to 1e-10; the others must agree in the limit the table names
  (``exact_when``) and differ otherwise.
- **Lasagne** (Theano, not installable): against the NumPy transcription of lasagne/updates.py (commit 07ce3cc5)
  in tests/test_frameworks.py, plus the four rules transcribed here; the table's defaults must be the
  transcriptions' defaults.
"""
import inspect
import pathlib
import subprocess
import sys
from importlib import metadata

import numpy as np
import pytest
import torch

import optlib
from optlib import frameworks
from oracle import random_run
from test_frameworks import (
    assert_same_trace,
    displacement_gap,
    keras,
    lasagne_adadelta,
    lasagne_adagrad,
    lasagne_momentum,
    lasagne_nesterov_momentum,
    lasagne_rmsprop,
    run_keras,
    run_optlib,
)

OPTAX_MISSING = "optax and jax are not installed: pip install -r requirements-frameworks.txt (CI does)"
KEYS = ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adadelta", "adam", "amsgrad", "adamw", "adamax", "nadam")
LR = 0.01  # for a learning rate without a default (optax, Lasagne's sgd and momentum)
LARGE = dict(eps=0.1, lr=0.05)  # the large-epsilon runs: a larger rate too, so the runs leave the start
EPSILON = {"keras": "epsilon", "optax": "eps", "lasagne": "epsilon"}


# Lasagne's other rules, transcribed from lasagne/updates.py (Lasagne/Lasagne, commit 07ce3cc5) as in
# test_frameworks.py: `s` holds one parameter's theano.shared accumulators and the step count t_prev.
def lasagne_sgd(param, grad, s, learning_rate):
    return param - learning_rate * grad  # updates[param] = param - learning_rate * grad


def lasagne_adam(param, grad, s, learning_rate=0.001, beta1=0.9, beta2=0.999, epsilon=1e-8):
    t = s["t_prev"] = s.get("t_prev", 0.0) + 1  # t = t_prev + 1; updates[t_prev] = t
    a_t = learning_rate * np.sqrt(1 - beta2**t) / (1 - beta1**t)  # a_t = learning_rate*T.sqrt(one-beta2**t)/(one-beta1**t)
    s["m"] = beta1 * s.get("m", 0.0) + (1 - beta1) * grad  # m_t = beta1*m_prev + (one-beta1)*g_t
    s["v"] = beta2 * s.get("v", 0.0) + (1 - beta2) * grad**2  # v_t = beta2*v_prev + (one-beta2)*g_t**2
    return param - a_t * s["m"] / (np.sqrt(s["v"]) + epsilon)  # step = a_t*m_t/(T.sqrt(v_t) + epsilon)


def lasagne_amsgrad(param, grad, s, learning_rate=0.001, beta1=0.9, beta2=0.999, epsilon=1e-8):
    t = s["t_prev"] = s.get("t_prev", 0.0) + 1
    a_t = learning_rate * np.sqrt(1 - beta2**t) / (1 - beta1**t)
    s["m"] = beta1 * s.get("m", 0.0) + (1 - beta1) * grad
    s["v"] = beta2 * s.get("v", 0.0) + (1 - beta2) * grad**2
    s["v_hat"] = np.maximum(s.get("v_hat", 0.0), s["v"])  # v_hat_t = T.maximum(v_hat_prev, v_t)
    return param - a_t * s["m"] / (np.sqrt(s["v_hat"]) + epsilon)  # step = a_t*m_t/(T.sqrt(v_hat_t) + epsilon)


def lasagne_adamax(param, grad, s, learning_rate=0.002, beta1=0.9, beta2=0.999, epsilon=1e-8):
    t = s["t_prev"] = s.get("t_prev", 0.0) + 1
    a_t = learning_rate / (1 - beta1**t)  # a_t = learning_rate/(one-beta1**t)
    s["m"] = beta1 * s.get("m", 0.0) + (1 - beta1) * grad
    s["u"] = np.maximum(beta2 * s.get("u", 0.0), abs(grad))  # u_t = T.maximum(beta2*u_prev, abs(g_t))
    return param - a_t * s["m"] / (s["u"] + epsilon)  # step = a_t*m_t/(u_t + epsilon)


LASAGNE = {
    "lasagne.updates.sgd": lasagne_sgd,
    "lasagne.updates.momentum": lasagne_momentum,
    "lasagne.updates.nesterov_momentum": lasagne_nesterov_momentum,
    "lasagne.updates.adagrad": lasagne_adagrad,
    "lasagne.updates.rmsprop": lasagne_rmsprop,
    "lasagne.updates.adadelta": lasagne_adadelta,
    "lasagne.updates.adam": lasagne_adam,
    "lasagne.updates.amsgrad": lasagne_amsgrad,
    "lasagne.updates.adamax": lasagne_adamax,
}


@pytest.fixture(scope="module")
def optax():
    optax = pytest.importorskip("optax", reason=OPTAX_MISSING)
    import jax

    previous = jax.config.jax_enable_x64
    jax.config.update("jax_enable_x64", True)  # float64, as the other oracles
    yield optax
    jax.config.update("jax_enable_x64", previous)


def cells(*names):
    """(framework, key) for every cell of those frameworks that is not empty."""
    return [
        pytest.param(f, r.key, id=f"{f}-{r.key}")
        for f in names for r in frameworks.ROWS if getattr(r, f) is not None
    ]


def impl(framework, key):
    return frameworks.row(key)[framework]


def framework_kwargs(framework, key, large=False, **kwargs):
    """The framework's arguments for a run: a learning rate if it has no default, the large epsilon if asked."""
    cell = impl(framework, key)
    lr = "learning_rate"
    if large:
        kwargs = {lr: LARGE["lr"], EPSILON[framework]: LARGE["eps"], **kwargs}
    if cell.defaults.get(lr) in (frameworks.REQUIRED, None):  # optax's, Lasagne's sgd; optax.adadelta's None
        kwargs.setdefault(lr, LR)
    return kwargs


def run_optax(optax, name, kwargs, x0, grads):
    import jax.numpy as jnp

    opt = getattr(optax, name)(**kwargs)
    params = {p: jnp.asarray(v, dtype=jnp.float64) for p, v in x0.items()}
    state = opt.init(params)
    trace = []
    for g in grads:
        updates, state = opt.update({p: jnp.asarray(v, dtype=jnp.float64) for p, v in g.items()}, state, params)
        params = optax.apply_updates(params, updates)
        trace.append({p: np.asarray(v) for p, v in params.items()})
    assert all(v.dtype == np.float64 for v in trace[-1].values())
    return trace


def run_lasagne(rule, kwargs, x0, grads):
    params, accumulators, trace = dict(x0), {p: {} for p in x0}, []
    for g in grads:
        params = {p: rule(params[p], g[p], accumulators[p], **kwargs) for p in params}
        trace.append(params)
    return trace


def run_framework(framework, key, kwargs, x0, grads, optax=None):
    cell = impl(framework, key)
    kwargs = {**cell.select, **kwargs}
    name = cell.function.rsplit(".", 1)[1]
    if framework == "keras":
        return run_keras(name, kwargs, x0, grads)
    if framework == "optax":
        return run_optax(optax, name, kwargs, x0, grads)
    return run_lasagne(LASAGNE[cell.function], kwargs, x0, grads)


def run_both(framework, key, kwargs, optax=None):
    x0, grads = random_run()
    expected = run_framework(framework, key, kwargs, x0, grads, optax)
    opt = frameworks.equivalent(key, framework, **kwargs)
    return run_optlib(lambda t: opt, x0, grads), expected, x0


# ------------------------------------------------------------------ the table itself

def test_rows_are_the_books_optimizers():
    rows = frameworks.table()
    assert tuple(r["key"] for r in rows) == KEYS
    assert {frameworks.ROWS[i].optlib for i in range(len(KEYS))} == set(optlib.OPTIMIZERS)
    assert [r["chapter"] for r in rows] == sorted(r["chapter"] for r in rows)
    for r in rows:
        assert r["update"] and r["fixes"] and r["when"], r["key"]
    assert [k for k in KEYS if frameworks.row(k)["lasagne"] is None] == ["adamw", "nadam"]
    assert all(frameworks.row(k)[f] is not None for k in KEYS for f in ("optlib", "torch", "keras", "optax"))


SYMBOLS = {
    "lr": r"\eta", "momentum": r"\beta", "beta1": r"\beta_1", "beta2": r"\beta_2", "eps": r"\epsilon",
    "alpha": r"\alpha", "rho": r"\rho", "weight_decay": r"\lambda", "momentum_decay": r"\psi",
    "initial_accumulator_value": "s_",
}


@pytest.mark.parametrize("key", KEYS)
def test_update_formula_has_every_hyperparameter(key):
    # The formula is stated, not computed; at least every hyperparameter of the row appears in it by its symbol.
    r = frameworks.ROWS[KEYS.index(key)]
    update = r.update
    if "as Adam" in update or update.startswith("Adam with"):  # "m_t, v_t as Adam": Adam's formula completes it
        update += frameworks.ROWS[KEYS.index("adam")].update
    for h in r.hyper:
        assert SYMBOLS[h] in update, (key, h)


@pytest.mark.parametrize("key", KEYS)
def test_torch_and_optlib_columns_agree(key):
    # Both read from the signatures; optlib's names and defaults follow torch's (betas split in two).
    entry = frameworks.row(key)
    got = frameworks.equivalent(key, "torch")
    factory = getattr(optlib, frameworks.ROWS[KEYS.index(key)].optlib)
    assert dict(got.hyperparams) == dict(factory(**entry["optlib"].select).hyperparams)
    assert entry["torch"].defaults["lr"] == entry["optlib"].defaults["lr"] == inspect.signature(factory).parameters["lr"].default


def test_torch_column_is_read_from_torch():
    betas = inspect.signature(torch.optim.Adam).parameters["betas"].default
    assert frameworks.row("adam")["torch"].defaults == {"lr": 1e-3, "betas": betas, "eps": 1e-8}
    assert frameworks.row("adamw")["torch"].defaults["weight_decay"] == 0.01
    assert frameworks.row("nadam")["torch"].defaults["momentum_decay"] == 4e-3


def torch_buffers(key, **overrides):
    """How many tensors shaped like the param torch.optim keeps for it after one step."""
    r = frameworks.ROWS[KEYS.index(key)]
    cls = getattr(torch.optim, r.torch.function.rsplit(".", 1)[1])
    p = torch.zeros(2, 3, requires_grad=True)
    opt = cls([p], **{**r.torch.select, **overrides})
    p.grad = torch.ones(2, 3)
    opt.step()
    return sum(isinstance(v, torch.Tensor) and v.shape == p.shape for v in opt.state[p].values())


@pytest.mark.parametrize(
    "key, overrides",
    [(k, {}) for k in KEYS] + [("rmsprop", dict(centered=True)), ("rmsprop", dict(momentum=0.9))],
)
def test_memory_is_torchs(key, overrides):
    assert frameworks.buffers(key, **overrides) == torch_buffers(key, **overrides)


def test_memory_column():
    assert [frameworks.row(k)["buffers"] for k in KEYS] == [0, 1, 1, 1, 1, 2, 2, 3, 2, 2, 2]
    assert frameworks.row("rmsprop")["memory"] == "1 (centered: 2; momentum: 2)"


def test_markdown():
    text = frameworks.to_markdown()
    lines = text.splitlines()
    assert lines[0].startswith("| Optimizer | Update |") and lines[1] == "|" + "---|" * len(frameworks.COLUMNS)
    assert len([line for line in lines if line.startswith("| ")]) == 1 + len(KEYS)
    assert all(line.count(" | ") == len(frameworks.COLUMNS) - 1 for line in lines if line.startswith("| "))
    # each framework cell but the empty ones and optlib's has a numbered note; optlib's has none
    n_notes = sum(line[:1].isdigit() for line in lines)
    cells_with_notes = sum(bool(frameworks.row(k)[f] and (f != "torch" or frameworks.row(k)[f].note))
                           for k in KEYS for f in ("torch", "keras", "optax", "lasagne"))
    assert n_notes == cells_with_notes
    assert "`betas=(0.9, 0.999)`" in text and "`learning_rate=required`" in text and "`epsilon=1e-07`" in text
    assert "|" not in "".join(r.update for r in frameworks.ROWS)  # a pipe would split a table cell
    narrow = frameworks.to_markdown(["optimizer", "memory"], notes=False)
    assert narrow.splitlines()[2] == "| SGD | 0 |" and "[1]" not in narrow


def test_bad_input():
    with pytest.raises(ValueError, match=r"key must be one of 'sgd', .*'nadam'; got 'adamx'"):
        frameworks.row("adamx")
    with pytest.raises(TypeError, match="key must be a string"):
        frameworks.buffers(3)
    with pytest.raises(ValueError, match=r"framework must be one of 'optlib', 'torch', 'keras', 'optax', 'lasagne'; got 'jax'"):
        frameworks.equivalent("adam", "jax")
    with pytest.raises(ValueError, match="Lasagne has no AdamW"):
        frameworks.equivalent("adamw", "lasagne")
    with pytest.raises(ValueError, match="keras.optimizers.Adam has no argument betas"):
        frameworks.equivalent("adam", "keras", betas=(0.9, 0.99))
    with pytest.raises(ValueError, match="optax.adam needs learning_rate"):
        frameworks.equivalent("adam", "optax")
    with pytest.raises(ValueError, match="eps_in_sqrt=False has no optlib equivalent"):
        frameworks.equivalent("rmsprop", "optax", learning_rate=0.1, eps_in_sqrt=False)
    with pytest.raises(ValueError, match="columns must be one of"):
        frameworks.to_markdown(["optimizer", "speed"])


def test_import_needs_no_framework():
    # optlib (and this module) import no torch; the table reads torch's signatures, never Keras or optax.
    code = (
        "import sys, optlib.frameworks as f; assert 'torch' not in sys.modules; f.to_markdown(); "
        "print(sorted(m for m in ('torch', 'keras', 'optax', 'jax') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "['torch']"


# --------------------------------------------------------------- names and defaults, from the signatures

def framework_signature(framework, function, optax=None):
    name = function.rsplit(".", 1)[1]
    if framework == "keras":
        return inspect.signature(getattr(keras.optimizers, name).__init__)
    return inspect.signature(getattr(optax, name))


def check_cell(framework, key, signature):
    cell = impl(framework, key)
    params = signature.parameters
    for name, default in cell.defaults.items():
        assert name in params, f"{cell.function} has no argument {name}"
        actual = params[name].default
        assert (default is frameworks.REQUIRED) == (actual is inspect.Parameter.empty), (cell.function, name)
        if default is not frameworks.REQUIRED:
            assert actual == default and type(actual) is type(default), (cell.function, name, actual, default)
    for name in (*cell.select, *cell.to_optlib, *(cell.exact_when or {})):
        assert name in params, f"{cell.function} has no argument {name}"
    optlib_params = inspect.signature(getattr(optlib, frameworks.ROWS[KEYS.index(key)].optlib)).parameters
    for target in (*cell.to_optlib.values(), *cell.fixed):
        for t in (target if isinstance(target, tuple) else () if callable(target) else (target,)):
            assert t in optlib_params, (cell.function, t)


@pytest.mark.parametrize("framework, key", cells("keras"))
def test_keras_names_and_defaults(framework, key):
    check_cell(framework, key, framework_signature(framework, impl(framework, key).function))


@pytest.mark.parametrize("framework, key", cells("optax"))
def test_optax_names_and_defaults(framework, key, optax):
    check_cell(framework, key, framework_signature(framework, impl(framework, key).function, optax))


@pytest.mark.parametrize("framework, key", cells("lasagne"))
def test_lasagne_names_and_defaults(framework, key):
    # The table's Lasagne column and the transcriptions of lasagne/updates.py must quote the same defaults.
    signature = inspect.signature(LASAGNE[impl(framework, key).function])
    check_cell(framework, key, signature.replace(parameters=list(signature.parameters.values())[3:]))
    assert list(impl(framework, key).defaults) == list(signature.parameters)[3:]


# --------------------------------------------------------------- running the frameworks

def check_exact_or_limit(framework, key, large, optax=None):
    cell = impl(framework, key)
    kwargs = framework_kwargs(framework, key, large=large)
    if not cell.exact:
        kwargs.update(cell.exact_when)  # the limit in which the table says the two rules coincide
    got, expected, _ = run_both(framework, key, kwargs, optax)
    assert_same_trace(got, expected)


@pytest.mark.parametrize("framework, key", cells("keras", "lasagne"))
def test_runs_as_the_table_says(framework, key):
    check_exact_or_limit(framework, key, large=False)


@pytest.mark.parametrize("framework, key", [c for c in cells("keras", "lasagne") if EPSILON[c.values[0]] in impl(*c.values).defaults])
def test_runs_as_the_table_says_at_large_epsilon(framework, key):
    check_exact_or_limit(framework, key, large=True)


@pytest.mark.parametrize("framework, key", cells("optax"))
def test_optax_runs_as_the_table_says(framework, key, optax):
    check_exact_or_limit(framework, key, large=False, optax=optax)


@pytest.mark.parametrize("framework, key", [c for c in cells("optax") if "eps" in impl(*c.values).defaults])
def test_optax_runs_as_the_table_says_at_large_epsilon(framework, key, optax):
    check_exact_or_limit(framework, key, large=True, optax=optax)


# optax options the table's translation covers beyond the defaults (Keras's are in test_frameworks.py)
OPTAX_MORE = [
    pytest.param("rmsprop", dict(centered=True), id="rmsprop-centered"),
    pytest.param("rmsprop", dict(momentum=0.5), id="rmsprop-momentum"),
    pytest.param("rmsprop", dict(centered=True, momentum=0.5), id="rmsprop-centered-momentum"),
    pytest.param("adamw", dict(weight_decay=0.5), id="adamw-wd0.5"),
    pytest.param("adam", dict(eps_root=0.1, eps=0.0), id="adam-eps_root0.1"),
    pytest.param("nadam", dict(eps_root=0.1, eps=0.0, b1=0.5), id="nadam-eps_root0.1-b1"),
    pytest.param("adadelta", dict(learning_rate=0.5), id="adadelta-lr0.5"),
]


@pytest.mark.parametrize("key, kwargs", OPTAX_MORE)
def test_optax_options(key, kwargs, optax):
    got, expected, _ = run_both("optax", key, framework_kwargs("optax", key, large=True, **kwargs), optax)
    assert_same_trace(got, expected)


# Every cell the table calls not exact, and arguments at which it must differ from its optlib call by more than
# rounding: a large epsilon for the "epsilon hat" and u + eps forms (at the defaults Adamax's gap is only
# ~1e-10, see test_frameworks.test_keras_adamax_default_gap), the defaults for optax's AMSGrad.
DIFFERENT = {
    ("keras", "adam"): dict(learning_rate=0.01, epsilon=0.1),
    ("keras", "amsgrad"): dict(learning_rate=0.01, epsilon=0.1),
    ("keras", "adamw"): dict(learning_rate=0.01, epsilon=0.1),
    ("keras", "adamax"): dict(learning_rate=0.01, epsilon=0.1),
    ("lasagne", "adam"): dict(learning_rate=0.01, epsilon=0.1),
    ("lasagne", "amsgrad"): dict(learning_rate=0.01, epsilon=0.1),
    ("lasagne", "adamax"): dict(learning_rate=0.01, epsilon=0.1),
    ("optax", "amsgrad"): dict(learning_rate=0.01),
}


def test_every_inexact_cell_is_shown_to_differ():
    inexact = {(c.values[0], c.values[1]) for c in cells("keras", "optax", "lasagne") if not impl(*c.values).exact}
    assert inexact == set(DIFFERENT)


@pytest.mark.parametrize("framework, key", [pytest.param(*k, id="-".join(k)) for k in DIFFERENT])
def test_inexact_cells_differ(framework, key, request):
    optax = request.getfixturevalue("optax") if framework == "optax" else None
    got, expected, x0 = run_both(framework, key, DIFFERENT[framework, key], optax)
    assert displacement_gap(expected, got, x0) > 1e-5  # rounding gives < 1e-12


def test_optax_adadelta_without_learning_rate_climbs(optax):
    # The table's note: optax.adadelta() with its default learning_rate=None returns +Delta, so apply_updates
    # moves up the gradient: optlib.adadelta(maximize=True), the opposite of torch's default step.
    x0, grads = random_run()
    expected = run_optax(optax, "adadelta", {}, x0, grads)
    assert frameworks.row("adadelta")["optax"].same_as == "optlib.adadelta(lr=1.0, maximize=True)"
    assert_same_trace(run_optlib(lambda t: optlib.adadelta(maximize=True), x0, grads), expected)
    descent = run_optlib(lambda t: optlib.adadelta(), x0, grads)
    assert displacement_gap(expected, descent, x0) == pytest.approx(2.0)


def test_optax_nadam_needs_a_large_momentum_decay(optax):
    # optax's NAdam keeps mu_t = beta1; torch's default psi = 0.004 is far from it, psi = 0 (mu_t = beta1 / 2) too.
    x0, grads = random_run()
    expected = run_optax(optax, "nadam", dict(learning_rate=LR), x0, grads)
    for psi in (4e-3, 0.0):
        assert displacement_gap(expected, run_optlib(lambda t: optlib.nadam(lr=LR, momentum_decay=psi), x0, grads), x0) > 0.1


def test_requirements_frameworks_pins_what_was_checked():
    # Every line pins one version exactly; when optax is installed it is the version this table was read from.
    root = pathlib.Path(__file__).resolve().parent.parent
    pins = {}
    for line in (root / "requirements-frameworks.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, sep, pinned = line.partition("==")
            assert sep and pinned and " " not in line, f"not pinned exactly: {line!r}"
            pins[name] = pinned
    assert set(pins) == {"jax", "jaxlib", "optax", "opt-einsum"}
    for name, pinned in pins.items():
        try:
            assert metadata.version(name) == pinned, name
        except metadata.PackageNotFoundError:
            pass  # not installed: the optax tests skip
