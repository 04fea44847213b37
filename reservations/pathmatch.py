"""URL path patterns as robots.txt writes them, for every robots-style rule Heed reads.

robots.txt ``Allow``/``Disallow`` lines (and ai.txt, which shares their syntax), the paths of
``Content-Usage`` and ``Content-Signal`` lines, and TDMRep ``location`` values (which borrow
robots.txt's wording) all match URL paths the way RFC 9309 §2.2.2-§2.2.3 says: a prefix match
with ``*`` for any run of characters and a final ``$`` for the end, after percent-encoding has
been made comparable on both sides by ``normalize``. Which matching pattern wins is each caller's
business (TDMRep: the first; robots.txt lines: the longest); ``reservations.pathindex`` finds it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

# Longest pattern an extension line or a TDMRep location may have; a longer one cannot be a real
# path and is never matched. robots.txt rules are bounded by the parsing limit instead.
MAX_PATTERN = 4096

# RFC 3986 §2.3: the unreserved characters, whose escapes are decoded.
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
# ASCII characters that are neither unreserved nor reserved (RFC 3986 §2.2), so always escaped;
# "*" and "$" are reserved but are the patterns' special characters, so in a URL they are
# written escaped (RFC 9309 §2.2.3).
_ASCII_ESCAPES = {c: f"%{c:02X}" for c in [*range(0x21), 0x7F, *map(ord, '"<>\\^`{|}*$')]}
# In a pattern, "*" is the wildcard and stays; a "$" before the end is literal (RFC 9309 §2.2.3).
_PATTERN_ESCAPES = {c: e for c, e in _ASCII_ESCAPES.items() if c != ord("*")}
_TO_NORMALISE = re.compile(
    "|".join(
        [
            "%(?:3[0-9]|[46][1-9A-Fa-f]|[57][0-9Aa]|2[DEde]|5[Ff]|7[Ee])",  # unreserved escape
            "%(?:[0-9A-Fa-f][a-f]|[a-f][0-9A-F])",  # lowercase escape
            "%(?![0-9A-Fa-f]{2})",  # a "%" that starts no escape
            "[^\\x00-\\x7f]+",  # non-ASCII
        ]
    )
)
_STARS = re.compile(r"\*+")

# Everything in front of the path, for URLs whose authority urlsplit refuses (an unclosed "[").
_SCHEME_AUTHORITY = re.compile(r"(?:[A-Za-z][A-Za-z0-9+.-]*:)?//[^/?]*")
_PLACEHOLDER_ORIGIN = "http://path.invalid"  # RFC 2606 reserves ".invalid"


def _normalised(match: re.Match[str]) -> str:
    text = match[0]
    if len(text) == 3 and text[0] == "%":
        char = chr(int(text[1:], 16))
        return char if char in _UNRESERVED else text.upper()
    if text == "%":
        return "%25"
    # Lone surrogates (from hostile input) are encoded as the octets they would be.
    return "%" + text.encode("utf-8", "surrogatepass").hex("%").upper()


def normalize(text: str) -> str:
    """Percent-encoding made comparable (RFC 9309 §2.2.2; TDMRep §4.2 repeats it).

    An escaped unreserved character is decoded; other escapes are kept, upper-cased, so that
    ``%3D`` and ``=`` stay different (RFC 3986 §2.2: they are not equivalent). Reserved
    characters stay bare; every other octet (non-ASCII, controls, space, a stray ``%``) is
    escaped as UTF-8. ``$`` and ``*`` in a URL are literal, so they are escaped: a pattern writes
    ``%24`` to mean a literal ``$`` (RFC 9309 §2.2.3). The result is ASCII.
    """
    return _TO_NORMALISE.sub(_normalised, text.translate(_ASCII_ESCAPES))


def _normalize_pattern(text: str) -> str:
    """``normalize`` for a pattern body: every "*" stays the wildcard."""
    return _TO_NORMALISE.sub(_normalised, text.translate(_PATTERN_ESCAPES))


def request_target(url_or_path: str) -> str:
    """The path and query of a URL, as written, always starting with "/" (RFC 9309 §2.2.2).

    Never raises: a URL whose authority cannot be parsed still gives its path. A "?" with
    nothing after it is kept, since rules can match it.
    """
    text = url_or_path.partition("#")[0]
    try:
        parts = urlsplit(text)
    except ValueError:
        parts = urlsplit(_PLACEHOLDER_ORIGIN + _SCHEME_AUTHORITY.sub("", text, count=1))
    target = parts.path + (f"?{parts.query}" if "?" in text else "")
    return target if target.startswith("/") else f"/{target}"


def url_path(url: str) -> str:
    """The part of ``url`` that patterns match: path and query, normalized (RFC 9309 §2.2.2)."""
    return normalize(request_target(url))


@dataclass(frozen=True, slots=True)
class PathPattern:
    """One compiled pattern: the literal ``head`` before the first ``*``, the literal pieces after
    each further run of ``*`` (``tail`` is the last, possibly empty), and whether ``$`` ends it."""

    text: str
    head: str
    middle: tuple[str, ...]
    tail: str | None
    anchored: bool
    # Octets of the normalized pattern, "*" and "$" included: what "longest match" compares
    # (RFC 9309 §2.2.2; Google's parser counts the same way).
    length: int

    @property
    def pieces(self) -> tuple[str, ...]:
        """The literal pieces that must appear in order, head first."""
        return (self.head, *self.middle) + (() if self.tail is None else (self.tail,))

    def matches(self, path: str) -> bool:
        """Whether the normalized ``path`` starts with (or, anchored, is) this pattern.

        Each piece is taken at its leftmost place, which is optimal when ``*`` is the only
        wildcard: one pass of ``str.find`` per piece, so no pattern can make matching
        backtrack.
        """
        if not path.startswith(self.head):
            return False
        tail = self.tail
        if tail is None:
            return not self.anchored or len(path) == len(self.head)
        position = len(self.head)
        for piece in self.middle:
            position = path.find(piece, position)
            if position < 0:
                return False
            position += len(piece)
        if self.anchored:
            return len(path) - len(tail) >= position and path.endswith(tail)
        return path.find(tail, position) >= 0


def compile_pattern(text: str, max_length: int | None = MAX_PATTERN) -> PathPattern | None:
    """Compile a robots-style path pattern; ``None`` if it is empty, too long, or not a path.

    A pattern must start with ``/`` (RFC 9309 §2.2.2) or with ``*``, which stands for any
    characters including the first "/" (§5.1's example ``Disallow: *.gif$``).
    """
    text = text.strip()
    if not text or text[0] not in "/*" or (max_length is not None and len(text) > max_length):
        return None
    anchored = text.endswith("$")
    body = _normalize_pattern(text[:-1] if anchored else text)
    length = len(body) + int(anchored)
    head, *rest = _STARS.split(body)
    if not rest:
        return PathPattern(text, head, (), None, anchored, length)
    *middle, tail = rest
    return PathPattern(text, head, tuple(middle), tail, anchored, length)


def split_scoped(value: str) -> tuple[PathPattern | None, str] | None:
    """Split an extension line's value into its optional path and the rest.

    draft-ietf-aipref-attach §3.2: a value that starts with ``/`` starts with a path, which ends
    at the first SP or HTAB. ``None`` when that path is too long to be compiled.
    """
    value = value.strip(" \t")
    if not value.startswith("/"):
        return None, value
    path, _, rest = value.replace("\t", " ").partition(" ")
    pattern = compile_pattern(path)
    return None if pattern is None else (pattern, rest.strip(" "))
