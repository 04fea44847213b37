"""Write one benchmark's latest results into its own section of docs/benchmarks.md.

Each benchmark owns the text between ``<!-- bench:NAME -->`` and ``<!-- /bench:NAME -->``;
running it again replaces that section and leaves the others alone.
"""

from __future__ import annotations

import os
import platform
import statistics
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

BENCHMARKS_MD = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"
_PREAMBLE = """# Benchmarks

Measured, not asserted: each section below is rewritten by the benchmark named in it, with
medians of several runs. Stock Scrapy runs in the same process tree and the same minutes,
so the ratios hold even where the absolute numbers drift with the machine.
"""


def machine() -> str:
    """A one-line description of where the numbers were taken."""
    return f"{platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} cores"


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def write_section(name: str, markdown: str) -> Path:
    """Replace (or append) the section ``name`` of docs/benchmarks.md with ``markdown``."""
    start, end = f"<!-- bench:{name} -->", f"<!-- /bench:{name} -->"
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    block = f"{start}\n{markdown.rstrip()}\n\n_Last run: {stamp}, {machine()}._\n{end}"
    text = BENCHMARKS_MD.read_text(encoding="utf-8") if BENCHMARKS_MD.exists() else _PREAMBLE
    if start in text and end in text:
        head, rest = text.split(start, 1)
        text = head + block + rest.split(end, 1)[1]
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    BENCHMARKS_MD.parent.mkdir(parents=True, exist_ok=True)
    BENCHMARKS_MD.write_text(text, encoding="utf-8")
    return BENCHMARKS_MD
