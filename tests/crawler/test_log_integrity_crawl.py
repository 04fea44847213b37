"""Real crawls: the log is sealed, signed and linked, notices what happens to it, and a crawl
whose log fails exits non-zero."""

from __future__ import annotations

import json
import subprocess
import time

from crawler.cli import main
from crawler.log.seal import write_key_pair
from tests.crawler.checks.test_robots_gate import HTML, page, serve_pages
from tests.crawling import crawl_command, read_crawl


def site(make_server, pages: int = 10):  # type: ignore[no-untyped-def]
    server = make_server()
    server.expect_request("/robots.txt").respond_with_data("User-agent: *\nAllow: /\n")
    links = [f"/p{i}" for i in range(pages)]
    server.expect_request("/").respond_with_data(page(links), content_type=HTML)
    serve_pages(server, links)
    return server


def test_a_signed_crawl_verifies_with_its_key_and_checkpoint_file(make_server, crawl, tmp_path):
    server = site(make_server)
    write_key_pair(tmp_path / "signer")
    anchor = tmp_path / "checkpoints.jsonl"
    settings = {
        "HEED_LOG_SIGNING_KEY": str(tmp_path / "signer"),
        "HEED_CHECKPOINT_FILE": str(anchor),
        "HEED_CHECKPOINT_RECORDS": 5,
    }
    result = crawl([server.url_for("/")], settings=settings)
    assert result.returncode == 0, result.stderr[-3000:]
    stages = [r["stage"] for r in result.written]
    assert stages.count("checkpoint") >= 3 and stages[-1] == "close"
    pub, log = str(tmp_path / "signer.pub"), str(result.log_path)
    assert main(["log", "verify", "--key", pub, "--checkpoint", str(anchor), log]) == 0
    assert main(["evidence", "127.0.0.1", log, "-o", str(tmp_path / "ev")]) == 0
    proof = next((tmp_path / "ev/proofs").iterdir())
    assert main(["log", "verify-proof", str(proof), "--key", pub]) == 0


def test_deleting_the_log_mid_crawl_stops_the_crawl_with_a_non_zero_exit(make_server, tmp_path):
    server = site(make_server, pages=200)
    args, env = crawl_command(tmp_path, [server.url_for("/")], settings={"DOWNLOAD_DELAY": 0.05})
    proc = subprocess.Popen(
        args, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    log = tmp_path / "decisions.jsonl"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and (not log.exists() or log.read_bytes().count(b"\n") < 8):
        time.sleep(0.05)
    log.unlink()
    removed_at = len(server.log)
    stdout, stderr = proc.communicate(timeout=90)
    assert proc.returncode == 1, stderr[-3000:]
    assert "removed or renamed" in stderr
    # Noticed within the watch interval: 1 s at 20 requests a second, with margin.
    assert len(server.log) - removed_at < 60
    assert len(server.log) < 150


def test_a_full_disk_exits_non_zero_and_leaves_an_incomplete_log(make_server, crawl) -> None:
    server = site(make_server, pages=40)
    result = crawl([server.url_for("/")], file_size_limit=30_000)  # past the run header
    assert result.returncode == 1, result.stderr[-3000:]
    assert "heed: error:" in result.stderr
    assert main(["log", "verify", str(result.log_path)]) == 4


def test_two_identical_runs_share_a_digest_and_items_name_their_run(make_server, crawl) -> None:
    server = site(make_server, pages=3)
    first, second = crawl([server.url_for("/")]), crawl([server.url_for("/")])
    headers = [first.records[0], second.records[0]]
    assert headers[0]["settings_digest"] == headers[1]["settings_digest"]
    assert headers[0]["settings"] == headers[1]["settings"]
    assert headers[0]["settings"]["HEED_PRODUCT_TOKEN"] == "HeedTestBot"
    assert headers[0]["run_id"] != headers[1]["run_id"]
    by_seq = {r["seq"]: r for r in first.records}
    assert first.items
    for item in first.items:
        assert item["heed_run_id"] == headers[0]["run_id"]
        assert by_seq[item["heed_seq"]]["url"] == item["url"]


def test_a_changed_policy_setting_changes_the_digest(make_server, crawl) -> None:
    server = site(make_server, pages=1)
    first = crawl([server.url_for("/")])
    second = crawl([server.url_for("/")], settings={"HEED_ROBOTS_TTL": 60})
    assert first.records[0]["settings_digest"] != second.records[0]["settings_digest"]


def test_a_refused_start_leaves_no_log_file(make_server, crawl, tmp_path) -> None:
    server = site(make_server, pages=1)
    result = crawl([server.url_for("/")], settings={"HEED_BLOCKLISTS": ["missing.yaml"]})
    assert result.returncode == 2
    assert not result.log_path.exists()
    assert not list(result.log_path.parent.glob("*.jsonl"))


def test_an_unwritable_log_folder_still_refuses_the_start(make_server, crawl, tmp_path) -> None:
    server = site(make_server, pages=1)
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    result = crawl([server.url_for("/")], settings={"HEED_DECISION_LOG": str(blocker / "x")})
    assert result.returncode == 2
    assert "cannot create the decision log" in result.stderr
    assert len(server.log) == 0


def test_a_run_resumed_from_jobdir_names_the_run_before_it(make_server, tmp_path) -> None:
    server = site(make_server, pages=3)
    jobdir = tmp_path / "job"
    logs = []
    for name in ("one.jsonl", "two.jsonl"):
        args, env = crawl_command(
            tmp_path, [server.url_for("/")], settings={"JOBDIR": str(jobdir)}, log_name=name
        )
        proc = subprocess.run(args, cwd=tmp_path, env=env, capture_output=True, text=True)
        assert proc.returncode == 0, proc.stderr[-3000:]
        logs.append(read_crawl(tmp_path, proc.returncode, proc.stdout, proc.stderr, name))
    first, second = (result.written for result in logs)
    resumes = second[0]["resumes"]
    assert resumes["run_id"] == first[0]["run_id"]
    assert resumes["last_hash"] == first[-1]["hash"]
    assert resumes["last_seq"] == first[-1]["seq"]
    assert json.loads((jobdir / "heed-run.json").read_text())["run_id"] == second[0]["run_id"]
