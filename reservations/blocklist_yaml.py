"""Read one blocklist file (YAML bytes) into a ``Blocklist``, or every problem in it, by line.

Files in the documented layout take the fast path (``blocklist_layout``); any other YAML is
composed by PyYAML, whose nodes keep their line numbers, and both feed the same field rules
(``blocklist_fields``). The result names each problem as ``file:line: field: problem``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

import yaml

from reservations.blocklist import Blocklist, Entry, ListInfo, Problem
from reservations.blocklist_fields import Canonical, EntryBuilder, Fields
from reservations.blocklist_layout import NotSimpleLayout, scan_layout

# Where each field sits: field -> line (PyYAML), or the field on each line (fast path).
FieldLines = Mapping[str, int] | Sequence[str]
RawItem = tuple[int, Fields | Canonical, FieldLines]

_NULL_TAG = "tag:yaml.org,2002:null"
_MERGE_TAG = "tag:yaml.org,2002:merge"
# libyaml's composer recurses in C and overflows the stack on deep nesting; deeper files are
# composed by PyYAML's Python composer, which raises RecursionError instead.
_C_COMPOSER_MAX_DEPTH = 2000


@dataclass(frozen=True, slots=True)
class ParsedList:
    """One file read: its identity, its valid entries and its problems. A crawl refuses a file
    with any problem; ``heed blocklist validate`` still counts and checks its valid entries."""

    info: ListInfo
    blocklist: Blocklist
    problems: tuple[Problem, ...]


@dataclass
class _RawDocument:
    meta: Fields
    meta_lines: FieldLines
    entries_line: int
    items: Iterable[RawItem]
    problems: list[Problem]


def parse_blocklist(data: bytes, file: str) -> ParsedList:
    """Validate and read one list; ``file`` names it in problems and evidence."""
    digest = hashlib.sha256(data).hexdigest()
    try:
        return _build(file, digest, _fast_document(data))
    except NotSimpleLayout:
        return _build(file, digest, _composed_document(data, file))


def _fast_document(data: bytes) -> _RawDocument:
    meta, meta_keys, entries_line, items = scan_layout(data)
    return _RawDocument(meta, meta_keys, entries_line, items, [])


def _build(file: str, digest: str, document: _RawDocument) -> ParsedList:
    problems = document.problems
    info = _list_info(file, digest, document, problems)
    builder = EntryBuilder(info)
    entries: list[Entry] = []
    for line, fields, where in document.items:
        built = builder.build(fields, line)
        if isinstance(built, Entry):
            entries.append(built)
            continue
        for field, message in built:
            problems.append(Problem(file, _line_of(line, where, field), field, message))
    blocklist = Blocklist(info, tuple(entries))
    unique = dict.fromkeys(problems)  # a merged mapping's problem shows once
    return ParsedList(info, blocklist, tuple(sorted(unique, key=lambda p: p.line)))


def _list_info(file: str, digest: str, document: _RawDocument, problems: list[Problem]) -> ListInfo:
    values: dict[str, str | None] = {}
    for name in ("id", "version", "owner"):
        text = document.meta.get(name)
        if name in document.meta and text is None:
            line = _line_of(1, document.meta_lines, name)
            problems.append(Problem(file, line, name, "must be a single value"))
        values[name] = text or None
    return ListInfo(
        file, digest, values["id"] or PurePath(file).stem, values["version"], values["owner"]
    )


def _line_of(line: int, where: FieldLines, field: str) -> int:
    if isinstance(where, Mapping):
        return int(where.get(field, line))
    return line + where.index(field) if field in where else line


def _composed_document(data: bytes, file: str) -> _RawDocument:
    problems: list[Problem] = []
    empty = _RawDocument({}, {}, 1, [], problems)
    try:
        root = yaml.compose(data, Loader=_loader_for(data))
    except yaml.YAMLError as exc:
        line, message = _yaml_error(exc, data)
        problems.append(Problem(file, line, "yaml", message))
        return empty
    except RecursionError:
        problems.append(Problem(file, 1, "yaml", "nested too deeply to be a blocklist"))
        return empty
    if not isinstance(root, yaml.MappingNode):
        line = root.start_mark.line + 1 if root is not None else 1
        problems.append(
            Problem(
                file, line, "entries", "missing: the file must be a mapping with an entries: list"
            )
        )
        return empty
    meta, lines = _mapping(root, file, problems)
    entries = _value_node(root, "entries")
    if entries is None:
        problems.append(Problem(file, 1, "entries", "is required (entries: [] for none)"))
        return _RawDocument(meta, lines, 1, [], problems)
    return _RawDocument(meta, lines, lines["entries"], _items(entries, file, problems), problems)


def _loader_for(data: bytes) -> Any:
    longest = max(map(len, data.splitlines()), default=0)
    depth_bound = 2 * longest + data.count(b"[") + data.count(b"{") + 2
    if depth_bound <= _C_COMPOSER_MAX_DEPTH and hasattr(yaml, "CSafeLoader"):
        return yaml.CSafeLoader
    return yaml.SafeLoader


def _yaml_error(exc: yaml.YAMLError, data: bytes) -> tuple[int, str]:
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        message = ", ".join(filter(None, [exc.context, exc.problem])) or "not valid YAML"
        if mark is None:
            return 1, message
        return mark.line + 1, f"{message} (column {mark.column + 1})"
    if isinstance(exc, yaml.reader.ReaderError):
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as bad:  # the position counts bytes
            return data[: bad.start].count(b"\n") + 1, f"not UTF-8 text ({bad.reason})"
        line = text[: exc.position].count("\n") + 1
        return line, f"character {chr(exc.character)!r} is not allowed in YAML"
    return 1, str(exc)


def _items(node: yaml.Node, file: str, problems: list[Problem]) -> list[RawItem]:
    if isinstance(node, yaml.ScalarNode) and node.tag == _NULL_TAG:
        return []
    if not isinstance(node, yaml.SequenceNode):
        problems.append(Problem(file, node.start_mark.line + 1, "entries", "must be a list"))
        return []
    items: list[RawItem] = []
    for item in node.value:
        line = item.start_mark.line + 1
        if isinstance(item, yaml.MappingNode):
            fields, lines = _mapping(item, file, problems)
            items.append((line, fields, lines))
        else:
            problems.append(
                Problem(file, line, "entries", "each entry must be a mapping (domain: ...)")
            )
    return items


def _mapping(
    node: yaml.MappingNode, file: str, problems: list[Problem], merge: bool = True
) -> tuple[Fields, dict[str, int]]:
    """The scalar text of each key's value (``None`` for a list or mapping), and its line.

    YAML merge keys (``<<: *defaults``) fill the fields an entry does not set itself; merges
    inside merged mappings are not followed, so a small hostile file cannot fan out.
    """
    fields: dict[str, str | None] = {}
    lines: dict[str, int] = {}
    merged: list[yaml.MappingNode] = []
    for key, value in node.value:
        line = key.start_mark.line + 1
        if not isinstance(key, yaml.ScalarNode):
            problems.append(Problem(file, line, "key", "must be a plain name"))
            continue
        if key.tag == _MERGE_TAG:
            merged += _merge_sources(value) if merge else []
            continue
        if key.value in fields:
            message = f"repeated; line {lines[key.value]} sets it too"
            problems.append(Problem(file, line, key.value, message))
            continue
        fields[key.value] = _text(value)
        lines[key.value] = line
    for source in merged:
        extra, extra_lines = _mapping(source, file, problems, merge=False)
        for name, text in extra.items():
            if name not in fields:
                fields[name], lines[name] = text, extra_lines[name]
    return fields, lines


def _merge_sources(value: yaml.Node) -> list[yaml.MappingNode]:
    if isinstance(value, yaml.MappingNode):
        return [value]
    if isinstance(value, yaml.SequenceNode):
        return [v for v in value.value if isinstance(v, yaml.MappingNode)]
    return []


def _value_node(node: yaml.MappingNode, name: str) -> yaml.Node | None:
    for key, value in node.value:
        if isinstance(key, yaml.ScalarNode) and key.value == name and isinstance(value, yaml.Node):
            return value
    return None


def _text(node: yaml.Node) -> str | None:
    if not isinstance(node, yaml.ScalarNode):
        return None
    return "" if node.tag == _NULL_TAG else str(node.value)
