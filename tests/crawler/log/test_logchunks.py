"""The chunked reader of the export: the same records, the same problems, as the log reader."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.log.chain import DecisionLog
from crawler.log.export import chunks as logchunks
from crawler.log.export.chunks import read_chunks
from crawler.log.read import BadLine, read_log
from tests.crawler.log.test_logread import FOREIGN, TAMPERING, write_log


def test_chunks_hold_every_record_of_a_real_crawl_in_order(demo_crawl) -> None:
    chunks = list(read_chunks([demo_crawl.log_path]))
    assert [len(c.lines) for c in chunks][0] == 1  # the run header comes on its own
    seqs = [s for c in chunks for s in c.table.column("seq").to_pylist()]
    assert seqs == [r["seq"] for r in demo_crawl.written]
    assert b"".join(line for c in chunks for line in c.lines) == demo_crawl.log_path.read_bytes()


def _mixed_log(path: Path, odd: set[int]) -> Path:
    """Records whose evidence value is a number, except at ``odd`` where it is text."""
    log = DecisionLog(path, fsync_every=0, fsync_seconds=3600)
    log.write_header({"product_token": "HeedTestBot"})
    for i in range(1000):
        value = f"{i}" if i in odd else i
        evidence = {"x": {"value": value}}
        log.write({"url": f"http://127.0.0.1/{i}", "stage": "request", "evidence": evidence})
    log.close()
    return path


@pytest.mark.parametrize(("odd", "most_careful"), [(set(), 0), ({500}, 16), ({3, 700}, 32)])
def test_only_lines_arrow_cannot_type_are_read_record_by_record(
    tmp_path, monkeypatch, odd, most_careful
) -> None:
    carefully: list[int] = []
    original = logchunks.records_table

    def counting(records):
        carefully.extend(r["seq"] for r in records if r["stage"] != "run")
        return original(records)

    monkeypatch.setattr(logchunks, "records_table", counting)
    chunks = list(read_chunks([_mixed_log(tmp_path / "log.jsonl", odd)]))
    assert sum(c.table.num_rows for c in chunks) == 1001
    assert len(carefully) <= most_careful
    assert {i + 1 for i in odd} <= set(carefully)
    values = [v for c in chunks if "evidence.x.value" in c.table.column_names
              for v in c.table.column("evidence.x.value").to_pylist()]  # fmt: skip
    assert [str(v) for v in values] == [str(i) for i in range(1000)]


def test_records_spanning_several_chunks_are_chained_across_them(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(logchunks, "CHUNK_LINES", 3)
    path = write_log(tmp_path / "log.jsonl", 10)
    chunks = list(read_chunks([path]))
    assert [len(c.lines) for c in chunks] == [1, 2, 3, 3, 3]  # 10 decisions and the close
    content = path.read_text().splitlines(keepends=True)
    path.write_text("".join(content[:5] + content[6:]))  # a record gone from the middle
    with pytest.raises(BadLine, match="missing or reordered") as caught:
        list(read_chunks([path]))
    assert caught.value.line == 6


@pytest.mark.parametrize(("tamper", "line", "problem"), TAMPERING.values(), ids=TAMPERING.keys())
def test_tampering_is_named_as_the_log_reader_names_it(tmp_path, tamper, line, problem) -> None:
    path = write_log(tmp_path / "log.jsonl")
    tamper(path)
    with pytest.raises(BadLine) as by_chunks:
        list(read_chunks([path]))
    with pytest.raises(BadLine) as by_records:
        list(read_log(path))
    assert str(by_chunks.value) == str(by_records.value)
    assert by_chunks.value.line == line and problem in by_chunks.value.problem


@pytest.mark.parametrize(("content", "problem"), FOREIGN.values(), ids=FOREIGN.keys())
def test_foreign_files_are_named_as_the_log_reader_names_them(tmp_path, content, problem) -> None:
    path = tmp_path / "file.jsonl"
    path.write_bytes(content)
    with pytest.raises(BadLine, match=problem):
        list(read_chunks([path]))


def test_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(BadLine, match="cannot read"):
        list(read_chunks([tmp_path / "absent.jsonl"]))
