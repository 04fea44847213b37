"""The shared page parse reads the body in the response's own encoding."""

from __future__ import annotations

from scrapy.http import HtmlResponse

from crawler.page import Page
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
