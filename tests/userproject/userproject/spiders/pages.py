"""A plain Spider: the seeds and the links on them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import scrapy
from scrapy.http import Response

from userproject.spiders import seeds


class PagesSpider(scrapy.Spider):
    name = "pages"

    def __init__(self, urls: str = "", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.start_urls = seeds(urls)

    def parse(self, response: Response) -> Iterator[Any]:
        yield {"url": response.url, "title": response.css("title::text").get()}
        if response.url in self.start_urls:
            yield from response.follow_all(css="a", callback=self.parse)


class UngatedSpider(PagesSpider):
    """A spider that tries to switch Heed's request gate off."""

    name = "ungated"
    custom_settings = {"DOWNLOADER_MIDDLEWARES": {"crawler.gates.RequestGate": None}}
