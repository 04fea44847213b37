"""How a Heed component finds another: every shared component is a Scrapy extension, built
``from_crawler`` once per crawl and found with ``crawler.get_extension`` (no module globals)."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from crawler.errors import ConfigError

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

T = TypeVar("T")


def shared(crawler: Crawler, cls: type[T]) -> T:
    """The crawl's one ``cls`` extension; a stack assembled without it cannot run."""
    component = crawler.get_extension(cls)
    if component is None:
        raise ConfigError(
            f"{cls.__module__}.{cls.__qualname__} is not enabled in EXTENSIONS: "
            "switch Heed on with ADDONS = {'crawler.addon.Heed': 0}"
        )
    return component
