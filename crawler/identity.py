"""Heed's honest identity: a product token (RFC 9309 §2.2.1) that the User-Agent names."""

from __future__ import annotations

from dataclasses import dataclass

from crawler.errors import ConfigError
from reservations.robots_lines import is_product_token


@dataclass(frozen=True)
class Identity:
    """The token robots.txt groups are matched against, and the agent string sent."""

    product_token: str
    user_agent: str


def validate_identity(product_token: object, user_agent: object) -> Identity:
    """Refuse to crawl under Scrapy's default agent, or an agent that hides our token."""
    if not isinstance(product_token, str) or not is_product_token(product_token):
        raise ConfigError(
            f"HEED_PRODUCT_TOKEN={product_token!r} is not an RFC 9309 product token: use only "
            "letters, '-' and '_' (for example HEED_PRODUCT_TOKEN=ExampleBot)."
        )
    if not isinstance(user_agent, str) or not user_agent.strip():
        raise ConfigError("USER_AGENT is empty: set it to an agent string that names your bot.")
    if user_agent.startswith("Scrapy/"):
        raise ConfigError(
            f"USER_AGENT={user_agent!r} is Scrapy's default agent: Heed never crawls under it. "
            f"Set USER_AGENT to name {product_token} and a contact, "
            f"e.g. 'Mozilla/5.0 (compatible; {product_token}/1.0; +https://your.site/bot)'."
        )
    if product_token.lower() not in user_agent.lower():
        raise ConfigError(
            f"USER_AGENT={user_agent!r} does not contain HEED_PRODUCT_TOKEN={product_token!r}: "
            "sites must be able to match the agent they see to their robots.txt groups."
        )
    return Identity(product_token, user_agent)
