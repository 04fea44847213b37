"""A per-origin cache with a TTL per entry, where concurrent callers share one load.

The first caller for a key runs the load; every caller that arrives while it runs waits for
that same result (each on a Deferred of its own, so no waiter ever sees another's leftovers).
Expired entries are released as the crawl goes on (a heap of expiry times, swept on each
``get``), so a crawl of a million origins holds only the origins of the last TTL.

Inside ``noting_reads()``, every entry a ``get`` returns is noted: the request gate's send-time
stage takes over the entry stage's answers only while each entry they read is still the one
in force (``Read.in_force``).
"""

from __future__ import annotations

import heapq
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.misc import load_object
from twisted.internet.defer import Deferred

from crawler.stack import require_addon

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

V = TypeVar("V")


@dataclass(slots=True)
class _Entry(Generic[V]):
    value: V
    expires: float


@dataclass(frozen=True, slots=True)
class Read:
    """One entry a ``get`` returned: the value a decision was taken on."""

    cache: OriginCache[Any]
    key: str
    entry: _Entry[Any] | None

    def in_force(self) -> bool:
        """Whether ``get`` would still return this very entry (not reloaded, not expired)."""
        cache = self.cache
        entry = self.entry
        return (
            entry is not None
            and cache._entries.get(self.key) is entry
            and entry.expires > cache._clock()
        )


# The reads of the decision being taken in this task, by cache and key (None: not noting).
_READS: ContextVar[dict[tuple[OriginCache[Any], str], Read] | None] = ContextVar(
    "heed_origin_cache_reads", default=None
)


@contextmanager
def noting_reads() -> Iterator[list[Read]]:
    """Note every entry the caches return in this task until the block ends; the list
    holds each (cache, key) read once, as it ends."""
    reads: dict[tuple[OriginCache[Any], str], Read] = {}
    noted: list[Read] = []
    token = _READS.set(reads)
    try:
        yield noted
    finally:
        _READS.reset(token)
        noted.extend(reads.values())


class OriginCache(Generic[V]):
    """``await cache.get(key, load)``: a cached value, or one shared run of ``load``.

    ``load`` returns ``(value, ttl_seconds)``. A load that raises is not cached; its waiters
    receive the same exception.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._entries: dict[str, _Entry[V]] = {}
        self._waiters: dict[str, list[Deferred[V]]] = {}
        # (expiry, key) per stored entry; an entry stored again leaves a stale pair behind,
        # recognised by its expiry and dropped when it comes up.
        self._expiries: list[tuple[float, str]] = []

    @classmethod
    def from_crawler(cls, crawler: Crawler, kind: str) -> OriginCache[V]:
        """This process's own cache; cluster mode's class shares loads through Redis."""
        return cls()

    def loading(self) -> set[str]:
        """The keys whose load is running now (callers are waiting on them)."""
        return set(self._waiters)

    def __len__(self) -> int:
        return len(self._entries)

    def holds(self, key: str) -> bool:
        """Whether ``key`` is cached and fresh, or being loaded: ``get`` would not load it."""
        entry = self._entries.get(key)
        return key in self._waiters or (entry is not None and entry.expires > self._clock())

    async def get(self, key: str, load: Callable[[], Awaitable[tuple[V, float]]]) -> V:
        now = self._clock()
        self._release_expired(now)
        entry = self._entries.get(key)
        if entry is not None and entry.expires > now:
            self._note(key, entry)
            return entry.value
        waiters = self._waiters.get(key)
        if waiters is not None:
            waiter: Deferred[V] = Deferred()
            waiters.append(waiter)
            value: V = await maybe_deferred_to_future(waiter)
            self._note(key, self._entries.get(key))
            return value
        self._waiters[key] = []
        try:
            value, ttl = await load()
        except Exception as exc:
            for waiter in self._waiters.pop(key):
                waiter.errback(exc)
            raise
        expires = self._clock() + ttl
        self._entries[key] = entry = _Entry(value, expires)
        heapq.heappush(self._expiries, (expires, key))
        for waiter in self._waiters.pop(key):
            waiter.callback(value)
        self._note(key, entry)
        return value

    def _note(self, key: str, entry: _Entry[V] | None) -> None:
        reads = _READS.get()
        if reads is None:
            return
        noted = reads.get((self, key))
        if noted is None:
            reads[self, key] = Read(self, key, entry)
        elif noted.entry is not entry:
            # Reloaded while the decision was taken: its answers rest on two versions.
            reads[self, key] = Read(self, key, None)

    def _release_expired(self, now: float) -> None:
        """Drop every entry whose TTL has run out: amortised O(log n) per stored entry."""
        expiries = self._expiries
        while expiries and expiries[0][0] <= now:
            expires, key = heapq.heappop(expiries)
            entry = self._entries.get(key)
            if entry is not None and entry.expires == expires:
                del self._entries[key]


class OriginCaches:
    """Scrapy extension: one cache per kind of policy document, shared by every component
    that reads that kind (both gates, the extension-line checks), of the class named by
    ``HEED_ORIGIN_CACHE`` (cluster mode names a Redis-backed one: docs/scale.md)."""

    def __init__(self, crawler: Crawler) -> None:
        require_addon(crawler)
        self.crawler = crawler
        self._class: type[OriginCache[Any]] = load_object(crawler.settings["HEED_ORIGIN_CACHE"])
        self._caches: dict[str, OriginCache[Any]] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> OriginCaches:
        return cls(crawler)

    def loading(self) -> set[str]:
        """Origins with a policy document being fetched now, of any kind."""
        return set().union(*(cache.loading() for cache in self._caches.values()))

    def cache(self, kind: str) -> OriginCache[Any]:
        """The crawl's cache for ``kind`` (``robots``, ``tdmrep``, ...), made on first use."""
        if kind not in self._caches:
            self._caches[kind] = self._class.from_crawler(self.crawler, kind)
        return self._caches[kind]
