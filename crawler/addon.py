"""The one switch: ``ADDONS = {"crawler.addon.Heed": 0}`` installs Heed's whole stack.

The add-on applies every default of ``crawler/defaults.py`` at add-on priority (so a project,
a spider or ``-s`` can still change any of them) and, with ``HEED_REDIS_URL`` set, cluster
mode's classes (docs/scale.md). Add-ons run once the project's, the spider's and the command
line's settings are merged, so it then checks them all: a ``HEED_*`` value of the wrong type or a
missing part of the guarantee (``crawler.stack``) stops the crawl before it starts, and an
unknown ``HEED_*`` name is reported with the closest known one.
"""

from __future__ import annotations

import logging
import os
from typing import TYPE_CHECKING

from crawler import config, defaults, stack
from crawler.checks.content import content_kinds
from crawler.cluster.mode import ClusterMode

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings, Settings

logger = logging.getLogger(__name__)

# Settings whose value is a component table: Heed adds its rows, a project's rows stay.
_TABLES = (
    "DOWNLOAD_HANDLERS",
    "DOWNLOADER_MIDDLEWARES",
    "SPIDER_MIDDLEWARES",
    "EXTENSIONS",
    "ITEM_PIPELINES",
)


def default_settings() -> dict[str, object]:
    """Every setting Heed defines or changes, with its default."""
    return {name: getattr(defaults, name) for name in dir(defaults) if name.isupper()}


class Heed:
    """Scrapy add-on: Heed's gates, checks, decision log and changed Scrapy defaults."""

    def update_settings(self, settings: BaseSettings) -> None:
        apply_defaults(settings)
        for warning in config.misspelled(settings):
            logger.warning("Heed: %s", warning)
        stack.verify(settings)


def apply_defaults(settings: BaseSettings) -> None:
    """Set every default at add-on priority: component tables keep a project's own rows."""
    for name, value in default_settings().items():
        if name in _TABLES:
            assert isinstance(value, dict)
            for path, order in value.items():
                settings[name].set(path, order, priority="addon")
        else:
            settings.set(name, value, priority="addon")
    if "image" in content_kinds(settings):
        # Images a page shows are stored by Scrapy's ImagesPipeline, after the gate.
        settings["ITEM_PIPELINES"].set("crawler.images.HeedImagesPipeline", 300, priority="addon")
        settings.set("IMAGES_STORE", "images", priority="addon")
    url = settings.get("HEED_REDIS_URL")
    if url:
        ClusterMode.for_url(url).update_settings(settings)


def project_settings() -> Settings:
    """The settings a crawl would see: the current Scrapy project's (Heed's own when none is
    named) with the add-on's defaults applied, for commands that read them without crawling."""
    from scrapy.utils.project import get_project_settings

    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")
    settings = get_project_settings()
    apply_defaults(settings)
    return settings
