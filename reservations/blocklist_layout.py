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

from reservations.blocklist_fields import CANONICAL, Canonical

Row = tuple[str, str, str, str]  # key, double-quoted text, single-quoted text, plain text
# line, fields (or the six values in the documented order), and the field on each line of the
# entry, to place a problem on its line
RawItem = tuple[int, dict[str, str] | Canonical, Sequence[str]]


class NotSimpleLayout(Exception):
    """The file needs a full YAML parser."""


# Only characters YAML takes literally (YAML 1.1 §5.1); tabs, CR and NEL send a file to PyYAML.
_UNUSUAL = re.compile(
    "[^\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]"
)
_PRINTABLE_ASCII = bytes(range(0x20, 0x7F)) + b"\n"
# A plain scalar on one line (YAML 1.1 §9.1.3): no indicator first, no ": " or " #" inside;
# possessive, as a plain scalar is always the longest run (and no input can make it backtrack).
_PLAIN = (
    r"(?!(?:~|null|Null|NULL)[ ]*(?:#.*)?$)"  # a null, not a text
    r"[^\s\-?:,\[\]{}#&*!|>'\"%@`](?:[^\s:]++|:(?=\S)|[ ]+(?=[^\s#:]))*+"
)
# A value, as three groups: double-quoted text, single-quoted text, plain text.
_SCALAR = rf"(?:\"([^\"\\\n]*)\"|'([^'\n]*)'|({_PLAIN}))"
_VALUE = rf"(?:[ ]+{_SCALAR})?"
# The documented order, one field a line: the common case, read with one match per entry.
_OPTIONAL = ("match", "expires")
# The field on each line, by (match left out, expires left out).
_PRESENT = {
    (no_match, no_expires): tuple(
        name
        for name in CANONICAL
        if not (name == "match" and no_match or name == "expires" and no_expires)
    )
    for no_match in (False, True)
    for no_expires in (False, True)
}
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


@cache
def _canonical_pattern(indent: str) -> re.Pattern[str]:
    """An entry's fields in the documented order after its ``- ``: three groups a field, and
    an empty group after each optional one that is there (match, expires)."""
    value = rf"{_SCALAR}(?:[ ]+#.*)?[ ]*"
    fields = [
        rf"(?:\n{indent}{name}:[ ]+{value}())?"
        if name in _OPTIONAL
        else rf"\n{indent}{name}:[ ]+{value}"
        for name in CANONICAL[1:]
    ]
    return re.compile(rf"domain:[ ]+{value}{''.join(fields)}(?:\n[ ]*)*\Z", re.M)


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


def scan_layout(data: bytes) -> tuple[dict[str, str], list[str], int, Iterator[RawItem]]:
    """``(metadata, the key on each of its lines, line of "entries:", entries)``; the entries
    are read lazily and may still raise ``NotSimpleLayout``."""
    # Printable ASCII is dropped first, in C: only the few other characters meet the regex.
    others = data.translate(None, _PRINTABLE_ASCII)
    try:
        text = data.decode("utf-8")
        if others and _UNUSUAL.search(others.decode("utf-8")):
            raise NotSimpleLayout
    except UnicodeDecodeError:
        raise NotSimpleLayout from None
    found = _ENTRIES.search(text)
    if found is None:
        raise NotSimpleLayout
    head = text[: found.start()]
    meta_rows = _rows(head[:-1], "") if head else []
    meta = _fields(meta_rows)
    if "entries" in meta:
        raise NotSimpleLayout
    entries_line = head.count("\n") + 1
    keys = [row[0] for row in meta_rows]
    return meta, keys, entries_line, _items(text, found.end(), entries_line + 1)


def _items(text: str, pos: int, line: int) -> Iterator[RawItem]:
    """The entries from ``pos`` on, each matched where it lies (a big file is not copied)."""
    start = _ITEM_START.match(text, pos)
    if start is None:
        if not _BLANK.match(text, pos):
            raise NotSimpleLayout
        return
    indent = start.group(1)
    line += text.count("\n", pos, start.start(1))
    field_indent = indent + "  "
    canonical = _canonical_pattern(field_indent).match
    separator = f"\n{indent}- "
    begin, end = start.end(), 0
    while end >= 0:
        end = text.find(separator, begin)
        stop = len(text) if end < 0 else end
        found = canonical(text, begin, stop)
        if found is not None:
            yield line, *_canonical_fields(found.groups())
        else:
            rows = _rows(field_indent + text[begin:stop], field_indent)
            if not rows[0][0]:
                raise NotSimpleLayout  # "- # note" with the fields below: PyYAML places it there
            yield line, _fields(rows), [row[0] for row in rows]
        line += text.count("\n", begin, stop) + 1
        begin = stop + len(separator)


def _canonical_fields(g: Sequence[str | None]) -> tuple[Canonical, Sequence[str]]:
    """The six values in the documented order (``""`` for an optional one left out, which
    means the same) and the field on each line. Written out: it runs once per entry."""
    values = (
        g[0] or g[1] or g[2] or "",
        g[3] or g[4] or g[5] or "",
        g[7] or g[8] or g[9] or "",
        g[10] or g[11] or g[12] or "",
        g[13] or g[14] or g[15] or "",
        g[16] or g[17] or g[18] or "",
    )
    return values, _PRESENT[g[6] is None, g[19] is None]
