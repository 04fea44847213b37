"""Access controls through real crawls: paywalls, refusals and login walls are never taken."""

from __future__ import annotations

import json

import pytest

HTML = "text/html; charset=utf-8"
ROBOTS_OPEN = "User-agent: *\nDisallow:\n"
ARTICLE = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": "Headline"}
# Google Search Central, "Subscription and paywalled content".
PARTLY_PAID = {
    **ARTICLE,
    "isAccessibleForFree": False,
    "hasPart": {"@type": "WebPageElement", "isAccessibleForFree": False, "cssSelector": ".paywall"},
}


def json_ld(data: object) -> str:
    return f'<script type="application/ld+json">{json.dumps(data)}</script>'


def article(head: str = "", body: str = "<p>free words</p>") -> str:
    return f"<html><head><meta charset='utf-8'>{head}</head><body>{body}</body></html>"


def site(server, pages: dict[str, str]) -> None:
    """robots.txt open, an index linking every page, and the pages themselves."""
    server.expect_request("/robots.txt").respond_with_data(ROBOTS_OPEN)
    links = "".join(f'<a href="{p}">{p}</a>' for p in pages)
    server.expect_request("/").respond_with_data(article(body=links), content_type=HTML)
    for path, markup in pages.items():
        server.expect_request(path).respond_with_data(markup, content_type=HTML)


def hits(server, path: str) -> int:
    return sum(1 for request, _ in server.log if request.path == path)


def test_declared_paywalls_are_denied_and_free_pages_kept(make_server, crawl) -> None:
    server = make_server()
    site(
        server,
        {
            "/paid": article(
                json_ld({**ARTICLE, "isAccessibleForFree": False}), "<p>paid words</p>"
            ),
            "/locked": article('<meta property="article:content_tier" content="locked">'),
            "/metered": article('<meta property="article:content_tier" content="metered">'),
            "/amp": article(
                '<script async custom-element="amp-subscriptions" src="a.js"></script>',
                '<section subscriptions-section="content">paid words</section>',
            ),
            "/free": article('<meta property="article:content_tier" content="free">'),
        },
    )
    result = crawl([server.url_for("/")])
    assert result.returncode == 0, result.stderr
    assert result.item_urls == {server.url_for("/"), server.url_for("/free")}
    expected = {
        "/paid": ("paywall.schema_org", "json-ld[0]/isAccessibleForFree", False),
        "/locked": ("paywall.content_tier", "meta article:content_tier", "locked"),
        "/metered": ("paywall.content_tier", "meta article:content_tier", "metered"),
        "/amp": ("paywall.amp", "/html/body/section", "content"),
    }
    for path, (reason, where, value) in expected.items():
        record = result.decision_for(server.url_for(path), "response")
        assert (record["decision"], record["check"], record["reason"]) == (
            "deny",
            "paywall",
            reason,
        )
        assert record["evidence"]["paywall"]["where"] == where
        assert record["evidence"]["paywall"]["value"] == value
    assert "paid words" not in (result.log_path.parent / "items.jsonl").read_text()


def test_a_broken_json_ld_block_does_not_hide_the_paywall(make_server, crawl) -> None:
    server = make_server()
    head = '<script type="application/ld+json">{"@type": "BreadcrumbList",</script>'
    site(server, {"/paid": article(head + json_ld({**ARTICLE, "isAccessibleForFree": "False"}))})
    result = crawl([server.url_for("/paid")])
    record = result.decision_for(server.url_for("/paid"), "response")
    assert record["reason"] == "paywall.schema_org"
    assert record["evidence"]["paywall"]["where"] == "json-ld[1]/isAccessibleForFree"


PARTIAL_BODY = '<p class="intro">free intro</p><div class="paywall">paid analysis</div><p>outro</p>'


def test_partly_paywalled_page_is_denied_by_default(make_server, crawl) -> None:
    server = make_server()
    site(server, {"/partial": article(json_ld(PARTLY_PAID), PARTIAL_BODY)})
    result = crawl([server.url_for("/partial")])
    record = result.decision_for(server.url_for("/partial"), "response")
    assert record["decision"] == "deny" and record["reason"] == "paywall.schema_org_partial"
    assert record["evidence"]["paywall"]["selectors"] == [".paywall"]
    assert result.items == []


def test_keep_free_passes_on_only_the_free_part(make_server, crawl) -> None:
    server = make_server()
    markup = article(json_ld(PARTLY_PAID), PARTIAL_BODY)
    site(server, {"/partial": markup})
    result = crawl(
        [server.url_for("/partial")],
        settings={"HEED_PAYWALL_PARTIAL": "keep_free", "HEED_KEEP_HTML": True},
    )
    assert result.returncode == 0, result.stderr
    record = result.decision_for(server.url_for("/partial"), "response")
    assert record["decision"] == "allow"
    evidence = record["evidence"]["paywall"]
    assert evidence["removed_elements"] == 1 and evidence["selectors"] == [".paywall"]
    (item,) = result.items
    assert "free intro" in item["text"] and "outro" in item["text"]
    assert "paid analysis" not in item["text"] and "paid analysis" not in item["html"]
    assert record["bytes"] == len(item["html"].encode()) < len(markup.encode())
    assert result.records[0]["access"]["paywall_partial"] == "keep_free"


@pytest.mark.parametrize("status", [401, 402, 403])
def test_refused_responses_are_denied_once_and_never_retried(make_server, crawl, status) -> None:
    server = make_server()
    server.expect_request("/robots.txt").respond_with_data(ROBOTS_OPEN)
    server.expect_request("/members").respond_with_data(
        "members only", status=status, headers={"WWW-Authenticate": 'Basic realm="m"'}
    )
    # Even a crawl told to retry these codes must not ask again.
    retry = {"RETRY_ENABLED": True, "RETRY_HTTP_CODES": "401,402,403", "RETRY_TIMES": 3}
    result = crawl([server.url_for("/members")], settings=retry)
    assert result.returncode == 0, result.stderr
    assert hits(server, "/members") == 1
    record = result.decision_for(server.url_for("/members"), "response")
    assert record["decision"] == "deny" and record["reason"] == f"access.http_{status}"
    assert record["check"] == "access" and record["evidence"]["access"]["status"] == status
    assert result.items == []


def test_redirect_to_a_login_page_is_a_login_wall_never_followed(make_server, crawl) -> None:
    server = make_server()
    server.expect_request("/robots.txt").respond_with_data(ROBOTS_OPEN)
    server.expect_request("/story").respond_with_data(
        "", status=302, headers={"Location": "/account/login?next=/story"}
    )
    server.expect_request("/account/login").respond_with_data(article(), content_type=HTML)
    server.expect_request("/moved").respond_with_data("", status=301, headers={"Location": "/new"})
    server.expect_request("/new").respond_with_data(article(), content_type=HTML)
    result = crawl([server.url_for("/story"), server.url_for("/moved")])
    assert result.returncode == 0, result.stderr
    assert hits(server, "/account/login") == 0
    record = result.decision_for(server.url_for("/story"), "response")
    assert record["decision"] == "deny" and record["reason"] == "access.login_redirect"
    evidence = record["evidence"]["access"]
    assert evidence["location"] == server.url_for("/account/login?next=/story")
    assert evidence["status"] == 302 and evidence["pattern"]
    assert result.item_urls == {server.url_for("/new")}


def test_site_cookies_are_kept_as_its_own_session(make_server, crawl) -> None:
    server = make_server()
    server.expect_request("/robots.txt").respond_with_data(ROBOTS_OPEN)
    server.expect_request("/").respond_with_data(
        article(body='<a href="/next">next</a>'),
        content_type=HTML,
        headers={"Set-Cookie": "meter=1; Path=/"},
    )
    server.expect_request("/next").respond_with_data(article(), content_type=HTML)
    result = crawl([server.url_for("/")])
    assert result.returncode == 0, result.stderr
    (sent,) = [r for r, _ in server.log if r.path == "/next"]
    assert sent.headers.get("Cookie") == "meter=1"
    assert result.decision_for(server.url_for("/next"))["decision"] == "allow"


@pytest.mark.parametrize(
    "headers",
    [{"Authorization": "Bearer x"}, {"Cookie": "session=1"}, {"User-Agent": "Mozilla/5.0"}],
)
def test_default_headers_that_would_get_around_a_wall_stop_the_crawl(crawl, headers) -> None:
    result = crawl(["http://127.0.0.1:9/"], settings={"DEFAULT_REQUEST_HEADERS": headers})
    assert result.returncode != 0
    assert "DEFAULT_REQUEST_HEADERS sets" in result.stderr


@pytest.mark.parametrize(
    "markup",
    [
        article('<script type="application/ld+json">' + "[" * 50_000 + "</script>"),
        article('<script type="application/ld+json">{"isAccessibleForFree": NaN}</script>'),
        article(
            json_ld({**ARTICLE, "hasPart": {"isAccessibleForFree": False, "cssSelector": "<<"}})
        ),
        "<html><body itemscope><div itemprop='isAccessibleForFree' itemscope>" * 300,
        "\x00\xff<html<<<>>>",
    ],
    ids=["absurd-nesting", "nan", "bad-selector", "microdata-nesting", "junk"],
)
def test_malformed_markup_never_crashes_a_crawl(make_server, crawl, markup) -> None:
    server = make_server()
    site(server, {"/odd": markup})
    result = crawl([server.url_for("/odd")], settings={"HEED_PAYWALL_PARTIAL": "keep_free"})
    assert result.returncode == 0, result.stderr
    record = result.decision_for(server.url_for("/odd"), "response")
    assert record["reason"] != "gate.check_error", record
    assert "Traceback" not in result.stderr


def test_demo_news_site_restrictions_are_each_denied(crawl) -> None:
    from crawler.demo.server import serve_demo

    with serve_demo() as demo:
        result = crawl([demo.url("paywalled")])
        login_hits = demo.hits[("paywalled", "/account/login.html")]
    assert result.returncode == 0, result.stderr
    expected = {
        "/articles/paywalled.html": "paywall.schema_org",
        "/articles/partly-paywalled.html": "paywall.schema_org_partial",
        "/articles/metered.html": "paywall.content_tier",
        "/articles/amp.html": "paywall.amp",
        "/members/report": "access.login_redirect",
        "/archive/2019": "access.http_401",
        "/premium/data": "access.http_402",
        "/staff/": "access.http_403",
    }
    for path, reason in expected.items():
        record = result.decision_for(demo.url("paywalled", path), "response")
        assert (record["decision"], record["reason"]) == ("deny", reason), path
    assert result.item_urls == {demo.url("paywalled"), demo.url("paywalled", "/articles/free.html")}
    assert login_hits == 0
