"""Plotting helpers: they draw what they say, return axes/figures, show nothing.

Every figure is also rendered to PNG, because some matplotlib problems (a log
axis with no positive data, say) only warn at draw time, and warnings are
errors in this test suite.
"""
import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import optlib  # noqa: E402
from optlib import plotting  # noqa: E402
from optlib.objectives import (  # noqa: E402
    beale,
    ill_conditioned,
    least_squares,
    nonconvex_1d,
    quadratic_1d,
    rosenbrock,
    saddle,
)
from optlib.plotting import color_for, compare, contour, curves, loss_curves, plot_1d, style_for, trajectory  # noqa: E402
from optlib.runner import minimize  # noqa: E402


@pytest.fixture(autouse=True)
def no_show(monkeypatch):
    """Fail if a helper calls plt.show(); close every figure afterwards."""

    def show(*args, **kwargs):
        raise AssertionError("plotting helpers must not call plt.show()")

    monkeypatch.setattr(plt, "show", show)
    yield
    plt.close("all")


def render(fig):
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    assert buf.getvalue().startswith(b"\x89PNG")


@pytest.fixture
def gd_runs():
    f = ill_conditioned()
    return {
        "GD": minimize(optlib.sgd(lr=0.4), f, [-5.0, -2.0], 20),
        "momentum": minimize(optlib.sgd(lr=0.4, momentum=0.5), f, [-5.0, -2.0], 20),
    }


@pytest.mark.parametrize("f", [ill_conditioned(), rosenbrock(), beale(), saddle()], ids=lambda f: f.name)
def test_contour(f):
    ax = contour(f)
    assert len(ax.figure.axes) == 1
    assert len(ax.collections) == 2  # filled contours and their lines
    assert ax.get_xlim() == f.bounds[0] and ax.get_ylim() == f.bounds[1]
    # the minimizer is marked, where there is one
    if f.minimizer is None:
        assert len(ax.lines) == 0
    else:
        (star,) = ax.lines
        np.testing.assert_array_equal(np.ravel(star.get_data()), f.minimizer)
    assert ax.get_title() == f.name
    render(ax.figure)


def test_contour_levels_and_options():
    f = rosenbrock()
    _, ax = plt.subplots()
    assert contour(f, ax=ax, levels=12, filled=False, bounds=((-1, 1), (-1, 1))) is ax
    (cs,) = ax.collections
    levels = cs.levels
    assert len(levels) == 12 and np.all(np.diff(levels) > 0)
    # log-spaced: ratios of successive gaps above the minimum are constant
    gaps = levels[1:] - levels[0]
    np.testing.assert_allclose(gaps[1:] / gaps[:-1], gaps[1] / gaps[0], rtol=1e-9)
    ax2 = contour(f, log_levels=False, levels=12)
    np.testing.assert_allclose(np.diff(ax2.collections[0].levels), np.diff(ax2.collections[0].levels)[0])


def test_contour_rejects_other_dimensions():
    with pytest.raises(ValueError, match="2-D Objective"):
        contour(quadratic_1d())


def test_trajectory(gd_runs):
    ax = contour(ill_conditioned())
    n = len(ax.lines)
    assert trajectory(gd_runs["GD"], ax, label="GD") is ax
    assert len(ax.lines) == n + 3  # path, start, end
    path = ax.lines[n]
    np.testing.assert_array_equal(np.column_stack(path.get_data()), gd_runs["GD"].xs)
    assert path.get_label() == "GD" and path.get_color() == color_for("GD")
    assert ax.get_xlim() == ill_conditioned().bounds[0]  # a path does not rescale the axes
    render(ax.figure)


def test_trajectory_marks_divergence_and_keeps_limits():
    traj = minimize(optlib.sgd(lr=0.6), ill_conditioned(), [-5.0, -2.0], 2000)
    assert traj.diverged
    ax = contour(ill_conditioned())
    trajectory(traj, ax, label="GD, lr=0.6")
    assert ax.lines[-3].get_label() == "GD, lr=0.6 (diverged)"
    assert ax.get_ylim() == ill_conditioned().bounds[1]
    render(ax.figure)


def test_trajectory_needs_2d_iterates():
    traj = minimize(optlib.sgd(lr=0.1), quadratic_1d(), [1.0], 3)
    with pytest.raises(ValueError, match="plot_1d"):
        trajectory(traj, plt.subplots()[1])


def test_loss_curves(gd_runs):
    ax = loss_curves(gd_runs)
    assert len(ax.lines) == 2 and ax.get_yscale() == "log"
    for line, (name, t) in zip(ax.lines, gd_runs.items()):
        assert line.get_label() == name
        np.testing.assert_array_equal(line.get_ydata(), t.losses)
    assert ax.lines[0].get_color() != ax.lines[1].get_color()
    assert len(ax.get_legend().get_texts()) == 2
    render(ax.figure)


def test_loss_curves_in_epochs_put_runs_of_equal_cost_at_equal_x(gd_runs):
    (a, ta), (b, tb) = gd_runs.items()
    ax = loss_curves(gd_runs, per_epoch={a: 1, b: 4})
    np.testing.assert_array_equal(ax.lines[0].get_xdata(), np.arange(len(ta.losses)))
    np.testing.assert_array_equal(ax.lines[1].get_xdata(), np.arange(len(tb.losses)) / 4)
    assert "epoch" in ax.get_xlabel()
    ax = loss_curves(gd_runs, per_epoch=2)
    np.testing.assert_array_equal(ax.lines[0].get_xdata(), np.arange(len(ta.losses)) / 2)
    with pytest.raises(ValueError, match=r"per_epoch has no number of steps per epoch for \['" + b):
        loss_curves(gd_runs, per_epoch={a: 1})
    with pytest.raises(ValueError, match=r"per_epoch\['" + a + r"'\] must be a number of steps > 0, got 0"):
        loss_curves(gd_runs, per_epoch=0)
    render(ax.figure)


def test_loss_curves_gap_to_optimum_and_nonpositive_values():
    f = saddle()
    runs = {"GD": minimize(optlib.sgd(lr=0.1), f, [1.0, 0.1], 30)}  # losses go negative
    ax = loss_curves(runs)
    assert ax.get_yscale() == "linear"  # a log axis could not show them
    render(ax.figure)
    g = rosenbrock()
    runs = {"adam": minimize(optlib.adam(lr=0.05), g, [-1.0, 1.0], 30)}
    ax = loss_curves(runs, log=False, min_value=g.min_value)
    assert ax.get_yscale() == "linear" and "f^*" in ax.get_ylabel()
    with pytest.raises(TypeError, match="dict"):
        loss_curves(list(runs.values()))


def test_same_family_same_color_distinct_within_a_figure():
    assert color_for("Adam, lr=0.1") == color_for("adam") != color_for("AdamW")
    assert color_for("my method") == color_for("my method")  # stable for unknown names
    runs = {f"adam {lr}": minimize(optlib.adam(lr=lr), rosenbrock(), [0.0, 0.0], 5) for lr in (0.1, 0.01)}
    ax = loss_curves(runs)
    assert ax.lines[0].get_color() != ax.lines[1].get_color()


def test_plot_1d():
    f = quadratic_1d()
    traj = minimize(optlib.sgd(lr=0.2), f, [10.0], 10)  # starts outside f.bounds
    ax = plot_1d(f, traj, label="GD")
    assert len(ax.lines) == 2  # curve and iterates
    curve, dots = ax.lines
    assert curve.get_xdata().min() <= f.bounds[0] and curve.get_xdata().max() >= 10.0
    np.testing.assert_array_equal(dots.get_xdata(), traj.xs[:, 0])
    np.testing.assert_array_equal(dots.get_ydata(), traj.losses)
    render(ax.figure)
    runs = {"GD": traj, "GD 0.1": minimize(optlib.sgd(lr=0.1), f, [1.0], 5)}
    assert len(plot_1d(f, runs).lines) == 3
    with pytest.raises(ValueError, match="1-D Objective"):
        plot_1d(rosenbrock())


@pytest.mark.parametrize("overlay, n_axes", [(True, 2), (False, 3)])
def test_compare_2d(overlay, n_axes):
    opts = {"GD": optlib.sgd(lr=0.4), "momentum": optlib.sgd(lr=0.4, momentum=0.5)}
    fig, trajs = compare(ill_conditioned(), opts, [-5.0, -2.0], 20, overlay=overlay)
    assert len(fig.axes) == n_axes
    assert list(trajs) == list(opts)
    np.testing.assert_array_equal(trajs["GD"].xs, minimize(opts["GD"], ill_conditioned(), [-5.0, -2.0], 20).xs)
    path_axes, loss_ax = fig.axes[:-1], fig.axes[-1]
    # a minimizer star per panel, and path + start + end per run
    assert sum(len(ax.lines) for ax in path_axes) == len(path_axes) + 3 * len(opts)
    assert len(loss_ax.lines) == 2
    width, _ = fig.get_size_inches()
    assert 8 <= width <= 10 and fig.dpi <= 100
    render(fig)


def test_compare_1d_and_high_dimensional():
    opts = {"GD": optlib.sgd(lr=0.1), "GD, lr=0.3": optlib.sgd(lr=0.3)}
    fig, trajs = compare(nonconvex_1d(), opts, [1.8], 15)
    assert len(fig.axes) == 2 and len(fig.axes[0].lines) == 1 + 2
    render(fig)
    X = np.random.default_rng(0).normal(size=(30, 5))
    fig, trajs = compare(least_squares(X, X @ np.ones(5)), opts, np.zeros(5), 10)
    assert len(fig.axes) == 1 and set(trajs) == set(opts)  # no path panel in 5-D
    render(fig)
    with pytest.raises(TypeError, match="opts"):
        compare(nonconvex_1d(), [], [1.0], 3)
    with pytest.raises(TypeError, match="objective must be an Objective"):
        compare(lambda x: (x @ x, 2 * x), opts, [1.0], 3)


def test_compare_with_a_custom_window():
    fig, _ = compare(rosenbrock(), {"adam": optlib.adam(lr=0.1)}, [-3.0, 4.0], 5, bounds=((-4, 2), (-1, 5)))
    assert fig.axes[0].get_xlim() == (-4, 2)


def test_public_names():
    assert set(plotting.__all__) == {"color_for", "style_for", "contour", "trajectory", "loss_curves", "curves", "plot_1d",
                                     "compare", "rate_vs_lr"}


def test_rate_vs_lr_draws_theory_experiment_and_marks():
    import matplotlib.pyplot as plt

    ax = plotting.rate_vs_lr([0.1, 0.2, 0.3], [0.9, 0.8, 1.2], [0.9, 0.8, 1.2], marks={"a": 0.15, "b": 0.25})
    predicted, measured = ax.lines[0], ax.lines[1]
    assert list(predicted.get_ydata()) == [0.9, 0.8, 1.2] and measured.get_marker() == "."
    assert [t.get_text() for t in ax.texts] == ["a", "b"]
    assert ax.get_ylim()[1] >= 1.26  # room above the largest rate
    plt.close(ax.figure)


def test_curves_draw_measured_solid_and_predicted_dashed_in_the_same_color():
    from optlib.plotting import curves
    t = np.arange(1, 11)
    ax = curves({"a": 1 / t, "b": (t * 2, t**2)}, {"a": (t, 1.5 / t)}, xlabel="t", logx=True, logy=True)
    solid_a, dashed_a, solid_b = ax.lines
    np.testing.assert_array_equal(solid_a.get_xdata(), t)          # y alone: x = 1, 2, ...
    np.testing.assert_array_equal(dashed_a.get_ydata(), 1.5 / t)
    np.testing.assert_array_equal(solid_b.get_xdata(), t * 2)      # an (x, y) pair
    assert dashed_a.get_linestyle() == "--" and dashed_a.get_color() == solid_a.get_color()
    assert solid_a.get_color() != solid_b.get_color()
    # where they agree the dashed prediction lies on a wider, paler band and stays visible
    assert solid_a.get_linewidth() > dashed_a.get_linewidth() and solid_a.get_alpha() < 1
    assert solid_b.get_alpha() is None                             # no prediction: plain line
    assert ax.get_xscale() == ax.get_yscale() == "log" and ax.get_xlabel() == "t"
    assert [text.get_text() for text in ax.get_legend().get_texts()] == ["a", "b"]
    render(ax.figure)
    with pytest.raises(ValueError, match=r"predicted has curves with no measured curve of the same name: \['c'\]"):
        curves({"a": t}, {"c": t})
    with pytest.raises(TypeError, match="dicts of name"):
        curves([t])


# ------------------------------------------------------- not by color alone

def _look(line):
    """What tells a line apart without its color: line style and marker."""
    return (str(line.get_linestyle()), line.get_marker() if line.get_marker() not in (None, "None", "") else None)


def _named_lines(ax):
    """The lines of ``ax`` that carry a legend label (not minimizer stars, starts, ends, predictions)."""
    return [line for line in ax.lines if not line.get_label().startswith("_")]


def assert_distinct(ax):
    """No two named lines in ``ax`` look alike without their color (line style and
    marker), nor share a color while the palette has colors to spare."""
    lines = _named_lines(ax)
    assert len(lines) >= 2
    for i, a in enumerate(lines):
        for b in lines[i + 1:]:
            what = f"{a.get_label()!r} and {b.get_label()!r}"
            assert _look(a) != _look(b), f"{what} differ only in color: both {_look(a)}"
            if len(lines) <= len(plotting.PALETTE):
                assert a.get_color() != b.get_color(), f"{what} share a color"


FAMILIES = ["GD", "momentum", "Nesterov", "AdaGrad", "RMSprop", "Adadelta", "Adam", "AdamW", "Adamax", "NAdam"]


def test_style_for_is_fixed_per_family_and_distinct_across_families():
    assert style_for("Adam, lr=0.1") == style_for("adam") == style_for("ADAM")
    assert style_for("my method") == style_for("my method")  # stable for unknown names
    looks = {tuple(map(str, style_for(name).values())) for name in FAMILIES}
    assert len(looks) == len(FAMILIES)  # one color, line style and marker per family
    assert all(style_for(name)["marker"] not in ("s", "X", "*") for name in FAMILIES)  # start, end, minimizer


@pytest.mark.parametrize("names", [
    FAMILIES,
    ["adam lr=0.1", "adam lr=0.01", "adam lr=0.001"],  # one family three times
    ["B = 1", "B = 8", "B = 64", "B = n = 1797"],  # no family: hashed
    FAMILIES + ["AMSGrad", "SGD, lr=0.1", "momentum 0.99"],  # more lines than colors
], ids=["families", "same-family", "unknown", "many"])
def test_two_curves_in_one_axes_never_share_color_and_style(names):
    f = rosenbrock()
    runs = {name: minimize(optlib.sgd(lr=1e-4 * (i + 1)), f, [-1.0, 1.0], 30) for i, name in enumerate(names)}
    ax = loss_curves(runs)
    assert_distinct(ax)
    render(ax.figure)
    ax = curves({name: t.losses for name, t in runs.items()})
    assert_distinct(ax)
    assert all(line.get_linestyle() == "-" for line in ax.lines)  # solid: measured; dashed is kept for predictions
    ax = curves({name: t.losses for name, t in runs.items()}, {name: t.losses for name, t in runs.items()})
    assert_distinct(ax)
    render(ax.figure)
    ax = contour(f)
    for name, t in runs.items():
        trajectory(t, ax, label=name)
    fig, _ = compare(f, {name: optlib.sgd(lr=1e-4) for name in names}, [-1.0, 1.0], 5)
    for ax in fig.axes:
        assert_distinct(ax)
    render(fig)


def test_plot_1d_runs_differ_in_style_too():
    f = nonconvex_1d()
    runs = {name: minimize(optlib.sgd(lr=lr), f, [1.8], 10) for name, lr in (("GD", 0.05), ("GD 0.1", 0.1))}
    assert_distinct(plot_1d(f, runs))


def test_a_frame_draws_its_runs_in_distinct_styles():
    from optlib.widgets import Frame

    labels = ["GD", "momentum", "Adam"]
    frame = Frame(ill_conditioned(), 10, label=labels)
    for part in ("path", "loss"):
        lines = [frame.artists[label][part] for label in labels]
        looks = {_look(line) for line in lines}
        assert len(looks) == len(lines) and len({line.get_color() for line in lines}) == len(lines), part
