"""Stream a decision log's records while re-checking its hash chain, never trusting it.

Every reader (``heed log verify``, ``heed log export``, ``heed report``) goes through
``read_log``: it yields one record at a time, so a log of millions of records reads in
constant memory, and it stops at the first line that is not what the writer would have
written, naming the file, the line and what is wrong.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, BinaryIO, Protocol

import orjson

from crawler.errors import LogReadError
from crawler.log.chain import FORMAT, GENESIS, canonical_bytes, record_hash

# The stages of the records that seal a log (crawler.log.seal), not decisions.
CHECKPOINT_STAGE = "checkpoint"
CLOSE_STAGE = "close"
SEAL_STAGES = frozenset({CHECKPOINT_STAGE, CLOSE_STAGE})

# A record line is a few KiB; a "line" longer than this is not one of ours (a binary file).
MAX_LINE_BYTES = 64 * 1024 * 1024
_PROGRESS_EVERY = 4096


class BadLine(LogReadError):
    """One line of a log breaks the chain or is not a record; ``line`` is 1-based."""

    def __init__(self, path: Path, line: int, problem: str) -> None:
        super().__init__(f"{path}:{line}: {problem}" if line else f"{path}: {problem}")
        self.path = path
        self.line = line
        self.problem = problem


class Progress(Protocol):
    """Told how far the reader is (see ``crawler.progress``)."""

    def start_file(self, path: Path) -> None: ...

    def update(self, done_bytes: int) -> None: ...


def iter_log_files(paths: Iterable[str | Path]) -> Iterator[Path]:
    """Expand folders to the ``*.jsonl`` files they hold (recursively, in name order)."""
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            yield from sorted(path.rglob("*.jsonl"))
        else:
            yield path


def read_logs(
    paths: Iterable[Path], progress: Progress | None = None, *, seals: bool = False
) -> Iterator[tuple[Path, dict[str, Any]]]:
    """``read_log`` over several files in turn, each record with the file it came from."""
    for path in paths:
        if progress is not None:
            progress.start_file(path)
        for record in read_log(path, progress, seals=seals):
            yield path, record


def read_log(
    path: Path, progress: Progress | None = None, *, seals: bool = False
) -> Iterator[dict[str, Any]]:
    """Yield every record of ``path`` in order, run header first; raise ``BadLine`` at the
    first line that is not a sound, chained record (so nothing unverified is ever yielded).
    Checkpoint and closing records are chained like the others but yielded only with
    ``seals``: readers of decisions never see them."""
    chain = Chain(path)
    with open_log(path) as handle:
        while raw := handle.readline(MAX_LINE_BYTES):
            record = chain.check(raw)
            if seals or record.get("stage") not in SEAL_STAGES:
                yield record
            if progress is not None and not chain.lines % _PROGRESS_EVERY:
                progress.update(handle.tell())
    chain.finish()
    if progress is not None:
        progress.update(path.stat().st_size)


def open_log(path: Path) -> BinaryIO:
    """``path`` opened for reading, or ``BadLine`` saying why it cannot be."""
    try:
        return path.open("rb")
    except OSError as exc:
        raise BadLine(path, 0, f"cannot read: {exc.strerror or exc}") from exc


class Chain:
    """The state of one log's chain while its lines are checked in order."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.lines = 0
        self.prev = GENESIS

    def check(self, raw: bytes) -> dict[str, Any]:
        """The record on the next line, or ``BadLine`` naming what is wrong with it."""
        lineno = self.lines + 1
        record = _fast_parse(raw)
        if record is None or _chain_problem(raw, record, lineno, self.prev):
            record = self._standard(raw, lineno)
        self.lines, self.prev = lineno, record["hash"]
        return record

    def _standard(self, raw: bytes, lineno: int) -> dict[str, Any]:
        """The standard decoder's reading of a line: it decides, and names what is wrong."""
        record = _parse(raw, lineno)
        if isinstance(record, str):
            raise BadLine(self.path, lineno, record)
        problem = _chain_problem(raw, record, lineno, self.prev)
        if problem:
            raise BadLine(self.path, lineno, problem)
        return record

    def advance(self, lines: int, last_hash: str) -> None:
        """Accept ``lines`` lines checked elsewhere, the last of them hashing to ``last_hash``."""
        self.lines += lines
        self.prev = last_hash

    def finish(self) -> None:
        if self.lines == 0:
            raise BadLine(self.path, 1, "empty file: not a Heed decision log")


def _fast_parse(raw: bytes) -> dict[str, Any] | None:
    """orjson's reading of a whole line, or ``None``. A record it reads is accepted only if
    it re-encodes to the very line (``_chain_problem``), and the standard decoder reads a
    canonical line as the same record, so this only ever saves time; anything else goes
    through ``_parse``."""
    if not raw.endswith(b"\n"):
        return None
    try:
        record = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None
    return record if type(record) is dict else None


def _parse(raw: bytes, lineno: int) -> dict[str, Any] | str:
    """The record on one line, or what is wrong with the line."""
    if not raw.endswith(b"\n"):
        if lineno == 1:
            return "not a Heed decision log: no complete first line"
        if len(raw) >= MAX_LINE_BYTES:
            return f"line longer than {MAX_LINE_BYTES} bytes: not a log record"
        return "truncated last line (no newline): the log was cut while being written"
    try:
        record = json.loads(raw.decode("utf-8"))  # (bytes would make json sniff the encoding)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        if lineno == 1:
            return "not a Heed decision log: the first line is not JSON"
        return f"not valid JSON ({exc})"
    if not isinstance(record, dict):
        return (
            "not a Heed decision log: the first line is not a JSON object"
            if lineno == 1
            else "not a JSON object"
        )
    return record


def _chain_problem(raw: bytes, record: dict[str, Any], lineno: int, prev: str) -> str | None:
    if lineno == 1:
        if record.get("stage") != "run" or "format" not in record:
            return f"not a Heed decision log: the first record is not a Heed run header ({FORMAT})"
        if record["format"] != FORMAT:
            return f"log format {record['format']!r} is not supported (this Heed reads {FORMAT})"
    if record.get("seq") != lineno - 1:
        return (
            f"seq is {record.get('seq')!r}, expected {lineno - 1}: a record is missing or reordered"
        )
    if record.get("prev") != prev:
        return "prev does not match the hash of the record before: a record is missing or reordered"
    try:
        if not _hash_matches(raw, record):
            return "hash does not match the record's content: the record was edited"
        text = canonical_bytes(record)
    except UnicodeEncodeError:  # an escaped lone surrogate: no UTF-8 line holds one
        return "not in canonical form (an escaped lone surrogate): the line was edited"
    if len(raw) != len(text) + 1 or not raw.startswith(text):
        # One record, one spelling: a duplicated key, other spacing or key order is not
        # what the writer wrote, and could make two readers see two different records.
        return "not in canonical form (duplicate key, spacing or key order): the line was edited"
    return None


def _hash_matches(raw: bytes, record: dict[str, Any]) -> bool:
    """Does ``record['hash']`` hash the record without it? The bytes say so for a line as the
    writer wrote it; anything else is settled by re-serialising."""
    digest = record.get("hash")
    if not isinstance(digest, str):
        return False
    return line_hashes_to(raw, digest) or record_hash(record) == digest


def line_hashes_to(raw: bytes, digest: str) -> bool:
    """Fast path: a line as the writer wrote it is canonical JSON, so removing its top-level
    ``"hash":"<digest>",`` member leaves exactly the bytes that were hashed. Matching bytes
    prove the content (short of a SHA-256 collision); a mismatch proves nothing either way."""
    member = b'"hash":"' + digest.encode("utf-8") + b'",'
    at = raw.rfind(member)
    if at <= 0:
        return False
    line = memoryview(raw)  # hashed in place, not copied
    content = hashlib.sha256(line[:at])
    content.update(line[at + len(member) : -1])
    return content.hexdigest() == digest
