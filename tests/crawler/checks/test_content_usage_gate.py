"""IETF Content-Usage through one real crawl: robots.txt rules and the response header."""

from __future__ import annotations

import pytest

from tests.crawler.checks.optout_site import Site, crawl_sites, page

# draft-ietf-aipref-attach §3.5's example file, with its paths served.
ATTACH_EXAMPLE = (
    "User-Agent: *\n"
    "Allow: /\n"
    "Disallow: /never/\n"
    "Content-Usage: train-ai=n\n"
    "Content-Usage: /ai-ok/ train-ai=y\n"
    "\n"
    "User-Agent: ExampleBot\n"
    "Allow: /\n"
    "Content-Usage: train-ai=y\n"
)
HEADERS = {
    "train-ai-n": ["train-ai=n"],
    "search-n-only": ["search=n"],
    "train-ai-y": ["train-ai=y"],
    "uppercase-key": ["Train-AI=n"],
    "garbage": ["train-ai=n,,,;;"],
    "repeated-lines-last-n": ["train-ai=y", "train-ai=n"],
    "repeated-lines-last-y": ["train-ai=n", "train-ai=y"],
    "legacy-bots-n": ["bots=n"],
    "huge": [", ".join(f"x{i}=y" for i in range(600)) + ", train-ai=n"],
}
SITES = {
    "example": Site(
        {
            "/robots.txt": (ATTACH_EXAMPLE, {}, "text/plain"),
            **{p: page() for p in ("/test", "/never/test", "/ai-ok/test")},
        },
        ["/test", "/never/test", "/ai-ok/test"],
    ),
    "headers": Site(
        {f"/{name}": (page(), {"Content-Usage": values}) for name, values in HEADERS.items()},
        [f"/{name}" for name in HEADERS],
    ),
    "examplebot": Site(
        {
            "/robots.txt": (ATTACH_EXAMPLE.replace("ExampleBot", "HeedTestBot"), {}, "text/plain"),
            "/test": page(),
        },
        ["/test"],
    ),
}


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    with crawl_sites(tmp_path_factory.mktemp("content-usage"), SITES) as crawl:
        yield crawl


@pytest.mark.parametrize(
    ("path", "fetched", "reason"),
    [
        ("/test", False, "content-usage.disallow"),
        ("/never/test", False, "robots.disallow"),
        ("/ai-ok/test", True, "content-usage.allow"),
    ],
    ids=["test", "never", "ai-ok"],
)
def test_attach_example_table(crawled, path, fetched, reason) -> None:
    decision = crawled.decision("example", path)
    assert crawled.hits("example", path) == int(fetched)
    if fetched:
        assert decision["evidence"]["content-usage"]["preference"] == "allowed"
    else:
        assert decision["reason"] == reason


def test_robots_rule_evidence_names_the_line(crawled) -> None:
    evidence = crawled.decision("example", "/test")["evidence"]["content-usage"]
    assert evidence["rules"] == {"HeedTestBot": [{"line": 4, "value": "train-ai=n"}]}
    assert evidence["source"] == "robots.txt" and evidence["label"] == "train-ai"


def test_our_own_group_is_the_one_that_counts(crawled) -> None:
    assert crawled.kept("examplebot", "/test")


@pytest.mark.parametrize(
    ("case", "kept", "preference"),
    [
        ("train-ai-n", False, "disallowed"),
        ("search-n-only", True, "unknown"),
        ("train-ai-y", True, "allowed"),
        ("uppercase-key", True, "unknown"),
        ("garbage", True, "unknown"),
        ("repeated-lines-last-n", False, "disallowed"),
        ("repeated-lines-last-y", True, "allowed"),
        ("legacy-bots-n", False, "disallowed"),
        ("huge", False, "disallowed"),
    ],
    ids=lambda v: str(v),
)
def test_header_at_the_response_gate(crawled, case, kept, preference) -> None:
    decision = crawled.decision("headers", f"/{case}", "response")
    assert decision["evidence"]["content-usage"]["preference"] == preference
    assert crawled.kept("headers", f"/{case}") is kept
    if not kept:
        assert decision["reason"] == "content-usage.disallow"
