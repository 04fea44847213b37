"""TDMRep properties carried in an asset's XMP, the way TDMRep is declared in PDF and media files.

The properties are ``tdm:reservation`` and ``tdm:policy``, usually in the namespace
``http://www.w3.org/ns/tdmrep/``; the URI writers bind ``tdm`` to varies in the wild, so the
properties are matched by local name. Values are read with the
same rules as the other TDMRep techniques (§3.1, §3.2); a repeated property keeps its most
restrictive value, as in tdmrep.json.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from reservations.evidence import clip, clip_all
from reservations.tdmrep import parse_policy, parse_reservation
from reservations.verdict import Verdict, allow, deny
from reservations.xmp import XmpResult, merged_properties

CHECK = "tdmrep_xmp"


def tdm_values(properties: Mapping[str, list[str]]) -> tuple[int | None, str | None]:
    """The reservation (1, 0 or unset) and the policy URL of merged XMP properties."""
    parsed = {parse_reservation(v) for v in properties.get("reservation", [])}
    reservation = 1 if 1 in parsed else (0 if 0 in parsed else None)
    policies = [p for v in properties.get("policy", []) if (p := parse_policy(v, "")) is not None]
    return reservation, (policies[0] if policies else None)


def tdm_verdict(result: XmpResult) -> Verdict:
    """Deny when the XMP reserves TDM rights (``tdm:reservation`` 1) or could not be read."""
    properties, problem = merged_properties(result)
    return properties_verdict(properties, problem, result.evidence())


def properties_verdict(
    properties: Mapping[str, list[str]], problem: str, where: Mapping[str, object]
) -> Verdict:
    """The verdict of XMP properties (by local name) already read, e.g. shared with the IPTC
    check; ``problem`` says why the metadata could not be read whole, ``where`` where it was."""
    reservation, policy = tdm_values(properties)
    evidence: dict[str, Any] = {
        "reservation": clip_all(properties.get("reservation", [])),
        "policy": clip(policy) if policy else None,
        **where,
    }
    if problem:
        evidence["problem"] = problem
    if reservation == 1:
        return deny(CHECK, "tdmrep_xmp.reserved", **evidence)
    if problem:
        return deny(CHECK, "tdmrep_xmp.unreadable", **evidence)
    if reservation == 0:
        return allow(CHECK, "tdmrep_xmp.not_reserved", **evidence)
    return allow(CHECK, "tdmrep_xmp.none", **evidence)
