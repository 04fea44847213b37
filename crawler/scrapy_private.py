"""Every use of a private Scrapy API, in one place, each one checked at start-up.

Scrapy offers no public way to read or fix a download slot's delay (Crawl-delay), to see which
requests its engine still works on, or to wake an idle engine. Where Heed needs these, it goes
through this module only; ``missing()`` names any of them a Scrapy release has dropped, and the
add-on refuses to start on such a release rather than silently losing politeness (as happened
where ``Slot.jitter`` did not exist: Scrapy 2.14 to 2.18 randomised a Crawl-delay).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy.commands import BaseRunSpiderCommand
from scrapy.core import engine as scrapy_engine
from scrapy.core.downloader import Downloader, Slot

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler


def _assigns(function: object, *names: str) -> bool:
    """Whether ``function`` (an ``__init__``) sets every attribute in ``names``."""
    code = getattr(function, "__code__", None)
    return code is not None and all(name in code.co_names for name in names)


def missing() -> list[str]:
    """The private APIs below that this Scrapy lacks (empty when all are present)."""
    found = {
        "Downloader._get_slot": callable(getattr(Downloader, "_get_slot", None)),
        "Slot.delay, Slot.jitter": {"delay", "jitter"}
        <= set(getattr(Slot, "__dataclass_fields__", {})),
        "ExecutionEngine._slot": _assigns(scrapy_engine.ExecutionEngine.__init__, "_slot"),
        "engine _Slot.inprogress, _Slot.nextcall": _assigns(
            getattr(getattr(scrapy_engine, "_Slot", None), "__init__", None),
            "inprogress",
            "nextcall",
        ),
        "BaseRunSpiderCommand._create_crawler": callable(
            getattr(BaseRunSpiderCommand, "_create_crawler", None)
        ),
    }
    return [name for name, present in found.items() if not present]


def download_slot(crawler: Crawler, request: Request) -> tuple[str, Slot]:
    """The downloader's slot (key and slot) that will download ``request``."""
    return crawler.engine.downloader._get_slot(request)


def space_exactly(slot: Slot, delay: float) -> None:
    """Space the slot's downloads exactly ``delay`` seconds apart, with no random variation:
    a Crawl-delay is a minimum (a randomised one would fall below it half the time)."""
    slot.delay = delay
    slot.jitter = 0.0


def engine_in_progress(crawler: Crawler) -> set[Request] | frozenset[Request]:
    """The requests the engine still works on, from download until their output is handled."""
    slot = getattr(crawler.engine, "_slot", None)
    return slot.inprogress if slot is not None else frozenset()


def wake_engine(crawler: Crawler) -> None:
    """Make an idle engine ask its scheduler for requests again now."""
    slot = getattr(crawler.engine, "_slot", None)
    if slot is not None:
        slot.nextcall.schedule()


def command_crawler(command: BaseRunSpiderCommand, spider: str) -> Crawler:
    """The crawler a ``scrapy crawl`` command creates for ``spider`` (with Scrapy's own hooks)."""
    return command._create_crawler(spider)
