"""Re-check a decision log's hash chain, record by record, without trusting it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from crawler.log.read import BadLine, Progress, read_log


@dataclass(frozen=True)
class VerifyResult:
    """Outcome for one file: ``problem`` is ``None`` when the chain is intact."""

    path: Path
    records: int
    problem: str | None = None
    line: int | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None

    def describe(self) -> str:
        if self.ok:
            return f"{self.path}: OK ({self.records} records, chain intact)"
        if not self.line:
            return f"{self.path}: {self.problem}"
        return f"{self.path}:{self.line}: {self.problem}"


def verify_log(path: Path, progress: Progress | None = None) -> VerifyResult:
    """Recompute the chain of one log; name the first bad line and what is wrong with it."""
    count = 0
    try:
        for _ in read_log(path, progress):
            count += 1
    except BadLine as bad:
        return VerifyResult(path, count, bad.problem, bad.line)
    return VerifyResult(path, count)
