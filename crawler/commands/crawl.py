"""``scrapy crawl`` that reports Heed's configuration errors as one clear line, not a traceback.

A crawl that refuses to start (dishonest identity, invalid blocklist, bad argument, unwritable
log) prints ``heed: error: ...`` and exits with the error's code (2). A crawl stopped because
its decision log failed (full disk, write error, file removed or replaced) exits 1.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from scrapy.commands.crawl import Command as ScrapyCrawl
from scrapy.exceptions import UsageError

from crawler.errors import HeedError
from crawler.log.recorder import log_failure

if TYPE_CHECKING:
    import argparse


class Command(ScrapyCrawl):
    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            raise UsageError("run one spider: scrapy crawl site -a urls=URL")
        assert self.crawler_process
        crawler = self._create_crawler(args[0])
        refused: list[HeedError] = []
        crawl_async = crawler.crawl_async

        async def crawl_or_refuse(*a: Any, **kw: Any) -> None:
            try:
                await crawl_async(*a, **kw)
            except HeedError as exc:
                refused.append(exc)

        crawler.crawl_async = crawl_or_refuse  # type: ignore[method-assign]
        self.crawler_process.crawl(crawler, **opts.spargs)
        self.crawler_process.start()
        if refused:
            print(f"heed: error: {refused[0]}", file=sys.stderr)
            self.exitcode = refused[0].exit_code
        elif why := log_failure(crawler):
            print(f"heed: error: {why}", file=sys.stderr)
            self.exitcode = 1
        elif self.crawler_process.bootstrap_failed:
            self.exitcode = 1
