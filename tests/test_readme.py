"""The README is true: every ```python block in it runs and prints exactly the ```text block that
follows it (a block with no text block after it must print nothing), and `import core` alone
gives `core.sweeps`.

Each block runs on its own, in a fresh namespace and an empty working folder, as a reader who
copies it into a notebook cell would run it.
"""

from __future__ import annotations

import contextlib
import io
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
FENCE = re.compile(r"^```(\w*)\n(.*?)^```\n", re.MULTILINE | re.DOTALL)


@dataclass(frozen=True)
class Example:
    """A python block of the README, the output shown under it ('' when none) and its line."""

    code: str
    shown: str
    line: int


def readme_examples(text: str) -> list[Example]:
    """Every ```python block with the ```text block right after it (only blank lines between)."""
    fences = list(FENCE.finditer(text))
    examples = []
    for index, fence in enumerate(fences):
        if fence.group(1) != "python":
            continue
        shown = ""
        following = fences[index + 1] if index + 1 < len(fences) else None
        if (
            following is not None
            and following.group(1) == "text"
            and not text[fence.end() : following.start()].strip()
        ):
            shown = following.group(2)
        examples.append(Example(fence.group(2), shown, text.count("\n", 0, fence.start()) + 1))
    return examples


EXAMPLES = readme_examples(README.read_text(encoding="utf-8"))


def test_the_readme_has_its_python_examples():
    # The Python API section: the descent, the registries, a sweep and a notebook figure.
    assert len(EXAMPLES) >= 4
    assert sum(bool(example.shown) for example in EXAMPLES) >= 3


def test_the_example_reader_pairs_code_with_the_output_under_it():
    text = "```python\nprint(1)\n```\n\n```text\n1\n```\n\nWords.\n\n```python\nx = 2\n```\n"
    first, second = readme_examples(text)
    assert (first.code, first.shown, first.line) == ("print(1)\n", "1\n", 1)
    assert (second.code, second.shown) == ("x = 2\n", "")
    apart = readme_examples("```python\nprint(1)\n```\nWords.\n```text\n1\n```\n")
    assert apart[0].shown == ""  # output shown only directly under its code


@pytest.mark.parametrize("example", EXAMPLES, ids=[f"line {e.line}" for e in EXAMPLES])
def test_every_python_block_prints_what_the_readme_shows(example, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # a block that writes a file writes it here
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(example.code, f"README.md:{example.line}", "exec"), {"__name__": "__main__"})
    assert printed.getvalue() == example.shown


def test_import_core_gives_the_sweeps():
    # A fresh interpreter: in this one another test may have imported core.sweeps already.
    code = "import core; print(core.sweeps.random_starts.__name__, core.sweeps.basin_map.__name__)"
    answer = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=False
    )
    assert answer.returncode == 0, answer.stderr
    assert answer.stdout.split() == ["random_starts", "basin_map"]
