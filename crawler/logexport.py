"""Export decision records to CSV, JSON Lines or typed Parquet, in constant memory.

JSON Lines is written in one pass. CSV and Parquet need every column before the first row,
so the first pass verifies and flattens each record into a compact spool file beside the
output (``marshal``, keyed by column number) while it learns the columns and their types; the
second pass writes the spool out. Memory stays flat however many records there are, and the
output appears under its name only when it is complete.
"""

from __future__ import annotations

import csv
import json
import marshal
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path
from typing import IO, Any

import pyarrow as pa
import pyarrow.parquet as pq

from crawler.errors import HeedError
from crawler.logread import read_logs
from crawler.logtable import (
    FIRST_COLUMNS,
    LAST_COLUMNS,
    TIMESTAMP,
    RecordFilter,
    column_order,
    flatten,
    is_time_column,
)
from crawler.progress import TerminalProgress

FORMATS = ("csv", "jsonl", "parquet")
_BATCH_ROWS = 65536
_CHUNK_ROWS = 4096
_INT64 = range(-(2**63), 2**63)
_ARROW_TYPES = {
    "bool": pa.bool_(),
    "int": pa.int64(),
    "float": pa.float64(),
    "time": pa.timestamp("us", tz="UTC"),
    "string": pa.string(),
    "json": pa.string(),
}


@dataclass(frozen=True)
class Column:
    """One output column: its name and its kind (a key of ``_ARROW_TYPES``)."""

    name: str
    kind: str


@dataclass(frozen=True)
class ExportResult:
    rows: int
    columns: int


def export_logs(
    paths: Iterable[Path],
    out: Path,
    fmt: str,
    keep: RecordFilter,
    progress: TerminalProgress | None = None,
) -> ExportResult:
    """Write every record of ``paths`` that ``keep`` keeps to ``out`` in format ``fmt``."""
    rows = (
        flatten(record, log=str(path))
        for path, record in read_logs(paths, progress)
        if keep.keeps(record)
    )
    with _replace_when_done(out) as handle:
        if fmt == "jsonl":
            return _write_jsonl(rows, handle)
        with tempfile.TemporaryFile(dir=out.parent, prefix=".heed-export-") as spool_file:
            spool = _Spool(spool_file)
            for row in rows:
                spool.add(row)
            if progress is not None:
                progress.phase(f"writing {out.name}")
            columns = spool.columns()
            writer = _write_csv if fmt == "csv" else _write_parquet
            writer(spool, columns, handle)
            return ExportResult(spool.rows, len(columns))


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


def _write_jsonl(rows: Iterable[dict[str, Any]], handle: IO[bytes]) -> ExportResult:
    count = 0
    columns: set[str] = set()
    for row in rows:
        handle.write(json.dumps(row, ensure_ascii=False).encode("utf-8") + b"\n")
        columns.update(row)
        count += 1
    return ExportResult(count, len(columns))


class _Spool:
    """Rows in a temporary file as ``(shape, values)`` in ``marshal`` chunks, where a shape is
    one sequence of column names (a log has few); and what each column holds."""

    def __init__(self, file: IO[bytes]) -> None:
        self.file = file
        self.rows = 0
        self.shapes: dict[tuple[str, ...], int] = {}
        self._signatures: dict[tuple[int, tuple[type, ...]], tuple[list[int], list[int]]] = {}
        self._not_timestamps: set[str] = set()
        self._big_ints: set[str] = set()
        self._chunk: list[tuple[int, tuple[Any, ...]]] = []
        self._chunks = 0

    def add(self, row: dict[str, Any]) -> None:
        keys = tuple(row)
        values = tuple(row.values())
        shape = self.shapes.setdefault(keys, len(self.shapes))
        signature = (shape, tuple(map(type, values)))
        ints, times = self._signatures.get(signature) or self._learn(signature, keys)
        for pos in ints:
            if values[pos] not in _INT64:
                self._big_ints.add(keys[pos])
        for pos in times:
            if not TIMESTAMP.fullmatch(values[pos]):
                self._not_timestamps.add(keys[pos])
        self._chunk.append((shape, values))
        self.rows += 1
        if len(self._chunk) == _CHUNK_ROWS:
            self._flush()

    def _learn(
        self, signature: tuple[int, tuple[type, ...]], keys: tuple[str, ...]
    ) -> tuple[list[int], list[int]]:
        types = signature[1]
        ints = [i for i, t in enumerate(types) if t is int]
        times = [i for i, t in enumerate(types) if t is str and is_time_column(keys[i])]
        self._signatures[signature] = (ints, times)
        return ints, times

    def _flush(self) -> None:
        marshal.dump(self._chunk, self.file)
        self._chunks += 1
        self._chunk = []

    def columns(self) -> list[Column]:
        """Every column seen (and the core ones always), in output order, with its kind."""
        types: dict[str, set[type]] = {name: set() for name in FIRST_COLUMNS + LAST_COLUMNS}
        names = {shape: keys for keys, shape in self.shapes.items()}
        for shape, signature in self._signatures:
            for name, kind in zip(names[shape], signature, strict=True):
                types.setdefault(name, set()).add(kind)
        for name in self._big_ints:
            types[name].add(dict)  # too large for a typed column: kept as JSON text
        return [
            Column(name, _kind(types[name], self._timestamps(name)))
            for name in sorted(types, key=column_order)
        ]

    def _timestamps(self, name: str) -> bool:
        return is_time_column(name) and name not in self._not_timestamps

    def ordered_rows(self, columns: list[Column]) -> Iterator[tuple[Any, ...]]:
        """Every row as a tuple of ``columns`` values (``None`` where a row has none)."""
        if self._chunk:
            self._flush()
        getters = {}
        for keys, shape in self.shapes.items():
            at = {name: i for i, name in enumerate(keys)}
            getters[shape] = itemgetter(*[at.get(c.name, len(keys)) for c in columns])
        self.file.seek(0)
        for _ in range(self._chunks):
            for shape, values in marshal.load(self.file):
                yield getters[shape]((*values, None))


def _kind(types: set[type], timestamps: bool) -> str:
    seen = types - {type(None)}
    if seen == {bool}:
        return "bool"
    if seen == {int}:
        return "int"
    if seen and seen <= {int, float}:
        return "float"
    if seen == {str}:
        return "time" if timestamps else "string"
    return "json" if seen else "string"


def _json_text(value: Any) -> Any:
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _csv_cell(kind: str) -> Callable[[Any], Any] | None:
    """How a column's values become CSV cells, when ``csv`` would not write them as JSON does."""
    if kind == "bool":
        return lambda value: None if value is None else ("true" if value else "false")
    if kind == "json":
        return _json_text
    return None


def _write_csv(spool: _Spool, columns: list[Column], handle: IO[bytes]) -> None:
    text = open(handle.fileno(), "w", encoding="utf-8", newline="", closefd=False)  # noqa: SIM115
    writer = csv.writer(text)
    writer.writerow([c.name for c in columns])
    convert = [(pos, fn) for pos, c in enumerate(columns) if (fn := _csv_cell(c.kind))]
    for row in spool.ordered_rows(columns):
        values = list(row)
        for pos, fn in convert:
            values[pos] = fn(values[pos])
        writer.writerow(values)
    text.flush()


def _arrow_array(values: list[Any], kind: str) -> pa.Array:
    if kind == "time":
        return pa.array(values, pa.string()).cast(_ARROW_TYPES["time"])
    if kind == "json":
        values = [_json_text(v) for v in values]
    return pa.array(values, _ARROW_TYPES[kind])


def _write_parquet(spool: _Spool, columns: list[Column], handle: IO[bytes]) -> None:
    schema = pa.schema([pa.field(c.name, _ARROW_TYPES[c.kind]) for c in columns])
    with pq.ParquetWriter(handle, schema, compression="zstd") as writer:
        batch: list[tuple[Any, ...]] = []
        for row in spool.ordered_rows(columns):
            batch.append(row)
            if len(batch) == _BATCH_ROWS:
                writer.write_table(_table(batch, columns, schema))
                batch = []
        if batch or not spool.rows:
            writer.write_table(_table(batch, columns, schema))


def _table(batch: list[tuple[Any, ...]], columns: list[Column], schema: pa.Schema) -> pa.Table:
    cells = zip(*batch, strict=True) if batch else ([] for _ in columns)
    arrays = [_arrow_array(list(values), c.kind) for values, c in zip(cells, columns, strict=True)]
    return pa.Table.from_arrays(arrays, schema=schema)
