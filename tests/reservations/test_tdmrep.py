"""TDMRep (W3C CG Final Report 2024): the file, the header fields, the meta elements, precedence."""

from __future__ import annotations

import json
from dataclasses import asdict

import pytest

from reservations.tdmrep import (
    Declaration,
    fetched_file,
    field_declaration,
    file_declaration,
    parse_policy,
    parse_reservation,
    parse_tdmrep_json,
    tdmrep_verdict,
)

BASE = "https://provider.com/.well-known/tdmrep.json"
POLICY = "https://provider.com/policies/policy.json"

# §4.2 "Examples": the second example file, verbatim in content.
THREE_GROUPS = json.dumps(
    [
        {"location": "/directory-a/", "tdm-reservation": 1},
        {"location": "/directory-b/html/", "tdm-reservation": 1, "tdm-policy": POLICY},
        {"location": "/directory-b/images/*.jpg", "tdm-reservation": 0},
    ]
).encode()


def verdict_for(body: bytes, url: str):
    return tdmrep_verdict([file_declaration(parse_tdmrep_json(body, BASE), url, {})])


def test_spec_example_opt_out_of_every_file_reserves_everything() -> None:
    body = b'[\n  {\n  "location": "/",\n  "tdm-reservation": 1\n  }\n]'
    verdict = verdict_for(body, "https://provider.com/any/file.pdf")
    assert verdict.reason == "tdmrep.reserved" and not verdict.allowed
    assert verdict.evidence["file"]["rule"] == 0


@pytest.mark.parametrize(
    ("path", "reason", "policy"),
    [
        ("/directory-a/report.pdf", "tdmrep.reserved", None),
        ("/directory-b/html/page.html", "tdmrep.reserved", POLICY),
        ("/directory-b/images/photo.jpg", "tdmrep.not_reserved", None),
        ("/directory-b/images/photo.png", "tdmrep.unset", None),
        ("/elsewhere.html", "tdmrep.unset", None),
    ],
    ids=[
        "pdf-group-reserved",
        "html-group-with-policy",
        "jpeg-not-reserved",
        "png-no-rule",
        "no-rule",
    ],
)
def test_spec_example_three_groups_of_files(path: str, reason: str, policy: str | None) -> None:
    verdict = verdict_for(THREE_GROUPS, "https://provider.com" + path)
    assert verdict.reason == reason
    assert verdict.evidence["tdm-policy"] == policy


def test_first_matching_rule_wins_not_the_longest() -> None:
    # §4.2: "The most specific match is the first in sequence" -- unlike robots.txt.
    body = (
        b'[{"location": "/", "tdm-reservation": 0}, {"location": "/news/", "tdm-reservation": 1}]'
    )
    assert verdict_for(body, "https://p.example/news/a").reason == "tdmrep.not_reserved"
    swapped = (
        b'[{"location": "/news/", "tdm-reservation": 1}, {"location": "/", "tdm-reservation": 0}]'
    )
    assert verdict_for(swapped, "https://p.example/news/a").reason == "tdmrep.reserved"


@pytest.mark.parametrize(
    ("location", "path", "matches"),
    [
        ("/this/path/exactly$", "/this/path/exactly", True),
        ("/this/path/exactly$", "/this/path/exactly/not", False),
        ("/this/*/then", "/this/is/then/more", True),
        ("/this/*/then", "/this/then", False),
        ("/path/foo-%24", "/path/foo-$", True),
        ("/path/foo-%24", "/path/foo-", False),
        ("/a%62c", "/abc", True),
        ("/abc", "/a%62c", True),
        ("/a%2Fb", "/a/b", False),
        ("/Dir/", "/dir/x", False),
        ("*.pdf", "/docs/a.pdf", True),
    ],
    ids=[
        "dollar-ends-pattern",
        "dollar-rejects-longer",
        "star-any-run",
        "star-needs-both-sides",
        "escaped-dollar-is-literal",
        "escaped-dollar-needs-dollar",
        "unreserved-escape-decoded-in-pattern",
        "unreserved-escape-decoded-in-url",
        "reserved-escape-kept",
        "case-sensitive",
        "leading-star",
    ],
)
def test_location_matching_follows_robots_wording(location: str, path: str, matches: bool) -> None:
    body = json.dumps([{"location": location, "tdm-reservation": 1}]).encode()
    assert (verdict_for(body, "https://p.example" + path).reason == "tdmrep.reserved") is matches


@pytest.mark.parametrize(
    ("value", "expected"),
    [(1, 1), (0, 0), ("1", 1), (" 0 ", 0), (2, None), (True, None), (1.0, None), ("yes", None)],
    ids=["one", "zero", "string-one", "string-zero", "two", "json-true", "float", "word"],
)
def test_reservation_values_other_than_0_and_1_are_unset(
    value: object, expected: int | None
) -> None:
    assert parse_reservation(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (POLICY, POLICY),
        ("/policies/1", "https://provider.com/policies/1"),
        ("mailto:x@y", None),
        ("", None),
        ("https://a b", None),
        (42, None),
    ],
    ids=["absolute", "relative-resolved", "not-http", "empty", "whitespace", "number"],
)
def test_policy_must_be_an_http_url(value: object, expected: str | None) -> None:
    assert parse_policy(value, BASE) == expected


@pytest.mark.parametrize(
    ("body", "valid"),
    [
        (b"{not json", False),
        (b"\xff\xfe garbage", False),
        (b'"a string"', False),
        (b"null", False),
        (b"[" * 100_000 + b"]" * 100_000, False),
        (b"", False),
        (b"[]", True),
        (b'\xef\xbb\xbf[{"location": "/", "tdm-reservation": 1}]', True),
    ],
    ids=[
        "invalid-json",
        "invalid-utf8",
        "string",
        "null",
        "absurd-nesting",
        "empty",
        "empty-array",
        "bom",
    ],
)
def test_malformed_file_means_the_protocol_is_not_used(body: bytes, valid: bool) -> None:
    parsed = parse_tdmrep_json(body, BASE)
    assert parsed.valid is valid
    verdict = tdmrep_verdict([file_declaration(parsed, "https://provider.com/x", {})])
    assert verdict.decision == ("deny" if body.endswith(b"1}]") else "allow")


def test_wrong_types_inside_rules_are_skipped_or_unset_and_recorded() -> None:
    body = json.dumps(
        [
            "not an object",
            {"location": 7, "tdm-reservation": 1},
            {"location": "/a/", "tdm-reservation": [1]},
            {"location": "/b/"},
            {"location": "/c/", "tdm-reservation": 1, "tdm-policy": {"url": "x"}},
        ]
    ).encode()
    parsed = parse_tdmrep_json(body, BASE)
    assert [r.location for r in parsed.rules] == ["/a/", "/b/", "/c/"]
    assert len(parsed.problems) == 4
    assert verdict_for(body, "https://provider.com/a/x").reason == "tdmrep.unset"
    assert verdict_for(body, "https://provider.com/c/x").evidence["tdm-policy"] is None


def test_uppercase_keys_and_a_lone_object_still_reserve() -> None:
    body = b'{"Location": "/", "TDM-Reservation": 1, "TDM-Policy": "https://p.example/l"}'
    verdict = verdict_for(body, "https://p.example/page")
    assert verdict.reason == "tdmrep.reserved"
    assert verdict.evidence["tdm-policy"] == "https://p.example/l"
    assert len(verdict.evidence["file"]["problems"]) == 2


def test_repeated_key_keeps_the_most_restrictive_value() -> None:
    body = b'[{"location": "/", "tdm-reservation": 1, "tdm-reservation": 0}]'
    assert verdict_for(body, "https://p.example/x").reason == "tdmrep.reserved"


def test_absolute_url_location_counts_as_its_path() -> None:
    body = b'[{"location": "https://p.example/news/", "tdm-reservation": 1}]'
    assert verdict_for(body, "https://p.example/news/a").reason == "tdmrep.reserved"


def test_huge_file_of_rules_parses_and_matches() -> None:
    rules = [{"location": f"/d{i}/", "tdm-reservation": 0} for i in range(20_000)]
    rules.append({"location": "/", "tdm-reservation": 1})
    body = json.dumps(rules).encode()
    assert len(body) > 500_000
    assert verdict_for(body, "https://p.example/zzz").reason == "tdmrep.reserved"


def test_hostile_wildcards_are_matched_in_linear_time() -> None:
    body = json.dumps([{"location": "/" + "*a" * 2000 + "b", "tdm-reservation": 1}]).encode()
    assert verdict_for(body, "https://p.example/" + "a" * 3000).reason == "tdmrep.unset"


@pytest.mark.parametrize(
    ("status", "error", "truncated", "reason"),
    [
        (404, None, False, "tdmrep.unset"),
        (500, None, False, "tdmrep.unset"),
        (None, "DNS lookup failed", False, "tdmrep.unset"),
        (200, None, True, "tdmrep.unreadable"),
        (200, None, False, "tdmrep.reserved"),
    ],
    ids=["404", "500", "network-error", "cut-at-size-limit", "200"],
)
def test_fetch_outcome_decides_whether_the_file_counts(status, error, truncated, reason) -> None:
    body = b'[{"location": "/", "tdm-reservation": 1}]'
    parsed = fetched_file(status, error, body, BASE, truncated=truncated)
    verdict = tdmrep_verdict(
        [file_declaration(parsed, "https://provider.com/x", {"doc_status": 1})]
    )
    assert verdict.reason == reason
    assert verdict.evidence["file"]["doc_status"] == 1


def test_spec_header_example_reserves_with_policy() -> None:
    header = field_declaration("header", ["1"], [POLICY], "https://provider.com/page")
    verdict = tdmrep_verdict([header])
    assert verdict.reason == "tdmrep.reserved"
    assert verdict.evidence["tdm-policy"] == POLICY
    assert verdict.evidence["header"] == {"tdm-reservation": ["1"], "tdm-policy": [POLICY]}


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["1"], 1),
        ([" 0 "], 0),
        (["0", "1"], 1),
        (["1, 1"], 1),
        (["0, 0"], 0),
        (["yes"], None),
        ([], None),
    ],
    ids=["one", "padded-zero", "duplicated-conflict", "joined", "joined-zero", "invalid", "absent"],
)
def test_header_values_repeated_or_joined_keep_the_strictest(values, expected) -> None:
    assert field_declaration("header", values, [], "https://p/").reservation == expected


# §4.4 processing priority: file, then header, then HTML; present values supersede.
@pytest.mark.parametrize(
    ("file", "header", "html", "reason", "policy_from"),
    [
        ((1, "https://f/"), (None, None), (None, None), "tdmrep.reserved", "file"),
        ((1, "https://f/"), (0, None), (None, None), "tdmrep.not_reserved", "file"),
        ((0, None), (1, None), (None, None), "tdmrep.reserved", None),
        ((0, "https://f/"), (1, None), (None, None), "tdmrep.reserved", "file"),
        ((None, None), (1, "https://h/"), (0, None), "tdmrep.not_reserved", "header"),
        ((None, None), (0, None), (1, "https://m/"), "tdmrep.reserved", "html"),
        ((1, "https://f/"), (None, "https://h/"), (None, None), "tdmrep.reserved", "header"),
        ((None, None), (None, None), (None, None), "tdmrep.unset", None),
    ],
    ids=[
        "file-alone",
        "header-zero-supersedes-file",
        "header-one-supersedes-file-zero",
        "policy-kept-when-header-has-none",
        "html-zero-supersedes-header",
        "html-one-supersedes-header-zero",
        "header-policy-supersedes-file-policy",
        "nothing-anywhere",
    ],
)
def test_precedence_file_then_header_then_html(file, header, html, reason, policy_from) -> None:
    declarations = [
        Declaration("file", *file),
        Declaration("header", *header),
        Declaration("html", *html),
    ]
    verdict = tdmrep_verdict(declarations)
    assert verdict.reason == reason
    assert verdict.evidence.get("policy_from") == policy_from


@pytest.mark.parametrize(
    ("status", "body", "nothing"),
    [
        (404, b"", True),
        (200, b"not json", True),
        (200, b"[]", True),
        (200, b'[{"location": "", "tdm-reservation": 1}]', True),
        (200, b'[{"location": "/z", "tdm-reservation": 1}]', False),
        (200, THREE_GROUPS, False),
    ],
)
def test_a_file_without_rules_declares_the_same_for_every_url(
    status: int, body: bytes, nothing: bool
) -> None:
    file = fetched_file(status, None, body, BASE, truncated=False)
    assert file.matches_nothing is nothing
    urls = ("https://provider.com/", "https://provider.com/directory-a/x", "https://provider.com/z")
    evidence = {"doc_status": status}
    found = {json.dumps(asdict(file_declaration(file, url, evidence))) for url in urls}
    assert (len(found) == 1) is nothing
