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
    assert item["fetched_at"].endswith("Z") and isinstance(item["seq"], int)


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
