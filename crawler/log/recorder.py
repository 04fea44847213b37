"""The Scrapy extension that owns the decision log: the only writer of the file."""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import socket
import uuid
from collections import Counter
from collections.abc import Mapping
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING, Any

import scrapy
from scrapy import signals
from scrapy.settings import BaseSettings
from twisted.internet.task import LoopingCall

from crawler import __version__
from crawler.errors import ConfigError, LogWriteError
from crawler.identity import Identity, validate_identity
from crawler.log.chain import DecisionLog, canonical_json
from crawler.log.seal import Sealer, SigningKey, log_origin
from crawler.stack import require_addon
from reservations.verdict import Verdict

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.spiders import Spider

logger = logging.getLogger(__name__)

# Settings that change what a crawl may take: in the run header, with their digest.
_POLICY_PREFIXES = ("HEED_", "USER_AGENT", "ROBOTSTXT_", "COOKIES_", "HTTPCACHE_", "DOWNLOAD")
# Where the evidence is written, and cluster plumbing (a Redis URL may hold a password):
# they change nothing about what is taken, and differ between otherwise identical runs.
_NOT_POLICY = frozenset(
    {
        "HEED_DECISION_LOG",
        "HEED_LOG_FSYNC_RECORDS",
        "HEED_LOG_FSYNC_SECONDS",
        "HEED_LOG_SIGNING_KEY",
        "HEED_LOG_SIGNING_KEY_NAME",
        "HEED_CHECKPOINT_FILE",
        "HEED_CHECKPOINT_RECORDS",
        "HEED_CHECKPOINT_SECONDS",
        "HEED_REDIS_URL",
    }
)
# Bounds the plain form of a setting's value (a hostile or cyclic object cannot bloat it).
_MAX_DEPTH = 16
# Seconds between checks that the log file is still the one being written.
_WATCH_SECONDS = 1.0
# The file in JOBDIR that links a resumed run to the one before it.
RUN_STATE = "heed-run.json"


def _plain(value: Any, depth: int = 0) -> Any:
    """A setting's value as JSON that is the same in every process: objects by their import
    path, mappings with string keys, sets sorted; never a ``repr`` with a memory address."""
    if depth > _MAX_DEPTH:
        return "…"
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, BaseSettings):
        value = value.copy_to_dict()
    if isinstance(value, Mapping):
        return {str(_plain(k, depth + 1)): _plain(v, depth + 1) for k, v in value.items()}
    if isinstance(value, set | frozenset):
        return sorted((_plain(v, depth + 1) for v in value), key=canonical_json_value)
    if isinstance(value, list | tuple):
        return [_plain(v, depth + 1) for v in value]
    name = getattr(value, "__qualname__", None)
    if isinstance(name, str):  # a class or function given as an object
        return f"{getattr(value, '__module__', '?')}.{name}"
    return f"<{type(value).__module__}.{type(value).__qualname__}>"


def canonical_json_value(value: Any) -> str:
    return canonical_json({"v": value})


def policy_settings(settings: Mapping[str, Any]) -> dict[str, Any]:
    """The policy-relevant settings, in plain JSON, sorted by name."""
    return {
        k: _plain(settings[k])
        for k in sorted(settings)
        if k.startswith(_POLICY_PREFIXES) and k not in _NOT_POLICY
    }


def settings_digest(settings: Mapping[str, Any]) -> str:
    """SHA-256 over the canonical JSON of the policy-relevant settings: the same settings give
    the same digest in any process, so two runs can be compared at a glance."""
    return hashlib.sha256(canonical_json(policy_settings(settings)).encode("utf-8")).hexdigest()


class DecisionRecorder:
    """Opens the run's decision log, writes the run header, records every gate decision, seals
    the log with checkpoints and, at a clean close, its closing record.

    Components add to the run header (``add_header``) while they are built or when the spider
    opens; the header is written just before the first record, so before any request leaves.
    When a record cannot be written, or the log file is removed or replaced under the crawl,
    the crawl is closed at once, every later decision is a deny and ``scrapy crawl`` exits 1.
    """

    def __init__(self, crawler: Crawler) -> None:
        require_addon(crawler)
        settings = crawler.settings
        self.crawler = crawler
        self.identity: Identity = validate_identity(
            settings.get("HEED_PRODUCT_TOKEN"), settings.get("USER_AGENT")
        )
        self.run_id = str(uuid.uuid4())
        self._started = datetime.now(UTC)
        self._policy = policy_settings({k: settings[k] for k in settings if isinstance(k, str)})
        self._settings_digest = settings_digest(self._policy)
        self._header: dict[str, Any] = {}
        self._header_written = False
        self._counts: Counter[str] = Counter()
        self._jobdir = settings.get("JOBDIR")
        self._resumes = self._previous_run()
        path = settings.get("HEED_DECISION_LOG") % {
            "name": crawler.spidercls.name,
            "time": self._started.strftime("%Y%m%dT%H%M%S.%fZ"),
        }
        key_path = settings.get("HEED_LOG_SIGNING_KEY")
        key = (
            SigningKey.load(key_path, settings.get("HEED_LOG_SIGNING_KEY_NAME"))
            if key_path
            else None
        )
        anchor = settings.get("HEED_CHECKPOINT_FILE")
        # Checked now, so that an unwritable path stops the crawl before it starts; the file
        # itself is created with the first record, so a refused crawl leaves none.
        self.log = DecisionLog(
            path,
            fsync_every=settings.getint("HEED_LOG_FSYNC_RECORDS"),
            fsync_seconds=settings.getfloat("HEED_LOG_FSYNC_SECONDS"),
        )
        self.sealer = Sealer(
            self.log,
            log_origin(self.run_id),
            key=key,
            every_records=settings.getint("HEED_CHECKPOINT_RECORDS"),
            every_seconds=settings.getfloat("HEED_CHECKPOINT_SECONDS"),
            anchor=Path(anchor) if anchor else None,
        )
        self._watch = LoopingCall(self._on_timer)
        crawler.signals.connect(self._open, signal=signals.spider_opened)
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

    def _open(self, spider: Spider) -> None:
        self._watch.start(_WATCH_SECONDS, now=False)

    def _on_timer(self) -> None:
        """Notice a removed or replaced log file, and seal a quiet log on time."""
        why = self.log.check()
        if why:
            self.stop(why)
        elif self._header_written and self.sealer.due():
            with contextlib.suppress(LogWriteError):  # _seal has stopped the crawl
                self._seal()

    def _seal(self) -> None:
        try:
            self.sealer.checkpoint()
        except LogWriteError as exc:
            self.stop(str(exc))
            raise

    def _write_header(self) -> None:
        """The run header goes out just before the first record (or at close, if none), so
        that every component has added its facts, whenever it was built."""
        self._header_written = True
        header = {
            "run_id": self.run_id,
            "spider": self.crawler.spidercls.name,
            "started_at": self._started.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "product_token": self.identity.product_token,
            "user_agent": self.identity.user_agent,
            "software": {
                "heed": __version__,
                "scrapy": scrapy.__version__,
                "protego": version("protego"),
            },
            "settings": self._policy,
            "settings_digest": self._settings_digest,
            "checkpoints": {
                "origin": self.sealer.origin,
                "key": self.sealer.key.verifier if self.sealer.key else None,
            },
            "worker": f"{socket.gethostname()}:{os.getpid()}",
            **self._resumes,
            **self._header,
        }
        try:
            self.log.write_header(header)
        except LogWriteError as exc:
            self.stop(str(exc))
            return
        self.crawler.stats.set_value("heed/decision_log", str(self.log.path))
        self.crawler.stats.set_value("heed/run_id", self.run_id)
        logger.info("Heed decision log: %s", self.log.path)

    def _previous_run(self) -> dict[str, Any]:
        """A run resumed from JOBDIR names the run before it and that log's last hash."""
        if not self._jobdir:
            return {}
        try:
            state = json.loads((Path(self._jobdir) / RUN_STATE).read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            raise ConfigError(f"{self._jobdir}/{RUN_STATE}: unreadable: {exc}") from exc
        return {"resumes": state}

    def _save_run_state(self) -> None:
        """Leave in JOBDIR what the next run resumed from it must name."""
        if not self._jobdir:
            return
        state = {
            "run_id": self.run_id,
            "log": str(self.log.path),
            "last_seq": self.log.records - 1,
            "last_hash": self.log.last_hash,
        }
        target = Path(self._jobdir) / RUN_STATE
        target.parent.mkdir(parents=True, exist_ok=True)
        scratch = target.with_suffix(".tmp")
        scratch.write_text(canonical_json(state) + "\n", encoding="utf-8")
        scratch.replace(target)

    def _close(self, spider: Spider, reason: str) -> None:
        if self._watch.running:
            self._watch.stop()
        if not self._header_written:
            self._write_header()
        if self.log.failed is None and self.log.check() is None:
            try:
                self.sealer.close(reason, self._counts)
            except LogWriteError as exc:
                self._fail(str(exc))
        self.log.close()
        if self.log.failed:
            self._fail(self.log.failed)
            logger.error("Heed decision log incomplete: %s (%s)", self.log.path, self.log.failed)
            return
        self._save_run_state()
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
            self.stop(str(exc))
            raise
        self._counts[verdict.decision] += 1
        if self.sealer.due():
            self._seal()
        stats = self.crawler.stats
        stats.inc_value(f"heed/{verdict.decision}/{stage}")
        if not verdict.allowed:
            stats.inc_value(f"heed/deny/{verdict.reason}")
        return seq

    def _fail(self, why: str) -> bool:
        """Mark the crawl failed (``scrapy crawl`` then exits 1); ``False`` if it already was."""
        if self.crawler.stats.get_value("heed/log_failed"):
            return False
        self.crawler.stats.set_value("heed/log_failed", why)
        logger.critical("Heed stops the crawl: %s. Nothing more is fetched.", why)
        return True

    def stop(self, why: str) -> None:
        """Close the crawl now: the evidence can no longer be written (the log, or the policy
        archive beside it)."""
        if not self._fail(why):
            return
        engine = self.crawler.engine
        if engine is not None and engine.spider is not None and engine.running:
            from scrapy.utils.defer import deferred_from_coro

            deferred_from_coro(engine.close_spider_async(reason="heed_log_failed"))


def log_failure(crawler: Crawler) -> str | None:
    """Why the crawl's decision log failed, if it did (for the commands' exit status)."""
    why = crawler.stats.get_value("heed/log_failed") if crawler.stats else None
    return str(why) if why else None
