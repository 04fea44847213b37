"""Records as table rows: dotted columns, a stable order, filters and time bounds."""

from __future__ import annotations

import pyarrow as pa
import pytest

from crawler.log.export.table import RecordFilter, column_order, flatten, parse_time_bound


def test_nested_evidence_becomes_dotted_columns_and_containers_stay_whole() -> None:
    record = {"seq": 3, "evidence": {"robots": {"rule": "Disallow: /", "group": ["*"]}, "gate": {}}}
    assert flatten(record, log="a.jsonl") == {
        "log": "a.jsonl",
        "seq": 3,
        "evidence.robots.rule": "Disallow: /",
        "evidence.robots.group": ["*"],
        "evidence.gate": {},
    }
    as_text = flatten(record, containers_as_json=True)
    assert as_text["evidence.robots.group"] == '["*"]' and as_text["evidence.gate"] == "{}"


def test_columns_sort_usual_first_evidence_next_chain_last() -> None:
    names = ["hash", "user_agent", "evidence.robots.rule", "reason", "prev", "seq", "evidence.a"]
    assert sorted(names, key=column_order) == [
        "seq", "reason", "evidence.a", "evidence.robots.rule", "user_agent", "prev", "hash",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("text", "bound"),
    [
        ("2025-06-01", "2025-06-01T00:00:00.000000Z"),
        ("2025-06-01T12:30", "2025-06-01T12:30:00.000000Z"),
        ("2025-06-01T12:30:05Z", "2025-06-01T12:30:05.000000Z"),
        ("2025-06-01T14:30:05+02:00", "2025-06-01T12:30:05.000000Z"),
        ("2025-06-01T12:30:05.25", "2025-06-01T12:30:05.250000Z"),
    ],
    ids=["date", "minutes", "zulu", "offset", "fraction"],
)
def test_time_bounds_become_the_writer_form(text: str, bound: str) -> None:
    assert parse_time_bound(text) == bound


def test_filter_combines_decision_checks_and_half_open_window() -> None:
    keep = RecordFilter(
        decision="deny",
        checks=frozenset({"robots"}),
        since="2025-06-01T00:00:00.000000Z",
        until="2025-06-02T00:00:00.000000Z",
    )
    base = {
        "stage": "request",
        "decision": "deny",
        "check": "robots",
        "ts": "2025-06-01T00:00:00.000000Z",
    }
    rows = [
        base,
        {**base, "ts": "2025-06-02T00:00:00.000000Z"},
        {**base, "decision": "allow"},
        {**base, "check": "tdmrep"},
        {"stage": "run", "ts": base["ts"]},
    ]
    table = pa.Table.from_pylist(rows)
    assert keep.mask(table).to_pylist() == [True, False, False, False, False]
    assert RecordFilter().mask(table).to_pylist() == [True] * 5
    header_only = pa.Table.from_pylist([{"stage": "run", "ts": base["ts"]}])
    assert keep.mask(header_only).to_pylist() == [False]
