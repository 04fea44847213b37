"""``-a sitemaps=yes``: robots.txt's Sitemap lines and sitemap indexes, through the gates."""

from __future__ import annotations

import gzip

NS = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'


def urlset(*locs: str) -> str:
    return f"<urlset {NS}>" + "".join(f"<url><loc>{u}</loc></url>" for u in locs) + "</urlset>"


def test_sitemap_pages_are_crawled_through_the_gates_and_sitemaps_are_never_items(
    make_server, crawl
) -> None:
    server = make_server()
    base = server.url_for("").rstrip("/")
    server.expect_request("/robots.txt").respond_with_data(
        f"User-agent: *\nDisallow: /private/\nSitemap: {base}/index.xml\n"
    )
    server.expect_request("/index.xml").respond_with_data(
        f"<sitemapindex {NS}><sitemap><loc>{base}/pages.xml.gz</loc></sitemap></sitemapindex>",
        content_type="application/xml",
    )
    pages = urlset(f"{base}/listed", f"{base}/private/secret", "ftp://127.0.0.1/x")
    server.expect_request("/pages.xml.gz").respond_with_data(
        gzip.compress(pages.encode()), content_type="application/octet-stream"
    )
    for path in ("/", "/listed", "/private/secret"):
        server.expect_request(path).respond_with_data("<p>page</p>", content_type="text/html")
    result = crawl([server.url_for("/")], spider_args={"sitemaps": "yes", "follow": "no"})
    assert result.returncode == 0, result.stderr
    assert result.item_urls == {server.url_for("/"), server.url_for("/listed")}
    assert result.decision_for(server.url_for("/private/secret"), "request")["decision"] == "deny"
    assert not [r for r, _ in server.log if r.path == "/private/secret"]
    for sitemap in ("/index.xml", "/pages.xml.gz"):
        assert result.decision_for(server.url_for(sitemap), "response")["decision"] == "allow"


def test_without_the_argument_no_sitemap_is_read(make_server, crawl) -> None:
    server = make_server()
    server.expect_request("/robots.txt").respond_with_data("Sitemap: /index.xml\n")
    server.expect_request("/").respond_with_data("<p>page</p>", content_type="text/html")
    result = crawl([server.url_for("/")], spider_args={"follow": "no"})
    assert result.returncode == 0, result.stderr
    assert not [r for r, _ in server.log if r.path == "/index.xml"]


def test_a_gzipped_sitemap_that_inflates_past_the_page_limit_lists_nothing(
    make_server, crawl
) -> None:
    server = make_server()
    base = server.url_for("").rstrip("/")
    server.expect_request("/robots.txt").respond_with_data(f"Sitemap: {base}/big.xml.gz\n")
    listed = urlset(*(f"{base}/p{i}" for i in range(2000)))  # about 90 KB of XML
    server.expect_request("/big.xml.gz").respond_with_data(
        gzip.compress(listed.encode()), content_type="application/octet-stream"
    )
    server.expect_request("/").respond_with_data("<p>page</p>", content_type="text/html")
    result = crawl(
        [server.url_for("/")],
        settings={"HEED_PAGE_MAX_BYTES": 50_000},
        spider_args={"sitemaps": "yes", "follow": "no"},
    )
    assert result.returncode == 0, result.stderr
    assert result.item_urls == {server.url_for("/")}
    assert not [r for r, _ in server.log if r.path.startswith("/p")]
