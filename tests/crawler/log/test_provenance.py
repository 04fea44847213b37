"""The decision log: canonical, chained, written before anything proceeds, and verifiable."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from crawler.errors import LogWriteError
from crawler.log.chain import GENESIS, DecisionLog, canonical_json, chained_line, record_hash
from crawler.log.seal import Sealer, log_origin
from crawler.log.verify import verify_log


def write_log(path: Path, n: int = 5) -> Path:
    log = DecisionLog(path, fsync_every=2)
    log.write_header({"run_id": "test-run", "product_token": "HeedTestBot"})
    for i in range(n):
        log.write({"url": f"http://127.0.0.1/{i}", "stage": "request", "decision": "allow"})
    Sealer(log, log_origin("test-run")).close("finished", {"allow": n})
    log.close()
    return path


def lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines(keepends=True)


def test_records_are_chained_canonical_json_in_seq_order(tmp_path: Path) -> None:
    path = write_log(tmp_path / "log.jsonl")
    records = [json.loads(line) for line in lines(path)]
    assert records[0]["stage"] == "run" and records[0]["prev"] == GENESIS
    assert [r["seq"] for r in records] == list(range(7))
    for before, after in zip(records, records[1:], strict=False):
        assert after["prev"] == before["hash"]
    for line, record in zip(lines(path), records, strict=True):
        assert line == canonical_json(record) + "\n"
        assert record["hash"] == record_hash(record)
    assert verify_log(path).ok


def test_any_record_is_written_canonical_with_its_hash_in_sorted_place(tmp_path: Path) -> None:
    log = DecisionLog(tmp_path / "log.jsonl")
    log.write_header({})
    log.write({"a": 1, "evidence": {"hash": "x", "z": ["é", {"prev": None}]}, "hz": "ü\n"})
    log.write({"zz": True})
    log.close()
    for line in lines(tmp_path / "log.jsonl"):
        record = json.loads(line)
        assert line == canonical_json(record) + "\n"
        assert record["hash"] == record_hash(record)


@pytest.mark.parametrize(
    "record",
    [{}, {"a": 1}, {"z": 1}, {"a": {"hash": "0" * 64}, "z": '"hash":"x"'}],
    ids=["empty", "hash-last", "hash-first", "hash-lookalikes"],
)
def test_chained_line_is_the_canonical_record_with_its_own_hash(record: dict) -> None:
    digest, line = chained_line(record)
    assert digest.hex() == record_hash(record)
    assert line == (canonical_json({**record, "hash": digest.hex()}) + "\n").encode()


def test_record_reaches_the_os_before_write_returns(tmp_path: Path) -> None:
    log = DecisionLog(tmp_path / "log.jsonl", fsync_every=0, fsync_seconds=3600)
    log.write_header({})
    log.write({"url": "http://127.0.0.1/a", "stage": "request"})
    # Read through another file handle while the writer is still open and unsynced.
    assert len(lines(tmp_path / "log.jsonl")) == 2
    log.close()


def test_existing_log_is_never_appended_to(tmp_path: Path) -> None:
    path = write_log(tmp_path / "log.jsonl")
    with pytest.raises(LogWriteError, match="does not exist yet"):
        DecisionLog(path)


def test_unwritable_location_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(LogWriteError, match="cannot create the decision log"):
        DecisionLog(blocker / "log.jsonl")


def test_write_failure_fails_every_later_write(tmp_path: Path) -> None:
    log = DecisionLog(tmp_path / "log.jsonl")
    log.write_header({})
    os.close(log._fd)  # the disk goes away under the writer
    with pytest.raises(LogWriteError):
        log.write({"url": "x"})
    assert log.failed
    with pytest.raises(LogWriteError):
        log.write({"url": "y"})
    log._fd = None


def _edit(path: Path, index: int, change: dict[str, object]) -> None:
    content = lines(path)
    record = json.loads(content[index])
    record.update(change)
    content[index] = canonical_json(record) + "\n"
    path.write_text("".join(content), encoding="utf-8")


@pytest.mark.parametrize(
    ("tamper", "line", "problem"),
    [
        (lambda p: _edit(p, 3, {"decision": "deny"}), 4, "edited"),
        (lambda p: p.write_text("".join(lines(p)[:2] + lines(p)[3:])), 3, "missing or reordered"),
        (
            lambda p: p.write_text(
                "".join([*lines(p)[:2], lines(p)[3], lines(p)[2], *lines(p)[4:]])
            ),
            3,
            "missing or reordered",
        ),
        (lambda p: p.write_text("".join(lines(p))[:-10]), 7, "truncated last line"),
        (lambda p: p.write_text("".join(lines(p)[:3]) + "{not json\n"), 4, "not valid JSON"),
        (lambda p: p.write_text("".join(lines(p)[1:])), 1, "not a Heed run header"),
    ],
    ids=["edited", "removed", "reordered", "truncated", "garbage", "header-dropped"],
)
def test_verify_names_line_and_problem_of_tampered_log(tmp_path, tamper, line, problem) -> None:
    path = write_log(tmp_path / "log.jsonl")
    tamper(path)
    result = verify_log(path)
    assert not result.ok
    assert result.line == line
    assert problem in (result.problem or "")


def test_verify_rejects_foreign_and_empty_files(tmp_path: Path) -> None:
    foreign = tmp_path / "foreign.jsonl"
    foreign.write_text('{"a": 1}\n')
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    assert "run header" in (verify_log(foreign).problem or "")
    assert "empty" in (verify_log(empty).problem or "")
    assert "cannot read" in (verify_log(tmp_path / "absent.jsonl").problem or "")
