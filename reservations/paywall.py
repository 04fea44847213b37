"""Paywalls a page declares in its markup, and the verdict on them (Code of Practice,
Copyright chapter, Measure 1.2(a): never circumvent subscription models or paywalls).

Signals, each denying the whole page: schema.org ``isAccessibleForFree`` not true in JSON-LD,
microdata or RDFa (see ``reservations.schema_access``); ``article:content_tier`` other than
``free`` (Open Graph article markup as Facebook documents it: ``free``, ``locked``,
``metered``); AMP content gated by ``amp-subscriptions`` (``subscriptions-section="content"``)
or ``amp-access`` (``amp-access-hide``).
A page that names its paid parts (``hasPart`` with ``cssSelector``) and has no whole-page signal
is partly paywalled: denied, or under the ``keep_free`` policy passed on without those parts.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from cssselect import SelectorError
from lxml import etree
from lxml.cssselect import CSSSelector
from lxml.html import HtmlElement

from reservations.jsonld import JsonLdBlock
from reservations.schema_access import (
    AccessSignal,
    Microdata,
    SchemaAccess,
    json_safe,
    read_microdata,
    read_rdfa,
    read_schema_access,
    select_elements,
)
from reservations.verdict import Verdict, allow, deny

PartialPolicy = Literal["deny", "keep_free"]
PARTIAL_POLICIES: tuple[PartialPolicy, ...] = ("deny", "keep_free")
CONTENT_TIER = "article:content_tier"
_MAX_LISTED = 20
_AMP_SECTIONS = etree.XPath("//*[@subscriptions-section]")
_AMP_HIDDEN = etree.XPath("//*[@amp-access-hide][@amp-access]")
_DOCTYPE = re.compile(rb"\A(?:\xef\xbb\xbf)?\s*(<!doctype[^>]{0,500}>)", re.IGNORECASE)
# The open tag before an occurrence of the property's name, when it is in an attribute value of
# microdata's itemprop or RDFa's property (lowercased bytes; anchored at the occurrence).
_PROPERTY_NAME = b"isaccessibleforfree"
_STATING_ATTRIBUTE = re.compile(rb"""(itemprop|property)\s*=\s*["']?[^"'>]*\Z""")
_MAX_TAG = 4096
_MAX_LOOKS = 64  # past this many occurrences, parse rather than look (hostile repetition)
# Encodings in which ASCII markup is not ASCII bytes: the byte pre-scan cannot be trusted there.
_WIDE_ENCODINGS = ("utf-16", "utf-32", "ucs")


@dataclass(frozen=True, slots=True)
class PaywallFindings:
    """Every paywall signal one page carries, by source."""

    schema: SchemaAccess
    content_tier: tuple[AccessSignal, ...] = ()
    amp: tuple[AccessSignal, ...] = ()


@dataclass(frozen=True, slots=True)
class PaywallDecision:
    """The verdict, and under ``keep_free`` the page without its paid parts to pass on."""

    verdict: Verdict
    free_part: bytes | None = None


def find_paywall(
    tree: HtmlElement | None,
    body: bytes,
    meta: Mapping[str, Sequence[str]],
    json_ld: Sequence[JsonLdBlock],
) -> PaywallFindings:
    """Read every paywall signal of one HTML page (``meta`` as ``crawler.page.Page.meta``)."""
    scan = _Scan(tree, body)
    microdata = read_microdata(tree) if scan.may_state(b"itemprop") else Microdata()
    rdfa = read_rdfa(tree) if scan.may_state(b"property") else ()
    amp = (
        _amp_signals(tree)
        if scan.may_contain(b"subscriptions-section") or scan.may_contain(b"amp-access-hide")
        else ()
    )
    schema = read_schema_access(json_ld, microdata, rdfa)
    return PaywallFindings(schema, _content_tier(meta), amp)


def decide_paywall(
    findings: PaywallFindings,
    tree: HtmlElement | None,
    body: bytes,
    partial: PartialPolicy = "deny",
) -> PaywallDecision:
    """Deny on any whole-page signal; a partly paid page is denied or kept without its paid
    parts, as ``partial`` says. Conflicting signals resolve to the most restrictive."""
    schema = findings.schema
    ranked = (
        ("paywall.schema_org", schema.whole_page),
        ("paywall.content_tier", findings.content_tier),
        ("paywall.amp", findings.amp),
        ("paywall.unreadable_markup", schema.unreadable),
    )
    for reason, group in ranked:
        if group:
            found = [s for _, g in ranked for s in g]
            found += [s for s in schema.not_free + schema.paid_parts if s not in found]
            return PaywallDecision(deny("paywall", reason, **_evidence(found)))
    if not schema.paid_parts:
        return PaywallDecision(allow("paywall", "paywall.none"))
    return _decide_partial(schema, tree, body, partial)


def _decide_partial(
    schema: SchemaAccess, tree: HtmlElement | None, body: bytes, partial: PartialPolicy
) -> PaywallDecision:
    selectors = tuple(dict.fromkeys(s for part in schema.paid_parts for s in part.selectors))
    evidence = _evidence(schema.paid_parts + schema.not_free) | {"selectors": list(selectors)}
    free_part = _free_part(tree, body, selectors) if partial == "keep_free" else None
    if free_part is None:
        return PaywallDecision(deny("paywall", "paywall.schema_org_partial", **evidence))
    kept, removed = free_part
    evidence["removed_elements"] = removed
    return PaywallDecision(allow("paywall", "paywall.free_part_kept", **evidence), kept)


def needs_document(body: bytes, encoding: str) -> bool:
    """Whether the page may hold microdata, RDFa or AMP paywall markup, which only a full parse
    of the document reads; JSON-LD and meta tags are read without one. A wide encoding defeats
    the byte search, so such a page is always parsed."""
    if encoding.lower().startswith(_WIDE_ENCODINGS):
        return True
    lowered = body.lower()
    return (
        bool(_stating_attributes(lowered))
        or b"subscriptions-section" in lowered
        or b"amp-access-hide" in lowered
    )


class _Scan:
    """A cheap byte pre-scan: skip tree searches for markup the page cannot contain."""

    def __init__(self, tree: HtmlElement | None, body: bytes) -> None:
        encoding = (tree.getroottree().docinfo.encoding or "") if tree is not None else ""
        self.trusted = tree is not None and not encoding.lower().startswith(_WIDE_ENCODINGS)
        self.lowered = body.lower() if self.trusted else b""
        self.tree = tree
        self.stating = _stating_attributes(self.lowered)

    def may_contain(self, *tokens: bytes) -> bool:
        if self.tree is None:
            return False
        return not self.trusted or all(token in self.lowered for token in tokens)

    def may_state(self, attribute: bytes) -> bool:
        """Whether ``attribute`` (microdata ``itemprop``, RDFa ``property``) may name
        ``isAccessibleForFree``: og: ``property`` meta tags and JSON-LD alone need no parse."""
        return self.tree is not None and (not self.trusted or attribute in self.stating)


def _stating_attributes(lowered: bytes) -> set[bytes]:
    """The attributes (``itemprop``, ``property``) whose value names ``isAccessibleForFree``
    somewhere in the page: a look back from each occurrence of the name to its tag's ``<``,
    far cheaper than a regular expression over the whole page. An occurrence with no ``<``
    within ``_MAX_TAG`` bytes may be in a huge tag, and a page repeating the name more than
    ``_MAX_LOOKS`` times is not looked through: both count as both (fail closed)."""
    found: set[bytes] = set()
    at = lowered.find(_PROPERTY_NAME)
    for _ in range(_MAX_LOOKS):
        if at == -1 or len(found) == 2:
            return found
        start = lowered.rfind(b"<", max(0, at - _MAX_TAG), at)
        if start == -1:
            break
        if stating := _STATING_ATTRIBUTE.search(lowered, start, at):
            found.add(stating.group(1))
        at = lowered.find(_PROPERTY_NAME, at + 1)
    return {b"itemprop", b"property"} if at != -1 else found


def _content_tier(meta: Mapping[str, Sequence[str]]) -> tuple[AccessSignal, ...]:
    """Every tier other than ``free`` denies; an unknown tier is not assumed free."""
    return tuple(
        AccessSignal(CONTENT_TIER, json_safe(value), f"meta {CONTENT_TIER}")
        for value in meta.get(CONTENT_TIER, ())
        if value.strip() and value.strip().lower() != "free"
    )


def _amp_signals(tree: HtmlElement | None) -> tuple[AccessSignal, ...]:
    """AMP sections shown only to entitled readers (amp-subscriptions, amp-access)."""
    if tree is None:
        return ()
    where = tree.getroottree().getpath
    sections = select_elements(_AMP_SECTIONS, tree)
    gated = [e for e in sections if e.get("subscriptions-section", "").strip().lower() == "content"]
    hidden = select_elements(_AMP_HIDDEN, tree)
    found = [AccessSignal("subscriptions-section", "content", where(e)) for e in gated[:1]]
    found += [
        AccessSignal("amp-access", json_safe(e.get("amp-access")), where(e)) for e in hidden[:1]
    ]
    return tuple(found)


def _free_part(
    tree: HtmlElement | None, body: bytes, selectors: Sequence[str]
) -> tuple[bytes, int] | None:
    """The page without the elements ``selectors`` match, in the page's own encoding (so the
    rest of the bytes pass unchanged) and with its own doctype (lxml would invent one);
    ``None`` when a selector is unusable or would take the whole page."""
    if tree is None:
        return None
    document = copy.deepcopy(tree.getroottree())
    root = document.getroot()
    try:
        matches = [
            e for s in selectors for e in select_elements(CSSSelector(s, translator="html"), root)
        ]
    except SelectorError:
        return None
    if any(e.getparent() is None for e in matches):
        return None
    for element in matches:
        element.drop_tree()
    encoding = tree.getroottree().docinfo.encoding or "utf-8"
    kept = etree.tostring(root, method="html", encoding=encoding)
    kept = kept if isinstance(kept, bytes) else kept.encode(encoding)
    doctype = _DOCTYPE.match(body)
    return (doctype.group(1) + b"\n" + kept if doctype else kept), len(matches)


def _evidence(signals: Sequence[AccessSignal]) -> dict[str, Any]:
    """The deciding signal in full, and the others found with it (a few, for review)."""
    evidence = signals[0].evidence()
    if len(signals) > 1:
        evidence["also"] = [s.evidence() for s in signals[1:_MAX_LISTED]]
    return evidence
