"""Heed's progress line: plain log lines in a log file, a live line on a terminal."""

from __future__ import annotations

import json
import os
import pty
import select
import socket
import subprocess
import time
from collections import Counter
from pathlib import Path

from werkzeug import Request, Response

from crawler.crawl_status import read_progress
from tests.crawling import crawl_command

ROBOTS = "User-agent: *\nDisallow: /private/\n"


def slow_site(make_server, pages: int = 6):  # noqa: ANN001, ANN201
    """Pages /0 ... that link onward and to a disallowed page, each served in 0.3 s."""
    server = make_server()
    server.expect_request("/robots.txt").respond_with_data(ROBOTS, content_type="text/plain")

    def page(request: Request) -> Response:
        time.sleep(0.3)
        n = int(request.path.strip("/") or 0)
        links = f'<a href="/{n + 1}">next</a>' if n + 1 < pages else ""
        body = f'<p>page {n}</p>{links}<a href="/private/{n}">no</a>'
        return Response(body, content_type="text/html")

    for n in range(pages):
        server.expect_request(f"/{n}").respond_with_handler(page)
    return server


def dead_origin() -> str:
    with socket.socket() as sock:  # a port nothing listens on: robots.txt unreachable
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}/"


def test_progress_reads_the_heed_stats_and_names_the_top_reasons() -> None:
    stats = {
        "item_scraped_count": 120,
        "heed/deny/request": 14,
        "heed/deny/response": 3,
        "heed/deny/robots.disallow": 9,
        "heed/deny/blocklist.listed": 3,
        "heed/deny/tdmrep.reserved": 2,
        "heed/deny/noai.noai": 3,
        "heed/allow/request": 200,
    }
    progress = read_progress(stats, 2.0, waiting=2, unreachable=1, records=412, log="d.jsonl")
    assert progress.line() == (
        "Heed: 120 pages kept (60/min); denied 14 requests, 3 responses (robots.disallow 9, "
        "blocklist.listed 3, noai.noai 3); 2 origins waiting for policy files, 1 unreachable; "
        "log 412 records -> d.jsonl"
    )


def test_a_log_file_gets_plain_progress_lines_with_true_counts(tmp_path: Path, make_server) -> None:
    server = slow_site(make_server)
    args, env = crawl_command(
        tmp_path,
        [server.url_for("/0"), dead_origin()],
        settings={"HEED_PROGRESS_INTERVAL": 0.5, "LOG_FILE": str(tmp_path / "crawl.log")},
    )
    subprocess.run(args, cwd=tmp_path, env=env, timeout=90, check=True)
    lines = [
        line.split("INFO: ", 1)[1]
        for line in (tmp_path / "crawl.log").read_text().splitlines()
        if "[crawler.crawl_status]" in line
    ]
    assert len(lines) >= 2  # periodic lines, then the last one at close
    assert all("\r" not in line and "\x1b" not in line for line in lines)
    log = tmp_path / "decisions.jsonl"
    records = [json.loads(line) for line in log.read_text().splitlines()]
    denied = Counter(r["stage"] for r in records if r.get("decision") == "deny")
    reasons = Counter(r["reason"] for r in records if r.get("decision") == "deny")
    assert reasons["robots.disallow"] == 6 and reasons["robots.unreachable"] >= 1
    top = ", ".join(f"{reason} {n}" for reason, n in reasons.most_common(3))
    assert lines[-1].startswith("Heed: 6 pages kept (")
    assert lines[-1].endswith(
        f"denied {denied['request']} requests, {denied['response']} responses ({top}); "
        f"0 origins waiting for policy files, 1 unreachable; log {len(records)} records -> {log}"
    )


def test_a_terminal_gets_one_live_line_redrawn_in_place(tmp_path: Path, make_server) -> None:
    server = slow_site(make_server)
    args, env = crawl_command(
        tmp_path, [server.url_for("/0")], settings={"HEED_PROGRESS_INTERVAL": 60}
    )
    leader, follower = pty.openpty()
    proc = subprocess.Popen(args, cwd=tmp_path, env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=follower)  # fmt: skip
    os.close(follower)
    seen = b""
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        ready, _, _ = select.select([leader], [], [], 1)
        if ready:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the crawl closed the terminal
                break
            if not chunk:
                break
            seen += chunk
        elif proc.poll() is not None:
            break
    assert proc.wait(timeout=30) == 0
    os.close(leader)
    text = seen.decode()
    live = [part for part in text.split("\r\x1b[K") if part.startswith("Heed: ")]
    assert live, text[-2000:]  # redrawn every second, 60 s interval or not
    assert all(part.split("\r", 1)[0].count("\n") == 0 for part in live)  # one row each
