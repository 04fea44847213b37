"""Fixtures shared by the crawler tests: a real crawl's decision log for the log tools."""

from __future__ import annotations

import pytest

from crawler.cli.demo import NOT_SEEDS
from crawler.demo.server import serve_demo
from tests.crawling import CrawlResult, run_crawl


@pytest.fixture(scope="session")
def demo_crawl(tmp_path_factory: pytest.TempPathFactory) -> CrawlResult:
    """One real crawl of the bundled demo site with the full stack (robots allow, disallow and
    unreachable, redirects, a blocklisted host, paywalls), read by the log-tool tests."""
    with serve_demo() as site:
        seeds = [site.url(role) for role in sorted(site.bases) if role not in NOT_SEEDS]
        result = run_crawl(tmp_path_factory.mktemp("demo-crawl"), seeds)
    assert result.returncode == 0, result.stderr[-4000:]
    assert len(result.records) > 10
    return result
