"""IETF AI preferences: ``Content-Usage`` statements from a response header or robots.txt.

draft-ietf-aipref-vocab-08 gives the labels (§6.1), the Structured Fields serialization and how
to read it (§6.5), and how statements are consulted and combined (§7, §7.1).
draft-ietf-aipref-attach-05 attaches statements to content with the ``Content-Usage`` header
field (§2) and to paths with robots.txt ``Content-Usage`` rules (§3).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal

import http_sf

from reservations.evidence import clip, clip_all
from reservations.pathindex import LongestMatch
from reservations.pathmatch import PathPattern, split_scoped
from reservations.purpose import Purpose
from reservations.verdict import Verdict, allow, deny

CHECK = "content-usage"
Preference = Literal["allowed", "disallowed", "unknown"]


@dataclass(frozen=True)
class _Labels:
    current: str
    narrower: tuple[str, ...] = ()
    broader: tuple[str, ...] = ()


# vocab-08 §6.1 names the current label of each use. Labels of earlier revisions are unknown
# to vocab-08 (§6.4 says to ignore them), but sites still publish them; Heed's own policy honours
# them as restrictions only: a "n" on the same or a narrower use (-01 "ai", "genai", "inference";
# -02/-03 "train-genai"; -04 "ai-output") disallows, and a broader category (-01 "tdm", -02 "all",
# -03/-04 "bots", -04 "ai-output" over search) applies when nothing more specific is said, as
# those revisions' subset fallback did.
LABELS: Mapping[Purpose, _Labels] = {
    "train-ai": _Labels("train-ai", ("train-genai", "ai", "genai"), ("bots", "all", "tdm")),
    "ai-use": _Labels("ai-use", ("ai-output", "inference"), ("bots", "all", "tdm")),
    "search": _Labels("search", (), ("ai-output", "bots", "all", "tdm")),
}


@dataclass(frozen=True)
class UsageStatement:
    """One statement of preferences: every label given a ``y`` or ``n`` Token (vocab §6.5)."""

    raw: str
    labels: Mapping[str, str] = field(default_factory=dict)
    error: str | None = None
    duplicates: tuple[str, ...] = ()


@dataclass(frozen=True)
class UsageAnswer:
    """What a statement says about one purpose, and the label that said it."""

    preference: Preference
    label: str | None = None


def parse_usage(value: bytes | str) -> UsageStatement:
    """Parse a statement as an RFC 9651 Dictionary (vocab §6.5).

    A parse failure, uppercase keys included, expresses no preference. A repeated key keeps
    its last value (RFC 9651 §4.2.2); the repetition is kept as evidence.
    """
    data = value if isinstance(value, bytes) else value.encode("utf-8", "replace")
    raw = data.decode("latin-1")
    duplicates: list[str] = []
    try:
        parsed = http_sf.parse(
            data, tltype="dictionary", on_duplicate_key=lambda key, _: duplicates.append(key)
        )
    except Exception as exc:  # any failure of the parser on hostile bytes: no preferences
        return UsageStatement(raw, error=clip(f"{type(exc).__name__}: {exc}", 200))
    assert isinstance(parsed, dict)
    labels: dict[str, str] = {}
    for key, member in parsed.items():
        item = member[0] if isinstance(member, tuple) else member  # parameters are ignored
        if isinstance(item, http_sf.Token) and str(item) in ("y", "n"):
            labels[key] = str(item)
    return UsageStatement(raw, labels, None, tuple(duplicates))


def consult(statement: UsageStatement, purpose: Purpose) -> UsageAnswer:
    """The statement's preference for ``purpose`` (vocab §7), with legacy labels as above."""
    names = LABELS[purpose]
    given = statement.labels
    if given.get(names.current) == "n":
        return UsageAnswer("disallowed", names.current)
    for label in names.narrower:
        if given.get(label) == "n":
            return UsageAnswer("disallowed", label)
    if given.get(names.current) == "y":
        return UsageAnswer("allowed", names.current)
    broader = [label for label in names.broader if label in given]
    for label in broader:
        if given[label] == "n":
            return UsageAnswer("disallowed", label)
    return UsageAnswer("allowed", broader[0]) if broader else UsageAnswer("unknown")


def combine(answers: Iterable[UsageAnswer]) -> UsageAnswer:
    """vocab §7.1: any disallow wins, then any allow; otherwise no preference."""
    found = list(answers)
    for wanted in ("disallowed", "allowed"):
        for answer in found:
            if answer.preference == wanted:
                return answer
    return UsageAnswer("unknown")


@dataclass(frozen=True)
class UsageRule:
    """A robots.txt ``Content-Usage`` rule; no pattern means every crawlable path (attach §3)."""

    lineno: int
    value: str
    pattern: PathPattern | None
    statement: UsageStatement


def parse_usage_rule(lineno: int, value: str) -> UsageRule | None:
    """One robots.txt ``Content-Usage`` value (attach §3.2); ``None`` for an overlong path."""
    scoped = split_scoped(value)
    if scoped is None:
        return None
    pattern, statement = scoped
    return UsageRule(lineno, value.strip(" \t"), pattern, parse_usage(statement))


@lru_cache(maxsize=32)
def _indexed_rules(lines: tuple[tuple[int, str], ...]) -> LongestMatch[UsageRule]:
    """One group's rules, parsed and indexed once: the crawler asks for every URL."""
    return LongestMatch([r for r in (parse_usage_rule(n, v) for n, v in lines) if r is not None])


def _verdict(answer: UsageAnswer, purpose: Purpose, **evidence: Any) -> Verdict:
    evidence = {"purpose": purpose, "preference": answer.preference, **evidence}
    if answer.label:
        evidence["label"] = answer.label
    if answer.preference == "disallowed":
        return deny(CHECK, "content-usage.disallow", **evidence)
    if answer.preference == "allowed":
        return allow(CHECK, "content-usage.allow", **evidence)
    return allow(CHECK, "content-usage.unknown", **evidence)


def robots_usage_verdict(
    groups: Mapping[str, Sequence[tuple[int, str]]], url: str, purpose: Purpose
) -> Verdict:
    """Verdict from the ``Content-Usage`` lines of each obeyed token's robots.txt group.

    ``groups`` maps a product token to its group's ``(line number, value)`` lines; each token's
    answer is one statement, and statements combine most restrictively (vocab §7.1).
    """
    answers: list[UsageAnswer] = []
    found: dict[str, list[dict[str, Any]]] = {}
    for token, lines in groups.items():
        chosen = _indexed_rules(tuple(lines)).longest(url)
        answers.append(combine(consult(r.statement, purpose) for r in chosen))
        if chosen:
            found[token] = [_rule_evidence(r) for r in chosen]
    return _verdict(combine(answers), purpose, source="robots.txt", rules=found)


def _rule_evidence(rule: UsageRule) -> dict[str, Any]:
    evidence: dict[str, Any] = {"line": rule.lineno, "value": clip(rule.value)}
    if rule.statement.error:
        evidence["error"] = rule.statement.error
    return evidence


def header_usage_verdict(values: Sequence[str], purpose: Purpose) -> Verdict:
    """Verdict from the ``Content-Usage`` header field (attach §2).

    Repeated field lines are one field, joined with commas (RFC 9110 §5.3, RFC 9651 §4.2).
    """
    if not values:
        return _verdict(UsageAnswer("unknown"), purpose, source="header", header=None)
    statement = parse_usage(", ".join(values).encode("latin-1", "replace"))
    evidence: dict[str, Any] = {"source": "header", "header": clip_all(values)}
    if statement.duplicates:
        evidence["duplicate_keys"] = list(statement.duplicates)
    if statement.error:
        return allow(
            CHECK,
            "content-usage.parse_error",
            purpose=purpose,
            preference="unknown",
            error=statement.error,
            **evidence,
        )
    return _verdict(consult(statement, purpose), purpose, **evidence)
