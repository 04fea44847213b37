"""The cycle collector tuned once a crawl's spider opens."""

from __future__ import annotations

import gc

from scrapy import Spider, signals
from scrapy.crawler import Crawler

from crawler.collector import YOUNG_THRESHOLD, CrawlCollector


def test_objects_alive_when_the_spider_opens_are_frozen_until_it_closes() -> None:
    threshold = gc.get_threshold()
    crawler = Crawler(Spider)
    extension = CrawlCollector.from_crawler(crawler)  # kept, as Scrapy keeps its extensions
    try:
        assert gc.get_freeze_count() == 0
        crawler.signals.send_catch_log(signals.spider_opened, spider=Spider("s"))
        # Everything alive now (this test's modules among it) left the generations.
        assert gc.get_freeze_count() > 1000
        assert extension is not None
        # The young generation is collected less often; the older ones as before.
        assert gc.get_threshold() == (YOUNG_THRESHOLD, *threshold[1:])
        crawler.signals.send_catch_log(signals.spider_closed, spider=Spider("s"), reason="done")
        assert gc.get_freeze_count() == 0
        assert gc.get_threshold() == threshold
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)


def test_two_crawls_in_one_process_leave_the_collector_as_it_was_whichever_closes_first() -> None:
    threshold = gc.get_threshold()
    first, second = Crawler(Spider), Crawler(Spider)
    extensions = [CrawlCollector.from_crawler(first), CrawlCollector.from_crawler(second)]
    try:
        first.signals.send_catch_log(signals.spider_opened, spider=Spider("a"))
        second.signals.send_catch_log(signals.spider_opened, spider=Spider("b"))
        first.signals.send_catch_log(signals.spider_closed, spider=Spider("a"), reason="done")
        # The second crawl still runs: still tuned for a crawl.
        assert gc.get_threshold() == (YOUNG_THRESHOLD, *threshold[1:])
        second.signals.send_catch_log(signals.spider_closed, spider=Spider("b"), reason="done")
        assert extensions and gc.get_threshold() == threshold
        assert gc.get_freeze_count() == 0
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)
