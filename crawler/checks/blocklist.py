"""Adapter: the infringing-sites blocklist check, first at the request gate.

A listed host is never contacted: not its pages, not its robots.txt or tdmrep.json
(``guards_origin_documents``), and not through a redirect, since every redirect target passes
the request gate again. The lists are loaded when the crawler is built; any invalid file stops
the crawl from starting. During the crawl, edited files are picked up at most every
``HEED_BLOCKLIST_RELOAD_S`` seconds; a bad edit keeps the last valid version in force.

An entry that is an IP address binds every connection to that address, whatever the URL's host
said: while such entries are in force, each request's host is resolved and checked by address
too, and ``crawler.addresses.AddressGuard`` keeps every connection off a listed address.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import TYPE_CHECKING

from scrapy import signals
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.threads import deferToThread

from crawler.addresses import AddressGuard
from crawler.blocklists import LoadedLists, configured_paths, load_lists, reload_lists, today
from crawler.components import shared
from crawler.log.recorder import DecisionRecorder
from crawler.origin.cache import OriginCache
from reservations.blocklist import (
    BlocklistIndex,
    Entry,
    Problem,
    address_verdict,
    blocklist_verdict,
)
from reservations.verdict import Verdict

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

_KEY = "blocklists"
# Hosts whose verdicts are kept at most; a broad crawl starts over once it has seen this many.
_MEMO_HOSTS = 4096


class BlocklistCheck:
    """Denies every request to a host an infringing-sites list names (``blocklist.listed``)."""

    name = "blocklist"
    guards_origin_documents = True

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.specs = configured_paths(settings.get("HEED_BLOCKLISTS"))
        self.reload_after = settings.getfloat("HEED_BLOCKLIST_RELOAD_S")
        self.lists, warnings = load_lists(self.specs)  # raises BlocklistError: no start
        _log_all(logging.WARNING, warnings)
        if not self.lists.files:
            logger.warning("Heed blocklists: none configured (HEED_BLOCKLISTS=%r)", self.specs)
        logger.info(
            "Heed blocklists: %d entries from %d file(s)",
            len(self.lists.index),
            len(self.lists.files),
        )
        crawler.stats.set_value("heed/blocklist/entries", len(self.lists.index))
        shared(crawler, DecisionRecorder).add_header("blocklists", self.lists.header())
        self.cache: OriginCache[LoadedLists] = OriginCache()
        self.guard: AddressGuard | None = None
        # Verdicts by host for one version of the lists and one day (``_host_verdict``).
        self._memo_index: BlocklistIndex | None = None
        self._memo_day: date | None = None
        self._memo: dict[str, Verdict] = {}
        crawler.signals.connect(self._closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BlocklistCheck:
        return cls(crawler)

    async def check_request(self, request: Request) -> Verdict:
        lists = self.lists
        if self.reload_after > 0:
            lists = await self.cache.get(_KEY, self._reload)
        host = urlparse_cached(request).hostname or ""
        verdict = self._host_verdict(lists.index, host)
        if not verdict.allowed or not lists.index.lists_addresses:
            return verdict
        addresses = await self._guard().addresses(host)
        return address_verdict(lists.index, host, addresses, today())

    def _host_verdict(self, index: BlocklistIndex, host: str) -> Verdict:
        """``blocklist_verdict``, kept per host while the lists and the date stay the same:
        both stages ask it for every request, mostly for the same few hosts."""
        day = today()
        if self._memo_index is not index or self._memo_day != day or len(self._memo) >= _MEMO_HOSTS:
            self._memo_index, self._memo_day, self._memo = index, day, {}
        verdict = self._memo.get(host)
        if verdict is None:
            verdict = self._memo[host] = blocklist_verdict(index, host, day)
        return verdict

    def _guard(self) -> AddressGuard:
        """Installed the first time an IP entry is in force, before any request is sent."""
        if self.guard is None:
            self.guard = AddressGuard.install(self._listed_address, self._refused)
        return self.guard

    def _listed_address(self, address: str) -> Entry | None:
        return self.lists.index.match_address(address)

    def _refused(self, name: str, address: str, entry: Entry) -> None:
        self.crawler.stats.inc_value("heed/blocklist/refused_connections")
        logger.error(
            "Heed blocklists: no connection to %s (resolved from %s): listed by %s:%d",
            address,
            name,
            entry.listed_in.file,
            entry.line,
        )

    def _closed(self) -> None:
        if self.guard is not None:
            self.guard.uninstall()

    async def _reload(self) -> tuple[LoadedLists, float]:
        """Re-read changed files off the reactor thread; every request waits for the result."""
        current = self.lists
        lists, errors, warnings = await maybe_deferred_to_future(
            deferToThread(reload_lists, current, self.specs)
        )
        if errors:
            self.crawler.stats.inc_value("heed/blocklist/reload_errors", len(errors))
            logger.error(
                "Heed blocklists: a list file is invalid or gone; its last valid version "
                "stays in force:\n%s",
                "\n".join(f"  {problem}" for problem in errors),
            )
        if lists.index is not current.index:
            self.crawler.stats.inc_value("heed/blocklist/reloads")
            self.crawler.stats.set_value("heed/blocklist/entries", len(lists.index))
            logger.info("Heed blocklists reloaded: %s", lists.header())
            _log_all(logging.WARNING, warnings)
        self.lists = lists
        return lists, self.reload_after


def _log_all(level: int, problems: list[Problem]) -> None:
    for problem in problems:
        logger.log(level, "Heed blocklist: %s", problem)
