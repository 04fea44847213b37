"""``noai`` / ``noimageai`` in X-Robots-Tag and robots meta tags."""

from __future__ import annotations

import pytest

from reservations.noai import meta_directives, noai_verdict, x_robots_directives

TOKENS = ["HeedBot"]


@pytest.mark.parametrize(
    ("values", "found"),
    [
        (["noai"], ["noai"]),
        (["noai, noimageai"], ["noai", "noimageai"]),
        (["NoAI"], ["noai"]),
        (["noindex, nofollow"], []),
        (["heedbot: noai"], ["noai"]),
        (["HEEDBOT: noai"], ["noai"]),
        (["googlebot: noai"], []),
        (["googlebot: noindex, noai"], []),
        (["googlebot: noindex", "noai"], ["noai"]),
        (["googlebot: noindex, heedbot: noai"], ["noai"]),
        (["noai, googlebot: noindex"], ["noai"]),
        (["unavailable_after: 25 Jun 2010 15:00:00 PST, noai"], ["noai"]),
        (["max-snippet: 20, noimageai"], ["noimageai"]),
        ([""], []),
    ],
    ids=[
        "bare",
        "both",
        "case-insensitive",
        "other-directives",
        "scoped-to-us",
        "scope-case-insensitive",
        "scoped-to-another-agent",
        "scope-carries-to-later-directives",
        "each-field-line-starts-unscoped",
        "scope-switches-to-us",
        "unscoped-before-a-scope",
        "valued-directive-is-not-an-agent",
        "max-snippet-is-not-an-agent",
        "empty",
    ],
)
def test_x_robots_tag_scoping(values: list[str], found: list[str]) -> None:
    assert [d.directive for d in x_robots_directives(values, TOKENS)] == found


def test_x_robots_tag_for_an_also_obeyed_agent_applies() -> None:
    found = x_robots_directives(["GPTBot: noai"], ["HeedBot", "GPTBot"])
    assert [(d.directive, d.source) for d in found] == [("noai", "X-Robots-Tag (gptbot)")]


@pytest.mark.parametrize(
    ("meta", "found"),
    [
        ({"robots": ["noai, noimageai"]}, ["noai", "noimageai"]),
        ({"robots": ["NOAI"]}, ["noai"]),
        ({"robots": ["index follow noai"]}, ["noai"]),
        ({"heedbot": ["noai"]}, ["noai"]),
        ({"googlebot": ["noai"]}, []),
        ({"robots": ["noindex"], "heedbot": ["noimageai"]}, ["noimageai"]),
        ({"robots": ["", "noai"]}, ["noai"]),
    ],
    ids=[
        "robots-both",
        "uppercase",
        "space-separated",
        "our-token",
        "another-token",
        "robots-and-token",
        "second-tag",
    ],
)
def test_meta_robots_and_our_token(meta, found) -> None:
    assert [d.directive for d in meta_directives(meta, TOKENS)] == found


def test_noai_denies_with_every_directive_as_evidence() -> None:
    directives = x_robots_directives(["noimageai"], TOKENS) + meta_directives(
        {"robots": ["noai"]}, TOKENS
    )
    verdict = noai_verdict(directives, is_image=False)
    assert not verdict.allowed and verdict.reason == "noai.noai"
    assert [d["source"] for d in verdict.evidence["directives"]] == [
        "X-Robots-Tag",
        'meta name="robots"',
    ]


@pytest.mark.parametrize(
    ("is_image", "reason", "allowed"),
    [(True, "noai.noimageai", False), (False, "noai.noimageai_not_image", True)],
    ids=["image-denied", "page-kept"],
)
def test_noimageai_denies_images_only(is_image: bool, reason: str, allowed: bool) -> None:
    verdict = noai_verdict(x_robots_directives(["noimageai"], TOKENS), is_image=is_image)
    assert (verdict.reason, verdict.allowed) == (reason, allowed)


def test_nothing_found_allows() -> None:
    assert noai_verdict([], is_image=False).reason == "noai.none"
