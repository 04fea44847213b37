"""The shared log reader: every record in order, chain re-checked, a clear stop at a bad line."""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from crawler.errors import HeedError
from crawler.log.chain import DecisionLog
from crawler.log.read import BadLine, iter_log_files, read_log, read_logs
from crawler.log.seal import Sealer, log_origin
from tests.crawler.log.test_provenance import _edit, lines


def write_log(path: Path, n: int = 5) -> Path:
    log = DecisionLog(path, fsync_every=0, fsync_seconds=3600)
    log.write_header(
        {"run_id": "test-run", "product_token": "HeedTestBot", "user_agent": "HeedTestBot/1"}
    )
    for i in range(n):
        log.write(
            {
                "url": f"http://127.0.0.1/{i}",
                "stage": "request",
                "decision": "allow",
                "check": "robots",
                "reason": "robots.no_rule",
                "evidence": {"robots": {"rule": "no rule matched", "note": 'é "q" | ,'}},
            }
        )
    Sealer(log, log_origin("test-run")).close("finished", {"allow": n})
    log.close()
    return path


def test_real_crawl_log_reads_back_record_for_record(demo_crawl) -> None:
    assert list(read_log(demo_crawl.log_path)) == demo_crawl.records
    assert list(read_log(demo_crawl.log_path, seals=True)) == demo_crawl.written


def test_several_logs_read_in_turn_each_record_with_its_file(tmp_path: Path) -> None:
    first, second = write_log(tmp_path / "a.jsonl", 2), write_log(tmp_path / "b.jsonl", 3)
    read = [(path.name, record["seq"]) for path, record in read_logs([first, second])]
    assert read == [("a.jsonl", s) for s in range(3)] + [("b.jsonl", s) for s in range(4)]


TAMPERING: dict[str, tuple[Callable[[Path], object], int, str]] = {
    "edited": (lambda p: _edit(p, 3, {"decision": "deny"}), 4, "was edited"),
    "evidence-edited": (
        lambda p: p.write_text("".join(lines(p)).replace("no rule matched", "Allow: /", 1)),
        2,
        "was edited",
    ),
    "removed": (lambda p: p.write_text("".join(lines(p)[:2] + lines(p)[3:])), 3, "missing"),
    "truncated": (lambda p: p.write_text("".join(lines(p))[:-10]), 7, "truncated last line"),
    "garbage": (lambda p: p.write_text("".join(lines(p)[:3]) + "{not json\n"), 4, "not valid JSON"),
    "array": (lambda p: p.write_text("".join(lines(p)[:3]) + "[1, 2]\n"), 4, "not a JSON object"),
}


@pytest.mark.parametrize(("tamper", "line", "problem"), TAMPERING.values(), ids=TAMPERING.keys())
def test_reading_stops_at_the_first_bad_line_and_names_it(tmp_path, tamper, line, problem) -> None:
    path = write_log(tmp_path / "log.jsonl")
    tamper(path)
    seen = []
    with pytest.raises(BadLine) as caught:
        for record in read_log(path):
            seen.append(record)
    assert (caught.value.line, caught.value.path) == (line, path)
    assert problem in caught.value.problem
    assert str(caught.value).startswith(f"{path}:{line}: ")
    assert len(seen) == line - 1  # nothing past the bad line, nothing unverified
    assert isinstance(caught.value, HeedError)  # printed by the CLI without a traceback


FOREIGN: dict[str, tuple[bytes, str]] = {
    "csv": (
        b"url,decision\nhttp://x/,allow\n",
        "not a Heed decision log: the first line is not JSON",
    ),
    "json-array": (b'[{"seq": 0}]\n', "not a Heed decision log: the first line is not a JSON"),
    "other-jsonl": (b'{"event": "click"}\n{"event": "view"}\n', "not a Heed run header"),
    "gzip": (gzip.compress(b'{"stage":"run"}\n'), "not a Heed decision log"),
    "no-newline": (b"hello", "not a Heed decision log: no complete first line"),
    "empty": (b"", "empty file: not a Heed decision log"),
    "future-format": (
        b'{"format":"heed-decision-log/9","stage":"run","seq":0}\n',
        "log format 'heed-decision-log/9' is not supported",
    ),
}


@pytest.mark.parametrize(("content", "problem"), FOREIGN.values(), ids=FOREIGN.keys())
def test_foreign_file_is_named_for_what_it_is(tmp_path: Path, content: bytes, problem: str) -> None:
    path = tmp_path / "file.jsonl"
    path.write_bytes(content)
    with pytest.raises(BadLine, match=problem) as caught:
        list(read_log(path))
    assert caught.value.line == 1


def test_unreadable_path_is_named_without_a_line(tmp_path: Path) -> None:
    with pytest.raises(BadLine) as caught:
        list(read_log(tmp_path / "absent.jsonl"))
    assert (
        str(caught.value) == f"{tmp_path / 'absent.jsonl'}: cannot read: No such file or directory"
    )


def test_line_rewritten_with_equal_content_is_not_canonical_and_fails(tmp_path: Path) -> None:
    """Same content, other spelling: one record must have one form, or two readers could see
    two records (duplicate keys) behind one hash."""
    path = write_log(tmp_path / "log.jsonl")
    content = lines(path)
    content[2] = json.dumps(json.loads(content[2]), indent=None) + "\n"  # spaces after : and ,
    assert content[2] != lines(path)[2]
    path.write_text("".join(content), encoding="utf-8")
    with pytest.raises(BadLine, match="not in canonical form"):
        list(read_log(path))


def test_folders_expand_to_their_logs_recursively_in_name_order(tmp_path: Path) -> None:
    write_log(tmp_path / "runs" / "b.jsonl")
    write_log(tmp_path / "runs" / "2025" / "a.jsonl")
    (tmp_path / "runs" / "notes.txt").write_text("not a log")
    single = write_log(tmp_path / "single.log")
    found = list(iter_log_files([tmp_path / "runs", single]))
    assert found == [tmp_path / "runs" / "2025" / "a.jsonl", tmp_path / "runs" / "b.jsonl", single]
