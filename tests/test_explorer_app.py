"""The Explorer page under AppTest: it runs for every surface and optimizer, the learning rate
past the critical rate diverges, links set the controls, bad links give notices, and a click on
the contour (through its callback) moves the start."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
from streamlit.testing.v1 import AppTest

import core
from app import explorer_view
from app.explorer_settings import explorer_link

APP = str(__import__("conftest").APP_PATH)


def _open(**query: str) -> AppTest:
    app = AppTest.from_file(APP, default_timeout=30)
    for key, value in query.items():
        app.query_params[key] = value
    return app.run()


def _no_exception(app: AppTest) -> None:
    assert not app.exception, [e.value for e in app.exception]


def _contour(app: AppTest) -> dict:
    return json.loads(app.get("plotly_chart")[0].proto.spec)


def _start_marker(app: AppTest) -> tuple[float, float]:
    import base64

    import numpy as np

    trace = next(t for t in _contour(app)["data"] if t.get("name") == "start")
    decode = lambda spec: float(np.frombuffer(base64.b64decode(spec["bdata"]), np.float32)[0])  # noqa: E731
    return decode(trace["x"]), decode(trace["y"])


def _banners(app: AppTest) -> list[str]:
    return [b.value for kind in (app.success, app.info, app.warning, app.error) for b in kind]


def test_default_page_draws_the_contour_and_a_diagnosis():
    app = _open()
    _no_exception(app)
    assert len(app.get("plotly_chart")) == 1  # one chart: the map and the loss curves
    axes = {trace.get("xaxis", "x") for trace in _contour(app)["data"]}
    assert axes == {"x", "x2", "x3"}  # the map, f − f* and ‖∇f‖
    assert any("global minimum" in text for text in (b.value for b in app.success))
    assert app.select_slider(key="lr").value == 0.1


def test_every_surface_with_plain_descent_and_every_optimizer_on_rosenbrock():
    app = _open()
    for name in core.surface_names():
        app.selectbox(key="surface").set_value(name).run()
        _no_exception(app)
    app.selectbox(key="surface").set_value("rosenbrock").run()
    for name in core.optimizer_names():
        app.selectbox(key="optimizer").set_value(name).run()
        _no_exception(app)
        assert app.get("plotly_chart"), name


@pytest.mark.slow
def test_every_surface_with_every_optimizer():
    app = _open(optimizers="2")
    for surface in core.surface_names():
        app.selectbox(key="surface").set_value(surface).run()
        for name in core.optimizer_names():
            app.selectbox(key="optimizer").set_value(name).run()
            _no_exception(app)


def test_learning_rate_past_the_critical_rate_diverges():
    # The bowl with κ = 10: λmax = 10, so plain descent diverges above 2/λmax = 0.2.
    app = _open()
    assert "0.2" in " ".join(c.value for c in app.caption)
    app.select_slider(key="lr").set_value(0.18).run()
    assert not app.error and any("Converged" in text for text in _banners(app))
    app.select_slider(key="lr").set_value(0.22).run()
    assert app.error and "Diverged" in app.error[0].value
    assert "above" in " ".join(c.value for c in app.caption)


def test_url_parameters_set_the_controls():
    link = explorer_link(
        surface="himmelblau",
        x0=1.0,
        y0=-2.0,
        optimizer="adam",
        lr=0.02,
        optimizers=2,
        lr_2=0.0047,
        steps=300,
        schedule="cosine",
    )
    query = dict(pair.split("=") for pair in link.split("?", 1)[1].split("&"))
    app = _open(**query)
    _no_exception(app)
    assert app.selectbox(key="surface").value == "himmelblau"
    assert app.selectbox(key="optimizer").value == "adam"
    assert app.select_slider(key="lr").value == 0.02
    assert app.select_slider(key="lr_2").value == 0.0047
    assert (app.slider(key="x0").value, app.slider(key="y0").value) == (1.0, -2.0)
    assert app.slider(key="steps").value == 300
    assert app.selectbox(key="schedule").value == "cosine"
    assert not app.warning
    assert _start_marker(app) == (1.0, -2.0)


def test_bad_url_parameters_give_notices_and_defaults():
    app = _open(surface="nope", lr="banana", steps="1e9", x0="99", optimizers="7", noise="-1")
    _no_exception(app)
    notice = app.warning[0].value
    for word in ("Surface", "Learning rate", "Steps", "Start x", "Optimizers", "noise"):
        assert word in notice, word
    assert app.selectbox(key="surface").value == "bowl"
    assert app.select_slider(key="lr").value == 0.1
    assert app.slider(key="steps").value == 5000
    assert app.slider(key="x0").value == 2.0
    assert app.slider(key="optimizers").value == 4


def test_contour_click_moves_the_start(monkeypatch):
    state = {
        explorer_view.CONTOUR_KEY: {"selection": {"points": [{"x": 1.23456, "y": -0.5}]}},
        explorer_view.DOMAIN_MEMORY: (-2.0, 2.0, -2.0, 2.0),
    }
    monkeypatch.setattr(explorer_view, "st", SimpleNamespace(session_state=state))
    explorer_view.move_start_to_click()
    assert (state["x0"], state["y0"]) == (1.23456, -0.5)  # exactly the point clicked
    monkeypatch.undo()
    # The page then starts there: the same keys set before a rerun move the start marker.
    app = _open()
    app.session_state["x0"], app.session_state["y0"] = state["x0"], state["y0"]
    app.run()
    assert app.slider(key="x0").value == 1.23456
    assert _start_marker(app) == pytest.approx((1.23456, -0.5), abs=1e-6)


def test_the_anatomy_is_drawn_only_when_asked_for():
    app = _open()
    assert not any(r"\theta_{k+1}" in latex.value for latex in app.latex)
    assert "k" not in {slider.key for slider in app.slider}
    app.toggle(key="anatomy").set_value(True).run()
    _no_exception(app)
    assert any(r"\theta_{k+1}" in latex.value for latex in app.latex)
    assert app.slider(key="k").value == 0


def test_anatomy_and_table_show_the_inspected_step():
    app = _open(anatomy="true", table="true", k="3")
    _no_exception(app)
    assert app.slider(key="k").value == 3
    assert any(r"\theta_{k+1}" in latex.value for latex in app.latex)
    assert len(app.dataframe) == 1


def test_a_new_surface_starts_from_its_own_default_start():
    app = _open(x0="-1")
    assert app.slider(key="x0").value == -1.0
    app.selectbox(key="surface").set_value("himmelblau").run()
    _no_exception(app)
    assert (app.slider(key="x0").value, app.slider(key="y0").value) == (-0.5, 0.5)
    assert _start_marker(app) == (-0.5, 0.5)


def test_the_inspected_step_keeps_its_place_when_the_run_gets_shorter():
    app = _open(anatomy="true", k="40")
    assert app.slider(key="k").value == 40
    app.select_slider(key="lr").set_value(0.3).run()  # diverges within about 15 steps
    _no_exception(app)
    assert app.slider(key="k").value == 40
    assert any("stopped after step" in caption.value for caption in app.caption)
    app.select_slider(key="lr").set_value(0.1).run()
    assert not any("stopped after step" in caption.value for caption in app.caption)
