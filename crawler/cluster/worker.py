"""One worker's membership of a cluster: join, stay alive, rescue the dead, leave when done.

A worker joins the crawl of its spider (the first one in names it: the crawl id goes into
every worker's run header), renews its lease on a heartbeat, and on each heartbeat puts the
requests of workers whose lease lapsed back on the queue. It keeps itself open while anything
is queued or leased anywhere in the cluster, and closes once the whole cluster has been idle
for ``HEED_IDLE_CLOSE_S``. The last worker out of a finished crawl clears its frontier and
dupefilter, so the same command later starts a new crawl.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import time
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from redis.exceptions import RedisError
from scrapy import signals
from scrapy.exceptions import DontCloseSpider
from scrapy.utils.asyncio import create_looping_call
from scrapy_redis.connection import get_redis_from_settings

from crawler.cluster.frontier import ClusterStatus, Frontier, FrontierKeys
from crawler.components import shared
from crawler.errors import ConfigError
from crawler.log.recorder import DecisionRecorder
from crawler.scrapy_private import wake_engine

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler

    from crawler.cluster.scheduler import ClusterScheduler

logger = logging.getLogger(__name__)

# How often an idle worker looks for new work in the shared frontier, in seconds.
POLL_S = 0.1


def redacted(url: str) -> str:
    """The Redis URL without its password, fit for a log or a run header."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, ""))


class ClusterWorker:
    """This process's place in the cluster (see the module docstring); one per crawler."""

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        url = settings.get("HEED_REDIS_URL")
        self.crawler = crawler
        self.server = get_redis_from_settings(settings)
        try:
            self.server.ping()
        except RedisError as exc:
            raise ConfigError(
                f"HEED_REDIS_URL={redacted(url)}: cannot reach Redis ({exc}); "
                "start it, or unset HEED_REDIS_URL to crawl in one process"
            ) from exc
        self.id = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"
        self.lease_s = settings.getfloat("HEED_WORKER_LEASE_S")
        self.idle_close_s = settings.getfloat("HEED_IDLE_CLOSE_S")
        keys = FrontierKeys.for_spider(crawler.spidercls.name)
        self.frontier = Frontier(self.server, keys, self.id, self.lease_s)
        self.crawl_id = self.frontier.join()
        self.scheduler: ClusterScheduler | None = None
        self._status: ClusterStatus | None = None
        self._checked_at = float("-inf")
        self._idle_since: float | None = None
        self._loops: list[Any] = []
        self.header = {
            "crawl": self.crawl_id,
            "worker": self.id,
            "redis": redacted(url),
            "frontier": keys.prefix,
        }
        crawler.signals.connect(self._opened, signal=signals.spider_opened)
        crawler.signals.connect(self._idle, signal=signals.spider_idle)
        crawler.signals.connect(self._closed, signal=signals.spider_closed)
        logger.info("Heed cluster worker %s joined crawl %s", self.id, self.crawl_id)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ClusterWorker:
        return cls(crawler)

    def _opened(self, spider: Spider) -> None:
        shared(self.crawler, DecisionRecorder).add_header("cluster", self.header)
        for call, interval in ((self._heartbeat, self.lease_s / 3), (self._poll, POLL_S)):
            loop = create_looping_call(call)
            loop.start(interval, now=False)
            self._loops.append(loop)

    def _heartbeat(self) -> None:
        """Acknowledge, renew the lease and requeue dead workers' requests, even when busy."""
        try:
            self._check()
        except RedisError:
            logger.exception("Heed cluster heartbeat failed; retrying")

    def _check(self) -> ClusterStatus:
        if self.scheduler is not None:
            self.scheduler.flush()
        status = self.frontier.check()
        if status.requeued:
            self.crawler.stats.inc_value("heed/cluster/requeued", status.requeued)
            logger.warning(
                "Heed cluster: %d requests of workers presumed dead went back to the frontier",
                status.requeued,
            )
        self._status, self._checked_at = status, time.monotonic()
        return status

    def _poll(self) -> None:
        """Wake the engine so that an idle worker pops what others pushed."""
        scheduler = self.scheduler
        if scheduler is not None and not scheduler.has_pending_requests():
            wake_engine(self.crawler)

    def _idle(self, spider: Spider) -> None:
        now = time.monotonic()
        status = self._status
        if status is None or now - self._checked_at >= POLL_S:
            try:
                status = self._check()
            except RedisError:
                # Without Redis nobody can tell whether the crawl is done: wait for it.
                logger.exception("Heed cluster: Redis unreachable; this worker waits for it")
                raise DontCloseSpider from None
        if not status.idle:
            self._idle_since = None
            raise DontCloseSpider
        if self._idle_since is None:
            self._idle_since = now
        if now - self._idle_since < self.idle_close_s:
            raise DontCloseSpider
        logger.info("Heed cluster idle for %.1fs: worker %s closes", self.idle_close_s, self.id)

    def _closed(self, spider: Spider, reason: str) -> None:
        for loop in self._loops:
            if loop.running:
                loop.stop()
        try:
            cleared = self.frontier.leave(finished=reason == "finished")
        except RedisError:
            logger.exception("Heed cluster: could not leave; the lease will lapse instead")
            return
        logger.info(
            "Heed cluster worker %s left crawl %s%s",
            self.id,
            self.crawl_id,
            " (last out: frontier cleared)" if cleared else "",
        )
