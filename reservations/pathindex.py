"""Many path patterns, indexed so that a URL is compared with only the few that can match it.

A robots.txt may hold tens of thousands of patterns. ``PatternIndex`` keeps them in the order
the caller prefers (longest first for RFC 9309 §2.2.2, file order for TDMRep §4.2) and answers
with the matching ones in that order, lazily, so that the caller stops at the first it needs.
Most patterns are ruled out without being run:

- a pattern without ``*`` matches exactly when its text is a prefix of the path (or, ending in
  ``$``, the path itself): found by dictionary look-ups of the path's prefixes;
- a pattern with ``*`` is tried only when its literal head is a prefix of the path and one
  short piece of text that it needs after the head (its rarest "key") occurs in the path, or,
  for a pattern ending in ``$``, when the path ends with the pattern's last octets.

Identical patterns are run once per path. Each run is linear (``PathPattern.matches``).
"""

from __future__ import annotations

import sys
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Generic, Literal, Protocol, TypeVar

from reservations.pathmatch import PathPattern, url_path

T = TypeVar("T")

# A key is a piece of a pattern this many octets long: 4 where the pattern has a piece that long,
# else 2, else 1, so that a path's keys of one size are read as machine integers in one pass.
_KEY_SIZES = (4, 2, 1)
_INT_FORMATS: dict[int, Literal["I", "H", "B"]] = {4: "I", 2: "H", 1: "B"}
# Keys considered per pattern when choosing its rarest one; bounds the time spent indexing.
_KEYS_PER_PATTERN = 64

# (size, octets read as a native integer); a negative size is a suffix of that many octets.
Key = tuple[int, int]


def _grams(data: bytes, size: int) -> set[int]:
    """Every run of ``size`` octets in ``data``, each read as a native unsigned integer."""
    found: set[int] = set()
    for offset in range(min(size, len(data))):
        usable = (len(data) - offset) // size * size
        found.update(memoryview(data)[offset : offset + usable].cast(_INT_FORMATS[size]))
    return found


def _keys(pattern: PathPattern) -> list[Key]:
    """Octet runs that a path matching ``pattern`` contains after its head, of one size, and
    for an anchored pattern the octets it ends with."""
    pieces = [p.encode("utf-8", "surrogatepass") for p in pattern.pieces[1:] if p]
    longest = max(map(len, pieces), default=0)
    size = next((s for s in _KEY_SIZES if s <= longest), 0)
    found: dict[Key, None] = {}
    if pattern.anchored and pattern.tail:
        # The end of an anchored pattern is the end of the path: a negative size says so.
        suffix = pattern.tail.encode("utf-8", "surrogatepass")[-_KEY_SIZES[0] :]
        found[-len(suffix), int.from_bytes(suffix, sys.byteorder)] = None
    for piece in pieces:
        for offset in range(len(piece) - size + 1):
            if len(found) >= _KEYS_PER_PATTERN or size == 0:
                return list(found)
            found[size, int.from_bytes(piece[offset : offset + size], sys.byteorder)] = None
    return list(found)


@dataclass
class _Wildcards:
    """The patterns with ``*`` that share one head, filed under their key (or under none)."""

    keyless: list[int] = field(default_factory=list)
    # Key size -> key -> ranks.
    keyed: dict[int, dict[int, list[int]]] = field(default_factory=dict)

    def candidates(self, grams: dict[int, set[int]], data: bytes, found: list[int]) -> None:
        found.extend(self.keyless)
        for size, by_key in self.keyed.items():
            if size < 0:
                ranks = by_key.get(int.from_bytes(data[size:], sys.byteorder), ())
                found.extend(ranks if len(data) >= -size else ())
                continue
            present = grams.get(size)
            if present is None:
                present = grams[size] = _grams(data, size)
            for key in by_key.keys() & present:
                found.extend(by_key[key])


class PatternIndex(Generic[T]):
    """Patterns with a value each, in the caller's order of preference; ``None`` as pattern
    stands for one that matches every path."""

    def __init__(self, entries: Sequence[tuple[PathPattern | None, T]]) -> None:
        self._entries = tuple(entries)
        self._everywhere: list[int] = []
        self._prefix: dict[str, list[int]] = defaultdict(list)
        self._exact: dict[str, list[int]] = defaultdict(list)
        self._wildcards: dict[str, _Wildcards] = defaultdict(_Wildcards)
        # Rank -> index of its pattern among the distinct ones, for ranks that must be run.
        self._to_run: dict[int, int] = {}
        distinct: dict[PathPattern, int] = {}
        keys: list[list[Key]] = []  # per distinct pattern
        for rank, (pattern, _) in enumerate(self._entries):
            if pattern is None:
                self._everywhere.append(rank)
            elif pattern.tail is None:
                (self._exact if pattern.anchored else self._prefix)[pattern.head].append(rank)
            else:
                pattern_id = distinct.setdefault(pattern, len(distinct))
                if pattern_id == len(keys):
                    keys.append(_keys(pattern))
                self._to_run[rank] = pattern_id
        self._file_wildcards(keys)
        heads = self._prefix.keys() | self._wildcards.keys()
        self._head_lengths = sorted({len(head) for head in heads})

    def _file_wildcards(self, keys: list[list[Key]]) -> None:
        """File each pattern with ``*`` under its head and the key fewest patterns need."""
        counts = Counter(key for found in keys for key in found)
        for rank, pattern_id in self._to_run.items():
            pattern = self._entries[rank][0]
            assert pattern is not None
            found = keys[pattern_id]
            wildcards = self._wildcards[pattern.head]
            if not found:
                wildcards.keyless.append(rank)
                continue
            size, key = min(found, key=counts.__getitem__)
            wildcards.keyed.setdefault(size, {}).setdefault(key, []).append(rank)

    def matching(self, path: str) -> Iterator[tuple[PathPattern | None, T]]:
        """The entries whose pattern matches the normalized ``path``, in the caller's order."""
        ranks = [*self._everywhere, *self._exact.get(path, ())]
        data = path.encode("utf-8", "surrogatepass")
        grams: dict[int, set[int]] = {}
        for length in self._head_lengths:
            if length > len(path):
                break
            head = path[:length]
            ranks.extend(self._prefix.get(head, ()))
            wildcards = self._wildcards.get(head)
            if wildcards is not None:
                wildcards.candidates(grams, data, ranks)
        ranks.sort()
        ran: dict[int, bool] = {}
        for rank in ranks:
            pattern_id = self._to_run.get(rank)
            if pattern_id is not None:
                if pattern_id not in ran:
                    pattern = self._entries[rank][0]
                    ran[pattern_id] = pattern is not None and pattern.matches(path)
                if not ran[pattern_id]:
                    continue
            yield self._entries[rank]

    def first(self, path: str) -> tuple[PathPattern | None, T] | None:
        """The first entry, in the caller's order, whose pattern matches ``path``."""
        return next(self.matching(path), None)


class Scoped(Protocol):
    """A robots.txt line whose value may start with a path (no pattern: every path)."""

    @property
    def pattern(self) -> PathPattern | None: ...


S = TypeVar("S", bound=Scoped)


class LongestMatch(Generic[S]):
    """Lines ready for RFC 9309 §2.2.2's longest-match choice, as draft-ietf-aipref-attach
    §3.1 asks of path-scoped lines; a line without a path counts as length 0."""

    def __init__(self, lines: Sequence[S]) -> None:
        ordered = sorted(lines, key=_length, reverse=True)
        self._index = PatternIndex([(line.pattern, line) for line in ordered])
        # No line has a path (or there is none): every URL gets every line, so a caller may
        # judge one URL and reuse that answer for all the others.
        self.same_everywhere = all(line.pattern is None for line in ordered)

    def longest(self, url: str) -> list[S]:
        """The lines whose path matches ``url`` longest; lines of equal length all apply."""
        found: list[S] = []
        for _, line in self._index.matching(url_path(url)):
            if found and _length(line) < _length(found[0]):
                break
            found.append(line)
        return found


def _length(line: Scoped) -> int:
    return 0 if line.pattern is None else line.pattern.length
