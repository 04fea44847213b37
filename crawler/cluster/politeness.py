"""Politeness across workers: a download slot's delay holds for the whole cluster.

Scrapy spaces the requests of one download slot (a host, by default) by the slot's delay:
``DOWNLOAD_DELAY``, or the site's Crawl-delay once the robots check has raised it. That holds
within one process only; three workers would each keep their own spacing and hit the host
three times as often. Here each request first books the slot's next free start time in Redis
(one key per slot holding the next allowed time, moved on atomically by a script using Redis's
clock) and waits for it, so the whole cluster keeps the spacing. The delay is taken over from
Scrapy's slot (which then adds none of its own, random or not); slots without a delay never
ask Redis.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from scrapy.exceptions import NotConfigured

from crawler.cluster.worker import ClusterWorker
from crawler.components import shared
from crawler.scrapy_private import download_slot

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler

# KEYS: the slot's key. ARGV: delay in ms. Returns how many ms to wait before starting.
_BOOK = """
if redis.replicate_commands then redis.replicate_commands() end
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
local start = math.max(now, tonumber(redis.call('GET', KEYS[1]) or '0'))
local delay = tonumber(ARGV[1])
redis.call('SET', KEYS[1], start + delay, 'PX', start + delay - now + 1000)
return start - now
"""


class SlotClock:
    """Books the start of each request of a download slot, for the whole cluster."""

    def __init__(self, server: Any) -> None:
        self._book = server.register_script(_BOOK)

    def book(self, slot: str, delay: float) -> float:
        """Seconds this request must wait so that it starts ``delay`` after the slot's last."""
        return int(self._book(keys=[f"heed:slot:{slot}"], args=[int(delay * 1000)])) / 1000


class ClusterPoliteness:
    """Downloader middleware: wait for this slot's turn across the cluster, then download."""

    def __init__(self, crawler: Crawler, clock: SlotClock) -> None:
        self.crawler = crawler
        self.clock = clock
        self.delays: dict[str, float] = {}  # each slot's delay, taken over from Scrapy's slot

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ClusterPoliteness:
        if not crawler.settings.get("HEED_REDIS_URL"):
            raise NotConfigured
        return cls(crawler, SlotClock(shared(crawler, ClusterWorker).server))

    async def process_request(self, request: Request) -> None:
        key, slot = download_slot(self.crawler, request)
        delay = max(slot.delay, self.delays.get(key, 0.0))
        if delay <= 0:
            return
        # The booking is this slot's only spacing: a local delay on top could hold one request
        # back past its booked time, into the next worker's turn.
        self.delays[key], slot.delay = delay, 0.0
        wait = self.clock.book(key, delay)
        if wait > 0:
            self.crawler.stats.inc_value("heed/cluster/politeness_waits")
            await asyncio.sleep(wait)
