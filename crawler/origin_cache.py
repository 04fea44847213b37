"""A per-origin cache with a TTL per entry, where concurrent callers share one load.

The first caller for a key runs the load; every caller that arrives while it runs waits for
that same result (each on a Deferred of its own, so no waiter ever sees another's leftovers).
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.defer import Deferred

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

V = TypeVar("V")


@dataclass
class _Entry(Generic[V]):
    value: V
    expires: float


class OriginCache(Generic[V]):
    """``await cache.get(key, load)``: a cached value, or one shared run of ``load``.

    ``load`` returns ``(value, ttl_seconds)``. A load that raises is not cached; its waiters
    receive the same exception.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._entries: dict[str, _Entry[V]] = {}
        self._waiters: dict[str, list[Deferred[V]]] = {}
        self.loads = 0

    def peek(self, key: str) -> V | None:
        """The cached value if fresh, without loading."""
        entry = self._entries.get(key)
        if entry is not None and entry.expires > self._clock():
            return entry.value
        return None

    async def get(self, key: str, load: Callable[[], Awaitable[tuple[V, float]]]) -> V:
        entry = self._entries.get(key)
        if entry is not None and entry.expires > self._clock():
            return entry.value
        waiters = self._waiters.get(key)
        if waiters is not None:
            waiter: Deferred[V] = Deferred()
            waiters.append(waiter)
            return await maybe_deferred_to_future(waiter)
        self._waiters[key] = []
        self.loads += 1
        try:
            value, ttl = await load()
        except Exception as exc:
            for waiter in self._waiters.pop(key):
                waiter.errback(exc)
            raise
        self._entries[key] = _Entry(value, self._clock() + ttl)
        for waiter in self._waiters.pop(key):
            waiter.callback(value)
        return value


def origin_cache_for(crawler: Crawler, kind: str) -> OriginCache[Any]:
    """The cache for one kind of per-origin document: this process's own, or in cluster mode
    (``HEED_REDIS_URL``) one whose loads the whole cluster shares (docs/scale.md)."""
    if not crawler.settings.get("HEED_REDIS_URL"):
        return OriginCache()
    from crawler.cluster.origin_cache import RedisOriginCache  # the "cluster" extra

    return RedisOriginCache.from_crawler(crawler, kind)
