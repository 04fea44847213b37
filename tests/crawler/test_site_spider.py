"""The ``site`` spider's arguments and items, through real crawls."""

from __future__ import annotations

from pathlib import Path

HTML = "text/html; charset=utf-8"


def chain_site(server, n: int) -> None:
    server.expect_request("/robots.txt").respond_with_data("User-agent: *\nDisallow:\n")
    for i in range(n):
        body = f"<html><head><script>var x=1;</script></head><body><h1>Page {i}</h1>"
        body += f'<a href="/p{i + 1}">next</a><a href="http://localhost:1/elsewhere">out</a>'
        body += "</body></html>"
        server.expect_request(f"/p{i}").respond_with_data(body, content_type=HTML)


def test_items_carry_the_promised_fields(make_server, crawl) -> None:
    server = make_server()
    chain_site(server, 2)
    result = crawl([server.url_for("/p0")], spider_args={"follow": "no"})
    (item,) = result.items
    assert item["url"] == server.url_for("/p0") and item["status"] == 200
    assert item["content_type"].startswith("text/html")
    assert item["kind"] == "html" and item["text"].startswith("Page 0")
    assert "var x" not in item["text"] and "html" not in item
    assert item["fetched_at"].endswith("Z") and isinstance(item["heed_seq"], int)


def test_follow_stays_on_seed_hosts_and_max_pages_caps(make_server, crawl) -> None:
    server = make_server()
    chain_site(server, 10)
    result = crawl([server.url_for("/p0")], spider_args={"max_pages": "4"})
    assert result.item_urls == {server.url_for(f"/p{i}") for i in range(4)}
    assert not any("localhost:1" in r["url"] for r in result.decisions())


def test_seeds_file_with_comments_and_keep_html(make_server, crawl, tmp_path: Path) -> None:
    server = make_server()
    chain_site(server, 3)
    seeds = tmp_path / "seeds.txt"
    seeds.write_text(f"# seeds\n{server.url_for('/p0')}\n\n{server.url_for('/p2')}  # last\n")
    result = crawl(
        spider_args={"seeds": str(seeds), "follow": "no"}, settings={"HEED_KEEP_HTML": True}
    )
    assert result.item_urls == {server.url_for("/p0"), server.url_for("/p2")}
    assert all("<h1>" in item["html"] for item in result.items)


def test_bad_arguments_are_clear_errors(crawl) -> None:
    result = crawl(spider_args={"urls": "ftp://127.0.0.1/x"})
    assert result.returncode != 0 and "not an http(s) URL" in result.stderr
    result = crawl(spider_args={"urls": "http://127.0.0.1:9/", "follow": "maybe"})
    assert "use follow=yes or follow=no" in result.stderr


def test_max_pages_counts_pages_fetched_not_repeated_or_denied_links(make_server, crawl) -> None:
    server = make_server()
    server.expect_request("/robots.txt").respond_with_data("User-agent: *\nDisallow: /private/\n")
    # Every page links back to the start, to itself twice and to a disallowed page first.
    for i in range(6):
        links = "".join(
            f'<a href="{path}">x</a>'
            for path in ("/private/a", "/p0", f"/p{i}", f"/p{i}", f"/p{i + 1}")
        )
        server.expect_request(f"/p{i}").respond_with_data(links, content_type=HTML)
    result = crawl([server.url_for("/p0")], spider_args={"max_pages": "3"})
    assert result.item_urls == {server.url_for(f"/p{i}") for i in range(3)}


def test_a_page_replayed_from_the_http_cache_keeps_its_fetch_time_and_says_cached(
    make_server, crawl, tmp_path: Path
) -> None:
    server = make_server()
    chain_site(server, 1)
    settings = {"HTTPCACHE_ENABLED": True, "HTTPCACHE_DIR": str(tmp_path / "cache")}
    args = {"follow": "no"}
    (first,) = crawl([server.url_for("/p0")], settings=settings, spider_args=args).items
    (again,) = crawl([server.url_for("/p0")], settings=settings, spider_args=args).items
    assert first["cached"] is False and again["cached"] is True
    assert again["fetched_at"] == first["fetched_at"]
    assert first["fetched_at"].endswith("Z")


def test_a_page_over_the_extraction_limit_gets_its_whole_text_not_trafilaturas(
    make_server, crawl
) -> None:
    server = make_server()
    server.expect_request("/robots.txt").respond_with_data("User-agent: *\nDisallow:\n")
    nav = '<nav><a href="/a">Home</a> | <a href="/b">About us</a></nav>'
    story = "".join(f"<p>Paragraph {i} of the story, told in full.</p>" for i in range(40))
    page = f"<html><head><title>T</title></head><body>{nav}<article>{story}</article></body></html>"
    server.expect_request("/small").respond_with_data(page, content_type=HTML)
    server.expect_request("/large").respond_with_data(page + " " * 4000, content_type=HTML)
    result = crawl(
        [server.url_for("/small"), server.url_for("/large")],
        spider_args={"follow": "no"},
        settings={"HEED_EXTRACT_MAX_BYTES": len(page) + 100},
    )
    items = {item["url"].rsplit("/", 1)[1]: item for item in result.items}
    # Within the limit: trafilatura's main content, without the navigation.
    assert items["small"]["text_source"] == "main_content"
    assert "Paragraph 39 of the story" in items["small"]["text"]
    assert "About us" not in items["small"]["text"]
    # Over it: the whole visible text, navigation included, said so, and the title still read.
    assert items["large"]["text_source"] == "whole_text"
    assert "Paragraph 39 of the story" in items["large"]["text"]
    assert "About us" in items["large"]["text"]
    assert items["large"]["title"] == "T"
