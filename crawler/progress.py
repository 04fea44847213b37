"""Progress of a long read (export or report over millions of records), on a terminal only.

Nothing is written when stderr is not a terminal, so scripts, pipes and CI logs stay clean.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO


class TerminalProgress:
    """One status line on stderr, rewritten at most every ``interval`` seconds."""

    def __init__(
        self,
        label: str,
        paths: Sequence[Path],
        stream: TextIO | None = None,
        interval: float = 0.5,
    ) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = self.stream.isatty()
        self.label = label
        self.total = sum(_size(p) for p in paths) or 1
        self.interval = interval
        self._started = self._shown = time.monotonic()
        self._base = 0
        self._current = 0

    def start_file(self, path: Path) -> None:
        """Count the file read so far as done and start on ``path``."""
        self._base += self._current
        self._current = 0

    def update(self, done_bytes: int) -> None:
        """``done_bytes`` of the current file have been read."""
        self._current = done_bytes
        now = time.monotonic()
        if self.enabled and now - self._shown >= self.interval:
            self._shown = now
            self._show(now)

    def phase(self, label: str) -> None:
        """Name the next step (e.g. writing the output) on the same line."""
        self.label = label
        if self.enabled:
            self._show(time.monotonic())

    def close(self) -> None:
        if self.enabled:
            self.stream.write("\r\x1b[K")
            self.stream.flush()

    def _show(self, now: float) -> None:
        share = min(1.0, (self._base + self._current) / self.total)
        self.stream.write(
            f"\r\x1b[K{self.label}: {share:6.1%} of {self.total / 1e6:,.1f} MB, "
            f"{now - self._started:,.0f} s"
        )
        self.stream.flush()


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0
