"""Per-origin opt-out files other than robots.txt (tdmrep.json, ai.txt): fetched once, cached.

Each kind of file is fetched through the engine at a fixed path of the origin, with robots.txt's
timeout and redirect limit, parsed by a pure function of the fetch, and cached per origin for
its TTL; a failed fetch (network error or 5xx) is cached only for ``HEED_ROBOTS_RETRY_AFTER``,
so that a passing outage does not hide a reservation for a whole TTL.

The first request of an origin that needs one of its files starts the fetch of all of them, side
by side (each in a download slot of its own: ``OriginDocumentFetcher``), so that a request waits
for the slowest file, not for the sum of them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from scrapy.utils.defer import deferred_from_coro

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
        group: PolicyFiles,
        kind: str,
        path: str,
        parse: Callable[[FetchedDocument], V],
        *,
        ttl: float,
        max_bytes: int,
    ) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.group = group
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
        """The file of ``message``'s origin; when it is not cached, the origin's other files
        start loading too (when it is, they were started with it, or are loaded by the checks
        that read them)."""
        origin = origin_of(message)
        url = origin + self.path
        if not self.cache.holds(url):
            self.group.start(origin)
        return await self.at(url)

    async def at(self, url: str) -> tuple[V, dict[str, Any]]:
        """The document at ``url`` (a licence a page or robots.txt points to), cached by URL."""
        return await self.cache.get(url, partial(self._load, url))

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
                self.crawler, self, kind, path, parse, ttl=ttl, max_bytes=max_bytes
            )
        return self._files[kind]

    def start(self, origin: str) -> None:
        """Start fetching every file of ``origin`` not cached or on its way, without waiting
        (files at a fixed path of each origin; not those found by URL, such as licences)."""
        for file in self._files.values():
            url = origin + file.path
            if file.path and not file.cache.holds(url):
                loading = deferred_from_coro(file.at(url))
                # A load that fails is not cached: the check that needs the file loads it again
                # and, failing again, denies.
                loading.addErrback(_ignore_failure, origin, file.kind)


def _ignore_failure(failure: Any, origin: str, kind: str) -> None:
    logger.debug("%s of %s: fetch started ahead failed: %s", kind, origin, failure.value)
