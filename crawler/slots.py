"""A graceful stop does not wait out politeness delays to send nothing.

Scrapy closes a spider only once every request in its downloader is done, and a request
waiting in a per-host queue behind a Crawl-delay of 30 s may be minutes from its turn. When the
crawl starts closing (Ctrl-C, ``close_spider``), this extension marks the request decisions as
stopping and lets the queues go at once: each waiting request reaches the send-time gate
straight away, is denied there with ``gate.stopped`` and recorded, and is not sent.

Scrapy has no public API for either step (Scrapy 2.13 to 2.19: ``ExecutionEngine._slot``,
``Downloader.slots``, ``Slot.queue`` and ``Downloader._process_queue``); this module is the one
place that touches them, and ``tests/crawler/test_send_gate.py`` fails if they change.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy import signals
from twisted.internet.task import LoopingCall

from crawler.components import shared
from crawler.gates import RequestDecisions

if TYPE_CHECKING:
    from scrapy.core.downloader import Downloader
    from scrapy.core.engine import ExecutionEngine
    from scrapy.crawler import Crawler

# How often a closing crawl is looked for: the most a stop waits before the queues go.
POLL_SECONDS = 0.2


def closing(engine: ExecutionEngine) -> bool:
    """True once the spider is being closed (Ctrl-C stops the engine, then closes it)."""
    slot = engine._slot
    return slot is not None and slot.closing is not None


def release_queues(downloader: Downloader) -> int:
    """Let every request waiting in a downloader queue go now; returns how many waited."""
    waiting = 0
    for slot in list(downloader.slots.values()):
        if not slot.queue:
            continue
        waiting += len(slot.queue)
        slot.close()  # cancels the pending delayed call
        slot.delay = 0.0
        downloader._process_queue(slot)
    return waiting


class StopReleasesQueues:
    """Scrapy extension: on a graceful stop, queued requests are denied at once, not sent."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self._poll = LoopingCall(self._look)
        self._started = False
        crawler.signals.connect(self._start, signal=signals.spider_opened)
        crawler.signals.connect(self._stop, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StopReleasesQueues:
        return cls(crawler)

    def _start(self) -> None:
        self._poll.start(POLL_SECONDS, now=False)

    def _stop(self) -> None:
        if self._poll.running:
            self._poll.stop()

    def _look(self) -> None:
        engine = self.crawler.engine
        if engine is None:
            return
        self._started = self._started or engine.running
        # Ctrl-C stops the engine (``running`` turns False) before it closes the spider.
        if closing(engine) or (self._started and not engine.running):
            shared(self.crawler, RequestDecisions).stopping = True
            release_queues(engine.downloader)
