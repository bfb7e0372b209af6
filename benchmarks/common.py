"""Shared helpers for the benchmark scripts: best-of-n timing and the torch side.

torch is not a dependency of Descent Lab. A benchmark runs its torch half in the same interpreter
when torch imports there, or in the interpreter named by the environment variable
DESCENT_LAB_TORCH_PYTHON (a separate venv with torch installed), and says so when neither exists.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent


def best_seconds(function: Callable[[], object], repeats: int = 5) -> float:
    """The fastest of `repeats` timed calls (after one warm-up call), in seconds."""
    function()
    timings = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        timings.append(time.perf_counter() - start)
    return min(timings)


def torch_python() -> str | None:
    """An interpreter that can import torch, or None."""
    candidates = [sys.executable, os.environ.get("DESCENT_LAB_TORCH_PYTHON", "")]
    for candidate in filter(None, candidates):
        probe = subprocess.run([candidate, "-c", "import torch"], capture_output=True)
        if probe.returncode == 0:
            return candidate
    return None


def run_torch_side(script: str, *arguments: str) -> dict | None:
    """Run benchmarks/torch_side/<script> in a torch interpreter; its last stdout line is JSON."""
    interpreter = torch_python()
    if interpreter is None:
        return None
    completed = subprocess.run(
        [interpreter, str(HERE / "torch_side" / script), *arguments],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(completed.stdout.strip().splitlines()[-1])


def report(rows: list[tuple[str, float, float | None]]) -> None:
    """Print a Markdown table: task, Descent Lab ms, torch ms, speed-up."""
    print("| task | Descent Lab (ms) | torch.optim (ms) | speed-up |")
    print("|---|---:|---:|---:|")
    for task, ours, theirs in rows:
        if theirs is None:
            print(f"| {task} | {ours * 1e3:.1f} | torch not installed | – |")
        else:
            print(f"| {task} | {ours * 1e3:.1f} | {theirs * 1e3:.1f} | {theirs / ours:.1f}x |")
