"""HEED_ALSO_OBEY_AGENTS through real crawls: off by default, then other crawlers' rules bind."""

from __future__ import annotations

import pytest

from tests.crawler.checks.optout_site import Site, crawl_sites, page

ROBOTS = (
    "User-agent: GPTBot\n"
    "Disallow: /\n"
    "\n"
    "User-agent: CCBot\n"
    "Disallow: /archive/\n"
    "Content-Usage: train-ai=n\n"
    "\n"
    "User-agent: *\n"
    "Allow: /\n"
)
SITES = {
    "robots": Site(
        {"/robots.txt": (ROBOTS, {}, "text/plain"), "/p": page(), "/archive/a": page()},
        ["/p", "/archive/a"],
    ),
    "headers": Site(
        {
            "/scoped": (page(), {"X-Robots-Tag": "GPTBot: noai"}),
            "/meta": page(head='<meta name="CCBot" content="noai">'),
        },
        ["/scoped", "/meta"],
    ),
    "aitxt": Site(
        {"/ai.txt": ("User-agent: CCBot\nDisallow: /\n", {}, "text/plain"), "/p": page()}
    ),
}


@pytest.fixture(scope="module")
def default_crawl(tmp_path_factory):
    with crawl_sites(tmp_path_factory.mktemp("default"), SITES) as crawl:
        yield crawl


@pytest.fixture(scope="module")
def obeying_crawl(tmp_path_factory):
    settings = {"HEED_ALSO_OBEY_AGENTS": "GPTBot,CCBot"}
    with crawl_sites(tmp_path_factory.mktemp("obeying"), SITES, settings) as crawl:
        yield crawl


CASES = [
    ("robots", "/p"),
    ("robots", "/archive/a"),
    ("headers", "/scoped"),
    ("headers", "/meta"),
    ("aitxt", "/p"),
]
IDS = ["gptbot-disallow", "ccbot-disallow", "x-robots-scope", "meta-name", "ai-txt-group"]


@pytest.mark.parametrize(("site", "path"), CASES, ids=IDS)
def test_other_crawlers_rules_do_not_bind_by_default(default_crawl, site, path) -> None:
    assert default_crawl.kept(site, path)


@pytest.mark.parametrize(
    ("site", "path", "check", "reason"),
    [
        ("robots", "/p", "also-obey", "also-obey.disallow"),
        ("robots", "/archive/a", "also-obey", "also-obey.disallow"),
        ("headers", "/scoped", "noai", "noai.noai"),
        ("headers", "/meta", "noai", "noai.noai"),
        ("aitxt", "/p", "ai-txt", "ai-txt.disallow"),
    ],
    ids=IDS,
)
def test_listed_crawlers_rules_bind_us_too(obeying_crawl, site, path, check, reason) -> None:
    assert not obeying_crawl.kept(site, path)
    stage = "response" if site == "headers" else "request"
    decision = obeying_crawl.decision(site, path, stage)
    assert (decision["check"], decision["reason"]) == (check, reason)


def test_evidence_names_the_other_agent_and_its_rule(obeying_crawl) -> None:
    evidence = obeying_crawl.decision("robots", "/p")["evidence"]["also-obey"]
    assert evidence["token"] == "GPTBot" and evidence["rule"] == "Disallow: /"


def test_the_run_header_records_the_policy(obeying_crawl) -> None:
    header = obeying_crawl.result.records[0]
    assert header["optouts"] == {"purpose": "train-ai", "also_obey_agents": ["GPTBot", "CCBot"]}
