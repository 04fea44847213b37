"""Really Simple Licensing (RSL) 1.0: where a site's licence is, and what it says of our use.

Discovery: a group-independent ``License:`` line in robots.txt, a ``Link`` header field with
``rel="license"; type="application/rsl+xml"``, or the same relation on an HTML ``<link>``.

A licence document has an ``<rsl>`` root in the namespace ``https://rslstandard.org/rsl`` (a
licence feed is RSS carrying ``rsl:content`` elements). Each ``<content url="...">`` names the
assets it covers, as a full URL or a robots.txt-style path pattern (RFC 9309 URL matching,
``*`` and ``$``); an optional ``server`` attribute names a licence server from which a licence
must be obtained even when it costs nothing. Its ``<license>`` elements offer terms:
``<permits type="usage">`` and ``<prohibits type="usage">`` list usage labels (``all``,
``ai-all``, ``ai-train``, ``ai-input``, ``ai-index``, ``search``; a prohibition wins over a
permission) and ``<payment type="...">`` says what the licence costs (``free`` when absent).

Heed's reading, in the direction that honours the publisher:

- The ``<content>`` whose pattern matches the URL longest applies (as robots.txt rules do);
  a full-URL pattern applies only to its own scheme and host.
- A licence that prohibits the use denies, whatever other licences offer (``rsl.prohibited``).
- A licence with a usage ``<permits>`` list that leaves the use out grants nothing for it;
  when no licence grants it, that denies (``rsl.not_permitted``).
- A licence that grants the use for free, with no licence server, allows (``rsl.permitted``);
  its URL is the evidence to attribute by. One that needs payment or a licence server denies
  (``rsl.licence_required``) with its terms in evidence: Heed does not buy licences.
- A document that cannot be read denies (``rsl.unreadable``); no applicable ``<content>``
  allows (``rsl.none``).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

from lxml import etree, html

from reservations.evidence import MAX_ITEMS, clip, clip_all
from reservations.pathmatch import PathPattern, compile_pattern, url_path
from reservations.purpose import Purpose
from reservations.robots_lines import read_key_value, split_lines
from reservations.safexml import XmlError, local_name, namespace, parse_xml, text_of
from reservations.verdict import Verdict, allow, deny

CHECK = "rsl"
RSL_NS = "https://rslstandard.org/rsl"
MEDIA_TYPE = "application/rsl+xml"
MAX_DOCUMENT_BYTES = 1_000_000
MAX_CONTENTS = 1_000
MAX_LICENCES = 100
MAX_URLS = 20
MAX_LINK_HEADER = 16_000

# The RSL usage labels that name each purpose; "train-ai" is the IETF aipref label, which
# licences written with that vocabulary in mind use for the same thing.
USAGE_LABELS: Mapping[Purpose, frozenset[str]] = {
    "train-ai": frozenset({"ai-train", "train-ai", "ai-all", "all"}),
    "ai-use": frozenset({"ai-input", "ai-all", "all"}),
    "search": frozenset({"search", "all"}),
}
_LABEL_SEPARATORS = re.compile(r"[\s,]+")


# --- Discovery ----------------------------------------------------------------------------


def _web_url(value: str, base: str | None) -> str | None:
    url = urljoin(base, value.strip()) if base else value.strip()
    parts = urlsplit(url)
    return url if parts.scheme in ("http", "https") and parts.netloc else None


def _unique(urls: Iterator[str | None]) -> list[str]:
    found: list[str] = []
    for url in urls:
        if url is not None and url not in found:
            found.append(url)
            if len(found) == MAX_URLS:
                break
    return found


def license_urls_from_robots(text: str, base: str | None = None) -> list[str]:
    """The URLs of robots.txt ``License:`` lines, in file order, wherever they stand.

    RSL's ``License`` line belongs to no group (like ``Sitemap``). It must be an absolute URL;
    a relative one is resolved against ``base`` (the robots.txt URL) when given, else dropped.
    """
    pairs = (read_key_value(line) for line in split_lines(text))
    return _unique(_web_url(p[1], base) for p in pairs if p is not None and p[0] == "license")


def _split_outside(text: str, separator: str) -> Iterator[str]:
    """``text`` split at ``separator`` where it is neither quoted nor inside ``<...>``."""
    start, quoted, escaped, angle = 0, False, False, False
    for index, char in enumerate(text):
        if escaped:
            escaped = False
        elif quoted:
            escaped, quoted = char == "\\", char != '"'
        elif char == '"':
            quoted = True
        elif char == "<":
            angle = True
        elif char == ">":
            angle = False
        elif char == separator and not angle:
            yield text[start:index]
            start = index + 1
    yield text[start:]


def _link_params(params: Iterator[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for param in params:
        name, _, value = param.partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] == '"':
            value = re.sub(r"\\(.)", r"\1", value[1:-1])
        found.setdefault(name.strip().lower(), value)  # RFC 8288 §3: the first one counts
    return found


def _is_rsl_licence(rel: str, media_type: str) -> bool:
    return "license" in rel.lower().split() and media_type.strip().lower() == MEDIA_TYPE


def license_urls_from_link_header(value: str, base: str | None = None) -> list[str]:
    """RSL licence URLs in a ``Link`` field value (RFC 8288 §3), relative ones resolved against
    ``base`` (the response URL). Links need ``rel="license"`` and ``type="application/rsl+xml"``:
    a bare ``rel="license"`` usually points to a human-readable licence, not to RSL."""
    found: list[str | None] = []
    for link in _split_outside(value[:MAX_LINK_HEADER], ","):
        target, semicolon, rest = link.strip().partition(">")
        if not target.startswith("<") or not semicolon:
            continue
        params = _link_params(_split_outside(rest.lstrip().removeprefix(";"), ";"))
        if _is_rsl_licence(params.get("rel", ""), params.get("type", "")):
            found.append(_web_url(target[1:], base))
    return _unique(iter(found))


def license_urls_from_html(document: str | bytes | etree._Element, base: str) -> list[str]:
    """``<link rel="license" type="application/rsl+xml" href>`` URLs of a page, resolved
    against ``base`` (the page URL, or its ``<base href>`` when the caller has read it)."""
    if isinstance(document, str | bytes):
        try:
            document = html.document_fromstring(document)
        except (etree.ParserError, ValueError):
            return []
    links = (e for e in document.iter(etree.Element) if local_name(e).lower() == "link")
    return _unique(
        _web_url(e.get("href", ""), base)
        for e in links
        if e.get("href") and _is_rsl_licence(e.get("rel", ""), e.get("type", ""))
    )


# --- Documents ----------------------------------------------------------------------------


@dataclass(frozen=True)
class RslLicence:
    """One ``<license>``: usage labels lowercased; ``permits`` is ``None`` without a usage
    ``<permits>`` (everything not prohibited is permitted); ``payments`` lists payment types."""

    index: int
    permits: frozenset[str] | None
    prohibits: frozenset[str]
    payments: tuple[str, ...]
    terms: Mapping[str, Any] = field(default_factory=dict)

    @property
    def free(self) -> bool:
        return all(p == "free" for p in self.payments)


@dataclass(frozen=True)
class RslContent:
    """One ``<content>``: the assets it covers and the licences offered for them."""

    url: str
    host: str | None  # scheme://host[:port] of a full-URL pattern, lowercased
    pattern: PathPattern
    server: str | None
    licences: tuple[RslLicence, ...]
    terms: str | None = None

    def matches(self, url: str) -> bool:
        if self.host is not None and self.host != _origin(url):
            return False
        return self.pattern.matches(url_path(url))


@dataclass(frozen=True)
class RslDocument:
    """A parsed licence document; ``readable`` is false when it could not be read whole."""

    readable: bool
    url: str = ""
    contents: tuple[RslContent, ...] = ()
    problems: tuple[str, ...] = ()

    def match(self, url: str) -> RslContent | None:
        """The ``<content>`` whose pattern matches ``url`` longest (first of equals)."""
        found = [c for c in self.contents if c.matches(url)]
        return max(found, key=lambda c: c.pattern.length, default=None)


def _origin(url: str) -> str:
    parts = urlsplit(url.strip())
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}"


def _ours(element: etree._Element, name: str, ns: str) -> bool:
    return local_name(element) == name and namespace(element) == ns


def _children(element: etree._Element, name: str, ns: str) -> list[etree._Element]:
    return [child for child in element if _ours(child, name, ns)]


def _text(element: etree._Element) -> str:
    return " ".join(text_of(element).split())


def _labels(elements: list[etree._Element]) -> frozenset[str]:
    """Usage labels of ``<permits>``/``<prohibits>`` elements; one with no ``type`` is read
    as usage, since reading it as anything else could only ignore a prohibition."""
    usage = (e for e in elements if e.get("type", "usage").strip().lower() == "usage")
    return frozenset(w for e in usage for w in _LABEL_SEPARATORS.split(_text(e).lower()) if w)


def _licence(index: int, element: etree._Element, ns: str) -> RslLicence:
    permits = _children(element, "permits", ns)
    usage_permits = [e for e in permits if e.get("type", "usage").strip().lower() == "usage"]
    payments = _children(element, "payment", ns)
    terms: dict[str, Any] = {}
    for name in ("standard", "custom", "amount"):
        values = [
            f"{_text(e)} {e.get('currency', '')}".strip() if name == "amount" else _text(e)
            for p in payments
            for e in _children(p, name, ns)
        ]
        if values:
            terms[name] = clip_all(values)
    return RslLicence(
        index,
        _labels(usage_permits) if usage_permits else None,
        _labels(_children(element, "prohibits", ns)),
        tuple(p.get("type", "free").strip().lower() or "free" for p in payments),
        terms,
    )


def _content(element: etree._Element, ns: str, problems: list[str]) -> RslContent | None:
    url = element.get("url", "").strip()
    host = None
    if url.lower().startswith(("http://", "https://")):
        parts = urlsplit(url)
        host, url = _origin(url), (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    pattern = compile_pattern(url)
    if pattern is None:
        problems.append(clip(f"content with no usable url {element.get('url')!r}: skipped", 200))
        return None
    licences = _children(element, "license", ns)
    if len(licences) > MAX_LICENCES:
        raise XmlError(f"more than {MAX_LICENCES} licences in one content")
    terms = [_text(e) for e in _children(element, "terms", ns)]
    return RslContent(
        element.get("url", "").strip(),
        host,
        pattern,
        element.get("server", "").strip() or None,
        tuple(_licence(i, e, ns) for i, e in enumerate(licences)),
        terms[0] if terms else None,
    )


def parse_rsl(body: bytes, url: str = "") -> RslDocument:
    """Parse a licence document (or licence feed) fetched from ``url``; never raises."""
    try:
        root = parse_xml(body, MAX_DOCUMENT_BYTES)
        return _document(root, url)
    except XmlError as exc:
        return RslDocument(False, url, problems=(clip(str(exc), 300),))


def _document(root: etree._Element, url: str) -> RslDocument:
    problems: list[str] = []
    if local_name(root) == "rsl":
        ns = namespace(root)
        if ns != RSL_NS:
            problems.append(f"root namespace is {ns!r}, not {RSL_NS!r}: read as RSL")
        elements = _children(root, "content", ns)
    elif local_name(root) == "rss":  # a licence feed: rsl:content inside the items
        ns = RSL_NS
        elements = [e for e in root.iter(etree.Element) if _ours(e, "content", RSL_NS)]
    else:
        raise XmlError(f"root element is <{local_name(root)}>, not <rsl>")
    if len(elements) > MAX_CONTENTS:
        raise XmlError(f"more than {MAX_CONTENTS} content elements")
    contents = (_content(e, ns, problems) for e in elements)
    return RslDocument(True, url, tuple(c for c in contents if c), tuple(problems))


# --- Evaluation ---------------------------------------------------------------------------


def _licence_evidence(licence: RslLicence) -> dict[str, Any]:
    found: dict[str, Any] = {"licence": licence.index, "payment": list(licence.payments)}
    if licence.permits is not None:
        found["permits"] = sorted(licence.permits)[:MAX_ITEMS]
    if licence.prohibits:
        found["prohibits"] = sorted(licence.prohibits)[:MAX_ITEMS]
    return {**found, **licence.terms}


def evaluate_rsl(doc: RslDocument, url: str, purpose_labels: Collection[str]) -> Verdict:
    """What ``doc`` says of using ``url`` for the use named by ``purpose_labels`` (for example
    ``USAGE_LABELS["train-ai"]``); see the module docstring for the reading."""
    evidence: dict[str, Any] = {"document": clip(doc.url)}
    if doc.problems:
        evidence["problems"] = clip_all(doc.problems)
    if not doc.readable:
        return deny(CHECK, "rsl.unreadable", **evidence)
    content = doc.match(url)
    if content is None:
        return allow(CHECK, "rsl.none", **evidence)
    evidence["content"] = clip(content.url)
    if content.server:
        evidence["server"] = clip(content.server)
    if content.terms:
        evidence["terms"] = clip(content.terms)
    labels = frozenset(label.lower() for label in purpose_labels)
    for licence in content.licences:
        if licence.prohibits & labels:
            return deny(CHECK, "rsl.prohibited", **evidence, **_licence_evidence(licence))
    granting = [
        licence
        for licence in content.licences
        if licence.permits is None or licence.permits & labels
    ]
    free = [licence for licence in granting if licence.free and not content.server]
    if free:
        return allow(CHECK, "rsl.permitted", **evidence, **_licence_evidence(free[0]))
    if granting or (content.server and not content.licences):
        offers = [_licence_evidence(licence) for licence in granting[:MAX_ITEMS]]
        return deny(CHECK, "rsl.licence_required", **evidence, offers=offers)
    if content.licences:
        offers = [_licence_evidence(c) for c in content.licences[:MAX_ITEMS]]
        return deny(CHECK, "rsl.not_permitted", **evidence, offers=offers)
    return allow(CHECK, "rsl.none", **evidence)
