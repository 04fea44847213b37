"""schema.org isAccessibleForFree and hasPart, wherever the page's items put them."""

from __future__ import annotations

import json
from typing import Any

import pytest
from lxml import html

from reservations.jsonld import JsonLdBlock, parse_json_ld
from reservations.schema_access import is_true, read_microdata, read_rdfa, read_schema_access


def access_of(*items: Any):
    blocks = [JsonLdBlock(i, (item,)) for i, item in enumerate(items)]
    return read_schema_access(blocks)


def where(signals) -> list[str]:
    return [s.where for s in signals]


ARTICLE = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": "h"}


@pytest.mark.parametrize(
    ("value", "free"),
    [
        (False, False),
        ("False", False),
        ("false", False),
        (" FALSE ", False),
        ("https://schema.org/False", False),
        ("http://schema.org/False", False),
        (True, True),
        ("True", True),
        ("true", True),
        ("https://schema.org/True", True),
        ("no", False),
        (0, False),
        (None, False),
        ([True, "false"], False),
        ([], False),
    ],
    ids=repr,
)
def test_only_a_schema_org_true_reads_as_free(value: Any, free: bool) -> None:
    assert is_true(value) is free


def test_top_level_false_is_found_with_its_path_type_and_value() -> None:
    (signal,) = access_of({**ARTICLE, "isAccessibleForFree": "False"}).not_free
    assert signal.evidence() == {
        "signal": "isAccessibleForFree",
        "value": "False",
        "where": "json-ld[0]/isAccessibleForFree",
        "type": "NewsArticle",
    }


def test_free_article_declares_nothing() -> None:
    assert access_of({**ARTICLE, "isAccessibleForFree": True}) == read_schema_access([])


@pytest.mark.parametrize(
    ("block", "path"),
    [
        (
            [{"@type": "Organization"}, {**ARTICLE, "isAccessibleForFree": False}],
            "json-ld[0]/1/isAccessibleForFree",
        ),
        (
            {"@graph": [{"@type": "WebSite"}, {**ARTICLE, "isAccessibleForFree": False}]},
            "json-ld[0]/@graph/1/isAccessibleForFree",
        ),
        (
            {
                **ARTICLE,
                "isPartOf": {"@type": ["CreativeWork", "Product"], "isAccessibleForFree": False},
            },
            "json-ld[0]/isPartOf/isAccessibleForFree",
        ),
        (
            {
                "@type": "WebPage",
                "isPartOf": [{"@type": "WebSite"}, {"isPartOf": {"isAccessibleForFree": "false"}}],
            },
            "json-ld[0]/isPartOf/1/isPartOf/isAccessibleForFree",
        ),
        (
            {"@type": "WebPage", "mainEntity": {**ARTICLE, "isAccessibleForFree": False}},
            "json-ld[0]/mainEntity/isAccessibleForFree",
        ),
        (
            {
                "@type": "http://schema.org/NewsArticle",
                "http://schema.org/isAccessibleForFree": False,
            },
            "json-ld[0]/isAccessibleForFree",
        ),
    ],
    ids=["array", "graph", "is-part-of", "nested-is-part-of", "main-entity", "expanded-iris"],
)
def test_not_free_is_found_wherever_the_page_item_is(block: Any, path: str) -> None:
    blocks = parse_json_ld(
        html.document_fromstring(
            f'<html><script type="application/ld+json">{json.dumps(block)}</script></html>'
        )
    )
    assert where(read_schema_access(blocks).not_free) == [path]


def test_google_paywalled_section_is_a_paid_part_with_its_selector() -> None:
    # Google Search Central, "Subscription and paywalled content": NewsArticle + WebPageElement.
    markup = {
        **ARTICLE,
        "isAccessibleForFree": False,
        "hasPart": {
            "@type": "WebPageElement",
            "isAccessibleForFree": False,
            "cssSelector": ".paywall",
        },
    }
    access = access_of(markup)
    assert where(access.not_free) == ["json-ld[0]/isAccessibleForFree"]
    assert access.whole_page == ()
    (part,) = access.paid_parts
    assert part.selectors == (".paywall",) and part.item_type == "WebPageElement"
    assert part.where == "json-ld[0]/hasPart/isAccessibleForFree"


def test_several_paid_sections_each_keep_their_selector() -> None:
    parts = [
        {"@type": "WebPageElement", "isAccessibleForFree": False, "cssSelector": ".section1"},
        {"@type": "WebPageElement", "isAccessibleForFree": True, "cssSelector": ".free"},
        {"@type": "WebPageElement", "isAccessibleForFree": False, "cssSelector": [".a", " .b "]},
    ]
    access = access_of({**ARTICLE, "hasPart": parts})
    assert [p.selectors for p in access.paid_parts] == [(".section1",), (".a", ".b")]


def test_a_paid_part_without_a_selector_makes_the_whole_page_paid() -> None:
    access = access_of({**ARTICLE, "hasPart": {"isAccessibleForFree": False}})
    assert access.paid_parts == ()
    assert where(access.whole_page) == ["json-ld[0]/hasPart/isAccessibleForFree"]


def test_an_item_not_free_with_located_paid_parts_is_partly_paid() -> None:
    part = {"isAccessibleForFree": False, "cssSelector": ".paywall"}
    access = access_of({**ARTICLE, "isAccessibleForFree": False, "hasPart": part})
    assert access.whole_page == () and len(access.paid_parts) == 1
    assert where(access.not_free) == ["json-ld[0]/isAccessibleForFree"]


@pytest.mark.parametrize(
    "kind", ["MusicEvent", "Event", "Museum_is_not_listed", "TouristAttraction"]
)
def test_admission_to_events_and_places_is_not_a_paywall(kind: str) -> None:
    access = access_of({"@type": kind, "isAccessibleForFree": False})
    assert bool(access.not_free) is (kind == "Museum_is_not_listed")


def test_a_malformed_block_that_names_the_property_is_unreadable_evidence() -> None:
    tree = html.document_fromstring(
        '<html><script type="application/ld+json">{"isAccessibleForFree": false,,}</script>'
        '<script type="application/ld+json">{"broken": </script></html>'
    )
    access = read_schema_access(parse_json_ld(tree))
    assert where(access.unreadable) == ["json-ld[0]"]
    assert access.unreadable[0].value.startswith("JSONDecodeError")


def test_hostile_values_never_crash_and_stay_loggable() -> None:
    deep: dict[str, Any] = {"isAccessibleForFree": False}
    for _ in range(50):
        deep = {"isPartOf": deep}
    nested: Any = False
    for _ in range(5000):
        nested = [nested]
    access = access_of(
        {"isAccessibleForFree": float("nan")},
        deep,
        "a string",
        42,
        {"@graph": "x", "hasPart": 3},
        {"isAccessibleForFree": nested},
    )
    nan, listed = access.not_free
    assert nan.value == "nan" and listed.value.startswith("[[[")
    json.dumps([nan.evidence(), listed.evidence()], allow_nan=False)


GOOGLE_MICRODATA = """<html><body>
<div itemscope itemtype="https://schema.org/NewsArticle">
  <meta itemprop="isAccessibleForFree" content="False">
  <h1 itemprop="headline">Article headline</h1>
  <div class="non-paywall">Non-paywalled content</div>
  <div class="paywall" itemprop="hasPart" itemscope itemtype="https://schema.org/WebPageElement">
    <meta itemprop="isAccessibleForFree" content="False">
    <meta itemprop="cssSelector" content=".paywall">
    Paywalled content
  </div>
</div>
<div itemscope itemtype="https://schema.org/BreadcrumbList"><span itemprop="name">x</span></div>
</body></html>"""


def test_microdata_paywall_reads_like_json_ld() -> None:
    microdata = read_microdata(html.document_fromstring(GOOGLE_MICRODATA))
    assert [item["@type"] for item in microdata.items] == ["https://schema.org/NewsArticle"]
    access = read_schema_access([], microdata)
    assert where(access.not_free) == ["microdata[0]/isAccessibleForFree"]
    assert access.not_free[0].item_type == "NewsArticle"
    assert [p.selectors for p in access.paid_parts] == [(".paywall",)]


def test_microdata_link_to_schema_org_false_is_not_free() -> None:
    tree = html.document_fromstring(
        '<html><body><article itemscope itemtype="https://schema.org/Article">'
        '<link itemprop="isAccessibleForFree" href="https://schema.org/False"></article></body></html>'
    )
    access = read_schema_access([], read_microdata(tree))
    assert [s.value for s in access.not_free] == ["https://schema.org/False"]


def test_pages_without_the_microdata_property_extract_nothing() -> None:
    tree = html.document_fromstring(
        '<html><body><div itemscope itemtype="https://schema.org/Article">'
        '<span itemprop="headline">free</span></div></body></html>'
    )
    assert read_microdata(tree).items == ()
    assert read_microdata(None).items == ()


def test_microdata_nested_past_the_recursion_limit_is_unreadable_not_a_crash() -> None:
    markup = "<html><body itemscope><div itemprop='isAccessibleForFree' itemscope>" * 300
    microdata = read_microdata(html.document_fromstring(markup))
    assert microdata.items == () and microdata.error
    assert [s.where for s in read_schema_access([], microdata).unreadable] == ["microdata"]


def rdfa_access(body: str):
    return read_schema_access((), rdfa=read_rdfa(html.document_fromstring(body)))


@pytest.mark.parametrize(
    "body",
    [
        '<div vocab="https://schema.org/" typeof="NewsArticle">'
        '<meta property="isAccessibleForFree" content="false"></div>',
        '<div typeof="schema:Article">'
        '<span property="schema:isAccessibleForFree">False</span></div>',
        '<div><meta property="http://schema.org/isAccessibleForFree" content="False"></div>',
        '<p property="og:title isAccessibleForFree" content="no">x</p>',
    ],
    ids=["vocab-content", "prefixed-text", "full-iri-untyped", "second-property"],
)
def test_rdfa_not_free_is_read(body: str) -> None:
    access = rdfa_access(body)
    assert access.whole_page and access.not_free[0].where == "rdfa[0]/isAccessibleForFree"


@pytest.mark.parametrize(
    "body",
    [
        '<div typeof="NewsArticle"><meta property="isAccessibleForFree" content="true"></div>',
        '<div typeof="Event"><meta property="isAccessibleForFree" content="false"></div>',
        '<div typeof="Article"><meta property="notIsAccessibleForFree" content="false"></div>',
    ],
    ids=["free", "event-admission", "other-property"],
)
def test_rdfa_free_admission_or_other_properties_are_no_paywall(body: str) -> None:
    assert not rdfa_access(body).whole_page


def test_rdfa_type_is_the_nearest_typed_ancestor() -> None:
    body = (
        '<div typeof="Event"><div typeof="NewsArticle">'
        '<meta property="isAccessibleForFree" content="false"></div></div>'
    )
    assert rdfa_access(body).not_free[0].item_type == "NewsArticle"
