"""Each origin's robots.txt (RFC 9309): fetched once through the engine, shared, cached.

One robots.txt per origin (scheme, host, port), shared by every request waiting on it, cached for
``HEED_ROBOTS_TTL``; an unreachable one disallows the origin for ``HEED_ROBOTS_RETRY_AFTER``
seconds and is then fetched again. The robots check and the checks of robots.txt's extension
lines (Content-Usage, Content-Signal) all read it here.
"""

from __future__ import annotations

import logging
from functools import cached_property
from typing import TYPE_CHECKING
from weakref import WeakKeyDictionary

from crawler.components import shared
from crawler.origin.cache import OriginCache, OriginCaches
from crawler.origin.documents import OriginDocumentFetcher, origin_of
from crawler.stack import require_addon
from reservations.robots_policy import RobotsState, robots_state, robots_verdict
from reservations.verdict import Verdict

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


class RobotsPolicy:
    """Scrapy extension: the crawl's robots.txt per origin and our token's verdict per request."""

    def __init__(self, crawler: Crawler) -> None:
        require_addon(crawler)
        settings = crawler.settings
        self.crawler = crawler
        self.token: str = settings.get("HEED_PRODUCT_TOKEN")
        self.ttl = settings.getfloat("HEED_ROBOTS_TTL")
        self.retry_after = settings.getfloat("HEED_ROBOTS_RETRY_AFTER")
        self.fetcher = OriginDocumentFetcher(
            crawler,
            "robots",
            max_bytes=settings.getint("HEED_ROBOTS_MAX_BYTES"),
            timeout=settings.getfloat("HEED_ROBOTS_TIMEOUT"),
            max_redirects=settings.getint("HEED_ROBOTS_MAX_REDIRECTS"),
        )
        # Per request in flight (forgotten with it): the state it was judged under, its URL
        # (a redirect copy is another request) and the verdict.
        self._verdicts: WeakKeyDictionary[Request, tuple[RobotsState, str, Verdict]] = (
            WeakKeyDictionary()
        )
        # Origins whose last robots.txt fetch failed: disallowed until fetched again.
        self.unreachable: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RobotsPolicy:
        return cls(crawler)

    @cached_property
    def cache(self) -> OriginCache[RobotsState]:
        # Looked up on first use: extensions cannot find each other while they are built.
        return shared(self.crawler, OriginCaches).cache("robots")

    async def state(self, request: Request) -> RobotsState:
        """The robots.txt of ``request``'s origin, fetched once and shared: the checks of its
        extension lines (Content-Usage, Content-Signal) read it here."""
        origin = origin_of(request)
        return await self.cache.get(origin, lambda: self._load(origin))

    async def judged(self, request: Request) -> tuple[RobotsState, Verdict]:
        """The robots.txt of ``request``'s origin and our token's verdict for ``request`` under
        it, evaluated once per request and robots.txt: the extension-line checks ask it too,
        before the robots check runs."""
        state = await self.state(request)
        known = self._verdicts.get(request)
        if known is not None and known[0] is state and known[1] == request.url:
            return state, known[2]
        verdict = robots_verdict(state, request.url, self.token)
        self._verdicts[request] = (state, request.url, verdict)
        return state, verdict

    async def _load(self, origin: str) -> tuple[RobotsState, float]:
        doc = await self.fetcher.fetch(f"{origin}/robots.txt")
        state = robots_state(doc.status, doc.error, doc.body, doc.evidence())
        stats = self.crawler.stats
        stats.inc_value("heed/robots/fetches")
        stats.inc_value(f"heed/robots/{state.availability}")
        if state.availability == "unreachable":
            self.unreachable.add(origin)
            logger.warning(
                "robots.txt of %s is unreachable (%s): the whole origin is disallowed for %ds",
                origin,
                doc.error or f"HTTP {doc.status}",
                self.retry_after,
            )
            return state, self.retry_after
        self.unreachable.discard(origin)
        return state, self.ttl
