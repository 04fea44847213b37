"""The RFC 9309 robots gate, through real crawls against servers on 127.0.0.1."""

from __future__ import annotations

import time
from collections.abc import Iterator
from itertools import pairwise
from urllib.parse import urlsplit

import pytest
from werkzeug import Request, Response

from tests.crawler.test_send_gate import seconds

HTML = "text/html; charset=utf-8"


def page(links: list[str] = (), text: str = "hello") -> str:
    anchors = "".join(f'<a href="{link}">{link}</a>' for link in links)
    return f"<html><body><p>{text}</p>{anchors}</body></html>"


def robots_hits(server) -> int:
    return sum(1 for req, _ in server.log if req.path == "/robots.txt")


def page_hits(server, path: str) -> int:
    return sum(1 for req, _ in server.log if req.path == path)


def serve_pages(server, paths: list[str]) -> None:
    for path in paths:
        server.expect_request(path).respond_with_data(page(), content_type=HTML)


def test_disallowed_page_is_never_fetched_and_allowed_page_is_kept(make_server, crawl) -> None:
    server = make_server()
    server.expect_request("/robots.txt").respond_with_data(
        "User-agent: *\nDisallow: /private/\n", content_type="text/plain"
    )
    server.expect_request("/").respond_with_data(page(["/private/x", "/open"]), content_type=HTML)
    serve_pages(server, ["/private/x", "/open"])
    result = crawl([server.url_for("/")])
    assert result.returncode == 0, result.stderr
    assert page_hits(server, "/private/x") == 0
    assert result.item_urls == {server.url_for("/"), server.url_for("/open")}
    deny = result.decision_for(server.url_for("/private/x"))
    assert deny["decision"] == "deny" and deny["reason"] == "robots.disallow"
    evidence = deny["evidence"]["robots"]
    assert evidence["rule"] == "Disallow: /private/" and evidence["rule_line"] == 2
    assert evidence["token"] == "HeedTestBot" and len(evidence["doc_sha256"]) == 64
    allowed = result.decision_for(server.url_for("/open"))
    assert allowed["decision"] == "allow"
    assert allowed["evidence"]["robots"]["rule"] == "no rule matched"
    # Every item names the response decision that let it in.
    seqs = {r["seq"]: r for r in result.decisions("response")}
    for item in result.items:
        assert seqs[item["heed_seq"]]["url"] == item["url"]
        assert seqs[item["heed_seq"]]["decision"] == "allow"


@pytest.mark.parametrize(
    ("status", "fetched", "reason"),
    [
        (200, False, "robots.disallow"),
        (404, True, "robots.unavailable"),
        (401, True, "robots.unavailable"),
        (403, True, "robots.unavailable"),
        (410, True, "robots.unavailable"),
        (429, False, "robots.unreachable"),
        (500, False, "robots.unreachable"),
        (503, False, "robots.unreachable"),
    ],
    ids=lambda v: str(v),
)
def test_robots_status_decides_the_whole_origin(
    make_server, crawl, status, fetched, reason
) -> None:
    server = make_server()
    server.expect_request("/robots.txt").respond_with_data(
        "User-agent: *\nDisallow: /\n", status=status, content_type="text/plain"
    )
    serve_pages(server, ["/page"])
    result = crawl([server.url_for("/page")])
    assert page_hits(server, "/page") == int(fetched)
    decision = result.decision_for(server.url_for("/page"))
    assert decision["findings"]["robots"]["reason"] == reason
    assert decision["evidence"]["robots"]["doc_status"] == status


def test_connection_refused_is_unreachable_and_disallows(crawl) -> None:
    import socket

    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = crawl([f"http://127.0.0.1:{port}/page"])
    decision = result.decision_for(f"http://127.0.0.1:{port}/page")
    assert decision["decision"] == "deny" and decision["reason"] == "robots.unreachable"
    evidence = decision["evidence"]["robots"]
    assert evidence["doc_error"]
    # Nothing was received: the evidence says so, with no fetch time and no digest of nothing.
    assert evidence["doc_fetched"] is False and evidence["doc_status"] is None
    assert "doc_fetched_at" not in evidence and "doc_sha256" not in evidence


def test_redirects_are_followed_across_hosts_and_apply_to_the_initial_origin(
    make_server, crawl
) -> None:
    first, second = make_server(), make_server()
    first.expect_request("/robots.txt").respond_with_data(
        "", status=301, headers={"Location": second.url_for("/hop1")}
    )
    second.expect_request("/hop1").respond_with_data(
        "", status=302, headers={"Location": "/final-robots.txt"}
    )
    second.expect_request("/final-robots.txt").respond_with_data(
        "User-agent: HeedTestBot\nDisallow: /secret\n", content_type="text/plain"
    )
    serve_pages(first, ["/secret", "/public"])
    result = crawl([first.url_for("/secret"), first.url_for("/public")])
    assert page_hits(first, "/secret") == 0 and page_hits(first, "/public") == 1
    deny = result.decision_for(first.url_for("/secret"))
    assert deny["reason"] == "robots.disallow"
    assert deny["evidence"]["robots"]["doc_redirects"] == [
        second.url_for("/hop1"),
        second.url_for("/final-robots.txt"),
    ]
    # The robots.txt hops themselves passed the request gate and are on record.
    assert result.decision_for(second.url_for("/hop1"))["reason"] == "robots.policy_document"


@pytest.mark.parametrize(("hops", "allowed"), [(5, True), (6, False)], ids=["5-hops", "6-hops"])
def test_more_than_five_redirects_is_unreachable(make_server, crawl, hops, allowed) -> None:
    server = make_server()
    chain = ["/robots.txt"] + [f"/r{i}" for i in range(1, hops + 1)]
    for here, there in zip(chain, chain[1:], strict=False):
        server.expect_request(here).respond_with_data("", status=302, headers={"Location": there})
    server.expect_request(chain[-1]).respond_with_data("User-agent: *\nAllow: /\n")
    serve_pages(server, ["/page"])
    result = crawl([server.url_for("/page")])
    assert page_hits(server, "/page") == int(allowed)
    reason = result.decision_for(server.url_for("/page"))["findings"]["robots"]["reason"]
    assert reason == ("robots.allow" if allowed else "robots.unreachable")


def test_redirect_loop_is_unreachable(make_server, crawl) -> None:
    server = make_server()
    server.expect_request("/robots.txt").respond_with_data("", 302, {"Location": "/loop"})
    server.expect_request("/loop").respond_with_data("", 302, {"Location": "/robots.txt"})
    serve_pages(server, ["/page"])
    result = crawl([server.url_for("/page")])
    assert result.decision_for(server.url_for("/page"))["reason"] == "robots.unreachable"
    assert page_hits(server, "/page") == 0


def test_bom_is_stripped_and_crlf_accepted(make_server, crawl) -> None:
    server = make_server()
    server.expect_request("/robots.txt").respond_with_data(
        b"\xef\xbb\xbfUser-agent: *\r\nDisallow: /no\r\n", content_type="text/plain"
    )
    serve_pages(server, ["/no", "/yes"])
    result = crawl([server.url_for("/no"), server.url_for("/yes")])
    assert result.decision_for(server.url_for("/no"))["reason"] == "robots.disallow"
    assert page_hits(server, "/yes") == 1


def test_large_robots_is_cut_at_the_limit_not_rejected(make_server, crawl) -> None:
    server = make_server()
    filler = "# padding line to push the next rule past the parse limit\n" * 12000  # ~700 KB
    body = "User-agent: *\nDisallow: /early\n" + filler + "Disallow: /late\n"
    server.expect_request("/robots.txt").respond_with_data(body, content_type="text/plain")
    serve_pages(server, ["/early", "/late"])
    result = crawl([server.url_for("/early"), server.url_for("/late")])
    early = result.decision_for(server.url_for("/early"))
    assert early["reason"] == "robots.disallow" and early["evidence"]["robots"]["doc_truncated"]
    assert result.decision_for(server.url_for("/late"))["decision"] == "allow"


def test_endless_robots_txt_stops_downloading_at_the_limit(make_server, crawl) -> None:
    """The download itself stops at the limit: an endless body is cut, not read to its end
    (which would never come) or to the timeout (which would make the origin unreachable)."""
    server = make_server()

    def endless(request: Request) -> Response:
        def body() -> Iterator[bytes]:
            yield b"User-agent: *\nDisallow: /early\n"
            while True:
                yield b"# padding\n" * 6000

        return Response(body(), content_type="text/plain")

    server.expect_request("/robots.txt").respond_with_handler(endless)
    serve_pages(server, ["/early", "/late"])
    started = time.monotonic()
    result = crawl(
        [server.url_for("/early"), server.url_for("/late")],
        settings={"HEED_ROBOTS_MAX_BYTES": 100_000, "HEED_ROBOTS_TIMEOUT": 20},
    )
    early = result.decision_for(server.url_for("/early"))
    assert early["reason"] == "robots.disallow" and early["evidence"]["robots"]["doc_truncated"]
    assert result.decision_for(server.url_for("/late"))["decision"] == "allow"
    assert time.monotonic() - started < 15


def test_robots_txt_that_trickles_forever_times_out_as_unreachable(make_server, crawl) -> None:
    server = make_server()

    def trickle(request: Request) -> Response:
        def body() -> Iterator[bytes]:
            yield b"User-agent: *\n"
            for _ in range(600):
                time.sleep(0.1)
                yield b"#"

        return Response(body(), content_type="text/plain")

    server.expect_request("/robots.txt").respond_with_handler(trickle)
    serve_pages(server, ["/page"])
    started = time.monotonic()
    result = crawl([server.url_for("/page")], settings={"HEED_ROBOTS_TIMEOUT": 1})
    assert time.monotonic() - started < 30
    assert result.decision_for(server.url_for("/page"))["reason"] == "robots.unreachable"
    assert page_hits(server, "/page") == 0


def test_slow_robots_is_fetched_once_for_thirty_waiting_requests(make_server, crawl) -> None:
    server = make_server()

    def slow_robots(request: Request) -> Response:
        time.sleep(0.5)
        return Response("User-agent: *\nDisallow: /d/\n", content_type="text/plain")

    server.expect_request("/robots.txt").respond_with_handler(slow_robots)
    denied = [f"/d/{i}" for i in range(20)]
    allowed = [f"/a/{i}" for i in range(10)]
    serve_pages(server, denied + allowed)
    result = crawl(
        [server.url_for(p) for p in denied + allowed],
        settings={"CONCURRENT_REQUESTS": 32, "CONCURRENT_REQUESTS_PER_DOMAIN": 32},
    )
    assert robots_hits(server) == 1
    assert sum(page_hits(server, p) for p in denied) == 0
    assert sum(page_hits(server, p) for p in allowed) == 10
    assert len([r for r in result.decisions("request") if r["reason"] == "robots.disallow"]) == 20


def test_another_port_is_another_origin(make_server, crawl) -> None:
    strict, open_ = make_server(), make_server()
    strict.expect_request("/robots.txt").respond_with_data("User-agent: *\nDisallow: /\n")
    open_.expect_request("/robots.txt").respond_with_data("User-agent: *\nDisallow:\n")
    serve_pages(strict, ["/p"])
    serve_pages(open_, ["/p"])
    result = crawl([strict.url_for("/p"), open_.url_for("/p")])
    assert page_hits(strict, "/p") == 0 and page_hits(open_, "/p") == 1
    assert robots_hits(strict) == 1 and robots_hits(open_) == 1
    assert result.decision_for(open_.url_for("/p"))["decision"] == "allow"


def test_expired_robots_is_fetched_again(make_server, crawl) -> None:
    server = make_server()
    server.expect_request("/robots.txt").respond_with_data("User-agent: *\nAllow: /\n")
    server.expect_request("/1").respond_with_data(page(["/2"]), content_type=HTML)
    server.expect_request("/2").respond_with_data(page(["/3"]), content_type=HTML)
    serve_pages(server, ["/3"])
    crawl(
        [server.url_for("/1")],
        settings={"HEED_ROBOTS_TTL": 1, "DOWNLOAD_DELAY": 1.2, "CONCURRENT_REQUESTS_PER_DOMAIN": 1},
    )
    assert robots_hits(server) >= 2


def test_crawl_delay_spaces_every_page_request_as_the_server_sees_them(make_server, crawl) -> None:
    server = make_server()
    server.expect_request("/robots.txt").respond_with_data("User-agent: *\nCrawl-delay: 0.5\n")
    arrivals: list[float] = []

    def arrive(request: Request) -> Response:
        arrivals.append(time.monotonic())
        return Response(page(), content_type=HTML)

    paths = [f"/{i}" for i in range(10)]
    for path in paths:
        server.expect_request(path).respond_with_handler(arrive)
    result = crawl([server.url_for(p) for p in paths])
    assert result.returncode == 0, result.stderr
    # Measured where the requests leave, by the send-time records: each gap at least the delay
    # (a randomised delay, Scrapy's default for DOWNLOAD_DELAY, would fall below it about half
    # the time).
    sent = sorted(
        seconds(r["ts"]) for r in result.decisions("request") if urlsplit(r["url"]).path in paths
    )
    assert len(sent) == len(paths)
    assert min(b - a for a, b in pairwise(sent)) >= 0.5 - 0.005, sent
    # And where they arrive, within what the server's own thread may be scheduled late on a
    # loaded machine (a randomised delay would still fall below this in all but 0.5 % of runs).
    assert len(arrivals) == len(paths)
    gaps = [later - earlier for earlier, later in pairwise(arrivals)]
    assert min(gaps) >= 0.5 - 0.05, gaps


@pytest.mark.parametrize(
    "body",
    [
        bytes(range(256)) * 400,
        b"User-agent: *\n" + b"Disallow: /*a*b*c*d*e*f*g*h*$\n" * 10000,
        b"\x00\xff" * 5_000_000,
    ],
    ids=["binary-garbage", "10000-wildcard-rules", "10MB"],
)
def test_hostile_robots_never_crashes_and_is_logged(make_server, crawl, body) -> None:
    server = make_server()
    server.expect_request("/robots.txt").respond_with_data(body, content_type="text/plain")
    serve_pages(server, ["/" + "ab" * 500])
    url = server.url_for("/" + "ab" * 500)
    result = crawl([url])
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert result.decision_for(url)["check"] == "robots"


def test_default_scrapy_agent_is_refused(make_server, crawl) -> None:
    server = make_server()
    serve_pages(server, ["/robots.txt", "/p"])
    result = crawl(
        [server.url_for("/p")], settings={"USER_AGENT": "Scrapy/2.19.0 (+https://scrapy.org)"}
    )
    assert result.returncode == 2
    assert "heed: error: USER_AGENT=" in result.stderr and "Scrapy's default agent" in result.stderr
    assert "Traceback" not in result.stderr
    assert len(server.log) == 0


def test_unwritable_log_stops_the_crawl_before_any_fetch(make_server, crawl, tmp_path) -> None:
    server = make_server()
    serve_pages(server, ["/robots.txt", "/p"])
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    result = crawl(
        [server.url_for("/p")], settings={"HEED_DECISION_LOG": str(blocker / "log.jsonl")}
    )
    assert result.returncode != 0
    assert "cannot create the decision log" in result.stderr
    assert len(server.log) == 0


def test_log_failure_mid_crawl_stops_it_with_no_unlogged_fetch(make_server, crawl) -> None:
    server = make_server()
    server.expect_request("/robots.txt").respond_with_data("User-agent: *\nAllow: /\n")
    links = [f"/p{i}" for i in range(40)]
    server.expect_request("/").respond_with_data(page(links), content_type=HTML)
    serve_pages(server, links)
    # The log may grow to a few records only, then every write fails (EFBIG).
    result = crawl([server.url_for("/")], file_size_limit=6000)
    assert "heed_log_failed" in result.stderr or "Heed stops the crawl" in result.stderr
    logged = {r["url"] for r in result.decisions("request") if r["decision"] == "allow"}
    fetched = {server.url_for(req.path) for req, _ in server.log}
    assert fetched <= logged, fetched - logged
    assert len(fetched) < 41


def test_other_policy_files_are_fetched_only_where_robots_txt_allows(make_server, crawl) -> None:
    server = make_server()
    server.expect_request("/robots.txt").respond_with_data(
        "User-agent: *\nDisallow: /.well-known/\nDisallow: /ai.txt\n"
    )
    serve_pages(server, ["/page", "/.well-known/tdmrep.json", "/ai.txt"])
    result = crawl([server.url_for("/page")])
    assert page_hits(server, "/.well-known/tdmrep.json") == 0 and page_hits(server, "/ai.txt") == 0
    refused = result.decision_for(server.url_for("/.well-known/tdmrep.json"))
    assert refused["decision"] == "deny" and refused["reason"] == "robots.disallow"
    assert result.decision_for(server.url_for("/page"))["decision"] == "allow"
    assert page_hits(server, "/page") == 1
