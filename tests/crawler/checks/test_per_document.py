"""Request checks of per-origin policy documents answer once per document object.

The checks are built as a crawl builds them; each document is parsed from real bytes and put
in the crawl's cache as a fetch would, on a clock the test moves, so that a reload is a new
object. Every answer must be the one worked out from scratch for its URL, before and after a
reload, whichever URL was asked first.
"""

from __future__ import annotations

import gc
import json
import weakref
from collections.abc import Callable, Coroutine, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import pytest
from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.http import HtmlResponse
from scrapy.settings import Settings
from scrapy.utils.reactor import install_reactor
from scrapy.utils.test import get_crawler

from crawler.checks.aitxt import AiTxtCheck
from crawler.checks.content_signal import ContentSignalCheck
from crawler.checks.content_usage import ContentUsageCheck
from crawler.checks.per_document import PerDocument
from crawler.checks.robots_lines import not_crawlable
from crawler.checks.rsl import RslCheck
from crawler.checks.tdmrep import TdmrepCheck
from crawler.components import shared
from crawler.origin.cache import OriginCache, OriginCaches
from crawler.origin.documents import FetchedDocument
from crawler.page import Page
from crawler.spiders.site import SiteSpider
from reservations.agents import verdict_for_agents
from reservations.aipref import robots_usage_verdict
from reservations.aitxt import fetched_aitxt
from reservations.content_signal import robots_signal_verdict
from reservations.purpose import Purpose
from reservations.robots import RobotsFile, parse_robots
from reservations.robots_policy import RobotsState, robots_state
from reservations.rsl import USAGE_LABELS, evaluate_rsl, parse_rsl
from reservations.tdmrep import (
    WELL_KNOWN,
    TdmrepFile,
    fetched_file,
    field_declaration,
    file_declaration,
)
from reservations.tdmrep import tdmrep_verdict as tdmrep_from_declarations
from reservations.verdict import Verdict
from tests.crawling import IDENTITY

T = TypeVar("T")
ORIGIN = "http://127.0.0.1:8765"  # never contacted: every document it serves is cached
TOKENS = ("HeedTestBot", "GPTBot")
PATHS = [
    "/",
    "/articles/one.html",
    "/articles/two.html?page=2",
    "/private/secret.html",
    "/robots.txt",
    "/ai.txt",
    "/images/photo.jpg",
    "/%7Euser/notes",
]
ROBOTS = "User-agent: *\nDisallow: /private/\n"
TTL = 100.0
# The clock of the crawl's origin caches (SteppedOriginCache): moved past TTL, every cached
# document expires and the next one put in is a new object.
NOW = [0.0]


class SteppedOriginCache(OriginCache[Any]):
    """The crawl's origin cache (``HEED_ORIGIN_CACHE``) on the test's clock."""

    @classmethod
    def from_crawler(cls, crawler: Crawler, kind: str) -> OriginCache[Any]:
        return cls(clock=lambda: NOW[0])


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a check to its answer: every document it reads is cached, so it never waits."""
    try:
        coroutine.send(None)
    except StopIteration as done:
        answer: T = done.value
        return answer
    coroutine.close()
    raise AssertionError("the check waited for a document that is not cached")


def record(verdict: Verdict) -> str:
    """The verdict as its decision record holds it (canonical JSON)."""
    fields = {
        "decision": verdict.decision,
        "check": verdict.check,
        "reason": verdict.reason,
        "evidence": verdict.evidence,
    }
    return json.dumps(fields, sort_keys=True, separators=(",", ":"))


def fetched(path: str, status: int, body: str = "") -> FetchedDocument:
    return FetchedDocument(
        ORIGIN + path, ORIGIN + path, status, body.encode(), f"2026-01-01T00:00:0{status % 7}Z"
    )


@dataclass
class Site:
    """One origin's policy documents as the crawl's caches hold them."""

    crawler: Crawler
    # Every document served, kept alive as another origin's would be: an answer kept for an
    # earlier one is never dropped with it.
    served: list[Any] = field(default_factory=list)
    robots: RobotsState | None = None
    tdmrep: tuple[TdmrepFile, dict[str, Any]] | None = None
    aitxt: tuple[RobotsState, dict[str, Any]] | None = None

    def serve(
        self,
        robots: str = ROBOTS,
        tdmrep: str | None = None,
        aitxt: str | None = None,
        licences: dict[str, str] | None = None,
    ) -> None:
        """Let every cached document expire, then cache these as the origin's new ones (a
        ``None`` file answers 404)."""
        NOW[0] += 2 * TTL
        doc = fetched("/robots.txt", 200, robots)
        self.robots = robots_state(doc.status, doc.error, doc.body, doc.evidence())
        self._put("robots", ORIGIN, self.robots)
        doc = fetched(WELL_KNOWN, 404) if tdmrep is None else fetched(WELL_KNOWN, 200, tdmrep)
        file = fetched_file(doc.status, doc.error, doc.body, doc.final_url, truncated=False)
        self.tdmrep = (file, doc.evidence())
        self._put("tdmrep", ORIGIN + WELL_KNOWN, self.tdmrep)
        doc = fetched("/ai.txt", 404) if aitxt is None else fetched("/ai.txt", 200, aitxt)
        state = fetched_aitxt(doc.status, doc.error, doc.body, doc.evidence())
        self.aitxt = (state, doc.evidence())
        self._put("ai-txt", ORIGIN + "/ai.txt", self.aitxt)
        for path, body in (licences or {}).items():
            doc = fetched(path, 200, body)
            self._put("rsl", ORIGIN + path, (parse_rsl(doc.body, doc.final_url), doc.evidence()))

    @property
    def robots_file(self) -> RobotsFile:
        assert self.robots is not None and self.robots.file is not None
        return self.robots.file

    def _put(self, kind: str, key: str, value: Any) -> None:
        async def load() -> tuple[Any, float]:
            return value, TTL

        self.served.append(value)
        assert run(shared(self.crawler, OriginCaches).cache(kind).get(key, load)) is value


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    install_reactor("twisted.internet.asyncioreactor.AsyncioSelectorReactor")
    settings = Settings()
    settings.setmodule("crawler.settings")
    crawler = get_crawler(
        SiteSpider,
        {
            **dict(settings),
            **IDENTITY,
            "LOG_ENABLED": False,
            "HEED_DECISION_LOG": str(tmp_path / "decisions.jsonl"),
            "HEED_ALSO_OBEY_AGENTS": list(TOKENS[1:]),
            "HEED_ORIGIN_CACHE": f"{__name__}.SteppedOriginCache",
        },
    )
    yield Site(crawler)


def answers(check: Any, paths: list[str]) -> dict[str, str]:
    """The check's answer for each path, asked in this order (fresh requests, as a crawl's)."""
    return {path: record(run(check.check_request(Request(ORIGIN + path)))) for path in paths}


def robots_disallow(path: str) -> bool:
    return path.startswith("/private/")


def assert_from_scratch(check: Any, expected: Any) -> dict[str, str]:
    """Each path's answer, asked forwards and backwards (each order reuses the answer of
    another path), is the one worked out from scratch for that path."""
    wanted = {path: record(expected(ORIGIN + path)) for path in PATHS}
    assert answers(check, PATHS) == wanted
    assert answers(check, PATHS[::-1]) == wanted
    return wanted


def reasons(found: dict[str, str]) -> set[str]:
    return {json.loads(answer)["reason"] for answer in found.values()}


@pytest.mark.parametrize(
    ("check_class", "name", "from_scratch", "denies"),
    [
        (ContentUsageCheck, "content-usage", robots_usage_verdict, "train-ai=n"),
        (ContentSignalCheck, "content-signal", robots_signal_verdict, "ai-train=no"),
    ],
    ids=["content-usage", "content-signal"],
)
def test_a_robots_txt_line_check_answers_from_scratch_for_each_robots_txt_it_reads(
    site: Site,
    check_class: type[ContentUsageCheck | ContentSignalCheck],
    name: str,
    from_scratch: Callable[[dict[str, list[tuple[int, str]]], str, Purpose], Verdict],
    denies: str,
) -> None:
    check = check_class.from_crawler(site.crawler)

    def expected(url: str) -> Verdict:
        if robots_disallow(url.removeprefix(ORIGIN)):
            return not_crawlable(name)
        file = site.robots_file
        groups = {
            token: [(x.lineno, x.value) for x in file.group_lines(token) if x.key == name]
            for token in TOKENS
        }
        return from_scratch(groups, url, "train-ai")

    site.serve()
    assert reasons(assert_from_scratch(check, expected)) == {
        f"{name}.not_crawlable",
        f"{name}.unknown",
    }
    # A line for every path appears: every crawlable URL is now denied.
    site.serve(ROBOTS + f"{name.title()}: {denies}\n")
    assert reasons(assert_from_scratch(check, expected)) == {
        f"{name}.not_crawlable",
        f"{name}.disallow",
    }
    # A line for one path only: the answer is the URL's again.
    site.serve(ROBOTS + f"{name.title()}: /articles/ {denies}\n")
    found = assert_from_scratch(check, expected)
    assert json.loads(found["/articles/one.html"])["reason"] == f"{name}.disallow"
    assert json.loads(found["/"])["reason"] == f"{name}.unknown"


def test_tdmrep_answers_from_scratch_for_each_tdmrep_json_it_reads(site: Site) -> None:
    check = TdmrepCheck.from_crawler(site.crawler)

    def expected(url: str) -> Verdict:
        if robots_disallow(url.removeprefix(ORIGIN)):
            return not_crawlable("tdmrep")
        assert site.tdmrep is not None
        file, evidence = site.tdmrep
        return tdmrep_from_declarations([file_declaration(file, url, evidence)])

    site.serve()
    assert reasons(assert_from_scratch(check, expected)) == {"tdmrep.not_crawlable", "tdmrep.unset"}
    # A file with no rules: the protocol is used, and its evidence says so.
    site.serve(tdmrep="[]")
    found = assert_from_scratch(check, expected)
    assert json.loads(found["/"])["evidence"]["file"]["valid"] is True
    # A file that now reserves one path.
    site.serve(tdmrep='[{"location": "/articles/*", "tdm-reservation": 1}]')
    found = assert_from_scratch(check, expected)
    assert json.loads(found["/articles/one.html"])["reason"] == "tdmrep.reserved"
    assert json.loads(found["/"])["reason"] == "tdmrep.unset"


# Responses the tdmrep check reads: no declaration (markup or not), and one in each place.
RESPONSES: list[tuple[str, bytes, dict[str, str]]] = [
    ("/", b"<html><head><title>t</title></head><body>p</body></html>", {}),
    ("/articles/one.html", b"<html><head></head><body>one</body></html>", {}),
    ("/notes.txt", b"plain words", {"Content-Type": "text/plain"}),
    ("/data.bin", b"\x00\x01\x02", {"Content-Type": "application/octet-stream"}),
    ("/articles/two.html", b"<html><head></head></html>", {"tdm-reservation": "1"}),
    ("/meta.html", b'<html><head><meta name="tdm-reservation" content="0"></head></html>', {}),
]


def response_answers(check: TdmrepCheck) -> dict[str, str]:
    """The check's answer for each response of ``RESPONSES``, each a fresh page."""
    found = {}
    for path, body, headers in RESPONSES:
        url = ORIGIN + path
        response = HtmlResponse(
            url, body=body, headers={"Content-Type": "text/html", **headers}, request=Request(url)
        )
        found[path] = record(run(check.check_response(response, Page(response))))
    return found


def test_tdmrep_answers_responses_from_scratch_for_each_tdmrep_json_it_reads(site: Site) -> None:
    check = TdmrepCheck.from_crawler(site.crawler)

    def expected() -> dict[str, str]:
        assert site.tdmrep is not None
        file, evidence = site.tdmrep
        wanted = {}
        for path, body, headers in RESPONSES:
            url = ORIGIN + path
            response = HtmlResponse(
                url, body=body, headers={"Content-Type": "text/html", **headers}
            )
            page = Page(response)
            fields = [("header", page.header_values("tdm-reservation"), [])]
            if page.is_markup:
                fields.append(("html", page.meta.get("tdm-reservation", []), []))
            declarations = [file_declaration(file, url, evidence)]
            declarations += [field_declaration(source, r, p, url) for source, r, p in fields]
            wanted[path] = record(tdmrep_from_declarations(declarations))
        return wanted

    site.serve()
    first = response_answers(check)
    assert first == expected() and response_answers(check) == first
    assert json.loads(first["/articles/two.html"])["reason"] == "tdmrep.reserved"
    assert json.loads(first["/meta.html"])["reason"] == "tdmrep.not_reserved"
    assert json.loads(first["/data.bin"])["reason"] == "tdmrep.unset"
    # A file with no rules: the same answers, but from this file, with its own evidence.
    site.serve(tdmrep="[]")
    found = response_answers(check)
    assert found == expected() and json.loads(found["/"])["evidence"]["file"]["valid"] is True
    # A file that now reserves one path: plain pages under it are reserved, others are not.
    site.serve(tdmrep='[{"location": "/articles/*", "tdm-reservation": 1}]')
    found = response_answers(check)
    assert found == expected()
    assert json.loads(found["/articles/one.html"])["reason"] == "tdmrep.reserved"
    assert json.loads(found["/"])["reason"] == "tdmrep.unset"


def test_ai_txt_answers_from_scratch_for_each_ai_txt_it_reads(site: Site) -> None:
    check = AiTxtCheck.from_crawler(site.crawler)

    def expected(url: str) -> Verdict:
        if robots_disallow(url.removeprefix(ORIGIN)):
            return not_crawlable("ai-txt")
        assert site.aitxt is not None
        return verdict_for_agents(site.aitxt[0], url, TOKENS, "ai-txt")

    site.serve()
    found = assert_from_scratch(check, expected)
    assert json.loads(found["/robots.txt"])["reason"] == "ai-txt.self"
    assert json.loads(found["/"])["reason"] == "ai-txt.unavailable"
    # A file whose only group is another crawler's: no rule applies to our tokens.
    site.serve(aitxt="User-agent: OtherBot\nDisallow: /\n")
    found = assert_from_scratch(check, expected)
    assert json.loads(found["/"])["reason"] == "ai-txt.no_rule"
    # A file with a rule for every crawler.
    site.serve(aitxt="User-agent: *\nDisallow: *.jpg\n")
    found = assert_from_scratch(check, expected)
    assert json.loads(found["/images/photo.jpg"])["reason"] == "ai-txt.disallow"
    assert json.loads(found["/"])["reason"] == "ai-txt.no_rule"


LICENCE = (
    '<rsl xmlns="https://rslstandard.org/rsl">'
    '<content url="/articles/*"><license><prohibits type="usage">ai-train</prohibits>'
    "</license></content></rsl>"
)


def test_rsl_answers_from_scratch_for_each_robots_txt_it_reads(site: Site) -> None:
    check = RslCheck.from_crawler(site.crawler)

    def expected(url: str) -> Verdict:
        # A check built now has nothing kept: it works this URL's answer out from scratch.
        return run(RslCheck.from_crawler(site.crawler).check_request(Request(url)))

    site.serve()
    assert reasons(assert_from_scratch(check, expected)) == {"rsl.none"}
    # A License line appears, relative to the robots.txt URL.
    site.serve(ROBOTS + "License: /licence.xml\n", licences={"/licence.xml": LICENCE})
    found = assert_from_scratch(check, expected)
    article = json.loads(found["/articles/one.html"])
    assert article["reason"] == "rsl.prohibited"
    assert article["evidence"]["licences"] == [ORIGIN + "/licence.xml"]
    licence = parse_rsl(LICENCE.encode(), ORIGIN + "/licence.xml")
    alone = evaluate_rsl(licence, ORIGIN + "/articles/one.html", USAGE_LABELS["train-ai"])
    assert article["evidence"]["content"] == alone.evidence["content"]
    assert json.loads(found["/"])["reason"] == "rsl.none"
    # The line goes again.
    site.serve()
    assert reasons(assert_from_scratch(check, expected)) == {"rsl.none"}


def test_a_value_is_made_once_per_document_object_and_forgotten_with_it() -> None:
    memo: PerDocument[RobotsFile] = PerDocument()
    document = parse_robots(ROBOTS.encode())
    made: list[RobotsFile] = []

    def make() -> RobotsFile:
        made.append(parse_robots(b"User-agent: *\nAllow: /\n"))
        return made[-1]

    assert memo.get(document, make) is memo.get(document, make) is made[0]
    # An equal document is another object: a value of its own.
    twin = parse_robots(ROBOTS.encode())
    assert twin == document
    assert memo.get(twin, make) is made[1]
    kept = weakref.ref(made[0])
    del document
    made.clear()
    gc.collect()
    assert kept() is None
