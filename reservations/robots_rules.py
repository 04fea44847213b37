"""The allow and disallow rules of the group that applies, and the line that decides a path.

Rules are compiled by ``reservations.pathmatch`` (RFC 9309 §2.2.2 percent-encoding, §2.2.3
wildcards) and indexed by ``reservations.pathindex``, longest first with "allow" first among
equals, so the first pattern that matches a path decides it and names its line.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from protego import Protego

from reservations.pathindex import PatternIndex
from reservations.pathmatch import PathPattern, compile_pattern, normalize
from reservations.robots_lines import ALLOW_KEYS, RobotsLine

_INDEX_PAGE = "index.html"


def _index_page_directory(pattern: PathPattern) -> PathPattern | None:
    """``Allow: /d/index.html`` also allows ``/d/`` itself, as Google and Protego read it."""
    last = pattern.head if pattern.tail is None else pattern.tail
    if pattern.anchored or not last.endswith("/" + _INDEX_PAGE):
        return None
    directory = last.removesuffix(_INDEX_PAGE)
    length = pattern.length - len(_INDEX_PAGE) + 1  # the "$" it gains
    if pattern.tail is None:
        return replace(pattern, head=directory, anchored=True, length=length)
    return replace(pattern, tail=directory, anchored=True, length=length)


class GroupRules:
    """The allow and disallow lines of one group (merged, RFC 9309 §2.2.1), ready for paths."""

    def __init__(self, rules: Sequence[RobotsLine], delays: Sequence[str] = ()) -> None:
        self.rules = tuple(rules)
        # (pattern, allow, rule index) for every pattern a rule stands for.
        entries: list[tuple[PathPattern, bool, int]] = []
        for index, rule in enumerate(self.rules):
            # The parsing limit (RFC 9309 §2.5) already bounds a rule's length.
            pattern = compile_pattern(rule.value, max_length=None)
            if pattern is None:
                continue  # an empty rule, or one that is no path, matches nothing
            allow = rule.key in ALLOW_KEYS
            entries.append((pattern, allow, index))
            directory = _index_page_directory(pattern) if allow else None
            if directory is not None:
                entries.append((directory, allow, index))
        # RFC 9309 §2.2.2: the most octets win, and "allow" wins a tie; otherwise file order.
        entries.sort(key=lambda e: (-e[0].length, not e[1]))
        self._index = PatternIndex([(pattern, (allow, i)) for pattern, allow, i in entries])
        # Protego reads the crawl delay (no RFC 9309 record); rules are not handed to it.
        delay_lines = [f"Crawl-delay: {d}" for d in delays if d.splitlines() == [d]]
        self._delays = Protego.parse("\n".join(["User-agent: *", *delay_lines]))

    @property
    def crawl_delay(self) -> float | None:
        """The group's crawl delay in seconds, as Protego reads it."""
        return self._delays.crawl_delay("*")

    def decide(self, target: str) -> tuple[bool, RobotsLine | None]:
        """Whether ``target`` (a path and query) may be fetched, and the rule line that says so
        (``None``: no rule matched, or the path is /robots.txt)."""
        path = normalize(target)
        if path.partition("?")[0] == "/robots.txt":
            return True, None  # RFC 9309 §2.2.2: /robots.txt is implicitly allowed
        found = self._index.first(path)
        if found is None:
            return True, None
        allow, index = found[1]
        return allow, self.rules[index]
