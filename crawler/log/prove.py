"""Inclusion proofs: some records of a log, each with its RFC 9162 audit path to a checkpoint.

A proof document lets someone holding only it and the crawler's verifier key check, offline,
that these records are in the log the crawler signed, without seeing any other record.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from crawler.errors import LogReadError
from crawler.log.chain import canonical_bytes, canonical_json, record_hash, record_leaf
from crawler.log.checkpoint import Checkpoint, NoteError, verify_note
from crawler.log.merkle import (
    MAX_PROOF_LENGTH,
    MAX_TREE_SIZE,
    inclusion_proofs,
    verify_inclusion,
)
from crawler.log.read import MAX_LINE_BYTES, SEAL_STAGES, Chain, open_log

PROOF_FORMAT = "heed-inclusion-proof/1"
# A proof document of a whole domain's records can be large; a far larger file is not one.
MAX_PROOF_BYTES = 1 << 30


def prove(path: Path, wanted: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
    """The proof document for the records of ``path`` that ``wanted`` picks, plus its run
    header, against the log's last checkpoint; ``LogReadError`` if the log does not verify or
    has no checkpoint."""
    leaves: list[bytes] = []
    picked: list[tuple[int, bytes]] = []
    note, size = None, 0
    chain = Chain(path)
    with open_log(path) as handle:
        while raw := handle.readline(MAX_LINE_BYTES):
            record = chain.check(raw)
            index = len(leaves)
            if record.get("stage") in SEAL_STAGES:
                note, size = record.get("checkpoint"), index
            elif index == 0 or wanted(record):
                picked.append((index, raw[:-1]))
            leaves.append(record_leaf(record["hash"]))
    chain.finish()
    if not isinstance(note, str):
        raise LogReadError(f"{path}: no checkpoint in the log: nothing can be proven")
    covered = [(i, line) for i, line in picked if i < size]
    proofs = inclusion_proofs(leaves, size, (i for i, _ in covered))
    return {
        "format": PROOF_FORMAT,
        "log": path.name,
        "checkpoint": note,
        "records": [
            {
                "index": i,
                "record": line.decode("utf-8"),
                "proof": [base64.b64encode(h).decode("ascii") for h in proofs[i]],
            }
            for i, line in covered
        ],
        "after_checkpoint": len(picked) - len(covered),
    }


def write_proof(document: dict[str, Any], out: Path) -> None:
    with out.open("wb") as handle:  # a whole domain's proof is large: written, not copied
        handle.write(canonical_bytes(document))
        handle.write(b"\n")


@dataclass(frozen=True)
class ProofCheck:
    """What a proof document shows: the checkpoint, and the records proven in it."""

    checkpoint: Checkpoint
    records: list[dict[str, Any]]


def verify_proof(path: Path, key: str) -> ProofCheck:
    """Check a proof document offline: the checkpoint's signature by ``key``, then each
    record's audit path to its root. ``LogReadError`` names the first thing that fails."""
    try:
        if path.stat().st_size > MAX_PROOF_BYTES:
            raise LogReadError(f"{path}: larger than {MAX_PROOF_BYTES} bytes: not a proof")
        document = json.loads(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise LogReadError(f"{path}: not a readable proof document: {exc}") from exc
    if not isinstance(document, dict) or document.get("format") != PROOF_FORMAT:
        raise LogReadError(f"{path}: not a {PROOF_FORMAT} document")
    try:
        checkpoint = verify_note(document.get("checkpoint", ""), key)
    except (NoteError, ValueError) as exc:
        raise LogReadError(f"{path}: the checkpoint does not verify: {exc}") from exc
    entries = document.get("records")
    if not isinstance(entries, list):
        raise LogReadError(f"{path}: no list of records")
    return ProofCheck(checkpoint, [_proven(path, e, n, checkpoint) for n, e in enumerate(entries)])


def _proven(path: Path, entry: Any, n: int, checkpoint: Checkpoint) -> dict[str, Any]:
    """The record of one entry, once its audit path leads to the checkpoint's root."""
    where = f"{path}: record {n}"
    try:
        index, line, proof = entry["index"], entry["record"], entry["proof"]
        hashes = [base64.b64decode(h, validate=True) for h in proof[: MAX_PROOF_LENGTH + 1]]
        record = json.loads(line)
    except (TypeError, KeyError, ValueError, binascii.Error) as exc:
        raise LogReadError(f"{where}: malformed entry: {exc}") from exc
    if not isinstance(index, int) or not 0 <= index < MAX_TREE_SIZE or not isinstance(line, str):
        raise LogReadError(f"{where}: malformed entry")
    if not isinstance(record, dict) or canonical_json(record) != line:
        raise LogReadError(f"{where}: not a record in canonical form")
    if record.get("seq") != index:
        raise LogReadError(f"{where}: its seq is not its index in the log")
    if record.get("hash") != record_hash(record):
        raise LogReadError(f"{where}: its hash does not match its content")
    leaf = record_leaf(record["hash"])
    if not verify_inclusion(leaf, index, checkpoint.size, hashes, checkpoint.root):
        raise LogReadError(f"{where} (seq {index}): not in the signed log (proof fails)")
    return record
