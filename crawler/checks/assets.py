"""Adapters: rights reservations carried inside the asset itself, at the response gate.

Images (JPEG, PNG, WebP, TIFF, GIF, MP4 and kin), PDFs and EPUBs say what may be done with them
in their own metadata (GPAI Code of Practice, Copyright, Measure 1.3(b): asset-based
reservations). Each response is read at most once whatever the number of checks that ask
(``asset_facts``); the checks are pure functions of what was read (``reservations/``):

- ``IptcCheck``: IPTC Photo Metadata "Data Mining" (``plus:DataMining``) in XMP;
- ``XmpTdmrepCheck``: TDMRep (``tdm:reservation``, ``tdm:policy``) in the XMP of images and PDFs;
- ``EpubTdmrepCheck``: TDMRep in an EPUB's package document (OPF);
- ``C2paCheck``: C2PA / CAWG training-and-data-mining assertions, read without fetching any
  remote manifest.

What an asset is comes from its bytes first (a PDF served as ``text/plain`` is a PDF), then its
Content-Type, then its URL's extension. An asset whose metadata cannot be read is denied.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Literal
from urllib.parse import urlsplit
from weakref import WeakKeyDictionary

from reservations import iptc, xmp_tdm
from reservations.epub import EpubBook, read_epub
from reservations.pdf import PdfDocument, read_pdf
from reservations.verdict import Verdict, allow, deny
from reservations.xmp import XmpResult, find_xmp, merged_properties

if TYPE_CHECKING:
    from scrapy.http import Response

    from crawler.page import Page

AssetKind = Literal["image", "pdf", "epub"]

_MAGIC: tuple[tuple[bytes, int, AssetKind], ...] = (
    (b"%PDF-", 0, "pdf"),
    (b"\xff\xd8\xff", 0, "image"),
    (b"\x89PNG\r\n\x1a\n", 0, "image"),
    (b"GIF87a", 0, "image"),
    (b"GIF89a", 0, "image"),
    (b"II*\x00", 0, "image"),
    (b"MM\x00*", 0, "image"),
    (b"WEBP", 8, "image"),
    (b"ftyp", 4, "image"),
)
_EPUB_MAGIC = b"PK\x03\x04"
_EPUB_MIMETYPE = b"mimetypeapplication/epub+zip"
_TYPES: dict[str, AssetKind] = {"application/pdf": "pdf", "application/epub+zip": "epub"}
EXTENSIONS: dict[str, AssetKind] = {
    **dict.fromkeys(
        ("jpg", "jpeg", "png", "gif", "webp", "tif", "tiff", "avif", "heic", "mp4"), "image"
    ),
    "pdf": "pdf",
    "epub": "epub",
}
# A Content-Type that says nothing about the body: only then does the extension count.
_UNINFORMATIVE = ("", "application/octet-stream", "binary/octet-stream", "application/unknown")


def asset_kind(response: Response) -> AssetKind | None:
    """``image``, ``pdf`` or ``epub`` from the body's signature, the Content-Type or, when the
    type says nothing, the URL's extension; ``None`` for anything else (pages, text)."""
    head = response.body[:64]
    for signature, offset, kind in _MAGIC:
        if head[offset : offset + len(signature)] == signature:
            return kind
    if head.startswith(_EPUB_MAGIC) and _EPUB_MIMETYPE in head:
        return "epub"
    content_type = (response.headers.get(b"Content-Type") or b"").decode("latin-1")
    media_type = content_type.partition(";")[0].strip().lower()
    if media_type.startswith("image/"):
        return "image"
    if media_type in _TYPES:
        return _TYPES[media_type]
    if media_type in _UNINFORMATIVE:
        extension = urlsplit(response.url).path.rpartition(".")[2].lower()
        return EXTENSIONS.get(extension)
    return None


@dataclass
class AssetFacts:
    """One response read as an asset, each part on first use."""

    kind: AssetKind | None
    body: bytes
    media_type: str

    @cached_property
    def xmp(self) -> XmpResult:
        return find_xmp(self.body)

    @cached_property
    def xmp_properties(self) -> tuple[dict[str, list[str]], str]:
        """The image's XMP properties by local name, and why they could not all be read: parsed
        once for the IPTC and the TDMRep check alike."""
        return merged_properties(self.xmp)

    @cached_property
    def pdf(self) -> PdfDocument:
        return read_pdf(self.body, text=False)

    @cached_property
    def epub(self) -> EpubBook:
        return read_epub(self.body, max_text=0)


_FACTS: WeakKeyDictionary[Page, AssetFacts] = WeakKeyDictionary()


def asset_facts(page: Page) -> AssetFacts:
    """The asset reading of ``page``'s response, shared by every asset check of the gate."""
    facts = _FACTS.get(page)
    if facts is None:
        response = page.response
        kind = asset_kind(response)
        media_type = page.content_type.partition(";")[0].strip().lower()
        facts = _FACTS[page] = AssetFacts(kind, response.body, media_type)
    return facts


def _reservation(check: str, reserved: bool | None, policy: str | None, **where: str) -> Verdict:
    """A TDMRep reservation read inside an asset: reserved (1), not reserved (0), or unset; the
    policy URL as evidence when the asset names one."""
    evidence = {**where, **({"policy": policy} if policy else {})}
    if reserved:
        return deny(check, f"{check}.reserved", **evidence)
    if reserved is False:
        return allow(check, f"{check}.not_reserved", **evidence)
    return allow(check, f"{check}.none", **evidence)


# The verdict of XMP properties by local name, why they could not all be read, and where.
_PropertiesVerdict = Callable[[Mapping[str, list[str]], str, Mapping[str, object]], Verdict]


def _xmp_verdict(
    check: str,
    page: Page,
    from_image: _PropertiesVerdict,
    from_pdf: Callable[[PdfDocument], Verdict],
) -> Verdict:
    """An XMP-borne reservation: read from an image's packets, or from a PDF's metadata as its
    reader found it; a PDF that cannot be read denies."""
    facts = asset_facts(page)
    if facts.kind == "image":
        return from_image(*facts.xmp_properties, facts.xmp.evidence())
    if facts.kind == "pdf":
        document = facts.pdf
        if document.status != "ok":
            return deny(check, f"{check}.unreadable", container="pdf", problem=document.reason)
        return from_pdf(document)
    return allow(check, f"{check}.not_an_asset")


class IptcCheck:
    """IPTC "Data Mining" in the XMP of an image or a PDF."""

    name = iptc.CHECK

    async def check_response(self, response: Response, page: Page) -> Verdict:
        return _xmp_verdict(self.name, page, iptc.properties_verdict, _pdf_data_mining)


def _pdf_data_mining(document: PdfDocument) -> Verdict:
    found = {iptc.PROPERTY: list(document.data_mining)}
    return iptc.properties_verdict(found, "", {"container": "pdf"})


class XmpTdmrepCheck:
    """TDMRep in the XMP of an image or a PDF."""

    name = xmp_tdm.CHECK

    async def check_response(self, response: Response, page: Page) -> Verdict:
        def from_pdf(document: PdfDocument) -> Verdict:
            reserved, policy = document.tdm_reservation, document.tdm_policy
            return _reservation(self.name, reserved, policy, container="pdf")

        return _xmp_verdict(self.name, page, xmp_tdm.properties_verdict, from_pdf)


class EpubTdmrepCheck:
    """TDMRep in an EPUB's package document: ``tdm:reservation`` / ``tdm:policy`` metadata."""

    name = "tdmrep_epub"

    async def check_response(self, response: Response, page: Page) -> Verdict:
        facts = asset_facts(page)
        if facts.kind != "epub":
            return allow(self.name, f"{self.name}.not_an_asset")
        book = facts.epub
        if book.status != "ok":
            return deny(self.name, f"{self.name}.unreadable", problem=book.reason)
        return _reservation(self.name, book.tdm_reservation, book.tdm_policy)


class C2paCheck:
    """C2PA / CAWG training-and-data-mining assertions in an image's manifest."""

    name = "c2pa"

    async def check_response(self, response: Response, page: Page) -> Verdict:
        facts = asset_facts(page)
        if facts.kind != "image":
            return allow(self.name, "c2pa.not_an_asset")
        # Loaded on the first image: c2pa's native library is large, and crawls of pages
        # alone need not pay for it.
        from reservations import c2pa_training

        media_type = facts.media_type if facts.media_type.startswith("image/") else ""
        return c2pa_training.c2pa_verdict(facts.body, media_type or _sniffed_type(facts.body))


def _sniffed_type(body: bytes) -> str:
    """The media type c2pa needs, for an image served without an image Content-Type."""
    for signature, media_type in (
        (b"\xff\xd8\xff", "image/jpeg"),
        (b"\x89PNG", "image/png"),
        (b"GIF8", "image/gif"),
        (b"II*\x00", "image/tiff"),
        (b"MM\x00*", "image/tiff"),
    ):
        if body.startswith(signature):
            return media_type
    return "image/webp" if body[8:12] == b"WEBP" else "video/mp4"
