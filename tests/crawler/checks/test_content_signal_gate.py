"""Cloudflare Content Signals through one real crawl: robots.txt lines and the header."""

from __future__ import annotations

import pytest

from tests.crawler.checks.optout_site import Site, crawl_sites, page

# The policy's own example group, as Cloudflare's managed robots.txt writes it.
POLICY_EXAMPLE = (
    "# As a condition of accessing this website, you agree to abide by the following\n"
    "# content signals: ...\n"
    "User-Agent: *\n"
    "Content-Signal: search=yes, ai-train=no\n"
    "Allow: /\n"
)


def robots(text: str) -> tuple[str, dict, str]:
    return text, {}, "text/plain"


SITES = {
    "policy-example": Site({"/robots.txt": robots(POLICY_EXAMPLE), "/p": page()}),
    "search-no-only": Site(
        {"/robots.txt": robots("User-agent: *\nContent-Signal: search=no\n"), "/p": page()}
    ),
    "other-group": Site(
        {
            "/robots.txt": robots(
                "User-agent: GPTBot\nDisallow: /gpt/\nContent-Signal: ai-train=no\n\n"
                "User-agent: *\nAllow: /\n"
            ),
            "/p": page(),
        }
    ),
    "our-group": Site(
        {
            "/robots.txt": robots(
                "User-agent: *\nContent-Signal: ai-train=yes\n\n"
                "User-agent: HeedTestBot\ncontent-signal: AI-TRAIN=NO # ours\n"
            ),
            "/p": page(),
        }
    ),
    "header": Site({"/p": (page(), {"Content-Signal": "ai-train=no, search=yes"})}),
}


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    with crawl_sites(tmp_path_factory.mktemp("content-signal"), SITES) as crawl:
        yield crawl


def test_policy_example_denies_training_before_the_fetch(crawled) -> None:
    decision = crawled.decision("policy-example", "/p")
    assert (decision["decision"], decision["reason"]) == ("deny", "content-signal.disallow")
    assert decision["evidence"]["content-signal"]["lines"] == {
        "HeedTestBot": [{"line": 4, "value": "search=yes, ai-train=no"}]
    }
    assert crawled.hits("policy-example", "/p") == 0


def test_search_no_alone_does_not_stop_a_training_crawl(crawled) -> None:
    assert crawled.kept("search-no-only", "/p")
    evidence = crawled.decision("search-no-only", "/p")["evidence"]["content-signal"]
    assert evidence["signal"] == "ai-train" and evidence["value"] is None


def test_another_crawlers_group_does_not_bind_us(crawled) -> None:
    assert crawled.kept("other-group", "/p")


def test_our_own_group_case_insensitive_with_a_comment(crawled) -> None:
    assert crawled.decision("our-group", "/p")["reason"] == "content-signal.disallow"


def test_header_at_the_response_gate(crawled) -> None:
    decision = crawled.decision("header", "/p", "response")
    assert decision["reason"] == "content-signal.disallow" and not crawled.kept("header", "/p")
