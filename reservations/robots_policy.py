"""What a robots.txt fetch means for an origin, and the verdict for one URL (RFC 9309 §2.3.1).

Kept apart from the parser: this module knows status codes and failures, not file syntax.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import urlsplit

from reservations.robots import RobotsFile, parse_robots
from reservations.verdict import Verdict, allow, deny

Availability = Literal["parsed", "unavailable", "unreachable"]


def classify_fetch(status: int | None, error: str | None) -> Availability:
    """RFC 9309 §2.3.1.2-§2.3.1.4: how a robots.txt answer binds the origin.

    2xx: the file's rules apply. 4xx other than 429: unavailable, everything is allowed.
    429, 5xx, any network failure, too many redirects: unreachable, everything is disallowed
    (§2.3.1.4 — Heed also treats 429 as unreachable; anything else unknown fails closed).
    """
    if error is not None or status is None:
        return "unreachable"
    if 200 <= status < 300:
        return "parsed"
    if 400 <= status < 500 and status != 429:
        return "unavailable"
    return "unreachable"


@dataclass(frozen=True)
class RobotsState:
    """One origin's robots.txt as fetched: its availability, parsed file and fetch evidence."""

    availability: Availability
    file: RobotsFile | None = None
    evidence: Mapping[str, Any] = field(default_factory=dict)


def robots_state(
    status: int | None, error: str | None, body: bytes, evidence: Mapping[str, Any]
) -> RobotsState:
    """Build the state of an origin from one fetch outcome."""
    availability = classify_fetch(status, error)
    parsed = parse_robots(body) if availability == "parsed" else None
    return RobotsState(availability, parsed, evidence)


def robots_verdict(state: RobotsState, url: str, token: str) -> Verdict:
    """Allow or deny ``url`` for ``token`` under ``state``, with the evidence to re-check it."""
    evidence: dict[str, Any] = {"token": token, **state.evidence}
    if is_robots_txt(url):
        return allow("robots", "robots.self", **evidence)
    if state.availability == "unreachable":
        return deny("robots", "robots.unreachable", **evidence)
    if state.availability == "unavailable" or state.file is None:
        return allow("robots", "robots.unavailable", **evidence)
    match = state.file.evaluate(url, token)
    if match.group is not None:
        evidence["group"] = list(match.group.agents)
        evidence["group_line"] = match.group.lineno
    if match.rule is None:
        evidence["rule"] = "no rule matched"
        return allow("robots", "robots.no_rule", **evidence)
    evidence["rule"] = _clip(match.rule.text)
    evidence["rule_line"] = match.rule.lineno
    if match.allowed:
        return allow("robots", "robots.allow", **evidence)
    return deny("robots", "robots.disallow", **evidence)


def is_robots_txt(url: str) -> bool:
    """Whether ``url`` is its origin's robots.txt, which is always allowed (RFC 9309 §2.2.2)."""
    # urlsplit drops tabs and line breaks anywhere in a URL before splitting it (as WHATWG URL
    # parsing does): a URL with none of them and no "/robots.txt" cannot have that path.
    if "/robots.txt" not in url and "\t" not in url and "\n" not in url and "\r" not in url:
        return False
    return _path(url) == "/robots.txt"


def varies_by_path(state: RobotsState, tokens: Sequence[str]) -> bool:
    """Whether ``robots_verdict`` may answer two URLs of ``state``'s origin differently for one
    of ``tokens``, robots.txt itself aside: only when a rule of the file applies to one."""
    return state.file is not None and any(state.file.has_rules(token) for token in tokens)


# A hostile file may hold one giant rule; the log keeps its head and its line number.
_MAX_RULE_CHARS = 1000


def _clip(text: str) -> str:
    return text if len(text) <= _MAX_RULE_CHARS else text[:_MAX_RULE_CHARS] + "..."


def _path(url: str) -> str:
    try:
        return urlsplit(url).path
    except ValueError:  # a malformed URL is judged by the rules, never by a crash
        return ""
