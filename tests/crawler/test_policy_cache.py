"""With Scrapy's HTTP cache on, policy documents are always fetched anew and cached pages are
judged under the policy of the crawl that replays them (real crawls on 127.0.0.1)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.hostile_server import HostileServer, Reply

HTML = {"Content-Type": "text/html; charset=utf-8"}
TEXT = {"Content-Type": "text/plain"}
PAGE = b"<html><body><p>an article</p></body></html>"


@pytest.fixture
def site() -> Iterator[HostileServer]:
    with HostileServer() as server:
        server.routes["/robots.txt"] = Reply(b"User-agent: *\nAllow: /\n", headers=TEXT)
        server.routes["/page"] = Reply(PAGE, headers=HTML)
        yield server


def cache_settings(tmp_path: Path) -> dict[str, object]:
    return {"HTTPCACHE_ENABLED": True, "HTTPCACHE_DIR": str(tmp_path / "httpcache")}


def test_policy_documents_are_fetched_by_every_crawl_and_never_stored(
    site: HostileServer, crawl, tmp_path: Path
) -> None:
    first = crawl([site.url("/page")], settings=cache_settings(tmp_path))
    second = crawl([site.url("/page")], settings=cache_settings(tmp_path))
    assert first.item_urls == second.item_urls == {site.url("/page")}
    assert site.hits.count("/page") == 1  # the page came from the cache the second time
    for path in ("/robots.txt", "/.well-known/tdmrep.json", "/ai.txt"):
        assert site.hits.count(path) == 2, site.hits
    stored = b"".join(p.read_bytes() for p in (tmp_path / "httpcache").rglob("meta"))
    assert b"/page" in stored
    assert b"robots.txt" not in stored and b"tdmrep" not in stored and b"ai.txt" not in stored


def test_second_crawl_obeys_the_current_robots_txt_with_a_real_fetch_time(
    site: HostileServer, crawl, tmp_path: Path
) -> None:
    first = crawl([site.url("/page")], settings=cache_settings(tmp_path))
    assert first.item_urls == {site.url("/page")}
    site.routes["/robots.txt"] = Reply(b"User-agent: *\nDisallow: /\n", headers=TEXT)
    second = crawl([site.url("/page")], settings=cache_settings(tmp_path))
    assert site.hits.count("/robots.txt") == 2
    deny = second.decision_for(site.url("/page"))
    assert deny["decision"] == "deny" and deny["reason"] == "robots.disallow"
    before = first.decision_for(site.url("/page"))["evidence"]["robots"]["doc_fetched_at"]
    now = deny["evidence"]["robots"]["doc_fetched_at"]
    assert now > before and now >= second.records[0]["started_at"]
    assert second.items == []


def test_cached_page_is_denied_under_the_policy_of_the_crawl_that_replays_it(
    site: HostileServer, crawl, tmp_path: Path
) -> None:
    site.routes["/page"] = Reply(PAGE, headers={**HTML, "X-Robots-Tag": "GPTBot: noai"})
    first = crawl([site.url("/page")], settings=cache_settings(tmp_path))
    assert first.item_urls == {site.url("/page")}
    settings = {**cache_settings(tmp_path), "HEED_ALSO_OBEY_AGENTS": "GPTBot"}
    second = crawl([site.url("/page")], settings=settings)
    assert site.hits.count("/page") == 1  # the second crawl took it from the cache
    record = second.decision_for(site.url("/page"), "response")
    assert record.get("cached") is True
    assert record["decision"] == "deny" and record["reason"].startswith("noai.")
    assert second.items == []
