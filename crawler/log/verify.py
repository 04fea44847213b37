"""Re-check a decision log without trusting it: chain, canonical form, Merkle checkpoints,
signatures, the closing record, and a checkpoint file kept apart.

Three outcomes (``heed log verify`` exit codes): complete (0), broken or tampered (1, naming
the first bad line), incomplete (4: no closing record, as a killed crawl or a cut log leaves).
What each check can and cannot detect is in docs/decision-log.md.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

from crawler.errors import LogReadError
from crawler.log.chain import record_leaf
from crawler.log.checkpoint import (
    MAX_NOTE_BYTES,
    Checkpoint,
    NoteError,
    parse_checkpoint,
    parse_note,
    verify_note,
)
from crawler.log.merkle import MerkleTree
from crawler.log.read import (
    CLOSE_STAGE,
    MAX_LINE_BYTES,
    SEAL_STAGES,
    BadLine,
    Chain,
    Progress,
    open_log,
)
from crawler.log.seal import closing_extension, log_origin

_PROGRESS_EVERY = 4096
# A checkpoint file holds a few lines per checkpoint; far more is not one of ours.
MAX_ANCHOR_BYTES = 1 << 30


class State(Enum):
    COMPLETE = "complete"
    INCOMPLETE = "incomplete"
    BROKEN = "broken"


@dataclass(frozen=True)
class VerifyResult:
    """Outcome for one file: ``problem`` says what is wrong unless it is complete."""

    path: Path
    records: int
    problem: str | None = None
    line: int | None = None
    state: State = State.COMPLETE
    notes: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.state is State.COMPLETE

    def describe(self) -> str:
        if self.state is State.COMPLETE:
            extra = "".join(f"; {n}" for n in self.notes)
            return f"{self.path}: OK ({self.records} records, complete, chain intact{extra})"
        if self.state is State.INCOMPLETE:
            return f"{self.path}: incomplete: {self.problem}"
        if not self.line:
            return f"{self.path}: {self.problem}"
        return f"{self.path}:{self.line}: {self.problem}"


@dataclass(frozen=True)
class Anchor:
    """One checkpoint copied to the checkpoint file."""

    checkpoint: Checkpoint
    note: str
    closing: bool


@dataclass
class Anchors:
    """The checkpoint file's checkpoints by origin (one origin per run)."""

    path: Path
    by_origin: dict[str, list[Anchor]] = field(default_factory=dict)

    @classmethod
    def read(cls, path: Path, key: str | None) -> Anchors:
        """Read and check every line (signatures too, given a key); ``LogReadError`` if any
        line is not a checkpoint this key signed."""
        anchors = cls(path)
        try:
            if path.stat().st_size > MAX_ANCHOR_BYTES:
                raise LogReadError(f"{path}: larger than {MAX_ANCHOR_BYTES} bytes")
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise LogReadError(f"{path}: cannot read the checkpoint file: {exc}") from exc
        for number, line in enumerate(text.splitlines(), 1):
            try:
                entry = json.loads(line)
                note = entry["note"]
                checkpoint = _open_checkpoint(note, key)
            except (ValueError, KeyError, TypeError, NoteError) as exc:
                raise LogReadError(f"{path}:{number}: not a valid checkpoint: {exc}") from exc
            anchor = Anchor(checkpoint, note, entry.get("stage") == CLOSE_STAGE)
            anchors.by_origin.setdefault(checkpoint.origin, []).append(anchor)
        return anchors


def _open_checkpoint(note: Any, key: str | None) -> Checkpoint:
    """The checkpoint in a note: its signature checked with ``key``, else its body only."""
    if not isinstance(note, str) or len(note) > MAX_NOTE_BYTES:
        raise ValueError("a checkpoint is a note of at most 64 KiB")
    if key is not None:
        return verify_note(note, key)
    return parse_checkpoint(parse_note(note)[0])


class _Audit:
    """The state of one log's checks while its lines are read in order."""

    def __init__(self, path: Path, key: str | None) -> None:
        self.path = path
        self.key = key
        self.chain = Chain(path)
        self.tree = MerkleTree()
        self.origin: str | None = None
        self.counts: Counter[str] = Counter()
        self.sealed: dict[int, bytes] = {}  # checkpoint tree sizes in the log -> roots
        self.signed = self.unsigned = 0
        self.closed = False
        self.checkpoint: Checkpoint | None = None  # the last one read

    def line(self, raw: bytes) -> None:
        if self.closed:
            raise BadLine(
                self.path,
                self.chain.lines + 1,
                "a record after the closing record: something was appended to a closed log",
            )
        record = self.chain.check(raw)
        lineno = self.chain.lines
        stage = record.get("stage")
        if lineno == 1:
            run_id = record.get("run_id")
            self.origin = log_origin(run_id) if isinstance(run_id, str) else None
        elif stage in SEAL_STAGES:
            self._seal(record, lineno)
        elif "decision" in record:
            self.counts[str(record["decision"])] += 1
        self.tree.append(record_leaf(record["hash"]))

    def _seal(self, record: Mapping[str, Any], lineno: int) -> None:
        problem = self._checkpoint_problem(record.get("checkpoint"))
        if problem is None and record.get("stage") == CLOSE_STAGE:
            problem = self._close_problem(record, lineno)
            self.closed = True
        if problem:
            raise BadLine(self.path, lineno, problem)
        self.sealed[self.tree.size] = self.tree.root()

    def _checkpoint_problem(self, note: Any) -> str | None:
        if self.origin is None:
            return "a checkpoint in a log whose run header has no run_id"
        try:
            checkpoint = _open_checkpoint(note, self.key)
        except NoteError as exc:
            return f"checkpoint: {exc} ({exc.reason})"
        except ValueError as exc:
            return f"checkpoint: {exc}"
        signed = bool(parse_note(note)[1])
        self.signed += signed
        self.unsigned += not signed
        self.checkpoint = checkpoint
        if checkpoint.origin != self.origin:
            return f"checkpoint of another log ({checkpoint.origin}): records were swapped"
        if checkpoint.size != self.tree.size or checkpoint.root != self.tree.root():
            return (
                f"checkpoint at tree size {checkpoint.size} does not match the "
                f"{self.tree.size} records before it: records were edited, added or removed"
            )
        return None

    def _close_problem(self, record: Mapping[str, Any], lineno: int) -> str | None:
        if record.get("last_seq") != lineno - 1:
            return "the closing record's last_seq is not its own seq"
        if record.get("counts") != dict(sorted(self.counts.items())):
            return "the closing record's counts do not match the decisions in the log"
        signed = self.checkpoint.extensions if self.checkpoint else ()
        # A log closed before the final checkpoint signed these has no extension line.
        if signed and signed != (closing_extension(record),):
            return (
                "the closing record's finish reason, counts or last_seq are not those its "
                "checkpoint signs: the closing record was edited"
            )
        return None

    def notes(self) -> tuple[str, ...]:
        checkpoints = self.signed + self.unsigned
        if self.key is not None:
            return (f"{checkpoints} checkpoint(s), every signature verified",)
        if self.unsigned:
            return (f"{checkpoints} checkpoint(s) unsigned: anyone could have rewritten the log",)
        return (f"{checkpoints} signed checkpoint(s), signatures not checked (give --key)",)


def verify_log(
    path: Path,
    progress: Progress | None = None,
    *,
    key: str | None = None,
    anchors: Anchors | None = None,
) -> VerifyResult:
    """Check one log; with a verifier key every checkpoint must carry its valid signature,
    with ``anchors`` the log must hold every checkpoint the checkpoint file has for its run."""
    audit = _Audit(path, key)
    try:
        with open_log(path) as handle:
            while raw := handle.readline(MAX_LINE_BYTES):
                audit.line(raw)
                if progress is not None and not audit.chain.lines % _PROGRESS_EVERY:
                    progress.update(handle.tell())
        audit.chain.finish()
    except BadLine as bad:
        return VerifyResult(path, audit.chain.lines, bad.problem, bad.line, State.BROKEN)
    records = audit.chain.lines
    problem = _anchor_problem(audit, anchors) if anchors is not None else None
    if problem is None and key is not None and not audit.signed:
        problem = "no checkpoint signed by the key: the log cannot be shown to be the signer's"
    if problem:
        return VerifyResult(path, records, problem, None, State.BROKEN)
    if not audit.closed:
        last = max(audit.sealed, default=0)
        return VerifyResult(
            path,
            records,
            f"no closing record: the crawl was killed or the log was cut ({records} records, "
            f"the last {records - last} after its last checkpoint)",
            None,
            State.INCOMPLETE,
        )
    return VerifyResult(path, records, notes=audit.notes())


def _anchor_problem(audit: _Audit, anchors: Anchors) -> str | None:
    """Does the log hold every checkpoint of its run that the checkpoint file kept?"""
    kept = anchors.by_origin.get(audit.origin or "", [])
    if not kept:
        return f"{anchors.path} has no checkpoint of this run: it is another crawl's log"
    for anchor in kept:
        cp = anchor.checkpoint
        if audit.sealed.get(cp.size) != cp.root:
            if cp.size > audit.tree.size:
                return (
                    f"{anchors.path} has a checkpoint at tree size {cp.size}, the log ends at "
                    f"{audit.tree.size}: the log was cut"
                )
            return f"the log does not match {anchors.path}'s checkpoint at tree size {cp.size}"
        if anchor.closing and not audit.closed:
            return f"{anchors.path} says the log was closed, but it has no closing record"
        if anchor.closing and audit.checkpoint and cp.extensions != audit.checkpoint.extensions:
            return f"the log's closing record is not the one {anchors.path}'s checkpoint names"
    return None
