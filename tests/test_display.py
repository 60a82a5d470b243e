"""optlib.display.source shows the package's own code, whole or just the algorithm."""
import inspect

import pytest

import optlib
from optlib.display import source, source_text


@pytest.mark.parametrize("name", list(optlib.OPTIMIZERS))
def test_step_is_the_per_leaf_update_taken_from_the_package(name):
    factory = optlib.OPTIMIZERS[name]
    step = source_text(factory, part="step")
    assert step.startswith("def step(g, theta")
    # the very lines of the package (dedented), not a copy
    module_source = inspect.getsource(inspect.getmodule(factory))
    for line in step.splitlines():
        assert line.strip() in module_source
    assert "leafwise" not in step and "need_params" not in step  # no plumbing
    # the same for a configured rule as for its factory
    assert source_text(factory(), part="step") == step


@pytest.mark.parametrize("name", list(optlib.OPTIMIZERS))
@pytest.mark.parametrize("part", ["step", "update"])
def test_the_algorithm_fits_a_book_page(name, part):
    # the book's code cells and outputs keep to 86 characters (no sideways scrolling)
    text = source_text(optlib.OPTIMIZERS[name], part=part)
    assert max(len(line) for line in text.splitlines()) <= 86


def test_update_shows_the_per_step_numbers_and_the_step():
    text = source_text(optlib.adam, part="update")
    assert text.startswith("def update(grads, state, params=None):")
    assert "bias1, bias2 = 1 - beta1**t, 1 - beta2**t" in text
    assert "def step(g, theta, m, v, v_max):" in text


def test_whole_object_without_docstring_by_default():
    text = source_text(optlib.sgd)
    assert text.startswith("def sgd(") and "Gradient descent, optionally with momentum" not in text
    assert "Gradient descent, optionally with momentum" in source_text(optlib.sgd, docstring=True)
    assert source(optlib.sgd, part="step").data == source_text(optlib.sgd, part="step")


def test_bad_part():
    with pytest.raises(ValueError, match=r"part must be one of \(None, 'update', 'step'\), got 'body'"):
        source_text(optlib.sgd, part="body")
    with pytest.raises(TypeError, match=r"part='step' needs an optlib optimizer or its factory"):
        source_text(optlib.minimize, part="step")
