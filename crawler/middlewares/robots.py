"""Adapter: the RFC 9309 robots.txt check at the request gate.

One robots.txt per origin (scheme, host, port), fetched once through the engine and shared by
every request waiting on it, cached for ``HEED_ROBOTS_TTL``; an unreachable one disallows the
origin for ``HEED_ROBOTS_RETRY_AFTER`` seconds and is then fetched again.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING
from weakref import WeakKeyDictionary

from scrapy.utils.httpobj import urlparse_cached

from crawler.origin_cache import OriginCache, origin_cache_for
from crawler.origin_docs import DOC_META, OriginDocumentFetcher
from reservations.robots_policy import RobotsState, robots_state, robots_verdict
from reservations.verdict import Verdict, allow

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

_DEFAULT_PORTS = {"http": 80, "https": 443}


def origin_of(request: Request) -> str:
    """``scheme://host[:port]`` with the default port left out, so equal origins compare equal."""
    parts = urlparse_cached(request)
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"
    port = parts.port
    if port is None or port == _DEFAULT_PORTS.get(scheme):
        return f"{scheme}://{host}"
    return f"{scheme}://{host}:{port}"


class RobotsCheck:
    """Fetches, caches and applies each origin's robots.txt for our product token."""

    name = "robots"
    # Other policy files (tdmrep.json, ai.txt) are fetched only where robots.txt allows them.
    guards_origin_documents = True

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.token: str = settings.get("HEED_PRODUCT_TOKEN")
        self.ttl = settings.getfloat("HEED_ROBOTS_TTL")
        self.retry_after = settings.getfloat("HEED_ROBOTS_RETRY_AFTER")
        self.max_crawl_delay = settings.getfloat("HEED_MAX_CRAWL_DELAY")
        self.fetcher = OriginDocumentFetcher(
            crawler,
            "robots",
            max_bytes=settings.getint("HEED_ROBOTS_MAX_BYTES"),
            timeout=settings.getfloat("HEED_ROBOTS_TIMEOUT"),
            max_redirects=settings.getint("HEED_ROBOTS_MAX_REDIRECTS"),
        )
        self.cache: OriginCache[RobotsState] = origin_cache_for(crawler, "robots")
        # Per request in flight (forgotten with it): the state it was judged under, its URL
        # (a redirect copy is another request) and the verdict.
        self._verdicts: WeakKeyDictionary[Request, tuple[RobotsState, str, Verdict]] = (
            WeakKeyDictionary()
        )

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RobotsCheck:
        return cls(crawler)

    async def state(self, request: Request) -> RobotsState:
        """The robots.txt of ``request``'s origin, fetched once and shared: the checks of its
        extension lines (Content-Usage, Content-Signal) read it here."""
        origin = origin_of(request)
        return await self.cache.get(origin, lambda: self._load(origin))

    async def check_request(self, request: Request) -> Verdict:
        if request.meta.get(DOC_META) == "robots":
            # robots.txt and its redirect hops: always allowed (RFC 9309 §2.2.2).
            return allow("robots", "robots.policy_document")
        state = await self.state(request)
        verdict = await self.verdict(request)
        if state.file is not None:
            self._apply_crawl_delay(request, state)
        return verdict

    async def verdict(self, request: Request) -> Verdict:
        """Our token's verdict for ``request``, evaluated once per request and robots.txt: the
        extension-line checks ask it too, before this check runs."""
        state = await self.state(request)
        known = self._verdicts.get(request)
        if known is not None and known[0] is state and known[1] == request.url:
            return known[2]
        verdict = robots_verdict(state, request.url, self.token)
        self._verdicts[request] = (state, request.url, verdict)
        return verdict

    async def _load(self, origin: str) -> tuple[RobotsState, float]:
        doc = await self.fetcher.fetch(f"{origin}/robots.txt")
        state = robots_state(doc.status, doc.error, doc.body, doc.evidence())
        stats = self.crawler.stats
        stats.inc_value("heed/robots/fetches")
        stats.inc_value(f"heed/robots/{state.availability}")
        if state.availability == "unreachable":
            logger.warning(
                "robots.txt of %s is unreachable (%s): the whole origin is disallowed for %ds",
                origin,
                doc.error or f"HTTP {doc.status}",
                self.retry_after,
            )
            return state, self.retry_after
        return state, self.ttl

    def _apply_crawl_delay(self, request: Request, state: RobotsState) -> None:
        assert state.file is not None
        delay = state.file.crawl_delay(self.token)
        if not delay or self.crawler.engine is None:
            return
        downloader = self.crawler.engine.downloader
        _, slot = downloader._get_slot(request)
        wanted = min(float(delay), self.max_crawl_delay)
        if slot.delay < wanted:
            slot.delay = wanted
            slot.jitter = 0.0
