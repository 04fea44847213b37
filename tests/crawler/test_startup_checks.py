"""Start-up checks through real ``scrapy crawl site`` runs: the guarantee cannot be configured
away, bad ``HEED_*`` values stop the crawl in one line, misspelled names are pointed out."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from crawler import defaults
from tests.crawling import REPO

HTML = "text/html; charset=utf-8"

REFUSED = {
    "bad-number": ({"HEED_ROBOTS_TTL": "abc"}, "HEED_ROBOTS_TTL='abc' is not a number"),
    "negative-number": ({"HEED_ROBOTS_MAX_BYTES": -1}, "HEED_ROBOTS_MAX_BYTES='-1' is not"),
    "bad-bool": ({"HEED_KEEP_HTML": "maybe"}, "HEED_KEEP_HTML='maybe' is not True or False"),
    "bad-table": ({"HEED_REQUEST_CHECKS": "robots"}, "HEED_REQUEST_CHECKS='robots' is not a"),
    "robots-check-off": (
        {"HEED_REQUEST_CHECKS": {"crawler.checks.robots.RobotsCheck": None}},
        "crawler.checks.robots.RobotsCheck is off in HEED_REQUEST_CHECKS on the command line",
    ),
    "request-gate-off": (
        {"DOWNLOADER_MIDDLEWARES": {"crawler.gates.RequestGate": None}},
        "crawler.gates.RequestGate is off in DOWNLOADER_MIDDLEWARES",
    ),
    "response-gate-off": (
        {"DOWNLOADER_MIDDLEWARES": {"crawler.gates.ResponseGate": None}},
        "crawler.gates.ResponseGate is off in DOWNLOADER_MIDDLEWARES",
    ),
    "recorder-off": (
        {"EXTENSIONS": {"crawler.log.recorder.DecisionRecorder": None}},
        "crawler.log.recorder.DecisionRecorder is off in EXTENSIONS",
    ),
    "robots-policy-off": (
        {"EXTENSIONS": {"crawler.origin.robots.RobotsPolicy": None}},
        "crawler.origin.robots.RobotsPolicy is off in EXTENSIONS",
    ),
    "scrapy-robots-middleware": (
        {
            "DOWNLOADER_MIDDLEWARES": {
                "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": 100
            }
        },
        "RobotsTxtMiddleware is on in DOWNLOADER_MIDDLEWARES",
    ),
    "robotstxt-obey": ({"ROBOTSTXT_OBEY": True}, "ROBOTSTXT_OBEY=True on the command line"),
    "cache-before-response-gate": (
        {
            "DOWNLOADER_MIDDLEWARES": {
                "scrapy.downloadermiddlewares.httpcache.HttpCacheMiddleware": 990
            }
        },
        "HttpCacheMiddleware (order 990) would act before Heed's gates",
    ),
    "addon-off": (
        {"ADDONS": {"crawler.addon.Heed": None}},
        "ADDONS switches crawler.addon.Heed off",
    ),
}


def serve_disallowed(server) -> str:
    server.expect_request("/robots.txt").respond_with_data("User-agent: *\nDisallow: /\n")
    server.expect_request("/p").respond_with_data("<p>secret</p>", content_type=HTML)
    return server.url_for("/p")


@pytest.mark.parametrize(("settings", "message"), REFUSED.values(), ids=REFUSED.keys())
def test_a_crawl_that_would_weaken_the_guarantee_refuses_to_start(
    make_server, crawl, settings, message
) -> None:
    server = make_server()
    result = crawl([serve_disallowed(server)], settings=settings)
    assert result.returncode == 2, result.stderr[-4000:]
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("heed: error:")]
    assert len(errors) == 1 and message in errors[0], result.stderr[-4000:]
    assert len(server.log) == 0
    assert not result.log_path.exists()


def test_a_misspelled_setting_is_named_with_the_closest_known_one(make_server, crawl) -> None:
    server = make_server()
    result = crawl([serve_disallowed(server)], settings={"HEED_ROBOT_TTL": 5})
    assert result.returncode == 0, result.stderr[-4000:]
    assert "unknown setting HEED_ROBOT_TTL is ignored: did you mean HEED_ROBOTS_TTL?" in (
        result.stderr
    )


def test_the_collector_tuning_may_be_switched_off_and_the_guarantee_still_holds(
    make_server, crawl
) -> None:
    server = make_server()
    result = crawl(
        [serve_disallowed(server)],
        settings={"EXTENSIONS": {"crawler.collector.CrawlCollector": None}},
    )
    assert result.returncode == 0, result.stderr[-4000:]
    assert [r["reason"] for r in result.decisions("request") if r["url"].endswith("/p")] == [
        "robots.disallow"
    ]
    assert [entry.path for entry, _ in server.log] == ["/robots.txt"]


def test_other_checks_may_be_switched_off_and_the_run_header_names_every_check(
    make_server, crawl
) -> None:
    server = make_server()
    server.expect_request("/robots.txt").respond_with_data("User-agent: *\nAllow: /\n")
    server.expect_request("/p").respond_with_data(
        '<html><head><meta name="robots" content="noai"></head></html>', content_type=HTML
    )
    noai, paywall = "crawler.checks.noai.NoaiCheck", "crawler.checks.access.PaywallCheck"
    table = {**defaults.HEED_RESPONSE_CHECKS, noai: None}
    del table[paywall]
    result = crawl([server.url_for("/p")], settings={"HEED_RESPONSE_CHECKS": table})
    assert result.returncode == 0, result.stderr[-4000:]
    checks = result.records[0]["checks"]
    response = {c["check"]: c["on"] for c in checks["response"]}
    # Switched off, or left out of the table: either way named, and off.
    assert response[noai] is False and response[paywall] is False
    assert response["crawler.checks.tdmrep.TdmrepCheck"] is True
    assert {c["check"] for c in checks["request"] if c["on"]} >= {
        "crawler.checks.robots.RobotsCheck",
        "crawler.checks.blocklist.BlocklistCheck",
    }
    assert result.item_urls == {server.url_for("/p")}


def test_heed_explain_refuses_the_same_way(make_server) -> None:
    server = make_server()
    url = serve_disallowed(server)
    proc = subprocess.run(
        [sys.executable, "-m", "crawler", "explain", url, "-s", "ROBOTSTXT_OBEY=True"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        cwd=REPO,
    )
    assert proc.returncode == 2, proc.stderr[-4000:]
    assert proc.stderr.splitlines()[-1].startswith("heed: error: ROBOTSTXT_OBEY=True on the")
    assert "Traceback" not in proc.stderr
    assert len(server.log) == 0


def test_heed_demo_refuses_under_a_project_that_switches_the_recorder_off(tmp_path) -> None:
    (tmp_path / "weakened.py").write_text(
        "from crawler.settings import *  # noqa: F403\n"
        "EXTENSIONS = {'crawler.log.recorder.DecisionRecorder': None}\n",
        encoding="utf-8",
    )
    proc = subprocess.run(
        [sys.executable, "-m", "crawler", "demo", "-o", str(tmp_path / "out")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={
            **os.environ,
            "PYTHONPATH": os.pathsep.join([str(tmp_path), str(REPO)]),
            "SCRAPY_SETTINGS_MODULE": "weakened",
        },
        cwd=tmp_path,
    )
    assert proc.returncode == 2, proc.stdout + proc.stderr[-4000:]
    assert proc.stderr.splitlines()[-1] == (
        "heed: error: crawler.log.recorder.DecisionRecorder is off in EXTENSIONS in the "
        "project's settings: Heed never crawls without it; switch it back on"
    )
    assert "Traceback" not in proc.stderr
    assert not list((tmp_path / "out").glob("*.jsonl"))
