"""Checkpoints and the closing record: what lets a log prove it is whole and unaltered.

Every record of the log is a leaf of an RFC 9162 Merkle tree (``crawler.log.chain``). A
checkpoint record carries a C2SP checkpoint of the tree before it (origin, size, root), signed
with Ed25519 when a key is configured; each is also appended to an optional checkpoint file
kept apart from the log. The closing record ends a cleanly closed log and carries the final
checkpoint, so that a log cut or extended after the fact no longer matches its own seal.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from crawler.errors import ConfigError, LogWriteError
from crawler.log.chain import DecisionLog, canonical_json
from crawler.log.checkpoint import (
    KeyFormatError,
    format_checkpoint,
    generate_key,
    load_private_key,
    sign_note,
    verifier_key,
)
from crawler.log.read import CHECKPOINT_STAGE as CHECKPOINT
from crawler.log.read import CLOSE_STAGE as CLOSE

DEFAULT_KEY_NAME = "heed"
# The closing record's own fields are not in the tree its checkpoint signs (the tree ends before
# it), so the final checkpoint carries them in an extension line (tlog-checkpoint §Note text).
CLOSE_EXTENSION = "heed-close "
_CLOSE_FIELDS = ("counts", "finish_reason", "last_seq")


def log_origin(run_id: str) -> str:
    """The checkpoint origin of one run's log (tlog-checkpoint: unique per log)."""
    return f"heed.decision-log/{run_id}"


def closing_extension(record: Mapping[str, object]) -> str:
    """The final checkpoint's extension line for a closing record: its finish reason, counts
    and last ``seq``, as one line of canonical JSON."""
    return CLOSE_EXTENSION + canonical_json({k: record.get(k) for k in _CLOSE_FIELDS})


@dataclass(frozen=True)
class SigningKey:
    """An Ed25519 key that signs checkpoints, with the name its verifier key carries."""

    name: str
    private_key: Ed25519PrivateKey

    @property
    def verifier(self) -> str:
        return verifier_key(self.name, self.private_key.public_key())

    @classmethod
    def load(cls, path: str | os.PathLike[str], name: str = DEFAULT_KEY_NAME) -> SigningKey:
        """Read a key written by ``heed log keygen``; a ``ConfigError`` says what is wrong."""
        try:
            pem = Path(path).read_bytes()
            return cls(name, load_private_key(pem))
        except (OSError, KeyFormatError) as exc:
            raise ConfigError(f"HEED_LOG_SIGNING_KEY {path}: {exc}") from exc


def write_key_pair(path: Path, name: str = DEFAULT_KEY_NAME) -> Path:
    """Write a new private key to ``path`` (mode 0600, never over an existing file) and its
    verifier key to ``path.pub``; return the latter."""
    pem, verifier = generate_key(name)
    public = path.with_name(path.name + ".pub")
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot create the key: {exc.strerror or exc}") from exc
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
    public.write_text(verifier + "\n", encoding="utf-8")
    return public


class Sealer:
    """Writes one log's checkpoint records and its closing record.

    A checkpoint is due every ``every_records`` lines or ``every_seconds`` seconds (0 turns
    either off); the recorder asks after each record and on its timer.
    """

    def __init__(
        self,
        log: DecisionLog,
        origin: str,
        *,
        key: SigningKey | None = None,
        every_records: int = 0,
        every_seconds: float = 0.0,
        anchor: Path | None = None,
    ) -> None:
        self.log = log
        self.origin = origin
        self.key = key
        self._every_records = max(0, every_records)
        self._every_seconds = max(0.0, every_seconds)
        self._anchor = anchor
        self._sealed_size = 0
        self._sealed_at = time.monotonic()

    def due(self) -> bool:
        """Whether records were written since the last checkpoint and one is due."""
        pending = self.log.tree.size - self._sealed_size
        if pending <= 0:
            return False
        return (0 < self._every_records <= pending) or (
            0 < self._every_seconds <= time.monotonic() - self._sealed_at
        )

    def note(self, extensions: Sequence[str] = ()) -> str:
        """The checkpoint of the tree so far: signed if there is a key, else its body alone."""
        tree = self.log.tree
        body = format_checkpoint(self.origin, tree.size, tree.root(), extensions)
        return body if self.key is None else sign_note(body, self.key.private_key, self.key.name)

    def checkpoint(self) -> int:
        """Write a checkpoint record of every line before it; return its ``seq``."""
        return self._seal({"stage": CHECKPOINT})

    def close(self, finish_reason: str, counts: Mapping[str, int]) -> int:
        """Write the closing record: why the crawl ended, decisions by outcome, the final
        checkpoint, which signs those too; nothing may follow it."""
        fields = {
            "stage": CLOSE,
            "finish_reason": finish_reason,
            "counts": dict(sorted(counts.items())),
            "last_seq": self.log.records,
        }
        return self._seal(fields, (closing_extension(fields),))

    def _seal(self, fields: Mapping[str, object], extensions: Sequence[str] = ()) -> int:
        note = self.note(extensions)
        self._append_anchor(str(fields["stage"]), note)
        seq = self.log.write({"url": None, **fields, "checkpoint": note})
        self._sealed_size, self._sealed_at = self.log.tree.size, time.monotonic()
        return seq

    def _append_anchor(self, stage: str, note: str) -> None:
        """Copy the checkpoint to the checkpoint file before the log names it, synced."""
        if self._anchor is None:
            return
        line = canonical_json({"log": str(self.log.path), "note": note, "stage": stage}) + "\n"
        try:
            self._anchor.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self._anchor, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
            try:
                data = line.encode("utf-8")
                if os.write(fd, data) != len(data):
                    raise OSError("short write")
                os.fsync(fd)
            finally:
                os.close(fd)
        except OSError as exc:
            raise LogWriteError(
                f"{self._anchor}: cannot append to HEED_CHECKPOINT_FILE: {exc}"
            ) from exc
