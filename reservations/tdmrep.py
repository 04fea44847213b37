"""W3C TDM Reservation Protocol (TDMRep), Community Group Final Report, 10 May 2024.

Three techniques declare two properties: ``tdm-reservation`` (1: TDM rights reserved, 0: not
reserved, anything else: a protocol error, read as unset; §3.1) and ``tdm-policy`` (the URL of
the rightsholder's licensing policy; §3.2). The techniques are the ``/.well-known/tdmrep.json``
file (§4.2), the HTTP header fields (§4.1) and HTML ``<meta>`` elements (§4.3); values found
later in that order supersede earlier ones, property by property, and absence never resets a
value (§4.4).

Where a file departs from the format, Heed reads it in the direction that honours an evident
reservation and never further: keys are matched without regard to case, a lone rule object
stands for a one-rule array, the strings "0" and "1" count as the integers, an absolute URL as a
location counts as its path, and a repeated key keeps its most restrictive value. Every such
reading is recorded as a problem in the evidence.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

from reservations.evidence import MAX_ITEMS, clip, clip_all
from reservations.pathindex import PatternIndex
from reservations.pathmatch import PathPattern, compile_pattern, url_path
from reservations.verdict import Verdict, allow, deny

CHECK = "tdmrep"
WELL_KNOWN = "/.well-known/tdmrep.json"


def parse_reservation(value: object) -> int | None:
    """§3.1: ``1`` reserves, ``0`` does not; any other value is unset (a JSON ``true`` too)."""
    if isinstance(value, int) and not isinstance(value, bool) and value in (0, 1):
        return value
    if isinstance(value, str) and value.strip() in ("0", "1"):
        return int(value.strip())
    return None


def parse_policy(value: object, base: str) -> str | None:
    """§3.2: a URL (resolved against ``base`` when relative); anything else is unset."""
    if not isinstance(value, str) or not value.strip() or any(c.isspace() for c in value.strip()):
        return None
    url = urljoin(base, value.strip())
    return url if urlsplit(url).scheme in ("http", "https") else None


def _strictest(values: Sequence[object]) -> int | None:
    parsed = {parse_reservation(v) for v in values}
    return 1 if 1 in parsed else (0 if 0 in parsed else None)


@dataclass(frozen=True)
class TdmRule:
    """One rule of tdmrep.json, numbered from 0 in file order."""

    index: int
    location: str
    pattern: PathPattern
    reservation: int | None
    policy: str | None


@dataclass(frozen=True)
class TdmrepFile:
    """A parsed tdmrep.json. ``valid`` is false when the origin does not use the protocol."""

    valid: bool
    rules: tuple[TdmRule, ...] = ()
    problems: tuple[str, ...] = ()
    too_large: bool = False
    _index: PatternIndex[TdmRule] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_index", PatternIndex([(r.pattern, r) for r in self.rules]))

    @property
    def matches_nothing(self) -> bool:
        """Whether no URL has a rule (no file, or no rules): ``file_declaration`` then gives
        every URL the same declaration."""
        return not self.valid or not self.rules

    def match(self, url: str) -> TdmRule | None:
        """§4.2: the first rule in sequence whose location matches; none means unset."""
        found = self._index.first(url_path(url))
        return None if found is None else found[1]


class _Pairs(tuple[tuple[str, Any], ...]):
    """A JSON object with its repeated keys kept, for reading keys without regard to case."""

    def values_of(self, key: str) -> list[Any]:
        return [v for k, v in self if k.lower() == key]


def _load(body: bytes) -> Any:
    return json.loads(body.removeprefix(b"\xef\xbb\xbf"), object_pairs_hook=_Pairs)


def fetched_file(
    status: int | None, error: str | None, body: bytes, base_url: str, *, truncated: bool
) -> TdmrepFile:
    """What one fetch of tdmrep.json means (§4.2): anything but a 2xx answer (after redirects)
    means the origin does not use the protocol. A body cut at Heed's size limit cannot be read
    whole: that file is ``too_large``, and its declarations fail closed."""
    if error is not None or status is None or not 200 <= status < 300:
        why = error or f"HTTP {status}"
        return TdmrepFile(False, problems=(clip(f"no file ({why}): TDMRep not used", 300),))
    if truncated:
        return TdmrepFile(False, problems=("larger than the size limit",), too_large=True)
    return parse_tdmrep_json(body, base_url)


def parse_tdmrep_json(body: bytes, base_url: str) -> TdmrepFile:
    """Parse a tdmrep.json body fetched from ``base_url``; never raises."""
    try:
        data = _load(body)
    except (ValueError, RecursionError) as exc:  # bad JSON, bad UTF-8, absurd nesting
        return TdmrepFile(False, problems=(clip(f"not JSON: {exc}", 200),))
    problems: list[str] = []
    if isinstance(data, _Pairs):
        problems.append("a single object, not an array of rules: read as one rule")
        data = [data]
    if not isinstance(data, list):
        return TdmrepFile(False, problems=(f"not an array of rules: {type(data).__name__}",))
    rules = []
    for index, item in enumerate(data):
        rule = _rule(index, item, base_url, problems)
        if rule is not None:
            rules.append(rule)
    return TdmrepFile(True, tuple(rules), tuple(problems))


def _rule(index: int, item: object, base: str, problems: list[str]) -> TdmRule | None:
    if not isinstance(item, _Pairs):
        problems.append(f"rule {index}: not an object, skipped")
        return None
    if any(k != k.lower() for k, _ in item) or len({k.lower() for k, _ in item}) < len(item):
        problems.append(f"rule {index}: keys not lowercase or repeated; read case-insensitively")
    locations = [v for v in item.values_of("location") if isinstance(v, str)]
    location = locations[-1].strip() if locations else ""
    if location.startswith(("http://", "https://")):
        problems.append(f"rule {index}: location is a URL; its path is used")
        location = url_path(location)
    pattern = compile_pattern(location)
    if pattern is None:
        problems.append(f"rule {index}: no usable location, skipped")
        return None
    reservation = _strictest(item.values_of("tdm-reservation"))
    if reservation is None:
        problems.append(f"rule {index}: tdm-reservation missing or invalid: unset")
    policies = (parse_policy(v, base) for v in item.values_of("tdm-policy"))
    return TdmRule(index, location, pattern, reservation, next(filter(None, policies), None))


@dataclass(frozen=True)
class Declaration:
    """What one technique (``file``, ``header`` or ``html``) says; ``None`` is absent."""

    source: str
    reservation: int | None = None
    policy: str | None = None
    evidence: Mapping[str, Any] = field(default_factory=dict)
    unreadable: bool = False


def file_declaration(file: TdmrepFile, url: str, evidence: Mapping[str, Any]) -> Declaration:
    """The declaration of the file's first rule that matches ``url`` (§4.2)."""
    found: dict[str, Any] = {**evidence, "valid": file.valid}
    if file.problems:
        found["problems"] = clip_all(file.problems, MAX_ITEMS)
    rule = file.match(url) if file.valid else None
    if rule is None:
        return Declaration("file", evidence=found, unreadable=file.too_large)
    found.update(rule=rule.index, location=clip(rule.location))
    return Declaration("file", rule.reservation, rule.policy, found)


def field_declaration(
    source: str, reservations: Sequence[str], policies: Sequence[str], base: str
) -> Declaration:
    """A header (§4.1) or meta (§4.3) declaration from every value given for each property.

    Repeated values (or comma-joined ones) keep the most restrictive valid reservation and the
    first valid policy.
    """
    values = [part for value in reservations for part in value.split(",")]
    policy = next(filter(None, (parse_policy(p, base) for p in policies)), None)
    evidence: dict[str, Any] = {}
    if reservations:
        evidence["tdm-reservation"] = clip_all(reservations)
    if policies:
        evidence["tdm-policy"] = clip_all(policies)
    return Declaration(source, _strictest(values), policy, evidence)


def tdmrep_verdict(declarations: Sequence[Declaration]) -> Verdict:
    """§4.4: later declarations supersede earlier ones property by property; 1 denies.

    The policy URL (how to ask for a licence) and every technique's own finding are evidence.
    """
    reservation: int | None = None
    policy: str | None = None
    evidence: dict[str, Any] = {}
    for declaration in declarations:
        if declaration.reservation is not None:
            reservation = declaration.reservation
            evidence["reservation_from"] = declaration.source
        if declaration.policy is not None:
            policy = declaration.policy
            evidence["policy_from"] = declaration.source
        if declaration.evidence:
            evidence[declaration.source] = dict(declaration.evidence)
    evidence.update({"tdm-reservation": reservation, "tdm-policy": policy})
    if any(d.unreadable for d in declarations):
        # Fail closed: a declaration Heed could not read whole might reserve.
        return deny(CHECK, "tdmrep.unreadable", **evidence)
    if reservation == 1:
        return deny(CHECK, "tdmrep.reserved", **evidence)
    if reservation == 0:
        return allow(CHECK, "tdmrep.not_reserved", **evidence)
    return allow(CHECK, "tdmrep.unset", **evidence)
