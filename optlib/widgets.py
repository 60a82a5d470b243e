"""Playgrounds: sliders that re-run optimizers and redraw their paths.

Two kinds, because the book is read two ways:

* :class:`Playground` needs a live kernel (Jupyter, Colab, Binder): moving a
  slider re-runs :func:`optlib.runner.minimize` for every optimizer shown and
  redraws the paths on the contours and the loss curves.
* :func:`static_playground` works on the static web page with no kernel: one
  or two sliders are linked in the browser (``jslink``) to stacks of frames
  computed in advance, one frame per combination of their values.

Both take the optimizers as configured rules, ``{"GD": optlib.sgd(lr=0.1),
"momentum": optlib.sgd(lr=0.1, momentum=0.9)}``, and describe each slider
with a ``Knob``: which hyperparameter it moves, over what range, and for
which of the rules. A slider rebuilds a rule with its factory,
``rule.factory(**{**rule.hyperparams, name: value})``, so every other
hyperparameter stays as the rule was configured.

Two more kinds of knob: one over a field of a rule's learning-rate schedule
(``Knob("decay_rate", 0, 1)`` for ``lr=schedules.inverse_time(...)``; a
``"lr"`` knob moves a schedule's initial ``lr``), and the settings of
stochastic gradient descent, applied to every run with seed 0:
``Knob("grad_noise", 0, 2)``, the standard deviation of Gaussian noise added
to every gradient (``minimize(..., grad_noise=...)``), and
``Knob("batch_size", 1, n)``, mini-batches of a
:class:`~optlib.objectives.FiniteSum` objective
(``minimize(..., batch_size=...)``, shuffled epochs).

Rendering dominates a slider update, so a :class:`Frame` draws the contours
and axes once, keeps that background as pixels, and per update only pastes
it back and draws the few changing lines (matplotlib's blitting).
"""
import base64
import dataclasses
import functools
import io
import itertools
import math
import numbers
from types import MappingProxyType
from typing import Optional

import numpy as np

from . import objectives as _objectives
from ._base import Optimizer
from .objectives import Objective
from .plotting import DPI, MARK_EVERY, WIDTH, _colors, _styles, contour
from .runner import _check_steps, minimize
from .sgd import sgd

__all__ = ["Knob", "Frame", "Playground", "static_playground", "default_objectives", "rule"]

# What a reader sees for a hyperparameter: the slider's label and the symbol in
# captions, the symbols of the book's notation page.
_LABELS = {
    "lr": "learning rate η", "momentum": "momentum β", "dampening": "dampening τ",
    "weight_decay": "weight decay λ", "alpha": "α", "beta1": "β₁", "beta2": "β₂", "rho": "ρ", "eps": "ε",
    "momentum_decay": "ψ", "grad_noise": "gradient noise σ", "decay_rate": "decay rate δ", "gamma": "γ",
    "batch_size": "batch size B",
}
_SYMBOLS = {
    "lr": "η", "momentum": "β", "dampening": "τ", "weight_decay": "λ", "alpha": "α", "beta1": "β₁",
    "beta2": "β₂", "rho": "ρ", "eps": "ε", "momentum_decay": "ψ", "grad_noise": "σ", "decay_rate": "δ",
    "gamma": "γ", "batch_size": "B",
}
# Knobs that set how every run is made, not a hyperparameter of a rule:
# keyword arguments of optlib.minimize.
_RUN_SETTINGS = ("grad_noise", "batch_size")


def default_objectives():
    """The 2-D objectives a playground offers by default, by display name."""
    return {
        "0.1 x₁² + 2 x₂² (ill-conditioned)": _objectives.ill_conditioned(),
        "x₁² + x₂² (round bowl)": _objectives.quadratic(np.diag([2.0, 2.0]), name="x₁² + x₂²"),
        "Rosenbrock": _objectives.rosenbrock(),
        "saddle x₁² − x₂²": _objectives.saddle(),
    }


# ------------------------------------------------------------------- knobs

def _real(what, value):
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{what} must be a real number, got {value!r} ({type(value).__name__})")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{what} must be finite, got {value}")
    return value


@dataclasses.dataclass(frozen=True)
class Knob:
    """A slider over one hyperparameter of some of a playground's optimizers.

    Parameters
    ----------
    name : str
        The hyperparameter as the optimizer's factory names it: ``"lr"``,
        ``"momentum"``, ``"alpha"``, ``"beta1"``, ...
    lo, hi : float
        The slider's range; in a kernel-free grid, the range its values must
        lie in.
    value : float, optional
        Where the live slider starts; default: the value the rules it moves
        were configured with.
    log : bool
        A logarithmic slider (for learning rates); needs ``lo > 0``.
    label : str, optional
        What the reader sees; default from the name (``"learning rate η"``,
        ``"momentum β"``, ``"β₁"``, ...).
    rules : list of str, optional
        Labels of the rules it moves. Default: every rule that has a
        hyperparameter ``name``. Gradient descent is ``sgd`` with momentum 0,
        so it has a ``"momentum"`` too: ``rules=["momentum"]`` leaves it alone.

    Examples
    --------
    >>> Knob("momentum", 0.0, 0.95, rules=["momentum"]).label
    'momentum β'
    >>> Knob("lr", 0.0, 1.0, log=True)
    Traceback (most recent call last):
    ...
    ValueError: Knob 'lr': a log slider needs lo > 0, got lo=0.0
    """

    name: str
    lo: float
    hi: float
    value: Optional[float] = None
    log: bool = False
    label: Optional[str] = None
    rules: Optional[tuple] = None

    def __post_init__(self):
        if not isinstance(self.name, str) or not self.name:
            raise TypeError(f"Knob name must be a hyperparameter's name (a str such as 'lr'), got {self.name!r}")
        what = f"Knob {self.name!r}"
        lo, hi = _real(f"{what}: lo", self.lo), _real(f"{what}: hi", self.hi)
        if not lo < hi:
            raise ValueError(f"{what}: lo must be < hi, got lo={lo:g}, hi={hi:g}")
        if not isinstance(self.log, bool):
            raise TypeError(f"{what}: log must be True or False, got {self.log!r}")
        if self.log and lo <= 0:
            raise ValueError(f"{what}: a log slider needs lo > 0, got lo={lo}")
        value = self.value
        if value is not None:
            value = _real(f"{what}: value", value)
            if not lo <= value <= hi:
                raise ValueError(f"{what}: value {value:g} is outside the slider's range [{lo:g}, {hi:g}]")
        if self.label is not None and not isinstance(self.label, str):
            raise TypeError(f"{what}: label must be a str, got {self.label!r}")
        rules = self.rules
        if rules is not None:
            # A bare string would be iterated letter by letter: take it as one label.
            rules = (rules,) if isinstance(rules, str) else tuple(rules)
            if not rules or not all(isinstance(r, str) for r in rules):
                raise TypeError(f"{what}: rules must be a non-empty list of rule labels (str), got {self.rules!r}")
        # Frozen dataclass: normalise the fields once, here.
        for field, v in (("lo", lo), ("hi", hi), ("value", value), ("rules", rules)):
            object.__setattr__(self, field, v)
        if self.label is None:
            object.__setattr__(self, "label", _LABELS.get(self.name, self.name))

    def check(self, value, where):
        """``value`` as a float, or ValueError if it is outside ``[lo, hi]``."""
        value = _real(where, value)
        if not self.lo <= value <= self.hi:
            raise ValueError(f"{where} = {value:g} is outside the range [{self.lo:g}, {self.hi:g}] of knob {self.name!r}")
        return value


def _fmt(value, digits=3):
    """A hyperparameter for a caption: 3 significant digits, more if a decay
    rate such as 0.9999 would print as 1."""
    for p in range(digits, 7):
        text = f"{value:.{p}g}"
        if not (0 < value < 1 and float(text) >= 1):
            break
    return text


def _as_rules(rules):
    """``{label: Optimizer}`` from one optimizer or a dict, checked."""
    if isinstance(rules, Optimizer):
        return {rules.name: rules}
    if not isinstance(rules, dict):
        raise TypeError(
            "rules must be an optlib optimizer (optlib.sgd(lr=0.1)) or a dict of label -> optimizer, "
            f"got {type(rules).__name__}"
        )
    if not rules:
        raise ValueError("rules is empty: give at least one optimizer, e.g. {'GD': optlib.sgd(lr=0.1)}")
    if any(isinstance(r, Objective) for r in rules.values()):
        raise TypeError("rules holds objectives: pass the objectives as objectives=..., the optimizers as rules")
    for label, rule in rules.items():
        if not isinstance(label, str):
            raise TypeError(f"rules: labels must be str, got {label!r}")
        if not isinstance(rule, Optimizer):
            raise TypeError(
                f"rules[{label!r}] must be a configured optlib optimizer (optlib.sgd(lr=0.1)), "
                f"got {type(rule).__name__}"
            )
    return dict(rules)


def _schedule_fields(rule):
    """The fields of ``rule``'s learning-rate schedule (a dataclass of optlib.schedules), else ()."""
    lr = rule.hyperparams.get("lr")
    if dataclasses.is_dataclass(lr) and not isinstance(lr, type):
        return tuple(field.name for field in dataclasses.fields(lr))
    return ()


def _has(rule, name):
    """Whether a knob over ``name`` can move ``rule``: a hyperparameter or a field of its schedule."""
    return name in rule.hyperparams or name in _schedule_fields(rule)


def _current(rule, name):
    """The value ``rule`` was configured with for ``name`` (a schedule's field, for a schedule)."""
    if name in _schedule_fields(rule):
        return getattr(rule.hyperparams["lr"], name)
    return rule.hyperparams[name]


def _targets(knob, rules):
    """The labels of the rules ``knob`` moves, checked against their hyperparameters."""
    def known(label):
        fields = _schedule_fields(rules[label])
        schedule = f" and a schedule with {', '.join(fields)}" if fields else ""
        return f"{label!r} ({rules[label].name}) has {', '.join(rules[label].hyperparams)}{schedule}"

    if knob.name in _RUN_SETTINGS:
        if knob.rules is not None:
            raise ValueError(f"Knob {knob.name!r} applies to every run; it takes no rules=[...]")
        if knob.name == "grad_noise" and knob.lo < 0:
            raise ValueError(f"Knob {knob.name!r} is a standard deviation: lo must be >= 0, got {knob.lo:g}")
        if knob.name == "batch_size" and knob.lo < 1:
            raise ValueError(f"Knob {knob.name!r} is a number of examples: lo must be >= 1, got {knob.lo:g}")
        return tuple(rules)
    if knob.rules is None:
        labels = tuple(label for label, rule in rules.items() if _has(rule, knob.name))
        if not labels:
            raise ValueError(
                f"Knob {knob.name!r}: no rule has a hyperparameter {knob.name!r} ("
                + "; ".join(known(label) for label in rules) + ")"
            )
        return labels
    for label in knob.rules:
        if label not in rules:
            raise ValueError(
                f"Knob {knob.name!r}: rules names {label!r}, which is not a rule here "
                f"(the rules are {', '.join(map(repr, rules))})"
            )
        if not _has(rules[label], knob.name):
            raise ValueError(f"Knob {knob.name!r}: rule {known(label)}, but no {knob.name!r}")
    return knob.rules


def _run_settings(values):
    """The keyword arguments of ``minimize`` among a rule's knob ``values`` (a batch size as an int)."""
    settings = {name: v for name, v in values.items() if name in _RUN_SETTINGS}
    if "batch_size" in settings:
        settings["batch_size"] = int(round(settings["batch_size"]))
    return settings


def _configure(label, rule, values):
    """``rule`` rebuilt by its factory with ``values`` changed; a clear error if they are invalid.

    A value for a field of the rule's schedule (``"lr"`` included) rebuilds
    the schedule with it; run settings (``grad_noise``) are not the rule's.
    """
    values = {name: v for name, v in values.items() if name not in _RUN_SETTINGS}
    if not values:
        return rule
    try:
        fields = _schedule_fields(rule)
        mine = {name: v for name, v in values.items() if name not in fields}
        theirs = {name: v for name, v in values.items() if name in fields}
        if theirs:
            schedule = rule.hyperparams["lr"]
            for name, v in theirs.items():  # an integer field (step_size) stays an integer
                if isinstance(getattr(schedule, name), int) and float(v).is_integer():
                    theirs[name] = int(v)
            mine["lr"] = dataclasses.replace(schedule, **theirs)
        return rule.factory(**{**rule.hyperparams, **mine})
    except (TypeError, ValueError) as err:
        args = ", ".join(f"{k}={v!r}" for k, v in values.items())
        raise ValueError(f"rule {label!r} ({rule.name}) cannot take {args}: {err}") from None


def _resolve(knobs, rules):
    """``[(knob, labels)]``, with no two knobs moving the same hyperparameter of one rule."""
    if isinstance(knobs, Knob):
        knobs = [knobs]
    if not isinstance(knobs, (list, tuple)):
        raise TypeError(f"knobs must be a list of Knob, got {type(knobs).__name__}")
    resolved, owner = [], {}
    for knob in knobs:
        if not isinstance(knob, Knob):
            raise TypeError(f"knobs must hold Knob objects (Knob('lr', 1e-3, 1.0, log=True)), got {knob!r}")
        labels = _targets(knob, rules)
        for label in labels:
            if (label, knob.name) in owner:
                raise ValueError(
                    f"knobs: two knobs move {knob.name!r} of rule {label!r} "
                    f"({owner[label, knob.name].label!r} and {knob.label!r}); give them disjoint rules=[...]"
                )
            owner[label, knob.name] = knob
        resolved.append((knob, labels))
    return resolved


def _caption(values, traj, digits=3):
    """``"η = 0.4, β = 0.9 — after 30 steps: f = 0.0107"`` for a rule run with ``values``."""
    args = ", ".join(f"{_SYMBOLS.get(name, name)} = {_fmt(v, digits)}" for name, v in values.items())
    return f"{args} — {describe(traj)}" if args else describe(traj)


# ------------------------------------------------------------------- frames

class Frame:
    """A reusable figure: contours + loss axes drawn once, paths blitted on top.

    ``label`` is one optimizer's label or a list of labels, one path and one
    loss curve each, in the color, line style and marker of
    :func:`optlib.plotting.color_for` and :func:`~optlib.plotting.style_for`
    (never two alike). A key under the plots shows each label's line and its
    caption.

    ``render(trajs, captions)`` returns PNG bytes; ``trajs`` is a Trajectory
    (one label) or a dict label -> Trajectory, ``captions`` likewise a str or
    a dict label -> str. ``steps`` fixes the loss axis' x range; the loss axis
    shows :math:`f(x_k) - f^*` on a log scale when the minimum value is known,
    else :math:`f(x_k)` on a linear scale. ``compress_level >= 6`` stores
    frames with a 256-colour palette (a third of the size).
    """

    KEY_LINE = 0.23  # inches of key per label, under the plots

    def __init__(self, objective, steps, label="gd", compress_level=1):
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        self.labels = [label] if isinstance(label, str) else list(label)
        if not self.labels or not all(isinstance(s, str) for s in self.labels):
            raise ValueError(f"label must be a str or a non-empty list of str, got {label!r}")
        n = len(self.labels)
        self.objective = objective
        self.compress_level = compress_level
        key = self.KEY_LINE * n + 0.12
        self.fig = Figure(figsize=(WIDTH, 3.6 + key), dpi=DPI, layout="constrained")
        self.canvas = FigureCanvasAgg(self.fig)
        grid = self.fig.add_gridspec(2, 2, width_ratios=[1.15, 1], height_ratios=[3.6, key])
        self.ax = self.fig.add_subplot(grid[0, 0])
        self.loss_ax = self.fig.add_subplot(grid[0, 1])
        self.key_ax = self.fig.add_subplot(grid[1, :])
        self.key_ax.set_axis_off()
        contour(objective, ax=self.ax)
        self.gap = objective.min_value is not None
        lo, hi = self._loss_range()
        self.loss_ax.set_xlim(0, max(steps, 1))
        self.loss_ax.set_ylim(lo, hi)
        if self.gap:
            self.loss_ax.set_yscale("log")
        self.loss_ax.set_xlabel("step $k$")
        self.loss_ax.set_ylabel("$f(x_k) - f^*$" if self.gap else "$f(x_k)$")
        self.loss_ax.grid(alpha=0.3)

        colors, styles = _colors(self.labels), _styles(self.labels)
        self.artists = {}
        names = []
        for i, name in enumerate(self.labels):
            kw = dict(animated=True, color=colors[name])
            style = styles[name]
            y = 1 - (i + 0.5) / n
            # Earlier paths are drawn wider, so where two runs coincide (momentum
            # 0 is gradient descent) the first still shows around the second.
            wider = (n - 1 - i) / max(n - 1, 1)  # 1 for the first of several, 0 for the last
            lw, ms = 1.2 + 2.0 * wider, 3.0 + 2.5 * wider
            # The key: a sample of the path, the label in bold, then the caption.
            self.key_ax.plot([0.004, 0.019, 0.034], [y, y, y], ms=ms, lw=lw, color=colors[name],
                             transform=self.key_ax.transAxes, clip_on=False, **style)
            names.append(self.key_ax.text(0.042, y, name, transform=self.key_ax.transAxes, va="center",
                                          fontsize=9.5, fontweight="bold"))
            self.artists[name] = dict(
                path=self.ax.plot([], [], ms=ms, lw=lw, **style, **kw)[0],
                start=self.ax.plot([], [], "s", ms=6, mec="k", **kw)[0],
                end=self.ax.plot([], [], "X", ms=8, mec="k", **kw)[0],
                loss=self.loss_ax.plot([], [], lw=1.5 + 1.5 * wider, ms=4, markevery=MARK_EVERY, **style, **kw)[0],
            )
        # Captions start in one column, after the widest label.
        renderer = self.canvas.get_renderer()
        widest = max(names, key=lambda t: t.get_window_extent(renderer).width)
        for i, name in enumerate(self.labels):
            self.artists[name]["caption"] = self.key_ax.annotate(
                "", xy=(1, 1 - (i + 0.5) / n), xycoords=(widest, self.key_ax.transAxes),
                xytext=(8, 0), textcoords="offset points", va="center", fontsize=9.5, animated=True,
            )
        self.canvas.draw()
        self.background = self.canvas.copy_from_bbox(self.fig.bbox)

    def _loss_range(self):
        # The loss over the plotting window sets the axis once, so it does not
        # jump between frames; a diverging run leaves through the top.
        (a, b), (c, d) = self.objective.bounds
        g = np.stack(np.meshgrid(np.linspace(a, b, 60), np.linspace(c, d, 60)), axis=-1)
        z = self.objective.value(g)
        if self.gap:
            return 1e-8, 10 * float(z.max() - self.objective.min_value)
        return float(z.min()) - 0.1 * float(np.ptp(z)), float(z.max()) + 0.1 * float(np.ptp(z))

    def render(self, traj, caption=""):
        trajs = traj if isinstance(traj, dict) else {self.labels[0]: traj}
        captions = caption if isinstance(caption, dict) else {self.labels[0]: caption}
        unknown = set(trajs) - set(self.labels)
        if unknown:
            raise ValueError(f"render: no path for {sorted(unknown)} in this frame (its labels are {self.labels})")
        self.canvas.restore_region(self.background)
        # Paths first, then every start and end marker, so no path hides a marker.
        drawn = []
        for name, t in trajs.items():
            a = self.artists[name]
            xs, losses = np.asarray(t.xs), np.asarray(t.losses)
            a["path"].set_data(xs[:, 0], xs[:, 1])
            a["start"].set_data(xs[:1, 0], xs[:1, 1])
            a["end"].set_data(xs[-1:, 0], xs[-1:, 1])
            y = np.maximum(losses - self.objective.min_value, 1e-300) if self.gap else losses
            a["loss"].set_data(np.arange(len(y)), y)
            drawn.append(a)
        for part in ("path", "start", "end"):
            for a in drawn:
                self.ax.draw_artist(a[part])
        for a in drawn:
            self.loss_ax.draw_artist(a["loss"])
        for name in self.labels:
            a = self.artists[name]
            a["caption"].set_text(captions.get(name, ""))
            self.key_ax.draw_artist(a["caption"])
        return self._png()

    def _png(self):
        from PIL import Image

        width, height = self.canvas.get_width_height(physical=True)
        image = Image.frombuffer("RGBA", (width, height), self.canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
        out = io.BytesIO()
        if self.compress_level >= 6:  # stored frames: a 256-color palette is a third of the size
            image.convert("RGB").quantize(256).save(out, format="png", optimize=True)
        else:
            image.save(out, format="png", compress_level=self.compress_level)
        return out.getvalue()


def frame_alt(objective, captions):
    """The text alternative of a frame: what it plots, and how each run ended.

    ``captions`` is ``{label: caption}`` as the frame's key shows them, e.g.
    ``{"GD": "η = 0.4 — after 30 steps: f = 0.0107"}``.

    >>> import optlib, textwrap
    >>> alt = frame_alt(optlib.objectives.ill_conditioned(), {"GD": "η = 0.4 — after 30 steps: f = 0.0107"})
    >>> print(textwrap.fill(alt, 72))
    Path of GD on the contours of 0.1 x₁² + 2 x₂² (left) and its f(x_k) − f*
    against step k on a log scale (right). GD: η = 0.4 — after 30 steps: f =
    0.0107.
    """
    labels = list(captions)
    names = labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]
    several = len(labels) > 1
    loss = "f(x_k) − f* against step k on a log scale" if objective.min_value is not None else "f(x_k) against step k"
    text = (f"Path{'s' if several else ''} of {names} on the contours of {objective.name} (left) "
            f"and {'their' if several else 'its'} {loss} (right).")
    return " ".join([text] + [f"{label}: {caption}." for label, caption in captions.items() if caption])


@functools.lru_cache(maxsize=None)
def _widget_classes():
    """``(FrameImage, PlaygroundBox)``, made on first use (ipywidgets is imported lazily)."""
    import ipywidgets as w
    import traitlets

    class FrameImage(w.Image):
        """An ``ipywidgets.Image`` with a text alternative, its ``tooltip``.

        ipywidgets' image view writes no ``alt`` attribute; it writes the
        widget's tooltip as the ``title`` of its ``<img>``, which is the
        image's accessible name for a screen reader when there is no alt
        (and a tooltip for everyone). Its JavaScript does so only for a
        widget with an empty ``description``, and fails to draw an Image
        (which has no description) that has a tooltip: hence an empty,
        synced ``description`` here.
        """

        description = traitlets.Unicode("").tag(sync=True)

    class PlaygroundBox(w.VBox):
        """A ``VBox`` that also offers ``still``, a PNG of the frame it shows first.

        A Jupyter front end shows the widget; where no widget can be drawn
        (a PDF of the book, GitHub's notebook viewer) the PNG stands in.
        """

        still = None

        def _repr_mimebundle_(self, **kwargs):
            data = super()._repr_mimebundle_(**kwargs)
            if data is not None and self.still is not None:
                data["image/png"] = base64.b64encode(self.still).decode("ascii")
            return data

    return FrameImage, PlaygroundBox


def _frame_image(png, alt, **kwargs):
    """An Image widget of one frame, with ``alt`` as its text alternative."""
    FrameImage, _ = _widget_classes()
    return FrameImage(value=png, format="png", tooltip=alt, **kwargs)


def describe(traj):
    """A one-line caption: converged, still moving, or diverged."""
    if traj.diverged:
        return f"diverged after {traj.steps} steps"
    return f"after {traj.steps} steps: f = {traj.final_loss:.3g}"


# --------------------------------------------------------------- live kernel

def rule(factory, **hyperparams):
    """A rule made by a factory of one's own, which knobs rebuild through that factory.

    ``factory(**hyperparams)`` must return an optlib optimizer; the rule
    runs it, but keeps ``factory`` and ``hyperparams`` as its own, so a knob
    over one of them calls ``factory`` again with the new value. Use it for a
    variant that optlib expresses with other arguments, e.g. AdaGrad with
    eps inside the square root, driven by a knob named ``"eps"``:

    >>> import optlib
    >>> def adagrad_eps_inside(lr, eps):
    ...     return optlib.adagrad(lr=lr, eps=0.0, eps_root=eps)
    >>> inside = rule(adagrad_eps_inside, lr=0.4, eps=1e-6)
    >>> inside.hyperparams["eps"], inside.factory is adagrad_eps_inside
    (1e-06, True)
    """
    if not callable(factory):
        raise TypeError(f"factory must be a function returning an optlib optimizer, got {factory!r}")
    built = factory(**hyperparams)
    if not isinstance(built, Optimizer):
        raise TypeError(f"factory {getattr(factory, '__name__', factory)!r} must return an optlib optimizer, "
                        f"got {type(built).__name__}")
    if built.factory is factory:
        return built
    return Optimizer(getattr(factory, "__name__", "rule"), built.init, built.update,
                     MappingProxyType(dict(hyperparams)), factory)


def _legacy_rule(optimizer, lr, optimizer_kwargs):
    """The one rule of the one-optimizer form ``Playground(optimizer=sgd, lr=..., **kw)``."""
    if not callable(optimizer):
        raise TypeError(f"optimizer must be an optimizer factory such as optlib.sgd, got {optimizer!r}")
    return rule(optimizer, lr=lr, **optimizer_kwargs)


def _default_knobs(rules):
    """A learning-rate slider: one shared, or one per rule when their rates differ."""
    lrs = {label: _current(rule, "lr") for label, rule in rules.items() if _has(rule, "lr")}
    numeric = [v for v in lrs.values() if isinstance(v, numbers.Real) and v > 0]
    if not lrs or len(numeric) < len(lrs):
        return []  # no rule has a constant lr to move
    if len(set(numeric)) == 1:
        return [Knob("lr", min(1e-3, numeric[0]), max(1.0, numeric[0]), log=True)]
    return [
        Knob("lr", min(1e-3, v), max(1.0, v), log=True, label=f"η ({label})", rules=[label])
        for label, v in lrs.items()
    ]


def _nice(x, up):
    """The nearest of 1, 3, 10, 30, ... times a power of ten at or above (``up``) or below ``x``."""
    k = math.floor(math.log10(x))
    candidates = [float(f"{m}e{e}") for e in (k - 1, k, k + 1) for m in (1, 3)]
    if up:
        return min(c for c in candidates if c >= x * (1 - 1e-9))
    return max(c for c in candidates if c <= x * (1 + 1e-9))


def _menu_knobs(rules):
    """A learning-rate slider per rule, over [lr/30, lr*30] rounded out to 1-3-10 steps."""
    knobs = []
    for label, rule in rules.items():
        lr = _current(rule, "lr") if _has(rule, "lr") else None
        if isinstance(lr, numbers.Real) and not isinstance(lr, bool) and lr > 0:
            knobs.append(Knob("lr", _nice(lr / 30, up=False), _nice(lr * 30, up=True), log=True, rules=[label]))
    return knobs


class Playground:
    """Sliders over live runs of one or several optimizers (needs a kernel).

    Every rule runs from the same start on the chosen objective; the contour
    plot shows one path per rule, the loss panel one curve per rule, and the
    key under them says how each run ended. Each slider (a ``Knob``)
    moves one hyperparameter of the rules it applies to; sliders for the
    start, the number of steps and the objective are always there.

    Parameters
    ----------
    rules : optimizer or dict[str, optimizer], optional
        Configured optlib optimizers by label, e.g. ``{"GD": optlib.sgd(lr=0.1),
        "momentum": optlib.sgd(lr=0.1, momentum=0.9)}``, or one optimizer.
    knobs : list of Knob, optional
        The hyperparameter sliders. Default: one log-scale learning-rate
        slider (one per rule if their learning rates differ).
    objectives : dict[str, Objective] or Objective, optional
        Choices for the dropdown; default :func:`default_objectives`.
    x0, steps : initial start and number of steps.
    menu : bool
        One rule at a time: a dropdown ``optimizer`` (the first control)
        chooses the rule that is run and drawn, and only the sliders of the
        knobs that move it are shown, so each rule can have a learning-rate
        knob of its own range (``Knob("lr", 1e-4, 1e-2, log=True,
        rules=["SGD"])``). A slider keeps its value while other rules are
        shown. Default knobs: a log learning-rate slider per rule over
        [lr/30, lr*30] around its own lr, rounded out to 1, 3, 10, 30, ...
    optimizer, lr, lr_range, **optimizer_kwargs :
        The one-optimizer form, ``Playground(optimizer=optlib.sgd, lr=0.1,
        momentum=0.5)``: the rule ``optimizer(lr=lr, **optimizer_kwargs)``
        with a learning-rate slider over ``lr_range`` (default (1e-3, 1)).
        Not together with ``rules``.

    Display it as the last expression of a cell. ``update()`` re-runs and
    redraws (the sliders call it) and returns the trajectories by label;
    ``run(label)`` runs one rule with the current settings;
    ``slider(name)`` is a knob's slider (``lr`` is the learning-rate slider
    when there is exactly one). With ``menu=True``, ``menu`` is the
    dropdown, ``update()`` runs and draws only the rule it shows, and
    ``run()`` with no label runs that rule.

    Examples
    --------
    >>> import optlib
    >>> rules = {"GD": optlib.sgd(lr=0.1), "momentum": optlib.sgd(lr=0.1, momentum=0.9)}
    >>> pg = Playground(rules, [Knob("lr", 1e-3, 1.0, log=True), Knob("momentum", 0.0, 0.99, rules=["momentum"])])
    >>> pg.slider("momentum").value = 0.5
    >>> pg.values()
    {'GD': {'lr': 0.1}, 'momentum': {'lr': 0.1, 'momentum': 0.5}}

    A menu of optimizers, each with its own learning-rate slider:

    >>> rules = {"SGD": optlib.sgd(lr=1e-3), "Adam": optlib.adam(lr=0.1)}
    >>> pg = Playground(rules, objectives=optlib.objectives.rosenbrock(), x0=(-1.2, 1.0), steps=200, menu=True)
    >>> [(labels, knob.lo, knob.hi) for knob, labels in pg.knobs]
    [(('SGD',), 3e-05, 0.03), (('Adam',), 0.003, 3.0)]
    >>> pg.menu.value, [s.layout.display for s in pg.sliders]
    ('SGD', [None, 'none'])
    >>> pg.menu.value = "Adam"
    >>> [s.layout.display for s in pg.sliders], list(pg.update())
    (['none', None], ['Adam'])
    """

    def __init__(self, rules=None, knobs=None, objectives=None, x0=(-4.0, -1.5), steps=30, *, menu=False,
                 optimizer=None, lr=None, lr_range=None, **optimizer_kwargs):
        import ipywidgets as w

        if not isinstance(menu, bool):
            raise TypeError(f"menu must be True or False, got {menu!r}")

        if rules is None:  # the one-optimizer form (chapter 1)
            lr = 0.1 if lr is None else lr
            rules = _legacy_rule(sgd if optimizer is None else optimizer, lr, optimizer_kwargs)
            if knobs is None:
                knobs = [Knob("lr", *(lr_range or (1e-3, 1.0)), value=lr, log=True)]
        elif optimizer is not None or lr is not None or lr_range is not None or optimizer_kwargs:
            given = [k for k, v in dict(optimizer=optimizer, lr=lr, lr_range=lr_range).items() if v is not None]
            raise TypeError(
                f"{', '.join(given + list(optimizer_kwargs))}: these describe the one-optimizer form; with rules, "
                "configure each rule (optlib.sgd(lr=0.1, momentum=0.9)) and give knobs=[Knob(...)]"
            )
        self.rules = _as_rules(rules)
        if knobs is None:
            knobs = _menu_knobs(self.rules) if menu else _default_knobs(self.rules)
        self.knobs = _resolve(knobs, self.rules)
        if isinstance(objectives, Objective):
            objectives = {objectives.name: objectives}
        self.objectives = objectives or default_objectives()
        if not all(isinstance(f, Objective) and f.dim == 2 for f in self.objectives.values()):
            raise ValueError("objectives must be 2-D Objectives by name (a path is drawn on their contours)")
        steps = _check_steps(steps)
        self._frames = {}
        name = next(iter(self.objectives))
        width = _description_width(knob.label for knob, _ in self.knobs)
        style = {"description_width": f"{width:g}em"}
        # Each control fills its column; the two columns share the width and
        # wrap one under the other on a narrow screen.
        layout = w.Layout(width="98%")

        self.sliders = []
        for knob, labels in self.knobs:
            value = self._start(knob, labels)
            for label in labels:  # fail now, not at the first slider move
                for v in (knob.lo, value, knob.hi):
                    _configure(label, self.rules[label], {knob.name: v})
            # A decay rate such as beta2 = 0.9999 needs a fourth digit.
            readout = ".4g" if 0.99 < knob.hi < 1 else ".3g"
            # A menu hides some sliders: each needs a layout of its own.
            own = w.Layout(width="98%") if menu else layout
            common = dict(value=value, description=knob.label, readout_format=readout, style=style, layout=own)
            if knob.name == "batch_size":  # whole examples
                common.pop("readout_format")
                slider = w.IntSlider(min=math.ceil(knob.lo), max=math.floor(knob.hi), step=1,
                                     **{**common, "value": int(round(value))})
            elif knob.log:
                slider = w.FloatLogSlider(base=10, min=math.log10(knob.lo), max=math.log10(knob.hi), step=0.01, **common)
            else:  # ~100-1000 positions, at a round step
                step = 10.0 ** math.floor(math.log10((knob.hi - knob.lo) / 100))
                slider = w.FloatSlider(min=knob.lo, max=knob.hi, step=step, **common)
            self.sliders.append(slider)
        lr_knobs = [s for (knob, _), s in zip(self.knobs, self.sliders) if knob.name == "lr"]
        self.lr = lr_knobs[0] if len(lr_knobs) == 1 else None

        self.objective = w.Dropdown(
            options=list(self.objectives), value=name, description="objective f", style=style, layout=layout
        )
        # Give the range at construction: a FloatSlider clamps its value to
        # its default range [0, 100] the moment it is made.
        (a, b), (c, d) = self.objectives[name].bounds
        x0 = [_real("x0", v) for v in np.ravel(x0)]
        if len(x0) != 2 or not (a <= x0[0] <= b and c <= x0[1] <= d):
            raise ValueError(f"x0 must be a point of {name}'s window [{a:g}, {b:g}] x [{c:g}, {d:g}], got {x0}")
        self.x1 = w.FloatSlider(value=x0[0], min=a, max=b, step=0.1, description="start x₁", style=style, layout=layout)
        self.x2 = w.FloatSlider(value=x0[1], min=c, max=d, step=0.1, description="start x₂", style=style, layout=layout)
        self.steps = w.IntSlider(value=steps, min=1, max=max(200, steps), description="steps", style=style, layout=layout)
        self.image = _frame_image(b"", "", layout=w.Layout(align_self="flex-start", max_width="100%"))  # never stretched
        self.menu = None
        if menu:
            self.menu = w.Dropdown(options=list(self.rules), value=next(iter(self.rules)), description="optimizer",
                                   style=style, layout=layout)
            self._show_knobs()
            self.menu.observe(self._on_menu, names="value")
            for (knob, labels), slider in zip(self.knobs, self.sliders):  # a hidden slider redraws nothing
                slider.observe(functools.partial(self._on_knob, labels), names="value")
            watched = (self.x1, self.x2, self.steps)
        else:
            watched = (*self.sliders, self.x1, self.x2, self.steps)
        for control in watched:
            control.observe(self.update, names="value")
        self.objective.observe(self._on_objective, names="value")
        column = dict(flex="1 1 0%", min_width=f"{width + 14:g}em")
        first = [self.menu] if menu else []
        controls = w.HBox(
            [w.VBox([*first, self.objective, *self.sliders], layout=w.Layout(**column)),
             w.VBox([self.x1, self.x2, self.steps], layout=w.Layout(**column))],
            layout=w.Layout(flex_flow="row wrap"),
        )
        self.widget = w.VBox([controls, self.image])
        self.update()

    def _start(self, knob, labels):
        """The slider's first value: ``knob.value``, else what its rules were configured with."""
        if knob.value is not None:
            return knob.value
        if knob.name in _RUN_SETTINGS:  # no noise, unless the range excludes 0; the full batch
            return knob.hi if knob.name == "batch_size" else min(max(0.0, knob.lo), knob.hi)
        starts = {label: _current(self.rules[label], knob.name) for label in labels}
        if len(set(map(repr, starts.values()))) > 1:
            raise ValueError(
                f"Knob {knob.name!r} moves rules configured with different values ("
                + ", ".join(f"{label}: {v!r}" for label, v in starts.items())
                + "): give it value=..., or one knob per rule (rules=[...])"
            )
        label, v = next(iter(starts.items()))
        if isinstance(v, bool) or not isinstance(v, numbers.Real):
            raise ValueError(
                f"Knob {knob.name!r}: rule {label!r} has {knob.name}={v!r}, not a number to start from; give value=..."
            )
        if not knob.lo <= v <= knob.hi:
            raise ValueError(
                f"Knob {knob.name!r} would start at rule {label!r}'s {knob.name} = {v:g}, outside its range "
                f"[{knob.lo:g}, {knob.hi:g}]: widen lo/hi or give value=..."
            )
        return float(v)

    def slider(self, name, rule=None):
        """The slider of the knob over hyperparameter ``name`` (of rule ``rule``, if several)."""
        found = [s for (knob, labels), s in zip(self.knobs, self.sliders)
                 if knob.name == name and (rule is None or rule in labels)]
        if len(found) != 1:
            have = ", ".join(f"{knob.name!r} for {list(labels)}" for knob, labels in self.knobs) or "none"
            which = "no" if not found else "several"
            raise KeyError(f"{which} knob for {name!r}{'' if rule is None else f' of rule {rule!r}'}; knobs: {have}")
        return found[0]

    def values(self):
        """The knob-controlled hyperparameters of each rule now: ``{label: {name: value}}``."""
        values = {label: {} for label in self.rules}
        for (knob, labels), slider in zip(self.knobs, self.sliders):
            for label in labels:
                values[label][knob.name] = float(slider.value)
        return values

    def _set_start_range(self):
        (a, b), (c, d) = self.objectives[self.objective.value].bounds
        # Widen first, then narrow, so the value never leaves [min, max].
        self.x1.min, self.x1.max = min(self.x1.min, a), max(self.x1.max, b)
        self.x1.min, self.x1.max = a, b
        self.x2.min, self.x2.max = min(self.x2.min, c), max(self.x2.max, d)
        self.x2.min, self.x2.max = c, d

    def _on_objective(self, change):
        self._set_start_range()
        self.update()

    def _show_knobs(self):
        """Show the sliders of the knobs that move the rule the menu shows; hide the others."""
        for (knob, labels), slider in zip(self.knobs, self.sliders):
            slider.layout.display = None if self.menu.value in labels else "none"

    def _on_menu(self, change):
        self._show_knobs()
        self.update()

    def _on_knob(self, labels, change):
        if self.menu.value in labels:
            self.update()

    def frame(self, label=None):
        """The reusable :class:`Frame` of the objective and steps shown (with a menu: of rule ``label``)."""
        key = (self.objective.value, self.steps.value)
        if self.menu is not None:
            key += (self.menu.value if label is None else label,)
        elif label is not None:
            raise ValueError("frame: label= is for a playground with menu=True; this one draws every rule in one frame")
        if key not in self._frames:
            labels = key[2] if self.menu is not None else list(self.rules)
            self._frames[key] = Frame(self.objectives[key[0]], key[1], label=labels)
        return self._frames[key]

    def run(self, label=None):
        """The trajectory of rule ``label`` (default: the only rule, or the menu's) with the current settings."""
        if label is None and self.menu is not None:
            label = self.menu.value
        if label is None:
            if len(self.rules) > 1:
                raise ValueError(f"run: this playground has several rules ({', '.join(self.rules)}); give label=")
            label = next(iter(self.rules))
        if label not in self.rules:
            raise ValueError(f"run: no rule {label!r} (the rules are {', '.join(map(repr, self.rules))})")
        values = self.values()[label]
        opt = _configure(label, self.rules[label], values)
        return minimize(opt, self.objectives[self.objective.value], [self.x1.value, self.x2.value],
                        self.steps.value, **_run_settings(values))

    def update(self, change=None):
        """Re-run and redraw every rule (with a menu: the rule it shows); the trajectories by label."""
        values = self.values()
        shown = list(self.rules) if self.menu is None else [self.menu.value]
        trajs = {label: self.run(label) for label in shown}
        captions = {label: _caption(values[label], t) for label, t in trajs.items()}
        self.image.value = self.frame().render(trajs, captions)
        self.image.tooltip = frame_alt(self.objectives[self.objective.value], captions)
        return trajs

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)


# ----------------------------------------------------------------- no kernel

def _grid_values(name, key, values, where):
    """The values of one grid entry as floats, checked; ``where`` names them in errors."""
    if isinstance(values, (str, bytes, dict)) or not hasattr(values, "__iter__"):
        raise TypeError(f"{where} must be a list of values, got {values!r}")
    values = [_real(f"{where} values", v) for v in values]
    if not values:
        raise ValueError(f"{where} is empty: give the values its slider steps through")
    if len({f"{v:g}" for v in values}) < len(values):
        raise ValueError(f"{where} repeats a value (to 6 digits): {values}")
    if isinstance(key, Knob):
        for v in values:
            key.check(v, f"{where} value")
    elif name == "grad_noise" and min(values) < 0:
        raise ValueError(f"{where} values must be >= 0 (standard deviations), got {values}")
    elif name == "batch_size" and not all(v >= 1 and float(v).is_integer() for v in values):
        raise ValueError(f"{where} values must be whole numbers of examples >= 1, got {values}")
    return values


def _grid_knob(key, values):
    """The knob of a grid entry: ``key`` itself, or one over name ``key`` whose range holds ``values``."""
    if isinstance(key, Knob):
        return key
    lo = {"grad_noise": 0.0, "batch_size": 1.0}.get(key, min(values) - 1.0)
    return Knob(key, lo, max(values) + 1.0)


def _grid_name(key):
    name = key.name if isinstance(key, Knob) else key
    if not isinstance(name, str):
        raise TypeError(f"grid keys must be hyperparameter names or Knobs, got {key!r}")
    return name


def _check_grid(grid, most):
    if not isinstance(grid, dict):
        raise TypeError(
            "grid must be a dict of hyperparameter name (or Knob) -> list of values, "
            f"e.g. {{'lr': [0.05, 0.1, 0.2]}}, got {type(grid).__name__}"
        )
    if not grid:
        raise ValueError("grid is empty: give one or two hyperparameters, e.g. {'lr': [0.05, 0.1, 0.2]}")
    if len(grid) > most:
        names = ", ".join(k.name if isinstance(k, Knob) else str(k) for k in grid)
        if most == 1:
            raise ValueError(
                f"grid has {len(grid)} hyperparameters ({names}); with menu=True a kernel-free playground "
                "takes one, a slider per rule (give each rule its own values: {'lr': {label: [...]}})"
            )
        raise ValueError(f"grid has {len(grid)} hyperparameters ({names}); a kernel-free playground takes one or two")


def _grid_axes(grid, rules):
    """``[(knob, labels, values)]`` for a grid of one or two hyperparameters."""
    _check_grid(grid, 2)
    axes = []
    for key, values in grid.items():
        name = _grid_name(key)
        if isinstance(values, dict):
            raise TypeError(
                f"grid[{name!r}] gives values per rule ({{label: [...]}}); that needs menu=True "
                "(one rule at a time, each with its own slider)"
            )
        values = _grid_values(name, key, values, f"grid[{name!r}]")
        knob = _grid_knob(key, values)
        axes.append((knob, _targets(knob, rules), values))
    if len(axes) == 2 and axes[0][0].name == axes[1][0].name and set(axes[0][1]) & set(axes[1][1]):
        raise ValueError(f"grid: both sliders move {axes[0][0].name!r} of the same rule; give them disjoint rules=[...]")
    return axes


def _menu_axis(grid, rules):
    """``(knob, {label: values})`` for a menu's grid: one hyperparameter, values for every rule."""
    _check_grid(grid, 1)
    (key, values), = grid.items()
    name = _grid_name(key)
    where = f"grid[{name!r}]"
    if isinstance(values, dict):
        unknown = [label for label in values if label not in rules]
        if unknown:
            raise ValueError(
                f"{where} gives values for {', '.join(map(repr, unknown))}, which "
                f"{'is not a rule' if len(unknown) == 1 else 'are not rules'} here "
                f"(the rules are {', '.join(map(repr, rules))})"
            )
        missing = [label for label in rules if label not in values]
        if missing:
            raise ValueError(
                f"{where} has no values for {', '.join(map(repr, missing))}: with menu=True every rule "
                "needs its own list (or give one list for all rules)"
            )
        per_rule = {label: _grid_values(name, key, values[label], f"{where}[{label!r}]") for label in rules}
    else:
        values = _grid_values(name, key, values, where)
        per_rule = {label: values for label in rules}
    knob = _grid_knob(key, [v for vs in per_rule.values() for v in vs])
    targets = _targets(knob, rules)  # its rules exist and have the hyperparameter (a run setting: every rule)
    left = [label for label in rules if label not in targets]
    if left and knob.rules is not None:
        raise ValueError(
            f"grid: Knob {name!r} has rules={list(knob.rules)}, but with menu=True every rule needs its "
            f"values and {', '.join(map(repr, left))} would have none"
        )
    for label in left:  # a rule without the hyperparameter: say which it has
        _targets(dataclasses.replace(knob, rules=(label,)), rules)
    return knob, per_rule


def static_playground(objective, rules=None, grid=None, x0=None, steps=30, *, menu=False,
                      lrs=None, optimizer=None, **optimizer_kwargs):
    """A kernel-free playground: one or two sliders over precomputed frames.

    Every combination of the ``grid`` values is run now, all rules from the
    same start, and rendered as one frame (the paths on the contours, the
    loss curves, a key with each rule's result). In the browser each slider is
    ``jslink``-ed to the stacks of frames, so it responds on a static page
    with no Python behind it: the first slider selects a row of an outer
    ``Stack`` whose children are ``Stack``\\ s of frames, the second selects
    the frame in every row.

    With ``menu=True`` a dropdown chooses the one rule shown, and each rule
    has its own slider over its own values of the one ``grid`` entry (one
    list for every rule, or ``{label: [values]}``): the dropdown's index is
    ``jslink``-ed to a ``Stack`` of the rules' sliders and to the outer
    ``Stack``, whose row ``i`` holds rule ``i``'s frames, one per value,
    linked to rule ``i``'s slider.

    Parameters
    ----------
    objective : Objective
        A 2-D objective.
    rules : optimizer or dict[str, optimizer]
        Configured optlib optimizers by label, as for :class:`Playground`.
    grid : dict
        One or two entries ``name: values``; ``name`` is a hyperparameter
        (moving every rule that has it) or a ``Knob`` (for its label,
        its ``rules`` and a range the values must lie in). E.g.
        ``{"lr": [0.05, 0.1, 0.2, 0.4], Knob("momentum", 0, 0.99,
        rules=["momentum"]): [0.0, 0.5, 0.9]}``.
    x0 : array_like, shape (2,)
        The common start.
    steps : int
        Updates per run.
    menu : bool
        One rule at a time, chosen from a dropdown, each with its own values:
        ``grid={"lr": {"SGD": [3e-4, 1e-3, 3e-3], "Adam": [0.03, 0.1, 0.3]}}``.
    lrs, optimizer, **optimizer_kwargs :
        The one-optimizer form of chapter 1, ``static_playground(objective,
        lrs, x0, steps, optimizer=optlib.sgd, **optimizer_kwargs)``: a
        learning-rate slider over ``lrs``. Not together with ``rules``.

    Returns
    -------
    ipywidgets.VBox
        The sliders, then the frames. Its extra attributes: ``sliders``,
        ``links`` (the ``jslink``\\ s; ``link`` with one slider), ``frames``
        and ``runs`` (PNG bytes and ``{label: Trajectory}`` by the tuple of
        grid values), ``nbytes`` (all frames' PNG bytes; the page carries
        them base64-encoded, 4/3 as many), ``summary`` (a line saying so)
        and ``still``, the frame shown first: the box's output offers it as
        an ``image/png`` too, which a PDF of the book prints where the
        widget cannot be. Each frame's image has a text alternative
        (``frame_alt``, as its ``tooltip``).
        With ``menu=True``: the dropdown, then the sliders' stack, then the
        frames; ``menu`` (the dropdown), ``sliders`` (one per rule, in the
        rules' order), and ``frames`` and ``runs`` (a Trajectory) by
        ``(label, value)``; ``still`` is the first rule's first frame.

    Examples
    --------
    >>> import optlib
    >>> rules = {"SGD": optlib.sgd(lr=1e-3), "Adam": optlib.adam(lr=0.1)}
    >>> box = static_playground(optlib.objectives.rosenbrock(), rules,
    ...                         {"lr": {"SGD": [3e-4, 1e-3], "Adam": [0.03, 0.1, 0.3]}},
    ...                         x0=(-1.2, 1.0), steps=50, menu=True)
    >>> box.menu.options, [s.options for s in box.sliders], [s.value for s in box.sliders]
    (('SGD', 'Adam'), [('0.0003', '0.001'), ('0.03', '0.1', '0.3')], ['0.001', '0.1'])
    >>> sorted(box.frames) == sorted(box.runs) == [("Adam", 0.03), ("Adam", 0.1), ("Adam", 0.3),
    ...                                            ("SGD", 0.0003), ("SGD", 0.001)]
    True
    """
    import ipywidgets as w

    if not isinstance(menu, bool):
        raise TypeError(f"menu must be True or False, got {menu!r}")
    if rules is not None and not isinstance(rules, (dict, Optimizer)):
        # The positional one-optimizer form: static_playground(objective, lrs, x0, steps).
        if lrs is not None:
            raise TypeError("static_playground: lrs given twice (positionally and as lrs=)")
        lrs, rules, x0, steps = rules, None, grid, (steps if x0 is None else x0)
        grid = None
    if rules is None:
        if grid is not None:
            raise TypeError("static_playground: grid needs rules (the optimizers it applies to)")
        if isinstance(lrs, (str, bytes)) or not hasattr(lrs, "__iter__"):
            raise TypeError(f"lrs must be a list of learning rates, got {lrs!r}")
        lrs = [float(v) for v in lrs]
        if not lrs:
            raise ValueError("lrs must hold at least one learning rate")
        rules = _legacy_rule(sgd if optimizer is None else optimizer, lrs[0], optimizer_kwargs)
        grid = {"lr": lrs}
    elif lrs is not None or optimizer is not None or optimizer_kwargs:
        given = [k for k, v in dict(lrs=lrs, optimizer=optimizer).items() if v is not None] + list(optimizer_kwargs)
        raise TypeError(
            f"{', '.join(given)}: these describe the one-optimizer form; with rules, configure each rule "
            "and give the values in grid={'lr': [...]}"
        )
    rules = _as_rules(rules)
    if grid is None:
        raise TypeError("static_playground: grid is required, e.g. {'lr': [0.05, 0.1, 0.2]}")
    axes = _menu_axis(grid, rules) if menu else _grid_axes(grid, rules)
    if x0 is None:
        raise TypeError("static_playground: x0 (the common start) is required")
    steps = _check_steps(steps)
    if not isinstance(objective, Objective) or objective.dim != 2:
        raise ValueError(f"objective must be a 2-D Objective (its contours are drawn), got {objective!r}")
    if menu:
        return _static_menu(objective, rules, *axes, x0, steps)

    frame = Frame(objective, steps, label=list(rules), compress_level=9)
    frames, runs, alts = {}, {}, {}
    for combo in itertools.product(*(values for _, _, values in axes)):
        settings = {label: {} for label in rules}
        for (knob, labels, _), v in zip(axes, combo):
            for label in labels:
                settings[label][knob.name] = v
        trajs = {
            label: minimize(_configure(label, rule, settings[label]), objective, x0, steps,
                            **_run_settings(settings[label]))
            for label, rule in rules.items()
        }
        runs[combo] = trajs
        # The grid's values exactly as the slider shows them (``:g``, 6 digits).
        captions = {label: _caption(settings[label], t, digits=6) for label, t in trajs.items()}
        frames[combo] = frame.render(trajs, captions)
        alts[combo] = frame_alt(objective, captions)

    index = [_first_index(knob, rules[labels[0]], values) for knob, labels, values in axes]
    width = _description_width(knob.label for knob, _, _ in axes)
    sliders = [_selection_slider(knob, values, i, width) for (knob, _, values), i in zip(axes, index)]

    def image(combo):
        return _frame_image(frames[combo], alts[combo])

    # The link is a widget of its own, saved with the notebook's widget state
    # and run by the browser; keep a reference for tests and readers.
    if len(axes) == 1:
        stack = w.Stack([image(combo) for combo in frames], selected_index=index[0])
        links = [w.jslink((sliders[0], "index"), (stack, "selected_index"))]
    else:
        rows = [
            w.Stack([image((a, b)) for b in axes[1][2]], selected_index=index[1])
            for a in axes[0][2]
        ]
        stack = w.Stack(rows, selected_index=index[0])
        links = [w.jslink((sliders[0], "index"), (stack, "selected_index"))]
        links += [w.jslink((sliders[1], "index"), (row, "selected_index")) for row in rows]
    box = _widget_classes()[1]([*sliders, stack])
    box.sliders, box.links, box.frames, box.runs = sliders, links, frames, runs
    box.still = frames[tuple(values[i] for (_, _, values), i in zip(axes, index))]
    if len(links) == 1:
        box.link = links[0]
    _sizes(box)
    return box


def _first_index(knob, rule, values):
    """The index of a slider's first value: where ``rule`` was configured, when that is on the grid."""
    if knob.value is not None:
        start = knob.value
    elif knob.name in _RUN_SETTINGS:
        start = 0.0 if knob.name == "grad_noise" else max(values)
    else:
        start = _current(rule, knob.name)
    return next((i for i, v in enumerate(values) if isinstance(start, numbers.Real) and v == start), 0)


def _description_width(labels):
    """Room for the longest slider description, in em."""
    return max([7.0] + [0.62 * len(label) + 1 for label in labels])


def _selection_slider(knob, values, index, width):
    import ipywidgets as w

    return w.SelectionSlider(
        options=[f"{v:g}" for v in values], index=index, description=knob.label, continuous_update=True,
        style={"description_width": f"{width:g}em"}, layout=w.Layout(width=f"{width + 25:g}em"),
    )


def _sizes(box):
    """``box.nbytes`` and ``box.summary``: what the frames weigh on the page."""
    frames = box.frames
    box.nbytes = sum(len(png) for png in frames.values())
    box.summary = (
        f"{len(frames)} frames, {box.nbytes / len(frames) / 1e3:.1f} kB each on average, "
        f"{box.nbytes / 1e6:.2f} MB in all ({4 * math.ceil(box.nbytes / 3) / 1e6:.2f} MB base64 in the page)"
    )


def _static_menu(objective, rules, knob, values, x0, steps):
    """The kernel-free playground of ``static_playground(..., menu=True)``: one rule at a time."""
    import ipywidgets as w

    frames, runs, alts = {}, {}, {}
    for label, rule in rules.items():
        frame = Frame(objective, steps, label=label, compress_level=9)  # one path: the rule's own color
        for v in values[label]:
            settings = {knob.name: v}
            traj = minimize(_configure(label, rule, settings), objective, x0, steps, **_run_settings(settings))
            runs[label, v] = traj
            caption = _caption(settings, traj, digits=6)
            frames[label, v] = frame.render(traj, caption)
            alts[label, v] = frame_alt(objective, {label: caption})

    width = _description_width([knob.label, "optimizer"])
    menu = w.Dropdown(options=list(rules), index=0, description="optimizer",
                      style={"description_width": f"{width:g}em"}, layout=w.Layout(width=f"{width + 18:g}em"))
    sliders = [_selection_slider(knob, values[label], _first_index(knob, rule, values[label]), width)
               for label, rule in rules.items()]
    rows = [
        w.Stack([_frame_image(frames[label, v], alts[label, v]) for v in values[label]], selected_index=slider.index)
        for label, slider in zip(rules, sliders)
    ]
    # Only the selected child of a Stack is in the page, so the reader sees
    # one slider and one frame: the menu picks both, each slider its row's frame.
    controls = w.Stack(sliders, selected_index=0)
    stack = w.Stack(rows, selected_index=0)
    links = [w.jslink((menu, "index"), (stack, "selected_index")),
             w.jslink((menu, "index"), (controls, "selected_index"))]
    links += [w.jslink((slider, "index"), (row, "selected_index")) for slider, row in zip(sliders, rows)]
    box = _widget_classes()[1]([menu, controls, stack])
    box.menu, box.sliders, box.links, box.frames, box.runs = menu, sliders, links, frames, runs
    first = next(iter(rules))
    box.still = frames[first, values[first][sliders[0].index]]
    _sizes(box)
    return box
