"""The entry schema ops write to: check one entry's fields and build the ``Entry``.

Both YAML readers (``blocklist_yaml`` and its fast path for the documented layout) hand over
each entry as ``{field: text}``, with ``""`` for an empty or null value and ``None`` for a
list or mapping, so that one set of rules judges every file.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from datetime import date
from typing import cast

from reservations.blocklist import MATCHES, Entry, ListInfo
from reservations.hostname import HostError, entry_forms

Fields = Mapping[str, str | None]
FieldProblem = tuple[str, str]  # (field, what is wrong)

REQUIRED = ("domain", "reason", "source", "added")
CANONICAL = ("domain", "match", "reason", "source", "added", "expires")  # the documented order
Canonical = tuple[str, str, str, str, str, str]
_KNOWN = frozenset(CANONICAL)
NOTE_PREFIX = "x-"  # an entry's own notes (x-reviewer: ...): kept out of the schema's way
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}\Z")


def unknown_key(name: str) -> FieldProblem:
    """A misspelt key would silently drop an intended expiry or exact match: it is an error,
    with the nearest known key as the likely fix."""
    close = difflib.get_close_matches(name, CANONICAL, n=1, cutoff=0.7)
    hint = (
        f"did you mean {close[0]}?"
        if close
        else "known keys: " + ", ".join(CANONICAL) + f"; notes go under {NOTE_PREFIX}NAME"
    )
    return (name, f"unknown key; {hint}")


class EntryBuilder:
    """Builds the entries of one list. Repeated texts and dates are shared: a big list names
    the same court order and date thousands of times."""

    def __init__(self, info: ListInfo) -> None:
        self.info = info
        self._texts: dict[str, str] = {}
        self._dates: dict[str, date | None] = {}

    def build(self, fields: Fields | Canonical, line: int) -> Entry | list[FieldProblem]:
        """The entry on ``line``, or every problem with it. ``fields`` is a mapping, or the
        fast path's six values in the documented order (``""`` where one is left out)."""
        if isinstance(fields, tuple):
            entry = self.quick(*fields, line)
            if entry is not None:
                return entry
            return self._checked(dict(zip(CANONICAL, fields, strict=True)), line)
        values = tuple(fields.get(name, "") for name in CANONICAL)
        known = all(name in _KNOWN or name.startswith(NOTE_PREFIX) for name in fields)
        entry = None if None in values or not known else self.quick(*cast(Canonical, values), line)
        return entry if entry is not None else self._checked(fields, line)

    def quick(
        self, domain: str, match: str, reason: str, source: str, added: str, expires: str, line: int
    ) -> Entry | None:
        """The common case in one pass: every field well formed; else ``None``. Written out
        for speed: it runs once per entry of lists a million long."""
        dates = self._dates
        added_date = dates.get(added) or self._date_of(added)
        expires_date = (dates.get(expires) or self._date_of(expires)) if expires else None
        match = match or "subdomains"
        if not (
            domain
            and reason.strip()
            and source.strip()
            and added_date is not None
            and match in MATCHES
            and (not expires or (expires_date is not None and expires_date >= added_date))
        ):
            return None
        try:
            forms = entry_forms(domain)
        except HostError:
            return None
        return self._entry(domain, forms, match, reason, source, added_date, expires_date, line)

    def _checked(self, fields: Fields, line: int) -> Entry | list[FieldProblem]:
        problems = [
            unknown_key(name)
            for name in fields
            if name not in _KNOWN and not name.startswith(NOTE_PREFIX)
        ]
        domain, reason, source, added_text = (
            self._required(fields, name, problems) for name in REQUIRED
        )
        added = self._date("added", added_text, problems)
        expires = self._date("expires", self._optional(fields, "expires", problems), problems)
        match = self._optional(fields, "match", problems) or "subdomains"
        if match not in MATCHES:
            problems.append(("match", f"unknown value {match!r}: use subdomains or exact"))
        if added is not None and expires is not None and expires < added:
            problems.append(("expires", f"{expires} is before added ({added})"))
        forms: tuple[str, tuple[str, ...], bool] = ("", (), False)
        if domain:
            try:
                forms = entry_forms(domain)
            except HostError as exc:
                problems.append(("domain", str(exc)))
        if problems or added is None:
            return problems
        return self._entry(domain, forms, match, reason, source, added, expires, line)

    def _entry(
        self,
        domain: str,
        forms: tuple[str, tuple[str, ...], bool],
        match: str,
        reason: str,
        source: str,
        added: date,
        expires: date | None,
        line: int,
    ) -> Entry:
        host, keys, is_ip = forms
        shared = self._texts.setdefault
        return Entry(
            domain,
            host,
            keys,
            "exact" if match == "exact" else "subdomains",
            shared(reason, reason),
            shared(source, source),
            added,
            expires,
            line,
            self.info,
            is_ip,
        )

    def _required(self, fields: Fields, name: str, problems: list[FieldProblem]) -> str:
        if name not in fields:
            problems.append((name, "is required"))
            return ""
        text = self._optional(fields, name, problems)
        if text is not None and not text.strip():
            problems.append((name, "is empty"))
        return text or ""

    def _optional(self, fields: Fields, name: str, problems: list[FieldProblem]) -> str | None:
        text = fields.get(name, "")
        if text is None:
            problems.append((name, "must be a single value, not a list or mapping"))
            return None
        return text

    def _date(self, name: str, text: str | None, problems: list[FieldProblem]) -> date | None:
        if not text:
            return None
        value = self._date_of(text)
        if value is None:
            problems.append((name, f"{text!r} is not a date: write YYYY-MM-DD"))
        return value

    def _date_of(self, text: str | None) -> date | None:
        if text is None:
            return None
        if text not in self._dates:
            self._dates[text] = _parse_date(text)
        return self._dates[text]


def _parse_date(text: str) -> date | None:
    if not _DATE.match(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None
