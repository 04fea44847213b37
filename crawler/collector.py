"""The cycle collector around Heed's work: paused while millions of acyclic objects are made,
and tuned for a crawl (start-up objects frozen, a larger young generation)."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from scrapy import signals

if TYPE_CHECKING:
    from scrapy.crawler import Crawler


@contextmanager
def collector_paused() -> Iterator[None]:
    """Parsed blocklists and exported records are plain trees, freed by reference counting:
    while millions of them are made, the cycle collector would only scan them over and over
    for cycles that cannot exist (a tenth of a blocklist load)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


# Container allocations between two young-generation collections (Python's default: 700). A
# crawl allocates a few thousand per page, most freed at once by reference counting; at 700 the
# collector runs several times a page, each time scanning the requests and responses in flight.
# At 20,000, about once in ten pages: what is pending then is a few megabytes at most.
YOUNG_THRESHOLD = 20_000


class CrawlCollector:
    """Scrapy extension: the cycle collector tuned for a crawl once its spider opens.

    What the process holds by then (modules, settings, components, parsed blocklists: some
    100,000 objects, alive until the crawl ends) is moved out of the collector's generations
    (``gc.freeze``): each full collection then scans only what the crawl made since. No
    collection runs first: it would delay the first request by about 30 ms to free a few dozen
    objects. The young generation is collected every ``YOUNG_THRESHOLD`` allocations instead of
    700 (the older generations' ratios unchanged), so the requests and responses in flight are
    not rescanned several times a page; cyclic garbage is still freed, a little later. In the
    crawl benchmark the collector's time falls from about 0.7 s to 0.16 s of a 2,300-page crawl
    (docs/benchmarks.md). When the spider closes (the last one, with several crawls in one
    process), both are undone."""

    # The collector is the process's: with several crawls in it (``CrawlerProcess``), the
    # first to open tunes it and the last to close restores it.
    _open = 0
    _threshold = gc.get_threshold()

    def __init__(self, crawler: Crawler) -> None:
        self._running = False
        crawler.signals.connect(self._opened, signal=signals.spider_opened)
        crawler.signals.connect(self._closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlCollector:
        return cls(crawler)

    def _opened(self) -> None:
        if self._running:
            return
        self._running = True
        cls = CrawlCollector
        cls._open += 1
        if cls._open == 1:
            gc.freeze()
            cls._threshold = gc.get_threshold()
            _, middle, old = cls._threshold
            gc.set_threshold(YOUNG_THRESHOLD, middle, old)

    def _closed(self) -> None:
        if not self._running:
            return
        self._running = False
        cls = CrawlCollector
        cls._open -= 1
        if cls._open == 0:
            # A process that goes on (several crawls in one, a service) gets its collector
            # back: what the crawls froze is collected again once it is garbage.
            gc.unfreeze()
            gc.set_threshold(*cls._threshold)
