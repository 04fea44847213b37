"""``scrapy crawl`` that reports Heed's configuration errors as one clear line, not a traceback.

A crawl that refuses to start (dishonest identity, invalid blocklist, bad argument, unwritable
log, unreachable Redis, a part of the guarantee switched off) prints ``heed: error: ...`` and
exits with the error's code (2). A crawl stopped because its decision log failed (full disk,
write error, file removed or replaced) exits 1. Installing Heed registers this command for
every Scrapy project (the ``scrapy.commands`` entry point), so a project of your own refuses
the same way.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from scrapy.commands.crawl import Command as ScrapyCrawl
from scrapy.exceptions import UsageError

from crawler.errors import ConfigError, HeedError
from crawler.log.recorder import log_failure
from crawler.scrapy_private import command_crawler
from crawler.stack import ADDON, ADDON_FIX, addon_removed

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
            raise UsageError("run one spider: scrapy crawl SPIDER")
        assert self.crawler_process
        crawler = command_crawler(self, args[0])
        if addon_removed(crawler.settings):
            self._refuse(ConfigError(f"ADDONS switches {ADDON} off: {ADDON_FIX}"))
            return
        refusal = Refusal(crawler)
        self.crawler_process.crawl(crawler, **opts.spargs)
        self.crawler_process.start()
        if refusal.error is not None:
            self._refuse(refusal.error)
        elif why := log_failure(crawler):
            print(f"heed: error: {why}", file=sys.stderr)
            self.exitcode = 1
        elif self.crawler_process.bootstrap_failed:
            self.exitcode = 1

    def _refuse(self, error: HeedError) -> None:
        print(f"heed: error: {error}", file=sys.stderr)
        self.exitcode = error.exit_code
