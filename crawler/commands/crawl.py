"""``scrapy crawl`` that reports Heed's configuration errors as one clear line, not a traceback.

A crawl that refuses to start (dishonest identity, invalid blocklist, bad argument, unwritable
log, unreachable Redis) prints ``heed: error: ...`` and exits with the error's code (2).
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from scrapy.commands.crawl import Command as ScrapyCrawl
from scrapy.exceptions import UsageError

from crawler.errors import HeedError

if TYPE_CHECKING:
    import argparse

    from scrapy.crawler import Crawler


class Refusal:
    """The ``HeedError`` that stops ``crawler`` from starting, kept instead of raised, so that a
    command says it in one line. The one way Heed's commands catch a refused start: a crawler
    run by an ``AsyncCrawlerProcess`` starts through ``crawl_async``."""

    def __init__(self, crawler: Crawler) -> None:
        self.error: HeedError | None = None
        crawl_async = crawler.crawl_async

        async def crawl_or_refuse(*a: Any, **kw: Any) -> None:
            try:
                await crawl_async(*a, **kw)
            except HeedError as exc:
                self.error = exc

        crawler.crawl_async = crawl_or_refuse  # type: ignore[method-assign]


class Command(ScrapyCrawl):
    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            raise UsageError("run one spider: scrapy crawl site -a urls=URL")
        assert self.crawler_process
        crawler = self._create_crawler(args[0])
        refusal = Refusal(crawler)
        self.crawler_process.crawl(crawler, **opts.spargs)
        self.crawler_process.start()
        if refusal.error is not None:
            print(f"heed: error: {refusal.error}", file=sys.stderr)
            self.exitcode = refusal.error.exit_code
        elif self.crawler_process.bootstrap_failed:
            self.exitcode = 1
