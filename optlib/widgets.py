"""Playgrounds: sliders that re-run an optimizer and redraw its path.

Two kinds, because the book is read two ways:

* :class:`Playground` needs a live kernel (Jupyter, Colab, Binder): moving a
  slider re-runs :func:`optlib.runner.minimize` and redraws the trajectory on the
  contours and the loss curve.
* :func:`static_playground` works on the static web page with no kernel: a
  slider is linked in the browser (``jslink``) to a stack of frames computed
  in advance, one per learning rate.

Rendering dominates a slider update, so a :class:`Frame` draws the contours
and axes once, keeps that background as pixels, and per update only pastes
it back and draws the few changing lines (matplotlib's blitting).
"""
import io
import math

import numpy as np

from . import objectives as _objectives
from .plotting import DPI, WIDTH, color_for, contour
from .runner import minimize
from .sgd import sgd

__all__ = ["Frame", "Playground", "static_playground", "default_objectives"]


def default_objectives():
    """The 2-D objectives a playground offers by default, by display name."""
    return {
        "0.1 x₁² + 2 x₂² (ill-conditioned)": _objectives.ill_conditioned(),
        "x₁² + x₂² (round bowl)": _objectives.quadratic(np.diag([2.0, 2.0]), name="x₁² + x₂²"),
        "Rosenbrock": _objectives.rosenbrock(),
        "saddle x₁² − x₂²": _objectives.saddle(),
    }


class Frame:
    """A reusable figure: contours + loss axes drawn once, paths blitted on top.

    ``render(traj, caption)`` returns PNG bytes. ``steps`` fixes the loss
    axis' x range; the loss axis shows :math:`f(x_k) - f^*` on a log scale
    when the minimum value is known, else :math:`f(x_k)` on a linear scale.
    """

    def __init__(self, objective, steps, label="gd", compress_level=1):
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        self.objective = objective
        self.compress_level = compress_level
        self.fig = Figure(figsize=(WIDTH, 3.6), dpi=DPI, layout="constrained")
        self.canvas = FigureCanvasAgg(self.fig)
        self.ax, self.loss_ax = self.fig.subplots(1, 2, width_ratios=[1.15, 1])
        contour(objective, ax=self.ax)
        self.gap = objective.min_value is not None
        lo, hi = self._loss_range()
        self.loss_ax.set_xlim(0, steps)
        self.loss_ax.set_ylim(lo, hi)
        if self.gap:
            self.loss_ax.set_yscale("log")
        self.loss_ax.set_xlabel("step $k$")
        self.loss_ax.set_ylabel("$f(x_k) - f^*$" if self.gap else "$f(x_k)$")
        self.loss_ax.grid(alpha=0.3)
        color = color_for(label)
        kw = dict(animated=True, color=color)
        self.path = self.ax.plot([], [], "-o", ms=3, lw=1.2, **kw)[0]
        self.start = self.ax.plot([], [], "s", ms=6, mec="k", **kw)[0]
        self.end = self.ax.plot([], [], "X", ms=8, mec="k", **kw)[0]
        self.loss = self.loss_ax.plot([], [], lw=1.5, **kw)[0]
        self.caption = self.loss_ax.text(
            0.97, 0.95, "", transform=self.loss_ax.transAxes, ha="right", va="top", fontsize=9, animated=True,
            bbox=dict(boxstyle="round", fc="white", ec="0.7", alpha=0.9),
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
        xs, losses = np.asarray(traj.xs), np.asarray(traj.losses)
        self.canvas.restore_region(self.background)
        self.path.set_data(xs[:, 0], xs[:, 1])
        self.start.set_data(xs[:1, 0], xs[:1, 1])
        self.end.set_data(xs[-1:, 0], xs[-1:, 1])
        y = np.maximum(losses - self.objective.min_value, 1e-300) if self.gap else losses
        self.loss.set_data(np.arange(len(y)), y)
        self.caption.set_text(caption)
        for artist in (self.path, self.start, self.end):
            self.ax.draw_artist(artist)
        self.loss_ax.draw_artist(self.loss)
        self.loss_ax.draw_artist(self.caption)
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


def describe(traj):
    """A one-line caption: converged, still moving, or diverged."""
    if traj.diverged:
        return f"diverged after {traj.steps} steps"
    return f"after {traj.steps} steps: f = {traj.final_loss:.3g}"


class Playground:
    """Learning rate, start and objective sliders over a live GD run (needs a kernel).

    Parameters
    ----------
    objectives : dict[str, Objective], optional
        Choices for the dropdown; default :func:`default_objectives`.
    optimizer : callable
        A factory taking ``lr`` (default :func:`optlib.sgd`); ``optimizer_kwargs``
        are passed to it too.
    lr, x0, steps : initial values.
    lr_range : (min, max) of the log-scale learning-rate slider.

    Display it as the last expression of a cell. ``update()`` redraws; the
    sliders call it.
    """

    def __init__(self, objectives=None, optimizer=sgd, lr=0.1, x0=(-4.0, -1.5), steps=30, lr_range=(1e-3, 1.0), **optimizer_kwargs):
        import ipywidgets as w

        self.objectives = objectives or default_objectives()
        self.factory, self.optimizer_kwargs = optimizer, optimizer_kwargs
        self._frames = {}
        name = next(iter(self.objectives))
        lo, hi = (math.log10(v) for v in lr_range)
        style = {"description_width": "7em"}
        layout = w.Layout(width="32em")
        self.lr = w.FloatLogSlider(value=lr, base=10, min=lo, max=hi, step=0.01, description="learning rate η", readout_format=".3g", style=style, layout=layout)
        self.objective = w.Dropdown(options=list(self.objectives), value=name, description="objective f", style=style, layout=layout)
        # Give the range at construction: a FloatSlider clamps its value to
        # its default range [0, 100] the moment it is made.
        (a, b), (c, d) = self.objectives[name].bounds
        self.x1 = w.FloatSlider(value=x0[0], min=a, max=b, step=0.1, description="start x₁", style=style, layout=layout)
        self.x2 = w.FloatSlider(value=x0[1], min=c, max=d, step=0.1, description="start x₂", style=style, layout=layout)
        self.steps = w.IntSlider(value=steps, min=1, max=200, description="steps", style=style, layout=layout)
        self.image = w.Image(format="png")
        for control in (self.lr, self.x1, self.x2, self.steps):
            control.observe(self.update, names="value")
        self.objective.observe(self._on_objective, names="value")
        self.widget = w.VBox([w.HBox([w.VBox([self.objective, self.lr]), w.VBox([self.x1, self.x2, self.steps])]), self.image])
        self.update()

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

    def frame(self):
        key = (self.objective.value, self.steps.value)
        if key not in self._frames:
            self._frames[key] = Frame(self.objectives[key[0]], key[1], label=self.factory.__name__)
        return self._frames[key]

    def run(self):
        opt = self.factory(lr=self.lr.value, **self.optimizer_kwargs)
        return minimize(opt, self.objectives[self.objective.value], [self.x1.value, self.x2.value], self.steps.value)

    def update(self, change=None):
        traj = self.run()
        self.image.value = self.frame().render(traj, f"η = {self.lr.value:.3g}: {describe(traj)}")
        return traj

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)


def static_playground(objective, lrs, x0, steps, optimizer=sgd, **optimizer_kwargs):
    """A kernel-free playground: a learning-rate slider over precomputed frames.

    One frame per value in ``lrs`` is rendered now; in the browser the slider
    is ``jslink``-ed to a ``Stack`` of the frames, so it responds on a static
    page with no Python behind it.

    Returns an ``ipywidgets.VBox``.
    """
    import ipywidgets as w

    lrs = [float(v) for v in lrs]
    if not lrs:
        raise ValueError("lrs must hold at least one learning rate")
    frame = Frame(objective, steps, label=optimizer.__name__, compress_level=9)
    images = []
    for lr in lrs:
        traj = minimize(optimizer(lr=lr, **optimizer_kwargs), objective, x0, steps)
        images.append(w.Image(value=frame.render(traj, f"η = {lr:g}: {describe(traj)}"), format="png"))
    stack = w.Stack(images, selected_index=0)
    slider = w.SelectionSlider(
        options=[f"{lr:g}" for lr in lrs], description="learning rate η", style={"description_width": "initial"},
        layout=w.Layout(width="32em"), continuous_update=True,
    )
    box = w.VBox([slider, stack])
    # The link is a widget of its own, saved with the notebook's widget state
    # and run by the browser; keep a reference for tests and readers.
    box.link = w.jslink((slider, "index"), (stack, "selected_index"))
    return box
