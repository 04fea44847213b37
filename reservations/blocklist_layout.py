"""Fast reading of blocklist files written in the documented layout.

A YAML parser builds an object per node and line mark: over a minute for a million entries.
Files in the layout ``blocklists/README.md`` documents — metadata lines, then ``entries:``,
then one ``- key: value`` block per entry, one scalar per line — are read here with a few
regular expressions instead, producing exactly what PyYAML would. Anything else (flow style,
anchors, block scalars, multi-line or escaped strings, tabs, ``null`` spelt out, ...) raises
``NotSimpleLayout`` and the file is read by PyYAML (``blocklist_yaml``), which is the reference.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from functools import cache

Row = tuple[str, str, str, str]  # key, double-quoted text, single-quoted text, plain text
RawItem = tuple[int, dict[str, str], Sequence[Row]]  # line, fields, rows (one per line)


class NotSimpleLayout(Exception):
    """The file needs a full YAML parser."""


# Only characters YAML takes literally (YAML 1.1 §5.1); tabs, CR and NEL send a file to PyYAML.
_UNUSUAL = re.compile(
    "[^\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]"
)
# A plain scalar on one line (YAML 1.1 §9.1.3): no indicator first, no ": " or " #" inside.
_PLAIN = (
    r"(?!(?:~|null|Null|NULL)[ ]*(?:#.*)?$)"  # a null, not a text
    r"[^\s\-?:,\[\]{}#&*!|>'\"%@`](?:[^\s:]+|:(?=\S)|[ ]+(?=[^\s#:]))*"
)
_VALUE = rf"(?:[ ]+(?:\"([^\"\\\n]*)\"|'([^'\n]*)'|({_PLAIN})))?"
_ENTRIES = re.compile(r"^entries:[ ]*\n", re.M)
_ITEM_START = re.compile(r"(?:[ ]*(?:#.*)?\n)*([ ]*)- ")
_BLANK = re.compile(r"(?:[ ]*(?:#.*)?(?:\n|\Z))*\Z")


@cache
def _rows_pattern(indent: str) -> re.Pattern[str]:
    """One match per line: ``indent key: value`` (with an optional comment), or a blank or
    comment line (key ``""``). A line that is neither does not match at all."""
    return re.compile(
        rf"^{indent}([A-Za-z_][A-Za-z0-9_-]*):{_VALUE}(?:[ ]+#.*)?[ ]*$|^[ ]*(?:#.*)?$",
        re.M,
    )


def _rows(text: str, indent: str) -> list[Row]:
    """The rows of ``text``, one per line, or ``NotSimpleLayout``."""
    rows: list[Row] = _rows_pattern(indent).findall(text)
    if len(rows) != text.count("\n") + 1:
        raise NotSimpleLayout
    return rows


def _fields(rows: Sequence[Row]) -> dict[str, str]:
    fields = {key: dq or sq or plain for key, dq, sq, plain in rows if key}
    if len(fields) != len(rows) and len(fields) != sum(1 for row in rows if row[0]):
        raise NotSimpleLayout  # a repeated key: PyYAML reports it with both lines
    return fields


def scan_layout(text: str) -> tuple[dict[str, str], list[Row], int, Iterator[RawItem]]:
    """``(metadata, its rows, line of "entries:", entries)``; the entries are read lazily and
    may still raise ``NotSimpleLayout``."""
    if _UNUSUAL.search(text):
        raise NotSimpleLayout
    found = _ENTRIES.search(text)
    if found is None:
        raise NotSimpleLayout
    head = text[: found.start()]
    meta_rows = _rows(head[:-1], "") if head else []
    meta = _fields(meta_rows)
    if "entries" in meta:
        raise NotSimpleLayout
    entries_line = head.count("\n") + 1
    return meta, meta_rows, entries_line, _items(text[found.end() :], entries_line + 1)


def _items(body: str, line: int) -> Iterator[RawItem]:
    start = _ITEM_START.match(body)
    if start is None:
        if not _BLANK.match(body):
            raise NotSimpleLayout
        return
    indent = start.group(1)
    line += body.count("\n", 0, start.start(1))
    field_indent = indent + "  "
    for chunk in body[start.end() :].split(f"\n{indent}- "):
        rows = _rows(field_indent + chunk, field_indent)
        if not rows[0][0]:
            raise NotSimpleLayout  # "- # note" with the fields below: PyYAML places it there
        yield line, _fields(rows), rows
        line += len(rows)
