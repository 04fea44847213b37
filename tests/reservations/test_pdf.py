"""PDFs built here with pypdf: TDMRep and plus:DataMining in XMP, text, hostile files."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfWriter
from pypdf.generic import (
    DecodedStreamObject,
    DictionaryObject,
    NameObject,
    TextStringObject,
)

from reservations.pdf import DATA_MINING, read_pdf, xmp_values
from reservations.safexml import XmlError

W3C = "http://www.w3.org/ns/tdmrep#"
PLUS = "http://ns.useplus.org/ldf/xmp/1.0/"
PROHIBITED = "http://ns.useplus.org/ldf/vocab/DMI-PROHIBITED"


def xmp(description_attrs: str = "", body: str = "", namespaces: str = "") -> bytes:
    return f"""<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/"
      xmlns:tdm="{W3C}" xmlns:plus="{PLUS}" {namespaces} {description_attrs}>
   <dc:title><rdf:Alt><rdf:li xml:lang="x-default">A report</rdf:li></rdf:Alt></dc:title>
   {body}
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>""".encode()


def page_text_stream(text: str) -> DecodedStreamObject:
    stream = DecodedStreamObject()
    stream.set_data(f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode())
    return stream


def build(
    pages: tuple[str, ...] = ("Hello page one", "Page two here"),
    metadata: bytes | None = None,
    encrypt: bool = False,
) -> bytes:
    writer = PdfWriter()
    font = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Helvetica"),
        }
    )
    for text in pages:
        page = writer.add_blank_page(612, 792)
        page[NameObject("/Resources")] = DictionaryObject(
            {NameObject("/Font"): DictionaryObject({NameObject("/F1"): font})}
        )
        page[NameObject("/Contents")] = writer._add_object(page_text_stream(text))
    if metadata is not None:
        writer.xmp_metadata = metadata
    if encrypt:
        writer.encrypt(user_password="", owner_password="owner", algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def test_a_pdf_without_xmp_is_unset_and_its_text_is_read() -> None:
    document = read_pdf(build())
    assert document.status == "ok" and document.reason is None
    assert not document.has_xmp and document.tdm_reservation is None
    assert document.pages == 2
    assert document.text == "Hello page one\nPage two here" and not document.text_truncated


def test_tdmrep_as_description_attributes_in_the_w3c_namespace_reserves() -> None:
    attrs = 'tdm:reservation="1" tdm:policy="https://example.com/policy.json"'
    document = read_pdf(build(metadata=xmp(attrs)))
    assert document.has_xmp and document.tdm_reservation is True
    assert document.tdm_policy == "https://example.com/policy.json"


def test_tdmrep_as_elements_in_another_tdm_namespace_is_read() -> None:
    body = "<t:reservation>0</t:reservation><t:policy>https://example.com/p</t:policy>"
    document = read_pdf(build(metadata=xmp(body=body, namespaces='xmlns:t="http://tdmrep.org/"')))
    assert document.tdm_reservation is False and document.tdm_policy == "https://example.com/p"


def test_a_reservation_in_a_namespace_without_tdm_is_not_tdmrep() -> None:
    body = "<o:reservation>1</o:reservation>"
    document = read_pdf(build(metadata=xmp(body=body, namespaces='xmlns:o="http://ex.com/o#"')))
    assert document.status == "ok" and document.tdm_reservation is None


def test_conflicting_tdmrep_values_keep_the_restrictive_one() -> None:
    body = "<tdm:reservation>1</tdm:reservation>"
    document = read_pdf(build(metadata=xmp('tdm:reservation="0"', body)))
    assert document.tdm_reservation is True


def test_plus_data_mining_raw_values_are_returned_as_resource_or_text() -> None:
    as_resource = xmp(body=f'<plus:DataMining rdf:resource="{PROHIBITED}"/>')
    assert read_pdf(build(metadata=as_resource)).data_mining == (PROHIBITED,)
    as_text = xmp(body=f"<plus:DataMining>{PROHIBITED}</plus:DataMining>")
    assert read_pdf(build(metadata=as_text)).data_mining == (PROHIBITED,)


def test_metadata_only_reading_skips_the_text() -> None:
    document = read_pdf(build(metadata=xmp('tdm:reservation="1"')), text=False)
    assert document.tdm_reservation is True and document.text == "" and document.pages is None


def test_the_text_is_capped_by_pages_and_by_characters() -> None:
    data = build(pages=("first", "second", "third"))
    by_pages = read_pdf(data, max_pages=2)
    assert by_pages.text == "first\nsecond" and by_pages.text_truncated
    by_chars = read_pdf(data, max_chars=8)
    assert by_chars.text == "first\nse" and by_chars.text_truncated


def test_malformed_xmp_makes_the_file_unreadable_not_unreserved() -> None:
    document = read_pdf(build(metadata=b"<x:xmpmeta><rdf:RDF>"))
    assert document.status == "unreadable" and document.has_xmp
    assert document.reason is not None and document.reason.startswith("XMP metadata:")


def test_an_xmp_packet_with_an_external_entity_fetches_nothing_and_is_unreadable() -> None:
    packet = (
        b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
        + xmp(body="<tdm:reservation>&e;1</tdm:reservation>").split(b"?>", 1)[1]
    )
    document = read_pdf(build(metadata=packet))
    assert document.status == "unreadable" and "Entity 'e' not defined" in (document.reason or "")


def test_an_xmp_billion_laughs_is_refused() -> None:
    entities = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    packet = (
        f'<!DOCTYPE x [<!ENTITY l0 "lol">{entities}]>'.encode()
        + xmp(body="<tdm:policy>&l9;</tdm:policy>").split(b"?>", 1)[1]
    )
    document = read_pdf(build(metadata=packet))
    assert document.status == "unreadable" and "amplification" in (document.reason or "")


def test_metadata_that_is_not_a_stream_is_unreadable() -> None:
    writer = PdfWriter()
    writer.add_blank_page(100, 100)
    writer.root_object[NameObject("/Metadata")] = TextStringObject("not a stream")
    buffer = io.BytesIO()
    writer.write(buffer)
    document = read_pdf(buffer.getvalue())
    assert document.status == "unreadable" and "not a stream" in (document.reason or "")


def test_an_encrypted_pdf_is_unreadable_even_with_an_empty_user_password() -> None:
    document = read_pdf(build(metadata=xmp('tdm:reservation="0"'), encrypt=True))
    assert document.status == "unreadable" and document.reason == "encrypted"


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"%PDF-1.7\n" + b"\x00garbage\xff" * 1000,
        b"not a pdf at all",
    ],
)
def test_garbage_is_unreadable_never_empty(data: bytes) -> None:
    document = read_pdf(data)
    assert document.status == "unreadable" and document.reason and document.text == ""


def test_a_truncated_pdf_is_unreadable_or_reads_what_it_holds() -> None:
    data = build(metadata=xmp('tdm:reservation="1"'))
    document = read_pdf(data[: len(data) // 3])
    # Recovery may rebuild the file from its objects; it must never lose the reservation.
    assert document.status == "unreadable" or document.tdm_reservation is True


def raw_pdf(*objects: bytes) -> bytes:
    """A PDF written by hand, object 1 the catalog, with a correct cross-reference table."""
    out = b"%PDF-1.7\n"
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return out


PAGES = b"<< /Type /Pages /Kids [] /Count 0 >>"


def test_a_hand_written_pdf_reads_so_the_hostile_ones_below_fail_for_their_own_reason() -> None:
    document = read_pdf(raw_pdf(b"<< /Type /Catalog /Pages 2 0 R >>", PAGES))
    assert document.status == "ok" and document.pages == 0


def test_absurdly_nested_objects_are_unreadable_not_a_crash() -> None:
    nested = b"[" * 100_000 + b"]" * 100_000
    data = raw_pdf(b"<< /Type /Catalog /Pages 2 0 R /Metadata 3 0 R >>", PAGES, nested)
    document = read_pdf(data)
    assert document.status == "unreadable" and "Recursion" in (document.reason or "")


def test_a_file_over_the_byte_limit_is_refused_before_parsing() -> None:
    document = read_pdf(build(), max_bytes=100)
    assert document.status == "unreadable" and document.reason == "larger than 100 bytes"


def test_xmp_values_keys_by_namespace_and_reads_array_items() -> None:
    packet = xmp(
        'tdm:reservation="1"',
        body="<dc:rights><rdf:Alt><rdf:li xml:lang='en'>No mining</rdf:li>"
        "<rdf:li xml:lang='fr'>Pas de fouille</rdf:li></rdf:Alt></dc:rights>",
    )
    values = xmp_values(packet, ("reservation", "rights", "DataMining"))
    assert values == {
        f"{{{W3C}}}reservation": ["1"],
        "{http://purl.org/dc/elements/1.1/}rights": ["No mining", "Pas de fouille"],
    }
    assert DATA_MINING not in values


def test_xmp_values_raises_on_malformed_packets() -> None:
    with pytest.raises(XmlError):
        xmp_values(b"<x:xmpmeta", ("reservation",))
