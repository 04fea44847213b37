"""Heed in a data team's own Scrapy project (tests/userproject: only the add-on and an identity
in its settings, its own spiders), through real crawls against servers on 127.0.0.1."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crawler.log.verify import verify_log
from tests.crawling import REPO, CrawlResult, run_crawl

PROJECT = REPO / "tests" / "userproject"
HTML = "text/html; charset=utf-8"
PAYWALL = {"@context": "https://schema.org", "@type": "NewsArticle", "isAccessibleForFree": False}


def page(title: str, head: str = "", links: list[str] = ()) -> str:
    anchors = "".join(f'<a href="{link}">{link}</a>' for link in links)
    return f"<html><head><title>{title}</title>{head}</head><body>{anchors}</body></html>"


def serve_site(server) -> dict[str, str]:
    """robots.txt denying /private/, an index, a sitemap, a noai page, a paywalled page and a
    link to a blocklisted host (``localhost``: the same server under a listed name)."""
    listed = f"http://localhost:{server.port}/listed"
    pages = {
        "/open": page("open"),
        "/private/x": page("private"),
        "/noai": page("noai", '<meta name="robots" content="noai">'),
        "/paid": page("paid", f'<script type="application/ld+json">{json.dumps(PAYWALL)}</script>'),
    }
    urls = {path.strip("/").split("/")[0]: server.url_for(path) for path in pages}
    urls.update(index=server.url_for("/"), listed=listed)
    server.expect_request("/robots.txt").respond_with_data("User-agent: *\nDisallow: /private/\n")
    server.expect_request("/").respond_with_data(
        page("index", links=[*pages, listed]), content_type=HTML
    )
    locs = "".join(f"<url><loc>{url}</loc></url>" for name, url in urls.items())
    server.expect_request("/sitemap.xml").respond_with_data(
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{locs}</urlset>',
        content_type="application/xml",
    )
    for path, markup in {**pages, "/listed": page("listed")}.items():
        server.expect_request(path).respond_with_data(markup, content_type=HTML)
    return urls


def blocklist(tmp_path: Path) -> str:
    path = tmp_path / "list.yaml"
    path.write_text(
        "id: test-list\nversion: '1'\nentries:\n  - domain: localhost\n    match: exact\n"
        "    reason: test listing\n    source: Test court, order 1\n    added: 2026-01-15\n",
        encoding="utf-8",
    )
    return str(path)


def hits(server, path: str) -> int:
    return sum(1 for request, _ in server.log if request.path == path)


def user_crawl(tmp_path: Path, spider: str, urls: list[str], **kwargs) -> CrawlResult:
    settings = {"HEED_BLOCKLISTS": [blocklist(tmp_path)], **kwargs.pop("settings", {})}
    return run_crawl(
        tmp_path / spider, urls, spider=spider, project=PROJECT, settings=settings, **kwargs
    )


@pytest.mark.parametrize("spider", ["pages", "follow", "sitemap"])
def test_a_projects_own_spiders_get_every_guarantee_of_the_site_spider(
    make_server, tmp_path, spider
) -> None:
    server = make_server()
    urls = serve_site(server)
    seed = server.url_for("/sitemap.xml") if spider == "sitemap" else urls["index"]
    result = user_crawl(tmp_path, spider, [seed])
    assert result.returncode == 0, result.stderr[-4000:]
    # robots.txt: the disallowed page was never requested, and its deny is on record.
    assert hits(server, "/private/x") == 0
    assert result.decision_for(urls["private"])["reason"] == "robots.disallow"
    # The blocklisted host was never contacted, not even for its robots.txt.
    assert all(request.host.split(":")[0] != "localhost" for request, _ in server.log)
    assert result.decision_for(urls["listed"])["check"] == "blocklist"
    # Opt-out and paywall: fetched, judged, dropped before the spider.
    assert result.decision_for(urls["noai"], "response")["reason"] == "noai.noai"
    assert result.decision_for(urls["paid"], "response")["reason"] == "paywall.schema_org"
    assert result.item_urls == {urls["index"], urls["open"]}
    # The project's own identity is the one sent and recorded.
    header = result.records[0]
    assert header["product_token"] == "UserProjectBot"
    assert {r.headers["User-Agent"] for r, _ in server.log} == {header["user_agent"]}
    # Every item names its response decision; the log verifies.
    responses = {r["seq"]: r for r in result.decisions("response")}
    for item in result.items:
        assert item["heed_log"] == str(result.log_path)
        assert responses[item["heed_seq"]]["url"] == item["url"]
        assert responses[item["heed_seq"]]["decision"] == "allow"
    assert verify_log(result.log_path).ok
    robots = [c for c in header["checks"]["request"] if c["check"].endswith("RobotsCheck")]
    assert robots and robots[0]["on"]


def refused(result: CrawlResult, server, fragment: str) -> None:
    """Refused to start: one line, exit 2, nothing contacted, no decision recorded."""
    assert result.returncode == 2, result.stderr[-4000:]
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("heed: error:")]
    assert len(errors) == 1 and fragment in errors[0], result.stderr[-4000:]
    assert len(server.log) == 0
    assert not result.decisions()


def test_a_spider_switching_the_request_gate_off_refuses_to_start(make_server, tmp_path) -> None:
    server = make_server()
    urls = serve_site(server)
    result = user_crawl(tmp_path, "ungated", [urls["index"]])
    refused(
        result,
        server,
        "crawler.gates.RequestGate is off in DOWNLOADER_MIDDLEWARES in the spider's "
        "custom_settings",
    )


def test_the_command_line_switching_the_response_gate_off_refuses_to_start(
    make_server, tmp_path
) -> None:
    server = make_server()
    urls = serve_site(server)
    result = user_crawl(
        tmp_path,
        "pages",
        [urls["index"]],
        settings={"DOWNLOADER_MIDDLEWARES": {"crawler.gates.ResponseGate": None}},
    )
    refused(result, server, "crawler.gates.ResponseGate is off in DOWNLOADER_MIDDLEWARES on the")


def test_gates_enabled_by_hand_without_the_add_on_never_fetch_a_disallowed_page(
    make_server, tmp_path
) -> None:
    server = make_server()
    server.expect_request("/robots.txt").respond_with_data("User-agent: *\nDisallow: /\n")
    server.expect_request("/").respond_with_data(page("index"), content_type=HTML)
    result = user_crawl(
        tmp_path, "pages", [server.url_for("/")], env={"SCRAPY_PROJECT": "handmade"}
    )
    assert hits(server, "/") == 0
    refused(result, server, "enabled without its add-on")
