"""Adapter: Spawning's ``/ai.txt`` at the request gate.

Each origin's ai.txt is fetched once through the engine (redirects followed) and cached for
``HEED_AITXT_TTL``; a request it disallows, for our token or an also-obeyed one, is denied before
it is sent. The file speaks of AI training datasets, so the check is off for
``HEED_PURPOSE = search``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy.exceptions import NotConfigured

from crawler.checks.per_document import PerDocument
from crawler.checks.policy import crawl_purpose, obeyed_tokens, record_policy
from crawler.checks.robots_lines import RobotsFirst, not_crawlable
from crawler.components import shared
from crawler.origin.documents import FetchedDocument
from crawler.origin.policy_files import PolicyFiles
from reservations.agents import verdict_for_agents
from reservations.aitxt import CHECK, PATH, fetched_aitxt
from reservations.robots_policy import RobotsState, is_robots_txt, varies_by_path
from reservations.verdict import Verdict

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler


def _parse(doc: FetchedDocument) -> RobotsState:
    return fetched_aitxt(doc.status, doc.error, doc.body, doc.evidence())


class AiTxtCheck:
    """ai.txt Disallow rules for our token and every also-obeyed one."""

    name = CHECK
    # Its request answer follows from the URL and the policy documents it reads (crawler.gates).
    reads_only_policy_documents = True

    def __init__(self, crawler: Crawler) -> None:
        if crawl_purpose(crawler.settings) == "search":
            raise NotConfigured("ai.txt opts out of AI datasets, not search")
        settings = crawler.settings
        self.tokens = obeyed_tokens(settings)
        self.files = shared(crawler, PolicyFiles).file(
            "ai-txt",
            PATH,
            _parse,
            ttl=settings.getfloat("HEED_AITXT_TTL"),
            max_bytes=settings.getint("HEED_ROBOTS_MAX_BYTES"),
        )
        self.robots = RobotsFirst(crawler)
        # Per ai.txt without a rule for our tokens: the verdict of every URL but robots.txt.
        self._everywhere: PerDocument[Verdict | None] = PerDocument()
        record_policy(crawler)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> AiTxtCheck:
        return cls(crawler)

    async def check_request(self, request: Request) -> Verdict:
        if await self.robots.disallows(request):
            return not_crawlable(CHECK)
        state, _ = await self.files.get(request)
        url = request.url
        if not is_robots_txt(url):
            everywhere = self._everywhere.get(state, lambda: self._everywhere_verdict(state, url))
            if everywhere is not None:
                return everywhere
        return verdict_for_agents(state, url, self.tokens, CHECK)

    def _everywhere_verdict(self, state: RobotsState, url: str) -> Verdict | None:
        """``url``'s verdict when ``state`` gives it to every URL but robots.txt, else ``None``."""
        if varies_by_path(state, self.tokens):
            return None
        return verdict_for_agents(state, url, self.tokens, CHECK)
