"""Export decision records to CSV, JSON Lines or typed Parquet, in constant memory.

The logs are read in verified chunks of a few thousand records (``chunks``). JSON Lines is
written in one pass: each record as the log has it, its file added as ``log``. CSV and Parquet
need every column before the first row, so the first pass spools the flat chunk tables to a
temporary file beside the output, learning every column and its types; the second pass gives
each spooled table the final schema and hands it to Arrow's CSV or Parquet writer. Memory
stays flat however many records there are, and the output appears under its name only when it
is complete.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from crawler.collector import collector_paused
from crawler.errors import HeedError
from crawler.log.export.arrow import with_log
from crawler.log.export.chunks import Chunk, read_chunks
from crawler.log.export.table import (
    FIRST_COLUMNS,
    LAST_COLUMNS,
    TIMESTAMP,
    NameCheck,
    RecordFilter,
    column_order,
    is_time_column,
)
from crawler.progress import TerminalProgress

FORMATS = ("csv", "jsonl", "parquet")
STDOUT = Path("-")
_NUMBERS = {pa.int64(), pa.float64()}
# Rows per Parquet row group: readers plan and skip by row group, and each carries its own
# column metadata, so small ones bloat the file and slow scans (the whole file when smaller).
ROW_GROUP_ROWS = 1 << 16


@dataclass(frozen=True)
class ExportResult:
    """Records written, and columns (``None`` for JSON Lines: records keep their shape)."""

    rows: int
    columns: int | None


def export_logs(
    paths: Iterable[Path],
    out: Path,
    fmt: str,
    keep: RecordFilter,
    progress: TerminalProgress | None = None,
) -> ExportResult:
    """Write every record of ``paths`` that ``keep`` keeps to ``out`` (``-``: standard
    output) in format ``fmt``. A check or reason name no record has is a ``HeedError``."""
    names = NameCheck()
    chunks = _noting(read_chunks(paths, progress), names)
    spool_dir = None if out == STDOUT else out.parent
    with _output(out) as handle, collector_paused():
        if fmt == "jsonl":
            result = _write_jsonl(chunks, keep, handle)
            _check_names(names, keep)
        else:
            with tempfile.TemporaryFile(dir=spool_dir, prefix=".heed-export-") as spool_file:
                spool = _Spool(spool_file)
                for chunk in chunks:
                    table = chunk.table.filter(keep.mask(chunk.table))
                    spool.add(with_log(table, str(chunk.path)))
                _check_names(names, keep)
                if progress is not None:
                    progress.phase(f"writing {out.name or 'to standard output'}")
                schema = spool.schema(timestamps=fmt == "parquet")
                write = _write_csv if fmt == "csv" else _write_parquet
                write(spool.tables(schema), schema, handle)
                result = ExportResult(spool.rows, len(schema))
        return result


def _noting(chunks: Iterator[Chunk], names: NameCheck) -> Iterator[Chunk]:
    for chunk in chunks:
        names.add(chunk.table)
        yield chunk


def _check_names(names: NameCheck, keep: RecordFilter) -> None:
    problem = names.unknown(keep)
    if problem is not None:
        raise HeedError(problem)


@contextmanager
def _output(out: Path) -> Iterator[IO[bytes]]:
    """Standard output for ``-`` (for pipes: ``| duckdb``, ``| jq``), else a file."""
    if out != STDOUT:
        with _replace_when_done(out) as handle:
            yield handle
        return
    yield sys.stdout.buffer
    sys.stdout.buffer.flush()


@contextmanager
def _replace_when_done(out: Path) -> Iterator[IO[bytes]]:
    """A file beside ``out`` that becomes ``out`` only when writing succeeded."""
    partial = out.with_name(f".{out.name}.partial")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        handle = partial.open("wb")
    except OSError as exc:
        raise HeedError(f"{out}: cannot write the export: {exc.strerror or exc}") from exc
    try:
        with handle:
            yield handle
        os.replace(partial, out)
    finally:
        partial.unlink(missing_ok=True)


def _write_jsonl(chunks: Iterable[Chunk], keep: RecordFilter, handle: IO[bytes]) -> ExportResult:
    """Each kept record as written, verified, with ``"log"`` first: nothing re-encoded."""
    rows = 0
    for chunk in chunks:
        prefix = b'{"log":' + json.dumps(str(chunk.path)).encode("utf-8") + b","
        kept = [
            raw
            for raw, wanted in zip(chunk.lines, keep.mask(chunk.table).to_pylist(), strict=True)
            if wanted
        ]
        handle.writelines(prefix + raw[1:] for raw in kept)
        rows += len(kept)
    return ExportResult(rows, None)


class _Spool:
    """Chunks of rows as Arrow IPC streams in one temporary file, and every column's types."""

    def __init__(self, file: Any) -> None:
        self.file = file
        self.rows = 0
        self.types: dict[str, set[pa.DataType]] = {n: set() for n in FIRST_COLUMNS + LAST_COLUMNS}
        self.not_timestamps: set[str] = set()
        self.extents: list[tuple[int, int]] = []

    def add(self, table: pa.Table) -> None:
        for name, column in zip(table.column_names, table.columns, strict=True):
            self.types.setdefault(name, set()).add(column.type)
            if is_time_column(name) and column.type == pa.string() and not _timestamps(column):
                self.not_timestamps.add(name)
        start = self.file.tell()
        with pa.ipc.new_stream(self.file, table.schema) as writer:
            writer.write_table(table)
        self.extents.append((start, self.file.tell() - start))
        self.rows += table.num_rows

    def schema(self, timestamps: bool) -> pa.Schema:
        """One type per column, wide enough for every value; writer's timestamps typed as
        such when ``timestamps`` (Parquet), kept as text otherwise (CSV)."""
        fields = []
        for name in sorted(self.types, key=column_order):
            kind = _widest(self.types[name])
            if timestamps and kind == pa.string() and self._all_timestamps(name):
                kind = pa.timestamp("us", tz="UTC")
            fields.append(pa.field(name, kind))
        return pa.schema(fields)

    def _all_timestamps(self, name: str) -> bool:
        return (
            is_time_column(name)
            and name not in self.not_timestamps
            and pa.string() in self.types[name]
        )

    def tables(self, schema: pa.Schema) -> Iterator[pa.Table]:
        """The spooled chunks in order, each cast to ``schema``."""
        self.file.flush()
        if not self.extents:
            yield schema.empty_table()
            return
        for start, length in self.extents:  # one chunk in memory at a time
            self.file.seek(start)
            chunk = pa.py_buffer(self.file.read(length))
            yield _conform(pa.ipc.open_stream(chunk).read_all(), schema)


def _timestamps(array: pa.ChunkedArray) -> bool:
    matches = pc.match_substring_regex(array, f"^{TIMESTAMP.pattern}$")
    return pc.all(matches).as_py() is not False


def _widest(types: set[pa.DataType]) -> pa.DataType:
    seen = types - {pa.null()}
    if len(seen) == 1:
        return seen.pop()
    if seen and seen <= _NUMBERS:
        return pa.float64()
    return pa.string()


def _conform(table: pa.Table, schema: pa.Schema) -> pa.Table:
    columns = []
    for field in schema:
        if field.name not in table.column_names:
            columns.append(pa.nulls(table.num_rows, field.type))
            continue
        column = table.column(field.name)
        columns.append(column if column.type == field.type else column.cast(field.type))
    return pa.Table.from_arrays(columns, schema=schema)


def _write_csv(tables: Iterator[pa.Table], schema: pa.Schema, handle: IO[bytes]) -> None:
    # Strings are quoted, absent values are not: an empty cell is "no value", "" is empty text.
    options = pa_csv.WriteOptions(quoting_style="needed")
    with pa_csv.CSVWriter(handle, schema, write_options=options) as writer:
        for table in tables:
            writer.write_table(table)


def _write_parquet(tables: Iterator[pa.Table], schema: pa.Schema, handle: IO[bytes]) -> None:
    """Chunks are gathered into row groups of ``ROW_GROUP_ROWS`` (one chunk per run header
    and per log body would make a row group of a handful of rows each)."""
    with pq.ParquetWriter(handle, schema, compression="zstd") as writer:
        pending: list[pa.Table] = []
        rows = 0
        for table in tables:
            pending.append(table)
            rows += table.num_rows
            if rows >= ROW_GROUP_ROWS:
                rows = _flush_groups(writer, pending)
        if pending:
            writer.write_table(pa.concat_tables(pending), row_group_size=ROW_GROUP_ROWS)


def _flush_groups(writer: pq.ParquetWriter, pending: list[pa.Table]) -> int:
    """Write every full row group of ``pending``; keep the rest there; return its rows."""
    whole = pa.concat_tables(pending)
    rows: int = whole.num_rows
    full = rows - rows % ROW_GROUP_ROWS
    writer.write_table(whole.slice(0, full), row_group_size=ROW_GROUP_ROWS)
    pending[:] = [whole.slice(full)]
    return rows - full
