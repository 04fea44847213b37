"""The Scrapy extension that owns the decision log: the only writer of the file."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import socket
from collections.abc import Mapping
from datetime import UTC, datetime
from importlib.metadata import version
from typing import TYPE_CHECKING, Any

import scrapy
from scrapy import signals

from crawler import __version__
from crawler.errors import LogWriteError
from crawler.identity import Identity, validate_identity
from crawler.log.chain import DecisionLog
from crawler.stack import require_addon
from reservations.verdict import Verdict

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.spiders import Spider

logger = logging.getLogger(__name__)

# Settings that change what a crawl may take; their digest goes into the run header.
_DIGESTED_PREFIXES = ("HEED_", "USER_AGENT", "ROBOTSTXT_", "COOKIES_", "HTTPCACHE_", "DOWNLOAD")


def settings_digest(settings: Mapping[str, Any]) -> str:
    """SHA-256 over the policy-relevant settings, so two runs can be compared at a glance."""
    relevant = {k: settings[k] for k in sorted(settings) if k.startswith(_DIGESTED_PREFIXES)}
    text = json.dumps(relevant, sort_keys=True, default=repr, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class DecisionRecorder:
    """Opens the run's decision log, writes the run header, and records every gate decision.

    Components add to the run header (``add_header``) while they are built or when the spider
    opens; the header is written just before the first record, so before any request leaves.
    When a record cannot be written the crawl is closed at once and every later decision is a
    deny.
    """

    def __init__(self, crawler: Crawler) -> None:
        require_addon(crawler)
        settings = crawler.settings
        self.crawler = crawler
        self.identity: Identity = validate_identity(
            settings.get("HEED_PRODUCT_TOKEN"), settings.get("USER_AGENT")
        )
        self._fsync_records = settings.getint("HEED_LOG_FSYNC_RECORDS")
        self._fsync_seconds = settings.getfloat("HEED_LOG_FSYNC_SECONDS")
        self._started = datetime.now(UTC)
        self._settings_digest = settings_digest(
            {k: settings[k] for k in settings if isinstance(k, str)}
        )
        self._header: dict[str, Any] = {}
        self._header_written = False
        path = settings.get("HEED_DECISION_LOG") % {
            "name": crawler.spidercls.name,
            "time": self._started.strftime("%Y%m%dT%H%M%S.%fZ"),
        }
        # Opened now so that an unwritable path stops the crawl before it starts.
        self.log = DecisionLog(
            path, fsync_every=self._fsync_records, fsync_seconds=self._fsync_seconds
        )
        crawler.signals.connect(self._close, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DecisionRecorder:
        return cls(crawler)

    def add_header(self, key: str, value: Any) -> None:
        """Add a component's facts (list versions, digests) to the run header."""
        self._header[key] = value

    def add_to_header(self, key: str, part: str, value: Any) -> None:
        """Add one part of a run header entry that several components fill (the gates each
        add their stage's ``checks``)."""
        self._header.setdefault(key, {})[part] = value

    def _write_header(self) -> None:
        """The run header goes out just before the first record (or at close, if none), so
        that every component has added its facts, whenever it was built."""
        self._header_written = True
        header = {
            "spider": self.crawler.spidercls.name,
            "started_at": self._started.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "product_token": self.identity.product_token,
            "user_agent": self.identity.user_agent,
            "software": {
                "heed": __version__,
                "scrapy": scrapy.__version__,
                "protego": version("protego"),
            },
            "settings_digest": self._settings_digest,
            "worker": f"{socket.gethostname()}:{os.getpid()}",
            **self._header,
        }
        try:
            self.log.write_header(header)
        except LogWriteError as exc:
            self._stop(str(exc))
            return
        self.crawler.stats.set_value("heed/decision_log", str(self.log.path))
        logger.info("Heed decision log: %s", self.log.path)

    def _close(self, spider: Spider, reason: str) -> None:
        if not self._header_written:
            self._write_header()
        self.log.close()
        logger.info("Heed decision log closed: %s (%d records)", self.log.path, self.log.records)

    def record(self, url: str, stage: str, verdict: Verdict, **fields: Any) -> int:
        """Write one decision and return its ``seq``; on failure stop the crawl and re-raise."""
        if not self._header_written:
            self._write_header()
            if self.crawler.stats.get_value("heed/log_failed"):
                raise LogWriteError(self.crawler.stats.get_value("heed/log_failed"))
        try:
            seq = self.log.write(
                {
                    "url": url,
                    "stage": stage,
                    "decision": verdict.decision,
                    "check": verdict.check,
                    "reason": verdict.reason,
                    **fields,
                }
            )
        except LogWriteError as exc:
            self._stop(str(exc))
            raise
        stats = self.crawler.stats
        stats.inc_value(f"heed/{verdict.decision}/{stage}")
        if not verdict.allowed:
            stats.inc_value(f"heed/deny/{verdict.reason}")
        return seq

    def _stop(self, why: str) -> None:
        if self.crawler.stats.get_value("heed/log_failed"):
            return
        self.crawler.stats.set_value("heed/log_failed", why)
        logger.critical("Heed stops the crawl: %s. Nothing more is fetched.", why)
        engine = self.crawler.engine
        if engine is not None and engine.spider is not None:
            from scrapy.utils.defer import deferred_from_coro

            deferred_from_coro(engine.close_spider_async(reason="heed_log_failed"))
