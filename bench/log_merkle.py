"""Log evidence benchmark: what the Merkle tree and signed checkpoints cost a crawl.

Three costs, each the median of several runs:

- during the crawl, every record is hashed as a leaf (records of about 800 bytes, the size of
  a full-stack decision record) and appended to the tree, which keeps only its right edge;
- at every checkpoint, the root is formatted as a tlog-checkpoint and signed with Ed25519;
- afterwards, an inclusion proof (and a consistency proof) is computed from all leaf hashes.

    .venv/bin/python bench/log_merkle.py              # prints the table
    .venv/bin/python bench/log_merkle.py --write      # and writes it to docs/benchmarks.md
    .venv/bin/python bench/log_merkle.py --quick      # 100,000 leaves, a smoke run
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO)]

from bench.report import median, write_section  # noqa: E402
from crawler.log.checkpoint import (  # noqa: E402
    format_checkpoint,
    generate_key,
    load_private_key,
    sign_note,
    verify_note,
)
from crawler.log.merkle import (  # noqa: E402
    MerkleTree,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    root_from_leaves,
    verify_inclusion,
)

RECORD_BYTES = 800
DISTINCT_RECORDS = 1024
ORIGIN = "heed.example/decisions"
SIGNATURES = 1000


def _records() -> list[bytes]:
    """Distinct records of ``RECORD_BYTES``, cycled: hashing cost depends on size, not content."""
    records = []
    for i in range(DISTINCT_RECORDS):
        head = f'{{"seq": {i}, "url": "https://example.com/{i}", "allowed": false, "pad": "'
        records.append(head.encode().ljust(RECORD_BYTES - 2, b"x") + b'"}')
    return records


def _timed(action: Callable[[], object], runs: int) -> float:
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        seconds.append(time.perf_counter() - started)
    return median(seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leaves", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="100,000 leaves, one run")
    parser.add_argument("--write", action="store_true", help="write docs/benchmarks.md")
    args = parser.parse_args()
    leaves_n, runs = (100_000, 1) if args.quick else (args.leaves, args.runs)
    records = _records()
    mask = DISTINCT_RECORDS - 1

    def hash_and_append() -> MerkleTree:
        tree = MerkleTree()
        for i in range(leaves_n):
            tree.append(leaf_hash(records[i & mask]))
        return tree

    leaves = [leaf_hash(records[i & mask]) for i in range(leaves_n)]

    def append_only() -> MerkleTree:
        tree = MerkleTree()
        for leaf in leaves:
            tree.append(leaf)
        return tree

    tree = append_only()
    root = tree.root()
    pem, vkey = generate_key(ORIGIN)
    key = load_private_key(pem)

    def sign() -> None:
        for _ in range(SIGNATURES):
            sign_note(format_checkpoint(ORIGIN, tree.size, tree.root()), key, ORIGIN)

    note = sign_note(format_checkpoint(ORIGIN, tree.size, root), key, ORIGIN)

    def verify() -> None:
        for _ in range(SIGNATURES):
            verify_note(note, vkey)

    index = leaves_n // 2 + 1
    proof = inclusion_proof(leaves, index, leaves_n)
    assert verify_inclusion(leaves[index], index, leaves_n, proof, root)

    # (what, action, how many items the action handles)
    cases: list[tuple[str, Callable[[], object], int]] = [
        (f"hash {leaves_n:,} records of {RECORD_BYTES} B and append", hash_and_append, leaves_n),
        (f"append {leaves_n:,} leaf hashes", append_only, leaves_n),
        (f"format and sign {SIGNATURES:,} checkpoints", sign, SIGNATURES),
        (f"verify {SIGNATURES:,} signed checkpoints", verify, SIGNATURES),
        (f"root of {leaves_n:,} leaves from scratch", lambda: root_from_leaves(leaves), 1),
        (
            f"one inclusion proof over {leaves_n:,} leaves",
            lambda: inclusion_proof(leaves, index, leaves_n),
            1,
        ),
        (
            f"one consistency proof, {leaves_n // 3:,} to {leaves_n:,} leaves",
            lambda: consistency_proof(leaves, leaves_n // 3, leaves_n),
            1,
        ),
    ]
    rows = []
    for what, action, items in cases:
        seconds = _timed(action, runs)
        per_item = f"{seconds / items * 1e6:,.2f} µs" if items > 1 else ""
        rows.append(f"| {what} | {seconds:.3f} s | {per_item} |")
        print(rows[-1], flush=True)
    table = "\n".join(
        [
            f"Decision-log evidence (`python bench/log_merkle.py`), median of {runs} runs: "
            f"RFC 9162 leaf hashing and tree appends, Ed25519 checkpoint signatures, proofs. "
            f"During the crawl the tree keeps one hash per set bit of its size "
            f"({leaves_n.bit_count()} at {leaves_n:,} leaves); the inclusion proof is "
            f"{len(proof)} hashes.",
            "",
            "| operation | median time | per item |",
            "| --- | --- | --- |",
            *rows,
        ]
    )
    if args.write:
        print(f"written to {write_section('log_merkle', table)}")


if __name__ == "__main__":
    main()
