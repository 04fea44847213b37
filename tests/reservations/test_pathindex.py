"""One matcher for every robots-style pattern: the index agrees with running every pattern, all
five readers read a path one way, and hostile inputs are decided correctly."""

from __future__ import annotations

import itertools
import json
import random
from collections.abc import Callable

import pytest

from reservations.aipref import robots_usage_verdict, usage_rules
from reservations.aitxt import fetched_aitxt
from reservations.content_signal import robots_signal_verdict
from reservations.pathindex import PatternIndex
from reservations.pathmatch import PathPattern, compile_pattern, normalize
from reservations.robots import parse_robots
from reservations.tdmrep import parse_tdmrep_json

ORIGIN = "https://e.example"

# --- The index answers as running every pattern in order would ------------------------------

ATOMS = ["/", "a", "b", "ab", "abcd", "*", "$", "%", "%24", "%2A", "%3D", "=", "?", ";", "ツ"]


def test_index_yields_exactly_the_matching_entries_in_order() -> None:
    rng = random.Random(9309)

    def text(most: int) -> str:
        return "".join(rng.choice(ATOMS) for _ in range(rng.randint(0, most)))

    for _ in range(400):
        patterns = [compile_pattern(rng.choice("/*") + text(6)) for _ in range(rng.randint(1, 30))]
        patterns += rng.sample(patterns, k=min(3, len(patterns)))  # duplicates run once
        patterns.append(None)  # a line without a path matches every path
        rng.shuffle(patterns)
        entries = list(enumerate(patterns))
        index = PatternIndex([(p, i) for i, p in entries])
        for _ in range(10):
            path = normalize("/" + text(12))
            expected = [i for i, p in entries if p is None or p.matches(path)]
            assert [i for _, i in index.matching(path)] == expected, (patterns, path)


def test_index_with_no_entries_matches_nothing() -> None:
    assert PatternIndex[int]([]).first("/x") is None


@pytest.mark.parametrize(
    ("lines", "same"),
    [
        ([], True),
        (["train-ai=n"], True),
        (["train-ai=n", "search=y"], True),
        (["train-ai=n", "/a/ train-ai=y"], False),
        (["/c train-ai=n"], False),
    ],
)
def test_lines_without_a_path_give_every_url_the_same_lines(lines: list[str], same: bool) -> None:
    index = usage_rules(list(enumerate(lines, 1)))
    assert index.same_everywhere is same
    found = {tuple(r.lineno for r in index.longest(f"{ORIGIN}{p}")) for p in ("/", "/a/b", "/c")}
    assert (len(found) == 1) is same


# --- One robots.txt, one reading ------------------------------------------------------------


def robots_disallows(rule: str, url: str) -> bool:
    robots = parse_robots(f"User-agent: *\nDisallow: {rule}\n".encode())
    return not robots.evaluate(url, "HeedBot").allowed


def aitxt_disallows(rule: str, url: str) -> bool:
    state = fetched_aitxt(200, None, f"User-agent: *\nDisallow: {rule}\n".encode(), {})
    assert state.file is not None
    return not state.file.evaluate(url, "HeedBot").allowed


def content_usage_applies(rule: str, url: str) -> bool:
    verdict = robots_usage_verdict({"HeedBot": [(2, f"{rule} train-ai=n")]}, url, "train-ai")
    return verdict.reason == "content-usage.disallow"


def content_signal_applies(rule: str, url: str) -> bool:
    verdict = robots_signal_verdict({"HeedBot": [(2, f"{rule} ai-train=no")]}, url, "train-ai")
    return verdict.reason == "content-signal.disallow"


def tdmrep_location_applies(rule: str, url: str) -> bool:
    body = json.dumps([{"location": rule, "tdm-reservation": 1}]).encode()
    return parse_tdmrep_json(body, ORIGIN + "/").match(url) is not None


READERS: dict[str, Callable[[str, str], bool]] = {
    "disallow": robots_disallows,
    "ai-txt": aitxt_disallows,
    "content-usage": content_usage_applies,
    "content-signal": content_signal_applies,
    "tdmrep-location": tdmrep_location_applies,
}

# RFC 9309 §2.2.2: escapes of unreserved characters are decoded, escapes of reserved ones are
# not (RFC 3986 §2.2: "=" and "%3D" are different URLs), and non-ASCII is compared encoded.
READINGS = [
    ("/a=b", "/a%3Db", False),
    ("/a%3Db", "/a=b", False),
    ("/a%3Bb", "/a;b", False),
    ("/a;b", "/a%3Bb", False),
    ("/a=b", "/a=b", True),
    ("/a%3db", "/a%3Db", True),
    ("/a%62", "/ab", True),
    ("/ab", "/a%62", True),
    ("/ツ", "/%E3%83%84", True),
    ("/a%2Fb", "/a/b", False),
    ("/a-%24", "/a-$", True),
    ("/a-%2A", "/a-*", True),
    ("/a%22", '/a"', True),
    ("/%", "/%41", False),
    ("/%", "/%25", True),
]


@pytest.mark.parametrize("reader", READERS.values(), ids=READERS.keys())
@pytest.mark.parametrize(("rule", "path", "matches"), READINGS)
def test_every_reader_reads_percent_encoding_the_same_way(
    reader: Callable[[str, str], bool], rule: str, path: str, matches: bool
) -> None:
    assert reader(rule, ORIGIN + path) is matches


# --- Hostile inputs, decided correctly ------------------------------------------------------

BAIT = "Disallow: /*a*a*a*a*a*a*a*a*a*a*b$\n"


def ten_thousand_wildcard_rules() -> str:
    shapes = (
        "Disallow: /*ab*ab*ab*X{}$",
        "Disallow: /*abababababababababababababX{}",
        "Disallow: /*a*b*a*b*a*b*a*b*a*b*a*b*a*b*Y{}",
        "Disallow: /*b*a*b*a*b*a*b*a*b*a*Z{}*",
    )
    return "\n".join(shapes[i % len(shapes)].format(i) for i in range(10_000))


def shared_key_permutations() -> str:
    rules = ("".join(p) for p in itertools.permutations("cdefgh"))
    return "".join(f"Disallow: /*abcd*{'*'.join(r)}$\n" for r in rules)


def long_head_chain() -> str:
    return "".join(f"Allow: /{'a' * k}\n" for k in range(1, 900)) + "Disallow: /\n"


def many_groups() -> str:
    return "".join(f"User-agent: bot{i}\nDisallow: /p{i}/*x$\n\n" for i in range(5_000))


# (name, robots.txt after "User-agent: *" (or whole, for groups), token, path, line or None)
HOSTILE = [
    ("backtracking-bait-miss", BAIT * 1_000, "HeedBot", "/" + "a" * 2_000, None),
    ("backtracking-bait-hit", BAIT * 1_000, "HeedBot", "/" + "a" * 1_999 + "b", 2),
    ("many-stars-cannot-fit", "Disallow: /" + "*a" * 200_000 + "\n", "HeedBot", "/a", None),
    ("many-stars-fit", "Disallow: /" + "*a" * 500 + "\n", "HeedBot", "/" + "a" * 2_000, 2),
    ("many-stars-one-short", "Disallow: /" + "*a" * 500 + "\n", "HeedBot", "/" + "a" * 499, None),
    (
        "ten-thousand-wildcards-fall-back",
        ten_thousand_wildcard_rules() + "\nDisallow: /\n",
        "HeedBot",
        "/" + "ab" * 1_000,
        10_002,
    ),
    (
        "ten-thousand-wildcards-one-fits",
        ten_thousand_wildcard_rules() + "\nDisallow: /\n",
        "HeedBot",
        "/" + "ab" * 1_000 + "X8",
        10,
    ),
    ("shared-key-permutations-miss", shared_key_permutations(), "HeedBot", "/abcdhgfed", None),
    ("shared-key-permutations-hit", shared_key_permutations(), "HeedBot", "/abcd-c-d-e-f-g-h", 2),
    ("long-head-chain", long_head_chain(), "HeedBot", "/" + "a" * 700 + "b", 701),
    ("long-head-chain-beyond", long_head_chain(), "HeedBot", "/" + "a" * 2_000, 900),
    ("dollar-is-no-literal-dollar", "Allow: /$\nDisallow: /\n", "HeedBot", "/%24", 3),
    ("dollar-anchor-root", "Allow: /$\nDisallow: /\n", "HeedBot", "/", 2),
    ("dollar-in-middle-is-literal", "Disallow: /a$b\n", "HeedBot", "/a$b/c", 2),
    ("only-dollars", "Disallow: /$$$\n", "HeedBot", "/$$", 2),
    ("star-dollar-matches-all", "Disallow: /*$\n", "HeedBot", "/" + "$" * 2_000, 2),
]


@pytest.mark.parametrize(
    ("robots", "token", "path", "line"),
    [pytest.param(*case[1:], id=case[0]) for case in HOSTILE],
)
def test_hostile_robots_txt_is_decided_by_the_right_line(
    robots: str, token: str, path: str, line: int | None
) -> None:
    match = parse_robots(f"User-agent: *\n{robots}".encode()).evaluate(ORIGIN + path, token)
    assert (match.rule.lineno if match.rule else None) == line
    assert match.allowed is (line is None or match.rule is not None and match.rule.allow)


@pytest.mark.parametrize(("token", "allowed"), [("bot4999", False), ("bot1", True)])
def test_many_groups_each_decide_for_their_own_token(token: str, allowed: bool) -> None:
    robots = parse_robots(many_groups().encode())
    match = robots.evaluate(ORIGIN + "/p4999/" + "a" * 2_000 + "x", token)
    assert match.allowed is allowed
    assert (match.rule is None) is allowed


def test_many_stars_pattern_is_one_literal_piece_per_star() -> None:
    pattern = compile_pattern("/" + "*a" * 1_000 + "b")
    assert isinstance(pattern, PathPattern) and len(pattern.pieces) == 1_001
    assert not pattern.matches("/" + "a" * 5_000)
    assert pattern.matches("/" + "a" * 1_000 + "b")
