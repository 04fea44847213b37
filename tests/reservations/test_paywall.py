"""The paywall verdict from documented publisher markup: schema.org, content_tier, AMP."""

from __future__ import annotations

import json

import pytest
from scrapy.http import HtmlResponse

from crawler.page import Page, PageUnreadable
from reservations.paywall import PaywallDecision, decide_paywall, find_paywall, needs_document


def decide(markup: str, partial: str = "deny", encoding: str = "utf-8") -> PaywallDecision:
    response = HtmlResponse(
        "https://news.example/a",
        body=markup.encode(encoding),
        headers={"Content-Type": f"text/html; charset={encoding}"},
    )
    page = Page(response)
    findings = find_paywall(page.tree, response.body, page.meta, page.json_ld)
    return decide_paywall(findings, page.tree, response.body, partial)  # type: ignore[arg-type]


def json_ld(data: object) -> str:
    return f'<script type="application/ld+json">{json.dumps(data)}</script>'


ARTICLE = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": "Headline"}
# Google Search Central, "Subscription and paywalled content" structured data.
GOOGLE_PAYWALLED = {
    **ARTICLE,
    "isAccessibleForFree": False,
    "hasPart": {"@type": "WebPageElement", "isAccessibleForFree": False, "cssSelector": ".paywall"},
}
PARTIAL_BODY = (
    '<body><div class="non-paywall">Free intro</div>'
    '<div class="paywall">Paid <b>analysis</b></div><p>Free outro</p></body>'
)


def page(head: str = "", body: str = "<body><p>Text</p></body>") -> str:
    return f"<!DOCTYPE html><html><head><meta charset='utf-8'>{head}</head>{body}</html>"


@pytest.mark.parametrize(
    ("head", "body", "reason", "where"),
    [
        (
            json_ld({**ARTICLE, "isAccessibleForFree": False}),
            "",
            "paywall.schema_org",
            "json-ld[0]/isAccessibleForFree",
        ),
        (
            '<meta property="article:content_tier" content="locked">',
            "",
            "paywall.content_tier",
            "meta article:content_tier",
        ),
        (
            '<meta name="article:content_tier" content="Metered">',
            "",
            "paywall.content_tier",
            "meta article:content_tier",
        ),
        (
            '<meta property="article:content_tier" content="premium">',
            "",
            "paywall.content_tier",
            "meta article:content_tier",
        ),
        (
            '<script async custom-element="amp-subscriptions" '
            'src="https://cdn.ampproject.org/v0/amp-subscriptions-0.1.js"></script>',
            '<body><section subscriptions-section="content-not-granted">Subscribe</section>'
            '<section subscriptions-section="content">Premium</section></body>',
            "paywall.amp",
            "/html/body/section[2]",
        ),
        (
            '<script id="amp-access" type="application/json">{"authorization": "x"}</script>',
            '<body><p>Teaser</p><div amp-access="access" amp-access-hide>Full text</div></body>',
            "paywall.amp",
            "/html/body/div",
        ),
        (
            '<script type="application/ld+json">{"isAccessibleForFree": false,}}</script>',
            "",
            "paywall.unreadable_markup",
            "json-ld[0]",
        ),
    ],
    ids=[
        "google-not-free",
        "og-locked",
        "og-metered-name-attr",
        "og-unknown-tier",
        "amp-subscriptions",
        "amp-access-hide",
        "malformed-json-ld-naming-it",
    ],
)
def test_whole_page_paywall_signals_deny_with_evidence(
    head: str, body: str, reason: str, where: str
) -> None:
    decision = decide(page(head, body or "<body><p>Text</p></body>"))
    assert decision.verdict.decision == "deny" and decision.verdict.reason == reason
    assert decision.verdict.evidence["where"] == where
    assert decision.free_part is None


@pytest.mark.parametrize(
    "head",
    [
        "",
        '<meta property="article:content_tier" content="free">',
        json_ld({**ARTICLE, "isAccessibleForFree": True}),
        json_ld({"@type": "MusicEvent", "isAccessibleForFree": False}),
        '<script type="application/ld+json">{"broken": </script>',
        '<script async custom-element="amp-subscriptions" src="x.js"></script>',
    ],
    ids=[
        "plain",
        "og-free",
        "declared-free",
        "paid-concert",
        "unrelated-broken-block",
        "amp-no-gated-section",
    ],
)
def test_free_pages_are_allowed(head: str) -> None:
    decision = decide(page(head))
    assert decision.verdict.decision == "allow" and decision.verdict.reason == "paywall.none"


def test_a_broken_block_does_not_hide_the_paywall_in_the_next_one() -> None:
    head = '<script type="application/ld+json">{"@type": "Breadcrumb",</script>' + json_ld(
        {**ARTICLE, "isAccessibleForFree": "False"}
    )
    decision = decide(page(head))
    assert decision.verdict.reason == "paywall.schema_org"
    assert decision.verdict.evidence["where"] == "json-ld[1]/isAccessibleForFree"


def test_conflicting_signals_deny_and_list_every_signal() -> None:
    head = json_ld({**ARTICLE, "isAccessibleForFree": True}) + (
        '<meta property="article:content_tier" content="metered">'
    )
    decision = decide(page(head + json_ld({"@type": "WebPage", "isAccessibleForFree": "no"})))
    evidence = decision.verdict.evidence
    assert decision.verdict.reason == "paywall.schema_org" and evidence["value"] == "no"
    assert [s["signal"] for s in evidence["also"]] == ["article:content_tier"]


def test_partly_paywalled_page_is_denied_by_default() -> None:
    # Google's example declares the article not free *and* names the paid part: partial.
    decision = decide(page(json_ld(GOOGLE_PAYWALLED), PARTIAL_BODY))
    assert decision.verdict.reason == "paywall.schema_org_partial"
    assert decision.verdict.evidence["selectors"] == [".paywall"]
    assert decision.free_part is None


def test_keep_free_passes_the_page_on_without_the_paid_elements() -> None:
    decision = decide(page(json_ld(GOOGLE_PAYWALLED), PARTIAL_BODY), partial="keep_free")
    assert decision.verdict.decision == "allow"
    assert decision.verdict.reason == "paywall.free_part_kept"
    assert decision.verdict.evidence["removed_elements"] == 1
    assert decision.free_part is not None
    assert b"Free intro" in decision.free_part and b"Free outro" in decision.free_part
    assert b"analysis" not in decision.free_part and b"Paid" not in decision.free_part
    assert decision.free_part.startswith(b"<!DOCTYPE html>")


def test_keep_free_adds_no_doctype_the_page_did_not_have() -> None:
    markup = page(json_ld(GOOGLE_PAYWALLED), PARTIAL_BODY).replace("<!DOCTYPE html>", "")
    decision = decide(markup, partial="keep_free")
    assert decision.free_part is not None and decision.free_part.startswith(b"<html>")


def test_keep_free_keeps_the_page_encoding_byte_for_byte() -> None:
    markup = page(json_ld(GOOGLE_PAYWALLED), PARTIAL_BODY.replace("Free intro", "Café €5"))
    markup = markup.replace("charset='utf-8'", "charset='windows-1252'")
    decision = decide(markup, partial="keep_free", encoding="windows-1252")
    assert decision.free_part is not None and "Café €5".encode("windows-1252") in decision.free_part


@pytest.mark.parametrize(
    "selector", ["div[", "a::first-line", "html", ":root"], ids=["syntax", "pseudo", "html", "root"]
)
def test_keep_free_denies_when_the_paid_part_cannot_be_cut_out(selector: str) -> None:
    markup = {**ARTICLE, "hasPart": {"isAccessibleForFree": False, "cssSelector": selector}}
    decision = decide(page(json_ld(markup), PARTIAL_BODY), partial="keep_free")
    assert decision.verdict.reason == "paywall.schema_org_partial"
    assert decision.free_part is None


def test_keep_free_never_overrides_a_whole_page_signal() -> None:
    head = json_ld(GOOGLE_PAYWALLED) + '<meta property="article:content_tier" content="locked">'
    decision = decide(page(head, PARTIAL_BODY), partial="keep_free")
    assert decision.verdict.reason == "paywall.content_tier" and decision.free_part is None


@pytest.mark.parametrize(
    "markup",
    [
        "<html><body><div amp-access-hide>no expression</div></body></html>",
        "<html><head><meta property='article:content_tier'></head></html>",
        '<html><body itemscope><meta itemprop="isAccessibleForFree"></body></html>',
        "\x00\xff<<<>>>",
    ],
    ids=["amp-hide-without-access", "tier-without-content", "empty-microdata", "junk"],
)
def test_malformed_markup_never_crashes(markup: str) -> None:
    decide(markup)


def test_markup_nested_past_the_parse_depth_is_unreadable_not_free() -> None:
    with pytest.raises(PageUnreadable, match="stopped early"):
        decide("<html>" + "<div>" * 5000 + '<div itemprop="isAccessibleForFree"></html>')


@pytest.mark.parametrize(
    ("markup", "needed"),
    [
        ('<meta property="og:title" content="x">' + json_ld(GOOGLE_PAYWALLED), False),
        ("<p>isAccessibleForFree is a schema.org property</p>", False),
        ('<div property="isAccessibleForFree" content="false">', True),
        ("<span property='schema:isAccessibleForFree'>False</span>", True),
        ('<meta itemprop="isAccessibleForFree" content="false">', True),
        ("<meta itemprop=isAccessibleForFree content=false>", True),
        ("<p>" + "isAccessibleForFree " * 100 + "</p>", True),
        ("x" * 5000 + ' property="isAccessibleForFree"', True),
    ],
    ids=[
        "og-and-json-ld",
        "text",
        "rdfa",
        "rdfa-prefixed",
        "microdata",
        "unquoted",
        "repeated-past-the-bound",
        "no-tag-start-in-reach",
    ],
)
def test_a_whole_page_parse_is_needed_only_where_an_attribute_may_state_the_property(
    markup: str, needed: bool
) -> None:
    assert needs_document(page(markup).encode(), "utf-8") is needed
