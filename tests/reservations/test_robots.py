"""robots.txt parsing and matching (RFC 9309): conformance vectors, evidence, hostile input.

``bench/robots_eval.py`` measures how long hostile files take; these tests check decisions.
"""

from __future__ import annotations

import hashlib
import random
import re
import time

import pytest

from reservations.robots import MAX_PARSE_BYTES, RobotsFile, RobotsMatch, parse_robots
from tests.conformance import Vector, load_vectors, vector_params

GOOGLE_FILE = "google_robotstxt_vectors.json"
RFC_FILE = "rfc9309_example_vectors.json"


def parse(text: str) -> RobotsFile:
    return parse_robots(text.encode("utf-8"))


# Google leniencies beyond RFC 9309 that Heed does not share; every other google_extension
# case passes, because Heed keeps those leniencies on purpose (misspelt keys, a missing colon,
# a user-agent value read up to its first space, "index.html" allowing its directory).
GOOGLE_ONLY = {
    "GoogleOnly_AcceptUserAgentUpToFirstSpace#2": "the token 'Foo Bar' is read word by word",
    "GoogleOnly_LineTooLong#2": "Heed reads lines whole; Google cuts them at 16,664 bytes",
    "GoogleOnly_LineTooLong#5": "Heed reads lines whole; Google cuts them at 16,664 bytes",
    "derived_key_prefix_disallowed": "'disallowed' is no misspelling Heed reads as 'disallow'",
}


def google_marks(vector: Vector) -> list[pytest.MarkDecorator]:
    if vector.get("rfc_divergent"):
        reason = "Google wants the caller to percent-encode the URL; RFC 9309 §2.2.2 normalises"
        return [pytest.mark.skip(reason=reason)]
    if vector["name"] in GOOGLE_ONLY:
        return [pytest.mark.xfail(strict=True, reason=GOOGLE_ONLY[vector["name"]])]
    return []


def evaluate(vector: Vector) -> RobotsMatch:
    return parse(vector["robotstxt"]).evaluate(vector["url"], vector["user_agent"])


def assert_evidence_agrees(match: RobotsMatch, robotstxt: str) -> None:
    """The rule reported is of the decided kind and stands at its line; no rule means allowed."""
    if match.rule is None:
        assert match.allowed
        return
    assert match.rule.allow is match.allowed
    assert match.group is not None and match.group.lineno <= match.rule.lineno
    line = re.split(r"\r\n|\r|\n", robotstxt.removeprefix("\ufeff"))[match.rule.lineno - 1]
    assert line.strip() == match.rule.text
    key = re.split(r"[\s:]", match.rule.text, maxsplit=1)[0].lower()
    assert (key == "allow") is match.allowed


# --- Conformance vectors ------------------------------------------------------------------


@pytest.mark.parametrize("vector", vector_params(GOOGLE_FILE, google_marks))
def test_google_robotstxt_vector(vector: Vector) -> None:
    assert evaluate(vector).allowed is vector["allowed"]


@pytest.mark.parametrize("vector", vector_params(RFC_FILE))
def test_rfc9309_example(vector: Vector) -> None:
    assert evaluate(vector).allowed is vector["allowed"]


@pytest.mark.parametrize("vector", vector_params(GOOGLE_FILE) + vector_params(RFC_FILE))
def test_evidence_agrees_with_decision_for_every_vector(vector: Vector) -> None:
    assert_evidence_agrees(evaluate(vector), vector["robotstxt"])


def test_vector_files_hold_the_cases_the_readme_counts() -> None:
    google, examples = load_vectors(GOOGLE_FILE), load_vectors(RFC_FILE)
    if google is None or examples is None:
        pytest.skip("conformance data not found beside the repository")
    plain = [v for v in google if not v["google_extension"] and not v.get("rfc_divergent")]
    assert (len(plain), len(examples)) == (129, 30)


# --- Where Heed reads the file unlike Protego ---------------------------------------------


def test_leading_utf8_bom_is_dropped() -> None:
    match = parse_robots(b"\xef\xbb\xbfUser-agent: *\nDisallow: /\n").evaluate("/x", "HeedBot")
    assert not match.allowed
    assert match.group is not None and match.group.agents == ("*",)
    assert match.rule is not None and (match.rule.text, match.rule.lineno) == ("Disallow: /", 2)


def test_bom_inside_the_file_spoils_only_its_own_line() -> None:
    robots = parse("User-agent: *\nDisallow: /a\n\ufeffDisallow: /b\n")
    assert not robots.evaluate("/a", "HeedBot").allowed
    assert robots.evaluate("/b", "HeedBot").allowed


def test_unknown_line_between_user_agent_lines_does_not_split_the_group() -> None:
    robots = parse("User-agent: FooBot\nContent-Usage: train-ai=n\nUser-agent: *\nDisallow: /\n")
    match = robots.evaluate("http://example.com/", "FooBot")
    assert not match.allowed
    assert match.group is not None and match.group.agents == ("FooBot", "*")
    assert match.rule is not None and match.rule.lineno == 4


def test_product_token_matches_whole_and_case_insensitively() -> None:
    robots = parse("User-agent: Foo\nDisallow: /\n")
    assert not robots.evaluate("/x", "FOO").allowed
    assert robots.evaluate("/x", "FooBot") == RobotsMatch(True, None, None)


def test_full_user_agent_header_finds_the_group_of_its_token() -> None:
    robots = parse("User-agent: Mozilla\nAllow: /\n\nUser-agent: HeedBot\nDisallow: /\n")
    header = "Mozilla/5.0 (compatible; HeedBot/0.1; +https://example.com/bot)"
    match = robots.evaluate("/x", header)
    assert match.group is not None and match.group.agents == ("HeedBot",)
    assert not match.allowed


def test_only_cr_and_lf_end_lines() -> None:
    robots = parse("User-agent: *\nDisallow: /a\x0cb\u2028c\n")
    assert robots.evaluate("/a", "HeedBot").allowed
    assert not robots.evaluate("/a%0Cb%E2%80%A8c/d", "HeedBot").allowed


def test_rule_written_as_index_html_also_allows_its_directory_with_evidence() -> None:
    robots = parse("User-agent: *\nAllow: /d/index.html\nDisallow: /\n")
    match = robots.evaluate("/d/", "HeedBot")
    assert match.allowed  # Protego's (and Google's) reading, kept
    assert match.rule is not None and match.rule.text == "Allow: /d/index.html"


# --- Groups, rules and evidence -----------------------------------------------------------

MERGED = """\
User-agent: a
Disallow: /x

User-agent: b
Disallow: /

user-agent: A
Allow: /x/y
Crawl-delay: 3
"""


def test_groups_of_one_product_token_are_merged() -> None:
    robots = parse(MERGED)
    denied, allowed, unmatched = (robots.evaluate(p, "a") for p in ("/x/z", "/x/y", "/q"))
    assert denied.rule is not None and (denied.rule.lineno, denied.group) == (2, robots.groups[0])
    assert allowed.rule is not None and (allowed.rule.lineno, allowed.group) == (
        8,
        robots.groups[2],
    )
    assert unmatched == RobotsMatch(True, robots.groups[0], None)
    assert [line.lineno for line in robots.group_lines("A")] == [1, 2, 7, 8, 9]
    assert robots.crawl_delay("a") == 3.0 and robots.crawl_delay("b") is None


def test_rule_text_and_line_number_are_those_of_the_file() -> None:
    robots = parse("# hello\r\nUser-agent: *\r\n\r\n   Disallow: /private/   # keep out\r\n")
    match = robots.evaluate("https://example.com/private/x", "HeedBot")
    assert match.rule is not None
    assert (match.rule.text, match.rule.lineno) == ("Disallow: /private/   # keep out", 4)


def test_line_numbers_count_cr_lf_and_crlf_alike() -> None:
    robots = parse_robots(b"User-agent: *\r\n# c\rDisallow: /a\n\nDisallow: /b")
    assert [(line.key, line.lineno) for line in robots.lines] == [
        ("user-agent", 1),
        ("disallow", 3),
        ("disallow", 5),
    ]


def test_longest_match_wins_and_allow_wins_ties() -> None:
    robots = parse("User-agent: *\nDisallow: /\nAllow: /p\nDisallow: /same\nAllow: /same\n")
    for path, text in (("/page", "Allow: /p"), ("/x", "Disallow: /"), ("/same", "Allow: /same")):
        match = robots.evaluate(path, "HeedBot")
        assert match.rule is not None and match.rule.text == text


def test_percent_encoding_is_normalised_before_comparison() -> None:
    robots = parse("User-agent: *\nDisallow: /foo/bar/%62%61%7A\nDisallow: /ツ\n")
    assert not robots.evaluate("/foo/bar/baz", "HeedBot").allowed
    assert not robots.evaluate("http://example.com/%E3%83%84", "HeedBot").allowed


def test_robots_txt_itself_is_always_allowed_by_no_rule() -> None:
    match = parse("User-agent: *\nDisallow: /\n").evaluate("https://example.com/robots.txt", "b")
    assert match.allowed and match.rule is None and match.group is not None


def test_crawl_delay_is_read_from_the_group_that_applies() -> None:
    robots = parse(
        "User-agent: *\nCrawl-delay: 2.5\nDisallow:\n\nUser-agent: slow\nCrawl-delay: soon\n"
    )
    assert robots.crawl_delay("HeedBot") == 2.5
    assert robots.crawl_delay("slow") is None
    assert parse("User-agent: other\nCrawl-delay: 1\n").crawl_delay("HeedBot") is None


def test_sitemaps_are_read_anywhere_in_file_order() -> None:
    robots = parse(
        "Sitemap: https://example.com/a.xml\nUser-agent: *\nSitemap: https://example.com/b.xml\n"
        "Disallow: /\nSitemap:\nSitemap https://example.com/c.xml\n"
    )
    assert robots.sitemaps == tuple(f"https://example.com/{n}.xml" for n in "abc")
    assert not robots.evaluate("/x", "HeedBot").allowed  # a sitemap does not end a group


def test_extension_lines_are_exposed_in_and_outside_groups() -> None:
    robots = parse(
        "Content-Signal: search=yes, ai-train=no\n"
        "User-agent: *\n"
        "Content-Signal: ai-input=no # per group\n"
        "Allow: /\n"
    )
    first = robots.lines[0]
    assert (first.key, first.value, first.lineno, first.group) == (
        "content-signal",
        "search=yes, ai-train=no",
        1,
        None,
    )
    in_group = [(line.key, line.value, line.lineno) for line in robots.group_lines("HeedBot")]
    assert in_group == [
        ("user-agent", "*", 2),
        ("content-signal", "ai-input=no", 3),
        ("allow", "/", 4),
    ]
    assert parse("User-agent: other\nAllow: /\n").group_lines("HeedBot") == ()


# --- Size limit and digest ----------------------------------------------------------------


def test_body_is_cut_at_the_limit_and_digested_whole() -> None:
    head = b"User-agent: *\nDisallow: /a\n"
    body = head + b"#" * MAX_PARSE_BYTES + b"\nDisallow: /\n"
    robots = parse_robots(body)
    assert robots.truncated and robots.sha256 == hashlib.sha256(body).hexdigest()
    assert robots.evaluate("/b", "HeedBot").allowed
    assert not robots.evaluate("/a", "HeedBot").allowed


def test_a_line_cut_by_the_limit_is_not_read_half() -> None:
    head = b"User-agent: *\nDisallow: /\n"
    filler = b"#" * (MAX_PARSE_BYTES - len(head) - 10) + b"\n"
    robots = parse_robots(head + filler + b"Allow: /abcdefghijklmnop\n")
    assert robots.truncated
    assert not robots.evaluate("/abc", "HeedBot").allowed


def test_body_of_exactly_the_limit_is_not_truncated() -> None:
    body = b"User-agent: *\nDisallow: /\n".ljust(MAX_PARSE_BYTES, b"\n")
    assert not parse_robots(body).truncated


# --- Hostile input ------------------------------------------------------------------------


def test_binary_garbage_never_raises() -> None:
    rng = random.Random(9309)
    for size in (0, 1, 100, 10_000, 600_000):
        robots = parse_robots(rng.randbytes(size))
        for url in ("/", "http://[::1/x", "\ud800/x", "x" * 5000):
            match = robots.evaluate(url, rng.randbytes(20).decode("latin-1"))
            assert match.allowed if match.rule is None else match.rule.allow is match.allowed
        robots.crawl_delay("*")
        robots.group_lines("HeedBot")


def test_ten_megabytes_are_parsed_quickly_as_their_first_500_kib() -> None:
    body = b"User-agent: *\n" + b"Disallow: /*a*b*c$\n" * (10 * 1024 * 1024 // 19)
    started = time.perf_counter()
    robots = parse_robots(body)
    robots.evaluate("/" + "ab" * 1000, "HeedBot")
    assert robots.truncated and time.perf_counter() - started < 5


def test_many_agents_times_many_rules_stay_fast() -> None:
    # Protego alone copies every rule into every agent's set: this file took it 400 s.
    agents = "".join(f"User-agent: bot{i}\n" for i in range(15_000))
    rules = "".join(f"Disallow: /x{i}\n" for i in range(15_000))
    started = time.perf_counter()
    match = parse(agents + rules).evaluate("/x14999", "bot7")
    assert not match.allowed and time.perf_counter() - started < 5


def test_hostile_urls_and_tokens_never_raise() -> None:
    robots = parse("User-agent: *\nDisallow: /private\n")
    assert not robots.evaluate("http://[oops/private", "\udfff").allowed
    rng = random.Random(3986)
    pieces = [
        "http:",
        "//",
        "/",
        "[",
        "]",
        "?",
        "#",
        "%",
        "%zz",
        "@",
        ":99999",
        "\t",
        "\ud800",
        "ä",
    ]
    for _ in range(2_000):
        url = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 8)))
        robots.evaluate(url, url)


def test_rule_lines_missing_their_colon_are_read_as_protego_reads_them() -> None:
    robots = parse("User-agent HeedBot\nDisallow /a:b\n")
    match = robots.evaluate("/a:b/c", "HeedBot")
    assert not match.allowed and match.rule is not None and match.rule.text == "Disallow /a:b"


def wildcard_robots(count: int = 10_000) -> bytes:
    """``count`` wildcard rules that almost match long URLs, then one that does."""
    shapes = (
        "Disallow: /*ab*ab*ab*X{}$",
        "Disallow: /*abababababababababababababX{}",
        "Disallow: /*a*b*a*b*a*b*a*b*a*b*a*b*a*b*Y{}",
        "Disallow: /*b*a*b*a*b*a*b*a*b*a*Z{}*",
    )
    rules = "\n".join(shapes[i % len(shapes)].format(i) for i in range(count))
    return f"User-agent: *\n{rules}\nDisallow: /\n".encode()


@pytest.mark.parametrize(
    ("url", "line"),
    [
        ("/" + "ab" * 1_000, 10_002),
        ("/" + "a" * 8_000, 10_002),
        ("/" + "ba" * 4_000, 10_002),
        ("/" + "ba" * 1_000 + "X9996", 9_998),
        ("/" + "ababababababababababababab" + "X9997/", 9_999),
    ],
    ids=["ab", "a", "ba", "anchored-rule", "long-literal-rule"],
)
def test_ten_thousand_wildcard_rules_name_the_longest_match(url: str, line: int) -> None:
    robots = parse_robots(wildcard_robots())
    assert robots.lines[-1].lineno == 10_002
    match = robots.evaluate(url, "HeedBot")
    assert not match.allowed and match.rule is not None and match.rule.lineno == line
