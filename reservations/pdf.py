"""PDF files: the rights declared in their XMP metadata, and their text.

A PDF's document-level XMP packet is the stream named by ``/Metadata`` in the document catalog
(ISO 32000-2 §14.3.2). Two vocabularies in it concern Heed:

- TDMRep (Community Group Final Report, 10 May 2024, the PDF technique): ``tdm:reservation``
  (1 or 0) and ``tdm:policy`` (a URL) in the namespace ``http://www.w3.org/ns/tdmrep#``. Files
  in the wild bind ``tdm`` to other URIs too, so any namespace containing ``tdm`` is read.
- IPTC / PLUS ``plus:DataMining`` (PLUS License Data Format, namespace
  ``http://ns.useplus.org/ldf/xmp/1.0/``): its raw values are returned for the IPTC evaluator.

pypdf reads the file with ``strict=False`` and its own decompression limits; anything it cannot
parse, an encrypted file, or metadata that is not well-formed XML makes the file ``unreadable``,
never a file without a reservation.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import islice
from typing import TYPE_CHECKING, Literal

from lxml import etree

from reservations.safexml import XmlError, namespace, parse_xml, text_of
from reservations.tdmrep import field_declaration
from reservations.textcap import join_capped

if TYPE_CHECKING:
    from pypdf import PdfReader

PLUS_NS = "http://ns.useplus.org/ldf/xmp/1.0/"
DATA_MINING = f"{{{PLUS_NS}}}DataMining"
_RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_RDF_ITEMS = frozenset({f"{{{_RDF_NS}}}li"})
_RDF_RESOURCE = f"{{{_RDF_NS}}}resource"

MAX_BYTES = 100_000_000
MAX_PAGES = 2_000
MAX_CHARS = 5_000_000
# An XMP packet with embedded thumbnails runs to a few hundred kilobytes.
MAX_XMP_BYTES = 4_000_000

Status = Literal["ok", "unreadable"]


@dataclass(frozen=True)
class PdfDocument:
    """What one PDF says. ``reason`` says why it is ``unreadable`` (``None`` when ``ok``).

    ``tdm_reservation`` is ``True`` (reserved), ``False`` (not reserved) or ``None`` (unset);
    ``data_mining`` holds the raw ``plus:DataMining`` values; ``has_xmp`` says whether the
    catalog names a metadata stream at all. ``pages`` is ``None`` and ``text`` empty when only
    the metadata was read (counting pages walks the whole page tree).
    """

    status: Status
    reason: str | None = None
    tdm_reservation: bool | None = None
    tdm_policy: str | None = None
    data_mining: tuple[str, ...] = ()
    has_xmp: bool = False
    pages: int | None = None
    text: str = ""
    text_truncated: bool = False


def xmp_values(xmp_bytes: bytes, local_names: Iterable[str]) -> dict[str, list[str]]:
    """Every value of the XMP properties called one of ``local_names``, in any namespace.

    Keys are Clark names (``{namespace}name``) so that callers choose the namespaces they
    trust. XMP writes a simple property as an attribute of ``rdf:Description`` or as an element
    (XMP Specification Part 1, "Serializing XMP"); a URI as ``rdf:resource``; an array as
    ``rdf:li`` items. Raises ``XmlError`` (a ``ValueError``) when the packet is not well-formed.
    """
    wanted = frozenset(local_names)
    found: dict[str, list[str]] = {}
    for element in parse_xml(xmp_bytes, MAX_XMP_BYTES).iter(etree.Element):
        for key, value in element.attrib.items():
            name = etree.QName(key)
            if name.localname in wanted and name.namespace not in (_RDF_NS, None):
                found.setdefault(str(key), []).append(str(value).strip())
        qname = etree.QName(element)
        if qname.localname in wanted and namespace(element) != _RDF_NS:
            found.setdefault(str(element.tag), []).extend(_property_values(element))
    return found


def _property_values(element: etree._Element) -> list[str]:
    if element.get(_RDF_RESOURCE) is not None:
        return [element.get(_RDF_RESOURCE, "").strip()]
    items = [e for e in element.iter(etree.Element) if e.tag in _RDF_ITEMS]
    if items:
        return [text_of(item).strip() for item in items]
    return [text_of(element).strip()]


def read_pdf(
    data: bytes,
    *,
    text: bool = True,
    max_bytes: int = MAX_BYTES,
    max_pages: int = MAX_PAGES,
    max_chars: int = MAX_CHARS,
    base_url: str = "",
) -> PdfDocument:
    """Read ``data`` as a PDF; never raises. ``text=False`` reads the metadata only.

    Text comes from at most ``max_pages`` pages and ``max_chars`` characters, which also bounds
    the time a hostile content stream can take. ``base_url`` resolves a relative tdm:policy.
    """
    if len(data) > max_bytes:
        return PdfDocument("unreadable", f"larger than {max_bytes} bytes")
    # pypdf is imported by the first PDF: a crawl of HTML pages never loads it.
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            return PdfDocument("unreadable", "encrypted")
        xmp = catalog_xmp(reader)
        pages = len(reader.pages) if text else None
        body, truncated = _text(reader, max_pages, max_chars) if text else ("", False)
    # pypdf raises far more than PyPdfError on hostile files (KeyError, TypeError, RecursionError
    # from nested objects, MemoryError...): every one of them means "cannot be read".
    except Exception as exc:
        return PdfDocument("unreadable", f"{type(exc).__name__}: {str(exc)[:200]}")
    if xmp is None:
        return PdfDocument("ok", pages=pages, text=body, text_truncated=truncated)
    try:
        values = xmp_values(xmp, ("reservation", "policy", "DataMining"))
    except XmlError as exc:
        return PdfDocument("unreadable", f"XMP metadata: {exc}", has_xmp=True, pages=pages)
    # Any namespace containing "tdm" (the W3C one does) is TDMRep's, as files in the wild vary.
    tdm = {k: v for k, v in values.items() if "tdm" in k.partition("}")[0].lower()}
    reservations = [v for k, vs in tdm.items() if k.endswith("}reservation") for v in vs]
    policies = [v for k, vs in tdm.items() if k.endswith("}policy") for v in vs]
    declaration = field_declaration("xmp", reservations, policies, base_url)
    return PdfDocument(
        "ok",
        tdm_reservation=None if declaration.reservation is None else declaration.reservation == 1,
        tdm_policy=declaration.policy,
        data_mining=tuple(values.get(DATA_MINING, ())),
        has_xmp=True,
        pages=pages,
        text=body,
        text_truncated=truncated,
    )


def catalog_xmp(reader: PdfReader) -> bytes | None:
    """The decoded document-level XMP stream (ISO 32000-2 §14.3.2), ``None`` when absent."""
    from pypdf.generic import StreamObject

    reference = reader.root_object.get("/Metadata")
    if reference is None:
        return None
    stream = reference.get_object()
    if not isinstance(stream, StreamObject):
        raise ValueError("/Metadata is not a stream")
    return stream.get_data()


def _text(reader: PdfReader, max_pages: int, max_chars: int) -> tuple[str, bool]:
    """The text of the first ``max_pages`` pages, cut at ``max_chars``."""
    pages = (page.extract_text() for page in islice(reader.pages, max_pages))
    body, truncated = join_capped(pages, max_chars)
    return body, truncated or len(reader.pages) > max_pages
