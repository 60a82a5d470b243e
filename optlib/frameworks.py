r"""Every optimizer of the book in one table, with its names and defaults in torch, Keras, optax and Lasagne.

One row per optimizer (SGD, momentum, Nesterov, AdaGrad, RMSprop, Adadelta,
Adam, AMSGrad, AdamW, Adamax, NAdam): its update, what it fixes, its memory,
its hyperparameters as each framework spells them, and when to use it.
:func:`table` returns the rows, :func:`to_markdown` renders them (a chapter
shows it with ``IPython.display.Markdown``), :func:`equivalent` builds the
optlib optimizer that reproduces a framework's optimizer.

What is computed, what is stated, what is verified:

- **Computed** when :func:`table` is called, so that they cannot drift:
  optlib's names and defaults (``inspect.signature`` of ``optlib.adam`` ...);
  torch's (``inspect.signature`` of ``torch.optim.Adam`` ...; torch is
  imported then, never when optlib is); the memory, the number of state
  arrays shaped like the parameter that optlib's ``init`` builds
  (:func:`buffers`); and each "same as optlib" call, the row's translation
  applied to the framework's defaults.
- **Stated** here as data: the update formulas (the rule each optlib
  docstring gives, in the book's symbols), what each optimizer fixes and
  when to use it; Keras's, optax's and Lasagne's function names,
  hyperparameter names and defaults; how each of their arguments maps to
  optlib's (``to_optlib``), and whether that reproduces them exactly.
- **Verified** by ``tests/test_framework_table.py``: Keras 3.15.1 (torch
  backend) and optax 0.2.8 (jax 0.10.2, float64) by ``inspect.signature``
  of every function named here, and by running each of them for 25 steps
  against :func:`equivalent` (equal to 1e-10, also at a large epsilon, which
  pins where it goes; where the table says "not exact", equal in the stated
  limit and different otherwise); Lasagne against a NumPy transcription of
  its source; the memory against the state torch.optim keeps.

Where the facts come from: torch 2.13 and optlib by introspection; Keras from
``keras.optimizers`` 3.15.1 (``keras/src/optimizers/*.py``); optax from
0.2.8's ``optax/_src/alias.py`` and ``transform.py`` (``scale_by_rss``,
``scale_by_rms``, ``scale_by_adam``, ``scale_by_amsgrad``, ...); Lasagne,
which needs Theano and cannot be installed, from ``lasagne/updates.py`` of
Lasagne/Lasagne at commit 07ce3cc5fda003447b16dfba922e2ed471294d74 (read
from the source: ``adagrad(loss_or_grads, params, learning_rate=1.0,
epsilon=1e-6)`` and so on).

In a Jupyter Book page, give the cell that displays :func:`to_markdown` the
metadata ``"mystnb": {"markdown_format": "myst"}``: myst-nb renders
``text/markdown`` outputs as plain CommonMark by default, without tables or
math.

>>> from optlib import frameworks
>>> [r["key"] for r in frameworks.table()][:4]
['sgd', 'momentum', 'nesterov', 'adagrad']
>>> adam = frameworks.row("adam")
>>> adam["buffers"], adam["torch"].defaults["betas"], adam["keras"].defaults["epsilon"]
(2, (0.9, 0.999), 1e-07)
>>> frameworks.row("adagrad")["optax"].same_as
'optlib.adagrad(lr=learning_rate, initial_accumulator_value=0.1, eps=0.0, eps_root=1e-07)'
>>> frameworks.equivalent("adagrad", "keras", epsilon=0.1)
adagrad(lr=0.001, lr_decay=0.0, weight_decay=0.0, initial_accumulator_value=0.1, eps=0.0, eps_root=0.1, maximize=False)
"""
import dataclasses
import inspect
import math
from types import MappingProxyType
from typing import Any, Mapping, Optional

import numpy as np

__all__ = ["FRAMEWORKS", "REQUIRED", "ROWS", "Impl", "Row", "buffers", "equivalent", "row", "table", "to_markdown"]

FRAMEWORKS = ("optlib", "torch", "keras", "optax", "lasagne")
_TITLES = {"optlib": "optlib", "torch": "torch.optim", "keras": "Keras 3", "optax": "optax", "lasagne": "Lasagne"}


class _Required:
    """The default of an argument that has none (optax's ``learning_rate``)."""

    def __repr__(self):
        return "required"


REQUIRED = _Required()


@dataclasses.dataclass(frozen=True)
class Impl:
    """One framework's version of one optimizer.

    ``function``: its full name. ``select``: the arguments that pick this
    row's variant (``{"amsgrad": True}``). ``defaults``: its hyperparameters
    in its own spelling and their defaults (:data:`REQUIRED` where there is
    none); for torch and optlib, filled in by :func:`table` from the
    signatures. ``to_optlib``: how each of its arguments maps to optlib's: a
    name, a tuple of names (torch's ``betas``), or a function of the value
    returning optlib arguments. ``fixed``: optlib arguments the translation
    also sets. ``exact_when``: None if the translation reproduces this
    optimizer exactly, else the arguments of this framework under which it
    does (the limit in which the two rules coincide). ``note``: where it
    differs from torch. Filled in by :func:`table`: ``same_as``, the optlib
    call its defaults translate to (equal to it if ``exact``), and ``limit``,
    the call equal to it under ``exact_when`` (if not exact).
    """

    function: str
    defaults: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    select: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    to_optlib: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    fixed: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    exact_when: Optional[Mapping[str, Any]] = None
    note: str = ""
    same_as: str = ""
    limit: str = ""

    def __post_init__(self):
        for name in ("defaults", "select", "to_optlib", "fixed", "exact_when"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, MappingProxyType):
                object.__setattr__(self, name, MappingProxyType(dict(value)))

    @property
    def exact(self):
        """Whether ``same_as`` reproduces it for every value of its arguments."""
        return self.exact_when is None


@dataclasses.dataclass(frozen=True)
class Row:
    """One optimizer. ``optlib``/``select``: the optlib factory and the
    arguments that make it this row (``adam``, ``{"amsgrad": True}``);
    ``hyper``: the optlib hyperparameters shown; ``variants``: other
    settings whose memory the table also gives."""

    key: str
    name: str
    chapter: int
    optlib: str
    select: Mapping[str, Any]
    hyper: tuple
    update: str
    fixes: str
    when: str
    torch: Impl
    keras: Optional[Impl]
    optax: Optional[Impl]
    lasagne: Optional[Impl]
    variants: Mapping[str, Mapping[str, Any]] = dataclasses.field(default_factory=dict)

    def __post_init__(self):
        object.__setattr__(self, "select", MappingProxyType(dict(self.select)))
        object.__setattr__(self, "variants", MappingProxyType({k: MappingProxyType(dict(v)) for k, v in self.variants.items()}))


def _optax_adadelta_lr(value):
    # optax.adadelta(learning_rate=None) leaves out scale_by_learning_rate, which is what flips the sign: it
    # returns +Delta, and optax.apply_updates then climbs. optlib says that with maximize=True.
    return {"lr": 1.0, "maximize": True} if value is None else {"lr": value}


_LR = {"learning_rate": "lr"}
_TORCH_BETAS = {"lr": "lr", "betas": ("beta1", "beta2"), "eps": "eps"}
_KERAS_ADAM = {"learning_rate": 1e-3, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7}
_KERAS_BETAS = {"learning_rate": "lr", "beta_1": "beta1", "beta_2": "beta2", "epsilon": "eps"}
_OPTAX_ADAM = {"learning_rate": REQUIRED, "b1": 0.9, "b2": 0.999, "eps": 1e-8, "eps_root": 0.0}
_OPTAX_BETAS = {"learning_rate": "lr", "b1": "beta1", "b2": "beta2", "eps": "eps", "eps_root": "eps_root"}
_LASAGNE_ADAM = {"learning_rate": 1e-3, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8}
_LASAGNE_BETAS = {"learning_rate": "lr", "beta1": "beta1", "beta2": "beta2", "epsilon": "eps"}

_EPSILON_HAT = (
    r"the paper's $\hat\epsilon$ form, $\eta\sqrt{1-\beta_2^t}/(1-\beta_1^t)\cdot m_t/(\sqrt{v_t}+\hat\epsilon)$: "
    r"torch's rule with a step-dependent $\epsilon = \hat\epsilon/\sqrt{1-\beta_2^t}$ ($31.6\,\hat\epsilon$ at $t=1$, "
    r"near $\hat\epsilon$ only after thousands of steps)"
)
_EPSILON_HAT_SHORT = r"in the $\hat\epsilon$ form (see Adam)"
_KERAS_MOMENTUM = (
    r"$v = \beta v - \eta g,\ \theta \mathrel{+}= v$: torch's rule at a constant learning rate; "
    "it differs once the rate changes (old rates stay in $v$)"
)

# The rows. Update formulas: the rule each optlib docstring states, in the book's symbols (notation.md).
ROWS = (
    Row(
        "sgd", "SGD", 2, "sgd", {}, ("lr",),
        update=r"$\theta_t = \theta_{t-1} - \eta\, g_t$",
        fixes="a full gradient costs a pass over the data",
        when="the baseline; with a decaying schedule",
        torch=Impl("torch.optim.SGD", to_optlib={"lr": "lr"}),
        keras=Impl("keras.optimizers.SGD", {"learning_rate": 0.01}, to_optlib=_LR),
        optax=Impl("optax.sgd", {"learning_rate": REQUIRED}, to_optlib=_LR),
        lasagne=Impl("lasagne.updates.sgd", {"learning_rate": REQUIRED}, to_optlib=_LR),
    ),
    Row(
        "momentum", "SGD + momentum", 4, "sgd", {"momentum": 0.9}, ("lr", "momentum"),
        update=r"$b_t = \beta b_{t-1} + g_t,\ \theta_t = \theta_{t-1} - \eta\, b_t$",
        fixes="gradient descent's zig-zag across narrow valleys",
        when="long runs with a schedule (vision nets)",
        torch=Impl("torch.optim.SGD", select={"momentum": 0.9}, to_optlib={"lr": "lr", "momentum": "momentum"},
                   note=r"momentum defaults to 0 (none); the buffer starts at $b_1 = g_1$"),
        keras=Impl("keras.optimizers.SGD", {"learning_rate": 0.01}, select={"momentum": 0.9},
                   to_optlib={**_LR, "momentum": "momentum"}, note=_KERAS_MOMENTUM),
        optax=Impl("optax.sgd", {"learning_rate": REQUIRED}, select={"momentum": 0.9},
                   to_optlib={**_LR, "momentum": "momentum"},
                   note=r"momentum defaults to None (none); its trace is torch's $b = \beta b + g$"),
        lasagne=Impl("lasagne.updates.momentum", {"learning_rate": REQUIRED, "momentum": 0.9},
                     to_optlib={**_LR, "momentum": "momentum"}, note="Keras's form (see there)"),
    ),
    Row(
        "nesterov", "Nesterov momentum", 4, "sgd", {"momentum": 0.9, "nesterov": True}, ("lr", "momentum"),
        update=r"$b_t = \beta b_{t-1} + g_t,\ \theta_t = \theta_{t-1} - \eta\,(g_t + \beta b_t)$",
        fixes="momentum's overshoot: the step looks ahead along $b_t$",
        when="wherever momentum is used; often a little faster",
        torch=Impl("torch.optim.SGD", select={"momentum": 0.9, "nesterov": True},
                   to_optlib={"lr": "lr", "momentum": "momentum", "nesterov": "nesterov"},
                   note="needs momentum > 0 and dampening = 0"),
        keras=Impl("keras.optimizers.SGD", {"learning_rate": 0.01}, select={"momentum": 0.9, "nesterov": True},
                   to_optlib={**_LR, "momentum": "momentum", "nesterov": "nesterov"}, note=_KERAS_MOMENTUM),
        optax=Impl("optax.sgd", {"learning_rate": REQUIRED}, select={"momentum": 0.9, "nesterov": True},
                   to_optlib={**_LR, "momentum": "momentum", "nesterov": "nesterov"}),
        lasagne=Impl("lasagne.updates.nesterov_momentum", {"learning_rate": REQUIRED, "momentum": 0.9},
                     to_optlib={**_LR, "momentum": "momentum"}, fixed={"nesterov": True},
                     note="Keras's form (see there)"),
    ),
    Row(
        "adagrad", "AdaGrad", 5, "adagrad", {}, ("lr", "initial_accumulator_value", "eps"),
        update=r"$s_t = s_{t-1} + g_t^2,\ \theta_t = \theta_{t-1} - \eta\, g_t / (\sqrt{s_t} + \epsilon)$",
        fixes="one learning rate for every coordinate",
        when="sparse features (text, recommenders); convex online learning",
        torch=Impl("torch.optim.Adagrad", to_optlib={"lr": "lr", "initial_accumulator_value": "initial_accumulator_value",
                                                     "eps": "eps"},
                   note=r"$\epsilon$ outside the root; $s_0 = 0$"),
        keras=Impl("keras.optimizers.Adagrad", {"learning_rate": 1e-3, "initial_accumulator_value": 0.1, "epsilon": 1e-7},
                   to_optlib={**_LR, "initial_accumulator_value": "initial_accumulator_value", "epsilon": "eps_root"},
                   fixed={"eps": 0.0}, note=r"$\epsilon$ inside the root, $s_0 = 0.1$"),
        optax=Impl("optax.adagrad", {"learning_rate": REQUIRED, "initial_accumulator_value": 0.1, "eps": 1e-7},
                   to_optlib={**_LR, "initial_accumulator_value": "initial_accumulator_value", "eps": "eps_root"},
                   fixed={"eps": 0.0}, note=r"$\epsilon$ inside the root, $s_0 = 0.1$"),
        lasagne=Impl("lasagne.updates.adagrad", {"learning_rate": 1.0, "epsilon": 1e-6},
                     to_optlib={**_LR, "epsilon": "eps_root"}, fixed={"eps": 0.0},
                     note=r"$\epsilon$ inside the root"),
    ),
    Row(
        "rmsprop", "RMSprop", 6, "rmsprop", {}, ("lr", "alpha", "eps"),
        update=r"$v_t = \alpha v_{t-1} + (1-\alpha)\, g_t^2,\ \theta_t = \theta_{t-1} - \eta\, g_t / (\sqrt{v_t} + \epsilon)$",
        fixes="AdaGrad never forgets: its steps only shrink",
        when="non-stationary problems: RNNs, reinforcement learning",
        torch=Impl("torch.optim.RMSprop", to_optlib={"lr": "lr", "alpha": "alpha", "eps": "eps"},
                   note=r"$\epsilon$ outside the root; `centered=True` divides by $\sqrt{v_t - \bar g_t^2} + \epsilon$; "
                        r"`momentum` $\beta$: $b_t = \beta b_{t-1} + g_t/(\sqrt{v_t}+\epsilon)$, $\theta_t = \theta_{t-1} - \eta b_t$"),
        keras=Impl("keras.optimizers.RMSprop", {"learning_rate": 1e-3, "rho": 0.9, "epsilon": 1e-7},
                   to_optlib={**_LR, "rho": "alpha", "epsilon": "eps_root", "momentum": "momentum", "centered": "centered"},
                   fixed={"eps": 0.0},
                   note=r'$\epsilon$ inside the root (its docstring calls it "epsilon hat": it is not); '
                        "`momentum` keeps $\\eta$ in the buffer (the same at a constant learning rate)"),
        optax=Impl("optax.rmsprop", {"learning_rate": REQUIRED, "decay": 0.9, "eps": 1e-8, "eps_in_sqrt": True},
                   to_optlib={**_LR, "decay": "alpha", "eps": "eps_root", "momentum": "momentum", "centered": "centered"},
                   fixed={"eps": 0.0},
                   note=r"$\epsilon$ inside the root (`eps_in_sqrt=False` puts it outside, as torch); "
                        "`momentum` keeps $\\eta$ in the buffer (the same at a constant learning rate)"),
        lasagne=Impl("lasagne.updates.rmsprop", {"learning_rate": 1.0, "rho": 0.9, "epsilon": 1e-6},
                     to_optlib={**_LR, "rho": "alpha", "epsilon": "eps_root"}, fixed={"eps": 0.0},
                     note=r"$\epsilon$ inside the root"),
        variants={"centered": {"centered": True}, "momentum": {"momentum": 0.9}},
    ),
    Row(
        "adadelta", "Adadelta", 7, "adadelta", {}, ("lr", "rho", "eps"),
        update=r"$v_t = \rho v_{t-1} + (1-\rho)\, g_t^2,\ \Delta_t = \frac{\sqrt{u_{t-1}+\epsilon}}{\sqrt{v_t+\epsilon}}\, g_t,\ "
               r"u_t = \rho u_{t-1} + (1-\rho)\,\Delta_t^2,\ \theta_t = \theta_{t-1} - \eta\,\Delta_t$",
        fixes="RMSprop still needs a learning rate (the units of the step)",
        when="rarely today: Adam with a tuned rate does better",
        torch=Impl("torch.optim.Adadelta", to_optlib={"lr": "lr", "rho": "rho", "eps": "eps"},
                   note=r"$\epsilon$ inside both roots; $u_t$ accumulates $\Delta_t^2$ without $\eta$"),
        keras=Impl("keras.optimizers.Adadelta", {"learning_rate": 1e-3, "rho": 0.95, "epsilon": 1e-7},
                   to_optlib={**_LR, "rho": "rho", "epsilon": "eps"},
                   note="torch's rule; its default lr 1e-3 makes every step 1/1000 of torch's (lr 1.0)"),
        optax=Impl("optax.adadelta", {"learning_rate": None, "rho": 0.9, "eps": 1e-6},
                   to_optlib={"learning_rate": _optax_adadelta_lr, "rho": "rho", "eps": "eps"},
                   note=r"with `learning_rate=None` (the default) it returns $+\Delta_t$: `apply_updates` climbs"),
        lasagne=Impl("lasagne.updates.adadelta", {"learning_rate": 1.0, "rho": 0.95, "epsilon": 1e-6},
                     to_optlib={**_LR, "rho": "rho", "epsilon": "eps"}),
    ),
    Row(
        "adam", "Adam", 8, "adam", {}, ("lr", "beta1", "beta2", "eps"),
        update=r"$m_t = \beta_1 m_{t-1} + (1-\beta_1)\, g_t,\ v_t = \beta_2 v_{t-1} + (1-\beta_2)\, g_t^2,\ "
               r"\theta_t = \theta_{t-1} - \eta\, \hat m_t / (\sqrt{\hat v_t} + \epsilon)$",
        fixes="RMSprop's noisy steps and start-up bias: momentum plus bias correction",
        when="the default first try: transformers, GANs, most networks",
        torch=Impl("torch.optim.Adam", to_optlib=_TORCH_BETAS,
                   note=r"Algorithm 1 of the paper: $\epsilon$ added to $\sqrt{\hat v_t}$"),
        keras=Impl("keras.optimizers.Adam", _KERAS_ADAM, to_optlib=_KERAS_BETAS, exact_when={"epsilon": 0.0},
                   note=_EPSILON_HAT),
        optax=Impl("optax.adam", _OPTAX_ADAM, to_optlib=_OPTAX_BETAS, note=r"torch's rule, plus `eps_root` inside the root"),
        lasagne=Impl("lasagne.updates.adam", _LASAGNE_ADAM, to_optlib=_LASAGNE_BETAS, exact_when={"epsilon": 0.0},
                     note=_EPSILON_HAT),
    ),
    Row(
        "amsgrad", "AMSGrad", 8, "adam", {"amsgrad": True}, ("lr", "beta1", "beta2", "eps"),
        update=r"Adam with $v^{\max}_t = \max(v^{\max}_{t-1}, v_t)$ in place of $v_t$, bias-corrected after the max",
        fixes=r"Adam's steps can grow again when $v_t$ shrinks (non-convergence)",
        when="when Adam's late steps blow up; rarely better in practice",
        torch=Impl("torch.optim.Adam", select={"amsgrad": True}, to_optlib={**_TORCH_BETAS, "amsgrad": "amsgrad"},
                   note=r"the max of the uncorrected $v_t$, then divided by $1-\beta_2^t$"),
        keras=Impl("keras.optimizers.Adam", _KERAS_ADAM, select={"amsgrad": True},
                   to_optlib={**_KERAS_BETAS, "amsgrad": "amsgrad"}, exact_when={"epsilon": 0.0},
                   note=r"the max of the uncorrected $v_t$ as torch, " + _EPSILON_HAT_SHORT),
        optax=Impl("optax.amsgrad", _OPTAX_ADAM, to_optlib=_OPTAX_BETAS, fixed={"amsgrad": True}, exact_when={"b2": 0.0},
                   note=r"the max of the bias-corrected $\hat v_t$: another rule, the same only when "
                        r"$\beta_2 = 0$ (no correction)"),
        lasagne=Impl("lasagne.updates.amsgrad", _LASAGNE_ADAM, to_optlib=_LASAGNE_BETAS, fixed={"amsgrad": True},
                     exact_when={"epsilon": 0.0}, note=r"the max of the uncorrected $v_t$ as torch, " + _EPSILON_HAT_SHORT),
    ),
    Row(
        "adamw", "AdamW", 8, "adamw", {}, ("lr", "beta1", "beta2", "eps", "weight_decay"),
        update=r"$\theta_t = \theta_{t-1} - \eta\, \hat m_t / (\sqrt{\hat v_t} + \epsilon) - \eta\lambda\,\theta_{t-1}$, "
               r"$m_t, v_t$ as Adam",
        fixes=r"Adam's L2 penalty is rescaled by $\hat v_t$: decay the weights directly",
        when="any Adam run that wants weight decay: transformers",
        torch=Impl("torch.optim.AdamW", to_optlib={**_TORCH_BETAS, "weight_decay": "weight_decay"},
                   note=r"$\theta \leftarrow (1 - \eta\lambda)\,\theta$ before the Adam step"),
        keras=Impl("keras.optimizers.AdamW", {**_KERAS_ADAM, "weight_decay": 0.004},
                   to_optlib={**_KERAS_BETAS, "weight_decay": "weight_decay"}, exact_when={"epsilon": 0.0},
                   note=r"decays as torch does, by $\eta\lambda\theta_{t-1}$ before the step; Adam " + _EPSILON_HAT_SHORT),
        optax=Impl("optax.adamw", {**_OPTAX_ADAM, "weight_decay": 1e-4},
                   to_optlib={**_OPTAX_BETAS, "weight_decay": "weight_decay"},
                   note=r"decays by $\eta\lambda\theta_{t-1}$ as torch; $\lambda$ = 1e-4 by default, torch's 0.01"),
        lasagne=None,
    ),
    Row(
        "adamax", "Adamax", 8, "adamax", {}, ("lr", "beta1", "beta2", "eps"),
        update=r"$m_t$ as Adam, $u_t = \max(\beta_2 u_{t-1}, \lvert g_t\rvert + \epsilon),\ "
               r"\theta_t = \theta_{t-1} - \frac{\eta}{1-\beta_1^t}\, m_t / u_t$",
        fixes=r"Adam's $\sqrt{v_t}$ replaced by a max: a bounded step, no second bias correction",
        when="embeddings and other sparse or heavy-tailed gradients",
        torch=Impl("torch.optim.Adamax", to_optlib=_TORCH_BETAS, note=r"$\epsilon$ inside the max"),
        keras=Impl("keras.optimizers.Adamax", _KERAS_ADAM, to_optlib=_KERAS_BETAS, exact_when={"epsilon": 0.0},
                   note=r"$u_t = \max(\beta_2 u_{t-1}, \lvert g_t\rvert)$, divided by $u_t + \epsilon$: "
                        "within 1e-8 of torch's rule at its default epsilon"),
        optax=Impl("optax.adamax", {"learning_rate": REQUIRED, "b1": 0.9, "b2": 0.999, "eps": 1e-8},
                   to_optlib={**_LR, "b1": "beta1", "b2": "beta2", "eps": "eps"}),
        lasagne=Impl("lasagne.updates.adamax", {**_LASAGNE_ADAM, "learning_rate": 2e-3}, to_optlib=_LASAGNE_BETAS,
                     exact_when={"epsilon": 0.0}, note=r"Keras's form: $\epsilon$ added to $u_t$ after the max"),
    ),
    Row(
        "nadam", "NAdam", 8, "nadam", {}, ("lr", "beta1", "beta2", "eps", "momentum_decay"),
        update=r"$\theta_t = \theta_{t-1} - \eta\, \bigl(\frac{1-\mu_t}{1-\prod_{i\le t}\mu_i}\, g_t "
               r"+ \frac{\mu_{t+1}}{1-\prod_{i\le t+1}\mu_i}\, m_t\bigr) / (\sqrt{\hat v_t} + \epsilon)$, "
               r"$\mu_t = \beta_1\bigl(1 - \tfrac12\, 0.96^{t\psi}\bigr)$, $m_t, v_t$ as Adam",
        fixes="Adam with Nesterov's look-ahead on $m_t$",
        when="as Adam; sometimes faster early on",
        torch=Impl("torch.optim.NAdam", to_optlib={**_TORCH_BETAS, "momentum_decay": "momentum_decay"},
                   note=r"momentum schedule $\mu_t$ with $\psi$ = `momentum_decay`"),
        keras=Impl("keras.optimizers.Nadam", _KERAS_ADAM, to_optlib=_KERAS_BETAS, fixed={"momentum_decay": 1.0},
                   note=r"$\mu_t = \beta_1(1 - \frac12 0.96^t)$: torch's schedule with $\psi = 1$, not 0.004"),
        optax=Impl("optax.nadam", _OPTAX_ADAM, to_optlib=_OPTAX_BETAS, fixed={"momentum_decay": 1000.0},
                   note=r"a constant $\mu_t = \beta_1$ (no schedule): torch's rule in the limit of a large $\psi$, "
                        r"exact in float64 from $\psi$ = 1000 ($0.96^{1000} \approx$ 2e-18)"),
        lasagne=None,
    ),
)

_KEYS = tuple(r.key for r in ROWS)


# ------------------------------------------------------------------ lookups

def _choice(name, value, allowed):
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a string, one of {', '.join(map(repr, allowed))}; got {value!r}")
    if value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, allowed))}; got {value!r}")
    return value


def _row(key):
    return ROWS[_KEYS.index(_choice("key", key, _KEYS))]


def _impl(r, framework):
    _choice("framework", framework, FRAMEWORKS)
    if framework == "optlib":
        return Impl(f"optlib.{r.optlib}", select=r.select, to_optlib={h: h for h in r.hyper})
    return getattr(r, framework)


def _optlib_factory(name):
    import optlib

    return getattr(optlib, name)


def _signature_defaults(function, names):
    params = inspect.signature(function).parameters
    missing = [n for n in names if n not in params]
    if missing:
        raise RuntimeError(f"{function.__qualname__} has no argument {', '.join(missing)}: the table is out of date")
    return {n: REQUIRED if params[n].default is inspect.Parameter.empty else params[n].default for n in names}


def _resolved_defaults(r, framework, impl):
    """The defaults as shown: read from the signatures for optlib and torch, stated for the others."""
    if framework == "optlib":
        return _signature_defaults(_optlib_factory(r.optlib), [h for h in r.hyper if h not in r.select])
    if framework == "torch":
        import torch  # only here: importing optlib must not import torch

        cls = getattr(torch.optim, impl.function.rsplit(".", 1)[1])
        return _signature_defaults(cls, [n for n in impl.to_optlib if n not in impl.select])
    return dict(impl.defaults)


def _translate(r, impl, args):
    """optlib's arguments for this framework's ``args`` (its names), with the row's and the cell's fixed ones."""
    kwargs = {**r.select, **impl.fixed}
    for name, value in args.items():
        target = impl.to_optlib.get(name)
        if target is None:
            if name in impl.defaults and value == impl.defaults[name]:
                continue  # an argument left at its default that optlib has no need of (eps_in_sqrt=True)
            known = sorted(set(impl.to_optlib) | set(impl.defaults))
            raise ValueError(
                f"{impl.function}'s argument {name}={value!r} has no optlib equivalent in this table "
                f"(it translates {', '.join(known)})"
            )
        if callable(target):
            kwargs.update(target(value))
        elif isinstance(target, tuple):
            kwargs.update(zip(target, value))
        else:
            kwargs[target] = value
    return kwargs


def _call_text(factory, kwargs, defaults):
    shown = {k: v for k, v in kwargs.items() if k == "lr" or defaults.get(k, REQUIRED) != v}
    args = ", ".join(f"{k}={_text(v)}" for k, v in shown.items())
    return f"optlib.{factory}({args})"


def _text(value):
    if isinstance(value, str):  # a placeholder for a required value: its name
        return value
    return repr(value)


def _resolve(r, framework):
    impl = _impl(r, framework)
    if impl is None:
        return None
    defaults = _resolved_defaults(r, framework, impl)
    if framework == "optlib":
        return dataclasses.replace(impl, defaults=defaults, same_as=_call_text(r.optlib, {**r.select}, {}))
    impl = dataclasses.replace(impl, defaults=defaults)
    # a required argument (optax's learning_rate) shows as its name: optlib.sgd(lr=learning_rate)
    args = {k: (k if v is REQUIRED else v) for k, v in {**defaults, **impl.select}.items()}
    same_as = _optlib_text(r, _translate(r, impl, args))
    limit = "" if impl.exact else _optlib_text(r, _translate(r, impl, {**args, **impl.exact_when}))
    return dataclasses.replace(impl, same_as=same_as, limit=limit)


def _optlib_text(r, kwargs):
    """``optlib.name(...)`` with ``lr`` and the arguments that differ from optlib's defaults, in its order."""
    defaults = {k: p.default for k, p in inspect.signature(_optlib_factory(r.optlib)).parameters.items()}
    kwargs = {k: kwargs[k] for k in sorted(kwargs, key=list(defaults).index)}
    return _call_text(r.optlib, kwargs, defaults)


# --------------------------------------------------------------- public API

def buffers(key, **overrides):
    """The memory of optimizer ``key``: how many arrays shaped like the parameter its optlib state holds.

    Computed from optlib's own state (``init`` on a 2x3 array), not stated:
    counters and scalars (``count``, NAdam's ``mu_product``) are not counted.
    ``overrides`` are optlib arguments (``buffers("rmsprop", centered=True)``).

    >>> buffers("sgd"), buffers("momentum"), buffers("adam"), buffers("amsgrad"), buffers("rmsprop", centered=True)
    (0, 1, 2, 3, 2)
    """
    r = _row(key)
    param = np.zeros((2, 3))
    state = _optlib_factory(r.optlib)(**{**r.select, **overrides}).init(param)
    return sum(isinstance(x, np.ndarray) and x.shape == param.shape for x in state)


def row(key):
    """The row of optimizer ``key`` (one of ``ROWS``' keys), as :func:`table` gives it."""
    return _entry(_row(key))


def _entry(r):
    memory = str(buffers(r.key))
    if r.variants:
        memory += " (" + "; ".join(f"{name}: {buffers(r.key, **kw)}" for name, kw in r.variants.items()) + ")"
    entry = {
        "key": r.key, "optimizer": r.name, "chapter": r.chapter, "update": r.update, "fixes": r.fixes,
        "buffers": buffers(r.key), "memory": memory, "when": r.when,
    }
    entry.update({f: _resolve(r, f) for f in FRAMEWORKS})
    return entry


def table():
    """Every optimizer of the book, in the order the book teaches them: a list of dicts.

    Each has ``key``, ``optimizer`` (its name), ``chapter``, ``update`` (LaTeX),
    ``fixes``, ``buffers`` (an int, see :func:`buffers`), ``memory`` (the
    same with variants, as text), ``when``, and one ``Impl`` per
    framework in ``FRAMEWORKS`` (None where the framework has no such
    optimizer), with ``defaults`` and ``same_as`` filled in.
    """
    return [_entry(r) for r in ROWS]


def equivalent(key, framework, **kwargs):
    """The optlib optimizer that reproduces ``framework``'s version of ``key``, called with ``kwargs``.

    ``kwargs`` are that framework's own arguments (``epsilon=0.1`` for
    Keras); the others take their defaults, and a required one (optax's
    ``learning_rate``) must be given. Where the table says the translation
    is not exact (``Impl.exact_when``), the result reproduces it only under
    those arguments.

    >>> equivalent("rmsprop", "optax", learning_rate=0.1)
    rmsprop(lr=0.1, alpha=0.9, eps=0.0, weight_decay=0.0, momentum=0.0, centered=False, eps_root=1e-08, maximize=False)
    >>> equivalent("nadam", "lasagne")
    Traceback (most recent call last):
    ValueError: Lasagne has no NAdam (framework='lasagne', key='nadam')
    """
    r = _row(key)
    impl = _impl(r, framework)
    if impl is None:
        raise ValueError(f"{_TITLES[framework]} has no {r.name} (framework={framework!r}, key={key!r})")
    impl = dataclasses.replace(impl, defaults=_resolved_defaults(r, framework, impl))
    known = set(impl.defaults) | set(impl.select) | set(impl.to_optlib)
    unknown = sorted(set(kwargs) - known)
    if unknown:
        raise ValueError(
            f"{impl.function} has no argument {', '.join(unknown)} in this table; "
            f"its arguments here: {', '.join(sorted(known))}"
        )
    args = {**impl.defaults, **impl.select, **kwargs}
    missing = [k for k, v in args.items() if v is REQUIRED]
    if missing:
        raise ValueError(f"{impl.function} needs {', '.join(missing)} (it has no default)")
    return _optlib_factory(r.optlib)(**_translate(r, impl, args))


COLUMNS = ("optimizer", "update", "fixes", "memory", *FRAMEWORKS, "when")
_HEADERS = {
    "optimizer": "Optimizer", "update": "Update", "fixes": "Fixes", "memory": "Buffers per parameter",
    "when": "Use it for", **{f: _TITLES[f] for f in FRAMEWORKS},
}


def _cell_markdown(impl, framework, notes, marks):
    if impl is None:
        return "—"
    name = impl.function.split(".")[-1] if framework != "optlib" else impl.function
    select = ", ".join(f"{k}={v!r}" for k, v in impl.select.items())
    lines = [f"`{name}({select})`"]
    if impl.defaults:
        lines.append(", ".join(f"`{k}={_text(v) if v is not REQUIRED else 'required'}`" for k, v in impl.defaults.items()))
    # ": " rather than a line break: <br> is HTML, which the PDF (LaTeX) drops.
    text = ": ".join(lines)
    if framework in ("optlib", "torch"):
        if impl.note:
            notes.append(f"{_TITLES[framework]} `{name}`: {impl.note}.")
            text += f" [{len(notes)}]" if marks else ""
        return text
    if impl.exact:
        same = f"same as `{impl.same_as}`"
    else:
        limit = ", ".join(f"`{k}={v!r}`" for k, v in impl.exact_when.items())
        same = f"no optlib call reproduces it; with {limit} it is `{impl.limit}`"
    notes.append(f"{_TITLES[framework]} `{name}`: " + (f"{impl.note}; " if impl.note else "") + same + ".")
    return text + (f" [{len(notes)}]" if marks else "")


def to_markdown(columns=COLUMNS, notes=True):
    """The table as Markdown (MyST, with ``$...$`` math), for ``IPython.display.Markdown``.

    ``columns``: which of ``COLUMNS`` to show, in that order. Framework
    cells give the function, the arguments that select the row's variant and
    the hyperparameters' defaults; numbered notes below the table (``notes``)
    say where each differs from torch and which optlib call reproduces it.

    >>> print(to_markdown(["optimizer", "memory", "keras"], notes=False).splitlines()[3])
    | SGD + momentum | 1 | `SGD(momentum=0.9)`: `learning_rate=0.01` |
    """
    columns = list(columns)
    for c in columns:
        _choice("columns", c, COLUMNS)
    footnotes = []
    lines = [
        "| " + " | ".join(_HEADERS[c] for c in columns) + " |",
        "|" + "---|" * len(columns),
    ]
    for entry in table():
        cells = []
        for c in columns:
            cells.append(_cell_markdown(entry[c], c, footnotes, notes) if c in FRAMEWORKS else str(entry[c]))
        lines.append("| " + " | ".join(cells) + " |")
    if notes and footnotes:
        lines.append("")
        lines.extend(f"{i}. {n}" for i, n in enumerate(footnotes, start=1))
        lines.append("")
        lines.append(
            "Weight decay in the other optimizers: torch's `weight_decay` (and optlib's) adds "
            r"$\lambda\theta_{t-1}$ to $g_t$ (an L2 penalty); Keras's `weight_decay` argument, in every optimizer, "
            r"decays the weights directly by $\eta\lambda\theta$ as AdamW does; optax chains "
            "`add_decayed_weights`; Lasagne has none."
        )
    return "\n".join(lines) + "\n"
