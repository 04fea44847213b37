"""The ``site`` spider: crawl from seed URLs, following links within the seeds' hosts."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.http import Response, TextResponse
from scrapy.linkextractors import LinkExtractor
from twisted.python.failure import Failure

from crawler.errors import ConfigError
from crawler.gates import RESPONSE_SEQ
from crawler.log.chain import utc_now
from crawler.log.recorder import DecisionRecorder
from crawler.text import readable_text


def read_seeds(path: str) -> list[str]:
    """One URL a line; blank lines and ``#`` comments are skipped."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the seeds file: {exc.strerror or exc}") from exc
    return [line.split("#", 1)[0].strip() for line in lines if line.split("#", 1)[0].strip()]


def _yes(value: str | bool) -> bool:
    if isinstance(value, bool):
        return value
    if value.lower() in ("yes", "true", "1", "on"):
        return True
    if value.lower() in ("no", "false", "0", "off"):
        return False
    raise ConfigError(f"follow={value!r}: use follow=yes or follow=no")


class SiteSpider(scrapy.Spider):
    """``-a urls=URL[,URL...]`` or ``-a seeds=FILE``; ``-a follow=yes|no``; ``-a max_pages=N``."""

    name = "site"

    def __init__(
        self,
        urls: str = "",
        seeds: str = "",
        follow: str | bool = "yes",
        max_pages: str | int = 0,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.seed_urls = [u.strip() for u in urls.split(",") if u.strip()]
        if seeds:
            self.seed_urls += read_seeds(seeds)
        if not self.seed_urls:
            raise ConfigError("no seeds: pass -a urls=URL[,URL...] or -a seeds=FILE")
        for url in self.seed_urls:
            if urlsplit(url).scheme not in ("http", "https"):
                raise ConfigError(f"seed {url!r} is not an http(s) URL")
        self.follow = _yes(follow)
        try:
            self.max_pages = int(max_pages)
        except ValueError as exc:
            raise ConfigError(f"max_pages={max_pages!r}: use a whole number") from exc
        self.hosts = {(urlsplit(u).hostname or "").lower() for u in self.seed_urls}
        self.links = LinkExtractor()
        self.scheduled = 0

    def _run_id(self) -> str | None:
        """The run's id, or ``None`` when the spider runs without Heed (stock comparisons)."""
        recorder = self.crawler.get_extension(DecisionRecorder)
        return recorder.run_id if recorder is not None else None

    def _room(self) -> bool:
        return not self.max_pages or self.scheduled < self.max_pages

    def _request(self, url: str) -> scrapy.Request:
        self.scheduled += 1
        return scrapy.Request(url, callback=self.parse, errback=self.refused)

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for url in self.seed_urls:
            if self._room():
                yield self._request(url)

    def parse(self, response: Response) -> Iterator[Any]:
        keep_html = self.settings.getbool("HEED_KEEP_HTML")
        item: dict[str, Any] = {
            "url": response.url,
            "status": response.status,
            "fetched_at": utc_now(),
            "content_type": (response.headers.get(b"Content-Type") or b"").decode("latin-1"),
            "text": readable_text(response),
            # The decision that let this page through: run_id names the log, seq the record.
            "run_id": self._run_id(),
            "seq": response.meta.get(RESPONSE_SEQ),
        }
        if keep_html and isinstance(response, TextResponse):
            item["html"] = response.text
        yield item
        if not self.follow or not isinstance(response, TextResponse):
            return
        for link in self.links.extract_links(response):
            host = (urlsplit(link.url).hostname or "").lower()
            if host in self.hosts and self._room():
                yield self._request(link.url)

    def refused(self, failure: Failure) -> None:
        """Denied or failed requests are already on record; nothing is kept."""
        self.logger.debug("Not taken: %s", failure.getErrorMessage())
