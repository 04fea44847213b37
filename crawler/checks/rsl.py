"""Adapter: RSL 1.0 licences (Really Simple Licensing) at both gates.

Request gate: the licences named by ``License:`` lines of the origin's robots.txt (read from the
crawl's shared robots.txt: discovery costs no fetch). Response gate: the licences named by a
``Link: <…>; rel="license"; type="application/rsl+xml"`` header field and by the same relation
on an HTML ``<link>`` in the page's head. Each licence document is a policy document: fetched
once through the engine (so logged, and guarded by the blocklist and robots.txt), cached by URL
for ``HEED_RSL_TTL``, and evaluated for the crawl's purpose. A licence that is named but cannot
be fetched or read denies (``rsl.unreadable``): the site said terms exist, and Heed does not
guess them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from crawler.checks.per_document import PerDocument
from crawler.checks.policy import crawl_purpose, record_policy
from crawler.checks.robots_lines import SharedRobots
from crawler.components import shared
from crawler.origin.documents import FetchedDocument, origin_of
from crawler.origin.policy_files import PolicyFiles
from reservations.rsl import (
    CHECK,
    MAX_DOCUMENT_BYTES,
    USAGE_LABELS,
    RslDocument,
    evaluate_rsl,
    license_urls_from_html,
    license_urls_from_link_header,
    license_urls_from_robots,
    parse_rsl,
)
from reservations.verdict import Verdict, allow, deny, most_restrictive

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response

    from crawler.page import Page
    from reservations.robots import RobotsFile


def _parse(doc: FetchedDocument) -> RslDocument:
    if doc.error is not None or doc.status is None or not 200 <= doc.status < 300:
        failure = doc.error or f"HTTP {doc.status}"
        return RslDocument(False, doc.url, problems=(f"not fetched: {failure}",))
    if doc.truncated:
        return RslDocument(False, doc.url, problems=("larger than the limit",))
    return parse_rsl(doc.body, doc.final_url)


def _licence_urls(file: RobotsFile, robots_url: str) -> list[str]:
    """The licences a robots.txt names on ``License:`` lines, relative ones resolved."""
    lines = "\n".join(f"license: {x.value}" for x in file.lines if x.key == "license")
    return license_urls_from_robots(lines, robots_url)


class RslCheck:
    """RSL licences found through robots.txt (request) and headers or HTML (response)."""

    name = CHECK
    # Its request answer follows from the URL and the policy documents it reads (crawler.gates).
    reads_only_policy_documents = True

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        self.labels = USAGE_LABELS[crawl_purpose(settings)]
        self.robots = SharedRobots(crawler, CHECK)
        self.documents = shared(crawler, PolicyFiles).file(
            "rsl",
            "",
            _parse,
            ttl=settings.getfloat("HEED_RSL_TTL"),
            max_bytes=min(settings.getint("HEED_RSL_MAX_BYTES"), MAX_DOCUMENT_BYTES),
        )
        # Per robots file, its licence URLs: a file is its origin's own (cached by origin), so
        # relative ones resolve against the same robots.txt URL for every request that reads it.
        self._licences: PerDocument[list[str]] = PerDocument()
        self._no_licence = allow(CHECK, "rsl.none", source="robots.txt")
        record_policy(crawler)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RslCheck:
        return cls(crawler)

    async def check_request(self, request: Request) -> Verdict:
        file = (await self.robots.state(request)).file
        if file is None:
            return self._no_licence
        urls = self._licences.get(
            file, lambda: _licence_urls(file, origin_of(request) + "/robots.txt")
        )
        if not urls:
            return self._no_licence
        return await self._judge(urls, request.url, "robots.txt")

    async def check_response(self, response: Response, page: Page) -> Verdict:
        header = [
            url
            for value in page.header_values("Link")
            for url in license_urls_from_link_header(value, response.url)
        ]
        html = license_urls_from_html(page.head, response.url) if page.head is not None else []
        urls = list(dict.fromkeys(header + html))
        source = "+".join(
            name for name, found in (("link_header", header), ("html", html)) if found
        )
        return await self._judge(urls, response.url, source or "none")

    async def _judge(self, urls: list[str], url: str, source: str) -> Verdict:
        if not urls:
            return allow(CHECK, "rsl.none", source=source)
        verdicts: list[Verdict] = []
        for licence_url in urls:
            document, evidence = await self.documents.at(licence_url)
            verdict = evaluate_rsl(document, url, self.labels)
            verdicts.append(
                Verdict(verdict.decision, CHECK, verdict.reason, {**verdict.evidence, **evidence})
            )
        decided = most_restrictive(verdicts) or verdicts[0]
        extra: dict[str, Any] = {"source": source, "licences": urls}
        if len(verdicts) > 1:
            extra["each"] = [
                {"reason": v.reason, "document": v.evidence.get("document")} for v in verdicts
            ]
        build = allow if decided.allowed else deny
        return build(CHECK, decided.reason, **decided.evidence, **extra)
