"""HEED_* settings are checked against the declared defaults' types; unknown names are named."""

from __future__ import annotations

import pytest
from scrapy.settings import Settings

from crawler.addon import apply_defaults
from crawler.config import known_settings, misspelled, validate
from crawler.errors import ConfigError


def heed_settings(**values: object) -> Settings:
    settings = Settings()
    apply_defaults(settings)
    settings.setdict(values, priority="cmdline")
    return settings


def test_heeds_own_defaults_are_valid() -> None:
    validate(heed_settings())


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("HEED_ROBOTS_TTL", "2.5"),
        ("HEED_ROBOTS_MAX_BYTES", "600000"),
        ("HEED_KEEP_HTML", "True"),
        ("HEED_ALSO_OBEY_AGENTS", "GPTBot,CCBot"),
        ("HEED_REQUEST_CHECKS", '{"crawler.checks.robots.RobotsCheck": 200}'),
        ("HEED_REDIS_URL", None),
        ("HEED_EXTRACT_WORKERS", "0"),
        ("HEED_EXTRACT_TIMEOUT", "0.25"),
    ],
)
def test_values_as_given_on_the_command_line_are_accepted(name: str, value: object) -> None:
    validate(heed_settings(**{name: value}))


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("HEED_ROBOTS_TTL", "abc"),
        ("HEED_ROBOTS_MAX_BYTES", "1.5"),
        ("HEED_ROBOTS_RETRY_AFTER", -1),
        ("HEED_KEEP_HTML", "maybe"),
        ("HEED_REQUEST_CHECKS", "[1, 2]"),
        ("HEED_PRODUCT_TOKEN", 7),
        ("HEED_DECISION_LOG", None),
        ("HEED_EXTRACT_WORKERS", -1),
        ("HEED_EXTRACT_TIMEOUT", "0"),
    ],
)
def test_a_value_not_of_the_defaults_type_is_one_config_error(name: str, value: object) -> None:
    with pytest.raises(ConfigError, match=f"^{name}="):
        validate(heed_settings(**{name: value}))


def test_a_timeout_of_zero_is_refused_as_no_number_more_than_zero() -> None:
    with pytest.raises(ConfigError, match="is not a number more than 0"):
        validate(heed_settings(HEED_EXTRACT_TIMEOUT=0))


def test_unknown_names_are_reported_with_the_closest_known_one() -> None:
    warnings = misspelled(heed_settings(HEED_ROBOT_TTL=5, HEED_ZZZ=1))
    assert warnings == [
        "unknown setting HEED_ROBOT_TTL is ignored: did you mean HEED_ROBOTS_TTL?",
        "unknown setting HEED_ZZZ is ignored (see the README's settings table)",
    ]


def test_every_known_setting_has_a_default() -> None:
    assert "HEED_ROBOTS_TTL" in known_settings() and "ROBOTSTXT_OBEY" not in known_settings()
