"""Checks for the coding exercises: they say *what* is wrong, not only that it is.

Each ``check_*`` function calls the student's function on a few inputs,
compares with the right answer, and when it differs, recognises the common
mistakes ("your step moves uphill", "the learning rate is applied twice").
It prints one line of feedback and returns a :class:`Feedback`, which is
truthy when the answer is right, so ``assert check_gd_step(gd_step)`` works
as an nbgrader test.

There is one module per chapter: ``optlib.checks.gradient_descent`` holds
chapter 1's checks, which are also here, as ``optlib.checks.check_gd_step``
and so on. Later chapters' checks are called through their module:
``optlib.checks.sgd`` holds chapter 2's (stochastic gradient descent), e.g.
``optlib.checks.sgd.check_sgd_epoch(sgd_epoch)``,
``optlib.checks.minibatch`` chapter 3's (mini-batch SGD), e.g.
``optlib.checks.minibatch.check_minibatch_indices(minibatch_indices)``,
``optlib.checks.momentum`` chapter 4's (momentum and Nesterov momentum), e.g.
``optlib.checks.momentum.check_momentum_step(momentum_step)``,
``optlib.checks.adagrad`` chapter 5's (AdaGrad), e.g.
``optlib.checks.adagrad.check_adagrad_step(adagrad_step)``,
``optlib.checks.rmsprop`` chapter 6's (RMSprop), e.g.
``optlib.checks.rmsprop.check_rmsprop_step(rmsprop_step)``,
``optlib.checks.adadelta`` chapter 7's (Adadelta), e.g.
``optlib.checks.adadelta.check_adadelta_step(adadelta_step)``,
``optlib.checks.adam`` chapter 8's (Adam and its family), e.g.
``optlib.checks.adam.check_adam_step(adam_step)``, and
``optlib.checks.training`` chapter 9's (putting it together), e.g.
``optlib.checks.training.check_training_loop(train)``.

.. rubric:: Adding a chapter's checks

1. Write ``optlib/checks/<chapter>.py`` (``sgd.py``, ``momentum.py``, ...)
   and add ``from . import <chapter>`` to ``optlib/checks/__init__.py``, so
   that ``import optlib`` is enough for a notebook. Touch no other chapter's
   module.
2. Most checks are one call to ``check_cases`` from ``optlib.checks._core``:
   the student's function, a few argument tuples, the reference
   implementation, and the *mistakes*, pairs of a wrong but plausible
   implementation and the message it deserves. The core runs the student's
   function on copies of the inputs (an exception, a ``None``, an input
   changed in place each become a message, never a crash), compares with
   tolerances, names a mistake only if it explains *every* case, and
   otherwise shows the first wrong case: not numbers, the wrong shape, NaN,
   or the value expected. A check that needs more is built from the same
   pieces: ``run``, ``close``, ``floats``, ``fmt`` and ``report`` (see
   ``check_gradient_descent``).
3. Choose the cases so that each mistake gives a different answer, give
   every check a docstring with a doctest of the right answer, and test
   each mistake in ``tests/test_checks_<chapter>.py``.

Messages are one line, in the chapter's symbols. The success message says
what was checked. A failure message says what is wrong and names the
mistake ("It normalises the gradient to length 1"); it does not give the
answer to copy.

>>> from optlib.checks._core import check_cases
>>> def check_double(double):
...     return check_cases(double, [(1.0,), (-3.0,)], lambda x: 2 * x,
...                        [(lambda x: x * x, "It squares x instead of doubling it.")],
...                        success="double is correct.", label=lambda x: f"double({x})")
>>> _ = check_double(lambda x: x ** 2)
✘ It squares x instead of doubling it.
"""
from . import adadelta
from . import adagrad
from . import adam
from . import gradient_descent
from . import minibatch
from . import momentum
from . import rmsprop
from . import sgd
from . import training
from ._core import Feedback
from .gradient_descent import check_gd_step, check_gradient_descent, check_optimal_lr, check_stable_lr

__all__ = ["Feedback", "check_gd_step", "check_gradient_descent", "check_stable_lr", "check_optimal_lr"]
