"""noai / noimageai through one real crawl: X-Robots-Tag and robots meta tags."""

from __future__ import annotations

import pytest

from tests.crawler.optout_site import Site, crawl_sites, page

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
CASES = {
    # name: (headers, head, content type, kept, reason when denied)
    "header-noai": ({"X-Robots-Tag": "noai"}, "", None, False, "noai.noai"),
    "header-uppercase": ({"X-Robots-Tag": "NOAI, NoImageAI"}, "", None, False, "noai.noai"),
    "header-our-scope": ({"X-Robots-Tag": "HeedTestBot: noai"}, "", None, False, "noai.noai"),
    "header-other-scope": ({"X-Robots-Tag": "otherbot: noai"}, "", None, True, None),
    "header-lines": ({"X-Robots-Tag": ["otherbot: noindex", "noai"]}, "", None, False, "noai.noai"),
    "meta-robots": ({}, '<meta name="robots" content="noai, noimageai">', None, False, "noai.noai"),
    "meta-our-token": ({}, '<meta name="HeedTestBot" content="NoAI">', None, False, "noai.noai"),
    "meta-other-token": ({}, '<meta name="otherbot" content="noai">', None, True, None),
    "noimageai-page": ({}, '<meta name="robots" content="noimageai">', None, True, None),
    "noimageai-image": ({"X-Robots-Tag": "noimageai"}, "", "image/png", False, "noai.noimageai"),
    "meta-after-head": ({}, "", None, False, "noai.noai"),
    "nothing": ({}, "", None, True, None),
}


def body(name: str, head: str) -> str | bytes:
    if name == "noimageai-image":
        return PNG
    if name == "meta-after-head":
        return page(text='late <meta name="robots" content="noai">')
    return page(head=head)


SITES = {
    "pages": Site(
        {
            f"/{name}": (body(name, head), headers, ctype or "text/html")
            for name, (headers, head, ctype, _, _) in CASES.items()
        },
        [f"/{name}" for name in CASES],
    )
}


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    images_too = {"HEED_CONTENT": ["html", "image"]}
    with crawl_sites(tmp_path_factory.mktemp("noai"), SITES, images_too) as crawl:
        yield crawl


@pytest.mark.parametrize("case", list(CASES), ids=str)
def test_noai_at_the_response_gate(crawled, case) -> None:
    *_, kept, reason = CASES[case]
    decision = crawled.decision("pages", f"/{case}", "response")
    assert crawled.kept("pages", f"/{case}") is kept
    if kept:
        assert decision["decision"] == "allow" and "noai" in decision["evidence"]
    else:
        assert (decision["check"], decision["reason"]) == ("noai", reason)


def test_every_directive_found_is_evidence(crawled) -> None:
    evidence = crawled.decision("pages", "/meta-robots", "response")["evidence"]["noai"]
    assert [d["directive"] for d in evidence["directives"]] == ["noai", "noimageai"]
    kept = crawled.decision("pages", "/noimageai-page", "response")["evidence"]["noai"]
    assert kept["directives"][0]["source"] == 'meta name="robots"' and kept["image"] is False
