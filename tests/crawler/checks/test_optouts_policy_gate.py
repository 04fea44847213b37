"""The opt-out policy through real crawls: the purpose decides, the most restrictive wins."""

from __future__ import annotations

import pytest

from tests.crawler.checks.optout_site import Site, crawl_sites, page

SITES = {
    "signals": Site(
        {
            "/search-n": (page(), {"Content-Usage": "search=n"}),
            "/train-n": (page(), {"Content-Usage": "train-ai=n"}),
            "/ai-use-n": (page(), {"Content-Usage": "ai-use=n"}),
            "/noai": (page(), {"X-Robots-Tag": "noai"}),
            "/cs-search-no": (page(), {"Content-Signal": "search=no"}),
        },
        ["/search-n", "/train-n", "/ai-use-n", "/noai", "/cs-search-no"],
    ),
    # Four protocols disagree on one page: the deny wins, and every finding is on record.
    "disagree": Site(
        {
            "/p": (
                page(head='<meta name="robots" content="noai">'),
                {
                    "tdm-reservation": "1",
                    "Content-Usage": "train-ai=y, ai-use=y, search=y",
                    "Content-Signal": "ai-train=yes, ai-input=yes, search=yes",
                },
            )
        }
    ),
}


@pytest.fixture(scope="module", params=["train-ai", "ai-use", "search"])
def crawled(request, tmp_path_factory):
    settings = {"HEED_PURPOSE": request.param}
    with crawl_sites(tmp_path_factory.mktemp(request.param), SITES, settings) as crawl:
        yield request.param, crawl


# Which pages each purpose keeps.
KEPT = {
    "train-ai": {"/search-n", "/ai-use-n", "/cs-search-no"},
    "ai-use": {"/search-n", "/train-n", "/cs-search-no"},
    "search": {"/train-n", "/ai-use-n", "/noai"},
}


def test_the_purpose_decides_which_signals_count(crawled) -> None:
    purpose, crawl = crawled
    kept = {p for p in SITES["signals"].seeds if crawl.kept("signals", p)}
    assert kept == KEPT[purpose]
    assert crawl.result.records[0]["optouts"]["purpose"] == purpose


def test_most_restrictive_wins_and_every_finding_is_kept(crawled) -> None:
    purpose, crawl = crawled
    decision = crawl.decision("disagree", "/p", "response")
    assert (decision["decision"], decision["check"]) == ("deny", "tdmrep")
    evidence = decision["evidence"]
    assert evidence["tdmrep"]["tdm-reservation"] == 1
    assert evidence["content-usage"]["preference"] == "allowed"
    assert evidence["content-signal"]["value"] == "yes"
    if purpose != "search":  # noai speaks of AI uses only
        assert evidence["noai"]["directives"][0]["directive"] == "noai"
    assert not crawl.kept("disagree", "/p")


def test_a_bad_purpose_stops_the_crawl_with_a_clear_error(make_server, crawl) -> None:
    server = make_server()
    result = crawl([server.url_for("/p")], settings={"HEED_PURPOSE": "everything"})
    assert result.returncode != 0
    assert "HEED_PURPOSE" in result.stderr and "train-ai, ai-use, search" in result.stderr
    assert len(server.log) == 0
