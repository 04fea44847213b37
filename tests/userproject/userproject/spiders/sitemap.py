"""A SitemapSpider: every URL of the site's sitemap."""

from __future__ import annotations

from typing import Any

from scrapy.http import Response
from scrapy.spiders import SitemapSpider

from userproject.spiders import seeds


class MapSpider(SitemapSpider):
    name = "sitemap"

    def __init__(self, urls: str = "", **kwargs: Any) -> None:
        self.sitemap_urls = seeds(urls)
        super().__init__(**kwargs)

    def parse(self, response: Response, **kwargs: Any) -> dict[str, Any]:
        return {"url": response.url, "title": response.css("title::text").get()}
