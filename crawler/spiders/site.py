"""The ``site`` spider: crawl from seed URLs, following links within the seeds' hosts."""

from __future__ import annotations

from collections.abc import AsyncIterator, Coroutine, Iterable, Iterator
from functools import cached_property
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.http import Response, TextResponse
from scrapy.linkextractors import LinkExtractor
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.defer import Deferred
from twisted.python.failure import Failure

from crawler.checks.content import KIND, READ_ONLY, content_kinds, response_kind
from crawler.checks.noai import PAGE_DIRECTIVES
from crawler.errors import ConfigError
from crawler.extraction import PageText, extract_page
from crawler.extraction.workers import ExtractionWorkers
from crawler.gates import FETCHED_AT
from crawler.log.chain import utc_now
from crawler.page import Page
from crawler.spiders.content import (
    denied_extensions,
    extraction_job,
    image_sources,
    item_content,
    page_content,
)
from crawler.spiders.sitemaps import MAX_DEPTH, read_sitemap, robots_sitemaps


def read_seeds(path: str) -> list[str]:
    """One URL a line; blank lines and ``#`` comments are skipped."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the seeds file: {exc.strerror or exc}") from exc
    return [line.split("#", 1)[0].strip() for line in lines if line.split("#", 1)[0].strip()]


def _yes(name: str, value: str | bool) -> bool:
    if isinstance(value, bool):
        return value
    if value.lower() in ("yes", "true", "1", "on"):
        return True
    if value.lower() in ("no", "false", "0", "off"):
        return False
    raise ConfigError(f"{name}={value!r}: use {name}=yes or {name}=no")


class SiteSpider(scrapy.Spider):
    """``-a urls=URL[,URL...]`` or ``-a seeds=FILE``; ``-a follow=yes|no``; ``-a max_pages=N``;
    ``-a sitemaps=yes`` also crawls what the seeds' origins list in their sitemaps."""

    name = "site"

    def __init__(
        self,
        urls: str = "",
        seeds: str = "",
        follow: str | bool = "yes",
        max_pages: str | int = 0,
        sitemaps: str | bool = "no",
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
        self.follow = _yes("follow", follow)
        self.sitemaps = _yes("sitemaps", sitemaps)
        try:
            self.max_pages = int(max_pages)
        except ValueError as exc:
            raise ConfigError(f"max_pages={max_pages!r}: use a whole number") from exc
        self.hosts = {(urlsplit(u).hostname or "").lower() for u in self.seed_urls}
        self.kinds: frozenset[str] = frozenset()
        self.links = LinkExtractor()
        # max_pages counts pages on their way or fetched: a URL already scheduled (which the
        # dupefilter would drop) is not counted again, and a refused one frees its place.
        self.scheduled = 0
        self.seen: set[bytes] = set()

    @cached_property
    def _workers(self) -> ExtractionWorkers | None:
        """The crawl's extraction workers; None without Heed's add-on (extraction inline)."""
        return self.crawler.get_extension(ExtractionWorkers)

    def _room(self) -> bool:
        return not self.max_pages or self.scheduled < self.max_pages

    def _requests(self, urls: Iterable[str]) -> Iterator[scrapy.Request]:
        """New requests for ``urls`` while there is room, each URL once."""
        fingerprint = self.crawler.request_fingerprinter.fingerprint
        for url in urls:
            if not self._room():
                return
            request = scrapy.Request(url, callback=self.parse, errback=self.refused)
            key = fingerprint(request)
            if key in self.seen:
                continue
            self.seen.add(key)
            self.scheduled += 1
            yield request

    async def start(self) -> AsyncIterator[scrapy.Request]:
        self.kinds = content_kinds(self.settings)
        # Links to the documents and images the crawl keeps are followed like pages.
        self.links = LinkExtractor(deny_extensions=denied_extensions(self.kinds))
        for request in self._requests(self.seed_urls):
            yield request
        if self.sitemaps:
            origins = {f"{urlsplit(u).scheme}://{urlsplit(u).netloc}/": u for u in self.seed_urls}
            for origin in origins:
                for url in await robots_sitemaps(self.crawler, scrapy.Request(origin)):
                    yield self._sitemap_request(url, depth=0)

    def _sitemap_request(self, url: str, depth: int) -> scrapy.Request:
        return scrapy.Request(
            url,
            callback=self.parse_sitemap,
            errback=self.refused,
            cb_kwargs={"depth": depth},
            meta={READ_ONLY: True},
        )

    def parse_sitemap(self, response: Response, depth: int) -> Iterator[scrapy.Request]:
        """A sitemap's pages are scheduled through the gates; the sitemap itself is no item."""
        links = read_sitemap(response, self.settings.getint("HEED_PAGE_MAX_BYTES"))
        if depth < MAX_DEPTH:
            for url in links.sitemaps:
                yield self._sitemap_request(url, depth + 1)
        yield from self._requests(
            url for url in links.pages if (urlsplit(url).hostname or "").lower() in self.hosts
        )

    def parse(self, response: Response) -> list[Any] | Coroutine[Any, Any, list[Any]]:
        """The page's item, then its links, as a list: Scrapy's spider middlewares take a
        list on their cheaper synchronous path. A coroutine (which Scrapy awaits) only where
        an extraction worker takes the page."""
        kind = response.meta.get(KIND) or response_kind(Page.of(response))
        max_main_bytes = self.settings.getint("HEED_EXTRACT_MAX_BYTES")
        html = response if kind == "html" and isinstance(response, TextResponse) else None
        if html is None:
            return [self._item(response, kind, item_content(response, kind, max_main_bytes))]
        job = extraction_job(html, max_main_bytes)
        workers = self._workers
        if job["main_content"] and workers is not None and workers.size:
            return self._extracted(html, job, workers.submit(job))
        # Without Heed's add-on, without workers or over HEED_EXTRACT_MAX_BYTES: here.
        found = extract_page(**job) if job["main_content"] else None
        return [self._item(html, kind, page_content(html, job, found)), *self._links(html)]

    async def _extracted(
        self, response: TextResponse, job: dict[str, Any], pending: Deferred[PageText | None]
    ) -> list[Any]:
        """The page's links, found while a worker extracts its main content, and its item."""
        requests = list(self._links(response))
        found = await maybe_deferred_to_future(pending)
        if found is None:
            self.logger.warning(
                "Main-content extraction of %s did not finish (over HEED_EXTRACT_TIMEOUT, its "
                "worker died twice or failed on it, or the crawl is stopping): its item holds "
                "the page's whole visible text",
                response.url,
            )
        return [self._item(response, "html", page_content(response, job, found)), *requests]

    def _item(self, response: Response, kind: str, content: dict[str, Any]) -> dict[str, Any]:
        item: dict[str, Any] = {
            "url": response.url,
            "kind": kind,
            "status": response.status,
            # A cached page keeps the time it was downloaded (stamped by the response gate).
            "fetched_at": (response.headers.get(FETCHED_AT) or b"").decode() or utc_now(),
            "cached": "cached" in response.flags,
            "content_type": (response.headers.get(b"Content-Type") or b"").decode("latin-1"),
            **content,
        }
        keep_html = self.settings.getbool("HEED_KEEP_HTML") and kind == "html"
        if keep_html and isinstance(response, TextResponse):
            item["html"] = response.text
        if kind == "image":
            # Stored by the images pipeline, which fetches it again (judged again) to store it.
            item["image_urls"] = [response.url]
        if kind == "html" and "image" in self.kinds:
            item["image_urls"] = image_sources(response)
            item[PAGE_DIRECTIVES] = response.meta.get(PAGE_DIRECTIVES, [])
        return item

    def _links(self, response: TextResponse) -> Iterator[scrapy.Request]:
        """Requests for the page's links within the seeds' hosts (none when not following)."""
        if not self.follow:
            return iter(())
        links = self.links.extract_links(response)
        return self._requests(
            link.url for link in links if (urlsplit(link.url).hostname or "").lower() in self.hosts
        )

    def refused(self, failure: Failure) -> None:
        """Denied or failed requests are already on record; nothing is kept, and a page does
        not count against max_pages (a sitemap never did)."""
        if failure.request.callback != self.parse_sitemap:  # type: ignore[attr-defined]
            self.scheduled -= 1
        self.logger.debug("Not taken: %s", failure.getErrorMessage())
