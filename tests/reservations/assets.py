"""Assets carrying XMP, built with Pillow where it writes XMP and by hand where it does not."""

from __future__ import annotations

import io
import struct

from PIL import Image, PngImagePlugin, TiffImagePlugin

PLUS = "http://ns.useplus.org/ldf/xmp/1.0/"
VOCAB = "http://ns.useplus.org/ldf/vocab/"
TDM = "http://www.w3.org/ns/tdmrep/"
GIF_TRAILER = bytes([1, *range(255, -1, -1), 0])


def packet(body: str, namespaces: str = f'xmlns:plus="{PLUS}"') -> bytes:
    """A wrapped XMP packet whose one ``rdf:Description`` holds ``body`` (attributes or not)."""
    if body.lstrip().startswith("<"):
        description = f'<rdf:Description rdf:about="" {namespaces}>{body}</rdf:Description>'
    else:
        description = f'<rdf:Description rdf:about="" {namespaces} {body}/>'
    return (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        f"{description}</rdf:RDF></x:xmpmeta>"
        '<?xpacket end="w"?>'
    ).encode()


def data_mining(value: str) -> bytes:
    return packet(f'plus:DataMining="{value}"')


def _image() -> Image.Image:
    return Image.new("RGB", (16, 16), (200, 30, 30))


def _save(fmt: str, **options: object) -> bytes:
    out = io.BytesIO()
    _image().save(out, fmt, **options)
    return out.getvalue()


def jpeg(xmp: bytes | None = None) -> bytes:
    return _save("JPEG", xmp=xmp) if xmp is not None else _save("JPEG")


def webp(xmp: bytes | None = None) -> bytes:
    return _save("WEBP", xmp=xmp) if xmp is not None else _save("WEBP")


def png(xmp: bytes | None = None, *, compressed: bool = False) -> bytes:
    info = PngImagePlugin.PngInfo()
    if xmp is not None:
        info.add_itxt("XML:com.adobe.xmp", xmp.decode(), zip=compressed)
    return _save("PNG", pnginfo=info)


def tiff(xmp: bytes | None = None) -> bytes:
    ifd = TiffImagePlugin.ImageFileDirectory_v2()
    if xmp is not None:
        ifd[700] = xmp
        ifd.tagtype[700] = 1  # XMP Part 3 §1.1.6: type BYTE
    return _save("TIFF", tiffinfo=ifd)


def gif(xmp: bytes | None = None) -> bytes:
    """A Pillow GIF with the XMP application extension spliced in before its trailer."""
    data = _save("GIF")
    if xmp is None:
        return data
    return data[:-1] + b"\x21\xff\x0bXMP DataXMP" + xmp + GIF_TRAILER + data[-1:]


def box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I4s", 8 + len(payload), kind) + payload


def mp4(xmp: bytes | None = None, *, in_udta: bool = False) -> bytes:
    """An ISO-BMFF file: ``ftyp``, the XMP ``uuid`` box or ``moov/udta/XMP_``, and ``mdat``."""
    parts = [box(b"ftyp", b"isom\x00\x00\x02\x00isomiso2mp41")]
    if xmp is not None and in_udta:
        parts.append(box(b"moov", box(b"udta", box(b"XMP_", xmp))))
    elif xmp is not None:
        parts.append(box(b"uuid", bytes.fromhex("BE7ACFCB97A942E89C71999491E3AFAC") + xmp))
    parts.append(box(b"mdat", b"\x00" * 64))
    return b"".join(parts)


def pdf(xmp: bytes | None = None, *, filtered: bool = False) -> bytes:
    """A one-page PDF whose catalog names an uncompressed (or Flate-claimed) metadata stream."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R" + (b" /Metadata 3 0 R >>" if xmp else b" >>")]
    objects.append(b"<< /Type /Pages /Kids [] /Count 0 >>")
    if xmp is not None:
        stream = b"x\x9c" + bytes(range(40)) if filtered else xmp
        flt = b" /Filter /FlateDecode" if filtered else b""
        objects.append(
            b"<< /Type /Metadata /Subtype /XML%s /Length %d >>\nstream\n%s\nendstream"
            % (flt, len(stream), stream)
        )
    body = b"%PDF-1.7\n"
    for number, obj in enumerate(objects, 1):
        body += b"%d 0 obj\n%s\nendobj\n" % (number, obj)
    return body + b"trailer\n<< /Root 1 0 R >>\n%%EOF\n"


def app1(payload: bytes) -> bytes:
    return b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload


def extended_xmp(guid: bytes, full: int, offset: int, chunk: bytes) -> bytes:
    """One ExtendedXMP APP1 segment (XMP Part 3 §1.1.3.1)."""
    header = b"http://ns.adobe.com/xmp/extension/\x00" + guid + struct.pack(">II", full, offset)
    return app1(header + chunk)


def splice_after_soi(jpeg_bytes: bytes, *segments: bytes) -> bytes:
    return jpeg_bytes[:2] + b"".join(segments) + jpeg_bytes[2:]
