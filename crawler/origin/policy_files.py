"""Per-origin opt-out files other than robots.txt (tdmrep.json, ai.txt): fetched once, cached.

Each kind of file is fetched through the engine at a fixed path of the origin, with robots.txt's
timeout and redirect limit, parsed by a pure function of the fetch, and cached per origin for
its TTL; a failed fetch (network error or 5xx) is cached only for ``HEED_ROBOTS_RETRY_AFTER``,
so that a passing outage does not hide a reservation for a whole TTL.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from crawler.components import shared
from crawler.origin.cache import OriginCache, OriginCaches
from crawler.origin.documents import FetchedDocument, OriginDocumentFetcher, origin_of

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Request, Response

logger = logging.getLogger(__name__)
V = TypeVar("V")


class PolicyFile(Generic[V]):
    """``await files.get(request_or_response)``: the parsed file of its origin and its evidence."""

    def __init__(
        self,
        crawler: Crawler,
        kind: str,
        path: str,
        parse: Callable[[FetchedDocument], V],
        *,
        ttl: float,
        max_bytes: int,
    ) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.kind = kind
        self.path = path
        self.parse = parse
        self.ttl = ttl
        self.retry_after = settings.getfloat("HEED_ROBOTS_RETRY_AFTER")
        self.fetcher = OriginDocumentFetcher(
            crawler,
            kind,
            max_bytes=max_bytes,
            timeout=settings.getfloat("HEED_ROBOTS_TIMEOUT"),
            max_redirects=settings.getint("HEED_ROBOTS_MAX_REDIRECTS"),
        )
        self.cache: OriginCache[tuple[V, dict[str, Any]]] = shared(crawler, OriginCaches).cache(
            kind
        )

    async def get(self, message: Request | Response) -> tuple[V, dict[str, Any]]:
        """The file of ``message``'s origin."""
        return await self.at(origin_of(message) + self.path)

    async def at(self, url: str) -> tuple[V, dict[str, Any]]:
        """The document at ``url`` (a licence a page or robots.txt points to), cached by URL."""
        return await self.cache.get(url, lambda: self._load(url))

    async def _load(self, url: str) -> tuple[tuple[V, dict[str, Any]], float]:
        doc = await self.fetcher.fetch(url)
        stats = self.crawler.stats
        stats.inc_value(f"heed/{self.kind}/fetches")
        failed = doc.error is not None or (doc.status or 0) >= 500
        if failed:
            stats.inc_value(f"heed/{self.kind}/failed")
            logger.info(
                "%s could not be fetched (%s): fetched again in %ds",
                url,
                doc.error or f"HTTP {doc.status}",
                self.retry_after,
            )
        return (self.parse(doc), doc.evidence()), self.retry_after if failed else self.ttl


class PolicyFiles:
    """Scrapy extension: one ``PolicyFile`` per kind, so the checks of both gates read (and
    fetch) the same file."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self._files: dict[str, PolicyFile[Any]] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PolicyFiles:
        return cls(crawler)

    def file(
        self,
        kind: str,
        path: str,
        parse: Callable[[FetchedDocument], V],
        *,
        ttl: float,
        max_bytes: int,
    ) -> PolicyFile[V]:
        """The crawl's ``kind`` file (built on first use with these parameters)."""
        if kind not in self._files:
            self._files[kind] = PolicyFile(
                self.crawler, kind, path, parse, ttl=ttl, max_bytes=max_bytes
            )
        return self._files[kind]
