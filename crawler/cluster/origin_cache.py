"""The per-origin cache shared by every worker: one load per origin per TTL for the cluster.

Same contract as ``OriginCache`` (``await cache.get(key, load)``, ``load`` returning
``(value, ttl)``), one level up: the first worker to miss takes a lock in Redis (with an
expiry, renewed while it loads), runs ``load`` and stores the value with the TTL as the key's
expiry; workers that miss meanwhile poll until the value appears, or until the lock lapses
(its holder died or its load raised) and one of them takes it over. Each worker also keeps
what it read in memory until the Redis entry expires, so a cached origin costs one round trip
per worker per TTL, and the "unreachable" rules of RFC 9309 (§2.3.1.4: disallow, fetch again
after ``HEED_ROBOTS_RETRY_AFTER``) hold for the whole cluster because the short TTL does.

The value is stored pickled: for robots.txt, the parsed file, its availability and the fetch
evidence, so no worker parses again and every decision cites the same fetch. Keys carry Heed's
version, so workers of different versions never read each other's pickles; Redis must be as
trusted as the workers (scrapy-redis keeps pickled requests there too).
"""

from __future__ import annotations

import asyncio
import logging
import pickle
import secrets
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, TypeVar

from crawler import __version__
from crawler.cluster.worker import ClusterWorker
from crawler.components import shared
from crawler.origin.cache import OriginCache

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)
V = TypeVar("V")

# KEYS: value, lock. ARGV: token, lock ms. Returns {value, ttl ms}, or {false, "lock"} when
# this caller now holds the lock, or {false, "wait"} when another does.
_LOOKUP = """
local value = redis.call('GET', KEYS[1])
if value then return {value, redis.call('PTTL', KEYS[1])} end
if redis.call('SET', KEYS[2], ARGV[1], 'NX', 'PX', ARGV[2]) then return {false, 'lock'} end
return {false, 'wait'}
"""
# KEYS: lock. ARGV: token, lock ms (0: release). Only the holder may renew or release.
_RENEW = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if ARGV[2] == '0' then return redis.call('DEL', KEYS[1]) end
return redis.call('PEXPIRE', KEYS[1], ARGV[2])
"""
_POLL_FIRST_S = 0.02
_POLL_MAX_S = 0.5


class RedisOriginCache(OriginCache[V]):
    """``OriginCache`` whose loads are shared by the cluster through Redis."""

    def __init__(self, server: Any, kind: str, lock_s: float) -> None:
        super().__init__()
        self.server = server
        self.prefix = f"heed:origin:{kind}:{__version__}:"
        self.lock_ms = max(1, int(lock_s * 1000))
        self._lookup = server.register_script(_LOOKUP)
        self._renew = server.register_script(_RENEW)

    @classmethod
    def from_crawler(cls, crawler: Crawler, kind: str) -> RedisOriginCache[Any]:
        worker = shared(crawler, ClusterWorker)
        return cls(worker.server, kind, worker.lease_s)

    async def get(self, key: str, load: Callable[[], Awaitable[tuple[V, float]]]) -> V:
        # The in-memory level keeps single flight within this worker; Redis across workers.
        return await super().get(key, lambda: self._shared(key, load))

    async def _shared(
        self, key: str, load: Callable[[], Awaitable[tuple[V, float]]]
    ) -> tuple[V, float]:
        value_key, lock_key = self.prefix + key, self.prefix + key + ":lock"
        token = secrets.token_hex(8)
        pause = _POLL_FIRST_S
        while True:
            found, info = self._lookup(keys=[value_key, lock_key], args=[token, self.lock_ms])
            if found is not None:
                return pickle.loads(found), max(0, int(info)) / 1000
            if info == b"lock":
                return await self._load(value_key, lock_key, token, load)
            await asyncio.sleep(pause)
            pause = min(pause * 2, _POLL_MAX_S)

    async def _load(
        self,
        value_key: str,
        lock_key: str,
        token: str,
        load: Callable[[], Awaitable[tuple[V, float]]],
    ) -> tuple[V, float]:
        renewing = asyncio.ensure_future(self._keep_lock(lock_key, token))
        try:
            value, ttl = await load()
            data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
            self.server.set(value_key, data, px=max(1, int(ttl * 1000)))
        finally:
            renewing.cancel()
            self._renew(keys=[lock_key], args=[token, 0])
        return value, ttl

    async def _keep_lock(self, lock_key: str, token: str) -> None:
        """Renew the lock while the load runs, so that only a dead holder loses it."""
        while True:
            await asyncio.sleep(self.lock_ms / 3000)
            if not self._renew(keys=[lock_key], args=[token, self.lock_ms]):
                logger.warning("Heed cluster: lost the lock on %s while loading it", lock_key)
                return
