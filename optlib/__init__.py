"""optlib: gradient-based optimizers from gradient descent to Adam.

Each optimizer is a factory (``optlib.adam(lr=...)``) returning an
:class:`Optimizer` with ``init(params) -> state`` and
``update(grads, state, params=None) -> (updates, state)``; add the updates
with :func:`apply_updates`. Names and defaults follow torch.optim, which is
also the test oracle. The same rules run on NumPy arrays and torch tensors.
"""
from . import schedules
from ._backend import ema
from ._base import Optimizer, apply_updates
from .adadelta import AdadeltaState, adadelta
from .adagrad import AdagradState, adagrad
from .adam import AdamState, adam, adamw
from .adamax import AdamaxState, adamax
from .nadam import NAdamState, nadam
from .rmsprop import RMSpropState, rmsprop
from .sgd import SGDState, sgd
from . import objectives  # noqa: E402  (test functions: optlib.objectives.rosenbrock() ...)
from . import datasets  # noqa: E402  (shipped data and mini-batches: optlib.datasets.load_digits() ...)
from .runner import Trajectory, minimize  # noqa: E402
from . import plotting  # noqa: E402  (optlib.plotting.contour, .trajectory, .compare ...)
from . import checks, display  # noqa: E402  (exercise checks; source() and glue() for notebooks)

OPTIMIZERS = {f.__name__: f for f in (sgd, adagrad, rmsprop, adadelta, adam, adamw, adamax, nadam)}

__version__ = "0.1.0"


def __getattr__(name):
    # The torch adapter imports torch (slow, and optional for NumPy users):
    # load it on first use.
    if name == "TorchOptimizer":
        from .torch_adapter import TorchOptimizer

        return TorchOptimizer
    raise AttributeError(f"module 'optlib' has no attribute {name!r}")
