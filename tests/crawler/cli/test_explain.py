"""``heed explain URL``: a live run of every check on one URL, printed check by check."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.crawling import REPO, TEST_SETTINGS

HTML = "text/html; charset=utf-8"
ROBOTS = "User-agent: *\nDisallow: /private/\n"
# robots.txt first, then a request check after it; a response check that denies marked
# pages, then one after it: every one must answer under explain, even after a deny.
CHECKS = {
    "HEED_REQUEST_CHECKS": {
        "crawler.checks.robots.RobotsCheck": 200,
        "tests.crawler.cli.explain_checks.MarkedPathCheck": 300,
    },
    "HEED_RESPONSE_CHECKS": {
        "tests.crawler.checks.marked.MarkedResponseCheck": 100,
        "tests.crawler.cli.explain_checks.LengthCheck": 200,
    },
}


def explain(url: str, *args: str, settings: dict | None = None) -> subprocess.CompletedProcess[str]:
    options = []
    for name, value in {**TEST_SETTINGS, **CHECKS, **(settings or {})}.items():
        options += ["-s", f"{name}={value if isinstance(value, str) else json.dumps(value)}"]
    return subprocess.run(
        [sys.executable, "-m", "crawler", "explain", url, *options, *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )


def serve(server) -> None:
    server.expect_request("/robots.txt").respond_with_data(ROBOTS, content_type="text/plain")
    server.expect_request("/open").respond_with_data("<p>open</p>", content_type=HTML)
    server.expect_request("/marked/page").respond_with_data(
        "<p>marked</p>", content_type=HTML, headers={"X-Test-Deny": "1"}
    )


def hits(server, path: str) -> int:
    return sum(1 for request, _ in server.log if request.path == path)


def test_allowed_url_exits_0_showing_every_verdict_and_its_evidence(make_server) -> None:
    server = make_server()
    serve(server)
    url = server.url_for("/open")
    proc = explain(url)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = proc.stdout
    assert f"request {url}" in out and f"response {url}  [HTTP 200, text/html, 11 bytes]" in out
    assert "  allow  robots           robots.no_rule" in out
    assert "           rule: no rule matched" in out
    assert f"           doc_url: {server.url_for('/robots.txt')}" in out
    assert "  allow  marked-path      marked-path.clear" in out
    assert "  allow  marked           marked.absent" in out
    assert "  allow  length           length.seen\n           length: 11" in out
    assert f"Fetched for the checks:\n  {server.url_for('/robots.txt')}  request  allow" in out
    assert out.rstrip().endswith("Verdict: ALLOWED by every check.")


def test_denied_request_exits_3_is_never_fetched_and_later_checks_still_answer(
    make_server,
) -> None:
    server = make_server()
    serve(server)
    server.expect_request("/private/marked/x").respond_with_data("secret", content_type=HTML)
    proc = explain(server.url_for("/private/marked/x"))
    assert proc.returncode == 3, proc.stdout + proc.stderr
    out = proc.stdout
    assert "  DENY   robots           robots.disallow" in out
    assert "           rule: Disallow: /private/" in out
    assert "  DENY   marked-path      marked-path.listed" in out  # asked after the deny
    assert "response" not in out.split("Fetched for the checks:")[0]
    assert hits(server, "/private/marked/x") == 0
    assert "Verdict: DENIED by robots (robots.disallow), before download." in out


def test_denied_response_exits_3_and_later_response_checks_still_answer(make_server) -> None:
    server = make_server()
    serve(server)
    robots_only = {"crawler.checks.robots.RobotsCheck": 200}
    proc = explain(server.url_for("/marked/page"), settings={"HEED_REQUEST_CHECKS": robots_only})
    assert proc.returncode == 3, proc.stdout + proc.stderr
    out = proc.stdout
    assert "  DENY   marked           marked.header\n           header: X-Test-Deny: 1" in out
    assert "  allow  length           length.seen" in out
    assert "Verdict: DENIED by marked (marked.header), after download." in out


def test_redirect_is_explained_hop_by_hop(make_server) -> None:
    server = make_server()
    serve(server)
    server.expect_request("/old").respond_with_data(
        "", status=301, headers={"Location": server.url_for("/private/new")}
    )
    proc = explain(server.url_for("/old"))
    assert proc.returncode == 3, proc.stdout + proc.stderr
    steps = [
        line for line in proc.stdout.splitlines() if line.startswith(("request ", "response "))
    ]
    assert steps == [
        f"request {server.url_for('/old')}",
        f"response {server.url_for('/old')}  [HTTP 301, text/plain, 0 bytes]",
        f"request {server.url_for('/private/new')}",
    ]


def test_kept_log_is_the_evidence_and_verifies(make_server, tmp_path: Path) -> None:
    server = make_server()
    serve(server)
    log = tmp_path / "why.jsonl"
    proc = explain(server.url_for("/open"), "--log", str(log))
    assert proc.returncode == 0 and f"Decision log: {log}" in proc.stdout
    records = [json.loads(line) for line in log.read_text().splitlines()]
    explained = [r for r in records if r.get("explain")]
    assert [r["stage"] for r in explained] == ["request", "response"]
    assert set(explained[0]["findings"]) == {"robots", "marked-path"}
    assert set(explained[1]["findings"]) == {"marked", "length"}
    verify = subprocess.run(
        [sys.executable, "-m", "crawler", "log", "verify", str(log)],
        capture_output=True, text=True, check=False, env={**os.environ, "PYTHONPATH": str(REPO)},
    )  # fmt: skip
    assert verify.returncode == 0, verify.stdout


def test_unreachable_origin_is_denied_by_its_robots_txt_fail_closed() -> None:
    proc = explain("http://127.0.0.1:9/page")  # the discard port: nothing listens there
    assert proc.returncode == 3, proc.stdout + proc.stderr
    assert "  DENY   robots           robots.unreachable" in proc.stdout


def test_page_that_cannot_be_downloaded_is_an_error_not_a_verdict() -> None:
    checks = {"tests.crawler.cli.explain_checks.RobotsAllowAll": 200}
    proc = explain("http://127.0.0.1:9/page", settings={"HEED_REQUEST_CHECKS": checks})
    assert proc.returncode == 2
    assert "Verdict: UNDECIDED: no response to judge (" in proc.stdout
    assert "heed: error: http://127.0.0.1:9/page: cannot tell: " in proc.stderr
    assert "Traceback" not in proc.stderr


def test_not_an_http_url_is_refused_before_anything_runs() -> None:
    proc = explain("ftp://127.0.0.1/file")
    assert proc.returncode == 2
    assert "'ftp://127.0.0.1/file' is not an http(s) URL" in proc.stderr


def test_a_crawl_that_refuses_to_start_says_why_in_one_line() -> None:
    proc = explain("http://127.0.0.1:9/page", settings={"USER_AGENT": "Scrapy/2.19"})
    assert proc.returncode == 2
    assert "heed: error: USER_AGENT='Scrapy/2.19' is Scrapy's default agent" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_checks_show_in_the_order_the_gates_ask_them_and_no_record_number_of_a_dropped_log(
    make_server,
) -> None:
    server = make_server()
    serve(server)
    # marked-path sorts after length alphabetically but is asked first here, and robots last.
    settings = {
        "HEED_REQUEST_CHECKS": {
            "tests.crawler.cli.explain_checks.MarkedPathCheck": 100,
            "crawler.checks.robots.RobotsCheck": 200,
        },
        "HEED_RESPONSE_CHECKS": {
            "tests.crawler.cli.explain_checks.LengthCheck": 100,
            "tests.crawler.checks.marked.MarkedResponseCheck": 200,
        },
    }
    proc = explain(server.url_for("/open"), settings=settings)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    asked = [line.split()[1] for line in proc.stdout.splitlines() if line.startswith("  allow")]
    assert asked == ["marked-path", "robots", "length", "marked"]
    assert "log record" not in proc.stdout and "Decision log" not in proc.stdout
