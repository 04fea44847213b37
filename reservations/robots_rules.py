"""The rules of the group that applies: Protego decides, and the deciding line is named.

Protego answers allow or disallow but keeps no line numbers. ``GroupRules`` therefore reads the
same rules a second time, the way Protego reads them (RFC 9309 §2.2.2 percent-encoding and
longest match, §2.2.3 wildcards), only to name the line, and always one of the kind Protego
decided, so the evidence cannot contradict the decision.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import quote, urlparse, urlsplit

from protego import Protego

from reservations.robots_lines import ALLOW_KEYS, RobotsLine

# Protego is shown every path behind this placeholder origin (RFC 2606 reserves ".invalid"), so
# that a path starting with "//" is not read as an authority. Rules never match the origin.
_ORIGIN = "http://robots.invalid"

# Everything in front of the path, for URLs whose authority urlsplit refuses (an unclosed "[").
_SCHEME_AUTHORITY = re.compile(r"(?:[A-Za-z][A-Za-z0-9+.-]*:)?//[^/?]*")

# Characters str.splitlines() breaks at besides CR and LF: Protego would split a rule there.
_HIDDEN_LINE_ENDS = re.compile("[\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")

_ESCAPE = re.compile(rb"%([0-9A-Fa-f]{2})")
_STARS = re.compile(r"\*+")


def request_target(url_or_path: str) -> str:
    """The path and query that rules are matched against (RFC 9309 §2.2.2), always with "/"."""
    # Lone surrogates cannot be encoded; any other string is accepted.
    text = url_or_path.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
    text = text.partition("#")[0]
    try:
        parts = urlsplit(text)
    except ValueError:
        parts = urlsplit(_ORIGIN + _SCHEME_AUTHORITY.sub("", text, count=1))
    target = parts.path + (f"?{parts.query}" if "?" in text else "")
    return target if target.startswith("/") else f"/{target}"


def _normalise(text: str, kept: bytes, safe: str) -> str:
    """RFC 9309 §2.2.2: decode escapes that need not be escapes, escape what must be.

    ``kept`` escapes stay as they are: "%2F" is not a path separator, "%25" not an escape, and
    in a pattern "%2A" is a literal "*". "=" is left bare both ways, as Protego leaves it.
    """

    def unescape(match: re.Match[bytes]) -> bytes:
        octet = int(match[1], 16)
        return match[0].upper() if octet in kept else bytes([octet])

    raw = _ESCAPE.sub(unescape, text.encode("utf-8")).decode("utf-8", "replace")
    return quote(raw, safe=safe)


def _normalise_pattern(value: str) -> str:
    """A rule's path pattern in the form it is compared in; a final "$" stays an anchor."""
    if value.startswith(("https://", "http://")):
        value = f"/{value}"  # Protego's reading of a rule written as a full URL
    anchored = value.endswith("$")
    body = _normalise(value.removesuffix("$") if anchored else value, b"/%*", "/%=*")
    return body + "$" if anchored else body


def _patterns(value: str, allow: bool) -> list[str]:
    """The patterns Protego builds from one rule value, in the order it builds them."""
    # A "$" anywhere is also read as a literal dollar sign (RFC 9309 §2.2.3 Figure 6).
    found = _patterns(value.replace("$", "%24"), allow) if "$" in value else []
    pattern = _normalise_pattern(value)
    if pattern:
        found.append(pattern)
        # Protego, like Google, reads "Allow: /dir/index.html" as allowing "/dir/" too.
        if allow and pattern.endswith("/index.html"):
            found.append(pattern.removesuffix("index.html") + "$")
    return found


@dataclass(frozen=True, slots=True)
class _Pattern:
    """One compiled pattern: literal ``head``, then ``tails`` each after a "*" (RFC 9309 §2.2.3)."""

    priority: int
    allow: bool
    rule: int
    head: str
    tails: tuple[str, ...]
    anchored: bool

    @classmethod
    def compile(cls, pattern: str, allow: bool, rule: int) -> _Pattern:
        anchored = pattern.endswith("$")
        head, *tails = _STARS.sub("*", pattern.removesuffix("$")).split("*")
        # RFC 9309 §2.2.2: the most specific match is the one with the most octets.
        return cls(len(pattern), allow, rule, head, tuple(tails), anchored)

    def matches(self, target: str) -> bool:
        """Whether the pattern matches ``target``; each "*" takes the first place that fits."""
        if not target.startswith(self.head):
            return False
        if not self.tails:
            return not self.anchored or len(target) == len(self.head)
        position = len(self.head)
        *middle, last = self.tails
        for part in middle:
            position = target.find(part, position)
            if position < 0:
                return False
            position += len(part)
        if self.anchored:
            return target.endswith(last) and len(target) - len(last) >= position
        return target.find(last, position) >= 0


class GroupRules:
    """The allow and disallow lines of one group (merged, RFC 9309 §2.2.1), ready for paths."""

    def __init__(self, rules: Sequence[RobotsLine], delays: Sequence[str] = ()) -> None:
        self.rules = tuple(rules)
        self._values = [_HIDDEN_LINE_ENDS.sub(_escape_char, rule.value) for rule in self.rules]
        kinds = [rule.key in ALLOW_KEYS for rule in self.rules]
        lines = ["User-agent: *"]
        lines += [
            f"{'Allow' if allow else 'Disallow'}: {value}"
            for allow, value in zip(kinds, self._values, strict=True)
        ]
        lines += [f"Crawl-delay: {d}" for d in delays if not _HIDDEN_LINE_ENDS.search(d)]
        self._protego = Protego.parse("\n".join(lines))
        patterns = [
            _Pattern.compile(pattern, allow, index)
            for index, (allow, value) in enumerate(zip(kinds, self._values, strict=True))
            for pattern in _patterns(value, allow)
        ]
        # RFC 9309 §2.2.2: longest first, and "allow" first among equals; otherwise file order.
        self._ordered = sorted(patterns, key=lambda p: (p.priority, p.allow), reverse=True)

    @property
    def crawl_delay(self) -> float | None:
        """The group's crawl delay in seconds, as Protego reads it."""
        return self._protego.crawl_delay("*")

    def decide(self, target: str) -> tuple[bool, RobotsLine | None]:
        """Protego's answer for ``target`` and the rule line behind it (``None``: no rule)."""
        url = _ORIGIN + target
        allowed = self._protego.can_fetch(url, "*")
        if urlparse(url).path == "/robots.txt":
            return allowed, None  # RFC 9309 §2.2.2: /robots.txt is implicitly allowed
        # Protego has decided the kind, so the deciding rule is the most specific rule of that
        # kind that matches; rules of the other kind need not be read.
        path = _normalise(target, b"/%", "/%=")
        for pattern in self._ordered:
            if pattern.allow == allowed and pattern.matches(path):
                return allowed, self.rules[pattern.rule]
        return allowed, None if allowed else self._ask_protego(url)

    def _ask_protego(self, url: str) -> RobotsLine:
        """The disallow line behind a "disallow", found by asking Protego about each alone.

        Never reached while the index reads rules as Protego does; it is there so that a
        Protego that reads them otherwise still gets evidence that agrees with its answer.
        """
        for pattern in self._ordered:
            if not pattern.allow:
                rule_alone = Protego.parse(f"User-agent: *\nDisallow: {self._values[pattern.rule]}")
                if not rule_alone.can_fetch(url, "*"):
                    return self.rules[pattern.rule]
        raise AssertionError(f"Protego disallows {url} but no disallow rule matches it alone")


def _escape_char(match: re.Match[str]) -> str:
    return "".join(f"%{octet:02X}" for octet in match[0].encode("utf-8"))
