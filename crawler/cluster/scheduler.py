"""scrapy-redis's scheduler with a few round trips per batch of pages instead of ~21 per page.

Stock scrapy-redis 0.9.1 asks Redis once per extracted link (``SADD`` to the dupefilter), once
more per new link (``ZADD``) and once per pop (``MULTI``/``EXEC``). This subclass keeps its
queue, dupefilter keys and request encoding, and changes only when Redis is asked:

- a link this worker has already pushed is dropped here, without asking (Redis stays the
  judge of everything else: a link first seen here still goes through the shared dupefilter);
- new requests wait for the end of the reactor turn or the next pop, and go in one script call
  together with the acknowledgements of finished requests;
- each pop leases ``HEED_FRONTIER_BATCH`` requests at once.

A request counts as finished once Scrapy's engine has dropped it from its in-progress set,
which it does only after the response went through the spider and every request the spider
made from it was enqueued here. So a worker that dies never takes a page's links with it.
"""

from __future__ import annotations

import logging
from collections import deque
from typing import TYPE_CHECKING, Any, cast

from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.scheduler import Scheduler

from crawler.cluster.frontier import Push
from crawler.cluster.worker import ClusterWorker
from crawler.components import shared
from crawler.scrapy_private import engine_in_progress

if TYPE_CHECKING:
    from scrapy import Request, Spider
    from scrapy.crawler import Crawler
    from twisted.internet.base import DelayedCall, ReactorBase

logger = logging.getLogger(__name__)

# Fingerprints this worker remembers having pushed; past this many it forgets them all and
# lets Redis judge again (a memory bound, never a correctness one).
_SEEN_MAX = 1_000_000
# Pushes held back at most before a round trip is forced.
_PUSH_MAX = 512


class ClusterScheduler(Scheduler):  # type: ignore[misc]  # scrapy-redis is untyped
    """The shared frontier's scheduler: batched pushes and pops, leased requests."""

    def __init__(self, crawler: Crawler, worker: ClusterWorker, batch: int) -> None:
        keys = worker.frontier.keys
        super().__init__(
            worker.server,
            persist=True,  # the frontier outlives any one worker; see ClusterWorker
            queue_key=keys.queue,
            dupefilter=RFPDupeFilter(
                worker.server, keys.dupefilter, crawler.settings.getbool("DUPEFILTER_DEBUG")
            ),
            dupefilter_key=keys.dupefilter,
        )
        self.crawler = crawler
        self.stats = crawler.stats
        self.frontier = worker.frontier
        self.batch = max(1, batch)
        self._seen: set[bytes] = set()
        self._pending: list[Push] = []
        self._ready: deque[tuple[bytes, Request]] = deque()
        self._leased: dict[Request, bytes] = {}
        self._flush_call: DelayedCall | None = None
        worker.scheduler = self

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ClusterScheduler:
        worker = shared(crawler, ClusterWorker)
        return cls(crawler, worker, crawler.settings.getint("HEED_FRONTIER_BATCH"))

    def close(self, reason: str) -> None:
        # Every request handed out has finished by now (the engine waits for them): ack them.
        # Requests still waiting here go back to the queue when the worker leaves.
        self.flush()

    def enqueue_request(self, request: Request) -> bool:
        fingerprint = ""
        if not request.dont_filter:
            fingerprint = self.df.request_fingerprint(request)
            digest = bytes.fromhex(fingerprint)
            if digest in self._seen:
                self.df.log(request, self.spider)
                return False
            if len(self._seen) >= _SEEN_MAX:
                self._seen.clear()
            self._seen.add(digest)
        self._pending.append(
            Push(fingerprint, -request.priority, self.queue._encode_request(request))
        )
        if len(self._pending) >= _PUSH_MAX:
            self.flush()
        elif self._flush_call is None:
            from twisted.internet import reactor

            # The installed reactor: the module stands in for it, untyped.
            self._flush_call = cast("ReactorBase", reactor).callLater(0, self.flush)
        return True

    def next_request(self) -> Request | None:
        if not self._ready:
            self._exchange(self.batch)
        if not self._ready:
            return None
        data, request = self._ready.popleft()
        self._leased[request] = data
        self.stats.inc_value("scheduler/dequeued/redis")
        return request

    def has_pending_requests(self) -> bool:
        return bool(self._ready or self._pending)

    def flush(self) -> None:
        """Push what waits and acknowledge what finished, without popping."""
        if self._pending or self._leased:
            self._exchange(0)

    def _exchange(self, pop: int) -> None:
        """One round trip: pushes, acknowledgements and a lease renewal, then ``pop`` pops."""
        if self._flush_call is not None and self._flush_call.active():
            self._flush_call.cancel()
        self._flush_call = None
        pushes, done = self._pending, self._finished()
        # Nothing is forgotten here before Redis has taken it: a failed call is retried whole.
        new, popped = self.frontier.sync(pushes, [self._leased[r] for r in done], pop)
        self._pending = []
        for request in done:
            del self._leased[request]
        self.stats.inc_value("scheduler/enqueued/redis", new)
        if len(pushes) > new:
            self.stats.inc_value("heed/cluster/duplicates", len(pushes) - new)
        self.stats.inc_value("heed/cluster/round_trips")
        for data in popped:
            self._ready.append((data, self.queue._decode_request(data)))

    def _finished(self) -> list[Request]:
        """Handed-out requests the engine is done with: their lease can be dropped."""
        in_progress = engine_in_progress(self.crawler)
        return [request for request in self._leased if request not in in_progress]

    def open(self, spider: Spider) -> Any:
        self._seen.clear()
        return super().open(spider)
