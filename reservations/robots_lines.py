"""robots.txt as numbered key-value lines and groups (RFC 9309 §2.1, §2.2).

This module knows the file's shape and nothing about matching: which line says what, and which
group it belongs to. Grouping is done here rather than in Protego because Protego ends a group at
any unknown line between two user-agent lines, and because evidence needs line numbers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# RFC 9309 §2.2.4 lets crawlers accept misspelt records. Heed accepts the ones Protego and
# Google accept for user-agent and disallow (the restrictive reading), none for allow.
USER_AGENT_KEYS = frozenset({"user-agent", "useragent", "user agent"})
ALLOW_KEYS = frozenset({"allow"})
DISALLOW_KEYS = frozenset({"disallow", "dissallow", "dissalow", "disalow", "diasllow", "disallaw"})
RULE_KEYS = ALLOW_KEYS | DISALLOW_KEYS
SITEMAP_KEYS = frozenset({"sitemap", "sitemaps", "site-map"})
CRAWL_DELAY_KEYS = frozenset({"crawl-delay"})

# Keys still read when the colon is missing ("Disallow /private"), as Protego and Google do.
_KEYS_WITHOUT_COLON = USER_AGENT_KEYS | RULE_KEYS | SITEMAP_KEYS | CRAWL_DELAY_KEYS

# RFC 9309 §2.2.1: product-token = identifier = 1*(%x2D / %x41-5A / %x5F / %x61-7A)
_PRODUCT_TOKEN = re.compile(r"[A-Za-z_-]+")
# An agent name as files write it: broader than a product token, with digits and ".", because
# real groups are called "360Spider" and "Mail.RU_Bot" and must not be read as another's.
_AGENT_NAME = re.compile(r"[A-Za-z0-9_.-]+")


def is_product_token(value: str) -> bool:
    """Whether ``value`` is a product token a crawler may be known by (RFC 9309 §2.2.1).

    The one rule for the tokens Heed obeys: its own and the also-obeyed ones (``GPTBot``,
    ``Google-Extended``).
    """
    return _PRODUCT_TOKEN.fullmatch(value) is not None


@dataclass(frozen=True, slots=True)
class RobotsLine:
    """One key-value line of the file.

    ``key`` is lowercased, ``value`` has its comment and surrounding white space removed,
    ``lineno`` counts from 1 in the file as received, and ``group`` indexes
    ``RobotsFile.groups`` (``None`` for lines above the first user-agent line).
    """

    key: str
    value: str
    lineno: int
    group: int | None


@dataclass(frozen=True, slots=True)
class RobotsGroup:
    """A group: its user-agent values as written, and the line of its first user-agent line."""

    agents: tuple[str, ...]
    lineno: int


def split_lines(text: str) -> list[str]:
    """The lines of ``text``, split at CR, LF and CRLF only (not at form feeds or U+2028)."""
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")  # RFC 9309 §2.2: NL


def read_key_value(line: str) -> tuple[str, str] | None:
    """``(key, value)`` of one line, or ``None`` for blank, comment-only and unreadable lines."""
    content = line.split("#", 1)[0].strip()  # RFC 9309 §2.2.3: "#" starts a comment
    if not content:
        return None
    key, colon, value = content.partition(":")
    key = key.strip().lower()
    # Protego and Google also read "Disallow /a:b" and "Sitemap https://…", colon missing.
    if (not colon or len(key.split()) > 1) and key not in USER_AGENT_KEYS:
        words = content.split(None, 1)
        if len(words) == 2 and words[0].lower() in _KEYS_WITHOUT_COLON:
            return words[0].lower(), words[1].strip()
    return (key, value.strip()) if colon and key else None


def parse_lines(lines: list[str]) -> tuple[tuple[RobotsLine, ...], tuple[RobotsGroup, ...]]:
    """Number the key-value lines and gather them into groups (RFC 9309 §2.1).

    A group starts at a user-agent line that follows a rule (or no group); only allow and
    disallow lines end its run of user-agent lines, never a sitemap or unknown line (§2.2.4).
    """
    found: list[RobotsLine] = []
    agents: list[list[str]] = []
    starts: list[int] = []
    current: int | None = None
    reading_agents = False
    for lineno, line in enumerate(lines, 1):
        key_value = read_key_value(line)
        if key_value is None:
            continue
        key, value = key_value
        if key in USER_AGENT_KEYS:
            if not reading_agents:
                agents.append([])
                starts.append(lineno)
                current = len(agents) - 1
                reading_agents = True
            agents[-1].append(value)
        elif key in RULE_KEYS:
            reading_agents = False
        found.append(RobotsLine(key, value, lineno, current))
    groups = tuple(RobotsGroup(tuple(a), start) for a, start in zip(agents, starts, strict=True))
    return tuple(found), groups


def product_name(agent: str) -> str | None:
    """The lowercased product token a user-agent value names, ``"*"``, or ``None`` if none.

    The value is read up to the first character an agent name cannot hold, so
    ``Googlebot/2.1`` names ``googlebot`` and ``* ignored`` is the ``*`` group. Google's parser
    stops at digits and "." as well; reading ``Mail.RU_Bot`` whole keeps it from being taken
    for a crawler called ``Mail``.
    """
    if agent.split(None, 1)[:1] == ["*"]:
        return "*"
    match = _AGENT_NAME.match(agent)
    return match[0].lower() if match else None


def token_words(token: str) -> list[str]:
    """The lowercased words of a crawler's token: the token itself, or each word of a header."""
    return [word.lower() for word in _AGENT_NAME.findall(token)]
