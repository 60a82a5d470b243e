"""Bad input raises a clear error that names the argument and what is allowed."""
import math

import numpy as np
import pytest
import torch

import optlib

NON_NEGATIVE = ["lr", "eps", "eps_root", "weight_decay", "momentum_decay", "lr_decay", "initial_accumulator_value"]
UNIT_INTERVAL = ["beta1", "beta2", "alpha", "rho", "momentum"]
CLOSED_UNIT_INTERVAL = ["dampening"]
FLAGS = ["nesterov", "centered", "amsgrad", "maximize", "decoupled_weight_decay"]


def hyperparameter_cases():
    for name, factory in optlib.OPTIMIZERS.items():
        for arg in factory().hyperparams:
            if arg in NON_NEGATIVE:
                for bad in (-1e-3, math.nan, math.inf):
                    yield pytest.param(factory, arg, bad, ">= 0" if bad < 0 else "finite", id=f"{name}-{arg}={bad}")
            elif arg in UNIT_INTERVAL:
                for bad in (-0.1, 1.0, 1.5, math.nan):
                    yield pytest.param(factory, arg, bad, r"\[0, 1\)" if not math.isnan(bad) else "finite", id=f"{name}-{arg}={bad}")
            elif arg in CLOSED_UNIT_INTERVAL:
                for bad in (-0.1, 1.5, math.inf):
                    yield pytest.param(factory, arg, bad, r"\[0, 1\]" if not math.isinf(bad) else "finite", id=f"{name}-{arg}={bad}")


@pytest.mark.parametrize("factory, arg, bad, allowed", list(hyperparameter_cases()))
def test_invalid_hyperparameter_names_argument_and_range(factory, arg, bad, allowed):
    with pytest.raises(ValueError, match=rf"^{arg} must be .*{allowed}.*, got {bad}"):
        factory(**{arg: bad})


@pytest.mark.parametrize("name", list(optlib.OPTIMIZERS))
@pytest.mark.parametrize("bad", ["0.1", None, [0.1], True])
def test_non_numeric_hyperparameter_is_a_type_error(name, bad):
    with pytest.raises(TypeError, match="eps must be a real number|lr must be a real number"):
        arg = "eps" if "eps" in optlib.OPTIMIZERS[name]().hyperparams else "lr"
        optlib.OPTIMIZERS[name](**{arg: bad})


def test_every_argument_is_covered():
    names = {a for f in optlib.OPTIMIZERS.values() for a in f().hyperparams}
    assert names == set(NON_NEGATIVE) | set(UNIT_INTERVAL) | set(CLOSED_UNIT_INTERVAL) | set(FLAGS)


def test_nesterov_without_momentum():
    with pytest.raises(ValueError, match=r"nesterov=True requires momentum > 0 and dampening = 0 \(got momentum=0.0"):
        optlib.sgd(lr=0.1, nesterov=True)


def test_nesterov_with_dampening():
    # torch: "Nesterov momentum requires a momentum and zero dampening"
    with pytest.raises(ValueError, match=r"requires momentum > 0 and dampening = 0 \(got momentum=0.9, dampening=0.1\)"):
        optlib.sgd(lr=0.1, momentum=0.9, dampening=0.1, nesterov=True)


def flag_cases():
    for name, factory in optlib.OPTIMIZERS.items():
        for arg in factory().hyperparams:
            if arg in FLAGS:
                yield pytest.param(factory, arg, id=f"{name}-{arg}")


@pytest.mark.parametrize("factory, flag", list(flag_cases()))
def test_flags_must_be_bool(factory, flag):
    with pytest.raises(TypeError, match=rf"^{flag} must be True or False, got 1$"):
        factory(**{flag: 1})


@pytest.mark.parametrize("name", list(optlib.OPTIMIZERS))
@pytest.mark.parametrize(
    "bad, error, message",
    [
        (torch.tensor([0.1, 0.2]), ValueError, r"lr as a tensor must hold one floating-point number, got shape \(2,\)"),
        (torch.tensor(1), ValueError, r"lr as a tensor must hold one floating-point number, got shape \(\) of dtype torch.int64"),
        (torch.tensor(-0.1), ValueError, r"lr must be >= 0, got -0.1"),
        (torch.tensor(math.nan), ValueError, r"lr must be a finite number"),
    ],
    ids=["two-elements", "integer", "negative", "nan"],
)
def test_bad_tensor_lr(name, bad, error, message):
    with pytest.raises(error, match=message):
        optlib.OPTIMIZERS[name](lr=bad)


PARAMS = {"w": np.zeros((2, 3)), "b": [np.zeros(3), np.zeros(())]}


@pytest.mark.parametrize(
    "grads, message",
    [
        ({"w": np.zeros((3, 2)), "b": [np.zeros(3), np.zeros(())]}, r"grads\['w'\] has shape \(3, 2\) but params\['w'\] has shape \(2, 3\)"),
        ({"w": np.zeros((2, 3))}, r"grads does not match params: missing keys 'b'"),
        ({"w": np.zeros((2, 3)), "b": [np.zeros(3), np.zeros(())], "c": np.zeros(1)}, r"unexpected keys 'c'"),
        ({"w": np.zeros((2, 3)), "b": [np.zeros(3)]}, r"grads\['b'\] has length 1 but params\['b'\] has length 2"),
        ({"w": np.zeros((2, 3)), "b": np.zeros(3)}, r"grads\['b'\] is an array but params\['b'\] is a list"),
        ({"w": {"x": np.zeros(1)}, "b": [np.zeros(3), np.zeros(())]}, r"grads\['w'\] is a dict but params\['w'\] is an array"),
        (np.zeros(3), r"grads is an array but params is a dict"),
    ],
    ids=["shape", "missing-key", "extra-key", "length", "array-for-list", "dict-for-array", "array-for-dict"],
)
@pytest.mark.parametrize("name", ["sgd", "adam"])
def test_grads_that_do_not_match_params(name, grads, message):
    opt = optlib.OPTIMIZERS[name](momentum=0.9) if name == "sgd" else optlib.OPTIMIZERS[name]()
    state = opt.init(PARAMS)
    with pytest.raises(ValueError, match=message):
        opt.update(grads, state, PARAMS)


def test_plain_sgd_checks_grads_against_params():
    with pytest.raises(ValueError, match=r"grads\['w'\] has shape"):
        optlib.sgd().update({"w": np.zeros(2)}, optlib.sgd().init({"w": np.zeros(3)}), {"w": np.zeros(3)})


@pytest.mark.parametrize(
    "bad, message",
    [
        ("abc", r"params\['x'\] must be a floating-point array.*got str"),
        (None, r"got NoneType"),
        (np.array([1, 2, 3]), r"floating-point array, got ndarray of dtype int64.*astype\(float\)"),
        (np.array(["a"]), r"floating-point array, got ndarray of dtype <U1"),
        (np.array([1 + 2j]), r"dtype complex128"),
        (torch.tensor([1, 2]), r"floating-point tensor, got Tensor of dtype torch.int64"),
        (object(), r"got object"),
    ],
)
def test_non_numeric_params_are_a_type_error(bad, message):
    with pytest.raises(TypeError, match=message):
        optlib.adam().init({"x": bad})


def test_non_numeric_grads_are_a_type_error():
    opt = optlib.adam()
    with pytest.raises(TypeError, match=r"grads\[0\] must be a floating-point array"):
        opt.update(["oops"], opt.init([np.zeros(2)]))


def test_mixing_numpy_and_torch_is_a_type_error():
    opt = optlib.adam()
    with pytest.raises(TypeError, match="both be NumPy arrays or both be torch tensors"):
        opt.update(torch.zeros(2), opt.init(np.zeros(2)))


@pytest.mark.parametrize("name", list(optlib.OPTIMIZERS))
def test_weight_decay_needs_params(name):
    opt = optlib.OPTIMIZERS[name](weight_decay=0.1)
    with pytest.raises(ValueError, match=r"update\(\) needs params when weight_decay != 0"):
        opt.update(np.ones(2), opt.init(np.zeros(2)))


def test_apply_updates_checks_structure():
    with pytest.raises(ValueError, match=r"updates\['w'\] has shape \(2,\) but params\['w'\] has shape \(3,\)"):
        optlib.apply_updates({"w": np.zeros(3)}, {"w": np.zeros(2)})
