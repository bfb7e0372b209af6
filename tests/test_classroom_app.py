"""The classroom on the pages (AppTest): hidden controls and presentation mode survive a reload
from the URL, a lesson link on the Explorer hides the run until an answer, and every page offers
its exports."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from page_testing import assert_clean, open_page
from streamlit.testing.v1 import AppTest

from app.classroom import SHARE_OPEN_KEY
from app.theme import PRESENTATION_FONT_SIZE

ENTRY = Path(__file__).resolve().parents[1] / "app" / "streamlit_app.py"


def _reload(page_file: str, app: AppTest) -> AppTest:
    """The same page opened afresh from the address bar the first session left."""
    query = {key: app.query_params[key] for key in app.query_params}
    return open_page(page_file, **query)


def _drawn_keys(app: AppTest) -> set[str]:
    widgets = [*app.slider, *app.select_slider, *app.selectbox, *app.toggle]
    return {widget.key for widget in widgets}


def _chart_specs(app: AppTest) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in app.get("plotly_chart")]


def _shared_link(app: AppTest) -> str:
    (code,) = app.code
    return code.value


def _open_share_tools(app: AppTest) -> AppTest:
    """Open "Share with your class" (its ticks are drawn only when it is open)."""
    app.session_state[SHARE_OPEN_KEY] = True
    return app.run()


def _download_labels(app: AppTest) -> list[str]:
    return [button.proto.label for button in app.get("download_button")]


# ----- hidden controls ------------------------------------------------------------------------
EXPLORER_LINK = {"surface": "himmelblau", "lr": "0.01", "steps": "300", "visible": "lr,share"}


def test_a_classroom_link_shows_only_its_controls_and_keeps_the_hidden_values():
    app = open_page("explorer.py", **EXPLORER_LINK)
    assert_clean(app)
    assert _drawn_keys(app) == {"lr"}
    assert app.select_slider(key="lr").value == 0.01
    assert app.subheader[0].value.startswith("Himmelblau")  # the hidden surface is the link's
    assert [expander.label for expander in app.expander] == ["Share with your class"]
    assert not app.checkbox  # closed: no ticks drawn
    _open_share_tools(app)
    ticks = {box.key: box.value for box in app.checkbox}
    assert ticks["_share_tick:lr"] and not ticks["_share_tick:surface"]


def test_hidden_controls_survive_a_reload():
    first = open_page("explorer.py", **EXPLORER_LINK)
    reloaded = _reload("explorer.py", first)
    assert_clean(reloaded)
    assert _drawn_keys(reloaded) == {"lr"}
    assert reloaded.subheader[0].value.startswith("Himmelblau")
    assert reloaded.select_slider(key="lr").value == 0.01


def test_the_link_builder_writes_the_current_settings_and_the_ticked_controls():
    app = _open_share_tools(open_page("explorer.py", surface="booth"))
    app.select_slider(key="lr").set_value(0.02).run()
    app.checkbox(key="_share_tick:surface").uncheck().run()
    query = parse_qs(urlsplit(_shared_link(app)).query)
    assert query["surface"] == ["booth"] and query["lr"] == ["0.02"]
    visible = set(query["visible"][0].split(","))
    assert "lr" in visible and "share" in visible and "surface" not in visible
    students = open_page("explorer.py", **{key: values[-1] for key, values in query.items()})
    assert_clean(students)
    assert "surface" not in _drawn_keys(students) and "lr" in _drawn_keys(students)
    assert students.select_slider(key="lr").value == 0.02
    assert students.subheader[0].value.startswith("Booth")


def test_hidden_controls_work_on_the_network_lab_and_the_sweeps_page():
    network = open_page("network.py", net_data="xor", visible="net_layers")
    assert_clean(network)
    drawn = _drawn_keys(network)
    assert "net_layers" in drawn and not drawn & {"net_data", "net_noise", "optimizer", "lr"}
    assert not network.code  # the link builder is not ticked: students do not see it
    sweeps = open_page("sweeps.py", surface="booth", visible="lr")
    assert_clean(sweeps)
    assert "surface" not in _drawn_keys(sweeps) and "lr" in _drawn_keys(sweeps)


# ----- presentation mode ----------------------------------------------------------------------
def test_presentation_mode_survives_a_reload_of_the_whole_app():
    app = AppTest.from_file(str(ENTRY), default_timeout=30)
    app.query_params["present"] = "true"
    app.run()
    assert not app.exception
    assert app.toggle(key="present").value is True
    assert app.query_params["present"] == "true"
    reloaded = AppTest.from_file(str(ENTRY), default_timeout=30)
    reloaded.query_params["present"] = app.query_params["present"]
    reloaded.run()
    assert reloaded.toggle(key="present").value is True
    assert any("font-size" in element.proto.body for element in reloaded.get("html"))
    (spec,) = _chart_specs(reloaded)[:1]
    assert spec["layout"]["font"]["size"] == PRESENTATION_FONT_SIZE


def test_presentation_mode_holds_when_a_link_hides_its_toggle():
    app = AppTest.from_file(str(ENTRY), default_timeout=30)
    app.query_params["present"] = "true"
    app.query_params["visible"] = "lr"
    app.run()
    assert not app.exception
    assert not [toggle for toggle in app.toggle if toggle.key == "present"]
    assert any("font-size" in element.proto.body for element in app.get("html"))
    assert _chart_specs(app)[0]["layout"]["font"]["size"] == PRESENTATION_FONT_SIZE


def test_presentation_mode_restyles_every_figure_of_a_page():
    plain = open_page("explorer.py", optimizers="2")
    presented = open_page("explorer.py", optimizers="2", present="true")
    assert_clean(presented)
    plain_specs, presented_specs = _chart_specs(plain), _chart_specs(presented)
    assert len(plain_specs) == len(presented_specs) == 1  # the map with the loss curves
    for before, after in zip(plain_specs, presented_specs, strict=True):
        assert after["layout"]["font"]["size"] == PRESENTATION_FONT_SIZE
        assert before["layout"].get("font", {}).get("size") != PRESENTATION_FONT_SIZE
    path_before = next(t for t in plain_specs[0]["data"] if t.get("name", "").startswith("1 ·"))
    path_after = next(t for t in presented_specs[0]["data"] if t.get("name", "").startswith("1 ·"))
    assert path_after["line"]["width"] > path_before["line"]["width"]


# ----- a lesson on the Explorer ---------------------------------------------------------------
def _path_traces(app: AppTest) -> list[str]:
    """The names of the paths drawn on the map (not their loss curves beside it)."""
    contour = _chart_specs(app)[0]
    on_map = [t for t in contour["data"] if t.get("xaxis", "x") == "x"]
    return [t["name"] for t in on_map if t.get("name", "").startswith(("1 ·", "2 ·"))]


def _curve_count(app: AppTest) -> int:
    return sum(t.get("xaxis", "x") != "x" for t in _chart_specs(app)[0]["data"])


def test_a_lesson_link_hides_the_run_until_an_answer():
    app = open_page("explorer.py", lesson="lr-too-large")
    assert_clean(app)
    assert app.select_slider(key="lr").value == 0.18  # the lesson's settings are loaded
    assert app.slider(key="optimizers").value == 2
    assert _path_traces(app) == [] and _curve_count(app) == 0  # no loss curves
    assert not app.success and not app.error  # no diagnosis yet
    (question,) = app.radio
    assert question.value is None
    question.set_value(1).run()  # the right answer
    assert any(box.value.startswith("Right") for box in app.success)
    assert len(_path_traces(app)) == 2 and _curve_count(app) == 4  # f − f* and ‖∇f‖ each
    assert any("Diverged" in box.value for box in app.error)  # the run's own diagnosis


def test_a_wrong_guess_is_told_the_answer():
    app = open_page("explorer.py", lesson="lr-too-large")
    app.radio[0].set_value(0).run()
    assert any(box.value.startswith("Not quite") for box in app.error)


def test_a_lesson_of_another_page_or_an_unknown_one_leaves_the_explorer_working():
    other = open_page("explorer.py", lesson="xor-hidden-layer")
    assert_clean(other)
    assert any("lessons page" in box.value for box in other.info)
    assert _path_traces(other)  # no lesson here: the run is shown
    unknown = open_page("explorer.py", lesson="<b>nope</b>")
    assert_clean(unknown)
    assert any("There is no lesson" in box.value for box in unknown.warning)


def test_the_lessons_page_opens_an_explorer_lesson_on_the_explorer():
    app = open_page("lessons.py", lesson="lr-too-large")
    assert_clean(app)
    links = [button.proto.url for button in app.get("link_button")]
    assert "/?lesson=lr-too-large" in links


# ----- exports --------------------------------------------------------------------------------
def test_the_explorer_offers_its_map_as_html_and_the_run_as_csv():
    app = open_page("explorer.py", table="true")
    assert_clean(app)
    labels = _download_labels(app)
    assert "Download this figure as HTML" in labels
    assert "Download the whole run as CSV" in labels


def test_the_network_lab_offers_its_history_and_its_boundary():
    app = open_page("network.py")
    assert_clean(app)
    labels = _download_labels(app)
    assert "Download the training history as CSV" in labels
    assert "Download this figure as HTML" in labels


def test_the_sweeps_page_offers_its_figure_as_html():
    app = open_page("sweeps.py", study="starts")
    assert_clean(app)
    assert "Download this figure as HTML" in _download_labels(app)
