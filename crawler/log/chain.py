"""The decision log: one writer, JSON Lines, every record chained to the one before.

Each record is canonical JSON (sorted keys, no spaces, UTF-8) and carries ``prev`` (the hash of
the record before it, or 64 zeros for the run header) and ``hash`` (SHA-256 of the record's
canonical JSON without ``hash``). Editing, dropping or reordering a record breaks the chain.
Each record's hash is also a leaf of an RFC 9162 Merkle tree, so that checkpoints can sign
its root.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import secrets
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import orjson

from crawler.errors import LogWriteError
from crawler.log.merkle import MerkleTree, leaf_hash

GENESIS = "0" * 64
FORMAT = "heed-decision-log/1"


# Records are trees of JSON values, so the encoder skips its circular-reference bookkeeping
# (measurably faster on the log's hot path; a cycle would still fail, as RecursionError).
# This encoder defines the canonical form.
_CANONICAL = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, check_circular=False
)
# The types for which orjson writes, byte for byte, what the canonical encoder writes (the
# same escapes for every code point, integers alike, keys in code point order; tests compare
# them). Anything else (floats, whose spelling differs, subclasses, other objects) takes the
# canonical encoder itself.
_SAME_SCALARS = frozenset({str, int, bool, type(None)})


def _same_in_orjson(value: dict[Any, Any] | list[Any] | tuple[Any, ...]) -> bool:
    """Whether every value inside is a dict, list or tuple of ``_SAME_SCALARS`` (keys are
    left to orjson, which refuses any but ``str``)."""
    for item in value.values() if type(value) is dict else value:
        kind = type(item)
        if kind not in _SAME_SCALARS and not (
            (kind is dict or kind is list or kind is tuple) and _same_in_orjson(item)
        ):
            return False
    return True


def canonical_bytes(record: Mapping[str, Any]) -> bytes:
    """``canonical_json(record)`` in UTF-8: by orjson (several times faster) where it
    writes the same bytes, else by the canonical encoder."""
    try:
        if type(record) is dict and _same_in_orjson(record):
            return orjson.dumps(record, option=orjson.OPT_SORT_KEYS)
    except (orjson.JSONEncodeError, RecursionError):
        pass  # integers beyond 64 bits, other keys, lone surrogates, deep nesting
    return _CANONICAL.encode(record).encode("utf-8")


def canonical_json(record: Mapping[str, Any]) -> str:
    """Serialise ``record`` the one way its hash is computed over."""
    return _CANONICAL.encode(record)


def record_hash(record: Mapping[str, Any]) -> str:
    """SHA-256 hex digest of ``record`` without its ``hash`` field."""
    body = {k: v for k, v in record.items() if k != "hash"}
    return hashlib.sha256(canonical_bytes(body)).hexdigest()


# Stands in for a record's hash while the record is encoded; random, so that no crawled value
# can contain it, and never written.
_PLACEHOLDER = secrets.token_hex(32)
_SLOT = f'"hash":"{_PLACEHOLDER}"'.encode()


def record_leaf(digest: str) -> bytes:
    """The Merkle leaf hash of a record: its 32-byte ``hash`` is the leaf data (RFC 9162
    §2.1.1). The hash already commits to the whole record, so the leaf hashes 32 bytes, not
    the line again."""
    return leaf_hash(bytes.fromhex(digest))


def chained_line(record: Mapping[str, Any]) -> tuple[bytes, bytes]:
    """``record``'s 32-byte hash and the line to write (its canonical JSON with ``hash``
    added, and a newline), encoding it only once.

    The record is encoded with a placeholder in its ``hash`` field: cutting that field out
    gives the text the hash is computed over, putting the digest in gives the line.
    """
    return _line({**record, "hash": _PLACEHOLDER})


def _line(placeheld: dict[str, Any]) -> tuple[bytes, bytes]:
    """``chained_line`` of a record whose ``hash`` is already the placeholder."""
    text = canonical_bytes(placeheld)
    before, _, after = text.partition(_SLOT)
    body = before + after[1:] if after[:1] == b"," else before.removesuffix(b",") + after
    digest = hashlib.sha256(body).digest()
    return digest, b"".join((before, b'"hash":"', digest.hex().encode(), b'"', after, b"\n"))


@functools.lru_cache(maxsize=1)
def _iso_second(seconds: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds))


def utc_now() -> str:
    """Current UTC time, ISO 8601 with microseconds and a ``Z``."""
    # The date and time of day are formatted once a second; the log asks many times a second.
    seconds, micros = divmod(time.time_ns() // 1000, 1_000_000)
    return f"{_iso_second(seconds)}.{micros:06d}Z"


class DecisionLog:
    """Append-only, hash-chained writer of decision records.

    Every record reaches the operating system (``os.write``) before ``write`` returns, so a
    decision is on record before the request proceeds. ``fsync`` runs every ``fsync_every``
    records or ``fsync_seconds`` seconds, whichever comes first, and at close. Any failure
    turns the log into a failed state: every later ``write`` raises ``LogWriteError``.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        fsync_every: int = 1000,
        fsync_seconds: float = 1.0,
    ) -> None:
        self.path = Path(path)
        self._fsync_every = max(0, fsync_every)
        self._fsync_seconds = fsync_seconds
        self._seq = 0
        self._prev = GENESIS
        self._unsynced = 0
        self._size = 0
        self._last_sync = time.monotonic()
        self._failure: str | None = None
        self._fd: int | None = None
        self._identity: tuple[int, int] | None = None
        self._closed = False
        self.tree = MerkleTree()
        _check_creatable(self.path)

    def _open(self) -> int:
        """Create the file at the first record, so a crawl refused at start leaves none."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND, 0o644)
        except OSError as exc:
            raise LogWriteError(_create_error(self.path, exc)) from exc
        stat = os.fstat(fd)
        self._fd, self._identity = fd, (stat.st_dev, stat.st_ino)
        return fd

    def _open_or_fail(self) -> int:
        try:
            return self._open()
        except LogWriteError as exc:
            self._failure = str(exc)
            raise

    def write_header(self, header: Mapping[str, Any]) -> int:
        """Write the run header; it must be the first record of the file."""
        if self._seq:
            raise LogWriteError(f"{self.path}: the run header must be the first record")
        return self.write({"url": None, **header, "stage": "run", "format": FORMAT})

    @property
    def failed(self) -> str | None:
        """Why the log stopped accepting records, or ``None`` while it is healthy."""
        return self._failure

    @property
    def last_hash(self) -> str:
        """The hash of the last record written (``GENESIS`` before the first)."""
        return self._prev

    @property
    def records(self) -> int:
        """How many records were written, run header included."""
        return self._seq

    def write(self, fields: Mapping[str, Any]) -> int:
        """Chain, write and return the ``seq`` of one record; raise ``LogWriteError`` on failure."""
        if self._failure is not None or self._closed:
            raise LogWriteError(self._failure or f"{self.path}: the decision log is closed")
        fd = self._fd if self._fd is not None else self._open_or_fail()
        digest, line = _line(
            {"ts": utc_now(), **fields, "seq": self._seq, "prev": self._prev, "hash": _PLACEHOLDER}
        )
        try:
            written = os.write(fd, line)
            if written != len(line):
                raise OSError(f"short write ({written} of {len(line)} bytes)")
            self._unsynced += 1
            if self._unsynced >= self._fsync_every > 0 or (
                time.monotonic() - self._last_sync >= self._fsync_seconds
            ):
                self.sync()
        except OSError as exc:
            self._failure = f"{self.path}: cannot write the decision log: {exc}"
            self._drop_partial_line()
            raise LogWriteError(self._failure) from exc
        self._size += len(line)
        self.tree.append(leaf_hash(digest))
        seq = self._seq
        self._seq += 1
        self._prev = digest.hex()
        return seq

    def _drop_partial_line(self) -> None:
        """Cut a half-written record off, so the log still verifies up to its last decision."""
        if self._fd is None:
            return
        with contextlib.suppress(OSError):  # verify will report the truncated last line instead
            os.ftruncate(self._fd, self._size)

    def sync(self) -> None:
        """Flush written records to stable storage, then check the file is still the log."""
        if self._fd is not None and self._unsynced:
            os.fsync(self._fd)
        self._unsynced = 0
        self._last_sync = time.monotonic()
        self._check_path()

    def check(self) -> str | None:
        """Fail the log if its file was removed, renamed or replaced; return why it failed."""
        if self._failure is None and self._fd is not None:
            try:
                self._check_path()
            except OSError as exc:
                self._failure = f"{self.path}: {exc}"
        return self._failure

    def _check_path(self) -> None:
        """The open descriptor and the path must name the same file (device and inode)."""
        if self._identity is None:
            return
        try:
            stat = os.stat(self.path)
        except FileNotFoundError:
            raise OSError("the decision log was removed or renamed during the crawl") from None
        if (stat.st_dev, stat.st_ino) != self._identity:
            raise OSError("the decision log was replaced by another file during the crawl")

    def close(self) -> None:
        """Sync and close; further writes fail. A failure to sync fails the log."""
        self._closed = True
        if self._fd is None:
            return
        try:
            if self._failure is None:
                self.sync()
        except OSError as exc:
            self._failure = f"{self.path}: cannot write the decision log: {exc}"
        finally:
            os.close(self._fd)
            self._fd = None


def _create_error(path: Path, exc: OSError) -> str:
    return (
        f"{path}: cannot create the decision log: {exc.strerror or exc}. "
        "Set HEED_DECISION_LOG to a writable path that does not exist yet."
    )


def _check_creatable(path: Path) -> None:
    """Fail now, before the crawl starts, if the log could not be created at its first record:
    the path exists, or its nearest existing folder is not a writable folder."""
    if path.exists() or path.is_symlink():
        raise LogWriteError(_create_error(path, FileExistsError(17, "File exists")))
    folder = path.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if not folder.is_dir():
        raise LogWriteError(_create_error(path, NotADirectoryError(20, "Not a directory")))
    if not os.access(folder, os.W_OK | os.X_OK):
        raise LogWriteError(_create_error(path, PermissionError(13, "Permission denied")))
