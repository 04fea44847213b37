"""URL path patterns as robots.txt writes them, for every robots-style rule Heed reads itself.

TDMRep locations (which borrow robots.txt's wording), and the paths of ``Content-Usage`` and
``Content-Signal`` lines, match URL paths the way RFC 9309 §2.2.2-§2.2.3 says: a prefix match
with ``*`` for any run of characters and a final ``$`` for the end, after percent-encoding has
been made comparable on both sides. Which matching rule wins is each caller's business
(TDMRep: the first; robots.txt lines: the longest).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar
from urllib.parse import urlsplit

_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})")
# Longest pattern Heed compiles; a longer one cannot be a real path and is never matched.
MAX_PATTERN = 4096


def _unescape_unreserved(match: re.Match[str]) -> str:
    char = chr(int(match.group(1), 16))
    return char if char in _UNRESERVED else "%" + match.group(1).upper()


def _encode_char(char: str, literal_specials: bool) -> str:
    if char in "$*" and literal_specials:
        return "%2A" if char == "*" else "%24"
    if " " < char < "\x7f":
        return char
    return "".join(f"%{byte:02X}" for byte in char.encode("utf-8"))


def normalize(text: str, *, literal_specials: bool = True) -> str:
    """Percent-encoding made comparable (RFC 9309 §2.2.2; TDMRep §4.2 repeats it).

    An escaped unreserved character is decoded, other escapes are upper-cased, non-ASCII and
    control characters are encoded as UTF-8. ``$`` and ``*`` in a URL are literal, so they are
    encoded: a pattern writes ``%24`` to mean a literal ``$`` (TDMRep §4.2.1).
    """
    encoded = "".join(_encode_char(c, literal_specials) for c in text)
    return _ESCAPE.sub(_unescape_unreserved, encoded)


def url_path(url: str) -> str:
    """The part of ``url`` that patterns match: path and query, normalized (RFC 9309 §2.2.2)."""
    parts = urlsplit(url)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return normalize(path)


@dataclass(frozen=True)
class PathPattern:
    """One compiled pattern: the literal pieces between ``*`` and whether ``$`` ends it."""

    text: str
    pieces: tuple[str, ...]
    anchored: bool

    @property
    def length(self) -> int:
        """Octets of the normalized pattern: what "longest match" compares (RFC 9309 §2.2.2)."""
        return sum(len(p) for p in self.pieces) + len(self.pieces) - 1 + int(self.anchored)

    def matches(self, path: str) -> bool:
        """Whether the normalized ``path`` starts with (or, anchored, is) this pattern.

        Each piece is found at its leftmost place, which is optimal for ``*`` alone: linear
        passes over the path, so a hostile pattern full of ``*`` cannot stall a crawl.
        """
        first, *rest = self.pieces
        if not path.startswith(first):
            return False
        if not rest:
            return path == first if self.anchored else True
        position = len(first)
        *middle, last = rest
        for piece in middle:
            found = path.find(piece, position)
            if found < 0:
                return False
            position = found + len(piece)
        if self.anchored:
            return path.endswith(last) and len(path) - len(last) >= position
        return path.find(last, position) >= 0


def compile_pattern(text: str) -> PathPattern | None:
    """Compile a robots-style path pattern; ``None`` if it is empty or absurdly long.

    A pattern must start with ``/`` (RFC 9309 §2.2.2); one that starts with ``*`` is read as if
    ``/`` came first, since every path starts with one.
    """
    text = text.strip()
    if not text or len(text) > MAX_PATTERN or text[0] not in "/*":
        return None
    anchored = text.endswith("$")
    body = text[:-1] if anchored else text
    if body.startswith("*"):
        body = "/" + body
    pieces = tuple(normalize(p) for p in re.split(r"\*+", body))
    return PathPattern(text, pieces, anchored)


class Scoped(Protocol):
    """A robots.txt line whose value may start with a path (no pattern: every path)."""

    @property
    def pattern(self) -> PathPattern | None: ...


S = TypeVar("S", bound=Scoped)


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


def longest_matches(lines: Sequence[S], url: str) -> list[S]:
    """The lines whose path matches ``url`` longest (RFC 9309 §2.2.2's rule, as attach §3.1
    asks); lines of equal length all apply, and a line without a path counts as length 0."""
    path = url_path(url)
    matching = [x for x in lines if x.pattern is None or x.pattern.matches(path)]
    lengths = [x.pattern.length if x.pattern is not None else 0 for x in matching]
    longest = max(lengths, default=0)
    return [x for x, n in zip(matching, lengths, strict=True) if n == longest]
