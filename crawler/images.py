"""Images a page shows, stored with Scrapy's ``ImagesPipeline`` when ``HEED_CONTENT`` keeps
images. Each image is downloaded through the engine, so the response gate judges it (its own
metadata, and the noai directives of the page that showed it) before anything is stored; a
denied image is recorded and never reaches the store."""

from __future__ import annotations

from typing import Any

from scrapy import Request
from scrapy.pipelines.images import ImagesPipeline

from crawler.checks.noai import PAGE_DIRECTIVES


class HeedImagesPipeline(ImagesPipeline):
    """``ImagesPipeline`` whose requests carry the showing page's noai directives."""

    def get_media_requests(self, item: Any, info: Any) -> list[Request]:
        directives = list(item.get(PAGE_DIRECTIVES) or [])
        return [
            Request(url, meta={PAGE_DIRECTIVES: directives})
            for url in item.get(self.images_urls_field) or []
        ]
