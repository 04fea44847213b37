"""``heed log export``: every record of real crawl logs, flattened, typed, filtered."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from crawler.cli import main
from crawler.log.chain import DecisionLog
from crawler.log.export.table import flatten
from tests.crawler.log.test_logread import write_log


def export(tmp_path: Path, logs: list[Path], fmt: str, *options: str) -> list[dict[str, Any]]:
    """Run the command and read its output back as rows (``None`` for empty cells)."""
    out = tmp_path / f"out.{fmt}"
    assert main(["log", "export", *map(str, logs), "-o", str(out), *options]) == 0
    if fmt == "parquet":
        return pq.read_table(out).to_pylist()
    if fmt == "jsonl":
        return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    with out.open(newline="", encoding="utf-8") as handle:
        return [{k: v or None for k, v in row.items()} for row in csv.DictReader(handle)]


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet"])
def test_every_record_of_a_real_crawl_is_exported(tmp_path, demo_crawl, fmt) -> None:
    rows = export(tmp_path, [demo_crawl.log_path], fmt)
    records = demo_crawl.records
    assert [int(r["seq"]) for r in rows] == [r["seq"] for r in records]
    assert [r["hash"] for r in rows] == [r["hash"] for r in records]
    assert {r["log"] for r in rows} == {str(demo_crawl.log_path)}


def test_jsonl_rows_are_the_records_as_written_with_their_log(tmp_path, demo_crawl) -> None:
    rows = export(tmp_path, [demo_crawl.log_path], "jsonl")
    assert rows == [{"log": str(demo_crawl.log_path), **r} for r in demo_crawl.records]


def test_evidence_becomes_readable_columns(tmp_path, demo_crawl) -> None:
    rows = export(tmp_path, [demo_crawl.log_path], "csv")
    deny = next(r for r in demo_crawl.records if r.get("reason") == "robots.disallow")
    row = next(r for r in rows if int(r["seq"]) == deny["seq"])
    robots = deny["evidence"]["robots"]
    assert row["evidence.robots.rule"] == robots["rule"]
    assert int(row["evidence.robots.rule_line"]) == robots["rule_line"]
    assert row["evidence.robots.doc_url"] == robots["doc_url"]
    assert row["evidence.robots.group"] == json.dumps(robots["group"])  # a list stays whole
    assert row["decision"] == "deny" and row["reason"] == "robots.disallow"


def test_parquet_columns_are_typed(tmp_path, demo_crawl) -> None:
    export(tmp_path, [demo_crawl.log_path], "parquet")
    schema = pq.read_schema(tmp_path / "out.parquet")
    assert schema.field("seq").type == pa.int64()
    assert schema.field("ts").type == pa.timestamp("us", tz="UTC")
    assert schema.field("started_at").type == pa.timestamp("us", tz="UTC")
    assert schema.field("evidence.robots.doc_fetched_at").type == pa.timestamp("us", tz="UTC")
    assert schema.field("status").type == pa.int64()
    assert schema.field("bytes").type == pa.int64()
    assert schema.field("evidence.robots.rule_line").type == pa.int64()
    assert schema.field("decision").type == pa.string()
    assert schema.names[:4] == ["log", "seq", "ts", "stage"]
    assert schema.names[-2:] == ["prev", "hash"]


@pytest.mark.parametrize(
    ("options", "keeps"),
    [
        (["--decision", "deny"], lambda r: r.get("decision") == "deny"),
        (
            ["--decision", "allow", "--check", "robots"],
            lambda r: r.get("decision") == "allow" and r.get("check") == "robots",
        ),
        (
            ["--check", "access", "--check", "paywall"],
            lambda r: r.get("check") in ("access", "paywall"),
        ),
        (
            ["--reason", "robots.disallow", "--reason", "robots.unreachable"],
            lambda r: r.get("reason") in ("robots.disallow", "robots.unreachable"),
        ),
    ],
    ids=["deny", "allowed-by-robots", "two-checks", "two-reasons"],
)
def test_filters_keep_exactly_the_matching_records(tmp_path, demo_crawl, options, keeps) -> None:
    rows = export(tmp_path, [demo_crawl.log_path], "jsonl", *options)
    wanted = [r["seq"] for r in demo_crawl.records if keeps(r)]  # a run header has no decision
    assert [r["seq"] for r in rows] == wanted and wanted


def test_time_window_is_since_inclusive_until_exclusive(tmp_path, demo_crawl) -> None:
    stamps = sorted({r["ts"] for r in demo_crawl.records})
    since, until = stamps[2], stamps[-2]
    rows = export(tmp_path, [demo_crawl.log_path], "jsonl", "--since", since, "--until", until)
    assert [r["ts"] for r in rows] == [
        r["ts"] for r in demo_crawl.records if since <= r["ts"] < until
    ]
    day = since[:10]
    rows = export(
        tmp_path,
        [demo_crawl.log_path],
        "jsonl",
        "--since",
        day,
        "--until",
        f"{day}T23:59:59.999999+00:00",
    )
    assert len(rows) == sum(r["ts"].startswith(day) for r in demo_crawl.records)


def test_several_logs_export_together_each_row_naming_its_log(tmp_path, demo_crawl) -> None:
    copy = tmp_path / "worker-2.jsonl"
    shutil.copy(demo_crawl.log_path, copy)
    rows = export(tmp_path, [demo_crawl.log_path, copy], "parquet")
    n = len(demo_crawl.records)
    assert [r["log"] for r in rows] == [str(demo_crawl.log_path)] * n + [str(copy)] * n


def _synthetic(path: Path, n: int) -> Path:
    """Columns that appear late and values whose kind changes between spool chunks."""
    log = DecisionLog(path, fsync_every=0, fsync_seconds=3600)
    log.write_header({"product_token": "HeedTestBot"})
    for i in range(n):
        evidence: dict[str, Any] = {"x": {"size": i if i < n - 5 else f"{i} bytes"}}
        if i == n - 1:
            evidence["late"] = {"flag": True, "big": 2**70, "ratio": 0.5, "list": [1, "a"]}
        log.write({"url": f"http://127.0.0.1/{i}", "stage": "request", "decision": "allow",
                   "check": "x", "reason": "x.ok", "evidence": evidence})  # fmt: skip
    log.close()
    return path


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_columns_found_late_and_mixed_kinds_survive_the_spool(tmp_path, fmt) -> None:
    n = 20000  # more than two spool chunks
    rows = export(tmp_path, [_synthetic(tmp_path / "log.jsonl", n)], fmt)
    assert len(rows) == n + 1
    assert [str(r["evidence.x.size"]) for r in rows[1:4]] == ["0", "1", "2"]
    assert rows[-1]["evidence.x.size"] == f"{n - 1} bytes"
    last = rows[-1]
    assert str(last["evidence.late.flag"]).lower() == "true"
    assert last["evidence.late.big"] == str(2**70)
    assert float(last["evidence.late.ratio"]) == 0.5
    assert json.loads(last["evidence.late.list"]) == [1, "a"]
    assert rows[-2]["evidence.late.flag"] is None


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # Arrow's CSV writer spells 60.0 as 60
    return str(value)


def test_csv_cells_are_the_flattened_records_exactly(tmp_path, demo_crawl) -> None:
    out = tmp_path / "out.csv"
    assert main(["log", "export", str(demo_crawl.log_path), "-o", str(out)]) == 0
    with out.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    for row, record in zip(rows, demo_crawl.records, strict=True):
        flat = flatten(record, log=str(demo_crawl.log_path), containers_as_json=True)
        assert {k: v for k, v in row.items() if v} == {
            k: _as_text(v) for k, v in flat.items() if v is not None
        }


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_a_check_or_reason_no_record_has_is_an_error_listing_the_known_ones(
    tmp_path, demo_crawl, capsys, fmt
) -> None:
    out = tmp_path / f"out.{fmt}"
    for option, typo, known in (
        ("--check", "robot", "access, ai-txt, content-signal,"),
        ("--reason", "robots.disallowed", "robots.allow, robots.disallow, robots.no_rule"),
    ):
        code = main(["log", "export", str(demo_crawl.log_path), option, typo, "-o", str(out)])
        assert code == 2
        err = capsys.readouterr().err
        column = option.lstrip("-")
        assert f"heed: error: {option} {typo}: no record in these logs has that {column}" in err
        assert f"the {column}s they have: " in err and known in err
        assert not out.exists()


def test_parquet_row_groups_hold_64k_rows_or_the_whole_file(tmp_path) -> None:
    small = [tmp_path / f"small{i}.jsonl" for i in range(10)]
    for path in small:
        write_log(path, 2)
    export(tmp_path, small, "parquet")
    assert pq.ParquetFile(tmp_path / "out.parquet").metadata.num_row_groups == 1
    big = write_log(tmp_path / "big.jsonl", 70_000)
    export(tmp_path, [big, *small], "parquet")
    meta = pq.ParquetFile(tmp_path / "out.parquet").metadata
    rows = [meta.row_group(i).num_rows for i in range(meta.num_row_groups)]
    assert rows == [65_536, 70_001 + 30 - 65_536]
