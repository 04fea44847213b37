"""Re-check a provenance log's hash chain, record by record, without trusting it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from crawler.provenance import FORMAT, GENESIS, record_hash


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
        return f"{self.path}:{self.line}: {self.problem}"


def iter_log_files(paths: list[str]) -> Iterator[Path]:
    """Expand folders to the ``*.jsonl`` files they hold, in name order."""
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            yield from sorted(path.rglob("*.jsonl"))
        else:
            yield path


def verify_log(path: Path) -> VerifyResult:
    """Recompute the chain of one log; name the first bad line and what is wrong with it."""
    try:
        handle = path.open("rb")
    except OSError as exc:
        return VerifyResult(path, 0, f"cannot read: {exc.strerror or exc}", 0)
    prev = GENESIS
    count = 0
    with handle:
        for lineno, raw in enumerate(handle, start=1):
            problem = _check_line(raw, lineno, prev)
            if isinstance(problem, str):
                return VerifyResult(path, count, problem, lineno)
            prev = problem["hash"]
            count += 1
    if count == 0:
        return VerifyResult(path, 0, "empty file: not a Heed decision log", 1)
    return VerifyResult(path, count)


def _check_line(raw: bytes, lineno: int, prev: str) -> dict[str, Any] | str:
    """The parsed record when line ``lineno`` is sound, else a description of the problem."""
    if not raw.endswith(b"\n"):
        return "truncated last line (no newline): the log was cut while being written"
    try:
        record = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return f"not valid JSON ({exc})"
    if not isinstance(record, dict):
        return "not a JSON object"
    if lineno == 1 and (record.get("stage") != "run" or record.get("format") != FORMAT):
        return f"first record is not a Heed run header (format {FORMAT!r})"
    if record.get("seq") != lineno - 1:
        return f"seq is {record.get('seq')!r}, expected {lineno - 1}: a record is missing or reordered"
    if record.get("prev") != prev:
        return "prev does not match the hash of the record before: a record is missing or reordered"
    if record.get("hash") != record_hash(record):
        return "hash does not match the record's content: the record was edited"
    return record
