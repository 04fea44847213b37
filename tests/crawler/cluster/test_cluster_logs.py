"""``heed log verify`` reads a cluster's logs together: workers of one crawl must agree."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from crawler.cli import main
from crawler.log.chain import DecisionLog
from crawler.log.seal import Sealer, log_origin


def worker_log(path: Path, crawl: str, lists_sha: str, token: str = "HeedBot") -> Path:
    log = DecisionLog(path)
    log.write_header(
        {
            "run_id": path.stem,
            "product_token": token,
            "blocklists": {"sha256": lists_sha, "entries": 3, "lists": []},
            "cluster": {"crawl": crawl, "worker": path.stem},
        }
    )
    log.write({"url": "http://127.0.0.1/", "stage": "request", "decision": "allow"})
    Sealer(log, log_origin(path.stem)).close("finished", {"allow": 1})
    log.close()
    return path


def verify(*paths: Path, capsys: Any) -> tuple[int, str]:
    code = main(["log", "verify", *map(str, paths)])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def test_workers_of_one_crawl_with_the_same_blocklists_verify(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    logs = [worker_log(tmp_path / f"w{n}.jsonl", "crawl-1", "a" * 64) for n in range(3)]
    code, out = verify(*logs, capsys=capsys)
    assert code == 0, out
    assert "disagree" not in out


def test_a_blocklist_digest_mismatch_between_workers_of_one_crawl_fails_verify(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    same = worker_log(tmp_path / "w0.jsonl", "crawl-1", "a" * 64)
    also = worker_log(tmp_path / "w1.jsonl", "crawl-1", "a" * 64)
    odd = worker_log(tmp_path / "w2.jsonl", "crawl-1", "b" * 64)
    code, out = verify(same, also, odd, capsys=capsys)
    assert code == 1
    line = next(line for line in out.splitlines() if "disagree" in line)
    assert "crawl crawl-1: its workers disagree on blocklists" in line
    assert f"sha256 {'b' * 64} in {odd}" in line
    assert f"sha256 {'a' * 64} in {same}, {also}" in line


def test_a_product_token_mismatch_between_workers_fails_verify(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    one = worker_log(tmp_path / "w0.jsonl", "crawl-1", "a" * 64, token="HeedBot")
    two = worker_log(tmp_path / "w1.jsonl", "crawl-1", "a" * 64, token="OtherBot")
    code, out = verify(one, two, capsys=capsys)
    assert code == 1 and "disagree on product_token" in out


def test_different_crawls_may_use_different_blocklists(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = worker_log(tmp_path / "w0.jsonl", "crawl-1", "a" * 64)
    later = worker_log(tmp_path / "w1.jsonl", "crawl-2", "b" * 64)
    assert verify(first, later, capsys=capsys)[0] == 0
