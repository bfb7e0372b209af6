"""Typed formulas: the cost of parsing and building a custom surface, and of descending it,
against the same function written by hand in the catalogue (Rosenbrock). Float64 on both sides."""

from __future__ import annotations

import numpy as np

import core
from benchmarks.common import best_seconds
from core.formula import parse
from core.formula_surface import EXAMPLES

ROSENBROCK = "(1 - x)^2 + 100*(y - x^2)^2"
LONG_FORMULA = "x^y^x^y^x^y^x^y^x^y^x^y^x^y^x^y^x^y^x^y^x^y^x^y^x^y^x^y^x^y"
"""30 nested powers: about the largest derivative program the parser's bounds allow."""
SINGLE_STEPS, BATCH_COUNT, BATCH_STEPS, GRID = 1000, 40_000, 300, 400


def _build_rows() -> list[tuple[str, float]]:
    rows = [
        (
            "parse the double well (tree, derivatives, programs)",
            best_seconds(lambda: parse(EXAMPLES[0].formula), 20),
        ),
        (
            "parse 30 nested powers (the worst case the bounds allow)",
            best_seconds(lambda: parse(LONG_FORMULA), 5),
        ),
    ]
    for example in EXAMPLES:
        seconds = best_seconds(
            lambda e=example: core.surface("custom", formula=e.formula, domain=e.domain), 3
        )
        rows.append((f"build the '{example.name}' surface (minima search included)", seconds))
    return rows


def _descent_rows() -> list[tuple[str, float, float]]:
    typed = core.surface("custom", formula=ROSENBROCK, domain=(-2, 2, -1, 3))
    written = core.surface("rosenbrock")
    optimizer = core.optimizer("adam", lr=0.01)
    starts = np.random.default_rng(0).uniform(-2, 2, (BATCH_COUNT, 2))
    grid = np.random.default_rng(1).uniform(-2, 2, (GRID, GRID, 2))
    tasks = [
        (
            "one Adam path on Rosenbrock, 1,000 steps, full record",
            lambda s: core.descend(s, optimizer, (-1.5, 2.0), SINGLE_STEPS, tolerance=0.0),
            10,
        ),
        (
            "40,000 starts x 300 Adam steps, final points",
            lambda s: core.descend(s, optimizer, starts, BATCH_STEPS, record="final"),
            3,
        ),
        ("f on a 400 x 400 grid", lambda s: s.value(grid), 10),
        ("Hessian on a 400 x 400 grid", lambda s: s.hessian(grid), 5),
    ]
    return [
        (
            name,
            best_seconds(lambda t=task: t(typed), repeats),
            best_seconds(lambda t=task: t(written), repeats),
        )
        for name, task, repeats in tasks
    ]


def main() -> None:
    print("| task | time (ms) |")
    print("|---|---:|")
    for name, seconds in _build_rows():
        print(f"| {name} | {seconds * 1e3:.1f} |")
    print("\n| task on Rosenbrock | typed formula (ms) | hand-written (ms) | ratio |")
    print("|---|---:|---:|---:|")
    for name, typed, written in _descent_rows():
        print(f"| {name} | {typed * 1e3:.1f} | {written * 1e3:.1f} | {typed / written:.2f}x |")


if __name__ == "__main__":
    main()
