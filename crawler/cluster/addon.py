"""The switch: with ``HEED_REDIS_URL`` set, a crawl runs as one worker of a cluster."""

from __future__ import annotations

from importlib.util import find_spec
from typing import TYPE_CHECKING

from scrapy.exceptions import NotConfigured

from crawler.errors import ConfigError

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.settings import Settings

# After the request gate (which sets a slot's Crawl-delay) and the HTTP cache (a cached
# response sends nothing), just before the download.
POLITENESS_ORDER = 940


class ClusterMode:
    """Scrapy add-on: swaps in the shared scheduler and politeness, or stays off."""

    def __init__(self, url: str) -> None:
        self.url = url

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ClusterMode:
        url = crawler.settings.get("HEED_REDIS_URL")
        if not url:
            raise NotConfigured  # single-process mode: the stock scheduler, no Redis
        for module in ("scrapy_redis", "redis"):
            if find_spec(module) is None:
                raise ConfigError(
                    f"HEED_REDIS_URL is set but {module} is not installed: "
                    "pip install 'heed[cluster]', or unset HEED_REDIS_URL"
                )
        return cls(url)

    def update_settings(self, settings: Settings) -> None:
        settings.set("REDIS_URL", self.url, priority="addon")
        settings.set("SCHEDULER", "crawler.cluster.scheduler.ClusterScheduler", priority="addon")
        settings["DOWNLOADER_MIDDLEWARES"].set(
            "crawler.cluster.politeness.ClusterPoliteness", POLITENESS_ORDER, priority="addon"
        )
