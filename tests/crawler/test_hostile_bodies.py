"""Hostile bodies, through real crawls against a raw-socket server on 127.0.0.1: compression
bombs, resets, short and trickling bodies, and policy documents redirected off the web."""

from __future__ import annotations

import resource
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.hostile_server import HostileServer, Listener, Reply, bomb
from tests.crawling import CrawlResult

HTML = {"Content-Type": "text/html; charset=utf-8"}
TEXT = {"Content-Type": "text/plain"}
PAGE = b"<html><body><p>fine</p></body></html>"
ROBOTS = b"User-agent: *\nDisallow: /private/\n"
MIB = 1 << 20


@pytest.fixture
def site() -> Iterator[HostileServer]:
    with HostileServer() as server:
        server.routes["/robots.txt"] = Reply(ROBOTS, headers=TEXT)
        server.routes["/open"] = Reply(PAGE, headers=HTML)
        yield server


def robots_evidence(result: CrawlResult, url: str) -> dict[str, object]:
    evidence: dict[str, object] = result.decision_for(url)["evidence"]["robots"]
    return evidence


def peak_child_rss() -> int:
    """Largest resident set of any finished child process of this one, in bytes (Linux: KiB)."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024


# --- Policy documents --------------------------------------------------------------------


@pytest.mark.parametrize(
    "target", ["file:///etc/hostname", "data:text/plain,User-agent:%20*%0AAllow:%20/", "ftp"]
)
def test_robots_redirect_off_http_is_unreachable_and_never_followed(
    site: HostileServer, crawl, target: str
) -> None:
    with Listener() as ftp:
        if target == "ftp":
            target = f"ftp://127.0.0.1:{ftp.port}/robots.txt"
        site.routes["/robots.txt"] = Reply(status=301, headers={"Location": target})
        result = crawl([site.url("/open")])
    assert result.returncode == 0, result.stderr[-3000:]
    assert ftp.connections == 0
    deny = result.decision_for(site.url("/open"))
    assert deny["decision"] == "deny" and deny["reason"] == "robots.unreachable"
    evidence = robots_evidence(result, site.url("/open"))
    assert evidence["doc_redirects"] == [target]
    assert "not an http(s) URL" in str(evidence["doc_error"])
    assert not [r for r in result.records if r["url"] == target]
    assert site.hits.count("/open") == 0


def test_tdmrep_redirect_to_a_data_url_is_not_read(site: HostileServer, crawl) -> None:
    target = 'data:application/json,[{"location":"/","tdm-reservation":0}]'
    site.routes["/.well-known/tdmrep.json"] = Reply(status=302, headers={"Location": target})
    result = crawl([site.url("/open")])
    evidence = result.decision_for(site.url("/open"))["evidence"]["tdmrep"]["file"]
    assert "not an http(s) URL" in evidence["doc_error"]
    assert evidence["valid"] is False


@pytest.mark.parametrize("coding", ["br", "gzip", "gzip, gzip"])
def test_robots_bomb_is_decoded_only_to_the_limit_and_its_rules_apply(
    site: HostileServer, crawl, coding: str
) -> None:
    body = bomb(coding, 256 * MIB, head=ROBOTS, line=b"# padding\n")
    site.routes["/robots.txt"] = Reply(body, headers={**TEXT, "Content-Encoding": coding})
    site.routes["/private/x"] = Reply(PAGE, headers=HTML)
    result = crawl([site.url("/open"), site.url("/private/x")])
    assert result.returncode == 0, result.stderr[-3000:]
    assert site.hits.count("/private/x") == 0
    assert result.decision_for(site.url("/private/x"))["reason"] == "robots.disallow"
    assert result.item_urls == {site.url("/open")}
    evidence = robots_evidence(result, site.url("/open"))
    assert evidence["doc_truncated"] is True and evidence["doc_status"] == 200
    doc = result.decision_for(site.url("/robots.txt"), "response")
    assert doc["bytes"] == 512000
    assert peak_child_rss() < 1024 * MIB


def test_robots_larger_than_download_maxsize_is_still_read_up_to_its_own_limit(
    site: HostileServer, crawl
) -> None:
    site.routes["/robots.txt"] = Reply(ROBOTS + b"# padding\n" * 30_000, headers=TEXT)
    site.routes["/private/x"] = Reply(PAGE, headers=HTML)
    result = crawl([site.url("/private/x")], settings={"DOWNLOAD_MAXSIZE": 100_000})
    assert result.decision_for(site.url("/private/x"))["reason"] == "robots.disallow"
    assert site.hits.count("/private/x") == 0


def test_robots_cut_by_a_reset_is_unreachable_not_parsed(site: HostileServer, crawl) -> None:
    site.routes["/robots.txt"] = Reply(
        b"User-agent: *\nAllow: /\n" * 20, headers=TEXT, mode="reset"
    )
    result = crawl([site.url("/open")])
    deny = result.decision_for(site.url("/open"))
    assert deny["reason"] == "robots.unreachable"
    assert "incomplete" in str(robots_evidence(result, site.url("/open"))["doc_error"])
    assert site.hits.count("/open") == 0


def test_robots_that_trickles_past_its_timeout_is_unreachable(site: HostileServer, crawl) -> None:
    site.routes["/robots.txt"] = Reply(ROBOTS, headers=TEXT, mode="trickle", delay=0.3)
    result = crawl([site.url("/open")], settings={"HEED_ROBOTS_TIMEOUT": 2})
    assert result.decision_for(site.url("/open"))["reason"] == "robots.unreachable"
    assert site.hits.count("/open") == 0


def test_utf16_robots_with_a_byte_order_mark_is_obeyed(site: HostileServer, crawl) -> None:
    site.routes["/robots.txt"] = Reply(ROBOTS.decode().encode("utf-16"), headers=TEXT)
    site.routes["/private/x"] = Reply(PAGE, headers=HTML)
    result = crawl([site.url("/private/x"), site.url("/open")])
    assert result.decision_for(site.url("/private/x"))["reason"] == "robots.disallow"
    assert site.hits.count("/private/x") == 0
    assert result.item_urls == {site.url("/open")}


# --- Pages -------------------------------------------------------------------------------


@pytest.mark.parametrize("coding", ["gzip", "deflate", "br", "zstd", "gzip, gzip", "br, gzip"])
def test_page_bomb_is_denied_as_too_large_and_never_kept(
    site: HostileServer, crawl, tmp_path: Path, coding: str
) -> None:
    site.routes["/bomb"] = Reply(
        bomb(coding, 256 * MIB), headers={**HTML, "Content-Encoding": coding}
    )
    cache = tmp_path / "httpcache"
    settings = {"HTTPCACHE_ENABLED": True, "HTTPCACHE_DIR": str(cache)}
    result = crawl([site.url("/bomb"), site.url("/open")], settings=settings)
    assert result.returncode == 0, result.stderr[-3000:]
    deny = result.decision_for(site.url("/bomb"), "response")
    assert deny["decision"] == "deny" and deny["reason"] == "page.too_large"
    assert deny["evidence"]["body"]["limit"] == 32 * MIB
    assert result.item_urls == {site.url("/open")}
    cached = sum(f.stat().st_size for f in cache.rglob("*") if f.is_file())
    assert 0 < cached < MIB  # /open is cached; the bomb never is
    assert peak_child_rss() < 1024 * MIB


def test_page_over_the_limit_without_coding_is_dropped_and_recorded(
    site: HostileServer, crawl
) -> None:
    site.routes["/big"] = Reply(PAGE + b" " * 300_000, headers=HTML)
    site.routes["/big-unannounced"] = Reply(PAGE + b" " * 300_000, headers=HTML, mode="reset")
    result = crawl(
        [site.url("/big"), site.url("/big-unannounced"), site.url("/open")],
        settings={"HEED_PAGE_MAX_BYTES": 100_000},
    )
    for path in ("/big", "/big-unannounced"):
        deny = result.decision_for(site.url(path), "response")
        assert deny["decision"] == "deny" and deny["reason"] == "page.too_large", deny
        assert deny["status"] is None and deny["evidence"]["body"]["limit"] == 100_000
    assert result.item_urls == {site.url("/open")}


def test_page_cut_by_a_reset_is_denied_as_incomplete(site: HostileServer, crawl) -> None:
    site.routes["/cut"] = Reply(PAGE * 100, headers=HTML, mode="reset")
    result = crawl([site.url("/cut"), site.url("/open")])
    deny = result.decision_for(site.url("/cut"), "response")
    assert deny["reason"] == "page.incomplete"
    assert deny["evidence"]["body"]["flags"] == ["partial"]
    assert result.item_urls == {site.url("/open")}


def test_page_shorter_than_its_content_length_gets_a_deny_record(
    site: HostileServer, crawl
) -> None:
    site.routes["/short"] = Reply(PAGE, headers=HTML, mode="short")
    result = crawl([site.url("/short"), site.url("/open")])
    deny = result.decision_for(site.url("/short"), "response")
    assert deny["reason"] == "page.incomplete" and deny["status"] is None
    assert result.item_urls == {site.url("/open")}


def test_corrupt_gzip_page_is_denied_as_undecodable(site: HostileServer, crawl) -> None:
    site.routes["/corrupt"] = Reply(
        b"\x1f\x8b\x08\x00garbage" * 10, headers={**HTML, "Content-Encoding": "gzip"}
    )
    site.routes["/unknown"] = Reply(PAGE, headers={**HTML, "Content-Encoding": "rot13"})
    result = crawl([site.url("/corrupt"), site.url("/unknown"), site.url("/open")])
    for path in ("/corrupt", "/unknown"):
        deny = result.decision_for(site.url(path), "response")
        assert deny["reason"] == "page.undecodable", deny
    assert result.item_urls == {site.url("/open")}
