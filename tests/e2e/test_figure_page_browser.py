"""The Explorer's figure outside the app, in a real browser: built without Streamlit and saved as
a page that plays its animation on load (what a notebook does with a figure that has frames),
its loss curves stay drawn while the paths grow.
Skips without chromium; fails instead under DESCENT_LAB_REQUIRE_BROWSER=1 (see tests/conftest.py).
"""

from __future__ import annotations

import pytest

import core
from app.figures import descent_figure, path_views, surface_grid

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(120)]

DRAWN = """() => {
    const plot = document.querySelector('.js-plotly-plot');
    const path = plot._fullData.find(t => (t.name || '').startsWith('1 · ') && t.xaxis === 'x');
    const lines = {};
    for (const subplot of plot.querySelectorAll('.subplot')) {
        const name = [...subplot.classList].find(c => c !== 'subplot');
        lines[name] = [...subplot.querySelectorAll('.scatterlayer path.js-line')]
            .filter(line => (line.getAttribute('d') || '').length > 1).length;
    }
    return {pathPoints: path.x.length, lines: lines};
}"""


def test_the_loss_curves_stay_drawn_while_the_animation_plays(page, tmp_path):
    surface = core.surface("rosenbrock")
    runs = [
        core.descend(surface, core.optimizer("adam", lr=0.1), surface.default_start, 2000),
        core.descend(surface, core.optimizer("sgd", lr=0.001), surface.default_start, 2000),
    ]
    figure = descent_figure(
        surface, surface_grid(surface, 40), path_views(runs, [0, 1]), surface.default_start, False
    )
    frames = len(figure.to_dict()["frames"])  # the last frame shows one point per frame
    page_file = tmp_path / "figure.html"
    figure.write_html(page_file, include_plotlyjs=True, auto_play=True)
    page.goto(page_file.as_uri())
    page.wait_for_selector(".js-plotly-plot .subplot.x2y2", timeout=30_000)
    samples = []
    for _ in range(5):
        samples.append(page.evaluate(DRAWN))
        page.wait_for_timeout(200)
    playing = [sample for sample in samples if sample["pathPoints"] < frames]
    assert playing, f"the animation was not seen playing: {samples} ({frames} frames)"
    for sample in playing:
        assert sample["lines"]["x2y2"] == 2 and sample["lines"]["x3y3"] == 2, sample
