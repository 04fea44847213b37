"""Opt-outs read from robots.txt lines beyond RFC 9309's (``Content-Usage``, ``Content-Signal``).

They are read from the crawl's shared robots.txt (``RobotsPolicy``), so that robots.txt is
fetched once per origin for every check.
"""

from __future__ import annotations

import weakref
from abc import abstractmethod
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

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
    from reservations.robots import RobotsFile

ROBOTS_CHECK = "crawler.checks.robots.RobotsCheck"


def not_crawlable(check: str) -> Verdict:
    """The answer of an opt-out that applies only to what robots.txt lets us crawl
    (draft-ietf-aipref-attach §3.1): the robots check denies the URL, so the opt-out's own
    document need not even be fetched for it."""
    return allow(check, f"{check}.not_crawlable", robots="disallows the URL")


class RobotsFirst:
    """Whether robots.txt disallows a URL, when the robots check is on: the checks of other
    per-origin files (tdmrep.json, ai.txt) ask it first, so that no request robots.txt denies
    waits for a file it does not need."""

    def __init__(self, crawler: Crawler) -> None:
        checks = crawler.settings.getdict("HEED_REQUEST_CHECKS")
        self.policy = shared(crawler, RobotsPolicy) if checks.get(ROBOTS_CHECK) else None

    async def disallows(self, request: Request) -> bool:
        return self.policy is not None and not (await self.policy.verdict(request)).allowed


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


class RobotsLineCheck:
    """Base of a protocol read from robots.txt lines at the request gate and from a response
    header of the same name at the response gate (``Content-Usage``, ``Content-Signal``).

    Each obeyed token's lines are parsed and indexed once per robots.txt (``index``), kept
    while that robots.txt is cached, and asked for each URL (``robots_verdict``)."""

    name: ClassVar[str]
    field: ClassVar[str]  # the robots.txt key and the header name
    # Its request answer follows from the URL and the shared robots.txt (crawler.gates).
    reads_only_policy_documents = True

    @staticmethod
    @abstractmethod
    def index(lines: Sequence[tuple[int, str]]) -> Any:
        """One token's ``field`` lines, parsed and indexed for ``robots_verdict``."""

    @staticmethod
    @abstractmethod
    def robots_verdict(groups: Mapping[str, Any], url: str, purpose: Purpose) -> Verdict:
        """The verdict of each obeyed token's indexed lines for ``url``."""

    @staticmethod
    @abstractmethod
    def header_verdict(values: Sequence[str], purpose: Purpose) -> Verdict:
        """The verdict of the ``field`` header's values."""

    def __init__(self, crawler: Crawler) -> None:
        self.purpose = crawl_purpose(crawler.settings)
        self.robots = SharedRobots(crawler, self.name)
        # id(robots file) -> {token: index}; an entry goes with its file (weakref.finalize).
        self._indexed: dict[int, dict[str, Any]] = {}
        record_policy(crawler)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RobotsLineCheck:
        return cls(crawler)

    async def check_request(self, request: Request) -> Verdict:
        if not (await self.robots.policy.verdict(request)).allowed:
            return not_crawlable(self.name)
        state = await self.robots.state(request)
        groups = {} if state.file is None else self._groups(state.file)
        return type(self).robots_verdict(groups, request.url, self.purpose)

    async def check_response(self, response: Response, page: Page) -> Verdict:
        return type(self).header_verdict(page.header_values(self.field), self.purpose)

    def _groups(self, file: RobotsFile) -> dict[str, Any]:
        """The ``field`` lines of each obeyed token's group, indexed once per robots.txt."""
        groups = self._indexed.get(id(file))
        if groups is None:
            key = self.field.lower()
            groups = {
                token: type(self).index(
                    [(x.lineno, x.value) for x in file.group_lines(token) if x.key == key]
                )
                for token in self.robots.tokens
            }
            self._indexed[id(file)] = groups
            weakref.finalize(file, self._indexed.pop, id(file), None)
        return groups
