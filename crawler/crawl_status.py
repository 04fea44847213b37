"""Heed's own progress line while a crawl runs, in the manner of Scrapy's ``LogStats``.

Every ``HEED_PROGRESS_INTERVAL`` seconds: pages kept, requests and responses denied with the
top reasons, origins waiting for a policy file, origins whose robots.txt is unreachable, and
the decision log's records and file. On a terminal (stderr is a tty and no ``LOG_FILE``) the
line is redrawn in place every second and log messages clear it before they print; anywhere
else it is a plain ``INFO`` log line per interval, for log files and CI.
"""

from __future__ import annotations

import logging
import shutil
import sys
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TextIO

from scrapy import signals
from scrapy.exceptions import NotConfigured
from twisted.internet import task

from crawler.components import shared
from crawler.log.recorder import DecisionRecorder
from crawler.origin.cache import OriginCaches
from crawler.origin.robots import RobotsPolicy

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

TOP_REASONS = 3
LIVE_REDRAW_S = 1.0
_STAGES = ("request", "response")


@dataclass(frozen=True)
class Progress:
    """One reading of the crawl's state."""

    pages: int
    per_minute: float
    denied: Mapping[str, int]  # by stage
    reasons: Mapping[str, int]  # denials by reason, both stages
    waiting: int
    unreachable: int
    records: int
    log: str

    def line(self) -> str:
        top = Counter(self.reasons).most_common(TOP_REASONS)
        why = f" ({', '.join(f'{reason} {n:,}' for reason, n in top)})" if top else ""
        return (
            f"Heed: {self.pages:,} pages kept ({self.per_minute:,.0f}/min); denied "
            f"{self.denied['request']:,} requests, {self.denied['response']:,} responses{why}; "
            f"{self.waiting:,} origins waiting for policy files, {self.unreachable:,} "
            f"unreachable; log {self.records:,} records -> {self.log}"
        )


def read_progress(stats: Mapping[str, Any], minutes: float, **state: Any) -> Progress:
    """``Progress`` from the crawl's stats (``heed/...`` keys the recorder keeps) and the
    origin state the extensions hold."""
    pages = int(stats.get("item_scraped_count", 0))
    reasons = {
        key.removeprefix("heed/deny/"): int(n)
        for key, n in stats.items()
        if key.startswith("heed/deny/") and key.count("/") == 2
    }
    denied = {stage: reasons.pop(stage, 0) for stage in _STAGES}
    return Progress(pages, pages / minutes if minutes > 0 else 0.0, denied, reasons, **state)


class CrawlStatus:
    """Scrapy extension: the progress line. ``HEED_PROGRESS_INTERVAL = 0`` switches it off."""

    def __init__(self, crawler: Crawler, interval: float, stream: TextIO) -> None:
        self.crawler = crawler
        self.interval = interval
        self.stream = stream
        self.live = stream.isatty() and not crawler.settings.get("LOG_FILE")
        self._started = time.monotonic()
        self._loop: task.LoopingCall | None = None
        crawler.signals.connect(self._opened, signal=signals.spider_opened)
        crawler.signals.connect(self._closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlStatus:
        interval = crawler.settings.getfloat("HEED_PROGRESS_INTERVAL")
        if interval <= 0:
            raise NotConfigured  # HEED_PROGRESS_INTERVAL = 0
        return cls(crawler, interval, sys.stderr)

    def progress(self) -> Progress:
        recorder = shared(self.crawler, DecisionRecorder)
        assert self.crawler.stats is not None
        return read_progress(
            self.crawler.stats.get_stats(),
            (time.monotonic() - self._started) / 60,
            waiting=len(shared(self.crawler, OriginCaches).loading()),
            unreachable=len(shared(self.crawler, RobotsPolicy).unreachable),
            records=recorder.log.records,
            log=str(recorder.log.path),
        )

    def _opened(self) -> None:
        self._started = time.monotonic()
        if self.live:
            for handler in logging.getLogger().handlers:
                handler.addFilter(self._clear_line)
        self._loop = task.LoopingCall(self._tick)
        self._loop.start(LIVE_REDRAW_S if self.live else self.interval, now=False)

    def _tick(self) -> None:
        line = self.progress().line()
        if self.live:  # one terminal row, or the carriage return cannot redraw it
            width = shutil.get_terminal_size().columns
            self.stream.write(f"\r\x1b[K{line[: width - 1]}\r")
            self.stream.flush()
        else:
            logger.info(line)

    def _clear_line(self, record: logging.LogRecord) -> bool:
        """A log message on the terminal first clears the live line (it is redrawn next)."""
        self.stream.write("\r\x1b[K")
        return True

    def _closed(self) -> None:
        if self._loop is not None and self._loop.running:
            self._loop.stop()
        if self.live:
            for handler in logging.getLogger().handlers:
                handler.removeFilter(self._clear_line)
            self.stream.write("\r\x1b[K")
        logger.info(self.progress().line())
