"""The map's picture (app.contour_image): a PNG any decoder reads, bands in the colour scale,
isolines where the levels are crossed, nothing where f is not finite."""

from __future__ import annotations

import base64
import io

import numpy as np
import pytest
from PIL import Image

from app.contour_image import (
    LINE_OPACITY,
    colour_range,
    colour_table,
    contour_image_uri,
    contour_pixels,
    encode_png,
    isoline_coverage,
)


def _decode(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGBA"))


def test_encoded_png_decodes_to_the_same_pixels():
    rng = np.random.default_rng(7)
    pixels = rng.integers(0, 256, size=(13, 17, 4), dtype=np.uint8)
    np.testing.assert_array_equal(_decode(encode_png(pixels)), pixels)


def test_encode_png_refuses_anything_but_rgba_bytes():
    with pytest.raises(ValueError):
        encode_png(np.zeros((4, 4, 3), np.uint8))
    with pytest.raises(ValueError):
        encode_png(np.zeros((4, 4, 4), np.float32))


def test_colour_table_runs_from_the_scales_first_colour_to_its_last():
    table = colour_table("Viridis")
    np.testing.assert_allclose(table[0], [0x44, 0x01, 0x54])  # Viridis starts at #440154
    np.testing.assert_allclose(table[-1], [0xFD, 0xE7, 0x25])  # and ends at #fde725


def test_bands_take_the_colour_at_their_centre():
    # A ramp of colour values from 0 to 1 across 200 columns, 4 levels: 4 bands of 50 columns.
    colours = np.tile(np.linspace(0.0, 1.0, 200), (3, 1))
    pixels = contour_pixels(colours, 4, "Viridis")
    table = colour_table("Viridis")
    for band in range(4):
        column = band * 50 + 25  # well inside the band, away from its isolines
        expected = table[round((band + 0.5) / 4 * (len(table) - 1))]
        np.testing.assert_allclose(pixels[1, column, :3], expected, atol=0.51)
    assert (pixels[..., 3] == 255).all()


def test_isolines_lie_where_the_levels_are_crossed_and_have_a_steady_width():
    colours = np.tile(np.linspace(0.0, 1.0, 401), (5, 1))  # s = 4c: levels at c = .25, .5, .75
    coverage = isoline_coverage(colours * 4, 4)[2]
    lit = np.flatnonzero(coverage > 0.5)
    centres = [int(np.mean(group)) for group in np.split(lit, np.flatnonzero(np.diff(lit) > 1) + 1)]
    assert centres == [100, 200, 300]
    # Twice as steep a ramp: the lines stay as wide in pixels.
    steep = isoline_coverage(np.tile(np.linspace(0.0, 8.0, 401), (5, 1)), 8)[2]
    assert abs(steep.sum() / 7 - coverage.sum() / 3) < 0.2


def test_isolines_lighten_the_band_and_non_finite_values_are_transparent():
    colours = np.tile(np.linspace(0.0, 1.0, 400), (4, 1))
    colours[0, :10] = np.nan
    pixels = contour_pixels(colours, 2, "Viridis").astype(int)
    assert (pixels[0, :10, 3] == 0).all() and (pixels[1:, :, 3] == 255).all()
    on_line, off_line = pixels[2, 200, :3], pixels[2, 150, :3]
    assert on_line.sum() > off_line.sum()  # white blended in at opacity LINE_OPACITY
    assert LINE_OPACITY < 1


def test_the_uri_is_the_map_upside_down_as_a_png():
    colours = np.tile(np.linspace(0.0, 1.0, 30)[:, None], (1, 20))  # rows: y grows downwards
    uri = contour_image_uri(colours, 5, "Viridis")
    assert uri.startswith("data:image/png;base64,")
    decoded = _decode(base64.b64decode(uri.split(",", 1)[1]))
    assert decoded.shape == (30, 20, 4)
    np.testing.assert_array_equal(decoded, contour_pixels(colours, 5, "Viridis")[::-1])


def test_colour_range_ignores_non_finite_values_and_is_never_empty():
    assert colour_range(np.array([np.nan, 2.0, -1.0, np.inf])) == (-1.0, 2.0)
    assert colour_range(np.array([3.0, 3.0])) == (3.0, 4.0)
    assert colour_range(np.array([np.nan])) == (0.0, 1.0)
