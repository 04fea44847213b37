"""A CrawlSpider following every link from the seeds."""

from __future__ import annotations

from typing import Any

from scrapy.http import Response
from scrapy.linkextractors import LinkExtractor
from scrapy.spiders import CrawlSpider, Rule

from userproject.spiders import seeds


class FollowSpider(CrawlSpider):
    name = "follow"
    rules = (Rule(LinkExtractor(), callback="parse_page", follow=True),)

    def __init__(self, urls: str = "", **kwargs: Any) -> None:
        self.start_urls = seeds(urls)
        super().__init__(**kwargs)

    def parse_start_url(self, response: Response, **kwargs: Any) -> Any:
        return self.parse_page(response)

    def parse_page(self, response: Response) -> dict[str, Any]:
        return {"url": response.url, "title": response.css("title::text").get()}
