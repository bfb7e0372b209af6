"""Colours and marker styles shared by every page: colour-blind-safe (Okabe & Ito, 2008)."""

from __future__ import annotations

OKABE_ITO = (
    "#0072B2",  # blue
    "#D55E00",  # vermillion
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#E69F00",  # orange
    "#56B4E9",  # sky blue
    "#F0E442",  # yellow
    "#000000",  # black
)
"""Path colours, in the order optimizers are added."""

DIAGNOSIS_COLOURS = {
    "global_minimum": "#009E73",
    "local_minimum": "#56B4E9",
    "saddle": "#E69F00",
    "oscillating": "#CC79A7",
    "diverged": "#D55E00",
    "slow": "#999999",
}

CONTOUR_SCALE = "Viridis"
NEUTRAL_GREY = "#999999"


def path_colour(index: int) -> str:
    """The colour of the index-th optimizer on screen."""
    return OKABE_ITO[index % len(OKABE_ITO)]
