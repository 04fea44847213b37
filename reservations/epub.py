"""EPUB books: the TDMRep reservation in the package document, and the text of the spine.

An EPUB is a ZIP archive (EPUB 3.3, "Open Container Format"). ``META-INF/container.xml``
names the package document (OPF); its ``<metadata>`` holds the title and language
(``dc:title``, ``dc:language``) and, per TDMRep (Community Group Final Report, 10 May 2024,
the EPUB technique), the properties ``tdm:reservation`` and ``tdm:policy`` as
``<meta property="...">`` with the ``tdm`` prefix bound to ``http://www.w3.org/ns/tdmrep#``
in the package ``prefix`` attribute (EPUB 3.3, "The prefix attribute"). EPUB 2 books write
``<meta name="tdm-reservation" content="1"/>`` instead.

A ZIP archive is also the classic bomb: a few kilobytes that inflate to gigabytes. Every
member is checked on its declared size and compression ratio before it is opened, then read as
a stream that stops one byte past its cap, so a lying header cannot exhaust memory either. What
cannot be read whole makes the book ``unreadable``, never a book without a reservation.
"""

from __future__ import annotations

import io
import posixpath
import zipfile
import zlib
from dataclasses import dataclass
from typing import Literal
from urllib.parse import unquote, urlsplit

from lxml import etree, html

from reservations.safexml import XmlError, local_name, parse_xml, text_of
from reservations.tdmrep import field_declaration
from reservations.textcap import join_capped

CONTAINER = "META-INF/container.xml"
ENCRYPTION = "META-INF/encryption.xml"
TDMREP_NS = "http://www.w3.org/ns/tdmrep#"
_OPF_NS = "http://www.idpf.org/2007/opf"
_DC_NS = "http://purl.org/dc/elements/1.1/"
_CONTAINER_NS = "urn:oasis:names:tc:opendocument:xmlns:container"
_ENC_NS = "http://www.w3.org/2001/04/xmlenc#"
_XHTML_TYPES = frozenset({"application/xhtml+xml", "text/html"})

# Bounds for one book. A novel's XHTML is a few hundred kilobytes a chapter and compresses
# three to ten times; a ratio past 100 is a bomb, not a book.
MAX_INPUT = 200_000_000
MAX_MEMBERS = 10_000
MAX_MEMBER_BYTES = 10_000_000
MAX_TOTAL_BYTES = 100_000_000
MAX_RATIO = 100
MAX_TEXT = 5_000_000
# A member this small may inflate past the ratio legitimately (an empty chapter, a stub).
_RATIO_FLOOR = 64_000

# Elements whose end is a line break in the extracted text; script and style add no text.
_BLOCKS = frozenset(
    {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre"}
    | {"section", "article", "aside", "header", "footer", "dt", "dd", "figcaption", "hr"}
)
_SKIPPED = frozenset({"script", "style", "head", "title"})

Status = Literal["ok", "unreadable"]


@dataclass(frozen=True)
class EpubBook:
    """What one EPUB says. ``reason`` says why it is ``unreadable`` (``None`` when ``ok``).

    ``tdm_reservation`` is ``True`` (reserved), ``False`` (not reserved) or ``None`` (unset);
    ``text_truncated`` means the text was cut at the character cap, not that a member was.
    """

    status: Status
    reason: str | None = None
    tdm_reservation: bool | None = None
    tdm_policy: str | None = None
    title: str | None = None
    language: str | None = None
    text: str = ""
    text_truncated: bool = False


class _Unreadable(Exception):
    """Reading stopped; the message says why."""


def read_epub(data: bytes, *, max_text: int = MAX_TEXT, base_url: str = "") -> EpubBook:
    """Read ``data`` as an EPUB; never raises. ``base_url`` resolves a relative tdm:policy."""
    try:
        return _read(data, max_text, base_url)
    except _Unreadable as exc:
        return EpubBook("unreadable", str(exc))


def _read(data: bytes, max_text: int, base_url: str) -> EpubBook:
    if len(data) > MAX_INPUT:
        raise _Unreadable(f"larger than {MAX_INPUT} bytes")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as exc:
        raise _Unreadable(f"not a ZIP archive: {exc}") from exc
    with archive:
        if len(archive.infolist()) > MAX_MEMBERS:
            raise _Unreadable(f"more than {MAX_MEMBERS} members")
        reader = _Members(archive)
        package_path = _package_path(reader.xml(CONTAINER))
        package = reader.xml(package_path)
        reserved, policy = _tdmrep(package, base_url)
        spine = _spine(package, posixpath.dirname(package_path))
        _refuse_encrypted(reader, spine)
        text, truncated = join_capped((_document_text(n, reader.read(n)) for n in spine), max_text)
    return EpubBook(
        "ok",
        tdm_reservation=reserved,
        tdm_policy=policy,
        title=_dc(package, "title"),
        language=_dc(package, "language"),
        text=text,
        text_truncated=truncated,
    )


class _Members:
    """Bounded reads of an archive's members, with one byte budget for the whole book."""

    def __init__(self, archive: zipfile.ZipFile) -> None:
        self.archive = archive
        self.budget = MAX_TOTAL_BYTES

    def has(self, name: str) -> bool:
        try:
            self.archive.getinfo(name)
        except KeyError:
            return False
        return True

    def read(self, name: str) -> bytes:
        try:
            info = self.archive.getinfo(name)
        except KeyError:
            raise _Unreadable(f"{name}: missing") from None
        cap = min(MAX_MEMBER_BYTES, self.budget)
        if info.file_size > cap:
            raise _Unreadable(f"{name}: declares {info.file_size} bytes, over the cap {cap}")
        if info.file_size > _RATIO_FLOOR and info.file_size > MAX_RATIO * info.compress_size:
            raise _Unreadable(f"{name}: compression ratio over {MAX_RATIO}: a ZIP bomb")
        try:
            with self.archive.open(info) as stream:
                body = stream.read(cap + 1)  # inflates at most cap + 1 bytes, whatever it says
        except (zipfile.BadZipFile, RuntimeError, NotImplementedError, zlib.error) as exc:
            raise _Unreadable(f"{name}: cannot be read: {exc}") from exc  # encrypted, corrupt
        except (EOFError, OSError, ValueError) as exc:
            raise _Unreadable(f"{name}: truncated or corrupt: {exc}") from exc
        if len(body) > cap:
            raise _Unreadable(f"{name}: inflates past the cap {cap} (its header lies)")
        self.budget -= len(body)
        return body

    def xml(self, name: str) -> etree._Element:
        try:
            return parse_xml(self.read(name), MAX_MEMBER_BYTES)
        except XmlError as exc:
            raise _Unreadable(f"{name}: {exc}") from exc


def _package_path(container: etree._Element) -> str:
    """OCF "Container file": the first ``rootfile`` with the OPF media type is the package."""
    for rootfile in container.iter(f"{{{_CONTAINER_NS}}}rootfile"):
        if rootfile.get("media-type", "application/oebps-package+xml").strip() == (
            "application/oebps-package+xml"
        ):
            path = rootfile.get("full-path", "").strip()
            if path:
                return path
    raise _Unreadable(f"{CONTAINER}: names no package document")


def _metadata(package: etree._Element) -> list[etree._Element]:
    return [e for e in package if local_name(e) == "metadata"]


def _prefixes(package: etree._Element) -> dict[str, str]:
    """EPUB 3.3 "The prefix attribute": ``prefix="tdm: http://www.w3.org/ns/tdmrep# x: ..."``."""
    words = package.get("prefix", "").split()
    return {
        words[i].removesuffix(":"): words[i + 1]
        for i in range(len(words) - 1)
        if words[i].endswith(":")
    }


def _tdm_property(value: str, prefixes: dict[str, str]) -> str | None:
    """``reservation`` or ``policy`` when ``value`` names a TDMRep property, else ``None``.

    A prefix counts when it is declared with the TDMRep namespace, and ``tdm`` counts even
    undeclared (it is how the specification writes it and how books carry it).
    """
    prefix, colon, name = value.strip().partition(":")
    if not colon or name not in ("reservation", "policy"):
        return None
    return name if prefix == "tdm" or prefixes.get(prefix) == TDMREP_NS else None


def _tdmrep(package: etree._Element, base_url: str) -> tuple[bool | None, str | None]:
    prefixes = _prefixes(package)
    found: dict[str, list[str]] = {"reservation": [], "policy": []}
    for metadata in _metadata(package):
        for meta in metadata.iter():
            if local_name(meta) != "meta":
                continue
            name = _tdm_property(meta.get("property", ""), prefixes)
            if name is not None:  # EPUB 3: the value is the element's text
                found[name].append(meta.text or "")
            legacy = meta.get("name", "").strip().lower()  # EPUB 2: name/content
            if legacy in ("tdm-reservation", "tdm:reservation"):
                found["reservation"].append(meta.get("content", ""))
            elif legacy in ("tdm-policy", "tdm:policy"):
                found["policy"].append(meta.get("content", ""))
    declaration = field_declaration("epub", found["reservation"], found["policy"], base_url)
    reserved = None if declaration.reservation is None else declaration.reservation == 1
    return reserved, declaration.policy


def _dc(package: etree._Element, name: str) -> str | None:
    """The first non-empty ``dc:<name>`` of the metadata."""
    for metadata in _metadata(package):
        for element in metadata.iter(f"{{{_DC_NS}}}{name}"):
            text = " ".join(text_of(element).split())
            if text:
                return text
    return None


def _member_name(base: str, href: str) -> str:
    """OCF "File paths and file names": hrefs are percent-encoded URLs relative to the
    package document."""
    path = unquote(urlsplit(href.strip()).path)
    return posixpath.normpath(posixpath.join(base, path)).lstrip("/")


def _spine(package: etree._Element, base: str) -> list[str]:
    """EPUB 3.3 "The spine element": the spine's XHTML documents, in reading order."""
    manifest: dict[str, tuple[str, str]] = {}
    for item in package.iter(f"{{{_OPF_NS}}}item"):
        href = item.get("href")
        if item.get("id") and href:
            manifest[item.get("id", "")] = (_member_name(base, href), item.get("media-type", ""))
    names = []
    for itemref in package.iter(f"{{{_OPF_NS}}}itemref"):
        idref = itemref.get("idref", "")
        if idref not in manifest:
            raise _Unreadable(f"spine item {idref[:100]!r} is not in the manifest")
        name, media_type = manifest[idref]
        if media_type.split(";")[0].strip().lower() in _XHTML_TYPES:
            names.append(name)
    return names


def _refuse_encrypted(reader: _Members, spine: list[str]) -> None:
    """OCF "Encryption file": members listed in encryption.xml are ciphertext (font obfuscation
    aside); a book whose chapters are encrypted has no text Heed can read."""
    if not reader.has(ENCRYPTION):
        return
    chapters = set(spine)
    for reference in reader.xml(ENCRYPTION).iter(f"{{{_ENC_NS}}}CipherReference"):
        if _member_name("", reference.get("URI", "")) in chapters:
            raise _Unreadable("the spine is encrypted (DRM)")


def _document_text(name: str, body: bytes) -> str:
    """The text of one XHTML document, a line per block. The HTML parser is lenient with the
    invalid XHTML that books contain, knows HTML's named entities, and fetches nothing."""
    if not body.strip():
        return ""
    # huge_tree lifts libxml2's depth limit from 256 to 2048 levels (text below it is dropped).
    parser = html.HTMLParser(no_network=True, remove_comments=True, remove_pis=True, huge_tree=True)
    try:
        root = html.document_fromstring(body, parser=parser)
    except (etree.ParserError, ValueError) as exc:
        raise _Unreadable(f"{name}: not a readable document: {exc}") from exc
    lines: list[str] = []
    _collect(root, lines)
    joined = "".join(lines)
    return "\n".join(" ".join(line.split()) for line in joined.split("\n") if line.strip())


def _collect(element: etree._Element, out: list[str]) -> None:
    # An explicit stack: a chapter nested thousands deep must not exhaust Python's stack.
    stack: list[tuple[etree._Element, bool]] = [(element, False)]
    while stack:
        node, closing = stack.pop()
        name = local_name(node).lower()
        if closing:
            if name in _BLOCKS:
                out.append("\n")
            if node.tail:
                out.append(node.tail)
            continue
        if name in _SKIPPED:
            if node.tail:
                out.append(node.tail)
            continue
        if node.text and isinstance(node.tag, str):
            out.append(node.text)
        stack.append((node, True))
        stack.extend((child, False) for child in reversed(node))
