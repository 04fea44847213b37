"""Spawning's ai.txt through one real crawl."""

from __future__ import annotations

import pytest

from tests.crawler.checks.optout_site import Site, crawl_sites, page

# What Spawning's generator writes for a site that opts its text and images out.
GENERATED = (
    "# Spawning AI\n"
    "# Prevent datasets from using the following file types\n"
    "\n"
    "User-Agent: *\n"
    "Disallow: *.txt\n"
    "Disallow: *.pdf\n"
    "Disallow: *.jpg\n"
)
SITES = {
    "generated": Site(
        {
            "/ai.txt": (GENERATED, {}, "text/plain"),
            "/notes.txt": ("plain text", {}, "text/plain"),
            "/paper.pdf": (b"%PDF-1.7", {}, "application/pdf"),
            "/p": page(),
        },
        ["/notes.txt", "/paper.pdf", "/p"],
    ),
    "everything": Site(
        {"/ai.txt": ("User-Agent: *\nDisallow: /\nDisallow: *\n", {}, "text/plain"), "/p": page()}
    ),
    "hostile": Site(
        {"/ai.txt": (b"\x00\xff" * 40_000 + b"\nUser-agent: *\n", {}, "text/plain"), "/p": page()}
    ),
    "absent": Site({"/p": page()}),
}


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    with crawl_sites(tmp_path_factory.mktemp("aitxt"), SITES) as crawl:
        yield crawl


@pytest.mark.parametrize(
    ("site", "path", "kept"),
    [
        ("generated", "/notes.txt", False),
        ("generated", "/paper.pdf", False),
        ("generated", "/p", True),
        ("everything", "/p", False),
        ("hostile", "/p", True),
        ("absent", "/p", True),
    ],
    ids=["txt", "pdf", "html-page", "disallow-all", "hostile-bytes", "no-file"],
)
def test_ai_txt_disallow_denies_before_the_fetch(crawled, site, path, kept) -> None:
    decision = crawled.decision(site, path)
    assert crawled.hits(site, path) == int(kept)
    assert "ai-txt" in decision["evidence"]
    if not kept:
        assert (decision["check"], decision["reason"]) == ("ai-txt", "ai-txt.disallow")


def test_evidence_names_the_rule_and_the_file(crawled) -> None:
    evidence = crawled.decision("generated", "/paper.pdf")["evidence"]["ai-txt"]
    assert (evidence["rule"], evidence["rule_line"]) == ("Disallow: *.pdf", 6)
    assert evidence["doc_url"] == crawled.url("generated", "/ai.txt")


def test_ai_txt_is_fetched_once_per_origin(crawled) -> None:
    assert crawled.hits("generated", "/ai.txt") == 1


def test_absent_file_is_unavailable(crawled) -> None:
    assert crawled.decision("absent", "/p")["evidence"]["ai-txt"]["doc_status"] == 404
