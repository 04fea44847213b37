"""The opt-out settings are refused loudly when they cannot be obeyed."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from scrapy.settings import Settings

from crawler import defaults
from crawler.checks.policy import also_obeyed, crawl_purpose, obeyed_tokens
from crawler.checks.robots_lines import SharedRobots
from crawler.errors import ConfigError


def settings(**values) -> Settings:
    merged = Settings()
    merged.setmodule(defaults)
    merged.update(values)
    return merged


def test_defaults_are_training_and_our_token_alone() -> None:
    assert crawl_purpose(settings()) == "train-ai"
    assert obeyed_tokens(settings()) == ("HeedBot",)


@pytest.mark.parametrize("value", ["everything", "", "train"], ids=str)
def test_unknown_purpose_is_refused_naming_the_choices(value: str) -> None:
    with pytest.raises(ConfigError, match="train-ai, ai-use, search"):
        crawl_purpose(settings(HEED_PURPOSE=value))


def test_also_obeyed_agents_from_a_comma_list() -> None:
    found = settings(HEED_ALSO_OBEY_AGENTS="GPTBot, CCBot,Google-Extended")
    assert also_obeyed(found) == ("GPTBot", "CCBot", "Google-Extended")
    assert obeyed_tokens(found) == ("HeedBot", "GPTBot", "CCBot", "Google-Extended")


@pytest.mark.parametrize(
    "token", ["GPTBot/1.0", "Mozilla (compatible)", "a:b", "Bot\u00e9", "360Spider"], ids=str
)
def test_an_agent_that_is_no_product_token_is_refused(token: str) -> None:
    with pytest.raises(ConfigError, match="HEED_ALSO_OBEY_AGENTS"):
        also_obeyed(settings(HEED_ALSO_OBEY_AGENTS=[token]))


def test_reading_robots_lines_without_the_robots_check_is_refused() -> None:
    checks = {"crawler.checks.robots.RobotsCheck": None}
    crawler = SimpleNamespace(settings=settings(HEED_REQUEST_CHECKS=checks))
    with pytest.raises(ConfigError, match="switch it on, or switch this check off"):
        SharedRobots(crawler, "content-usage")
