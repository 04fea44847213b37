"""What ``scrapy shell URL`` and ``scrapy fetch URL`` tell about Heed, which they cannot show.

Both run Scrapy's ``DefaultSpider``: a denied URL gives ``response = None`` or no output, and
their decision log would be left behind unnoticed. So, for those sessions only, each denial
prints ``denied by Heed: <reason>`` with its record, and the end names the log, on stderr
(shown even with ``--nolog``). Crawls with a spider of their own are not concerned.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.spider import DefaultSpider

from crawler.components import shared
from crawler.log.recorder import DecisionRecorder

if TYPE_CHECKING:
    from scrapy.crawler import Crawler


def is_interactive(crawler: Crawler) -> bool:
    """A ``scrapy shell`` or ``scrapy fetch`` session (Scrapy's default spider)."""
    return issubclass(crawler.spidercls, DefaultSpider)


def notify_denial(crawler: Crawler, url: str, reason: str, seq: int, log: Path) -> None:
    """The denial of ``url``, said where a shell or fetch user looks."""
    if is_interactive(crawler):
        print(f"denied by Heed: {reason}: {url} (record {seq} in {log})", file=sys.stderr)


class SessionLogNotice:
    """Scrapy extension: at the end of a shell or fetch session, where its decision log is
    (``heed log export LOG --format jsonl -o -`` shows its records)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        crawler.signals.connect(self._closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SessionLogNotice:
        if not is_interactive(crawler):
            raise NotConfigured  # a crawl names its log itself
        return cls(crawler)

    def _closed(self) -> None:
        log = shared(self.crawler, DecisionRecorder).log
        print(f"Heed decision log of this session: {log.path} ({log.records} records)",
              file=sys.stderr)  # fmt: skip
