"""Opt-outs read from robots.txt lines beyond RFC 9309's (``Content-Usage``, ``Content-Signal``).

They are read from the crawl's shared robots.txt (``RobotsPolicy``), so that robots.txt is
fetched once per origin for every check.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Mapping, Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any, ClassVar

from crawler.checks.per_document import PerDocument
from crawler.checks.policy import crawl_purpose, obeyed_tokens, record_policy
from crawler.components import shared
from crawler.errors import ConfigError
from crawler.origin.robots import RobotsPolicy
from reservations.pathindex import LongestMatch
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
# One robots file's indexed lines per obeyed token, and the verdict of every URL if there is one.
_Indexed = tuple[dict[str, LongestMatch[Any]], Verdict | None]


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
        return self.policy is not None and not (await self.policy.judged(request))[1].allowed


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
    while that robots.txt is cached, and asked for each URL (``robots_verdict``); when no line
    has a path, the first URL's verdict is every URL's."""

    name: ClassVar[str]
    field: ClassVar[str]  # the robots.txt key and the header name
    # Its request answer follows from the URL and the shared robots.txt (crawler.gates).
    reads_only_policy_documents = True

    @staticmethod
    @abstractmethod
    def index(lines: Sequence[tuple[int, str]]) -> LongestMatch[Any]:
        """One token's ``field`` lines, parsed and indexed for ``robots_verdict``."""

    @staticmethod
    @abstractmethod
    def robots_verdict(
        groups: Mapping[str, LongestMatch[Any]], url: str, purpose: Purpose
    ) -> Verdict:
        """The verdict of each obeyed token's indexed lines for ``url``."""

    @staticmethod
    @abstractmethod
    def header_verdict(values: Sequence[str], purpose: Purpose) -> Verdict:
        """The verdict of the ``field`` header's values."""

    def __init__(self, crawler: Crawler) -> None:
        self.purpose = crawl_purpose(crawler.settings)
        self.robots = SharedRobots(crawler, self.name)
        # Per robots file: {token: index}, and the verdict of every URL when no line has a path.
        self._indexed: PerDocument[_Indexed] = PerDocument()
        # Without a file there are no lines: one answer for every URL (the URL is never read).
        self._without_file = type(self).robots_verdict({}, "", self.purpose)
        record_policy(crawler)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RobotsLineCheck:
        return cls(crawler)

    async def check_request(self, request: Request) -> Verdict:
        state, robots = await self.robots.policy.judged(request)
        if not robots.allowed:
            return not_crawlable(self.name)
        file = state.file
        if file is None:
            return self._without_file
        groups, everywhere = self._indexed.get(file, lambda: self._index(file, request.url))
        if everywhere is not None:
            return everywhere
        return type(self).robots_verdict(groups, request.url, self.purpose)

    async def check_response(self, response: Response, page: Page) -> Verdict:
        values = page.header_values(self.field)
        return type(self).header_verdict(values, self.purpose) if values else self._no_header

    @cached_property
    def _no_header(self) -> Verdict:
        """The answer for a response without the header: most responses, always the same."""
        return type(self).header_verdict([], self.purpose)

    def _index(self, file: RobotsFile, url: str) -> _Indexed:
        """The ``field`` lines of each obeyed token's group, indexed; with ``url``'s verdict
        when it is every URL's (no line has a path: draft-ietf-aipref-attach §3.1)."""
        key = self.field.lower()
        groups = {
            token: type(self).index(
                [(x.lineno, x.value) for x in file.group_lines(token) if x.key == key]
            )
            for token in self.robots.tokens
        }
        if all(index.same_everywhere for index in groups.values()):
            return groups, type(self).robots_verdict(groups, url, self.purpose)
        return groups, None
