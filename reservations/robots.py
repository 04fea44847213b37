"""robots.txt (RFC 9309): parse a file once, then ask which URLs a crawler may fetch, and why.

The file is split into lines and groups here (a leading byte order mark is dropped and a UTF-16
file decoded by it, an unknown line between user-agent lines does not split a group, a product
token does not match a longer one), and the rules of the group that applies are indexed once by
``reservations.robots_rules``, which decides each URL and names the deciding line.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field

from w3lib.encoding import read_bom

from reservations.pathmatch import request_target
from reservations.robots_lines import (
    ALLOW_KEYS,
    CRAWL_DELAY_KEYS,
    RULE_KEYS,
    SITEMAP_KEYS,
    RobotsGroup,
    RobotsLine,
    parse_lines,
    product_name,
    split_lines,
    token_words,
)
from reservations.robots_rules import GroupRules

__all__ = [
    "MAX_PARSE_BYTES",
    "RobotsFile",
    "RobotsGroup",
    "RobotsLine",
    "RobotsMatch",
    "RobotsRule",
    "parse_robots",
]

# RFC 9309 §2.5: a parsing limit, which MUST be at least 500 KiB.
MAX_PARSE_BYTES = 500 * 1024


@dataclass(frozen=True, slots=True)
class RobotsRule:
    """The line that decided: its text as in the file (trimmed), its line number and its kind."""

    text: str
    lineno: int
    allow: bool


@dataclass(frozen=True, slots=True)
class RobotsMatch:
    """The answer for one URL and token.

    ``group`` is the group that applies (the one holding ``rule`` when groups were merged),
    ``None`` when no group does; ``rule`` is ``None`` when no rule matched, or for /robots.txt.
    """

    allowed: bool
    group: RobotsGroup | None
    rule: RobotsRule | None


@dataclass(frozen=True, slots=True)
class _Applicable:
    """What applies to one product name: its groups, their lines and their rules."""

    groups: tuple[int, ...]
    lines: tuple[RobotsLine, ...]
    rules: GroupRules


# Tokens whose group names a file keeps (a crawl asks about one or two; a caller asking about
# many, such as every User-Agent header seen, must not grow the file without bound).
_MAX_NAMES = 64


@dataclass(frozen=True)
class RobotsFile:
    """A parsed robots.txt; build it with ``parse_robots``.

    ``sha256`` digests the whole body received, ``truncated`` says whether parsing stopped at
    ``MAX_PARSE_BYTES``; ``lines`` holds every key-value line, ``groups`` every group.
    """

    sha256: str
    truncated: bool
    lines: tuple[RobotsLine, ...]
    groups: tuple[RobotsGroup, ...]
    sitemaps: tuple[str, ...]
    _texts: tuple[str, ...] = field(repr=False, compare=False)
    # Product name -> indexes of its groups, in the order names first appear.
    _groups_by_name: Mapping[str, tuple[int, ...]] = field(repr=False, compare=False)
    # Built on first use: a crawler asks about one or two tokens, never about every group.
    _applicable: dict[str | None, _Applicable] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    # Token -> the group name it selects: asked for every URL, worked out once.
    _names: dict[str, str | None] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def evaluate(self, url_or_path: str, token: str) -> RobotsMatch:
        """May the crawler with product ``token`` fetch ``url_or_path``, and by which line."""
        name = self._name_for(token)
        applicable = self._applicable_to(name)
        allowed, line = applicable.rules.decide(request_target(url_or_path))
        if not applicable.groups:
            return RobotsMatch(allowed, None, None)
        if line is None:
            return RobotsMatch(allowed, self.groups[applicable.groups[0]], None)
        assert line.group is not None
        text = self._texts[line.lineno - 1].strip()
        rule = RobotsRule(text, line.lineno, line.key in ALLOW_KEYS)
        return RobotsMatch(allowed, self.groups[line.group], rule)

    def crawl_delay(self, token: str) -> float | None:
        """Seconds between requests asked of ``token``'s group, if any (not in RFC 9309)."""
        return self._applicable_to(self._name_for(token)).rules.crawl_delay

    def has_rules(self, token: str) -> bool:
        """Whether the group(s) that apply to ``token`` hold any allow or disallow line."""
        return bool(self._applicable_to(self._name_for(token)).rules.rules)

    def group_lines(self, token: str) -> tuple[RobotsLine, ...]:
        """Every key-value line of the group(s) that apply to ``token``, extensions included."""
        return self._applicable_to(self._name_for(token)).lines

    def _name_for(self, token: str) -> str | None:
        """The group name ``token`` selects (RFC 9309 §2.2.1), ``"*"``, or ``None``.

        Names match the token case-insensitively and whole. Given a full User-Agent header
        instead of a token, each word of it is tried: the longest name found wins, and of two
        as long the later one, since a header's first product is often a generic "Mozilla".
        """
        if token in self._names:
            return self._names[token]
        words = token_words(token)
        known = [(len(w), at, w) for at, w in enumerate(words) if w in self._groups_by_name]
        if known:
            name: str | None = max(known)[2]
        else:
            name = "*" if "*" in self._groups_by_name else None  # RFC 9309 §2.2.1
        if len(self._names) < _MAX_NAMES:
            self._names[token] = name
        return name

    def _applicable_to(self, name: str | None) -> _Applicable:
        """The merged groups of ``name`` (RFC 9309 §2.2.1), built once per name."""
        cached = self._applicable.get(name)
        if cached is not None:
            return cached
        groups = self._groups_by_name.get(name, ()) if name is not None else ()
        chosen = set(groups)
        lines = tuple(line for line in self.lines if line.group in chosen)
        rules = [line for line in lines if line.key in RULE_KEYS]
        delays = [line.value for line in lines if line.key in CRAWL_DELAY_KEYS]
        applicable = _Applicable(groups, lines, GroupRules(rules, delays))
        self._applicable[name] = applicable
        return applicable


def parse_robots(body: bytes) -> RobotsFile:
    """Parse a robots.txt body; never raises, whatever the bytes.

    Only the first ``MAX_PARSE_BYTES`` are read, cut back to the last whole line so that a
    rule is never read half (a cut "Allow: /abc" would allow "/a..."). Invalid UTF-8 is
    replaced (RFC 9309 §2.3 requires UTF-8).
    """
    truncated = len(body) > MAX_PARSE_BYTES
    text = _decode(body[:MAX_PARSE_BYTES])
    if truncated:
        text = text[: max(text.rfind("\n"), text.rfind("\r")) + 1]
    texts = split_lines(text)
    lines, groups = parse_lines(texts)
    groups_by_name: dict[str, list[int]] = {}
    for index, group in enumerate(groups):
        for name in dict.fromkeys(map(product_name, group.agents)):
            if name is not None:
                groups_by_name.setdefault(name, []).append(index)
    sitemaps = tuple(line.value for line in lines if line.key in SITEMAP_KEYS and line.value)
    digest = hashlib.sha256(body).hexdigest()
    by_name = {name: tuple(indexes) for name, indexes in groups_by_name.items()}
    return RobotsFile(digest, truncated, lines, groups, sitemaps, tuple(texts), by_name)


def _decode(data: bytes) -> str:
    """UTF-8 (RFC 9309 §2.3), unless a byte order mark names another Unicode encoding: a
    UTF-16 file's rules are its rules, not "no rules". The mark itself is dropped."""
    encoding, bom = read_bom(data)
    if encoding is None or bom is None:
        return data.decode("utf-8", "replace")
    return data[len(bom) :].decode(encoding, "replace")
