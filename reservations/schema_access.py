"""What a page's schema.org markup says about access: ``isAccessibleForFree`` and paid parts.

Google's structured data for subscription and paywalled content marks a paywalled page with
``isAccessibleForFree: false``; when only part of it is paid, a ``hasPart`` ``WebPageElement``
(itself not free) names the paid elements with ``cssSelector``. Heed reads the property on the
page's top-level items (a block's object, each member of an array, each ``@graph`` node) and on
what they are part of (``isPartOf``) or about (``mainEntity``), in JSON-LD and in microdata;
and in RDFa (``property="isAccessibleForFree"``, also as ``schema:`` or a full IRI) on the
item its nearest ``typeof`` names.
"""

from __future__ import annotations

import reprlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from lxml import etree
from lxml.html import HtmlElement

from reservations.jsonld import JsonLdBlock

PROPERTY = "isAccessibleForFree"
_NESTED = ("isPartOf", "mainEntity")
_MAX_DEPTH = 8  # isPartOf chains are short; hostile nesting must not recurse without end
_IRI_PREFIXES = ("http://schema.org/", "https://schema.org/", "schema:")
# schema.org gives isAccessibleForFree to Event and Place too, where it means admission, not
# the page: a paid concert's page is not paywalled. Event and Place and their direct subtypes.
_ADMISSION_TYPES = frozenset(
    {
        *("Event", "BusinessEvent", "ChildrensEvent", "ComedyEvent", "CourseInstance"),
        *("DanceEvent", "DeliveryEvent", "EducationEvent", "EventSeries", "ExhibitionEvent"),
        *("Festival", "FoodEvent", "Hackathon", "LiteraryEvent", "MusicEvent", "SaleEvent"),
        *("ScreeningEvent", "SocialEvent", "SportsEvent", "TheaterEvent", "VisualArtsEvent"),
        *("Place", "Accommodation", "AdministrativeArea", "CivicStructure", "Landform"),
        *("LandmarksOrHistoricalBuildings", "LocalBusiness", "Residence", "TouristAttraction"),
        "TouristDestination",
    }
)
_REPR = reprlib.Repr()  # keyword arguments only from Python 3.12
_REPR.maxlevel, _REPR.maxstring, _REPR.maxother = 3, 100, 100
_MICRODATA_PROPERTY = etree.XPath(f"//*[@itemprop][contains(@itemprop, '{PROPERTY}')]")
_OUTERMOST_ITEM = etree.XPath("ancestor-or-self::*[@itemscope][last()]")
_RDFA_PROPERTY = etree.XPath(f"//*[@property][contains(@property, '{PROPERTY}')]")
# RDFa Core 1.1 §7.5: the subject of a property is the nearest enclosing typed resource.
_RDFA_SUBJECT = etree.XPath("ancestor::*[@typeof][1]")
_MAX_RDFA = 50


@cache
def _microdata() -> Any:
    """extruct's microdata extractor, imported on the first page that has the property (as
    ``reservations.jsonld`` does for JSON-LD: extruct is slow to import)."""
    from extruct.w3cmicrodata import LxmlMicrodataExtractor

    return LxmlMicrodataExtractor(nested=True)


@dataclass(frozen=True, slots=True)
class AccessSignal:
    """One restriction a page declares, with what a reviewer needs to find it again."""

    signal: str
    value: Any
    where: str
    item_type: str = ""
    selectors: tuple[str, ...] = ()

    def evidence(self) -> dict[str, Any]:
        found: dict[str, Any] = {"signal": self.signal, "value": self.value, "where": self.where}
        if self.item_type:
            found["type"] = self.item_type
        if self.selectors:
            found["selectors"] = list(self.selectors)
        return found


@dataclass(frozen=True, slots=True)
class SchemaAccess:
    """What the page declares: items not free; paid parts located by ``cssSelector``; paid
    parts nobody can locate; JSON-LD blocks too broken to read that name the property."""

    not_free: tuple[AccessSignal, ...] = ()
    paid_parts: tuple[AccessSignal, ...] = ()
    unlocated_parts: tuple[AccessSignal, ...] = ()
    unreadable: tuple[AccessSignal, ...] = ()

    @property
    def whole_page(self) -> tuple[AccessSignal, ...]:
        """Signals that make the whole page paid. An item declared not free is only partly
        paid when it names its paid parts (Google's markup declares both)."""
        return self.unlocated_parts + (() if self.paid_parts else self.not_free)


@dataclass
class _Found:
    not_free: list[AccessSignal] = field(default_factory=list)
    paid_parts: list[AccessSignal] = field(default_factory=list)
    unlocated_parts: list[AccessSignal] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Microdata:
    """The page's microdata items that state the property, or why they could not be read."""

    items: tuple[Any, ...] = ()
    error: str | None = None


def read_schema_access(
    blocks: Sequence[JsonLdBlock],
    microdata: Microdata = Microdata(),
    rdfa: Sequence[dict[str, Any]] = (),
) -> SchemaAccess:
    """Collect the access declarations of JSON-LD ``blocks``, ``microdata`` items and
    ``rdfa`` nodes (see ``read_rdfa``)."""
    found = _Found()
    for block in blocks:
        many = len(block.items) > 1
        for n, item in enumerate(block.items):
            _visit_top(item, f"json-ld[{block.index}]" + (f"/{n}" if many else ""), found)
    for n, item in enumerate(microdata.items):
        _visit_top(item, f"microdata[{n}]", found)
    for n, node in enumerate(rdfa):
        _visit_top(node, f"rdfa[{n}]", found)
    # A block that cannot be parsed may hide a declaration; one naming it counts (fail closed).
    unreadable = tuple(
        AccessSignal("json-ld", block.error, f"json-ld[{block.index}]")
        for block in blocks
        if block.error is not None and PROPERTY.lower() in block.text.lower()
    )
    if microdata.error is not None:
        unreadable += (AccessSignal("microdata", microdata.error, "microdata"),)
    return SchemaAccess(
        tuple(found.not_free), tuple(found.paid_parts), tuple(found.unlocated_parts), unreadable
    )


def read_microdata(tree: HtmlElement | None) -> Microdata:
    """The microdata items that state ``isAccessibleForFree``, shaped like JSON-LD nodes.

    Only the outermost items around that property are extracted (through extruct), so a page
    full of unrelated microdata costs one scan, not a full extraction. Items nested past
    Python's recursion limit cannot be read: that is kept as the error.
    """
    if tree is None:
        return Microdata()
    tops: list[HtmlElement] = []
    for element in select_elements(_MICRODATA_PROPERTY, tree):
        if PROPERTY in (element.get("itemprop") or "").split():
            for top in select_elements(_OUTERMOST_ITEM, element):
                if top not in tops:
                    tops.append(top)
    if not tops:
        return Microdata(())
    extractor = _microdata()
    try:
        return Microdata(
            tuple(_as_json_ld(item) for top in tops for item in extractor.extract_items(top, None))
        )
    except RecursionError as exc:
        return Microdata(error=f"RecursionError: {exc}"[:300])


def read_rdfa(tree: HtmlElement | None) -> tuple[dict[str, Any], ...]:
    """Each RDFa ``isAccessibleForFree`` as a JSON-LD-like node: its value (``content``, else
    the element's text, RDFa Core 1.1 §7.5.12) and the ``typeof`` of the item it is about.

    A targeted look at this one property, not a full RDFa extraction (extruct's costs a
    graph build per page); a page lists at most a few."""
    if tree is None:
        return ()
    nodes = []
    for element in select_elements(_RDFA_PROPERTY, tree)[:_MAX_RDFA]:
        if PROPERTY not in (_short(t) for t in (element.get("property") or "").split()):
            continue
        value = element.get("content")
        subject = select_elements(_RDFA_SUBJECT, element)
        types = (subject[0].get("typeof") or "").split() if subject else []
        text = value if value is not None else element.text_content()[:200].strip()
        nodes.append({"@type": types, PROPERTY: text})
    return tuple(nodes)


def select_elements(path: etree.XPath, node: HtmlElement) -> list[HtmlElement]:
    """The HTML elements an XPath ``path`` selects from ``node`` (any other result left out)."""
    found = path(node)
    return [e for e in found if isinstance(e, HtmlElement)] if isinstance(found, list) else []


def _as_json_ld(value: Any) -> Any:
    """extruct's ``{"type", "properties"}`` microdata shape as a JSON-LD-like node."""
    if isinstance(value, list):
        return [_as_json_ld(v) for v in value]
    if not isinstance(value, dict) or not ({"type", "properties"} & value.keys()):
        return value
    node = {key: _as_json_ld(v) for key, v in (value.get("properties") or {}).items()}
    if "type" in value:
        node["@type"] = value["type"]
    return node


def _visit_top(item: Any, path: str, found: _Found) -> None:
    if not isinstance(item, dict):
        return
    _visit(item, path, found, 0)
    for suffix, node in _members(item.get("@graph")):
        _visit(node, f"{path}/@graph{suffix}", found, 0)


def _visit(node: dict[str, Any], path: str, found: _Found, depth: int) -> None:
    if depth > _MAX_DEPTH or _is_admission(node):
        return
    value = _prop(node, PROPERTY)
    if value is not None and not is_true(value):
        found.not_free.append(_signal(node, value, f"{path}/{PROPERTY}"))
    for suffix, part in _members(_prop(node, "hasPart")):
        _visit_part(part, f"{path}/hasPart{suffix}", found)
    for key in _NESTED:
        for suffix, inner in _members(_prop(node, key)):
            _visit(inner, f"{path}/{key}{suffix}", found, depth + 1)


def _visit_part(part: dict[str, Any], path: str, found: _Found) -> None:
    """A paid part is located by its ``cssSelector``; without one, the page counts as paid."""
    value = _prop(part, PROPERTY)
    if value is None or is_true(value):
        return
    selectors = _selectors(_prop(part, "cssSelector"))
    signal = _signal(part, value, f"{path}/{PROPERTY}", selectors)
    (found.paid_parts if selectors else found.unlocated_parts).append(signal)


def is_true(value: Any) -> bool:
    """schema.org Boolean true: ``true``, ``"true"``/``"True"`` or the IRI ``schema.org/True``.

    Anything else (false, "False", a typo, a number) is read as not free: fail closed.
    """
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        return _short(value).lower() == "true"
    if isinstance(value, list):
        # One level only: a list of lists is no Boolean, and must not recurse without end.
        return bool(value) and all(not isinstance(v, list) and is_true(v) for v in value)
    return False


def _signal(
    node: dict[str, Any], value: Any, where: str, selectors: tuple[str, ...] = ()
) -> AccessSignal:
    return AccessSignal(PROPERTY, json_safe(value), where, " ".join(_types(node)), selectors)


def json_safe(value: Any) -> Any:
    """``value`` as the log can hold it: plain scalars kept, anything else a short repr
    (bounded in depth and length, so hostile nesting cannot blow up the log)."""
    if isinstance(value, bool | int | str) or value is None:
        return value[:200] if isinstance(value, str) else value
    return _REPR.repr(value)[:200]


def _prop(node: dict[str, Any], name: str) -> Any:
    """Property ``name`` under its short key or an expanded IRI key (``http://schema.org/x``)."""
    if name in node:
        return node[name]
    for key, value in node.items():
        if isinstance(key, str) and key.endswith(("/" + name, ":" + name)):
            return value
    return None


def _members(value: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    """The node objects in a property value, with their path suffix (``""`` or ``/n``)."""
    if isinstance(value, dict):
        yield "", value
    elif isinstance(value, list):
        yield from ((f"/{i}", v) for i, v in enumerate(value) if isinstance(v, dict))


def _types(node: dict[str, Any]) -> list[str]:
    raw = node.get("@type")
    values = raw if isinstance(raw, list) else [raw]
    return [_short(v) for v in values if isinstance(v, str)]


def _is_admission(node: dict[str, Any]) -> bool:
    types = _types(node)
    return bool(types) and all(t in _ADMISSION_TYPES for t in types)


def _short(value: str) -> str:
    value = value.strip()
    for prefix in _IRI_PREFIXES:
        if value.startswith(prefix):
            return value[len(prefix) :]
    return value


def _selectors(value: Any) -> tuple[str, ...]:
    values = value if isinstance(value, list) else [value]
    return tuple(v.strip() for v in values if isinstance(v, str) and v.strip())
