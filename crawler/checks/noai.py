"""Adapter: ``noai`` / ``noimageai`` at the response gate.

Reads the ``X-Robots-Tag`` header lines and the page's ``<meta name="robots">`` and
``<meta name="TOKEN">`` elements (our token and every also-obeyed one) from the shared parse of
the HTML head, on every response ``crawler.page.Page`` judges markup. An image is what the asset
checks call one (``crawler.checks.assets.asset_kind``): by its bytes, its Content-Type, or when
the server sends no informative type, its URL's extension. The directives refuse AI uses, so the
check is off for ``HEED_PURPOSE = search``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy.exceptions import NotConfigured

from crawler.checks.assets import asset_facts
from crawler.checks.policy import crawl_purpose, obeyed_tokens, record_policy
from reservations.noai import (
    CHECK,
    Directive,
    meta_directives,
    noai_verdict,
    x_robots_directives,
)
from reservations.verdict import Verdict

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Response

    from crawler.page import Page


# The noai directives of a page, in its response's meta, carried to the images it shows.
PAGE_DIRECTIVES = "heed_page_directives"


class NoaiCheck:
    """noai and noimageai in X-Robots-Tag and robots meta tags."""

    name = CHECK

    def __init__(self, crawler: Crawler) -> None:
        if crawl_purpose(crawler.settings) == "search":
            raise NotConfigured("noai and noimageai refuse AI uses, not search")
        self.tokens = obeyed_tokens(crawler.settings)
        record_policy(crawler)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> NoaiCheck:
        return cls(crawler)

    async def check_response(self, response: Response, page: Page) -> Verdict:
        directives = x_robots_directives(page.header_values("X-Robots-Tag"), self.tokens)
        if page.is_markup:
            directives += meta_directives(page.meta, self.tokens)
            # The page's own directives bind the images fetched from it (noimageai above all).
            response.meta[PAGE_DIRECTIVES] = sorted({d.directive for d in directives})
        is_image = asset_facts(page).kind == "image"
        stated = response.meta.get(PAGE_DIRECTIVES, []) if is_image else []
        directives += [Directive(name, "referring page", name) for name in stated]
        return noai_verdict(directives, is_image=is_image)
