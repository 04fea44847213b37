"""Sitemaps for the ``site`` spider (``-a sitemaps=yes``): the URLs a site lists, crawled
through the gates like any link. A sitemap is read, never kept as an item.

The sitemaps of an origin are the ``Sitemap:`` lines of its robots.txt (read from the crawl's
shared robots.txt, so no second fetch) and the sitemap indexes they lead to, read with Scrapy's
sitemap utilities. A gzipped sitemap is decompressed by Heed's own bounded decoder up to
``HEED_PAGE_MAX_BYTES``: one that is larger, cut short or not gzip lists nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from scrapy.utils.sitemap import Sitemap

from crawler.components import shared
from crawler.content_coding import DecodingError, decode
from crawler.origin.robots import RobotsPolicy

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response

# Sitemap indexes nested deeper than this are not followed (the protocol allows one level).
MAX_DEPTH = 3


@dataclass(frozen=True)
class SitemapLinks:
    """What one sitemap lists: more sitemaps (an index) or pages (a urlset)."""

    sitemaps: tuple[str, ...] = ()
    pages: tuple[str, ...] = ()


async def robots_sitemaps(crawler: Crawler, request: Request) -> list[str]:
    """The ``Sitemap:`` URLs of the robots.txt of ``request``'s origin (http(s) only)."""
    state = await shared(crawler, RobotsPolicy).state(request)
    if state.file is None:
        return []
    return [url for url in state.file.sitemaps if urlsplit(url).scheme in ("http", "https")]


def read_sitemap(response: Response, max_size: int) -> SitemapLinks:
    """The links of a sitemap response; an unreadable or oversized one lists nothing."""
    body = response.body
    if body[:2] == b"\x1f\x8b":
        try:
            decoded = decode(body, ["gzip"], max_size)
        except DecodingError:  # not gzip after all
            return SitemapLinks()
        if decoded.exceeded or not decoded.complete:  # a bomb, or a cut file: unread
            return SitemapLinks()
        body = decoded.body
    try:
        sitemap = Sitemap(body)
    except Exception:  # lxml refuses what is not XML
        return SitemapLinks()
    locs = tuple(_locations(sitemap))
    if sitemap.type == "sitemapindex":
        return SitemapLinks(sitemaps=locs)
    if sitemap.type == "urlset":
        return SitemapLinks(pages=locs)
    return SitemapLinks()


def _locations(sitemap: Sitemap) -> Iterator[str]:
    for entry in sitemap:
        loc = entry.get("loc", "")
        if urlsplit(loc).scheme in ("http", "https"):
            yield loc
