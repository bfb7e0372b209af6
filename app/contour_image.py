"""The contour map as a picture: filled bands and anti-aliased isolines, encoded as a PNG.

The browser redraws a Plotly contour trace (marching squares over the whole grid) on every rerun;
an image of the same map costs it almost nothing, so the Explorer draws its map as a layout image
under the paths. The picture is made once per surface grid and reused.

For colour values c on a grid and L levels between low = min c and high = max c, the scaled value
s = L (c − low) / (high − low) lies in [0, L]:

- a pixel's band is ⌊s⌋ (the top value joins the last band), filled with the colour scale at the
  band's centre, (⌊s⌋ + ½) / L, as Plotly fills a contour's bands;
- an isoline is where s crosses an integer k in 1..L−1. A pixel's distance to it is
  |s − k| / ‖∇s‖ in pixels (∇s by central differences), so a line of width w covers the pixel by
  clip(w/2 + ½ − distance, 0, 1), rounded to quarters: the same width everywhere, however steep
  the surface;
- non-finite values are transparent.

The PNG is RGBA, 8 bits, rows filtered with PNG's "Sub" filter (each byte minus the one four
bytes to its left), which makes flat bands compress to almost nothing.
"""

from __future__ import annotations

import base64
import struct
import zlib

import numpy as np
import plotly.colors

LINE_WIDTH = 1.1
"""Isoline width in image pixels."""
LINE_OPACITY = 0.55
COVERAGE_STEPS = 4
"""Line coverage is rounded to quarters: the PNG shrinks to a third (fewer distinct colours to
compress) and the lines still look smooth."""
LINE_COLOUR = np.array([255.0, 255.0, 255.0])
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SUB_FILTER = 1


def colour_table(scale_name: str, size: int = 256) -> np.ndarray:
    """(size, 3) float RGB of a named Plotly colour scale, sampled evenly from 0 to 1."""
    stops = plotly.colors.get_colorscale(scale_name)
    positions = np.array([float(position) for position, _ in stops])
    colours = np.array(
        [
            plotly.colors.unlabel_rgb(plotly.colors.convert_colors_to_same_type(c, "rgb")[0][0])
            for _, c in stops
        ],
        dtype=np.float64,
    )
    samples = np.linspace(0.0, 1.0, size)
    return np.stack([np.interp(samples, positions, colours[:, i]) for i in range(3)], axis=1)


def colour_range(colours: np.ndarray) -> tuple[float, float]:
    """(low, high) of the finite colour values; (0, 1) when there are none."""
    finite = colours[np.isfinite(colours)]
    if finite.size == 0:
        return 0.0, 1.0
    low, high = float(finite.min()), float(finite.max())
    return (low, high) if high > low else (low, low + 1.0)


def contour_pixels(colours: np.ndarray, levels: int, scale_name: str) -> np.ndarray:
    """(rows, columns, 4) uint8 RGBA of the map; row 0 is the grid's first row (lowest y)."""
    low, high = colour_range(colours)
    table = colour_table(scale_name)
    finite = np.isfinite(colours)
    with np.errstate(invalid="ignore"):
        scaled = np.where(finite, (colours - low) / (high - low) * levels, 0.0)
    band = np.clip(np.floor(scaled), 0, levels - 1)
    centre = (band + 0.5) / levels
    rgb = table[np.round(centre * (len(table) - 1)).astype(np.intp)]
    coverage = np.round(isoline_coverage(scaled, levels) * COVERAGE_STEPS) / COVERAGE_STEPS
    coverage *= LINE_OPACITY
    rgb = rgb * (1.0 - coverage[..., None]) + LINE_COLOUR * coverage[..., None]
    alpha = np.where(finite, 255.0, 0.0)
    return np.round(np.dstack([rgb, alpha])).astype(np.uint8)


def isoline_coverage(scaled: np.ndarray, levels: int) -> np.ndarray:
    """How much of each pixel the isolines s = 1 .. levels − 1 cover, in [0, 1]."""
    rows, columns = scaled.shape
    if rows < 2 or columns < 2:
        return np.zeros_like(scaled)
    slope_y, slope_x = np.gradient(scaled)
    steepness = np.hypot(slope_x, slope_y)
    nearest = np.round(scaled)
    on_a_line = (nearest >= 1) & (nearest <= levels - 1) & (steepness > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        distance = np.abs(scaled - nearest) / steepness
    coverage = np.clip(LINE_WIDTH / 2 + 0.5 - distance, 0.0, 1.0)
    return np.where(on_a_line & np.isfinite(coverage), coverage, 0.0)


def encode_png(pixels: np.ndarray) -> bytes:
    """A PNG file of (rows, columns, 4) uint8 RGBA pixels, row 0 at the top."""
    rows, columns, channels = pixels.shape
    if channels != 4 or pixels.dtype != np.uint8:
        raise ValueError("encode_png takes (rows, columns, 4) uint8 pixels")
    lines = pixels.reshape(rows, columns * 4)
    filtered = lines.copy()
    filtered[:, 4:] -= lines[:, :-4]  # uint8 arithmetic wraps modulo 256, as the filter wants
    body = np.hstack([np.full((rows, 1), SUB_FILTER, np.uint8), filtered])
    header = struct.pack(">IIBBBBB", columns, rows, 8, 6, 0, 0, 0)
    return (
        PNG_SIGNATURE
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(body.tobytes(), 9))
        + _chunk(b"IEND", b"")
    )


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def contour_image_uri(colours: np.ndarray, levels: int, scale_name: str) -> str:
    """The map as a data: URI, top row first (the grid's highest y), for a Plotly layout image."""
    pixels = contour_pixels(colours, levels, scale_name)[::-1]
    return "data:image/png;base64," + base64.b64encode(encode_png(pixels)).decode("ascii")
