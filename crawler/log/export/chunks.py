"""Read logs a few thousand verified records at a time, as Arrow tables, for the export.

A chunk of lines is parsed by Arrow's JSON reader (C++) and verified against the chain from
its columns and bytes: ``seq`` counts on, ``prev`` is the hash before, and each line without its
own ``"hash"`` member hashes to that value (``crawler.log.read.line_hashes_to``). Any chunk
where that does not hold, every first line of a file, and anything Arrow cannot read, go
through the record-by-record reader instead (``crawler.log.read.Chain``), so the problems found
and the way they are named are the same as ``heed log verify``'s.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import pyarrow as pa
import pyarrow.json as pa_json

from crawler.log.export.arrow import records_table, split_structs
from crawler.log.read import MAX_LINE_BYTES, Chain, Progress, line_hashes_to, open_log

CHUNK_LINES = 8192
_FEWEST_LINES = 16
# One block per chunk: Arrow types the chunk once instead of reconciling blocks.
_ONE_BLOCK = pa_json.ReadOptions(use_threads=False, block_size=1 << 30)


@dataclass(frozen=True)
class Chunk:
    """Consecutive verified records of one log: their lines as written and as a flat table."""

    path: Path
    lines: list[bytes]
    table: pa.Table


def read_chunks(paths: Iterable[Path], progress: Progress | None = None) -> Iterator[Chunk]:
    """Every record of every log, in order, in verified chunks; ``BadLine`` at the first
    line that is not a sound, chained record."""
    for path in paths:
        if progress is not None:
            progress.start_file(path)
        chain = Chain(path)
        with open_log(path) as handle:
            while lines := _next_lines(handle):
                if chain.lines == 0:  # the run header: named carefully if the file is foreign
                    yield Chunk(path, lines[:1], records_table([chain.check(lines[0])]))
                    lines = lines[1:]
                for piece, table in _pieces(lines):
                    yield Chunk(path, piece, _verified(piece, table, chain))
                if progress is not None:
                    progress.update(handle.tell())
        chain.finish()


def _next_lines(handle: BinaryIO) -> list[bytes]:
    lines: list[bytes] = []
    while len(lines) < CHUNK_LINES and (raw := handle.readline(MAX_LINE_BYTES)):
        lines.append(raw)
    return lines


def _pieces(lines: list[bytes]) -> Iterator[tuple[list[bytes], pa.Table | None]]:
    """The lines as tables Arrow could type. Where a member's values change kind (a number
    here, text there: evidence echoes what sites send) the lines are halved and tried again,
    down to ``_FEWEST_LINES``; what still fails comes with ``None``, to be read record by
    record."""
    if not lines:
        return
    if lines[-1].endswith(b"\n"):  # a cut last line is named by the careful reader
        try:
            yield lines, pa_json.read_json(io.BytesIO(b"".join(lines)), read_options=_ONE_BLOCK)
            return
        except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
            pass
    if len(lines) <= _FEWEST_LINES:
        yield lines, None
        return
    half = len(lines) // 2
    yield from _pieces(lines[:half])
    yield from _pieces(lines[half:])


def _verified(lines: list[bytes], table: pa.Table | None, chain: Chain) -> pa.Table:
    """The flat table of ``lines`` once every one is proven a sound link of the chain."""
    if table is not None and _chain_holds(lines, table, chain):
        return split_structs(table)
    return records_table([chain.check(raw) for raw in lines])


def _chain_holds(lines: list[bytes], table: pa.Table, chain: Chain) -> bool:
    """Do the lines, as Arrow read them, continue the chain? Advances it only if they all do."""
    if table.num_rows != len(lines) or not {"seq", "prev", "hash"} <= set(table.column_names):
        return False
    seqs, prevs, hashes = (table.column(n).to_pylist() for n in ("seq", "prev", "hash"))
    prev = chain.prev
    for i, raw in enumerate(lines):
        digest = hashes[i]
        if seqs[i] != chain.lines + i or prevs[i] != prev or not isinstance(digest, str):
            return False
        if not line_hashes_to(raw, digest):
            return False
        prev = digest
    chain.advance(len(lines), prev)
    return True
