"""RFC 9309 §2.3.1: what a robots.txt answer means for the whole origin, without a network."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import pytest

from reservations.robots_policy import (
    classify_fetch,
    is_robots_txt,
    robots_state,
    robots_verdict,
    varies_by_path,
)

RULES = b"User-agent: *\nDisallow: /private/\nAllow: /private/open\n"


@pytest.mark.parametrize(
    ("status", "error", "expected"),
    [
        (200, None, "parsed"),
        (204, None, "parsed"),
        (400, None, "unavailable"),
        (401, None, "unavailable"),
        (403, None, "unavailable"),
        (404, None, "unavailable"),
        (451, None, "unavailable"),
        (429, None, "unreachable"),
        (500, None, "unreachable"),
        (503, None, "unreachable"),
        (599, None, "unreachable"),
        (304, None, "unreachable"),
        (100, None, "unreachable"),
        (None, "DNS lookup failed", "unreachable"),
        (None, "more than 5 redirects", "unreachable"),
    ],
    ids=lambda v: str(v),
)
def test_status_and_failures_classify_the_origin(status, error, expected) -> None:
    assert classify_fetch(status, error) == expected


def test_unreachable_denies_every_url_but_robots_txt() -> None:
    state = robots_state(503, None, b"", {"doc_status": 503})
    assert robots_verdict(state, "http://a.test/x", "Bot").reason == "robots.unreachable"
    assert robots_verdict(state, "http://a.test/robots.txt", "Bot").reason == "robots.self"


def test_unavailable_allows_everything_even_with_a_body() -> None:
    state = robots_state(404, None, b"User-agent: *\nDisallow: /\n", {})
    assert robots_verdict(state, "http://a.test/x", "Bot").reason == "robots.unavailable"


def test_verdict_names_rule_line_group_and_token() -> None:
    state = robots_state(200, None, RULES, {"doc_status": 200})
    denied = robots_verdict(state, "http://a.test/private/x", "Bot")
    assert denied.decision == "deny"
    assert denied.evidence["rule"] == "Disallow: /private/"
    assert denied.evidence["rule_line"] == 2
    assert denied.evidence["group"] == ["*"] and denied.evidence["group_line"] == 1
    assert denied.evidence["token"] == "Bot" and denied.evidence["doc_status"] == 200
    allowed = robots_verdict(state, "http://a.test/private/open", "Bot")
    assert allowed.reason == "robots.allow" and allowed.evidence["rule_line"] == 3
    other = robots_verdict(state, "http://a.test/public", "Bot")
    assert other.reason == "robots.no_rule" and other.evidence["rule"] == "no rule matched"


def test_giant_rule_is_clipped_in_the_evidence_and_bad_urls_do_not_crash() -> None:
    state = robots_state(200, None, b"User-agent: *\nDisallow: /" + b"a" * 5000 + b"\n", {})
    verdict = robots_verdict(state, "http://a.test/" + "a" * 6000, "Bot")
    assert verdict.decision == "deny" and len(verdict.evidence["rule"]) <= 1003
    assert robots_verdict(state, "http://[broken/x", "Bot").decision in ("allow", "deny")


@pytest.mark.parametrize(
    "url",
    [
        "http://h/robots.txt",
        "http://h/robots.txt?x=1",
        "http://h/robots.txt#top",
        " http://h/robots.txt",
        "http://h/robots.t\txt",
        "http://h/robo\nts.txt",
        "http://h/robots.txt\r",
        "http://h/robots.txt;p",
        "http://h/robots.txt/",
        "http://h/a/robots.txt",
        "http://h/x?/robots.txt",
        "http://h/%72obots.txt",
        "http://h/",
    ],
)
def test_robots_txt_itself_is_known_by_the_path_a_url_split_reads(url: str) -> None:
    self = urlsplit(url).path == "/robots.txt"
    assert is_robots_txt(url) is self
    state = robots_state(200, None, b"User-agent: *\nDisallow: /\n", {})
    assert (robots_verdict(state, url, "HeedBot").reason == "robots.self") is self


@pytest.mark.parametrize(
    ("status", "body", "tokens", "varies"),
    [
        (404, b"", ("HeedBot",), False),
        (503, b"", ("HeedBot",), False),
        (200, b"", ("HeedBot",), False),
        (200, b"User-agent: OtherBot\nDisallow: /\n", ("HeedBot",), False),
        (200, b"User-agent: OtherBot\nDisallow: /\n", ("HeedBot", "OtherBot"), True),
        (200, b"User-agent: *\nCrawl-delay: 5\nSitemap: /s.xml\n", ("HeedBot",), False),
        (200, b"User-agent: *\nAllow: /\n", ("HeedBot",), True),
    ],
)
def test_only_a_rule_for_an_obeyed_token_makes_the_verdict_depend_on_the_path(
    status: int, body: bytes, tokens: tuple[str, ...], varies: bool
) -> None:
    state = robots_state(status, None, body, {"doc_status": status})
    assert varies_by_path(state, tokens) is varies
    if not varies:
        for token in tokens:
            answers = {
                json.dumps(robots_verdict(state, f"http://h{path}", token)._asdict())
                for path in ("/", "/a", "/private/b?c", "/%7Ex", "/sitemap.xml")
            }
            assert len(answers) == 1
