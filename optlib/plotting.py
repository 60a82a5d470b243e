"""Plots for the chapters, so that a notebook cell shows the idea, not matplotlib.

Every helper draws on an ``ax`` (made if not given) and returns it, or
returns the figure it made; none calls ``plt.show()``. Each optimizer name
keeps its color across the whole book (see :func:`color_for`), and its line
style and marker too (:func:`style_for`), so that no figure tells its lines
apart by color alone. Figures are about 9 inches wide at a modest dpi, so
committed notebook images stay small.
"""
import zlib

import numbers

import numpy as np

from .objectives import Objective
from .runner import minimize

__all__ = ["color_for", "style_for", "contour", "trajectory", "loss_curves", "curves", "plot_1d", "compare", "rate_vs_lr"]

WIDTH = 9.0  # inches; a page-wide figure
DPI = 80  # inline PNGs of ~720 px width: sharp enough, small in git
MARK_EVERY = 0.1  # markers on long curves: about every tenth of the axes (matplotlib's markevery)

# matplotlib's tab10 palette, one fixed color per optimizer family, so "adam"
# is the same red in every chapter. Names are matched by the longest key
# contained in the lower-cased label ("Adam, lr=0.1" -> "adam", "nadam" -> "nadam").
PALETTE = (
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
    "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
)
_FAMILY = {
    "gd": 0, "sgd": 0,
    "momentum": 1, "heavy ball": 1,
    "nesterov": 2,
    "adagrad": 4,
    "rmsprop": 5,
    "adadelta": 6,
    "adam": 3,
    "adamw": 9,
    "adamax": 8,
    "nadam": 7,
    "amsgrad": 9,
}


def color_for(name):
    """The color of optimizer ``name``: fixed for known families, else a stable hash.

    >>> color_for("Adam (lr=0.1)") == color_for("adam")
    True
    """
    return PALETTE[_family(name)]


# A line style and a marker per family, indexed like PALETTE, so that lines
# differ in shape as well as in color (for readers who do not see the colors,
# and on a grey-scale print). No two pairs are alike; the markers avoid the
# square, the cross and the star, which mark starts, ends and minimizers.
LINESTYLES = ("-", "--", "-.", ":", (0, (5, 1.5, 1, 1.5, 1, 1.5)))
MARKERS = ("o", "^", "v", "D", "P", "h", "<", ">", "d", "p")
STYLES = tuple(
    {"linestyle": LINESTYLES[i % len(LINESTYLES)], "marker": MARKERS[i]} for i in range(len(PALETTE))
)
ALL_MARKERS = MARKERS + ("8", "H", "+", "x", "1", "2", "3", "4", "|", "_")  # for figures of many lines


def _family(name):
    """The index into PALETTE and STYLES of optimizer ``name``: its family's, else a stable hash."""
    label = str(name).lower()
    keys = [k for k in _FAMILY if k in label]
    if keys:
        return _FAMILY[max(keys, key=len)]
    # zlib.crc32, not hash(): Python salts str hashes per process, and a
    # color that changed between runs would change committed notebooks.
    return zlib.crc32(label.encode()) % len(PALETTE)


def style_for(name):
    """The line style and marker of optimizer ``name``, as keyword arguments of ``ax.plot``.

    Fixed per family like :func:`color_for` (gradient descent solid with
    dots, momentum dashed with triangles, ...), so a reader who cannot tell
    the colors apart still tells the lines apart.

    >>> style_for("Adam (lr=0.1)") == style_for("adam") != style_for("momentum")
    True
    >>> style_for("GD")
    {'linestyle': '-', 'marker': 'o'}
    """
    return dict(STYLES[_family(name)])


def _styles(names):
    """``style_for`` each name, but never the same marker twice in one figure.

    A name whose family's style is taken ("adam lr=0.1" after "adam") gets the
    first free one; past the ten families' styles, more markers (thin ones).
    """
    styles, used = {}, set()
    for name in names:
        style = STYLES[_family(name)]
        if style["marker"] in used:
            free = [i for i, marker in enumerate(ALL_MARKERS) if marker not in used]
            if free:
                style = {"linestyle": LINESTYLES[free[0] % len(LINESTYLES)], "marker": ALL_MARKERS[free[0]]}
        styles[name] = dict(style)
        used.add(style["marker"])
    return styles


def _colors(names):
    """``color_for`` each name, but never the same color twice in one figure."""
    colors, used = {}, set()
    for name in names:
        c = color_for(name)
        if c in used:  # e.g. "adam lr=0.1" and "adam lr=0.01"
            c = next((p for p in PALETTE if p not in used), c)
        colors[name] = c
        used.add(c)
    return colors


def _plt():
    # pyplot is imported on first use, not with optlib: it takes about half a
    # second and picks a GUI backend, which a script training a torch model
    # with optlib's optimizers does not need.
    import matplotlib.pyplot as plt

    return plt


def _axes(ax, size=(5.0, 4.0)):
    if ax is None:
        _, ax = _plt().subplots(figsize=size, dpi=DPI)
    return ax


def _levels(z, n, log):
    """Contour levels for the grid values ``z``.

    Log-spaced above the lowest value, from the 1% quantile of the grid up, so
    a flat valley floor gets as many contour lines as the steep walls
    (Rosenbrock's and Beale's values span five orders of magnitude).
    """
    lo, hi = float(z.min()), float(z.max())
    span = hi - lo
    if span <= 0:  # a constant function: any increasing levels will do
        return lo + np.arange(n, dtype=float)
    if not log:
        return np.linspace(lo, hi, n)
    floor = max(float(np.quantile(z - lo, 0.01)), span * 1e-9)
    return lo + np.concatenate([[0.0], np.geomspace(floor, span, n - 1)])


def contour(objective, ax=None, bounds=None, levels=30, log_levels=True, filled=True, resolution=200):
    """Contours of a 2-D objective over its window, with its minimizer as a star.

    Parameters
    ----------
    objective : Objective
        A 2-D objective (``objective.dim == 2``).
    ax : matplotlib Axes, optional
        Where to draw; a new figure is made if None.
    bounds : ((x1min, x1max), (x2min, x2max)), optional
        Window; default ``objective.bounds``.
    levels : int
        Number of contour levels.
    log_levels : bool
        Space levels logarithmically above the minimum (default) or evenly.
    filled : bool
        Filled contours under thin lines (default) or lines only.
    resolution : int
        Grid points per axis.

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> from optlib.objectives import rosenbrock
    >>> ax = contour(rosenbrock())
    >>> print([float(v) for v in ax.get_xlim()], ax.get_title())
    [-2.0, 2.0] Rosenbrock
    >>> plt.close(ax.figure)
    """
    if not isinstance(objective, Objective) or objective.dim != 2:
        raise ValueError(f"contour needs a 2-D Objective, got {objective!r}; use plot_1d for 1-D ones")
    (x1lo, x1hi), (x2lo, x2hi) = bounds if bounds is not None else objective.bounds
    ax = _axes(ax)
    x1, x2 = np.meshgrid(np.linspace(x1lo, x1hi, resolution), np.linspace(x2lo, x2hi, resolution))
    z = objective.value(np.stack([x1, x2], axis=-1))
    lv = _levels(z, levels, log_levels)
    # Color by level index, not by value: with log-spaced levels a linear
    # color scale would paint almost everything the same dark blue.
    from matplotlib.colors import BoundaryNorm

    norm = BoundaryNorm(lv, ncolors=256)  # viridis has 256 colors
    if filled:
        ax.contourf(x1, x2, z, lv, cmap="viridis", norm=norm, alpha=0.55)
        ax.contour(x1, x2, z, lv, colors="k", linewidths=0.3, alpha=0.35)
    else:
        ax.contour(x1, x2, z, lv, cmap="viridis", norm=norm, linewidths=0.8)
    if objective.minimizer is not None:
        ax.plot(*objective.minimizer, marker="*", ms=14, color="gold", mec="k", ls="none", zorder=5)
    # Fixed limits (this also turns autoscaling off): a diverging path drawn
    # later must not zoom the plot out to 1e30.
    ax.set_xlim(x1lo, x1hi)
    ax.set_ylim(x2lo, x2hi)
    ax.set_aspect("equal", adjustable="box")  # so a round bowl looks round
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.set_title(objective.name)
    return ax


def trajectory(traj, ax, label=None, color=None, marker=None, ms=None, linestyle=None):
    """Draw a 2-D trajectory: the path with a dot per iterate, a square at the start, a cross at the end.

    Three lines are added to ``ax``: the path, the start and the end. A
    diverged run gets "(diverged)" appended to its legend label.

    Parameters
    ----------
    traj : Trajectory
        From :func:`optlib.runner.minimize` on a 2-D objective.
    ax : matplotlib Axes
        Usually the output of :func:`contour`.
    label : str, optional
        Legend label; also picks the color, line style and marker via
        :func:`color_for` and :func:`style_for`.
    color : color, optional
        Overrides the label's color.
    marker, ms : optional
        Marker of the iterates (default: the label's, else a dot) and its
        size (default: smaller for long runs).
    linestyle : optional
        The path's line style (default: the label's, else solid).

    Returns
    -------
    matplotlib Axes
    """
    xs = np.asarray(traj.xs)
    if xs.ndim != 2 or xs.shape[1] != 2:
        raise ValueError(f"trajectory needs 2-D iterates, got xs of shape {xs.shape}; use plot_1d for 1-D ones")
    if color is None:
        color = color_for(label) if label is not None else "C3"
    style = style_for(label) if label is not None else {"linestyle": "-", "marker": "o"}
    marker = style["marker"] if marker is None else marker
    linestyle = style["linestyle"] if linestyle is None else linestyle
    if ms is None:
        ms = 3.0 if len(xs) <= 60 else 1.5
    if label is not None and traj.diverged:
        label = f"{label} (diverged)"
    ax.plot(xs[:, 0], xs[:, 1], linestyle=linestyle, marker=marker, ms=ms, lw=1.2, color=color, label=label)
    ax.plot(*xs[0], "s", ms=6, color=color, mec="k")
    ax.plot(*xs[-1], "X", ms=8, color=color, mec="k")
    return ax


def loss_curves(trajs, ax=None, log=True, min_value=None, per_epoch=None):
    """Loss against step (or epoch) for several runs, one line per name.

    Each line has its name's color, line style and marker (:func:`style_for`;
    markers about every tenth of the plot, so long runs stay lines).

    Parameters
    ----------
    trajs : dict[str, Trajectory]
        Label -> trajectory.
    ax : matplotlib Axes, optional
    log : bool
        Logarithmic y axis, unless some plotted value is <= 0 (a loss that
        can be negative, or that reached 0 exactly): then it stays linear.
    min_value : float, optional
        Plot ``loss - min_value`` (the gap to the optimum), typically
        ``objective.min_value``: on a log axis its slope is the rate.
    per_epoch : number or dict[str, number], optional
        Steps per epoch (one pass over the data), for all runs or by name:
        the x axis then counts epochs, ``k / per_epoch``, so that gradient
        descent (1 step per epoch) and SGD (n steps per epoch) are compared
        at equal cost.

    Returns
    -------
    matplotlib Axes
    """
    if not isinstance(trajs, dict):
        raise TypeError(f"trajs must be a dict of name -> Trajectory, got {type(trajs).__name__}")
    if per_epoch is not None:
        given = per_epoch if isinstance(per_epoch, dict) else {name: per_epoch for name in trajs}
        missing = sorted(set(trajs) - set(given))
        if missing:
            raise ValueError(f"per_epoch has no number of steps per epoch for {missing}")
        for name, v in given.items():
            if isinstance(v, bool) or not isinstance(v, numbers.Real) or not v > 0:
                raise ValueError(f"per_epoch[{name!r}] must be a number of steps > 0, got {v!r}")
    ax = _axes(ax, size=(5.0, 3.5))
    shift = 0.0 if min_value is None else float(min_value)
    lowest = np.inf
    styles = _styles(trajs)
    for name, c in _colors(trajs).items():
        t = trajs[name]
        y = np.asarray(t.losses) - shift
        lowest = min(lowest, float(y.min()))
        label = f"{name} (diverged)" if t.diverged else name
        k = np.arange(len(y))
        ax.plot(k if per_epoch is None else k / given[name], y, color=c, lw=1.5, label=label,
                ms=4, markevery=MARK_EVERY, **styles[name])
    if log and lowest > 0:
        ax.set_yscale("log")
    ax.set_xlabel("step $k$" if per_epoch is None else "epochs (passes over the data)")
    ax.set_ylabel("$f(x_k)$" if min_value is None else "$f(x_k) - f^*$")
    if trajs:
        ax.legend(fontsize="small")
    return ax


def curves(measured, predicted=None, ax=None, xlabel=None, ylabel=None, logx=False, logy=False):
    """Named curves on one axes: measured solid, each prediction dashed on it in the same color.

    A measured curve that has a prediction is drawn as a wide, pale band so
    that the prediction stays visible where the two agree. Measured curves
    carry their name's marker (:func:`style_for`, about every tenth of the
    plot) as well as its color; line styles are kept for measured (solid)
    against predicted (dashed).

    Parameters
    ----------
    measured : dict[str, array_like or (x, y)]
        Name -> the y values (then x is 1, 2, ...) or an ``(x, y)`` pair.
    predicted : dict[str, array_like or (x, y)], optional
        Name -> the predicted curve, drawn dashed in the color of the measured
        curve of the same name (every name must be one of ``measured``).
    ax : matplotlib Axes, optional
    xlabel, ylabel : str, optional
    logx, logy : bool
        Logarithmic axes.

    Returns
    -------
    matplotlib Axes, with a legend of the measured curves.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> t = np.arange(1, 101)
    >>> ax = curves({"1/t": 1 / t + 0.01 * np.sin(t)}, {"1/t": 1 / t}, logx=True, logy=True)
    >>> [line.get_linestyle() for line in ax.lines]
    ['-', '--']
    >>> plt.close(ax.figure)
    """
    predicted = {} if predicted is None else predicted
    if not isinstance(measured, dict) or not isinstance(predicted, dict):
        raise TypeError("measured and predicted must be dicts of name -> y values or (x, y)")
    unknown = sorted(set(predicted) - set(measured))
    if unknown:
        raise ValueError(f"predicted has curves with no measured curve of the same name: {unknown}")

    def xy(curve):
        if isinstance(curve, tuple) and len(curve) == 2:
            return np.asarray(curve[0]), np.asarray(curve[1])
        y = np.asarray(curve)
        return np.arange(1, len(y) + 1), y

    ax = _axes(ax, size=(5.0, 3.5))
    styles = _styles(measured)
    for name, c in _colors(measured).items():
        marks = dict(marker=styles[name]["marker"], ms=4, markevery=MARK_EVERY)
        if name in predicted:  # a wide pale band, so the dashed line on it shows
            ax.plot(*xy(measured[name]), "-", color=c, lw=3.0, alpha=0.4, label=name, **marks)
            ax.plot(*xy(predicted[name]), "--", color=c, lw=1.2)
        else:
            ax.plot(*xy(measured[name]), "-", color=c, lw=1.5, label=name, **marks)
    if logx:
        ax.set_xscale("log")
    if logy:
        ax.set_yscale("log")
    if xlabel:
        ax.set_xlabel(xlabel)
    if ylabel:
        ax.set_ylabel(ylabel)
    ax.legend(fontsize="small")
    return ax


def plot_1d(objective, traj=None, ax=None, label=None, color=None):
    """A 1-D objective's curve and the iterates of one or several runs on it.

    Parameters
    ----------
    objective : Objective
        A 1-D objective; the window is ``objective.bounds``, widened to show
        every iterate.
    traj : Trajectory or dict[str, Trajectory], optional
        One run, or several by name (each in its :func:`color_for` color and
        :func:`style_for` line style and marker).
    ax : matplotlib Axes, optional
    label : str, optional
        Legend label of a single run.
    color : color or dict[str, color], optional
        Its color, or for a dict of runs a color per name.

    Returns
    -------
    matplotlib Axes: the curve is its first line, then one line per run.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> from optlib.objectives import nonconvex_1d
    >>> ax = plot_1d(nonconvex_1d())
    >>> len(ax.lines)
    1
    >>> plt.close(ax.figure)
    """
    if not isinstance(objective, Objective) or objective.dim != 1:
        raise ValueError(f"plot_1d needs a 1-D Objective, got {objective!r}; use contour for 2-D ones")
    if traj is None:
        runs, colors = {}, {}
    elif isinstance(traj, dict):
        runs, colors = traj, (color if isinstance(color, dict) else _colors(traj))
    else:
        runs = {label: traj}
        colors = {label: color if color is not None else (color_for(label) if label is not None else "C3")}
    styles = _styles(runs)
    ax = _axes(ax, size=(5.0, 3.5))
    lo = min([objective.bounds[0]] + [float(t.xs.min()) for t in runs.values()])
    hi = max([objective.bounds[1]] + [float(t.xs.max()) for t in runs.values()])
    grid = np.linspace(lo, hi, 400)
    ax.plot(grid, objective.value(grid[:, None]), color="0.3", lw=1.5)
    for name, t in runs.items():
        ax.plot(t.xs[:, 0], t.losses, ms=4, lw=1, color=colors[name], label=name, **styles[name])
    ax.set_xlabel("$x$")
    ax.set_ylabel("$f(x)$")
    ax.set_title(objective.name)
    return ax


def compare(objective, opts, x0, steps, overlay=True, log=True, bounds=None):
    """Run several optimizers from the same start and show them side by side.

    Parameters
    ----------
    objective : Objective
    opts : dict[str, optimizer]
        Label -> optimizer, e.g. ``{"GD": optlib.sgd(lr=0.4), "momentum":
        optlib.sgd(lr=0.4, momentum=0.5)}``.
    x0 : array_like
        Common starting point.
    steps : int
        Updates per optimizer.
    overlay : bool
        All paths in one panel (default), or one panel per optimizer.
    log : bool
        Logarithmic loss axis.
    bounds : ((x1min, x1max), (x2min, x2max)), optional
        Window of the contour plots (2-D); default ``objective.bounds``.

    Returns
    -------
    (matplotlib Figure, dict[str, Trajectory])
        The figure shows the paths (on contours in 2-D, on the curve in 1-D,
        omitted in higher dimensions), then the loss curves in its last axes.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> import optlib
    >>> from optlib.objectives import ill_conditioned
    >>> opts = {"GD": optlib.sgd(lr=0.4), "momentum": optlib.sgd(lr=0.4, momentum=0.5)}
    >>> fig, trajs = compare(ill_conditioned(), opts, x0=[-5.0, -2.0], steps=20)
    >>> print(len(fig.axes), {k: f"{t.final_loss:.2e}" for k, t in trajs.items()})
    2 {'GD': '8.90e-02', 'momentum': '3.98e-04'}
    >>> plt.close(fig)
    """
    if not isinstance(objective, Objective):
        raise TypeError(
            f"objective must be an Objective (to know its dimension and window), got {type(objective).__name__}"
        )
    if not isinstance(opts, dict) or not opts:
        raise TypeError("opts must be a non-empty dict of name -> optimizer")
    trajs = {name: minimize(opt, objective, x0, steps) for name, opt in opts.items()}
    colors, styles = _colors(trajs), _styles(trajs)
    # Above 2-D there is nothing to draw a path on: only the loss panel.
    groups = [] if objective.dim > 2 else [trajs] if overlay else [{n: t} for n, t in trajs.items()]
    fig, axes = _plt().subplots(
        1, len(groups) + 1, figsize=(WIDTH, 3.8), dpi=DPI, squeeze=False, layout="constrained"
    )
    axes = list(axes[0])
    for ax, group in zip(axes, groups):
        if objective.dim == 2:
            contour(objective, ax=ax, bounds=bounds)
            for name, t in group.items():
                trajectory(t, ax, label=name, color=colors[name], **styles[name])
        else:
            plot_1d(objective, group, ax=ax, color={n: colors[n] for n in group})
        if len(groups) > 1:
            ax.set_title(next(iter(group)))
    loss_curves(trajs, ax=axes[-1], log=log)
    axes[-1].set_title("loss")
    return fig, trajs


def rate_vs_lr(lrs, predicted, measured, marks=None, ax=None):
    r"""Convergence rate per step against the learning rate: theory as a line, experiment as dots.

    Parameters
    ----------
    lrs : array_like
        Learning rates (x axis).
    predicted, measured : array_like
        Rate per step for each learning rate; 1 (drawn as a line) separates
        convergence from divergence.
    marks : dict[str, float], optional
        Labelled vertical lines, e.g. ``{r"$\eta^*$": 0.476}``.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> ax = rate_vs_lr([0.1, 0.2], [0.9, 0.8], [0.9, 0.8], marks={"a": 0.15})
    >>> print(len(ax.lines), ax.get_xlabel())
    4 learning rate $\eta$
    >>> plt.close(ax.figure)
    """
    ax = _axes(ax, size=(6.0, 3.2))
    ax.plot(lrs, predicted, lw=3, alpha=0.4, label="predicted")
    ax.plot(lrs, measured, ".", ms=4, label="measured")
    ax.axhline(1, color="k", lw=0.5)
    top = max(1.3, float(np.max(predicted)) * 1.05)
    for i, (label, x) in enumerate((marks or {}).items()):
        ax.axvline(x, ls=("--", ":", "-.")[i % 3], color="gray")
        ax.annotate(label, (x, 0.3 * top), ha="right" if i % 2 == 0 else "left")
    ax.set(xlabel=r"learning rate $\eta$", ylabel="rate per step", ylim=(0, top))
    ax.legend(loc="lower left")
    return ax
