"""The cycle collector tuned once a crawl's spider opens."""

from __future__ import annotations

import gc

from scrapy import Spider, signals
from scrapy.crawler import Crawler

from crawler.collector import YOUNG_THRESHOLD, CrawlCollector


def test_objects_alive_when_the_spider_opens_are_frozen_and_garbage_is_not() -> None:
    threshold = gc.get_threshold()
    crawler = Crawler(Spider)
    extension = CrawlCollector.from_crawler(crawler)  # kept, as Scrapy keeps its extensions
    kept = [object() for _ in range(10)]
    cycle: list[object] = []
    cycle.append(cycle)
    del cycle
    try:
        assert gc.get_freeze_count() == 0
        crawler.signals.send_catch_log(signals.spider_opened, spider=Spider("s"))
        frozen = gc.get_freeze_count()
        assert frozen > 1000
        # One collection ran first: the unreachable cycle was freed, not frozen.
        assert not any(isinstance(o, list) and len(o) == 1 and o[0] is o for o in gc.get_objects())
        assert len(kept) == 10 and extension is not None
        # The young generation is collected less often; the older ones as before.
        assert gc.get_threshold() == (YOUNG_THRESHOLD, *threshold[1:])
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)
