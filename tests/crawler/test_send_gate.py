"""The request decision is taken as the request leaves, not when it was queued: real crawls
of one host with a Crawl-delay, the server's own arrival times as the clock."""

from __future__ import annotations

import json
import subprocess
import threading
import time
from datetime import datetime
from itertools import pairwise
from pathlib import Path

from scrapy.http import HtmlResponse
from werkzeug import Request, Response

from crawler import slots
from crawler.components import shared
from crawler.origin.robots import RobotsPolicy
from reservations.verdict import Verdict, allow
from tests.crawler.checks.test_blocklist_gate import write_list
from tests.crawler.origin.test_policy_cache import cache_settings
from tests.crawling import crawl_command, interrupt_crawl, read_crawl

HTML = "text/html; charset=utf-8"
PAGES = [f"/p{n}" for n in range(10)]


def seconds(ts: str) -> float:
    return datetime.fromisoformat(ts.replace("Z", "+00:00")).timestamp()


class Site:
    """``/`` links to ten pages; every arrival is timed on the server; ``on_page`` runs when a
    page is served, with how many pages were served before it."""

    def __init__(self, server, crawl_delay: float, on_page=None, closes_after: int = 99) -> None:
        self.arrivals: list[tuple[str, float]] = []
        self.lock = threading.Lock()
        self.on_page = on_page
        self.robots = f"User-agent: *\nCrawl-delay: {crawl_delay}\n"
        self.closes_after = closes_after
        server.expect_request("/robots.txt").respond_with_handler(self._robots)
        links = "".join(f'<a href="{p}">{p}</a>' for p in PAGES)
        server.expect_request("/").respond_with_handler(self._serve(links, HTML))
        for page in PAGES:
            server.expect_request(page).respond_with_handler(self._serve(page, HTML))

    def _serve(self, body: str, content_type: str = "text/plain"):
        def handle(request: Request) -> Response:
            with self.lock:
                served = sum(1 for path, _ in self.arrivals if path in PAGES)
                self.arrivals.append((request.path, time.time()))
            if self.on_page is not None and request.path in PAGES:
                self.on_page(served)
            return Response(body, content_type=content_type)

        return handle

    def _robots(self, request: Request) -> Response:
        """``Allow: /`` until ``closes_after`` pages were served, then ``Disallow: /``."""
        rule = "Allow: /" if len(self.pages()) < self.closes_after else "Disallow: /"
        return self._serve(f"{self.robots}{rule}\n")(request)

    def paths(self) -> list[str]:
        with self.lock:
            return [path for path, _ in self.arrivals]

    def pages(self) -> list[tuple[str, float]]:
        with self.lock:
            return [(path, at) for path, at in self.arrivals if path in PAGES]


def test_a_host_listed_while_requests_wait_out_the_crawl_delay_is_not_contacted_again(
    make_server, crawl, tmp_path: Path
) -> None:
    server = make_server()
    lists = write_list(tmp_path / "list.yaml", "blocked.test")
    edited: list[float] = []

    def list_the_host_after_three_pages(served: int) -> None:
        if served == 2:
            write_list(lists, "blocked.test", "localhost", version="2")
            edited.append(time.time())

    site = Site(server, crawl_delay=2, on_page=list_the_host_after_three_pages)
    seed = f"http://localhost:{server.port}/"
    result = crawl(
        [seed],
        settings={"HEED_BLOCKLISTS": [str(lists)], "HEED_BLOCKLIST_RELOAD_S": 0.1},
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    served = site.pages()
    assert len(served) == 3 and all(at <= edited[0] for _, at in served)
    sent = {f"http://localhost:{server.port}{path}": at for path, at in served}
    records = {r["url"]: r for r in result.decisions("request") if r["url"].endswith(tuple(PAGES))}
    assert len(records) == 10  # one request decision per page, no more
    for url, at in sent.items():
        assert records[url]["decision"] == "allow"
        assert 0 <= at - seconds(records[url]["ts"]) < 0.25  # recorded as it was sent
    denied = sorted(seconds(r["ts"]) for r in records.values() if r["decision"] == "deny")
    assert len(denied) == 7
    assert all(r["reason"] == "blocklist.listed" for r in records.values() if r["url"] not in sent)
    # Each deny was taken when its turn to be sent came, one Crawl-delay after the last.
    assert denied[0] > edited[0]
    assert all(1.5 < later - earlier < 3 for earlier, later in pairwise(denied))


def assert_two_sent_then_denied(site: Site, result, reason: str) -> None:
    """Two pages sent, then the other eight denied for ``reason`` as their turn came."""
    assert result.returncode == 0, result.stderr
    assert len(site.pages()) == 2
    records = [r for r in result.decisions("request") if r["url"].endswith(tuple(PAGES))]
    assert len(records) == 10
    denied = [r for r in records if r["decision"] == "deny"]
    assert len(denied) == 8 and {r["reason"] for r in denied} == {reason}


def test_a_robots_txt_that_closes_while_requests_wait_is_obeyed_when_they_leave(
    make_server, crawl
) -> None:
    server = make_server()
    site = Site(server, crawl_delay=1.5, closes_after=2)
    result = crawl(
        [server.url_for("/")],
        # One request at a time, robots.txt trusted for less than a Crawl-delay: each request
        # holds the host's only place while its send-time check fetches robots.txt again.
        settings={"HEED_ROBOTS_TTL": 1, "CONCURRENT_REQUESTS_PER_DOMAIN": 1},
        timeout=120,
    )
    assert_two_sent_then_denied(site, result, "robots.disallow")


def test_ctrl_c_stops_at_once_instead_of_waiting_out_the_crawl_delay(
    make_server, tmp_path: Path
) -> None:
    server = make_server()
    site = Site(server, crawl_delay=30)
    command = crawl_command(tmp_path, [server.url_for("/")], settings={"HEED_BLOCKLISTS": []})
    # Its ten links are queued behind the 30 s Crawl-delay a second after "/" was served.
    stop = interrupt_crawl(tmp_path, command, lambda: "/" in site.paths(), settle=1)
    result, interrupted, stopped, stderr = stop.result, stop.at, stop.took, stop.result.stderr
    assert stopped < 5, stderr
    assert site.pages() == [] and all(at < interrupted for _, at in site.arrivals)
    pages = [r for r in result.decisions("request") if r["url"].endswith(tuple(PAGES))]
    assert len(pages) == 10
    assert all(r["decision"] == "deny" and r["reason"] == "gate.stopped" for r in pages)
    assert all(seconds(r["ts"]) >= interrupted for r in pages)


def test_a_paused_crawl_sends_on_resume_what_the_stop_kept_from_leaving(
    make_server, tmp_path: Path
) -> None:
    server = make_server()
    site = Site(server, crawl_delay=30)
    jobdir = tmp_path / "job"
    command = crawl_command(
        tmp_path, [server.url_for("/")], settings={"JOBDIR": str(jobdir)}, log_name="one.jsonl"
    )
    paused = interrupt_crawl(
        tmp_path, command, lambda: "/" in site.paths(), settle=1, log_name="one.jsonl"
    ).result
    stderr = paused.stderr
    stopped = [r for r in paused.decisions("request") if r["reason"] == "gate.stopped"]
    assert len(stopped) == 10 and site.pages() == [], stderr[-3000:]
    # Resumed (with the Crawl-delay capped, to keep the test short): every page is sent.
    args, env = crawl_command(
        tmp_path,
        [server.url_for("/")],
        settings={"JOBDIR": str(jobdir), "HEED_MAX_CRAWL_DELAY": 0.1},
        log_name="two.jsonl",
    )
    proc2 = subprocess.run(args, cwd=tmp_path, env=env, capture_output=True, text=True)
    resumed = read_crawl(tmp_path, proc2.returncode, proc2.stdout, proc2.stderr, "two.jsonl")
    assert proc2.returncode == 0, proc2.stderr[-3000:]
    assert sorted(path for path, _ in site.pages()) == sorted(PAGES)
    assert {item["url"].rsplit("/", 1)[1] for item in resumed.items} == {page[1:] for page in PAGES}


def test_the_private_scrapy_api_a_graceful_stop_uses_is_still_there() -> None:
    from scrapy.core.downloader import Downloader, Slot
    from scrapy.core.engine import ExecutionEngine, _Slot

    assert callable(Downloader._process_queue)
    assert {"queue", "delay", "close"} <= set(dir(Slot(1, 0.0, 0.0)))
    assert "closing" in _Slot.__init__.__code__.co_names
    assert "_slot" in ExecutionEngine.__init__.__code__.co_names
    assert slots.POLL_SECONDS < 1


HTTP11 = "scrapy.core.downloader.handlers.http11.HTTP11DownloadHandler"


def test_a_download_handler_that_would_bypass_the_send_time_gate_refuses_to_start(
    make_server, crawl
) -> None:
    server = make_server()
    Site(server, crawl_delay=0)
    result = crawl([server.url_for("/")], settings={"DOWNLOAD_HANDLERS": {"http": HTTP11}})
    assert result.returncode == 2
    assert "heed: error: DOWNLOAD_HANDLERS replaces Heed's send-time gate for" in result.stderr
    assert server.log == []


def test_a_handler_of_your_own_downloads_behind_the_send_time_gate(make_server, crawl) -> None:
    server = make_server()
    Site(server, crawl_delay=0)
    result = crawl(
        [server.url_for("/")],
        settings={"HEED_DOWNLOAD_HANDLERS": {"http": HTTP11}},
    )
    assert result.returncode == 0, result.stderr
    taken = result.decision_for(server.url_for("/"))
    assert taken["decision"] == "allow", taken
    assert server.url_for("/") in result.item_urls


class _Counted:
    """A request check of a test's own that counts how often it was asked about each URL and
    says so in its evidence: the send-time record shows whether it was asked again."""

    name = "counted"

    def __init__(self, crawler) -> None:
        self.policy = shared(crawler, RobotsPolicy)
        self.asked: dict[str, int] = {}

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    async def check_request(self, request) -> Verdict:
        await self.policy.state(request)  # reads the origin's robots.txt, as the opt-outs do
        self.asked[request.url] = self.asked.get(request.url, 0) + 1
        return allow(self.name, f"{self.name}.ok", asked=self.asked[request.url])


class DocumentReader(_Counted):
    name = "document-reader"
    reads_only_policy_documents = True


class HeaderReader(_Counted):
    name = "header-reader"


def _asked_at_send(result, check: str) -> list[int]:
    records = [r for r in result.decisions("request") if r["url"].endswith(tuple(PAGES))]
    assert len(records) == len(PAGES) and all(r["decision"] == "allow" for r in records)
    return [r["evidence"][check]["asked"] for r in records]


COUNTED = {
    "crawler.checks.robots.RobotsCheck": 200,
    f"{__name__}.DocumentReader": 100,
    f"{__name__}.HeaderReader": 110,
}


def test_a_check_that_reads_only_unchanged_policy_documents_is_not_asked_twice(
    make_server, crawl
) -> None:
    server = make_server()
    Site(server, crawl_delay=0.2)
    result = crawl([server.url_for("/")], settings={"HEED_REQUEST_CHECKS": COUNTED}, timeout=60)
    assert result.returncode == 0, result.stderr
    # Taken over from the entry stage: robots.txt is the one it read then.
    assert _asked_at_send(result, "document-reader") == [1] * len(PAGES)
    # Any other check is asked again as the request leaves.
    assert _asked_at_send(result, "header-reader") == [2] * len(PAGES)


def test_a_check_is_asked_again_at_send_time_once_the_robots_txt_it_read_has_expired(
    make_server, crawl
) -> None:
    server = make_server()
    Site(server, crawl_delay=1)
    result = crawl(
        [server.url_for("/")],
        # robots.txt trusted for less than a Crawl-delay: it has expired before each page
        # leaves its queue, so the entry stage's reading of it no longer counts.
        settings={
            "HEED_REQUEST_CHECKS": COUNTED,
            "HEED_ROBOTS_TTL": 0.5,
            "CONCURRENT_REQUESTS_PER_DOMAIN": 1,
        },
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    asked = _asked_at_send(result, "document-reader")
    assert asked.count(2) >= len(PAGES) - 1, asked


def test_a_tdmrep_json_that_reserves_while_requests_wait_is_obeyed_when_they_leave(
    make_server, crawl
) -> None:
    server = make_server()
    site = Site(server, crawl_delay=1.5)

    def tdmrep(request: Request) -> Response:
        reserved = 1 if len(site.pages()) >= 2 else 0
        rules = json.dumps([{"location": "/*", "tdm-reservation": reserved}])
        return Response(rules, content_type="application/json")

    server.expect_request("/.well-known/tdmrep.json").respond_with_handler(tdmrep)
    result = crawl(
        [server.url_for("/")],
        # tdmrep.json trusted for less than a Crawl-delay; robots.txt for the whole crawl.
        settings={"HEED_TDMREP_TTL": 1, "CONCURRENT_REQUESTS_PER_DOMAIN": 1},
        timeout=120,
    )
    assert_two_sent_then_denied(site, result, "tdmrep.reserved")


def test_a_request_allowed_on_entry_and_dropped_unsent_by_another_component_is_recorded(
    make_server, crawl, tmp_path: Path
) -> None:
    server = make_server()
    server.expect_request("/robots.txt").respond_with_data("User-agent: *\nAllow: /\n")
    server.expect_request("/page").respond_with_data("<p>hello</p>", content_type=HTML)
    # Scrapy's HTTP cache, told to ignore what it does not hold, drops the page after the
    # entry stage allowed it and before it is sent.
    result = crawl(
        [server.url_for("/page")],
        settings={**cache_settings(tmp_path), "HTTPCACHE_IGNORE_MISSING": True},
        spider_args={"follow": "no"},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "/page" not in [entry.path for entry, _ in server.log]
    (record,) = [r for r in result.decisions("request") if r["url"].endswith("/page")]
    assert record["decision"] == "deny" and record["reason"] == "gate.not_sent"
    assert "IgnoreRequest" in record["evidence"]["gate"]["why"]


class MakesPages:
    """A project's downloader middleware that answers some requests itself, with a page of its
    making, instead of letting them be sent."""

    def process_request(self, request) -> HtmlResponse | None:
        if "/made/" not in request.url:
            return None
        return HtmlResponse(request.url, body=b"<p>made here</p>", encoding="utf-8")


def test_a_response_another_component_makes_gets_its_request_decision_too(
    make_server, crawl
) -> None:
    server = make_server()
    server.expect_request("/robots.txt").respond_with_data("User-agent: *\nDisallow: /made/no\n")
    made = [server.url_for("/made/yes"), server.url_for("/made/no")]
    # Before the request gate (50: the entry stage never sees these requests) and after it.
    for order in (50, 500):
        result = crawl(
            made,
            settings={"DOWNLOADER_MIDDLEWARES": {f"{__name__}.MakesPages": order}},
            spider_args={"follow": "no"},
        )
        assert result.returncode == 0, result.stderr[-3000:]
        assert "/made/" not in str([entry.path for entry, _ in server.log])
        (allowed,) = [r for r in result.decisions("request") if r["url"] == made[0]]
        assert allowed["decision"] == "allow", allowed
        (response,) = [r for r in result.decisions("response") if r["url"] == made[0]]
        assert response["request_seq"] == allowed["seq"]
        assert result.item_urls == {made[0]}
        # The entry stage denies the disallowed page first; or, before it, the response gate.
        (denied,) = [r for r in result.decisions("request") if r["url"] == made[1]]
        assert denied["reason"] == "robots.disallow"
        assert not [r for r in result.decisions("response") if r["url"] == made[1]]


def test_a_redirect_another_component_answers_before_the_request_gate_gets_its_own_decision(
    make_server, crawl
) -> None:
    server = make_server()
    server.expect_request("/robots.txt").respond_with_data("User-agent: *\nDisallow: /made/no\n")
    hop, target = server.url_for("/hop"), server.url_for("/made/no")
    server.expect_request("/hop").respond_with_data("", status=302, headers={"Location": target})
    # The redirect copies the hop's meta, its request_seq with it; the middleware (50) answers
    # the target before the request gate could drop that seq.
    result = crawl(
        [hop],
        settings={"DOWNLOADER_MIDDLEWARES": {f"{__name__}.MakesPages": 50}},
        spider_args={"follow": "no"},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.decision_for(target)["reason"] == "robots.disallow"
    assert not result.decisions("response", target)
    assert result.item_urls == set()


class AsksAgain:
    """A project's downloader middleware that sends a request once more, as the same object
    (its response is in the HTTP cache by then)."""

    def process_response(self, request, response):
        if request.meta.get("asked_again"):
            return response
        request.meta["asked_again"] = True
        request.dont_filter = True  # past the duplicate filter, which saw it once
        return request


def test_a_request_that_enters_again_and_is_answered_from_the_cache_gets_a_decision_again(
    make_server, crawl, tmp_path: Path
) -> None:
    server = make_server()
    server.expect_request("/robots.txt").respond_with_data("User-agent: *\nAllow: /\n")
    server.expect_request("/again").respond_with_data("<p>a page</p>", content_type="text/html")
    page = server.url_for("/again")
    result = crawl(
        [page],
        settings={
            "DOWNLOADER_MIDDLEWARES": {f"{__name__}.AsksAgain": 500},
            "HTTPCACHE_ENABLED": True,
            "HTTPCACHE_DIR": str(tmp_path / "cache"),
        },
        spider_args={"follow": "no"},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    requests = {r["seq"]: r for r in result.decisions("request", page)}
    responses = result.decisions("response", page)
    assert [r.get("cached", False) for r in responses] == [False, True]
    # Each response refers to a request record of its own: two passes, two decisions.
    assert sorted(r["request_seq"] for r in responses) == sorted(requests)
