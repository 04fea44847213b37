"""XMP packets carried inside image, video and PDF assets, found from the asset's bytes.

Where each container keeps its packet is set by XMP Specification Part 3 (Storage in Files,
Adobe 2016) §1.1: JPEG APP1 segments (with ExtendedXMP for packets over 64 KB), PNG ``iTXt``,
the WebP ``XMP `` chunk, TIFF tag 700, the GIF ``XMP DataXMP`` application extension, the
ISO-BMFF ``uuid`` box and, for formats without a structure we walk (PDF, HEIF, unknown), the
``<?xpacket`` wrapper that Part 1 §7.3 designed so a scanner can find packets in any file.

Every walk is bounded (packet size, number of segments, never past the buffer) and reports an
``unreadable`` status with the reason when a container is truncated, malformed or claims a
packet over the limit, so that "could not read" never reads as "found nothing". Packets found
before the problem are still returned: a reservation in them is as evident as any.
"""

from __future__ import annotations

import re
import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from lxml import etree

Status = Literal["found", "absent", "unreadable"]

MAX_PACKET = 1 << 20
MAX_SEGMENTS = 65_536
# An asset has one packet, two with ExtendedXMP; a few more are tolerated, not thousands.
MAX_PACKETS = 16
# lxml walks at most this many elements of one packet; real packets have a few hundred.
MAX_ELEMENTS = 50_000

_JPEG_XMP = b"http://ns.adobe.com/xap/1.0/\x00"
_JPEG_EXT = b"http://ns.adobe.com/xmp/extension/\x00"
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_PNG_KEYWORD = b"XML:com.adobe.xmp"
_GIF_XMP = b"\x21\xff\x0bXMP DataXMP"
# Part 3 §1.1.2: the 258-byte "magic trailer" after the packet starts 0x01 0xFF 0xFE ... 0x00.
_GIF_TRAILER = bytes([1, *range(255, -1, -1), 0])
_BMFF_XMP_UUID = bytes.fromhex("BE7ACFCB97A942E89C71999491E3AFAC")
_BMFF_CONTAINERS = frozenset({b"moov", b"trak", b"udta", b"meta"})
_BMFF_DEPTH = 4
# Part 1 §7.3: a packet opens with its wrapper; bare ``x:xmpmeta`` (or the older ``x:xapmeta``)
# elements are found too, since writers that skip the wrapper exist.
_PACKET_ENDS = {
    b"<?xpacket begin=": b"<?xpacket end=",
    b"<x:xmpmeta": b"</x:xmpmeta>",
    b"<x:xapmeta": b"</x:xapmeta>",
}
_OPENING = re.compile(b"|".join(re.escape(opening) for opening in _PACKET_ENDS))

_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_SKIPPED_NS = frozenset({_RDF, "adobe:ns:meta/", "http://www.w3.org/XML/1998/namespace"})
_RDF_RESOURCE = f"{{{_RDF}}}resource"
_RDF_LI = f"{{{_RDF}}}li"


@dataclass(frozen=True, slots=True)
class XmpResult:
    """The packets of one asset, how they were found, and why reading stopped if it did.

    ``container`` names the structure walked (``jpeg``, ``png``, ``webp``, ``tiff``, ``gif``,
    ``bmff``, ``pdf``, ``unknown``); ``method`` is ``structure`` or ``scan``; ``problem`` is
    empty unless ``status`` is ``unreadable`` (``truncated``, ``oversize``, ``malformed``,
    ``too_many_segments``, ``too_many_packets``, ``incomplete_extended_xmp``,
    ``compressed_metadata``).
    """

    status: Status
    container: str
    method: str = "structure"
    packets: tuple[bytes, ...] = ()
    problem: str = ""

    def evidence(self) -> dict[str, object]:
        out: dict[str, object] = {"container": self.container, "method": self.method}
        if self.problem:
            out["problem"] = self.problem
        return out


class XmpError(Exception):
    """A container or packet that cannot be read; ``args[0]`` is the problem code."""


@dataclass
class _Walk:
    """Packets gathered so far and the limits every container walker shares."""

    max_packet: int
    max_segments: int
    packets: list[bytes]
    segments: int = 0

    def step(self) -> None:
        self.segments += 1
        if self.segments > self.max_segments:
            raise XmpError("too_many_segments")

    def add(self, packet: bytes) -> None:
        if len(packet) > self.max_packet:
            raise XmpError("oversize")
        if len(self.packets) >= MAX_PACKETS:
            raise XmpError("too_many_packets")
        self.packets.append(packet)
        self.step()


def _sniff(data: bytes) -> str:
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(_PNG_SIGNATURE):
        return "png"
    if data.startswith(b"RIFF") and data[8:12] == b"WEBP":
        return "webp"
    if data[:4] in (b"II*\x00", b"MM\x00*"):
        return "tiff"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if data[4:8] in (b"ftyp", b"moov", b"uuid", b"wide", b"free", b"mdat"):
        return "bmff"
    if b"%PDF-" in data[:1024]:
        return "pdf"
    return "unknown"


def _jpeg(data: bytes, walk: _Walk) -> None:
    """ITU T.81 §B.1.1 marker segments up to the first scan; XMP Part 3 §1.1.3 APP1 payloads."""
    extended: dict[bytes, tuple[int, dict[int, bytes]]] = {}
    pos = 2
    while True:
        if pos + 2 > len(data):
            raise XmpError("truncated")
        if data[pos] != 0xFF:
            raise XmpError("malformed")
        marker = data[pos + 1]
        if marker == 0xFF:  # §B.1.1.2: a fill byte before the marker
            pos += 1
            continue
        if marker == 0xD9 or marker == 0xDA:  # EOI, or SOS: metadata precedes the first scan
            break
        if marker == 0x01 or 0xD0 <= marker <= 0xD8:  # TEM, RSTn, SOI stand alone
            pos += 2
            continue
        if pos + 4 > len(data):
            raise XmpError("truncated")
        (length,) = struct.unpack_from(">H", data, pos + 2)
        end = pos + 2 + length
        if length < 2:
            raise XmpError("malformed")
        if end > len(data):
            raise XmpError("truncated")
        walk.step()
        if marker == 0xE1:
            payload = data[pos + 4 : end]
            if payload.startswith(_JPEG_XMP):
                walk.add(payload[len(_JPEG_XMP) :])
            elif payload.startswith(_JPEG_EXT):
                _extended_chunk(payload[len(_JPEG_EXT) :], extended, walk.max_packet)
        pos = end
    for full, chunks in extended.values():
        walk.add(_assemble(full, chunks))


def _extended_chunk(
    body: bytes, extended: dict[bytes, tuple[int, dict[int, bytes]]], max_packet: int
) -> None:
    """XMP Part 3 §1.1.3.1: 32-byte GUID, full length and offset (big-endian), then a chunk."""
    if len(body) < 40:
        raise XmpError("malformed")
    guid = body[:32]
    full, offset = struct.unpack_from(">II", body, 32)
    chunk = body[40:]
    if full > max_packet:
        raise XmpError("oversize")
    known_full, chunks = extended.setdefault(guid, (full, {}))
    if known_full != full or offset + len(chunk) > full:
        raise XmpError("malformed")
    chunks[offset] = chunk


def _assemble(full: int, chunks: dict[int, bytes]) -> bytes:
    out = bytearray()
    for offset in sorted(chunks):
        if offset != len(out):
            raise XmpError("incomplete_extended_xmp")
        out += chunks[offset]
    if len(out) != full:
        raise XmpError("incomplete_extended_xmp")
    return bytes(out)


def _png(data: bytes, walk: _Walk) -> None:
    """PNG (ISO/IEC 15948) §5.3 chunks up to IEND; §11.3.4.5 iTXt, XMP Part 3 §1.1.4."""
    pos = len(_PNG_SIGNATURE)
    while True:
        if pos + 8 > len(data):
            raise XmpError("truncated")
        length, kind = struct.unpack_from(">I4s", data, pos)
        if length > 0x7FFFFFFF:  # §5.3: lengths are at most 2^31 - 1
            raise XmpError("malformed")
        end = pos + 12 + length
        if end > len(data):
            raise XmpError("truncated")
        walk.step()
        if kind == b"IEND":
            return
        if kind == b"iTXt":
            packet = _itxt_xmp(data[pos + 8 : pos + 8 + length], walk.max_packet)
            if packet is not None:
                walk.add(packet)
        pos = end


def _itxt_xmp(body: bytes, max_packet: int) -> bytes | None:
    keyword, sep, rest = body.partition(b"\x00")
    if keyword != _PNG_KEYWORD:
        return None
    if not sep or len(rest) < 2:
        raise XmpError("malformed")
    compressed, method = rest[0], rest[1]
    parts = rest[2:].split(b"\x00", 2)  # language tag, translated keyword, text
    if len(parts) != 3:
        raise XmpError("malformed")
    text = parts[2]
    if not compressed:
        return text
    if method != 0:
        raise XmpError("malformed")
    inflater = zlib.decompressobj()
    try:
        packet = inflater.decompress(text, max_packet + 1)
    except zlib.error as exc:
        raise XmpError("malformed") from exc
    if len(packet) > max_packet:
        raise XmpError("oversize")
    if not inflater.eof:
        raise XmpError("truncated")
    return packet


def _webp(data: bytes, walk: _Walk) -> None:
    """RIFF chunks of the WebP container (RFC 9649 §2.7, ``XMP `` chunk §2.7.1.5)."""
    (riff_size,) = struct.unpack_from("<I", data, 4)
    end = 8 + riff_size
    if end > len(data):
        raise XmpError("truncated")
    pos = 12
    while pos + 8 <= end:
        kind, size = struct.unpack_from("<4sI", data, pos)
        if pos + 8 + size > end:
            raise XmpError("truncated")
        walk.step()
        if kind == b"XMP ":
            walk.add(data[pos + 8 : pos + 8 + size])
        pos += 8 + size + (size & 1)  # §2.4: chunks are padded to an even size
    if pos < end:
        raise XmpError("malformed")


_TIFF_SIZES = {1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8}


def _tiff(data: bytes, walk: _Walk) -> None:
    """TIFF 6.0 §2 IFD0 entries; XMP Part 3 §1.1.6: tag 700, type BYTE or UNDEFINED."""
    order = "<" if data[:2] == b"II" else ">"
    if len(data) < 8:
        raise XmpError("truncated")
    (ifd,) = struct.unpack_from(f"{order}I", data, 4)
    if ifd + 2 > len(data):
        raise XmpError("truncated")
    (count,) = struct.unpack_from(f"{order}H", data, ifd)
    if ifd + 2 + 12 * count > len(data):
        raise XmpError("truncated")
    for index in range(count):
        walk.step()
        entry = ifd + 2 + 12 * index
        tag, kind, n = struct.unpack_from(f"{order}HHI", data, entry)
        if tag != 700:
            continue
        size = n * _TIFF_SIZES.get(kind, 1)
        if size > walk.max_packet:
            raise XmpError("oversize")
        if size <= 4:
            walk.add(data[entry + 8 : entry + 8 + size])
            continue
        (offset,) = struct.unpack_from(f"{order}I", data, entry + 8)
        if offset + size > len(data):
            raise XmpError("truncated")
        walk.add(data[offset : offset + size])


def _gif(data: bytes, walk: _Walk) -> None:
    """XMP Part 3 §1.1.2: the packet follows the ``XMP DataXMP`` header up to a magic trailer.

    The extension is found by its 14-byte signature rather than by walking every LZW sub-block:
    a hostile GIF of one-byte sub-blocks would otherwise cost a loop turn per two bytes.
    """
    if not data.endswith(b"\x3b"):  # GIF89a §27: every complete stream ends with the trailer
        raise XmpError("truncated")
    pos = data.find(_GIF_XMP)
    while pos >= 0:
        start = pos + len(_GIF_XMP)
        end = data.find(_GIF_TRAILER, start, start + walk.max_packet + len(_GIF_TRAILER))
        if end < 0:
            too_long = len(data) - start > walk.max_packet + len(_GIF_TRAILER)
            raise XmpError("oversize" if too_long else "truncated")
        walk.add(data[start:end])
        pos = data.find(_GIF_XMP, end + len(_GIF_TRAILER))


def _bmff(data: bytes, walk: _Walk) -> None:
    _boxes(data, 0, len(data), 0, walk)


def _boxes(data: bytes, pos: int, end: int, depth: int, walk: _Walk) -> None:
    """ISO/IEC 14496-12 §4.2 boxes; XMP Part 3 §1.1.7 ``uuid`` box, QuickTime ``XMP_``."""
    while pos < end:
        if pos + 8 > end:
            raise XmpError("truncated")
        walk.step()
        size, kind = struct.unpack_from(">I4s", data, pos)
        header = 8
        if size == 1:
            if pos + 16 > end:
                raise XmpError("truncated")
            (size,) = struct.unpack_from(">Q", data, pos + 8)
            header = 16
        elif size == 0:  # §4.2: the box runs to the end of the file
            size = end - pos
        if size < header:
            raise XmpError("malformed")
        box_end = pos + size
        if box_end > end:
            raise XmpError("truncated")
        if kind == b"uuid" and data[pos + header : pos + header + 16] == _BMFF_XMP_UUID:
            walk.add(data[pos + header + 16 : box_end])
        elif kind == b"XMP_":
            walk.add(data[pos + header : box_end])
        elif kind in _BMFF_CONTAINERS and depth < _BMFF_DEPTH:
            # §8.11.1: ``meta`` is a FullBox, its children follow version and flags; QuickTime's
            # ``meta`` is a plain box whose first child (``hdlr``) follows at once.
            full = kind == b"meta" and data[pos + header + 4 : pos + header + 8] != b"hdlr"
            _boxes(data, pos + header + (4 if full else 0), box_end, depth + 1, walk)
        pos = box_end


def _scan(data: bytes, walk: _Walk) -> None:
    """XMP Part 1 §7.3: packets found by their wrapper (or bare ``x:xmpmeta``) anywhere.

    One pass of one pattern over the bytes finds every kind of opening (a 5 MB image without a
    packet costs one search, not one per kind)."""
    pos = 0
    while (match := _OPENING.search(data, pos)) is not None:
        begin, opening = match.start(), match.group()
        closing = _PACKET_ENDS[opening]
        limit = begin + walk.max_packet
        end = data.find(closing, begin, limit)
        if end < 0:
            raise XmpError("oversize" if len(data) > limit else "truncated")
        if closing == b"<?xpacket end=":
            stop = data.find(b"?>", end, limit)
            if stop < 0:
                raise XmpError("oversize" if len(data) > limit else "truncated")
            end = stop + 2
        else:
            end += len(closing)
        walk.add(data[begin:end])
        pos = end


_WALKERS = {"jpeg": _jpeg, "png": _png, "webp": _webp, "tiff": _tiff, "gif": _gif, "bmff": _bmff}


def find_xmp(
    data: bytes, *, max_packet: int = MAX_PACKET, max_segments: int = MAX_SEGMENTS
) -> XmpResult:
    """The XMP packets of the asset in ``data``, found by its container or by a packet scan.

    A container with no packet where its structure keeps one is scanned as well (Part 1 §7.3),
    so a packet stored elsewhere (HEIF items, a JPEG's embedded preview) is not missed. In a
    PDF, a ``/Metadata`` stream with no plain packet is compressed: it is reported unreadable
    here and left to a PDF reader.
    """
    container = _sniff(data)
    walk = _Walk(max_packet, max_segments, [])
    walker = _WALKERS.get(container)
    method = "structure" if walker else "scan"
    try:
        if walker is not None:
            walker(data, walk)
        if not walk.packets:
            method = "scan"
            _scan(data, walk)
    except XmpError as exc:
        return XmpResult("unreadable", container, method, tuple(walk.packets), str(exc))
    except struct.error:
        return XmpResult("unreadable", container, method, tuple(walk.packets), "truncated")
    if walk.packets:
        return XmpResult("found", container, method, tuple(walk.packets))
    if container == "pdf" and b"/Metadata" in data:
        return XmpResult("unreadable", container, method, (), "compressed_metadata")
    return XmpResult("absent", container, method)


def _parser() -> etree.XMLParser:
    # No DTD, no entity expansion, no network, libxml2's default depth and size limits.
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        load_dtd=False,
        dtd_validation=False,
        remove_pis=True,
    )


def _values(element: etree._Element) -> Iterator[str]:
    """A property element's values: its text, ``rdf:resource``, or its ``rdf:li`` items."""
    items = list(element.iter(_RDF_LI)) or [element]
    for item in items:
        resource = item.get(_RDF_RESOURCE)
        if resource is not None:
            yield resource.strip()
        elif len(item) == 0 and item.text and item.text.strip():
            yield item.text.strip()


def xmp_properties(packet: bytes) -> dict[str, list[str]]:
    """Every property of an XMP packet by local name, with its values as strings, in order.

    Properties are matched by local name because the namespaces some vocabularies use vary in
    the wild (TDMRep in particular). Simple values may be written as attributes of
    ``rdf:Description`` or as elements (RDF/XML §2.5); arrays yield one value per ``rdf:li``;
    fields of a structure appear under their own local names. Raises ``XmpError`` on XML that
    does not parse or declares a DTD, which XMP never does (Part 1 §7.3).
    """
    if not packet.startswith((b"\xff\xfe", b"\xfe\xff")):
        packet = packet.strip(b"\x00 \t\r\n")  # padding some writers leave; not in UTF-16
    try:
        root = etree.fromstring(packet, _parser())
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise XmpError("malformed_xml") from exc
    if root.getroottree().docinfo.internalDTD is not None:
        raise XmpError("dtd")
    found: dict[str, list[str]] = {}
    for count, element in enumerate(root.iter(tag=etree.Element)):
        if count >= MAX_ELEMENTS:
            raise XmpError("too_many_elements")
        for name, value in element.attrib.items():
            qname = etree.QName(name)
            if qname.namespace and qname.namespace not in _SKIPPED_NS:
                found.setdefault(qname.localname, []).append(value.strip())
        qname = etree.QName(element)
        if qname.namespace and qname.namespace not in _SKIPPED_NS:
            found.setdefault(qname.localname, []).extend(_values(element))
    return found


def merged_properties(result: XmpResult) -> tuple[dict[str, list[str]], str]:
    """The properties of every packet of ``result`` merged by local name, and the first problem.

    The problem is the container's, else that of the first packet that did not parse; the
    packets that did parse still count, so a reservation in one of them is not lost.
    """
    merged: dict[str, list[str]] = {}
    problem = result.problem
    for packet in result.packets:
        try:
            properties = xmp_properties(packet)
        except XmpError as exc:
            problem = problem or str(exc)
            continue
        for name, values in properties.items():
            merged.setdefault(name, []).extend(values)
    return merged, problem
