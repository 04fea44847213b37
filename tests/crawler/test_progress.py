"""Progress of long reads: a status line on a terminal, nothing in pipes and scripts."""

from __future__ import annotations

import io
from pathlib import Path

from crawler.progress import TerminalProgress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_is_shown_on_a_terminal_and_cleared_at_the_end(tmp_path: Path) -> None:
    log = tmp_path / "a.jsonl"
    log.write_bytes(b"x" * 2_000_000)
    screen = Terminal()
    progress = TerminalProgress("heed report: reading", [log], stream=screen, interval=0)
    progress.start_file(log)
    progress.update(1_000_000)
    progress.phase("writing report.html")
    progress.close()
    shown = screen.getvalue()
    assert "\rheed report: reading:  50.0% of 2.0 MB" in shown.replace("\x1b[K", "")
    assert "writing report.html" in shown
    assert shown.endswith("\r\x1b[K")


def test_nothing_is_written_when_stderr_is_not_a_terminal(tmp_path: Path) -> None:
    pipe = io.StringIO()
    progress = TerminalProgress(
        "heed log export", [tmp_path / "absent.jsonl"], stream=pipe, interval=0
    )
    progress.start_file(tmp_path / "absent.jsonl")
    progress.update(10)
    progress.phase("writing")
    progress.close()
    assert pipe.getvalue() == ""
