"""Cluster mode is opt-in: without ``HEED_REDIS_URL`` nothing of it runs, and a Redis that
cannot be reached stops the crawl before anything is fetched."""

from __future__ import annotations

import socket
from collections.abc import Callable
from typing import Any

from tests.crawling import CrawlResult


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_without_a_redis_url_the_crawl_runs_in_one_process(
    crawl: Callable[..., CrawlResult], httpserver: Any
) -> None:
    httpserver.expect_request("/").respond_with_data("<p>hello</p>", content_type="text/html")
    result = crawl([httpserver.url_for("/")])
    assert result.returncode == 0, result.stderr[-2000:]
    assert "scheduler/enqueued/memory" in result.stderr
    assert "heed/cluster" not in result.stderr and "ClusterMode" not in result.stderr
    assert "cluster" not in result.records[0]


def test_an_unreachable_redis_stops_the_crawl_before_any_fetch(
    crawl: Callable[..., CrawlResult], httpserver: Any
) -> None:
    httpserver.expect_request("/").respond_with_data("<p>hello</p>", content_type="text/html")
    url = f"redis://127.0.0.1:{_closed_port()}/0"
    result = crawl([httpserver.url_for("/")], settings={"HEED_REDIS_URL": url})
    assert result.returncode == 2
    assert f"heed: error: HEED_REDIS_URL={url}: cannot reach Redis" in result.stderr
    assert not httpserver.log
