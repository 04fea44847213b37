"""Adapter: the RFC 9309 robots.txt check at the request gate, and Crawl-delay."""

from __future__ import annotations

from typing import TYPE_CHECKING

from crawler.components import shared
from crawler.origin.documents import DOC_META
from crawler.origin.robots import RobotsPolicy
from crawler.scrapy_private import download_slot, space_exactly
from reservations.robots_policy import RobotsState
from reservations.verdict import Verdict, allow

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler


class RobotsCheck:
    """Applies each origin's robots.txt for our product token, and its Crawl-delay."""

    name = "robots"
    # Its request answer follows from the URL and the policy documents it reads (crawler.gates).
    reads_only_policy_documents = True
    # Other policy files (tdmrep.json, ai.txt) are fetched only where robots.txt allows them.
    guards_origin_documents = True

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.policy = shared(crawler, RobotsPolicy)
        self.token: str = crawler.settings.get("HEED_PRODUCT_TOKEN")
        self.max_crawl_delay = crawler.settings.getfloat("HEED_MAX_CRAWL_DELAY")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RobotsCheck:
        return cls(crawler)

    async def check_request(self, request: Request) -> Verdict:
        if request.meta.get(DOC_META) == "robots":
            # robots.txt and its redirect hops: always allowed (RFC 9309 §2.2.2).
            return allow("robots", "robots.policy_document")
        state, verdict = await self.policy.judged(request)
        if state.file is not None:
            self._apply_crawl_delay(request, state)
        return verdict

    def _apply_crawl_delay(self, request: Request, state: RobotsState) -> None:
        assert state.file is not None
        delay = state.file.crawl_delay(self.token)
        if not delay or self.crawler.engine is None:
            return
        _, slot = download_slot(self.crawler, request)
        wanted = min(float(delay), self.max_crawl_delay)
        if slot.delay < wanted:
            space_exactly(slot, wanted)
