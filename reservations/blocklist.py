"""Infringing-sites blocklists: entries, the host index, and the verdict for a URL.

GPAI Code of Practice, Copyright chapter, Measure 1.2(b): exclude websites recognised by
courts or public authorities in the EU/EEA as persistently and repeatedly infringing on a
commercial scale. Ops keep such lists in YAML (``reservations.blocklist_yaml`` reads them);
this module answers, for a host, which entry lists it. A lookup walks the host's own label
suffixes through two dicts, so its cost does not grow with the lists.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal, NamedTuple

from reservations.hostname import lookup_forms, reached_addresses
from reservations.verdict import Verdict, allow, deny

CHECK = "blocklist"
Match = Literal["subdomains", "exact"]
MATCHES: tuple[Match, ...] = ("subdomains", "exact")


@dataclass(frozen=True, slots=True)
class ListInfo:
    """One list file as loaded: where it came from, its metadata and the digest of its bytes."""

    file: str
    sha256: str
    id: str
    version: str | None = None
    owner: str | None = None

    def describe(self) -> dict[str, Any]:
        """The facts a run header and a reviewer need to identify this exact list."""
        facts: dict[str, Any] = {"id": self.id, "file": self.file, "sha256": self.sha256}
        if self.version is not None:
            facts["version"] = self.version
        if self.owner is not None:
            facts["owner"] = self.owner
        return facts


class Entry(NamedTuple):
    """One listed site. A named tuple, not a dataclass: a million of them must load in
    seconds, and tuples are built several times faster while staying just as immutable."""

    domain: str  # as written in the file
    host: str  # canonical ASCII form
    forms: tuple[str, ...]  # every ASCII spelling indexed (IDNA 2008 and 2003 may differ)
    match: Match
    reason: str
    source: str
    added: date
    expires: date | None
    line: int
    listed_in: ListInfo
    is_ip: bool = False

    def evidence(self) -> dict[str, Any]:
        """What a reviewer needs to find and re-check this entry."""
        facts: dict[str, Any] = {
            "domain": self.domain,
            "match": "exact" if self.is_ip else self.match,
            "source": self.source,
            "reason": self.reason,
            "added": self.added.isoformat(),
            "file": self.listed_in.file,
            "line": self.line,
            "file_sha256": self.listed_in.sha256,
            "list_id": self.listed_in.id,
        }
        if self.expires is not None:
            facts["expires"] = self.expires.isoformat()
        if self.listed_in.version is not None:
            facts["list_version"] = self.listed_in.version
        return facts

    def expired(self, today: date) -> bool:
        """An entry expires at the start of its ``expires`` day."""
        return self.expires is not None and self.expires <= today


@dataclass(frozen=True, slots=True)
class Blocklist:
    """The valid content of one list file."""

    info: ListInfo
    entries: tuple[Entry, ...] = ()


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong (or worth a look) in a list file, printed as ``file:line: field: msg``."""

    file: str
    line: int
    field: str
    message: str
    severity: Literal["error", "warning"] = "error"

    def __str__(self) -> str:
        prefix = "warning: " if self.severity == "warning" else ""
        return f"{self.file}:{self.line}: {self.field}: {prefix}{self.message}"


@dataclass(frozen=True)
class BlocklistIndex:
    """Every entry of several lists, keyed by canonical host for suffix lookups.

    ``digest`` is one SHA-256 over the lists in force, so each decision names the exact set.
    """

    lists: tuple[Blocklist, ...] = ()
    digest: str = ""
    duplicates: list[tuple[Entry, Entry]] = field(default_factory=list, repr=False)
    _exact: dict[str, Entry] = field(default_factory=dict, repr=False)
    _subtree: dict[str, Entry] = field(default_factory=dict, repr=False)
    _addresses: dict[str, Entry] = field(default_factory=dict, repr=False)

    @classmethod
    def build(cls, lists: Iterable[Blocklist]) -> BlocklistIndex:
        """Index ``lists`` in order; of two entries for one host the first is reported, and
        the pair is kept in ``duplicates`` as (later, earlier)."""
        lists = tuple(lists)
        text = "\n".join(f"{b.info.file} {b.info.sha256}" for b in lists)
        index = cls(lists, hashlib.sha256(text.encode("utf-8")).hexdigest())
        exact, subtree, duplicates = index._exact, index._subtree, index.duplicates
        for entry in iter_entries(lists):
            if entry.is_ip:  # keyed as a connection's address is compared (IPv4-mapped as IPv4)
                index._addresses.setdefault(reached_addresses(entry.host)[0], entry)
            table = exact if entry.is_ip or entry.match == "exact" else subtree
            for form in entry.forms:
                first = table.setdefault(form, entry)
                if first is not entry:
                    duplicates.append((entry, first))
                    break
        return index

    def __len__(self) -> int:
        return sum(len(blocklist.entries) for blocklist in self.lists)

    def match_host(self, host: str) -> Entry | None:
        """The entry that lists ``host``: an entry for the host itself (exact first), else the
        one for its longest listed parent domain."""
        exact, subtree = self._exact, self._subtree
        for form in lookup_forms(host):
            entry = exact.get(form)
            if entry is not None:
                return entry
            suffix = form
            while suffix:  # the host, then each parent: a few probes whatever the lists' size
                entry = subtree.get(suffix)
                if entry is not None:
                    return entry
                suffix = suffix.partition(".")[2]
        return None

    @property
    def lists_addresses(self) -> bool:
        """Whether any entry is an IP address (only then are connections' addresses checked)."""
        return bool(self._addresses)

    def match_address(self, address: str) -> Entry | None:
        """The IP entry that binds a connection to the resolved ``address``, if any."""
        for reached in reached_addresses(address):
            entry = self._addresses.get(reached)
            if entry is not None:
                return entry
        return None


def iter_entries(lists: Iterable[Blocklist]) -> Iterator[Entry]:
    for blocklist in lists:
        yield from blocklist.entries


def blocklist_verdict(index: BlocklistIndex, host: str, today: date) -> Verdict:
    """Deny a listed host (``blocklist.listed``), expired entries included: an expired entry
    still denies until ops renew or retire it (fail closed)."""
    entry = index.match_host(host)
    if entry is None:
        return allow(CHECK, "blocklist.not_listed", host=host, lists_sha256=index.digest)
    evidence = entry.evidence()
    if entry.expired(today):
        evidence["expired"] = True
    return deny(CHECK, "blocklist.listed", host=host, entry=evidence, lists_sha256=index.digest)


def address_verdict(
    index: BlocklistIndex, host: str, addresses: Iterable[str], today: date
) -> Verdict:
    """An IP entry binds every connection to its address, whatever name led there: deny
    ``host`` when any address it resolved to is listed (``blocklist.listed_address``), and when
    it resolved to none, since then what it would reach cannot be checked (fail closed)."""
    resolved = list(addresses)
    if not resolved:
        return deny(CHECK, "blocklist.unresolved", host=host, lists_sha256=index.digest)
    for address in resolved:
        entry = index.match_address(address)
        if entry is not None:
            evidence = entry.evidence()
            if entry.expired(today):
                evidence["expired"] = True
            return deny(
                CHECK,
                "blocklist.listed_address",
                host=host,
                address=address,
                entry=evidence,
                lists_sha256=index.digest,
            )
    return allow(
        CHECK, "blocklist.not_listed", host=host, addresses=resolved, lists_sha256=index.digest
    )


def find_warnings(index: BlocklistIndex, today: date) -> list[Problem]:
    """Expired entries, entries added in the future (a typo in the year, most likely), and
    hosts listed more than once (in one file or across files)."""
    dated = [
        Problem(e.listed_in.file, e.line, field, message, "warning")
        for e in iter_entries(index.lists)
        for field, message in _date_warnings(e, today)
    ]
    repeated = [
        Problem(
            later.listed_in.file,
            later.line,
            "domain",
            f"{later.domain} is already listed at {earlier.listed_in.file}:{earlier.line}",
            "warning",
        )
        for later, earlier in index.duplicates
    ]
    return dated + repeated


def _date_warnings(entry: Entry, today: date) -> Iterator[tuple[str, str]]:
    if entry.added > today:
        yield "added", f"{entry.added.isoformat()} is in the future; check the date"
    if entry.expires is not None and entry.expires <= today:
        yield (
            "expires",
            f"{entry.domain} expired on {entry.expires.isoformat()}; it still denies: renew it "
            "or retire it",
        )
