"""Decision records as table rows: flat, readable column names and a stable column order.

Nested objects become dotted columns (``evidence.robots.rule``), so a reviewer reads a
spreadsheet, not JSON; lists and empty objects stay JSON text in one cell, so nothing is lost.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from crawler.domains import url_domain
from crawler.log.read import SEAL_STAGES

# The columns every reviewer looks for first, then evidence, then run-header facts, then the
# chain: the order of a CSV header and of a Parquet schema.
FIRST_COLUMNS = (
    "log",
    "seq",
    "ts",
    "stage",
    "url",
    "decision",
    "check",
    "reason",
    "status",
    "content_type",
    "bytes",
    "request_seq",
    "cached",
)
LAST_COLUMNS = ("prev", "hash")
_FIRST = {name: i for i, name in enumerate(FIRST_COLUMNS)}
_LAST = {name: i for i, name in enumerate(LAST_COLUMNS)}

# The writer's timestamp form (crawler.log.chain.utc_now); fixed width, so text order is
# time order.
TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z")


# One encoder for every cell: ``json.dumps`` with options builds a new encoder per call.
JSON_TEXT = json.JSONEncoder(ensure_ascii=False, sort_keys=True)


def flatten(
    record: Mapping[str, Any], log: str | None = None, containers_as_json: bool = False
) -> dict[str, Any]:
    """``{"evidence": {"robots": {"rule": …}}}`` → ``{"evidence.robots.rule": …}``, with the
    ``log`` column first when given. Lists and empty objects stay whole (as JSON text when
    ``containers_as_json``, for one-value cells), so that nothing is lost."""
    flat: dict[str, Any] = {} if log is None else {"log": log}
    _flatten_into(flat, record, "", containers_as_json)
    return flat


def _flatten_into(flat: dict[str, Any], record: Mapping[str, Any], prefix: str, text: bool) -> None:
    for key, value in record.items():
        kind = type(value)
        if kind is dict and value:
            _flatten_into(flat, value, prefix + key + ".", text)
        elif text and (kind is list or kind is dict):
            flat[prefix + key] = JSON_TEXT.encode(value)
        else:
            flat[prefix + key] = value


def column_order(name: str) -> tuple[int, int, str]:
    """Sort key: the usual columns first, evidence next, other facts, the chain last."""
    if name in _FIRST:
        return (0, _FIRST[name], "")
    if name in _LAST:
        return (3, _LAST[name], "")
    return (1 if name.startswith("evidence.") else 2, 0, name)


def is_time_column(name: str) -> bool:
    """Columns that hold the writer's timestamps (``ts``, ``started_at``, ``…fetched_at``)."""
    return name == "ts" or name.endswith("_at")


@dataclass(frozen=True)
class RecordFilter:
    """Which records an export keeps; ``None`` keeps all. ``since`` is inclusive and
    ``until`` exclusive, both in the writer's timestamp form, so that they compare as text."""

    decision: str | None = None
    checks: frozenset[str] | None = None
    reasons: frozenset[str] | None = None
    since: str | None = None
    until: str | None = None
    # A registrable domain (crawler.domains): records of its URLs, subdomains included.
    domain: str | None = None

    def mask(self, table: pa.Table) -> pa.Array:
        """True for the rows of ``table`` to keep. A run header has no decision or check: it
        is kept only when those are not filtered. Checkpoint and closing records are never
        kept: they seal the log (``heed log verify``), they are not decisions."""
        seals = pa.array(sorted(SEAL_STAGES), pa.string())
        keep = pc.invert(pc.fill_null(pc.is_in(_text(table, "stage"), value_set=seals), False))
        if self.decision is not None:
            keep = pc.and_kleene(keep, pc.equal(_text(table, "decision"), self.decision))
        for column, names in (("check", self.checks), ("reason", self.reasons)):
            if names is not None:
                wanted = pa.array(sorted(names), pa.string())
                keep = pc.and_kleene(keep, pc.is_in(_text(table, column), value_set=wanted))
        if self.since is not None:
            keep = pc.and_kleene(keep, pc.greater_equal(_text(table, "ts"), self.since))
        if self.until is not None:
            keep = pc.and_kleene(keep, pc.less(_text(table, "ts"), self.until))
        if self.domain is not None:
            urls = _text(table, "url").to_pylist()
            ours = [url is not None and url_domain(url) == self.domain for url in urls]
            keep = pc.and_kleene(keep, pa.array(ours, pa.bool_()))
        return pc.fill_null(keep, False)


class NameCheck:
    """Collects the check and reason names the logs hold, so that a filter naming one no
    record has (a typo: ``robot`` for ``robots``) is an error listing the real ones, not an
    empty export."""

    def __init__(self) -> None:
        self.seen: dict[str, set[str]] = {"check": set(), "reason": set()}

    def add(self, table: pa.Table) -> None:
        for column, names in self.seen.items():
            if column in table.column_names:
                names.update(v for v in pc.unique(_text(table, column)).to_pylist() if v)

    def unknown(self, keep: RecordFilter) -> str | None:
        """What is wrong with ``keep``'s names, or ``None`` when every one occurs."""
        for column, option, wanted in (
            ("check", "--check", keep.checks),
            ("reason", "--reason", keep.reasons),
        ):
            missing = sorted((wanted or set()) - self.seen[column])
            if missing:
                known = ", ".join(sorted(self.seen[column])) or "none"
                return (
                    f"{option} {', '.join(missing)}: no record in these logs has that "
                    f"{column}; the {column}s they have: {known}"
                )
        return None


def _text(table: pa.Table, name: str) -> pa.ChunkedArray | pa.Array:
    if name not in table.column_names:
        return pa.nulls(table.num_rows, pa.string())
    return table.column(name).cast(pa.string())


def parse_time_bound(text: str) -> str:
    """An ISO 8601 date or time (UTC unless it says otherwise) in the writer's form."""
    try:
        when = datetime.fromisoformat(text.strip())
    except ValueError as exc:
        raise ValueError(
            f"{text!r} is not an ISO 8601 date or time (e.g. 2025-06-01 or 2025-06-01T12:00Z)"
        ) from exc
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
