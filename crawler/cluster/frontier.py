"""The shared frontier in Redis: scrapy-redis's queue and dupefilter, plus leases.

The queue (a sorted set scored by ``-priority``) and the dupefilter (a set of fingerprints)
keep scrapy-redis's layout and request encoding. What Heed adds is the lease: a request popped
by a worker moves, in the same atomic step, into that worker's lease hash, and leaves it only
when the worker acknowledges it, once its response and every link from it are handled. A
worker that stops renewing its lease for ``lease_s`` is presumed dead and any live worker puts
its leased requests back on the queue. Each call below is one Lua script, one round trip:
pushing, acknowledging and popping go together in ``sync``.

Times are Redis's own (``TIME``), so workers on machines with skewed clocks agree.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

# Shared prelude: effects replication (needed before writing after TIME on Redis < 5).
_NOW = """
if redis.replicate_commands then redis.replicate_commands() end
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
"""

# KEYS: dupefilter, queue, my leases, workers. ARGV: worker, lease_ms, pop count, push count,
# then push count triples (fingerprint or "" for dont_filter, score, data), then acks.
_SYNC = (
    _NOW
    + """
local pushed = 0
local n = tonumber(ARGV[4])
for i = 0, n - 1 do
  local fp, score, data = ARGV[5 + 3 * i], ARGV[6 + 3 * i], ARGV[7 + 3 * i]
  if fp == '' or redis.call('SADD', KEYS[1], fp) == 1 then
    redis.call('ZADD', KEYS[2], score, data)
    pushed = pushed + 1
  end
end
for i = 5 + 3 * n, #ARGV do redis.call('HDEL', KEYS[3], ARGV[i]) end
redis.call('ZADD', KEYS[4], now + tonumber(ARGV[2]), ARGV[1])
local popped = {}
local count = tonumber(ARGV[3])
if count > 0 then
  local items = redis.call('ZPOPMIN', KEYS[2], count)
  for i = 1, #items, 2 do
    redis.call('HSET', KEYS[3], items[i], items[i + 1])
    popped[#popped + 1] = items[i]
  end
end
return {pushed, popped}
"""
)

# KEYS: workers, queue. ARGV: worker, lease_ms, lease-key prefix.
# Renews my lease, requeues dead workers' leased requests, and reports what is left.
_CHECK = (
    _NOW
    + """
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
local requeued = 0
for _, dead in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now - 1)) do
  local held = redis.call('HGETALL', ARGV[3] .. dead)
  for i = 1, #held, 2 do
    redis.call('ZADD', KEYS[2], held[i + 1], held[i])
    requeued = requeued + 1
  end
  redis.call('DEL', ARGV[3] .. dead)
  redis.call('ZREM', KEYS[1], dead)
end
local leased = 0
for _, w in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  leased = leased + redis.call('HLEN', ARGV[3] .. w)
end
return {requeued, redis.call('ZCARD', KEYS[2]), leased, redis.call('ZCARD', KEYS[1])}
"""
)

# KEYS: workers, crawl. ARGV: worker, lease_ms, new crawl id.
_JOIN = (
    _NOW
    + """
redis.call('SET', KEYS[2], ARGV[3], 'NX')
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
return redis.call('GET', KEYS[2])
"""
)

# KEYS: workers, queue, my leases, dupefilter, crawl. ARGV: worker, finished (1/0).
# Returns what I still held to the queue; the last worker out of a finished crawl clears it.
_LEAVE = """
local held = redis.call('HGETALL', KEYS[3])
for i = 1, #held, 2 do redis.call('ZADD', KEYS[2], held[i + 1], held[i]) end
redis.call('DEL', KEYS[3])
redis.call('ZREM', KEYS[1], ARGV[1])
if ARGV[2] == '1' and redis.call('ZCARD', KEYS[1]) == 0 and redis.call('ZCARD', KEYS[2]) == 0 then
  redis.call('DEL', KEYS[2], KEYS[4], KEYS[5])
  return 1
end
return 0
"""


@dataclass(frozen=True)
class FrontierKeys:
    """Redis key names of one spider's crawl; the queue and dupefilter are scrapy-redis's."""

    prefix: str

    @classmethod
    def for_spider(cls, spider_name: str) -> FrontierKeys:
        return cls(f"heed:{spider_name}")

    @property
    def queue(self) -> str:
        return f"{self.prefix}:requests"

    @property
    def dupefilter(self) -> str:
        return f"{self.prefix}:dupefilter"

    @property
    def workers(self) -> str:
        return f"{self.prefix}:workers"

    @property
    def crawl(self) -> str:
        return f"{self.prefix}:crawl"

    @property
    def lease_prefix(self) -> str:
        return f"{self.prefix}:leased:"

    def leases_of(self, worker: str) -> str:
        return self.lease_prefix + worker


@dataclass(frozen=True)
class ClusterStatus:
    """What ``check`` saw: requests requeued from dead workers, queued, leased, live workers."""

    requeued: int
    queued: int
    leased: int
    workers: int

    @property
    def idle(self) -> bool:
        """Nothing queued and nothing in flight anywhere: no request can appear any more."""
        return not self.queued and not self.leased


@dataclass(frozen=True)
class Push:
    """One request to enqueue: its fingerprint ("" skips the dupefilter), score and data."""

    fingerprint: str
    score: int
    data: bytes


class Frontier:
    """One worker's handle on the shared frontier (a synchronous Redis client, as scrapy-redis)."""

    def __init__(self, server: Any, keys: FrontierKeys, worker: str, lease_s: float) -> None:
        self.server = server
        self.keys = keys
        self.worker = worker
        self.lease_ms = max(1, int(lease_s * 1000))
        self._sync = server.register_script(_SYNC)
        self._check = server.register_script(_CHECK)
        self._join = server.register_script(_JOIN)
        self._leave = server.register_script(_LEAVE)

    def join(self) -> str:
        """Register this worker; return the crawl's id (the first worker in creates it)."""
        crawl = self._join(
            keys=[self.keys.workers, self.keys.crawl],
            args=[self.worker, self.lease_ms, uuid.uuid4().hex],
        )
        return crawl.decode() if isinstance(crawl, bytes) else str(crawl)

    def sync(
        self, pushes: Sequence[Push], acks: Sequence[bytes], pop: int
    ) -> tuple[int, list[bytes]]:
        """Push new requests (dupefilter first), acknowledge finished ones, renew the lease,
        and lease up to ``pop`` requests; return how many pushes were new, and the popped."""
        args: list[Any] = [self.worker, self.lease_ms, pop, len(pushes)]
        for push in pushes:
            args += [push.fingerprint, push.score, push.data]
        args += acks
        pushed, popped = self._sync(
            keys=[
                self.keys.dupefilter,
                self.keys.queue,
                self.keys.leases_of(self.worker),
                self.keys.workers,
            ],
            args=args,
        )
        return int(pushed), list(popped)

    def check(self) -> ClusterStatus:
        """Renew this worker's lease, requeue the requests of presumed-dead workers, count."""
        values = self._check(
            keys=[self.keys.workers, self.keys.queue],
            args=[self.worker, self.lease_ms, self.keys.lease_prefix],
        )
        return ClusterStatus(*(int(v) for v in values))

    def leave(self, finished: bool) -> bool:
        """Return held requests to the queue and deregister; ``True`` if this cleared the crawl."""
        cleared = self._leave(
            keys=[
                self.keys.workers,
                self.keys.queue,
                self.keys.leases_of(self.worker),
                self.keys.dupefilter,
                self.keys.crawl,
            ],
            args=[self.worker, "1" if finished else "0"],
        )
        return bool(cleared)
