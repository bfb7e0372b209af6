"""How often a diagnosis says something false, over many more random runs than the tests run.

    python -m benchmarks.truth_rate [seed] [runs]

Draws runs exactly as tests/test_truth.py does (every surface, optimizer, schedule, random
hyperparameters, rates around the edge) and checks every sentence with tests/truth_checks.py.
Prints the runs with a false claim, the claims checked and those left out as not clear-cut.
"""

from __future__ import annotations

import collections
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import test_truth  # noqa: E402
import truth_checks  # noqa: E402

from app.explorer_settings import critical_rate_caption  # noqa: E402
from core.stability import learning_rate_range  # noqa: E402


def main(seed: int = 1, runs: int = 3000) -> None:
    rng = np.random.default_rng(seed)
    false_runs, checked, unclear = 0, 0, 0
    kinds: collections.Counter = collections.Counter()
    for _ in range(runs):
        run = test_truth.random_run(rng)
        lr_range = learning_rate_range(run.optimizer)
        sentence = truth_checks.check_sentence(run, run.diagnosis.message, lr_range)
        caption = truth_checks.check_caption(
            run, critical_rate_caption(run.surface, run.start, run.optimizer)
        )
        kinds[run.diagnosis.kind] += 1
        checked += sentence.checked + caption.checked
        unclear += sentence.unclear + caption.unclear
        if sentence.failures or caption.failures:
            false_runs += 1
            print(run.surface.name, run.optimizer.name, sentence.failures, caption.failures)
            print("   ", run.diagnosis.message)
    print(
        f"{false_runs} of {runs} runs with a false claim ({100 * false_runs / runs:.2f} %); "
        f"{checked:,} claims checked, {unclear:,} not clear-cut; outcomes {dict(kinds)}"
    )


if __name__ == "__main__":
    arguments = [int(value) for value in sys.argv[1:3]]
    main(*arguments)
