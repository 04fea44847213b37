"""Opt-outs read from robots.txt lines beyond RFC 9309's (``Content-Usage``, ``Content-Signal``).

They are read from the crawl's shared robots.txt (``RobotsPolicy``), so that robots.txt is
fetched once per origin for every check.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, ClassVar

from crawler.checks.policy import crawl_purpose, obeyed_tokens, record_policy
from crawler.components import shared
from crawler.errors import ConfigError
from crawler.origin.robots import RobotsPolicy
from reservations.purpose import Purpose
from reservations.robots_policy import RobotsState
from reservations.verdict import Verdict, allow

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response

    from crawler.page import Page

ROBOTS_CHECK = "crawler.checks.robots.RobotsCheck"


class SharedRobots:
    """The robots check's robots.txt, for the checks that read more of it than RFC 9309 does."""

    def __init__(self, crawler: Crawler, reader: str) -> None:
        if crawler.settings.getdict("HEED_REQUEST_CHECKS").get(ROBOTS_CHECK) is None:
            raise ConfigError(
                f"the {reader} check reads robots.txt through {ROBOTS_CHECK}, which is off in "
                "HEED_REQUEST_CHECKS: switch it on, or switch this check off too"
            )
        self.tokens = obeyed_tokens(crawler.settings)
        self.policy = shared(crawler, RobotsPolicy)

    async def state(self, request: Request) -> RobotsState:
        """The robots check's state for ``request``'s origin (fetched once, shared)."""
        return await self.policy.state(request)

    async def lines(self, request: Request, key: str) -> dict[str, list[tuple[int, str]]] | None:
        """``{token: [(line number, value), ...]}`` of the ``key`` lines in each obeyed token's
        group (empty when there is no robots.txt); ``None`` when robots.txt does not let us
        crawl the URL, since usage preferences apply only to what can be crawled
        (draft-ietf-aipref-attach §3.1) and the robots check will deny it."""
        if not (await self.policy.verdict(request)).allowed:
            return None
        state = await self.state(request)
        if state.file is None:
            return {}
        return {
            token: [(x.lineno, x.value) for x in state.file.group_lines(token) if x.key == key]
            for token in self.tokens
        }


class RobotsLineCheck:
    """Base of a protocol read from robots.txt lines at the request gate and from a response
    header of the same name at the response gate (``Content-Usage``, ``Content-Signal``)."""

    name: ClassVar[str]
    field: ClassVar[str]  # the robots.txt key and the header name

    @staticmethod
    @abstractmethod
    def robots_verdict(
        groups: Mapping[str, Sequence[tuple[int, str]]], url: str, purpose: Purpose
    ) -> Verdict:
        """The verdict of the ``field`` lines found in each obeyed token's group."""

    @staticmethod
    @abstractmethod
    def header_verdict(values: Sequence[str], purpose: Purpose) -> Verdict:
        """The verdict of the ``field`` header's values."""

    def __init__(self, crawler: Crawler) -> None:
        self.purpose = crawl_purpose(crawler.settings)
        self.robots = SharedRobots(crawler, self.name)
        record_policy(crawler)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RobotsLineCheck:
        return cls(crawler)

    async def check_request(self, request: Request) -> Verdict:
        groups = await self.robots.lines(request, self.field.lower())
        if groups is None:
            return allow(self.name, f"{self.name}.not_crawlable", robots="disallows the URL")
        return type(self).robots_verdict(groups, request.url, self.purpose)

    async def check_response(self, response: Response, page: Page) -> Verdict:
        return type(self).header_verdict(page.header_values(self.field), self.purpose)
