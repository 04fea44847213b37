"""XMP packets found in real JPEG, PNG, WebP, TIFF, GIF, MP4 and PDF bytes, and hostile ones."""

from __future__ import annotations

import struct
import time
import zlib
from collections.abc import Callable

import pytest

from reservations.xmp import XmpError, find_xmp, xmp_properties
from tests.reservations import assets

PACKET = assets.data_mining(f"{assets.VOCAB}DMI-PROHIBITED")
GUID = b"0123456789ABCDEF0123456789ABCDEF"

BUILDERS: dict[str, Callable[[bytes | None], bytes]] = {
    "jpeg": assets.jpeg,
    "png": assets.png,
    "webp": assets.webp,
    "tiff": assets.tiff,
    "gif": assets.gif,
    "bmff": assets.mp4,
}


@pytest.mark.parametrize("container", sorted(BUILDERS))
def test_packet_is_found_where_the_container_keeps_it(container: str) -> None:
    result = find_xmp(BUILDERS[container](PACKET))
    assert (result.status, result.container, result.method) == ("found", container, "structure")
    assert result.packets == (PACKET,)


@pytest.mark.parametrize("container", sorted(BUILDERS))
def test_container_without_packet_is_absent(container: str) -> None:
    result = find_xmp(BUILDERS[container](None))
    assert (result.status, result.container, result.problem) == ("absent", container, "")


def test_compressed_png_itxt_is_inflated() -> None:
    assert find_xmp(assets.png(PACKET, compressed=True)).packets == (PACKET,)


def test_quicktime_udta_xmp_box_is_found() -> None:
    result = find_xmp(assets.mp4(PACKET, in_udta=True))
    assert (result.status, result.packets) == ("found", (PACKET,))


def test_pdf_plain_metadata_stream_is_found_by_scan() -> None:
    result = find_xmp(assets.pdf(PACKET))
    assert (result.status, result.container, result.method) == ("found", "pdf", "scan")
    assert result.packets == (PACKET,)


def test_pdf_with_compressed_metadata_is_unreadable_not_absent() -> None:
    result = find_xmp(assets.pdf(PACKET, filtered=True))
    assert (result.status, result.problem) == ("unreadable", "compressed_metadata")


def test_pdf_without_metadata_is_absent() -> None:
    assert find_xmp(assets.pdf()).status == "absent"


def test_unknown_container_is_scanned_for_packets() -> None:
    result = find_xmp(b"\x00\x01junk" + PACKET + b"more junk")
    assert (result.status, result.container, result.packets) == ("found", "unknown", (PACKET,))


def test_bare_xmpmeta_without_wrapper_is_found_by_scan() -> None:
    bare = PACKET[PACKET.index(b"<x:xmpmeta") : PACKET.index(b"<?xpacket end")]
    assert find_xmp(b"junk" + bare + b"junk").packets == (bare,)


def test_packet_outside_its_container_slot_is_found_by_fallback_scan() -> None:
    comment = b"\xff\xfe" + struct.pack(">H", len(PACKET) + 2) + PACKET  # a COM segment
    result = find_xmp(assets.splice_after_soi(assets.jpeg(), comment))
    assert (result.status, result.container, result.method) == ("found", "jpeg", "scan")


def test_scan_reads_bytes_that_are_not_text_around_and_between_packets() -> None:
    bare = b"<x:xmpmeta xmlns:x='adobe:ns:meta/'></x:xmpmeta>"
    old = b"<x:xapmeta xmlns:x='adobe:ns:meta/'></x:xapmeta>"
    # Lone UTF-8 lead bytes, a stray "<" and NULs: binary, as image data is.
    noise = b"\xe2\x82\xff\xfe<\x00\xc3"
    result = find_xmp(noise + PACKET + noise + bare + noise * 3 + old + noise)
    assert (result.status, result.packets) == ("found", (PACKET, bare, old))


def test_scan_finds_a_packet_at_the_end_of_five_megabytes() -> None:
    body = bytes(range(256)) * (5 << 12)
    assert find_xmp(body + PACKET).packets == (PACKET,)


def test_unknown_bytes_without_packet_are_absent() -> None:
    assert find_xmp(b"plain text, no metadata").status == "absent"


def test_jpeg_extended_xmp_is_reassembled_from_chunks_in_any_order() -> None:
    extended = assets.data_mining("DMI-PROHIBITED-AIMLTRAINING")
    half = len(extended) // 2
    data = assets.splice_after_soi(
        assets.jpeg(PACKET),
        assets.extended_xmp(GUID, len(extended), half, extended[half:]),
        assets.extended_xmp(GUID, len(extended), 0, extended[:half]),
    )
    assert find_xmp(data).packets == (PACKET, extended)


def test_extended_xmp_claiming_100_mb_is_unreadable_at_once() -> None:
    lie = assets.extended_xmp(GUID, 100 << 20, 0, b"<x:xmpmeta>")
    started = time.perf_counter()
    result = find_xmp(assets.splice_after_soi(assets.jpeg(PACKET), lie))
    assert time.perf_counter() - started < 0.5
    assert (result.status, result.problem) == ("unreadable", "oversize")
    assert result.packets == ()  # the lie sits before the standard packet's segment


def test_extended_xmp_with_a_missing_chunk_is_unreadable() -> None:
    extended = assets.data_mining("DMI-ALLOWED")
    data = assets.splice_after_soi(
        assets.jpeg(PACKET), assets.extended_xmp(GUID, len(extended), 0, extended[:10])
    )
    result = find_xmp(data)
    assert (result.status, result.problem) == ("unreadable", "incomplete_extended_xmp")
    assert result.packets == (PACKET,)


def test_extended_chunk_running_past_its_full_length_is_malformed() -> None:
    data = assets.splice_after_soi(assets.jpeg(), assets.extended_xmp(GUID, 4, 2, b"abcdef"))
    assert find_xmp(data).problem == "malformed"


def test_app1_length_running_past_the_buffer_is_truncated() -> None:
    lying = b"\xff\xe1\xff\xff" + b"http://ns.adobe.com/xap/1.0/\x00" + PACKET
    result = find_xmp(b"\xff\xd8" + lying)
    assert (result.status, result.problem) == ("unreadable", "truncated")


@pytest.mark.parametrize("cut", [3, 4, 20, 200])
def test_jpeg_truncated_before_its_first_scan_is_unreadable(cut: int) -> None:
    data = assets.jpeg(PACKET)
    assert find_xmp(data[:cut]).status == "unreadable"


def test_packets_read_before_a_truncation_are_kept() -> None:
    data = assets.jpeg(PACKET)
    end_of_app1 = data.index(b"<?xpacket end") + 40
    result = find_xmp(data[:end_of_app1])
    assert (result.status, result.packets) == ("unreadable", (PACKET,))


def test_packet_over_the_limit_is_oversize() -> None:
    result = find_xmp(assets.jpeg(PACKET), max_packet=100)
    assert (result.status, result.problem) == ("unreadable", "oversize")


def test_too_many_segments_is_unreadable() -> None:
    comments = [b"\xff\xfe\x00\x04ok"] * 100
    result = find_xmp(assets.splice_after_soi(assets.jpeg(PACKET), *comments), max_segments=50)
    assert (result.status, result.problem) == ("unreadable", "too_many_segments")


def test_png_itxt_zlib_bomb_stops_at_the_limit() -> None:
    bomb = zlib.compress(b" " * (100 << 20), 9)
    body = b"XML:com.adobe.xmp\x00\x01\x00\x00\x00" + bomb
    chunk = struct.pack(">I4s", len(body), b"iTXt") + body + b"\x00\x00\x00\x00"
    png = assets.png()
    data = png[:33] + chunk + png[33:]  # after the 8-byte signature and the IHDR chunk
    started = time.perf_counter()
    result = find_xmp(data)
    assert time.perf_counter() - started < 0.5
    assert (result.status, result.problem) == ("unreadable", "oversize")


def test_png_itxt_with_broken_zlib_is_malformed() -> None:
    png = assets.png(PACKET, compressed=True)
    at = png.index(b"XML:com.adobe.xmp") + 22
    broken = png[:at] + b"\xff\xff\xff\xff" + png[at + 4 :]
    assert find_xmp(broken).problem == "malformed"


def test_png_without_iend_is_truncated() -> None:
    png = assets.png(PACKET)
    assert find_xmp(png[:-12]).problem == "truncated"


def test_webp_riff_size_past_the_buffer_is_truncated() -> None:
    data = assets.webp(PACKET)
    assert find_xmp(data[:-30]).problem == "truncated"


def test_tiff_xmp_offset_past_the_buffer_is_truncated() -> None:
    data = assets.tiff(PACKET)
    assert find_xmp(data[: data.index(b"<?xpacket") + 10]).status == "unreadable"


def test_gif_without_its_trailer_is_truncated() -> None:
    assert find_xmp(assets.gif(PACKET)[:-1]).problem == "truncated"


def test_gif_xmp_without_magic_trailer_is_unreadable() -> None:
    data = assets.gif(None)
    broken = data[:-1] + b"\x21\xff\x0bXMP DataXMP" + PACKET + data[-1:]
    assert find_xmp(broken).status == "unreadable"


def test_bmff_box_size_past_the_buffer_is_truncated() -> None:
    data = assets.mp4(PACKET)
    assert find_xmp(data[:-10]).problem == "truncated"


def test_bmff_box_smaller_than_its_header_is_malformed() -> None:
    data = assets.mp4(None) + struct.pack(">I4s", 4, b"free")
    assert find_xmp(data).problem == "malformed"


def test_scanned_packet_without_end_is_truncated() -> None:
    assert find_xmp(b"junk" + PACKET[:60]).problem == "truncated"


def test_properties_in_attribute_and_element_form() -> None:
    xmp = assets.packet(
        '<plus:DataMining rdf:resource="http://ns.useplus.org/ldf/vocab/DMI-ALLOWED"/>'
        "<plus:OtherConstraints><rdf:Alt><rdf:li xml:lang='x-default'>ask first</rdf:li>"
        "</rdf:Alt></plus:OtherConstraints><plus:Note>plain</plus:Note>"
    )
    assert xmp_properties(xmp) == {
        "DataMining": ["http://ns.useplus.org/ldf/vocab/DMI-ALLOWED"],
        "OtherConstraints": ["ask first"],
        "Note": ["plain"],
    }
    assert xmp_properties(PACKET) == {"DataMining": [f"{assets.VOCAB}DMI-PROHIBITED"]}


def test_utf16_packet_is_read() -> None:
    text = PACKET.decode().replace('<?xpacket begin="\ufeff"', '<?xpacket begin=""', 1)
    assert xmp_properties(text.encode("utf-16"))["DataMining"] == [f"{assets.VOCAB}DMI-PROHIBITED"]


@pytest.mark.parametrize(
    ("packet", "problem"),
    [
        (b'<!DOCTYPE x [<!ENTITY a "aaaa">]><x:xmpmeta xmlns:x="adobe:ns:meta/"/>', "dtd"),
        (b"<x:xmpmeta xmlns:x='adobe:ns:meta/'><unclosed>", "malformed_xml"),
        (b"not xml at all", "malformed_xml"),
    ],
    ids=["dtd", "unclosed", "text"],
)
def test_unparseable_packet_raises(packet: bytes, problem: str) -> None:
    with pytest.raises(XmpError, match=problem):
        xmp_properties(packet)


def test_thousands_of_scanned_packets_are_unreadable_not_parsed() -> None:
    bare = b"<x:xmpmeta xmlns:x='adobe:ns:meta/'></x:xmpmeta>"
    result = find_xmp(b"junk" + bare * 5000)
    assert (result.status, result.problem, len(result.packets)) == (
        "unreadable",
        "too_many_packets",
        16,
    )


def test_unclosed_packet_longer_than_the_limit_is_oversize() -> None:
    result = find_xmp(b"junk<x:xmpmeta " + b" " * 2000, max_packet=1000)
    assert (result.status, result.problem) == ("unreadable", "oversize")
