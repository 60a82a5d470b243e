r"""Learning-rate schedules: functions of the step count :math:`k = 0, 1, 2, \dots`.

Pass one as ``lr`` to any optimizer: the update that follows :math:`k`
earlier ones uses :math:`\eta_k`. That is how torch counts too: its
schedulers are stepped after each ``optimizer.step()``, so the first update
uses the value at :math:`k = 0`.

>>> import optlib
>>> sched = optlib.schedules.step_decay(0.1, step_size=2, gamma=0.5)
>>> [sched(k) for k in range(5)]
[0.1, 0.1, 0.05, 0.05, 0.025]
>>> opt = optlib.sgd(lr=sched)
"""
import dataclasses
import math
import numbers

from ._base import non_negative

__all__ = ["constant", "step_decay", "exponential", "polynomial", "inverse_time", "cosine", "linear_warmup"]


def _positive_int(name, value):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {value!r}")
    if value < 1:
        raise ValueError(f"{name} must be >= 1, got {value}")
    return int(value)


def _positive(name, value):
    value = non_negative(name, value)
    if value == 0:
        raise ValueError(f"{name} must be > 0, got {value}")
    return value


def _step(k):
    if isinstance(k, bool) or not isinstance(k, numbers.Integral) or k < 0:
        raise ValueError(f"a schedule takes the step count k, an integer >= 0; got {k!r}")
    return int(k)


@dataclasses.dataclass(frozen=True)
class constant:
    r""":math:`\eta_k = \eta`.

    >>> constant(0.1)(1000)
    0.1
    """

    lr: float

    def __post_init__(self):
        object.__setattr__(self, "lr", non_negative("lr", self.lr))

    def __call__(self, k):
        _step(k)
        return self.lr


@dataclasses.dataclass(frozen=True)
class step_decay:
    r""":math:`\eta_k = \eta\, \gamma^{\lfloor k / s \rfloor}` with :math:`s` = ``step_size`` (torch's ``StepLR``).

    >>> step_decay(1.0, step_size=10, gamma=0.1)(25)
    0.010000000000000002
    """

    lr: float
    step_size: int
    gamma: float = 0.1

    def __post_init__(self):
        object.__setattr__(self, "lr", non_negative("lr", self.lr))
        object.__setattr__(self, "step_size", _positive_int("step_size", self.step_size))
        object.__setattr__(self, "gamma", non_negative("gamma", self.gamma))

    def __call__(self, k):
        return self.lr * self.gamma ** (_step(k) // self.step_size)


@dataclasses.dataclass(frozen=True)
class exponential:
    r""":math:`\eta_k = \eta\, \gamma^{k}` (torch's ``ExponentialLR``).

    >>> round(exponential(1.0, gamma=0.9)(2), 12)
    0.81
    """

    lr: float
    gamma: float

    def __post_init__(self):
        object.__setattr__(self, "lr", non_negative("lr", self.lr))
        object.__setattr__(self, "gamma", non_negative("gamma", self.gamma))

    def __call__(self, k):
        return self.lr * self.gamma ** _step(k)


@dataclasses.dataclass(frozen=True)
class polynomial:
    r""":math:`\eta_k = \eta\, (1 - \min(k, T)/T)^{p}` with :math:`T` = ``total_steps`` (torch's ``PolynomialLR``).

    ``power=1`` decays linearly to 0 at step :math:`T` and stays there.

    >>> [polynomial(1.0, total_steps=4)(k) for k in range(6)]
    [1.0, 0.75, 0.5, 0.25, 0.0, 0.0]
    """

    lr: float
    total_steps: int
    power: float = 1.0

    def __post_init__(self):
        object.__setattr__(self, "lr", non_negative("lr", self.lr))
        object.__setattr__(self, "total_steps", _positive_int("total_steps", self.total_steps))
        object.__setattr__(self, "power", non_negative("power", self.power))

    def __call__(self, k):
        return self.lr * (1 - min(_step(k), self.total_steps) / self.total_steps) ** self.power


@dataclasses.dataclass(frozen=True)
class inverse_time:
    r""":math:`\eta_k = \eta / (1 + \delta k)^{p}`, the classic 1-over-t decay.

    With ``power=1`` this is the Robbins-Monro rate :math:`\propto 1/k`
    (:math:`\sum\eta_k = \infty`, :math:`\sum\eta_k^2 < \infty`); ``power=0.5``
    gives :math:`1/\sqrt{k}`. torch's Adagrad ``lr_decay`` is this schedule
    with ``power=1``.

    >>> [inverse_time(1.0, decay_rate=1.0)(k) for k in range(4)]
    [1.0, 0.5, 0.3333333333333333, 0.25]
    """

    lr: float
    decay_rate: float
    power: float = 1.0

    def __post_init__(self):
        object.__setattr__(self, "lr", non_negative("lr", self.lr))
        object.__setattr__(self, "decay_rate", non_negative("decay_rate", self.decay_rate))
        object.__setattr__(self, "power", non_negative("power", self.power))

    def __call__(self, k):
        return self.lr / (1 + self.decay_rate * _step(k)) ** self.power


@dataclasses.dataclass(frozen=True)
class cosine:
    r""":math:`\eta_k = \eta_{\min} + \tfrac12(\eta - \eta_{\min})(1 + \cos(\pi \min(k, T) / T))`.

    Cosine annealing (Loshchilov and Hutter, SGDR, 2017) from ``lr`` to
    ``min_lr`` over ``total_steps`` :math:`T`, then constant. torch's
    ``CosineAnnealingLR`` agrees for :math:`k \le T` (after :math:`T` it
    rises again; optax's ``cosine_decay_schedule`` stays, like this one).

    >>> [round(cosine(1.0, total_steps=4)(k), 4) for k in range(6)]
    [1.0, 0.8536, 0.5, 0.1464, 0.0, 0.0]
    """

    lr: float
    total_steps: int
    min_lr: float = 0.0

    def __post_init__(self):
        object.__setattr__(self, "lr", non_negative("lr", self.lr))
        object.__setattr__(self, "total_steps", _positive_int("total_steps", self.total_steps))
        object.__setattr__(self, "min_lr", non_negative("min_lr", self.min_lr))

    def __call__(self, k):
        k = min(_step(k), self.total_steps)
        return self.min_lr + 0.5 * (self.lr - self.min_lr) * (1 + math.cos(math.pi * k / self.total_steps))


@dataclasses.dataclass(frozen=True)
class linear_warmup:
    r"""Linear warm-up over ``warmup_steps`` :math:`W`, then ``after``.

    .. math::

        \eta_k = \begin{cases}
            \eta'_0\,\bigl(f + (1 - f)\, k / W\bigr) & k < W \\
            \eta'_{k - W} & k \ge W
        \end{cases}

    where :math:`\eta'` is ``after`` (a schedule, or a number for a constant)
    and :math:`f` = ``start_factor`` in (0, 1] (default 1/3, torch's
    ``LinearLR``). The same as torch's ``SequentialLR([LinearLR(...),
    after], milestones=[W])``. Warm-up is used for large-batch training
    (Goyal et al., 2017) and with Adam.

    >>> [round(linear_warmup(0.3, warmup_steps=3)(k), 6) for k in range(5)]
    [0.1, 0.166667, 0.233333, 0.3, 0.3]
    """

    after: object
    warmup_steps: int
    start_factor: float = 1 / 3

    def __post_init__(self):
        if not callable(self.after):
            object.__setattr__(self, "after", constant(self.after))
        object.__setattr__(self, "warmup_steps", _positive_int("warmup_steps", self.warmup_steps))
        f = _positive("start_factor", self.start_factor)
        if f > 1:
            raise ValueError(f"start_factor must be in (0, 1], got {f}")
        object.__setattr__(self, "start_factor", f)

    def __call__(self, k):
        k = _step(k)
        if k < self.warmup_steps:
            return self.after(0) * (self.start_factor + (1 - self.start_factor) * k / self.warmup_steps)
        return self.after(k - self.warmup_steps)
