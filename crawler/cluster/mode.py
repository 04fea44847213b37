"""Cluster mode: with ``HEED_REDIS_URL`` set, the Heed add-on makes a crawl one worker of a
cluster by applying these settings."""

from __future__ import annotations

from importlib.util import find_spec
from typing import TYPE_CHECKING

from crawler.errors import ConfigError

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings

# After the request gate (which sets a slot's Crawl-delay) and the HTTP cache (a cached
# response sends nothing), just before the download.
POLITENESS_ORDER = 940


class ClusterMode:
    """The shared scheduler, origin caches, worker and politeness of a cluster."""

    def __init__(self, url: str) -> None:
        self.url = url

    @classmethod
    def for_url(cls, url: str) -> ClusterMode:
        """Cluster mode for Redis at ``url``, or a ``ConfigError`` if its extra is missing."""
        for module in ("scrapy_redis", "redis"):
            if find_spec(module) is None:
                raise ConfigError(
                    f"HEED_REDIS_URL is set but {module} is not installed: "
                    "pip install 'heed[cluster]', or unset HEED_REDIS_URL"
                )
        return cls(url)

    def update_settings(self, settings: BaseSettings) -> None:
        settings.set("REDIS_URL", self.url, priority="addon")
        settings.set(
            "HEED_ORIGIN_CACHE", "crawler.cluster.origin_cache.RedisOriginCache", priority="addon"
        )
        settings["EXTENSIONS"].set("crawler.cluster.worker.ClusterWorker", 10, priority="addon")
        settings.set("SCHEDULER", "crawler.cluster.scheduler.ClusterScheduler", priority="addon")
        settings["DOWNLOADER_MIDDLEWARES"].set(
            "crawler.cluster.politeness.ClusterPoliteness", POLITENESS_ORDER, priority="addon"
        )
