"""Robots-style path patterns (RFC 9309 §2.2.2-§2.2.3) shared by the extension lines and TDMRep."""

from __future__ import annotations

import pytest

from reservations.pathmatch import compile_pattern, normalize, url_path


@pytest.mark.parametrize(
    ("pattern", "path", "matches"),
    [
        ("/", "/anything", True),
        ("/fish", "/fish.html", True),
        ("/fish", "/Fish.asp", False),
        ("/fish*", "/fishheads/yummy.html", True),
        ("/*.php", "/folder/filename.php?parameters", True),
        ("/*.php$", "/filename.php", True),
        ("/*.php$", "/filename.php?parameters", False),
        ("/fish*.php", "/fishheads/catfish.php?parameters", True),
        ("/fish*.php", "/Fish.PHP", False),
        ("/foo/bar?baz=quz", "/foo/bar?baz=quz", True),
        ("/foo/bar/ツ", "/foo/bar/%E3%83%84", True),
        ("/foo/bar/%E3%83%84", "/foo/bar/ツ", True),
        ("/foo/bar/%62%61%7A", "/foo/bar/baz", True),
        ("/a**b", "/axxb", True),
    ],
    ids=[
        "root",
        "prefix",
        "case-sensitive",
        "trailing-star",
        "star-in-middle",
        "anchored",
        "anchored-rejects-query",
        "star-then-literal",
        "star-case-sensitive",
        "query-literal",
        "utf8-pattern-vs-encoded-url",
        "encoded-pattern-vs-utf8-url",
        "unreserved-escapes",
        "collapsed-stars",
    ],
)
def test_rfc9309_matching_examples(pattern: str, path: str, matches: bool) -> None:
    compiled = compile_pattern(pattern)
    assert compiled is not None
    assert compiled.matches(url_path("https://e.example" + path)) is matches


@pytest.mark.parametrize(
    "pattern", ["", "  ", "fish", "x" * 5000], ids=["empty", "blank", "no-slash", "too-long"]
)
def test_unusable_patterns_compile_to_none(pattern: str) -> None:
    assert compile_pattern(pattern) is None


def test_longer_pattern_has_greater_length() -> None:
    short, long = compile_pattern("/a"), compile_pattern("/a/b*")
    assert short is not None and long is not None
    assert long.length > short.length


def test_literal_dollar_and_star_in_urls_are_encoded() -> None:
    assert normalize("/a$b*c") == "/a%24b%2Ac"
    assert url_path("https://e.example") == "/"


@pytest.mark.parametrize(
    ("text", "normalized"),
    [
        ("/%7e%41%2d", "/~A-"),
        ("/%2f%3d%3b%e3", "/%2F%3D%3B%E3"),
        ("/a=b;c?d=e&f", "/a=b;c?d=e&f"),
        ('/a b"<>{}|\\^`', "/a%20b%22%3C%3E%7B%7D%7C%5C%5E%60"),
        ("/\x00\x7f", "/%00%7F"),
        ("/%", "/%25"),
        ("/%zz%4", "/%25zz%254"),
        ("/%%41", "/%25A"),
        ("/ツ€", "/%E3%83%84%E2%82%AC"),
        ("/\ud800", "/%ED%A0%80"),
    ],
    ids=[
        "unreserved-escapes-decoded",
        "reserved-escapes-kept-upper-cased",
        "reserved-characters-kept-bare",
        "neither-reserved-nor-unreserved-escaped",
        "controls-escaped",
        "stray-percent-escaped",
        "broken-escapes-escaped",
        "stray-percent-before-escape",
        "non-ascii-as-utf8",
        "lone-surrogate-never-raises",
    ],
)
def test_normalize_follows_rfc9309_and_rfc3986(text: str, normalized: str) -> None:
    assert normalize(text) == normalized
    assert normalize(normalized) == normalized  # patterns and paths are normalized once


def test_request_target_keeps_an_empty_query_and_drops_the_fragment() -> None:
    assert url_path("https://e.example/a?#f") == "/a?"
    assert url_path("http://[oops/private") == "/private"
