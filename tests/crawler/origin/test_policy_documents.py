"""Policy documents do not queue behind the pages' politeness delay; pages still keep it.

Timestamps are taken by the servers as requests arrive.
"""

from __future__ import annotations

from pathlib import Path

from scrapy.http import TextResponse

from tests.crawler.cluster.site import Site
from tests.crawling import run_crawl

DELAY = 0.5
POLITE = {
    "DOWNLOAD_DELAY": DELAY,
    "RANDOMIZE_DOWNLOAD_DELAY": False,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 1,
}
DOCUMENTS = {"/robots.txt", "/.well-known/tdmrep.json", "/ai.txt"}


def test_pages_of_an_origin_stay_a_download_delay_apart(tmp_path: Path) -> None:
    site = Site(origins=2, pages=6)
    try:
        result = run_crawl(tmp_path, site.urls, settings=POLITE)
    finally:
        site.stop()
    assert result.returncode == 0, result.stderr[-2000:]
    for origin in site.origins:
        pages = [t for t, path in origin.arrivals if path not in DOCUMENTS]
        assert len(pages) == len(origin.allowed_paths())
        gaps = [later - earlier for earlier, later in zip(pages, pages[1:], strict=False)]
        assert min(gaps) >= DELAY - 0.02, f"gaps between page requests: {gaps}"


def test_tdmrep_json_and_ai_txt_are_fetched_together_once_robots_txt_has_answered(
    tmp_path: Path,
) -> None:
    # One origin: the servers all listen on 127.0.0.1, which Scrapy makes one download slot.
    site = Site(origins=1, pages=3)
    try:
        result = run_crawl(tmp_path, site.urls, settings=POLITE)
    finally:
        site.stop()
    assert result.returncode == 0, result.stderr[-2000:]
    for origin in site.origins:
        first = {path: t for t, path in reversed(origin.arrivals)}
        assert first["/robots.txt"] < first["/.well-known/tdmrep.json"]
        assert first["/robots.txt"] < first["/ai.txt"]
        # Neither document waited for a delay: not behind robots.txt, not behind each other.
        assert first["/.well-known/tdmrep.json"] - first["/robots.txt"] < DELAY / 2
        assert first["/ai.txt"] - first["/robots.txt"] < DELAY / 2
        assert first["/"] - first["/robots.txt"] < DELAY / 2
        assert origin.served["/robots.txt"] == origin.served["/ai.txt"] == 1


def test_a_request_robots_txt_disallows_waits_for_no_other_policy_document(
    tmp_path: Path,
) -> None:
    site = Site(origins=1, pages=4)
    private = site.origins[0].url.rstrip("/") + "/private/3.html"
    try:
        result = run_crawl(tmp_path, [private], settings=POLITE, spider_args={"follow": "no"})
    finally:
        site.stop()
    assert result.returncode == 0, result.stderr[-2000:]
    assert set(site.origins[0].served) == {"/robots.txt"}
    record = result.decision_for(private)
    assert record["decision"] == "deny"
    assert record["findings"]["tdmrep"]["reason"] == "tdmrep.not_crawlable"
    assert record["findings"]["ai-txt"]["reason"] == "ai-txt.not_crawlable"


class MakesLargeTdmrep:
    """A project's downloader middleware that answers tdmrep.json itself (no bytes are
    received, so no receiver cuts it): a reservation of every path, longer than Heed's limit,
    whose first bytes are not JSON on their own."""

    def process_request(self, request) -> TextResponse | None:
        if not request.url.endswith("/.well-known/tdmrep.json"):
            return None
        body = b'[{"location": "/*",' + b" " * 4096 + b'"tdm-reservation": 1}]'
        return TextResponse(request.url, body=body, encoding="utf-8")


def test_a_policy_document_longer_than_its_limit_that_no_download_cut_is_read_as_cut(
    make_server, crawl
) -> None:
    server = make_server()
    server.expect_request("/robots.txt").respond_with_data("User-agent: *\nAllow: /\n")
    server.expect_request("/page").respond_with_data("<p>a page</p>", content_type="text/html")
    page = server.url_for("/page")
    result = crawl(
        [page],
        settings={
            "DOWNLOADER_MIDDLEWARES": {f"{__name__}.MakesLargeTdmrep": 50},
            "HEED_TDMREP_MAX_BYTES": 1024,
        },
        spider_args={"follow": "no"},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    # Cut at the limit, it cannot be read whole: fail closed, never "TDMRep not used".
    assert result.decision_for(page)["reason"] == "tdmrep.unreadable"
    assert result.item_urls == set()
