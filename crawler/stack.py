"""The parts of Heed that no configuration may take away, checked before any request leaves.

The request gate, the response gate, the decision recorder, the shared per-origin components
and the robots check are the guarantee: without any of them a crawl would fetch what it must
not, or fetch without a record. A project's settings, a spider's ``custom_settings`` or ``-s``
can switch off other checks (the run header names every check and whether it is on), but a crawl
whose settings drop one of these, or bring back Scrapy's own robots.txt handling beside Heed's,
refuses to start with one line naming the setting and where it was set.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from scrapy.settings import SETTINGS_PRIORITIES
from scrapy.utils.misc import load_object

from crawler import config, defaults, scrapy_private
from crawler.errors import ConfigError

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings

ADDON = "crawler.addon.Heed"
REQUEST_GATE = "crawler.gates.RequestGate"
RESPONSE_GATE = "crawler.gates.ResponseGate"
ROBOTS_CHECK = "crawler.checks.robots.RobotsCheck"
SCRAPY_ROBOTS = "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware"
# Components that keep or act on a response body: the response gate judges it before them,
# and the request gate judges a request before the cache can answer it.
_AFTER_THE_RESPONSE_GATE = (
    "scrapy.downloadermiddlewares.httpcache.HttpCacheMiddleware",
    "scrapy.downloadermiddlewares.redirect.RedirectMiddleware",
    "scrapy.downloadermiddlewares.retry.RetryMiddleware",
)
# Heed's extensions that only make a crawl faster: a project may switch them off (one that
# tunes Python's cycle collector itself, say); every other one is part of the guarantee.
OPTIONAL_EXTENSIONS = ("crawler.collector.CrawlCollector",)
_FIX = "Heed never crawls without it; switch it back on"
ADDON_FIX = (
    f"Heed runs only as its add-on installs it: ADDONS = {{{ADDON!r}: 0}} in the project's "
    "settings (README: Heed in your own Scrapy project)"
)
_SOURCES = {value: name for name, value in SETTINGS_PRIORITIES.items()}
_SOURCE_NAMES = {
    "cmdline": " on the command line (-s)",
    "spider": " in the spider's custom_settings",
    "project": " in the project's settings",
    "addon": " by an add-on",
}


def _source(settings: BaseSettings, name: str) -> str:
    """Where ``name`` got its value, for the error message (" in the ...", or "")."""
    source = _SOURCES.get(settings.getpriority(name) or 0, "")
    return _SOURCE_NAMES.get(source, "")


def _class(path: object) -> Any:
    return load_object(path) if isinstance(path, str) else path


def enabled(table: Mapping[Any, int | None]) -> dict[Any, int]:
    """A component table's switched-on entries, keyed by class (so an alias path counts)."""
    return {_class(path): order for path, order in table.items() if order is not None}


def _position(components: dict[Any, int], path: str) -> int | None:
    wanted = load_object(path)
    orders = [order for cls, order in components.items() if _is(cls, wanted)]
    return max(orders) if orders else None


def _is(cls: Any, wanted: Any) -> bool:
    return isinstance(cls, type) and issubclass(cls, wanted)


def _require(components: dict[Any, int], paths: list[str], setting: str, where: str) -> None:
    for path in paths:
        if _position(components, path) is None:
            raise ConfigError(f"{path} is off in {setting}{where}: {_FIX}")


def _verify_middlewares(settings: BaseSettings) -> None:
    where = _source(settings, "DOWNLOADER_MIDDLEWARES")
    middlewares = enabled(settings.getwithbase("DOWNLOADER_MIDDLEWARES"))
    _require(middlewares, [REQUEST_GATE, RESPONSE_GATE], "DOWNLOADER_MIDDLEWARES", where)
    if _position(middlewares, SCRAPY_ROBOTS) is not None:
        raise ConfigError(
            f"{SCRAPY_ROBOTS} is on in DOWNLOADER_MIDDLEWARES{where}: Heed's robots check "
            "(RFC 9309) replaces it; remove it"
        )
    request_gate = _position(middlewares, REQUEST_GATE)
    response_gate = _position(middlewares, RESPONSE_GATE)
    assert request_gate is not None and response_gate is not None
    for path in _AFTER_THE_RESPONSE_GATE:
        order = _position(middlewares, path)
        if order is not None and not request_gate < order < response_gate:
            raise ConfigError(
                f"{path} (order {order}) would act before Heed's gates in "
                f"DOWNLOADER_MIDDLEWARES{where}: keep it between the request gate "
                f"({request_gate}) and the response gate ({response_gate})"
            )


def verify(settings: BaseSettings) -> None:
    """Raise ``ConfigError`` unless every part of the guarantee is in force."""
    absent = scrapy_private.missing()
    if absent:
        import scrapy

        raise ConfigError(
            f"Scrapy {scrapy.__version__} lacks {', '.join(absent)}, which Heed needs: "
            "install a Scrapy release within the range in Heed's pyproject.toml"
        )
    config.validate(settings)
    _verify_middlewares(settings)
    _require(
        enabled(settings.getwithbase("EXTENSIONS")),
        [path for path in defaults.EXTENSIONS if path not in OPTIONAL_EXTENSIONS],
        "EXTENSIONS",
        _source(settings, "EXTENSIONS"),
    )
    _require(
        enabled(settings.getdict("HEED_REQUEST_CHECKS")),
        [ROBOTS_CHECK],
        "HEED_REQUEST_CHECKS",
        _source(settings, "HEED_REQUEST_CHECKS"),
    )
    if settings.getbool("ROBOTSTXT_OBEY"):
        raise ConfigError(
            f"ROBOTSTXT_OBEY=True{_source(settings, 'ROBOTSTXT_OBEY')} would run Scrapy's "
            "robots.txt handling beside Heed's robots check (RFC 9309): leave it False"
        )


def addon_removed(settings: BaseSettings) -> bool:
    """Whether the settings name Heed's add-on only to switch it off."""
    addons: Mapping[Any, int | None] = settings.getdict("ADDONS")
    heed = load_object(ADDON)
    return any(order is None and _class(path) is heed for path, order in addons.items())


def require_addon(crawler: Crawler) -> None:
    """Heed's components run only as installed by its add-on, which supplies every default
    and checks the stack: a hand-assembled stack would run with settings it never declared."""
    if crawler.get_addon(load_object(ADDON)) is None:
        raise ConfigError(f"Heed's components are enabled without its add-on: {ADDON_FIX}")
