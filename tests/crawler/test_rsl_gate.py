"""RSL licences through one real crawl: found in robots.txt, a Link header and HTML."""

from __future__ import annotations

import pytest

from tests.crawler.optout_site import Site, crawl_sites, page

RSL = "application/rsl+xml"


def licence(terms: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rsl xmlns="https://rslstandard.org/rsl">'
        f'<content url="/">{terms}</content></rsl>'
    ).encode()


PROHIBITS = licence('<license><prohibits type="usage">ai-train</prohibits></license>')
AIPREF_LABEL = licence('<license><prohibits type="usage">train-ai</prohibits></license>')
PAID = licence(
    '<license><permits type="usage">ai-train</permits><payment type="purchase">'
    '<amount currency="USD">10</amount></payment></license>'
)
FREE = licence('<license><permits type="usage">all</permits></license>')
SERVER = licence("<license/>").replace(
    b'<content url="/">', b'<content url="/" server="https://127.0.0.1:9/">'
)

LINK = '</licence.xml>; rel="license"; type="application/rsl+xml"'
HTML_LINK = '<link rel="license" type="application/rsl+xml" href="/licence.xml">'
SITES = {
    "robots-prohibits": Site(
        {
            "/robots.txt": ("User-agent: *\nAllow: /\nLicense: /licence.xml\n", {}, "text/plain"),
            "/licence.xml": (PROHIBITS, {}, RSL),
            "/p": page(),
        }
    ),
    "header-prohibits": Site(
        {"/licence.xml": (AIPREF_LABEL, {}, RSL), "/p": (page(), {"Link": LINK})}
    ),
    "html-paid": Site({"/licence.xml": (PAID, {}, RSL), "/p": page(head=HTML_LINK)}),
    "html-server": Site({"/licence.xml": (SERVER, {}, RSL), "/p": page(head=HTML_LINK)}),
    "html-free": Site({"/licence.xml": (FREE, {}, RSL), "/p": page(head=HTML_LINK)}),
    "missing-licence": Site({"/p": (page(), {"Link": LINK})}),
    "hostile-licence": Site(
        {"/licence.xml": (b"\x00\xff<rsl" * 5000, {}, RSL), "/p": (page(), {"Link": LINK})}
    ),
    "none": Site({"/p": page()}),
}


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    with crawl_sites(tmp_path_factory.mktemp("rsl"), SITES) as crawl:
        yield crawl


def test_a_robots_license_line_that_prohibits_training_denies_before_the_fetch(crawled) -> None:
    decision = crawled.decision("robots-prohibits", "/p")
    assert decision["decision"] == "deny" and decision["reason"] == "rsl.prohibited"
    assert crawled.hits("robots-prohibits", "/p") == 0
    assert decision["evidence"]["rsl"]["source"] == "robots.txt"
    assert decision["evidence"]["rsl"]["doc_sha256"]


@pytest.mark.parametrize(
    ("site", "reason", "kept"),
    [
        ("header-prohibits", "rsl.prohibited", False),
        ("html-paid", "rsl.licence_required", False),
        ("html-server", "rsl.licence_required", False),
        ("missing-licence", "rsl.unreadable", False),
        ("hostile-licence", "rsl.unreadable", False),
        ("html-free", "rsl.permitted", True),
        ("none", "rsl.none", True),
    ],
)
def test_a_licence_named_by_the_page_decides_at_the_response_gate(
    crawled, site, reason, kept
) -> None:
    decision = crawled.decision(site, "/p", stage="response")
    assert decision["findings"]["rsl"]["reason"] == reason
    assert crawled.kept(site, "/p") is kept


def test_a_free_licence_is_recorded_for_attribution(crawled) -> None:
    evidence = crawled.decision("html-free", "/p", stage="response")["evidence"]["rsl"]
    assert evidence["licences"] == [crawled.url("html-free", "/licence.xml")]


def test_each_licence_document_is_fetched_once_and_logged(crawled) -> None:
    assert crawled.hits("robots-prohibits", "/licence.xml") == 1
    url = crawled.url("html-free", "/licence.xml")
    assert crawled.result.decision_for(url, "request")["decision"] == "allow"
