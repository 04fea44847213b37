"""RSL 1.0: licence discovery, licence documents of each kind, and what they say of training."""

from __future__ import annotations

import pytest
from lxml import html

from reservations import rsl
from reservations.rsl import (
    USAGE_LABELS,
    evaluate_rsl,
    license_urls_from_html,
    license_urls_from_link_header,
    license_urls_from_robots,
    parse_rsl,
)
from reservations.verdict import Verdict

TRAIN = USAGE_LABELS["train-ai"]
PAGE = "https://example.com/articles/1"
DOC_URL = "https://example.com/license.xml"


def licence_doc(contents: str, root: str = '<rsl xmlns="https://rslstandard.org/rsl">') -> bytes:
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{root}{contents}</rsl>'.encode()


def verdict(contents: str, url: str = PAGE, labels: frozenset[str] = TRAIN) -> Verdict:
    return evaluate_rsl(parse_rsl(licence_doc(contents), DOC_URL), url, labels)


# --- Discovery ----------------------------------------------------------------------------


def test_robots_license_lines_are_read_wherever_they_stand_and_only_as_web_urls() -> None:
    text = (
        "License: https://example.com/license.xml\r\n"
        "User-agent: *\nDisallow: /private\n"
        "license:   https://cdn.example.net/rsl.xml  # site-wide terms\n"
        "License: ftp://example.com/x.xml\n"
        "License: https://example.com/license.xml\n"
        "Licence: https://example.com/misspelt.xml\n"
    )
    assert license_urls_from_robots(text) == [
        "https://example.com/license.xml",
        "https://cdn.example.net/rsl.xml",
    ]


def test_a_relative_robots_license_is_resolved_only_with_a_base() -> None:
    assert license_urls_from_robots("License: /license.xml") == []
    resolved = license_urls_from_robots("License: /license.xml", "https://example.com/robots.txt")
    assert resolved == ["https://example.com/license.xml"]


def test_link_header_rsl_licences_are_found_among_other_links() -> None:
    value = (
        '<https://example.com/style.css>; rel="stylesheet", '
        '<https://creativecommons.org/licenses/by/4.0/>; rel="license", '
        '<https://example.com/license.xml>; rel="license"; type="application/rsl+xml", '
        '</terms.rsl>; type=application/RSL+XML; rel="alternate license", '
        '<https://example.com/a,b.xml>; title="a; b, c"; rel=license; type="application/rsl+xml"'
    )
    assert license_urls_from_link_header(value, "https://example.com/page") == [
        "https://example.com/license.xml",
        "https://example.com/terms.rsl",
        "https://example.com/a,b.xml",
    ]


def test_link_header_without_a_base_drops_relative_targets_and_survives_garbage() -> None:
    value = '</x.xml>; rel="license"; type="application/rsl+xml", <unterminated; rel=license'
    assert license_urls_from_link_header(value) == []
    assert license_urls_from_link_header('"<<>>;;,,\\"') == []


def test_html_link_elements_are_found_and_resolved_against_the_page() -> None:
    page = """<html><head>
      <link rel="license" href="https://creativecommons.org/licenses/by/4.0/">
      <link rel="License" type="application/rsl+xml" href="/license.xml">
      <link rel="license" type="application/rsl+xml" href="javascript:alert(1)">
    </head><body><link rel="license" type="application/rsl+xml" href="b.xml"></body></html>"""
    expected = ["https://example.com/license.xml", "https://example.com/articles/b.xml"]
    assert license_urls_from_html(page, PAGE) == expected
    assert license_urls_from_html(html.document_fromstring(page), PAGE) == expected
    assert license_urls_from_html("", PAGE) == []


def test_discovery_keeps_at_most_the_url_limit() -> None:
    text = "\n".join(f"License: https://example.com/{i}.xml" for i in range(100))
    assert len(license_urls_from_robots(text)) == rsl.MAX_URLS


# --- Documents and verdicts -----------------------------------------------------------------


def test_a_site_wide_ai_all_prohibition_denies_training() -> None:
    result = verdict(
        '<content url="/"><license><prohibits type="usage">ai-all</prohibits></license></content>'
    )
    assert not result.allowed and result.reason == "rsl.prohibited"
    assert result.evidence["prohibits"] == ["ai-all"] and result.evidence["content"] == "/"
    assert result.evidence["document"] == DOC_URL


@pytest.mark.parametrize("label", ["ai-train", "train-ai", "all", "AI-Train"])
def test_each_label_naming_training_prohibits_it(label: str) -> None:
    contents = f'<content url="/*"><license><prohibits type="usage">search, {label}</prohibits>'
    assert verdict(contents + "</license></content>").reason == "rsl.prohibited"


def test_a_prohibition_of_another_use_allows_training() -> None:
    contents = '<content url="/"><license><prohibits type="usage">ai-input search</prohibits>'
    result = verdict(contents + "</license></content>")
    assert result.allowed and result.reason == "rsl.permitted"


def test_a_prohibition_of_user_classes_is_not_a_usage_prohibition() -> None:
    contents = '<content url="/"><license><prohibits type="user">commercial</prohibits>'
    assert verdict(contents + "</license></content>").reason == "rsl.permitted"


def test_a_free_licence_permitting_training_allows_with_its_url_for_attribution() -> None:
    contents = """<content url="/articles/*">
      <license><permits type="usage">ai-train,search</permits><payment type="free"/></license>
    </content>"""
    result = verdict(contents)
    assert result.allowed and result.reason == "rsl.permitted"
    assert result.evidence["document"] == DOC_URL
    assert result.evidence["permits"] == ["ai-train", "search"]
    assert result.evidence["payment"] == ["free"]


def test_a_paid_licence_denies_as_licence_required_with_its_terms() -> None:
    contents = """<content url="/"><terms>https://example.com/terms</terms>
      <license>
        <permits type="usage">ai-train</permits>
        <payment type="training">
          <standard>https://rslcollective.org/license</standard>
          <amount currency="USD">0.01</amount>
        </payment>
      </license></content>"""
    result = verdict(contents)
    assert not result.allowed and result.reason == "rsl.licence_required"
    assert result.evidence["terms"] == "https://example.com/terms"
    assert result.evidence["offers"] == [
        {
            "licence": 0,
            "payment": ["training"],
            "permits": ["ai-train"],
            "standard": ["https://rslcollective.org/license"],
            "amount": ["0.01 USD"],
        }
    ]


def test_a_licence_server_requires_a_licence_even_for_free_terms() -> None:
    contents = """<content url="/" server="https://rsl.example.com/api">
      <license><permits type="usage">ai-all</permits></license></content>"""
    result = verdict(contents)
    assert result.reason == "rsl.licence_required"
    assert result.evidence["server"] == "https://rsl.example.com/api"


def test_a_licence_server_without_licences_still_requires_one() -> None:
    assert verdict('<content url="/" server="https://rsl.example.com/"/>').reason == (
        "rsl.licence_required"
    )


def test_attribution_is_a_payment_type_and_so_requires_a_licence() -> None:
    contents = '<content url="/"><license><payment type="attribution"/></license></content>'
    assert verdict(contents).reason == "rsl.licence_required"


def test_a_permits_list_without_training_denies_as_not_permitted() -> None:
    contents = '<content url="/"><license><permits type="usage">search</permits></license>'
    result = verdict(contents + "</content>")
    assert not result.allowed and result.reason == "rsl.not_permitted"
    assert result.evidence["offers"][0]["permits"] == ["search"]


def test_a_free_offer_wins_over_a_paid_one_but_never_over_a_prohibition() -> None:
    free = '<license><permits type="usage">ai-train</permits></license>'
    paid = '<license><payment type="subscription"/></license>'
    forbidden = '<license><prohibits type="usage">ai-train</prohibits></license>'
    assert verdict(f'<content url="/">{paid}{free}</content>').reason == "rsl.permitted"
    assert verdict(f'<content url="/">{free}{forbidden}</content>').reason == "rsl.prohibited"


def test_prohibits_wins_over_permits_within_one_licence() -> None:
    contents = """<content url="/"><license>
      <permits type="usage">ai-train</permits><prohibits type="usage">ai-train</prohibits>
    </license></content>"""
    assert verdict(contents).reason == "rsl.prohibited"


def test_the_longest_matching_content_applies() -> None:
    contents = """
      <content url="/"><license><prohibits type="usage">all</prohibits></license></content>
      <content url="/articles/*"><license><permits type="usage">ai-train</permits></license>
      </content>"""
    assert verdict(contents).reason == "rsl.permitted"
    assert verdict(contents, "https://example.com/about").reason == "rsl.prohibited"


def test_end_anchored_and_wildcard_patterns_match_as_in_robots_txt() -> None:
    contents = """<content url="/*.pdf$"><license><prohibits type="usage">ai-train</prohibits>
      </license></content>"""
    assert verdict(contents, "https://example.com/a/b.pdf").reason == "rsl.prohibited"
    assert verdict(contents, "https://example.com/a/b.pdf?x=1").reason == "rsl.none"


def test_a_full_url_content_applies_only_to_its_own_host() -> None:
    contents = """<content url="https://Example.com/articles/*">
      <license><prohibits type="usage">ai-train</prohibits></license></content>"""
    assert verdict(contents).reason == "rsl.prohibited"
    assert verdict(contents, "https://other.example/articles/1").reason == "rsl.none"
    assert verdict(contents, "http://example.com/articles/1").reason == "rsl.none"


def test_no_matching_content_allows_as_none() -> None:
    contents = '<content url="/premium/"><license><payment type="purchase"/></license></content>'
    result = verdict(contents)
    assert result.allowed and result.reason == "rsl.none"


def test_other_purposes_use_their_own_labels() -> None:
    contents = '<content url="/"><license><prohibits type="usage">ai-input</prohibits></license>'
    contents += "</content>"
    assert verdict(contents, labels=USAGE_LABELS["ai-use"]).reason == "rsl.prohibited"
    assert verdict(contents, labels=USAGE_LABELS["search"]).reason == "rsl.permitted"


def test_a_licence_feed_is_read_through_its_rsl_content_elements() -> None:
    feed = b"""<rss version="2.0" xmlns:rsl="https://rslstandard.org/rsl"><channel><item>
      <title>Post</title>
      <rsl:content url="https://example.com/articles/1">
        <rsl:license><rsl:prohibits type="usage">ai-train</rsl:prohibits></rsl:license>
      </rsl:content></item></channel></rss>"""
    assert evaluate_rsl(parse_rsl(feed), PAGE, TRAIN).reason == "rsl.prohibited"


def test_a_document_without_the_namespace_is_read_and_the_problem_recorded() -> None:
    body = licence_doc(
        '<content url="/"><license><prohibits type="usage">ai-train</prohibits></license>'
        "</content>",
        root="<rsl>",
    )
    result = evaluate_rsl(parse_rsl(body), PAGE, TRAIN)
    assert result.reason == "rsl.prohibited" and "root namespace" in result.evidence["problems"][0]


def test_a_content_without_a_url_is_skipped_and_recorded() -> None:
    result = verdict(
        '<content><license><prohibits type="usage">all</prohibits></license></content>'
    )
    assert result.reason == "rsl.none" and "no usable url" in result.evidence["problems"][0]


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"<rsl xmlns='https://rslstandard.org/rsl'><content url='/'>",
        b"<html><body>Not found</body></html>",
        b"\xff\xfe garbage",
        b'<!DOCTYPE rsl [<!ENTITY a SYSTEM "https://127.0.0.1:9/x">]><rsl>&a;</rsl>',
    ],
)
def test_unreadable_documents_deny(body: bytes) -> None:
    result = evaluate_rsl(parse_rsl(body, DOC_URL), PAGE, TRAIN)
    assert not result.allowed and result.reason == "rsl.unreadable"
    assert result.evidence["problems"]


def test_a_prohibition_written_through_an_internal_entity_counts() -> None:
    body = (
        b'<!DOCTYPE rsl [<!ENTITY a "ai-train">]>'
        b'<rsl xmlns="https://rslstandard.org/rsl"><content url="/"><license>'
        b'<prohibits type="usage">&a;</prohibits></license></content></rsl>'
    )
    assert evaluate_rsl(parse_rsl(body), PAGE, TRAIN).reason == "rsl.prohibited"


def test_a_billion_laughs_document_is_unreadable() -> None:
    entities = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    body = f'<!DOCTYPE rsl [<!ENTITY l0 "lol">{entities}]><rsl>&l9;</rsl>'.encode()
    document = parse_rsl(body)
    assert not document.readable and "amplification" in document.problems[0]


def test_oversized_documents_and_too_many_contents_are_unreadable() -> None:
    big = licence_doc("<!--" + "x" * rsl.MAX_DOCUMENT_BYTES + "-->")
    assert not parse_rsl(big).readable
    many = licence_doc('<content url="/"/>' * (rsl.MAX_CONTENTS + 1))
    assert not parse_rsl(many).readable


def test_html_with_tags_no_xml_name_allows_is_read_without_error() -> None:
    page = b"\x00\xff<html<<<>>><link rel=license type=application/rsl+xml href=/l.xml>"
    assert license_urls_from_html(page, "http://127.0.0.1/") == ["http://127.0.0.1/l.xml"]
