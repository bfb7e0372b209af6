"""The learning-rate lab page under AppTest: every study loads, controls change the outcome, the
URL round-trips, bad links are cleaned with a notice, and a clicked start links to the Explorer."""

from __future__ import annotations

import pytest
from page_testing import assert_clean, open_page
from streamlit.testing.v1 import AppTest

import core
from app import sweep_settings as lab

STUDIES = tuple(lab.STUDIES)


def _page(**query: str) -> AppTest:
    return open_page("sweeps.py", **query)


def _charts(app: AppTest) -> list:
    return app.get("plotly_chart")


def _table(app: AppTest, index: int = 0):
    return app.dataframe[index].value


@pytest.mark.parametrize("study", STUDIES)
def test_every_study_loads_with_the_defaults(study):
    app = _page(study=study)
    assert_clean(app)
    assert app.segmented_control(key="study").value == study
    assert len(_charts(app)) >= 1


BUILT_IN_SURFACES = [name for name in core.surface_names() if name != "custom"]
"""The custom surface needs a typed formula: see test_a_typed_formula_gets_its_basins_mapped."""


@pytest.mark.parametrize("surface_name", BUILT_IN_SURFACES)
def test_every_surface_loads_the_sweep_and_the_basins(surface_name):
    app = _page(surface=surface_name, sweep_rates="20", basin_resolution="20")
    assert_clean(app)
    assert len(_charts(app)) == 2  # the sweep curves and the paths at telling rates
    app.segmented_control(key="study").set_value("basins").run()
    assert_clean(app)
    assert len(_charts(app)) == 1


@pytest.mark.parametrize("name", core.optimizer_names())
def test_every_optimizer_draws_a_basin_map_and_a_sweep(name):
    app = _page(surface="himmelblau", optimizer=name, study="basins", basin_resolution="20")
    assert_clean(app)
    shares = _table(app)
    assert shares["starts"].sum() == 400
    app.segmented_control(key="study").set_value("sweep").run()
    assert_clean(app)
    assert _table(app)["optimizer"].tolist() == [name]


def test_the_learning_rate_changes_the_basin_map():
    app = _page(surface="himmelblau", study="basins", basin_resolution="30", lr="0.01")
    assert_clean(app)
    calm = _table(app)
    assert set(calm["ends in"]) == {m.label() for m in core.surface("himmelblau").minima}
    app.select_slider(key="lr").set_value(0.1).run()
    assert_clean(app)
    wild = _table(app)
    assert "diverged" in set(wild["ends in"])


def test_two_optimizers_give_two_sweep_rows_and_a_path_picker():
    app = _page(optimizers="2", optimizer_2="adam", sweep_rates="20")
    assert_clean(app)
    assert _table(app)["optimizer"].tolist() == ["sgd", "adam"]
    picker = app.radio(key="sweep_paths")
    picker.set_value(picker.options[1]).run()
    assert_clean(app)


def test_url_parameters_seed_the_controls():
    app = _page(study="momentum", momentum_grid="20", sweep_lowest="0.001", momentum_show="loss")
    assert_clean(app)
    assert app.slider(key="momentum_grid").value == 20
    assert app.select_slider(key="sweep_lowest").value == pytest.approx(0.001)
    assert app.selectbox(key="momentum_show").value == "loss"
    assert not app.warning


def test_bad_link_values_are_replaced_with_a_notice():
    app = _page(study="basins", basin_resolution="100000", sweep_rates="banana", starts_seed="-5")
    assert_clean(app)
    notices = " ".join(w.value for w in app.warning)
    assert "Grid (starts per side)" in notices and "Learning rates" in notices
    assert app.slider(key="basin_resolution").value == core.sweeps.MAX_BASIN_RESOLUTION
    app.segmented_control(key="study").set_value("sweep").run()
    assert_clean(app)
    assert app.slider(key="sweep_rates").value == 60


def test_an_unknown_study_falls_back_to_the_sweep():
    app = _page(study="everything")
    assert_clean(app)
    assert "Study" in " ".join(w.value for w in app.warning)
    assert app.segmented_control(key="study").value == "sweep"


def test_steps_above_the_cap_are_run_at_the_cap_with_a_notice():
    app = _page(steps="5000", study="starts", starts_count="50")
    assert_clean(app)
    assert any(f"{core.sweeps.MAX_SWEEP_STEPS:,}" in info.value for info in app.info)


def test_an_invalid_optimizer_setting_says_so_instead_of_running():
    app = _page(sgd_nesterov="true")
    assert not app.exception
    messages = " ".join(e.value for e in app.error)
    assert "nesterov" in messages.lower() and "fix it to run a study" in messages


def test_a_clicked_start_moves_the_start_and_links_to_the_explorer():
    app = _page(surface="himmelblau", study="basins", basin_resolution="20")
    app.session_state["basin_chart"] = {"selection": {"points": [{"x": 2.25, "y": -1.75}]}}
    app.session_state["basin_clicked"] = lab.clicked_start(app.session_state["basin_chart"])
    app.run()
    assert_clean(app)
    links = [m.value for m in app.markdown if "open it in the Explorer" in m.value]
    assert links and "x0=2.25" in links[0] and "y0=-1.75" in links[0]
    assert "surface=himmelblau" in links[0]


def test_clicked_start_reads_a_selection_and_ignores_anything_else():
    state = {"selection": {"points": [{"x": 1.23456789, "y": -0.5}]}}
    assert lab.clicked_start(state) == (1.23456789, -0.5)  # the start of that pixel, exactly
    for bad in (None, {}, {"selection": {"points": []}}, {"selection": {"points": [{"x": "a"}]}}):
        assert lab.clicked_start(bad) is None


def test_a_typed_formula_gets_its_basins_mapped():
    app = _page(surface="custom", formula="(x^2-1)^2 + y^2", study="basins", lr="0.01",
                basin_resolution="30")  # fmt: skip
    assert_clean(app)
    shares = _table(app)
    assert sorted(shares["ends in"]) == ["global minimum (-1, 0), f = 0",
                                         "global minimum (1, 0), f = 0"]  # fmt: skip
    assert shares["starts"].tolist() == [450, 450]
