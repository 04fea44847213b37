"""What counts as a page, and a parse that must see all of it, through one real crawl.

Every response a later component may read as markup is judged as markup, whatever its
Content-Type; markup nested past the parser's depth is read in full or denied; login walls,
JSON-LD with media type parameters, RDFa paywalls and images known by their extension.
"""

from __future__ import annotations

import json

import pytest
from werkzeug import Request, Response

from tests.crawler.checks.optout_site import Site, crawl_sites

NOAI = '<meta name="robots" content="noai">'
PAYWALL = {"@context": "https://schema.org", "@type": "NewsArticle", "isAccessibleForFree": False}
LD = f'<script type="application/ld+json">{json.dumps(PAYWALL)}</script>'
# No image signature: only the URL's extension says these are images.
UNSIGNED = b"\x00\x01 image bytes"


def doc(head: str = "", body: str = "<p>words</p>", open_tag: str = "<html lang=en>") -> str:
    return f"{open_tag}<head><title>t</title>{head}</head><body>{body}</body></html>"


def untyped(body: bytes, headers: dict[str, str] | None = None):
    """A werkzeug handler answering ``body`` with no Content-Type at all."""

    def handler(request: Request) -> Response:
        response = Response(body, headers=headers or {})
        del response.headers["Content-Type"]
        return response

    return handler


def nested(tag: str, depth: int, signal: str) -> str:
    """``signal`` after ``depth`` unclosed ``tag`` elements, as hostile or old tag soup has."""
    return doc(body=f"<{tag}>" * depth + signal + "<p>last words</p>")


XHTML = (
    '<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><head>'
    f"{NOAI.replace('>', '/>')}</head><body><p>x</p></body></html>"
)
MICRODATA = (
    '<div itemscope itemtype="https://schema.org/NewsArticle">'
    '<meta itemprop="isAccessibleForFree" content="false"></div>'
)
AMP = '<section subscriptions-section="content">paid words</section>'
TIER = '<meta property="article:content_tier" content="locked">'
TDM = '<meta name="tdm-reservation" content="1">'
# A trivial microdata property makes the paywall check parse the whole page.
LD_DEEP = '<span itemprop="name">n</span>' + LD

# path: (route, reason of the deny or None when the page is kept)
CASES: dict[str, tuple[object, str | None]] = {
    # §2: markup whatever the Content-Type says.
    "/xhtml-as-application-xml": ((XHTML, {}, "application/xml"), "noai.noai"),
    "/xhtml-as-text-xml": ((doc(LD), {}, "text/xml"), "paywall.schema_org"),
    "/bom-no-type": (untyped(b"\xef\xbb\xbf" + doc(NOAI).encode()), "noai.noai"),
    "/bom-no-type-paywall": (untyped(b"\xef\xbb\xbf" + doc(LD).encode()), "paywall.schema_org"),
    "/utf16-no-type": (untyped(doc(NOAI).encode("utf-16")), "noai.noai"),
    "/html-as-text-plain": ((doc(NOAI), {}, "text/plain"), "noai.noai"),
    "/paywall-as-text-plain": ((doc(LD), {}, "text/plain; charset=utf-8"), "paywall.schema_org"),
    "/text-then-html-as-plain": (("Notes\n" + doc(TDM), {}, "text/plain"), "tdmrep.reserved"),
    "/octet.html": ((doc(NOAI), {}, "application/octet-stream"), "noai.noai"),
    "/octet-paywall.html": ((doc(LD), {}, "application/octet-stream"), "paywall.schema_org"),
    "/plain-html-kept": ((doc(), {}, "text/plain"), None),
    # Text without a tag is no page: "other" content, which no crawl keeps.
    "/plain-text": (("a < b and c > d\n", {}, "text/plain"), "content.kind_not_collected"),
    # §3: past lxml's default depth (256) the signals are still read...
    "/deep-amp": (nested("div", 260, AMP), "paywall.amp"),
    "/deep-tier": (nested("font", 260, TIER), "paywall.content_tier"),
    "/deep-microdata": (nested("b", 260, MICRODATA), "paywall.schema_org"),
    "/deep-noai": (nested("div", 260, NOAI), "noai.noai"),
    "/deep-tdm": (nested("font", 260, TDM), "tdmrep.reserved"),
    "/deep-json-ld": (nested("b", 260, LD_DEEP), "paywall.schema_org"),
    "/deep-nothing": (nested("div", 300, ""), None),
    # ...and past any depth the parser reads, the page is unreadable, never "nothing found".
    "/deeper-noai": (nested("div", 2100, NOAI), "page.unreadable"),
    "/deeper-microdata": (nested("b", 2100, MICRODATA), "page.unreadable"),
    # §7: JSON-LD with a media type parameter, RDFa, images by extension.
    "/ld-charset": (
        doc(LD.replace("ld+json", "ld+json; charset=utf-8")),
        "paywall.schema_org",
    ),
    "/rdfa": (
        doc(
            body='<div vocab="https://schema.org/" typeof="NewsArticle">'
            '<meta property="isAccessibleForFree" content="false"><p>x</p></div>'
        ),
        "paywall.schema_org",
    ),
    "/rdfa-prefixed-text": (
        doc(
            body='<div prefix="schema: https://schema.org/" typeof="schema:Article">'
            '<span property="schema:isAccessibleForFree">False</span></div>'
        ),
        "paywall.schema_org",
    ),
    "/rdfa-event": (
        doc(
            body='<div vocab="https://schema.org/" typeof="MusicEvent">'
            '<meta property="isAccessibleForFree" content="false"></div>'
        ),
        None,
    ),
    "/photo.png": (untyped(UNSIGNED, {"X-Robots-Tag": "noimageai"}), "noai.noimageai"),
    "/photo.jpg": (
        (UNSIGNED, {"X-Robots-Tag": "noimageai"}, "application/octet-stream"),
        "noai.noimageai",
    ),
    "/page-noimageai": ((doc(), {"X-Robots-Tag": "noimageai"}), None),
    # §7: login walls where the source path matches a pattern too.
    "/subscribers/story-7": (
        ("", {"Location": "/subscribe?return=/subscribers/story-7"}, "text/html", 302),
        "access.login_redirect",
    ),
    "/login-needed.html": (
        ("", {"Location": "/account/login"}, "text/html", 302),
        "access.login_redirect",
    ),
    "/account/login/": (("", {"Location": "/account/login"}, "text/html", 301), None),
}
TARGETS = {"/subscribe": doc(), "/account/login": doc()}
SITES = {"pages": Site({**{p: route for p, (route, _) in CASES.items()}, **TARGETS}, list(CASES))}


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    # Images kept too, so that noimageai (not the kinds kept) is what denies them.
    settings = {"HEED_CONTENT": ["html", "image"]}
    with crawl_sites(tmp_path_factory.mktemp("pages"), SITES, settings) as crawl:
        yield crawl


@pytest.mark.parametrize("path", [p for p, (_, reason) in CASES.items() if reason], ids=str)
def test_denied_and_never_kept(crawled, path) -> None:
    decision = crawled.decision("pages", path, "response")
    assert (decision["decision"], decision["reason"]) == ("deny", CASES[path][1]), decision
    assert not crawled.kept("pages", path)


@pytest.mark.parametrize("path", [p for p, (_, reason) in CASES.items() if not reason], ids=str)
def test_kept(crawled, path) -> None:
    assert crawled.decision("pages", path, "response")["decision"] == "allow"


def test_markup_served_as_another_type_was_read_as_markup(crawled) -> None:
    evidence = crawled.decision("pages", "/octet.html", "response")["evidence"]
    assert evidence["noai"]["directives"][0]["source"] == 'meta name="robots"'
    findings = crawled.decision("pages", "/octet.html", "response")["findings"]
    assert findings["paywall"]["reason"] == "paywall.none"


def test_html_as_plain_text_is_a_page_and_text_without_tags_is_not(crawled) -> None:
    items = {item["url"]: item for item in crawled.result.items}
    kept = items[crawled.url("pages", "/plain-html-kept")]
    assert kept["kind"] == "html" and kept["text"] == "words"
    plain = crawled.decision("pages", "/plain-text", "response")
    assert plain["evidence"]["content"]["kind"] == "other"
    assert plain["findings"]["paywall"]["reason"] == "paywall.not_markup"


def test_a_deep_page_with_nothing_to_find_is_read_to_its_end(crawled) -> None:
    item = next(i for i in crawled.result.items if i["url"].endswith("/deep-nothing"))
    assert item["text"].endswith("last words")
    assert crawled.decision("pages", "/deep-nothing", "response")["reason"] != "page.unreadable"


def test_an_unreadable_page_says_where_the_parse_stopped(crawled) -> None:
    decision = crawled.decision("pages", "/deeper-noai", "response")
    evidence = decision["evidence"][decision["check"]]
    assert evidence["why"] == "parse stopped early" and "depth" in evidence["error"]


def test_login_wall_targets_are_never_requested(crawled) -> None:
    assert crawled.hits("pages", "/subscribe") == 0
    itself = crawled.decision("pages", "/account/login/", "response")["findings"]["access"]
    assert itself["reason"] == "access.open"
