"""IPTC Photo Metadata "Data Mining" (``plus:DataMining``) read from an asset's XMP.

IPTC Photo Metadata Standard 2023.1 added the property from the PLUS License Data Format
(namespace ``http://ns.useplus.org/ldf/xmp/1.0/``); its value is a term of the PLUS "Data
Mining" vocabulary, written as a URI (``http://ns.useplus.org/ldf/vocab/DMI-PROHIBITED``) or,
in the wild, as the bare code. The ``DMI-PROHIBITED*`` terms reserve training; the ``...SEE*``
terms point to a constraint or a rights expression (``plus:OtherConstraints``,
``iptcExt:EmbdEncRightsExpr``, ``iptcExt:LinkedEncRightsExpr``) that only a reader of that
statement could find permissive, so they reserve too and the evidence names the pointer.
``DMI-ALLOWED`` and ``DMI-UNSPECIFIED`` reserve nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from reservations.evidence import MAX_ITEMS, clip, clip_all
from reservations.verdict import Verdict, allow, deny
from reservations.xmp import XmpResult, merged_properties

CHECK = "iptc"
PROPERTY = "DataMining"
# IPTC Photo Metadata Standard 2023.1, "Data Mining" controlled values (PLUS LDF vocabulary).
PROHIBITING = frozenset(
    {
        "DMI-PROHIBITED",
        "DMI-PROHIBITED-AIMLTRAINING",
        "DMI-PROHIBITED-GENAIMLTRAINING",
        "DMI-PROHIBITED-EXCEPTSEARCHENGINEINDEXING",
    }
)
PERMITTING = frozenset({"DMI-ALLOWED", "DMI-UNSPECIFIED"})
# Where a "see ..." term sends the reader; their values go into the evidence.
_POINTERS = ("OtherConstraints", "EmbdEncRightsExpr", "LinkedEncRightsExpr")


def data_mining_code(value: str) -> str:
    """The vocabulary code of a value, whether written as the term's URI or as the bare code."""
    return value.strip().rstrip("/").rsplit("/", 1)[-1].upper()


def _reserves(code: str) -> bool:
    # A term of the family not yet in the vocabulary is read as the reservation it spells.
    return code in PROHIBITING or code.startswith("DMI-PROHIBITED")


def _refers(code: str) -> bool:
    return code.startswith("DMI-PROHIBITED-SEE") or code.startswith("DMI-SEE")


def data_mining_verdict(result: XmpResult) -> Verdict:
    """Deny when ``plus:DataMining`` reserves training, or when the XMP could not be read.

    A prohibiting value wins over an unreadable rest: it is evident whatever else is lost.
    """
    properties, problem = merged_properties(result)
    return properties_verdict(properties, problem, result.evidence())


def properties_verdict(
    properties: Mapping[str, list[str]], problem: str, where: Mapping[str, object]
) -> Verdict:
    """The verdict of XMP properties (by local name) read elsewhere, e.g. by a PDF reader;
    ``problem`` says why the metadata could not be read whole, ``where`` where it was found."""
    values = properties.get(PROPERTY, [])
    codes = [data_mining_code(v) for v in values]
    evidence: dict[str, Any] = {"values": clip_all(values), **where}
    if problem:
        evidence["problem"] = problem
    if any(_reserves(c) and not _refers(c) for c in codes):
        return deny(CHECK, "iptc.data_mining_prohibited", **evidence)
    if any(_refers(c) for c in codes):
        pointers = {p: clip_all(properties[p]) for p in _POINTERS if p in properties}
        return deny(
            CHECK, "iptc.data_mining_see_constraint", constraint_read=False, **pointers, **evidence
        )
    if problem:
        return deny(CHECK, "iptc.unreadable", **evidence)
    if not values:
        return allow(CHECK, "iptc.none", **evidence)
    unknown = [c for c in codes if c not in PERMITTING]
    if unknown:
        return allow(
            CHECK,
            "iptc.data_mining_unrecognised",
            unrecognised=[clip(u) for u in unknown[:MAX_ITEMS]],
            **evidence,
        )
    return allow(CHECK, "iptc.data_mining_permitted", **evidence)
