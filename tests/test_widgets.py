"""Playgrounds: the live one re-runs on a slider move; the static one links in the browser."""
import io

import numpy as np
import pytest
from PIL import Image

import optlib
from optlib.widgets import Frame, Playground, static_playground

ipywidgets = pytest.importorskip("ipywidgets")


def pixels(png):
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


def test_slider_move_reruns_and_redraws():
    pg = Playground(lr=0.1)
    before = pg.image.value
    pg.lr.value = 0.45
    after = pg.image.value
    assert before != after
    traj = pg.run()
    expected = optlib.minimize(optlib.sgd(lr=0.45), pg.objectives[pg.objective.value], [-4.0, -1.5], 30)
    np.testing.assert_array_equal(traj.xs, expected.xs)


def test_start_sliders_keep_the_requested_start():
    pg = Playground(x0=(-4.0, -1.5))
    assert (pg.x1.value, pg.x2.value) == (-4.0, -1.5)


def test_changing_objective_updates_start_ranges():
    pg = Playground()
    pg.objective.value = "Rosenbrock"
    (a, b), (c, d) = optlib.objectives.rosenbrock().bounds
    assert (pg.x1.min, pg.x1.max, pg.x2.min, pg.x2.max) == (a, b, c, d)
    assert a <= pg.x1.value <= b and c <= pg.x2.value <= d


def test_blitting_gives_the_same_picture_as_a_fresh_frame():
    f = optlib.objectives.ill_conditioned()
    traj = optlib.minimize(optlib.sgd(lr=0.3), f, [-4.0, -1.5], 20)
    reused = Frame(f, 20)
    reused.render(optlib.minimize(optlib.sgd(lr=0.1), f, [-4.0, -1.5], 20))
    np.testing.assert_array_equal(pixels(reused.render(traj)), pixels(Frame(f, 20).render(traj)))


def test_static_playground_links_slider_to_frames_in_the_browser():
    box = static_playground(optlib.objectives.ill_conditioned(), [0.1, 0.4, 0.55], (-4.0, -1.5), 20)
    slider, stack = box.children
    assert isinstance(stack, ipywidgets.Stack) and len(stack.children) == 3
    assert len({img.value for img in stack.children}) == 3
    # jslink: the link lives in the front end, no Python callback needed
    assert isinstance(box.link, ipywidgets.widgets.widget_link.Link)
    assert box.link.source == (slider, "index") and box.link.target == (stack, "selected_index")


def test_static_playground_needs_learning_rates():
    with pytest.raises(ValueError, match="lrs"):
        static_playground(optlib.objectives.ill_conditioned(), [], (0.0, 0.0), 5)
