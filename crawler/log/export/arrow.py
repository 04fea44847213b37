"""A chunk of decision records as one Arrow table with the dotted columns of ``table``.

Arrow converts the nested records in C++ (a struct column per object), then each struct is
split into its members, ``evidence`` → ``evidence.robots`` → ``evidence.robots.rule``. An
object that held nothing (a check that answered without evidence) keeps a ``{}`` cell so the
table still shows it was there; lists become JSON text. A chunk whose values Arrow cannot type
(a member that is a number in one record and text in the next, an integer past 64 bits) is
converted record by record instead, the mixed column kept as text.
"""

from __future__ import annotations

from functools import reduce
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from crawler.log.export.table import JSON_TEXT, flatten

_CONVERSION_ERRORS = (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError)


def records_table(records: list[dict[str, Any]]) -> pa.Table:
    """One flat table for ``records`` (parsed records, as ``crawler.log.read`` yields them)."""
    try:
        return split_structs(pa.Table.from_struct_array(pa.array(records)))
    except _CONVERSION_ERRORS:
        return _table_of_flat_rows([flatten(r, containers_as_json=True) for r in records])


def with_log(table: pa.Table, log: str) -> pa.Table:
    """``table`` with the ``log`` column (the file its records came from) first."""
    return table.add_column(0, "log", pa.array([log] * table.num_rows, pa.string()))


def _column_array(values: list[Any]) -> pa.Array:
    """Arrow infers the type; a column mixing kinds is kept as text, non-strings as JSON."""
    try:
        return pa.array(values)
    except _CONVERSION_ERRORS:
        return pa.array(
            [v if v is None or isinstance(v, str) else JSON_TEXT.encode(v) for v in values]
        )


def _table_of_flat_rows(rows: list[dict[str, Any]]) -> pa.Table:
    names = list(dict.fromkeys(name for row in rows for name in row))
    return pa.Table.from_arrays([_column_array([r.get(n) for r in rows]) for n in names], names)


def split_structs(table: pa.Table) -> pa.Table:
    """Struct columns split into dotted columns, lists as JSON text, ``{}`` kept."""
    names: list[str] = []
    columns: list[pa.ChunkedArray] = []
    for name, column in zip(table.column_names, table.columns, strict=True):
        kind = column.type
        if pa.types.is_struct(kind):
            children = column.flatten()
            empty = _empty_objects(column, children)
            if empty is not None:
                names.append(name)
                columns.append(empty)
            nested = pa.Table.from_arrays(
                children, [kind.field(i).name for i in range(len(children))]
            )
            inner = split_structs(nested)
            names += [f"{name}.{child}" for child in inner.column_names]
            columns += inner.columns
        elif pa.types.is_list(kind) or pa.types.is_large_list(kind):
            names.append(name)
            columns.append(_json_text(column))
        else:
            names.append(name)
            columns.append(column)
    return pa.Table.from_arrays(columns, names)


def _empty_objects(column: pa.ChunkedArray, children: list[pa.ChunkedArray]) -> Any:
    """``{}`` where a record had the object but nothing in it, else ``None``: or no column
    at all when no record had such an empty object."""
    mask = pc.is_valid(column)
    if children:
        mask = pc.and_(mask, reduce(pc.and_, [pc.is_null(child) for child in children]))
    if not pc.any(mask).as_py():
        return None
    return pc.if_else(mask, pa.scalar("{}"), pa.scalar(None, pa.string()))


def _json_text(column: pa.ChunkedArray) -> pa.Array:
    return pa.array(
        [None if v is None else JSON_TEXT.encode(v) for v in column.to_pylist()], pa.string()
    )
