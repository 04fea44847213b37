"""What every opt-out check needs from the crawl: its purpose, the agents it obeys, robots.txt.

``HEED_PURPOSE`` names the use whose reservations count; ``HEED_ALSO_OBEY_AGENTS`` adds other
crawlers' product tokens whose restrictions Heed takes as its own. The robots.txt extension lines
(``Content-Usage``, ``Content-Signal``) are read from the robots check's cached file, so that
robots.txt is fetched once per origin for every check.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from crawler.errors import ConfigError
from crawler.middlewares.robots import RobotsCheck
from crawler.recorder import DecisionRecorder
from reservations.purpose import Purpose, parse_purpose
from reservations.robots_policy import RobotsState
from reservations.verdict import Verdict, allow

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from scrapy.settings import BaseSettings

    from crawler.page import Page

ROBOTS_CHECK = "crawler.middlewares.robots.RobotsCheck"


def crawl_purpose(settings: BaseSettings) -> Purpose:
    """``HEED_PURPOSE``, or a ``ConfigError`` that names the choices."""
    try:
        return parse_purpose(settings.get("HEED_PURPOSE"))
    except ValueError as exc:
        raise ConfigError(f"HEED_PURPOSE: {exc}") from exc


def also_obeyed(settings: BaseSettings) -> tuple[str, ...]:
    """``HEED_ALSO_OBEY_AGENTS`` as product tokens; a value that cannot be one is refused."""
    tokens = tuple(
        str(t).strip() for t in settings.getlist("HEED_ALSO_OBEY_AGENTS") if str(t).strip()
    )
    for token in tokens:
        if not token.replace("-", "").replace("_", "").replace(".", "").isalnum():
            raise ConfigError(
                f"HEED_ALSO_OBEY_AGENTS: {token!r} is not a robots.txt product token "
                "(letters, digits, '-', '_' and '.'; e.g. GPTBot,CCBot,Google-Extended)"
            )
    return tokens


def obeyed_tokens(settings: BaseSettings) -> tuple[str, ...]:
    """Our product token first, then every also-obeyed one."""
    return (settings.get("HEED_PRODUCT_TOKEN"), *also_obeyed(settings))


def record_policy(crawler: Crawler) -> None:
    """Put the opt-out policy in the run header, so every log says what it obeyed."""
    facts: dict[str, Any] = {
        "purpose": crawl_purpose(crawler.settings),
        "also_obey_agents": list(also_obeyed(crawler.settings)),
    }
    DecisionRecorder.of(crawler).add_header("optouts", facts)


class SharedRobots:
    """The robots check's robots.txt, for the checks that read more of it than RFC 9309 does."""

    def __init__(self, crawler: Crawler, reader: str) -> None:
        if crawler.settings.getdict("HEED_REQUEST_CHECKS").get(ROBOTS_CHECK) is None:
            raise ConfigError(
                f"the {reader} check reads robots.txt through {ROBOTS_CHECK}, which is off in "
                "HEED_REQUEST_CHECKS: switch it on, or switch this check off too"
            )
        self.crawler = crawler
        self.tokens = obeyed_tokens(crawler.settings)
        self._check: RobotsCheck | None = None

    def _robots(self) -> RobotsCheck:
        if self._check is not None:
            return self._check
        from crawler.middlewares.gates import RequestGate

        gate = self.crawler.get_downloader_middleware(RequestGate)
        for check in gate.checks if gate is not None else ():
            if isinstance(check, RobotsCheck):
                self._check = check
                return check
        raise RuntimeError(f"no {ROBOTS_CHECK} in the request gate")  # the gate denies

    async def state(self, request: Request) -> RobotsState:
        """The robots check's state for ``request``'s origin (fetched once, shared)."""
        return await self._robots().state(request)

    async def lines(self, request: Request, key: str) -> dict[str, list[tuple[int, str]]] | None:
        """``{token: [(line number, value), ...]}`` of the ``key`` lines in each obeyed token's
        group (empty when there is no robots.txt); ``None`` when robots.txt does not let us
        crawl the URL, since usage preferences apply only to what can be crawled
        (draft-ietf-aipref-attach §3.1) and the robots check will deny it."""
        if not (await self._robots().verdict(request)).allowed:
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
    robots_verdict: ClassVar[
        Callable[[Mapping[str, Sequence[tuple[int, str]]], str, Purpose], Verdict]
    ]
    header_verdict: ClassVar[Callable[[Sequence[str], Purpose], Verdict]]

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
