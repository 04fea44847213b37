"""``scrapy fetch`` and ``scrapy shell`` on a URL Heed denies: they say so, and where."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.crawling import REPO, TEST_SETTINGS, _setting_arg


def scrapy(command: str, url: str, cwd: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    options = [
        arg
        for name, value in {**TEST_SETTINGS, "HEED_BLOCKLISTS": []}.items()
        for arg in ("-s", _setting_arg(name, value))
    ]
    return subprocess.run(
        [sys.executable, "-m", "scrapy", command, "--nolog", *options, url, *extra],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, "SCRAPY_SETTINGS_MODULE": "crawler.settings", "PYTHONPATH": str(REPO)},
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    ("command", "extra"), [("fetch", ()), ("shell", ("-c", "response is None"))]
)
def test_a_denied_url_says_denied_by_heed_with_its_record(
    make_server, tmp_path: Path, command: str, extra: tuple[str, ...]
) -> None:
    server = make_server()
    server.expect_request("/robots.txt").respond_with_data("User-agent: *\nDisallow: /private/\n")
    server.expect_request("/private/x").respond_with_data("secret")
    url = server.url_for("/private/x")
    proc = scrapy(command, url, tmp_path, *extra)
    (log,) = (tmp_path / "decisions").glob("default-*.jsonl")
    records = [json.loads(line) for line in log.read_text().splitlines()]
    (record,) = [r["seq"] for r in records if r.get("url") == url and r.get("decision") == "deny"]
    assert (
        f"denied by Heed: robots.disallow: {url} (record {record} in decisions/{log.name})"
        in proc.stderr
    ), proc.stderr
    assert "secret" not in proc.stdout
    assert all(request.path != "/private/x" for request, _ in server.log)
    if command == "fetch":  # the session's log is named when it ends
        assert f"Heed decision log of this session: decisions/{log.name}" in proc.stderr
    else:
        assert proc.stdout.strip() == "True"


def test_an_allowed_fetch_prints_the_page_and_names_its_log(make_server, tmp_path: Path) -> None:
    server = make_server()
    server.expect_request("/robots.txt").respond_with_data("User-agent: *\nDisallow:\n")
    server.expect_request("/open").respond_with_data("<p>open</p>", content_type="text/html")
    proc = scrapy("fetch", server.url_for("/open"), tmp_path)
    assert proc.stdout.strip() == "<p>open</p>"
    assert "denied by Heed" not in proc.stderr
    assert "Heed decision log of this session: decisions/default-" in proc.stderr
