"""EPUB books built here with zipfile: TDMRep in the package document, text, hostile archives."""

from __future__ import annotations

import io
import zipfile

import pytest

from reservations import epub
from reservations.epub import read_epub

CONTAINER = b"""<?xml version="1.0"?>
<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">
  <rootfiles>
    <rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/>
  </rootfiles>
</container>"""


def package(meta: str = "", prefix: str = "", spine: tuple[str, ...] = ("c1", "c2")) -> bytes:
    prefix_attr = f' prefix="{prefix}"' if prefix else ""
    items = "".join(
        f'<item id="{i}" href="text/{i}.xhtml" media-type="application/xhtml+xml"/>' for i in spine
    )
    refs = "".join(f'<itemref idref="{i}"/>' for i in spine)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="id"{prefix_attr}>
  <metadata xmlns:dc="http://purl.org/dc/elements/1.1/">
    <dc:identifier id="id">urn:uuid:1</dc:identifier>
    <dc:title>A  Book of
      Tests</dc:title>
    <dc:language>fr</dc:language>
    {meta}
  </metadata>
  <manifest>
    <item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>
    <item id="css" href="style.css" media-type="text/css"/>
    {items}
  </manifest>
  <spine>{refs}</spine>
</package>""".encode()


def chapter(title: str, body: str) -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE html>
<html xmlns="http://www.w3.org/1999/xhtml"><head><title>{title}</title>
<style>p {{ color: red }}</style></head>
<body><h1>{title}</h1>{body}<script>var hidden = 1;</script></body></html>""".encode()


def build(
    opf: bytes | None = None,
    extra: dict[str, bytes] | None = None,
    compression: int = zipfile.ZIP_DEFLATED,
) -> bytes:
    members = {
        "META-INF/container.xml": CONTAINER,
        "OEBPS/content.opf": opf if opf is not None else package(),
        "OEBPS/text/c1.xhtml": chapter("One", "<p>First&nbsp;paragraph.</p><p>Second.</p>"),
        "OEBPS/text/c2.xhtml": chapter("Two", "<div>Last <em>words</em>.</div>"),
        **(extra or {}),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        archive.writestr("mimetype", "application/epub+zip", zipfile.ZIP_STORED)
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_a_book_without_tdmrep_is_unset_and_its_spine_text_is_read_in_order() -> None:
    book = read_epub(build())
    assert book.status == "ok" and book.reason is None
    assert book.tdm_reservation is None and book.tdm_policy is None
    assert book.title == "A Book of Tests" and book.language == "fr"
    assert book.text == "One\nFirst paragraph.\nSecond.\nTwo\nLast words."
    assert not book.text_truncated


def test_epub3_meta_with_the_declared_tdm_prefix_reserves_and_gives_the_policy() -> None:
    meta = (
        '<meta property="tdm:reservation">1</meta>'
        '<meta property="tdm:policy">https://example.com/policy.json</meta>'
    )
    book = read_epub(build(package(meta, prefix="tdm: http://www.w3.org/ns/tdmrep#")))
    assert book.tdm_reservation is True
    assert book.tdm_policy == "https://example.com/policy.json"


def test_a_prefix_of_another_name_bound_to_the_tdmrep_namespace_counts() -> None:
    meta = '<meta property="rights:reservation">0</meta>'
    book = read_epub(build(package(meta, prefix="rights: http://www.w3.org/ns/tdmrep#")))
    assert book.tdm_reservation is False


def test_the_plain_tdm_prefix_counts_even_undeclared() -> None:
    book = read_epub(build(package('<meta property="tdm:reservation">1</meta>')))
    assert book.tdm_reservation is True


def test_a_prefix_bound_elsewhere_is_not_tdmrep() -> None:
    meta = '<meta property="x:reservation">1</meta>'
    book = read_epub(build(package(meta, prefix="x: http://example.com/other#")))
    assert book.tdm_reservation is None


def test_the_epub2_name_content_form_is_read() -> None:
    meta = (
        '<meta name="tdm-reservation" content="1"/>'
        '<meta name="tdm-policy" content="https://example.com/p"/>'
    )
    book = read_epub(build(package(meta)))
    assert book.tdm_reservation is True and book.tdm_policy == "https://example.com/p"


def test_conflicting_reservations_keep_the_restrictive_one_and_invalid_values_are_unset() -> None:
    both = '<meta property="tdm:reservation">0</meta><meta name="tdm-reservation" content="1"/>'
    assert read_epub(build(package(both))).tdm_reservation is True
    invalid = '<meta property="tdm:reservation">yes</meta>'
    assert read_epub(build(package(invalid))).tdm_reservation is None


def test_a_relative_policy_is_resolved_against_the_book_url_or_dropped() -> None:
    opf = package('<meta property="tdm:policy">/policy.json</meta>')
    assert read_epub(build(opf)).tdm_policy is None
    book = read_epub(build(opf), base_url="https://books.example/b.epub")
    assert book.tdm_policy == "https://books.example/policy.json"


def test_the_text_is_cut_at_the_cap_and_says_so() -> None:
    book = read_epub(build(), max_text=10)
    assert book.status == "ok" and book.text == "One\nFirst " and book.text_truncated


def test_a_stored_archive_and_percent_encoded_hrefs_are_read() -> None:
    opf = package().replace(b'href="text/c1.xhtml"', b'href="text/c%31.xhtml"')
    book = read_epub(build(opf, compression=zipfile.ZIP_STORED))
    assert book.status == "ok" and book.text.startswith("One")


def test_an_external_entity_is_never_fetched_and_makes_the_book_unreadable() -> None:
    opf = (
        package()
        .replace(
            b'<?xml version="1.0" encoding="UTF-8"?>',
            b'<?xml version="1.0"?><!DOCTYPE package [<!ENTITY x SYSTEM "file:///etc/passwd">]>',
        )
        .replace(b"<dc:language>fr", b"<dc:language>&x;fr")
    )
    book = read_epub(build(opf))
    assert book.status == "unreadable" and "Entity 'x' not defined" in (book.reason or "")


def test_an_internal_entity_carrying_the_reservation_counts() -> None:
    opf = package('<meta property="tdm:reservation">&r;</meta>').replace(
        b'<?xml version="1.0" encoding="UTF-8"?>',
        b'<?xml version="1.0"?><!DOCTYPE package [<!ENTITY r "1">]>',
    )
    assert read_epub(build(opf)).tdm_reservation is True


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "not a ZIP archive"),
        (b"PK\x03\x04 garbage", "not a ZIP archive"),
        (build()[:-30], "not a ZIP archive"),
    ],
)
def test_garbage_and_truncated_archives_are_unreadable(data: bytes, reason: str) -> None:
    book = read_epub(data)
    assert book.status == "unreadable" and book.reason is not None and reason in book.reason


def test_a_book_without_a_container_or_package_is_unreadable() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/epub+zip")
    book = read_epub(buffer.getvalue())
    assert book.status == "unreadable" and book.reason == "META-INF/container.xml: missing"
    broken = read_epub(build(b"<package><metadata>"))
    assert broken.status == "unreadable" and "not well-formed" in (broken.reason or "")


def test_a_spine_item_missing_from_the_manifest_or_the_archive_is_unreadable() -> None:
    opf = package().replace(b'<itemref idref="c2"/>', b'<itemref idref="ghost"/>')
    assert "not in the manifest" in (read_epub(build(opf)).reason or "")
    missing = package(spine=("c1", "c3"))
    assert read_epub(build(missing)).reason == "OEBPS/text/c3.xhtml: missing"


def test_a_zip_bomb_member_is_refused_on_its_ratio_before_it_is_inflated() -> None:
    bomb = b"\0" * 5_000_000  # deflates about a thousandfold, under the size cap
    book = read_epub(build(extra={"OEBPS/text/c2.xhtml": bomb}))
    assert book.status == "unreadable"
    ratio = f"compression ratio over {epub.MAX_RATIO}: a ZIP bomb"
    assert book.reason == f"OEBPS/text/c2.xhtml: {ratio}"


def test_a_member_claiming_100_mb_is_refused_on_its_declared_size() -> None:
    data = bytearray(build(compression=zipfile.ZIP_STORED))
    name = b"OEBPS/text/c2.xhtml"
    # Patch the central directory's uncompressed size (offset 24 of the entry) to 100 MB.
    entry = data.rindex(b"PK\x01\x02", 0, data.rindex(name))
    data[entry + 24 : entry + 28] = (100_000_000).to_bytes(4, "little")
    book = read_epub(bytes(data))
    assert book.status == "unreadable"
    assert book.reason is not None and "declares 100000000 bytes" in book.reason


def test_a_member_whose_header_understates_its_size_is_stopped_at_the_declared_size() -> None:
    data = bytearray(build(compression=zipfile.ZIP_STORED))
    name = b"OEBPS/text/c1.xhtml"
    entry = data.rindex(b"PK\x01\x02", 0, data.rindex(name))
    data[entry + 24 : entry + 28] = (10).to_bytes(4, "little")  # the real size is larger
    book = read_epub(bytes(data))
    assert book.status == "unreadable" and "OEBPS/text/c1.xhtml" in (book.reason or "")


def test_too_many_members_is_unreadable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(epub, "MAX_MEMBERS", 5)
    book = read_epub(build(extra={f"OEBPS/img{i}.png": b"x" for i in range(5)}))
    assert book.status == "unreadable" and book.reason == "more than 5 members"


def test_the_byte_budget_for_the_whole_book_is_enforced(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(epub, "MAX_TOTAL_BYTES", 1_000)
    book = read_epub(build())
    assert book.status == "unreadable" and "over the cap" in (book.reason or "")


def test_a_book_whose_chapters_are_encrypted_is_unreadable() -> None:
    encryption = b"""<encryption xmlns="urn:oasis:names:tc:opendocument:xmlns:container"
        xmlns:enc="http://www.w3.org/2001/04/xmlenc#">
      <enc:EncryptedData><enc:CipherData>
        <enc:CipherReference URI="OEBPS/text/c1.xhtml"/>
      </enc:CipherData></enc:EncryptedData></encryption>"""
    book = read_epub(build(extra={epub.ENCRYPTION: encryption}))
    assert book.status == "unreadable" and book.reason == "the spine is encrypted (DRM)"


def test_an_obfuscated_font_does_not_make_the_book_unreadable() -> None:
    encryption = b"""<encryption xmlns="urn:oasis:names:tc:opendocument:xmlns:container"
        xmlns:enc="http://www.w3.org/2001/04/xmlenc#">
      <enc:EncryptedData><enc:CipherData>
        <enc:CipherReference URI="OEBPS/fonts/a.otf"/>
      </enc:CipherData></enc:EncryptedData></encryption>"""
    assert read_epub(build(extra={epub.ENCRYPTION: encryption})).status == "ok"


def test_deeply_nested_chapter_markup_does_not_exhaust_the_stack() -> None:
    deep = "<span>" * 1_500 + "deep" + "</span>" * 1_500  # past Python's recursion limit
    book = read_epub(build(extra={"OEBPS/text/c2.xhtml": chapter("Two", deep)}))
    assert book.status == "ok" and "deep" in book.text
