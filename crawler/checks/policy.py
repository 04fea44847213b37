"""What every opt-out check needs from the crawl: its purpose and the agents it obeys.

``HEED_PURPOSE`` names the use whose reservations count; ``HEED_ALSO_OBEY_AGENTS`` adds other
crawlers' product tokens whose restrictions Heed takes as its own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from crawler.components import shared
from crawler.errors import ConfigError
from crawler.log.recorder import DecisionRecorder
from reservations.purpose import Purpose, parse_purpose
from reservations.robots_lines import is_product_token

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings


def crawl_purpose(settings: BaseSettings) -> Purpose:
    """``HEED_PURPOSE``, or a ``ConfigError`` that names the choices."""
    try:
        return parse_purpose(settings.get("HEED_PURPOSE"))
    except ValueError as exc:
        raise ConfigError(f"HEED_PURPOSE: {exc}") from exc


def also_obeyed(settings: BaseSettings) -> tuple[str, ...]:
    """``HEED_ALSO_OBEY_AGENTS`` as product tokens; a value that cannot be one is refused."""
    tokens = tuple(
        str(t).strip() for t in settings.getlist("HEED_ALSO_OBEY_AGENTS") if str(t).strip()
    )
    for token in tokens:
        if not is_product_token(token):
            raise ConfigError(
                f"HEED_ALSO_OBEY_AGENTS: {token!r} is not an RFC 9309 product token "
                "(letters, '-' and '_'; e.g. GPTBot,CCBot,Google-Extended)"
            )
    return tokens


def obeyed_tokens(settings: BaseSettings) -> tuple[str, ...]:
    """Our product token first, then every also-obeyed one."""
    return (settings.get("HEED_PRODUCT_TOKEN"), *also_obeyed(settings))


def record_policy(crawler: Crawler) -> None:
    """Put the opt-out policy in the run header, so every log says what it obeyed."""
    facts: dict[str, Any] = {
        "purpose": crawl_purpose(crawler.settings),
        "also_obey_agents": list(also_obeyed(crawler.settings)),
    }
    shared(crawler, DecisionRecorder).add_header("optouts", facts)
