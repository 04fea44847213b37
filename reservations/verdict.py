"""The answer every check gives: may we take this, and why."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any, Literal, NamedTuple

Decision = Literal["allow", "deny"]


class Verdict(NamedTuple):
    """One check's decision, with a stable reason code and the evidence to re-check it.

    ``reason`` is ``<check>.<code>`` in lowercase (``robots.disallow``); ``evidence`` holds only
    JSON-serialisable values, because it goes into the decision log as it is. Immutable, and a
    tuple rather than a frozen dataclass: a crawl builds some 25 of them a page, and a tuple is
    built in half the time.
    """

    decision: Decision
    check: str
    reason: str
    evidence: Mapping[str, Any] = MappingProxyType({})

    @property
    def allowed(self) -> bool:
        return self.decision == "allow"


def allow(check: str, reason: str, **evidence: Any) -> Verdict:
    """Build an allow verdict."""
    return Verdict("allow", check, reason, evidence)


def deny(check: str, reason: str, **evidence: Any) -> Verdict:
    """Build a deny verdict."""
    return Verdict("deny", check, reason, evidence)


def most_restrictive(verdicts: Iterable[Verdict]) -> Verdict | None:
    """The first deny among ``verdicts``, else the last allow; ``None`` when empty.

    Conflicting signals resolve to the most restrictive answer (a deny always wins).
    """
    last: Verdict | None = None
    for verdict in verdicts:
        if not verdict.allowed:
            return verdict
        last = verdict
    return last
