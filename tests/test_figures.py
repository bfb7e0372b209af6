"""The Explorer's figure builders, without a server: traces, fixed ranges, markers, frames, size."""

from __future__ import annotations

import base64
import json

import numpy as np
import plotly.graph_objects as go
import pytest

import core
from app.figures import (
    CLICK_GRID,
    MAX_CURVE_POINTS,
    MAX_DRAWN_POINTS,
    MAX_FRAMES,
    decimate_indices,
    descent_figure,
    drawn_path,
    exit_point,
    frame_count,
    loss_figure,
    path_views,
    surface_3d_figure,
    surface_grid,
    typed_array,
)
from app.figures import contour_figure as contour
from app.theme import path_colour

BUDGET_BYTES = 300_000


def _views(surface, specs, steps=200, start=None, schedule=None):
    start = surface.default_start if start is None else start
    runs = [
        core.descend(surface, core.optimizer(name, **hp), start, steps, schedule=schedule)
        for name, hp in specs
    ]
    return path_views(runs, list(range(len(runs))))


def _decoded(array_or_spec) -> np.ndarray:
    """A trace array from Figure.to_dict(): a typed-array spec or a plain list."""
    if isinstance(array_or_spec, dict):
        dtype = {"f4": np.float32, "f8": np.float64, "i4": np.int32}[array_or_spec["dtype"]]
        return np.frombuffer(base64.b64decode(array_or_spec["bdata"]), dtype=dtype)
    return np.asarray(array_or_spec)


def _trace(figure, name_start: str) -> dict:
    return next(t for t in figure.to_dict()["data"] if (t.get("name") or "").startswith(name_start))


# ----- the grid -------------------------------------------------------------------------------
def test_grid_matches_the_surface_and_is_float32():
    surface = core.surface("himmelblau")
    grid = surface_grid(surface, 30)
    assert grid.values.dtype == np.float32 and grid.values.shape == (30, 30)
    row, column = 7, 19
    expected = surface.value(np.array([grid.xs[column], grid.ys[row]], dtype=np.float64))
    assert grid.values[row, column] == pytest.approx(expected, rel=1e-5)


def test_log_colours_where_the_surface_asks_for_them():
    rosenbrock = surface_grid(core.surface("rosenbrock"), 40)
    assert "log" in rosenbrock.colour_title
    # log10(f − f* + δ): eight decades of f become a few units of colour.
    assert np.nanmax(rosenbrock.colours) - np.nanmin(rosenbrock.colours) < 12
    assert np.allclose(rosenbrock.colours, rosenbrock.colour_of(rosenbrock.values), atol=1e-4)
    bowl = surface_grid(core.surface("bowl"), 40)
    assert bowl.colour_title == "f" and np.array_equal(bowl.colours, bowl.values)


def test_grid_size_is_capped():
    assert surface_grid(core.surface("bowl"), 10_000).values.shape == (400, 400)


# ----- decimation and the exit point ----------------------------------------------------------
def test_decimation_keeps_ends_and_requested_indices():
    indices = decimate_indices(5001, 100, keep=(1234, 1235))
    assert indices[0] == 0 and indices[-1] == 5000
    assert {1234, 1235} <= set(indices.tolist())
    assert len(indices) <= 102 and np.all(np.diff(indices) > 0)
    assert np.array_equal(decimate_indices(50, 100), np.arange(50))


def test_exit_point_lies_on_the_boundary_and_on_the_segment():
    points = np.array([[0.0, 0.0], [1.0, 0.5], [3.0, 1.5]])
    index, crossing = exit_point(points, (-2.0, 2.0, -2.0, 2.0))
    assert index == 2
    np.testing.assert_allclose(crossing, [2.0, 1.0])
    assert exit_point(points[:2], (-2.0, 2.0, -2.0, 2.0)) is None


def test_drawn_path_is_decimated_float32_and_drops_non_finite_tail():
    points = np.vstack([np.linspace([0, 0], [1, 1], 3000), [[np.inf, np.nan]]])
    drawn, exit = drawn_path(points, (-2.0, 2.0, -2.0, 2.0))
    assert drawn.dtype == np.float32 and len(drawn) <= MAX_DRAWN_POINTS + 2
    assert np.all(np.isfinite(drawn)) and exit is None
    np.testing.assert_allclose(drawn[-1], [1.0, 1.0])


# ----- the contour ----------------------------------------------------------------------------
def test_contour_axes_are_fixed_to_the_domain():
    surface = core.surface("mccormick")
    figure = contour(
        surface,
        surface_grid(surface, 30),
        _views(surface, [("sgd", {"lr": 0.01})]),
        surface.default_start,
    )
    layout = figure.to_dict()["layout"]
    assert layout["xaxis"]["range"] == [-1.5, 4.0] and layout["xaxis"]["autorange"] is False
    assert layout["yaxis"]["range"] == [-3.0, 4.0] and layout["yaxis"]["autorange"] is False


def test_stationary_points_have_distinct_markers():
    surface = core.surface("six-hump-camel")
    figure = contour(surface, surface_grid(surface, 30), [], surface.default_start)
    symbols = {
        t["name"]: t["marker"]["symbol"]
        for t in figure.to_dict()["data"]
        if t.get("name") in ("global minimum", "local minimum", "saddle", "local maximum")
    }
    assert symbols["global minimum"] == "star"
    assert len(set(symbols.values())) == 4
    assert len(_decoded(_trace(figure, "global minimum")["x"])) == 2


def test_each_path_has_its_colour_and_its_learning_rate_in_the_legend():
    surface = core.surface("rosenbrock")
    views = _views(surface, [("sgd", {"lr": 0.001}), ("adam", {"lr": 0.05})])
    figure = contour(surface, surface_grid(surface, 30), views, surface.default_start)
    first, second = _trace(figure, "1 · sgd (lr 0.001)"), _trace(figure, "2 · adam (lr 0.05)")
    assert first["line"]["color"] == path_colour(0) and second["line"]["color"] == path_colour(1)
    assert first["x"]["dtype"] == "f4"
    np.testing.assert_allclose(_decoded(first["x"])[0], surface.default_start[0])


def test_click_grid_tiles_the_domain_invisibly():
    surface = core.surface("booth")
    figure = contour(surface, surface_grid(surface, 30), [], surface.default_start)
    grid = _trace(figure, "click to start here")
    xs, ys = _decoded(grid["x"]), _decoded(grid["y"])
    assert len(xs) == CLICK_GRID**2 and grid["marker"]["opacity"] == 0
    assert (xs.min(), xs.max(), ys.min(), ys.max()) == (-10, 10, -10, 10)
    # float64 on short numbers: the start a click sets is the target's, e.g. x0=-8.46 in the link
    assert grid["x"]["dtype"] == "f8"
    targets = np.unique(xs)
    assert len(targets) == CLICK_GRID and all(float(f"{x:.2f}") == x for x in targets)
    assert np.abs(targets - np.linspace(-10, 10, CLICK_GRID)).max() <= 0.005


def test_a_diverging_path_is_drawn_leaving_the_box_with_an_exit_marker():
    surface = core.surface("bowl")
    views = _views(surface, [("sgd", {"lr": 0.3})])
    assert views[0].run.status == core.DIVERGED
    figure = contour(surface, surface_grid(surface, 30), views, surface.default_start)
    path = _decoded(_trace(figure, "1 · sgd")["y"])
    assert np.max(np.abs(path)) > 2.0  # drawn past the axis range, not clipped
    crossing = _trace(figure, "left the domain")
    assert abs(abs(_decoded(crossing["y"])[0]) - 2.0) < 1e-5


def test_frames_grow_the_paths_and_stay_within_the_cap():
    surface = core.surface("rosenbrock")
    views = _views(surface, [("sgd", {"lr": 0.001}), ("adam", {"lr": 0.05})], steps=3000)
    figure = contour(surface, surface_grid(surface, 30), views, surface.default_start)
    frames = figure.to_dict()["frames"]
    assert 2 <= len(frames) <= MAX_FRAMES
    lengths = [len(_decoded(frame["data"][0]["x"])) for frame in frames]
    assert lengths == sorted(lengths) and lengths[0] == 1
    assert figure.to_dict()["layout"]["updatemenus"][0]["buttons"][0]["args"][1]["frame"]["redraw"]
    assert frame_count(5001, 4) < frame_count(5001, 1) == MAX_FRAMES


def _slow_run(surface, steps: int) -> core.Run:
    """Plain descent that takes exactly `steps` steps (a rate far too small to converge)."""
    run = core.descend(surface, core.optimizer("sgd", lr=1e-4), surface.default_start, steps)
    assert run.stop_step == steps and run.status == core.MAX_STEPS
    return run


def _check_animation(figure, runs: list[core.Run]) -> None:
    """Every frame is named by a real step and shows each path's point at that step (its last
    one where it stopped earlier); the scrubber runs over frames from step 0 to the last step."""
    spec = figure.to_dict()
    frames = {frame["name"]: frame for frame in spec["frames"]}
    heads_index = next(i for i, t in enumerate(spec["data"]) if t.get("name") == "current point")
    for name, frame in frames.items():
        step = int(name)
        heads = frame["data"][frame["traces"].index(heads_index)]
        for index, run in enumerate(runs):
            expected = run.points[min(step, run.stop_step)].astype(np.float32)
            shown = (_decoded(heads["x"])[index], _decoded(heads["y"])[index])
            assert shown == tuple(expected), (name, index)
    scrubber = spec["layout"]["sliders"][0]
    labels = [position["label"] for position in scrubber["steps"]]
    assert labels == [position["args"][0][0] for position in scrubber["steps"]]
    assert set(labels) <= set(frames)
    assert labels[0] == "0" and labels[-1] == str(max(run.stop_step for run in runs))
    assert [int(label) for label in labels] == sorted({int(label) for label in labels})
    assert scrubber["active"] == len(labels) - 1  # at rest on the last step, as drawn
    assert scrubber["currentvalue"]["prefix"] == "step "


@pytest.mark.parametrize("steps", [1, 2, 7, 59, 60, 61, 181, 5000])
def test_the_scrubber_runs_from_step_0_to_the_last_step(steps):
    surface = core.surface("bowl")
    run = _slow_run(surface, steps)
    views = path_views([run], [0])
    figure = descent_figure(surface, surface_grid(surface, 20), views, run.points[0], False)
    _check_animation(figure, [run])


def test_paths_of_different_lengths_share_the_frames_up_to_the_longest():
    surface = core.surface("bowl")
    runs = [
        _slow_run(surface, 181),
        core.descend(surface, core.optimizer("newton", lr=1.0), surface.default_start, 181),
        core.descend(surface, core.optimizer("sgd", lr=0.3), surface.default_start, 181),
        _slow_run(surface, 37),
    ]
    assert runs[1].stop_step < 5 and runs[2].status == core.DIVERGED
    figure = descent_figure(
        surface, surface_grid(surface, 20), path_views(runs, [0, 1, 2, 3]), (1.0, 1.0), False
    )
    _check_animation(figure, runs)


def test_typed_array_round_trips():
    values = np.array([1.5, -2.25, 3e-5])
    np.testing.assert_array_equal(_decoded(typed_array(values)), values.astype(np.float32))


def test_four_long_runs_fit_the_rerun_budget():
    surface = core.surface("rosenbrock")
    specs = [
        ("sgd", {"lr": 0.001}),
        ("adam", {"lr": 0.02}),
        ("rmsprop", {"lr": 0.002}),
        ("nadam", {"lr": 0.01}),
    ]
    views = _views(surface, specs, steps=5000, schedule=core.schedule("cosine", T_max=2000))
    for name in ("rosenbrock", "rastrigin"):  # the smoothest map, and the busiest picture
        surface = core.surface(name)
        grid = surface_grid(surface)
        figure = descent_figure(surface, grid, views, surface.default_start, scheduled=True)
        assert len(figure.to_json()) < BUDGET_BYTES, name


# ----- 3-D and loss curves --------------------------------------------------------------------
def test_3d_view_lifts_the_paths_onto_the_surface():
    surface = core.surface("himmelblau")
    views = _views(surface, [("sgd", {"lr": 0.01})])
    grid = surface_grid(surface, 20)
    figure = surface_3d_figure(surface, grid, views).to_dict()
    assert figure["data"][0]["type"] == "surface"
    lifted = figure["data"][1]
    x, y, z = (_decoded(lifted[axis]).astype(np.float64) for axis in "xyz")
    np.testing.assert_allclose(
        z, grid.colour_of(surface.value(np.stack([x, y], -1))), rtol=1e-4, atol=1e-4
    )


def test_loss_curves_are_log_scaled_decimated_and_show_the_schedule():
    surface = core.surface("rosenbrock")
    views = _views(
        surface,
        [("sgd", {"lr": 0.001})],
        steps=4000,
        schedule=core.schedule("step", step_size=500, gamma=0.5),
    )
    figure = loss_figure(surface, views, scheduled=True).to_dict()
    assert (
        figure["layout"]["yaxis"]["type"] == "log" and figure["layout"]["yaxis2"]["type"] == "log"
    )
    gap, norm, rate = figure["data"]
    assert len(_decoded(gap["y"])) <= MAX_CURVE_POINTS + 1
    run = views[0].run
    np.testing.assert_allclose(_decoded(gap["y"])[0], run.values[0], rtol=1e-6)  # f* = 0
    np.testing.assert_allclose(_decoded(norm["y"])[0], np.linalg.norm(run.gradients[0]), rtol=1e-6)
    # Every rate of the step schedule (halved every 500 steps) shows in the decimated curve.
    np.testing.assert_array_equal(
        np.unique(_decoded(rate["y"])), np.unique(run.learning_rates.astype(np.float32))
    )


def test_loss_curve_without_a_known_minimum_plots_f_itself():
    surface = core.surface("saddle")
    figure = loss_figure(surface, _views(surface, [("sgd", {"lr": 0.1})]), scheduled=False)
    layout = figure.to_dict()["layout"]
    assert layout["yaxis"]["title"]["text"] == "f"
    assert layout["yaxis"].get("type") != "log"


def test_figure_json_has_no_plain_float_lists_for_big_arrays():
    surface = core.surface("bowl")
    figure = descent_figure(
        surface,
        surface_grid(surface),
        _views(surface, [("sgd", {"lr": 0.1})]),
        surface.default_start,
        scheduled=False,
    )
    spec = json.loads(figure.to_json())
    for trace in spec["data"]:
        for axis in ("x", "y"):
            values = trace.get(axis)
            if isinstance(values, list):
                assert len(values) <= 1, trace.get("name")  # only the colour bar's [null]
            else:
                # float64 only for the click targets, whose clicked coordinates start a run
                assert values["dtype"] in ("f4", "i4") or trace["name"] == "click to start here"
    for frame in spec["frames"]:
        assert all(trace["x"]["dtype"] == "f4" for trace in frame["data"] if trace)


# ----- the Explorer's one figure --------------------------------------------------------------
def _every_figure(surface, views):
    grid = surface_grid(surface, 30)
    start = surface.default_start
    return [
        descent_figure(surface, grid, views, start, scheduled=False),
        descent_figure(surface, grid, views, start, scheduled=True),
        descent_figure(surface, grid, [], start, scheduled=False),
        contour(surface, grid, views, start),
        loss_figure(surface, views, scheduled=True),
    ]


@pytest.mark.parametrize("name", ["rosenbrock", "himmelblau", "six-hump-camel", "saddle"])
def test_every_figure_passes_plotlys_validation(name):
    """The figures skip plotly.py's validation when they are built; it runs here instead."""
    surface = core.surface(name)
    views = _views(surface, [("sgd", {"lr": 0.01}), ("adam", {"lr": 0.1})], steps=50)
    for figure in _every_figure(surface, views):
        go.Figure(figure.to_dict())  # raises on any unknown property or bad value


def test_the_curves_sit_beside_the_map_on_their_own_axes():
    surface = core.surface("rosenbrock")
    views = _views(surface, [("sgd", {"lr": 0.001}), ("adam", {"lr": 0.05})])
    figure = descent_figure(surface, surface_grid(surface, 30), views, (-1.5, 2.0), False)
    spec = figure.to_dict()
    layout = spec["layout"]
    map_right = layout["xaxis"]["domain"][1]
    assert layout["xaxis2"]["domain"][0] > map_right and layout["xaxis3"]["domain"][0] > map_right
    assert layout["yaxis2"]["type"] == layout["yaxis3"]["type"] == "log"
    curves = [t for t in spec["data"] if t.get("xaxis", "x") != "x"]
    assert [t["xaxis"] for t in curves] == ["x2", "x3", "x2", "x3"]
    assert not any(t["showlegend"] for t in curves)  # the map's paths stand for them
    assert {t["legendgroup"] for t in curves} == {v.label for v in views}  # toggled together
    run = views[1].run
    np.testing.assert_allclose(_decoded(curves[2]["y"])[0], run.values[0] - 0.0, rtol=1e-6)
    scheduled = descent_figure(surface, surface_grid(surface, 30), views, (-1.5, 2.0), True)
    assert "xaxis4" in scheduled.to_dict()["layout"]  # the learning rate per step


def test_the_map_is_a_picture_under_the_paths_with_a_colour_bar():
    surface = core.surface("rosenbrock")
    grid = surface_grid(surface, 40)
    layout = contour(surface, grid, [], surface.default_start).to_dict()["layout"]
    (image,) = layout["images"]
    assert image["source"] == grid.image and image["source"].startswith("data:image/png;base64,")
    assert image["layer"] == "below" and (image["xref"], image["yref"]) == ("x", "y")
    # The image's pixels are centred on the grid's samples: it reaches half a step past the box.
    x_min, x_max = surface.domain[:2]
    half = (x_max - x_min) / (2 * 39)
    assert image["x"] == pytest.approx(x_min - half)
    assert image["sizex"] == pytest.approx(x_max - x_min + 2 * half)
    bar = _trace(contour(surface, grid, [], surface.default_start), "colour scale")
    low, high = float(np.nanmin(grid.colours)), float(np.nanmax(grid.colours))
    assert (bar["marker"]["cmin"], bar["marker"]["cmax"]) == pytest.approx((low, high))
    assert bar["marker"]["colorbar"]["title"]["text"] == grid.colour_title


def test_margins_are_fixed_and_make_room_for_a_longer_legend():
    surface = core.surface("himmelblau")
    grid = surface_grid(surface, 20)
    one = _views(surface, [("sgd", {"lr": 0.01})], steps=20)
    specs = [("sgd", {"lr": 0.01}), ("adam", {"lr": 0.1}), ("rmsprop", {"lr": 0.01})]
    four = _views(surface, [*specs, ("nadam", {"lr": 0.01})], steps=20)
    margins = [
        descent_figure(surface, grid, views, surface.default_start, False).to_dict()["layout"][
            "margin"
        ]
        for views in (one, four)
    ]
    assert all(margin["autoexpand"] is False for margin in margins)
    assert margins[1]["t"] > margins[0]["t"]
    still = descent_figure(surface, grid, one, surface.default_start, False, frames=False)
    assert still.to_dict()["layout"]["margin"]["b"] < margins[0]["b"]  # no play controls below


def test_frames_reach_every_reader_of_the_figure():
    """The frames stay plain dictionaries; Streamlit, to_json and the HTML export all get them."""
    from app.exports import figure_html

    surface = core.surface("bowl")
    figure = descent_figure(
        surface, surface_grid(surface, 20), _views(surface, [("sgd", {"lr": 0.1})]), (1, 1), False
    )
    frame_count = len(figure.to_dict()["frames"])
    assert frame_count > 10
    assert len(json.loads(figure.to_json())["frames"]) == frame_count
    html = figure_html(figure, title="t")
    assert html.count('"traces":') >= frame_count  # every frame embedded in the page


def test_the_loss_curves_stay_drawn_while_the_animation_plays():
    """Built outside Streamlit, the figure's curves hold every run's numbers, and every frame
    lists them unchanged: Plotly's transitions (a notebook or a page that plays on load) empty
    the subplots whose traces a frame does not list."""
    surface = core.surface("rosenbrock")
    views = _views(surface, [("adam", {"lr": 0.1}), ("sgd", {"lr": 0.001})], steps=400)
    spec = descent_figure(surface, surface_grid(surface, 20), views, (-1.5, 2.0), True).to_dict()
    curves = [i for i, trace in enumerate(spec["data"]) if trace.get("xaxis", "x") != "x"]
    assert len(curves) == 3 * len(views)  # f − f*, ‖∇f‖ and the learning rate per run
    for index in curves:
        steps, values = _decoded(spec["data"][index]["x"]), _decoded(spec["data"][index]["y"])
        assert len(steps) == len(values) > 100 and np.isfinite(values).all()
    for frame in spec["frames"]:
        listed = dict(zip(frame["traces"], frame["data"], strict=True))
        assert all(listed[index] == {} for index in curves)


def test_a_formula_whose_values_pass_float32_draws_without_an_overflow():
    """x^y^x^... on [0.5, 1.5]² reaches beyond float32's range; the map is still drawn (the
    suite turns an overflow warning into an error)."""
    from app.figures import surface_grid

    formula = "x^y^x^y^x^y^x^y^x^y^x^y" + "+" + "y^x^y^x^y^x^y^x^y^x^y^x"
    surface = core.surface("custom", formula=formula, domain=(0.5, 3.0, 0.5, 3.0))
    with np.errstate(over="ignore"):
        assert not np.all(np.isfinite(surface.value(np.array([[3.0, 3.0]])).astype(np.float32)))
    grid = surface_grid(surface)
    assert grid is not None
