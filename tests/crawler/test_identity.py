"""Heed refuses to crawl without an honest identity."""

import pytest

from crawler.errors import ConfigError
from crawler.identity import validate_identity


def test_agent_naming_the_token_is_accepted() -> None:
    identity = validate_identity("ExampleBot", "Mozilla/5.0 (compatible; examplebot/1.0)")
    assert identity.product_token == "ExampleBot"


@pytest.mark.parametrize(
    ("token", "agent", "message"),
    [
        ("ExampleBot", "Scrapy/2.19.0 (+https://scrapy.org)", "Scrapy's default agent"),
        ("ExampleBot", "OtherBot/1.0", "does not contain"),
        ("Example Bot", "Example Bot/1.0", "not an RFC 9309 product token"),
        ("Example/1", "Example/1", "not an RFC 9309 product token"),
        ("", "x", "not an RFC 9309 product token"),
        ("ExampleBot", "", "USER_AGENT is empty"),
    ],
    ids=["scrapy-default", "token-missing", "space", "slash-digit", "empty-token", "empty-agent"],
)
def test_dishonest_identity_is_refused(token: str, agent: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        validate_identity(token, agent)
