"""Shared fixtures: real crawls in subprocesses against servers on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.crawling import CrawlResult, run_crawl


@pytest.fixture
def crawl(tmp_path: Path) -> Callable[..., CrawlResult]:
    """``crawl(urls, settings={...}, spider_args={...})`` runs ``scrapy crawl site`` for real."""
    counter = iter(range(1000))

    def _crawl(urls: list[str] | None = None, **kwargs: Any) -> CrawlResult:
        return run_crawl(tmp_path / f"crawl{next(counter)}", urls, **kwargs)

    return _crawl


@pytest.fixture(scope="session")
def httpserver_listen_address() -> tuple[str, int]:
    # pytest-httpserver: loopback only, on a free port.
    return ("127.0.0.1", 0)


@pytest.fixture
def make_server() -> Any:
    """Start threaded pytest-httpservers on 127.0.0.1 (one per origin); all stop at teardown."""
    from pytest_httpserver import HTTPServer

    started: list[HTTPServer] = []

    def _make() -> HTTPServer:
        server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
        server.start()
        started.append(server)
        return server

    yield _make
    for server in started:
        server.clear()
        if server.is_running():
            server.stop()
