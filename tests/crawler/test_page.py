"""The shared page parse: what counts as markup, read in its own encoding, read whole or not
at all."""

from __future__ import annotations

import pytest
from scrapy.http import Headers, HtmlResponse, Response
from scrapy.responsetypes import responsetypes

from crawler.page import Page, PageUnreadable
from crawler.text import readable_text

BODY = '<html><head><meta name="tdm-policy" content="https://é.example/policy"></head>'
BODY += "<body><p>Çà et là</p></body></html>"


def response(charset_in_header: str | None) -> HtmlResponse:
    content_type = "text/html" + (f"; charset={charset_in_header}" if charset_in_header else "")
    return HtmlResponse(
        "http://127.0.0.1/p", body=BODY.encode("utf-8"), headers={"Content-Type": content_type}
    )


def test_utf8_declared_only_in_the_header_is_read_as_utf8() -> None:
    page = Page(response("utf-8"))
    assert page.meta["tdm-policy"] == ["https://é.example/policy"]
    assert page.tree is not None and "Çà et là" in page.tree.text_content()
    assert readable_text(response("utf-8")) == "Çà et là"


def test_unparseable_or_empty_bodies_give_no_tree() -> None:
    empty = HtmlResponse("http://127.0.0.1/e", body=b"", headers={"Content-Type": "text/html"})
    assert Page(empty).tree is None and Page(empty).meta == {}


LD = '{"@context": "https://schema.org", "@type": "NewsArticle", "isAccessibleForFree": false}'
ARTICLE = (
    f'<html><head><script type="application/ld+json">{LD}</script></head>'
    f"<body><p>{'text ' * 2000}</p><script>var ld = 1;</script>"
    '<script type="application/ld+json">{broken</script></body></html>'
)


def test_json_ld_is_read_without_parsing_the_whole_page() -> None:
    page = Page(HtmlResponse("http://127.0.0.1/a", body=ARTICLE.encode(), encoding="utf-8"))
    blocks = page.json_ld
    assert "tree" not in page.__dict__
    assert len(blocks) == 2 and blocks[1].error
    assert blocks[0].items[0]["isAccessibleForFree"] is False


def test_json_ld_of_a_utf16_page_is_read_from_the_whole_document() -> None:
    body = ARTICLE.encode("utf-16")
    page = Page(
        HtmlResponse(
            "http://127.0.0.1/a", body=body, headers={"Content-Type": "text/html; charset=utf-16"}
        )
    )
    assert page.json_ld and page.json_ld[0].items[0]["isAccessibleForFree"] is False


def downloaded(url: str, body: bytes, content_type: str | None = None) -> Response:
    """The response class and headers Scrapy's download handler would give these bytes."""
    headers = Headers({"Content-Type": content_type} if content_type else {})
    cls = responsetypes.from_args(headers=headers, url=url, body=body)
    return cls(url, body=body, headers=headers)


MARKUP = b"<html lang=en><head><title>t</title></head><body><p>x</p></body></html>"


@pytest.mark.parametrize(
    ("url", "body", "content_type"),
    [
        ("http://127.0.0.1/a", MARKUP, "text/html"),
        ("http://127.0.0.1/a", MARKUP, "application/xml"),
        ("http://127.0.0.1/a", MARKUP, "text/xml"),
        ("http://127.0.0.1/a", MARKUP, "image/svg+xml"),
        ("http://127.0.0.1/a", b"\xef\xbb\xbf" + MARKUP, None),
        ("http://127.0.0.1/a", MARKUP.decode().encode("utf-16"), None),
        ("http://127.0.0.1/a", MARKUP, "text/plain"),
        ("http://127.0.0.1/a", b"notes first, then " + MARKUP, "text/plain"),
        ("http://127.0.0.1/a.html", MARKUP, "application/octet-stream"),
        ("http://127.0.0.1/a", b"  \n" + MARKUP, "application/octet-stream"),
        ("http://127.0.0.1/a.json", b'{"html": "<p>x</p>"}', "application/json"),
    ],
    ids=[
        "html",
        "application-xml",
        "text-xml",
        "svg",
        "bom-untyped",
        "utf16-untyped",
        "text-plain",
        "text-plain-tag-inside",
        "octet-html-url",
        "octet-sniffed",
        "json-with-tags",
    ],
)
def test_anything_a_later_component_may_parse_as_markup_is_markup(
    url: str, body: bytes, content_type: str | None
) -> None:
    assert Page(downloaded(url, body, content_type)).is_markup


@pytest.mark.parametrize(
    ("url", "body", "content_type"),
    [
        ("http://127.0.0.1/a.txt", b"a < b, c > d", "text/plain"),
        ("http://127.0.0.1/a.png", b"\x89PNG\r\n\x1a\n\x00\x00", "image/png"),
        ("http://127.0.0.1/a.pdf", b"%PDF-1.7\n\x00\x01<</Type>>", "application/pdf"),
        ("http://127.0.0.1/a", b"\x00\x01\x02<html>", "application/octet-stream"),
        ("http://127.0.0.1/a", b"%PDF-1.7\n\x00\x01<FEFF><</Type>>", "text/plain"),
    ],
    ids=["plain-text", "png", "pdf", "binary", "pdf-as-text-plain"],
)
def test_text_without_tags_and_binary_bodies_are_not_markup(
    url: str, body: bytes, content_type: str | None
) -> None:
    assert not Page(downloaded(url, body, content_type)).is_markup


DEEP = b"<html><head></head><body>" + b"<font>" * 3000 + b'<meta name="robots" content="noai">'


def test_a_parse_stopped_by_depth_is_unreadable_in_every_view() -> None:
    for view in ("tree", "meta", "head"):
        with pytest.raises(PageUnreadable, match="stopped early") as raised:
            getattr(Page(downloaded("http://127.0.0.1/d", DEEP, "text/html")), view)
        assert "depth" in raised.value.evidence["error"]


def test_a_deep_head_is_unreadable_too() -> None:
    body = b"<html><head>" + b"<b>" * 3000 + b"</head><body>x</body></html>"
    with pytest.raises(PageUnreadable) as raised:
        _ = Page(downloaded("http://127.0.0.1/d", body, "text/html")).meta
    assert raised.value.evidence["part"] == "head"


def test_deep_json_ld_scripts_are_read_without_the_tree() -> None:
    body = DEEP + b'<script type="application/ld+json">{"isAccessibleForFree": false}</script>'
    page = Page(downloaded("http://127.0.0.1/d", body, "text/html"))
    assert page.json_ld[0].items == ({"isAccessibleForFree": False},)


def test_nesting_within_the_parsers_reach_is_read_whole() -> None:
    body = b"<html><body>" + b"<div>" * 1500 + b'<meta name="robots" content="noai">'
    assert Page(downloaded("http://127.0.0.1/d", body, "text/html")).meta["robots"] == ["noai"]


def test_readable_text_follows_the_same_decision() -> None:
    assert readable_text(downloaded("http://127.0.0.1/a", MARKUP, "text/plain")) == "x"
    assert readable_text(downloaded("http://127.0.0.1/a", b"a < b", "text/plain")) == "a < b"
    assert readable_text(downloaded("http://127.0.0.1/d", DEEP, "text/html")) == ""


def test_an_encoding_libxml2_does_not_know_is_decoded_by_python() -> None:
    body = '<html><head><meta name="robots" content="noai"></head><body>日本</body></html>'
    response = HtmlResponse(
        "http://127.0.0.1/j", body=body.encode("shift_jis_2004"), encoding="shift_jis_2004"
    )
    page = Page(response)
    assert page.meta["robots"] == ["noai"] and page.tree is not None
    assert "日本" in page.tree.text_content()
