"""IETF AI preferences: draft-ietf-aipref-vocab (labels, parsing, combining) and -attach."""

from __future__ import annotations

import pytest

from reservations.aipref import (
    UsageAnswer,
    combine,
    consult,
    header_usage_verdict,
    parse_usage,
    robots_usage_verdict,
)


@pytest.mark.parametrize(
    ("value", "labels"),
    [
        ("train-ai=y, train-genai=n", {"train-ai": "y", "train-genai": "n"}),
        ("train-ai=n", {"train-ai": "n"}),
        ('train-ai=y, train-ai="n", train-genai=n, train-genai, all=n, all=()', {}),
        ("train-ai=n;q=1", {"train-ai": "n"}),
        ("train-ai=no", {}),
        ("future-use=n, train-ai=y", {"future-use": "n", "train-ai": "y"}),
        ("", {}),
    ],
    ids=[
        "vocab-example",
        "attach-example",
        "vocab-duplicates-express-nothing",
        "parameters-ignored",
        "token-other-than-y-n",
        "unknown-label-kept-but-unused",
        "empty",
    ],
)
def test_statement_parsing_follows_vocab_processing(value: str, labels: dict[str, str]) -> None:
    statement = parse_usage(value)
    assert statement.error is None
    assert dict(statement.labels) == labels


@pytest.mark.parametrize(
    "value",
    ["Train-ai=n", "train-ai=n,", "train-ai=n train", "train ai=n", "tráin-ai=n", "=n"],
    ids=[
        "uppercase-key",
        "trailing-comma",
        "trailing-garbage",
        "space-in-key",
        "non-ascii",
        "no-key",
    ],
)
def test_parse_failure_expresses_no_preference(value: str) -> None:
    statement = parse_usage(value)
    assert statement.error and not statement.labels
    verdict = header_usage_verdict([value], "train-ai")
    assert verdict.allowed and verdict.reason == "content-usage.parse_error"
    assert verdict.evidence["preference"] == "unknown"


@pytest.mark.parametrize(
    ("value", "purpose", "preference", "label"),
    [
        ("train-ai=n", "train-ai", "disallowed", "train-ai"),
        ("train-ai=y", "train-ai", "allowed", "train-ai"),
        ("search=n", "train-ai", "unknown", None),
        ("search=n", "search", "disallowed", "search"),
        ("ai-use=n", "ai-use", "disallowed", "ai-use"),
        ("ai-use=n", "train-ai", "unknown", None),
        ("train-ai=y, train-genai=n", "train-ai", "disallowed", "train-genai"),
        ("bots=n", "train-ai", "disallowed", "bots"),
        ("bots=n, train-ai=y", "train-ai", "allowed", "train-ai"),
        ("all=y", "train-ai", "allowed", "all"),
        ("tdm=n", "search", "disallowed", "tdm"),
        ("ai=n", "train-ai", "disallowed", "ai"),
        ("train-genai=y", "train-ai", "unknown", None),
    ],
    ids=[
        "train-ai-n",
        "train-ai-y",
        "search-n-alone-does-not-touch-training",
        "search-n-for-search",
        "ai-use-n",
        "ai-use-n-not-training",
        "legacy-narrower-n-restricts",
        "legacy-broader-n-applies-when-silent",
        "specific-y-beats-legacy-broader-n",
        "legacy-broader-y",
        "legacy-tdm-covers-search",
        "vocab-01-ai-label",
        "legacy-y-never-permits",
    ],
)
def test_consulting_a_statement_for_a_purpose(value, purpose, preference, label) -> None:
    assert consult(parse_usage(value), purpose) == UsageAnswer(preference, label)


def test_combining_is_most_restrictive() -> None:
    # vocab §7.1: any disallow, then any allow, else no preference.
    yes, no, unknown = (
        UsageAnswer("allowed", "a"),
        UsageAnswer("disallowed", "b"),
        UsageAnswer("unknown"),
    )
    assert combine([yes, no, unknown]).preference == "disallowed"
    assert combine([unknown, yes]).preference == "allowed"
    assert combine([unknown]).preference == "unknown"
    assert combine([]).preference == "unknown"


def test_header_disallow_denies_and_search_alone_does_not() -> None:
    deny = header_usage_verdict(["train-ai=n"], "train-ai")
    assert not deny.allowed and deny.reason == "content-usage.disallow"
    assert deny.evidence["header"] == ["train-ai=n"]
    assert header_usage_verdict(["search=n"], "train-ai").reason == "content-usage.unknown"
    assert header_usage_verdict([], "train-ai").reason == "content-usage.unknown"


def test_repeated_header_lines_are_one_dictionary_last_value_wins() -> None:
    # RFC 9110 §5.3 joins the lines; RFC 9651 §4.2.2 keeps a repeated key's last value.
    later_no = header_usage_verdict(["train-ai=y", "train-ai=n"], "train-ai")
    assert later_no.reason == "content-usage.disallow"
    assert later_no.evidence["duplicate_keys"] == ["train-ai"]
    later_yes = header_usage_verdict(["train-ai=n", "train-ai=y"], "train-ai")
    assert later_yes.reason == "content-usage.allow"


def test_huge_header_is_parsed_and_its_evidence_clipped() -> None:
    value = ", ".join(f"x{i}=y" for i in range(50_000)) + ", train-ai=n"
    verdict = header_usage_verdict([value], "train-ai")
    assert verdict.reason == "content-usage.disallow"
    assert len(verdict.evidence["header"][0]) < 600


# draft-ietf-aipref-attach §3.5, the example robots.txt and its table.
ATTACH_GROUP_STAR = [(4, "train-ai=n"), (5, "/ai-ok/ train-ai=y")]
ATTACH_GROUP_EXAMPLEBOT = [(9, "train-ai=y")]


@pytest.mark.parametrize(
    ("token_lines", "path", "reason", "line"),
    [
        (ATTACH_GROUP_STAR, "/test", "content-usage.disallow", 4),
        (ATTACH_GROUP_STAR, "/ai-ok/test", "content-usage.allow", 5),
        (ATTACH_GROUP_EXAMPLEBOT, "/test", "content-usage.allow", 9),
    ],
    ids=["star-group-test", "star-group-ai-ok", "examplebot-group"],
)
def test_attach_example_robots_rules(token_lines, path, reason, line) -> None:
    verdict = robots_usage_verdict({"Bot": token_lines}, "https://e.example" + path, "train-ai")
    assert verdict.reason == reason
    assert [r["line"] for r in verdict.evidence["rules"]["Bot"]] == [line]


def test_robots_rules_with_identical_paths_combine_most_restrictively() -> None:
    lines = [(1, "/a/ train-ai=y"), (2, "/a/ train-ai=n")]
    verdict = robots_usage_verdict({"Bot": lines}, "https://e.example/a/x", "train-ai")
    assert verdict.reason == "content-usage.disallow"
    assert len(verdict.evidence["rules"]["Bot"]) == 2


def test_robots_rule_path_supports_wildcards_and_end_anchor() -> None:
    lines = [(1, "train-ai=y"), (2, "/*.pdf$\ttrain-ai=n")]
    at = "https://e.example"
    assert robots_usage_verdict({"B": lines}, at + "/d/x.pdf", "train-ai").reason == (
        "content-usage.disallow"
    )
    assert robots_usage_verdict({"B": lines}, at + "/d/x.pdf?v=1", "train-ai").reason == (
        "content-usage.allow"
    )


def test_robots_rules_of_other_obeyed_agents_combine_most_restrictively() -> None:
    groups = {"HeedBot": [(1, "train-ai=y")], "GPTBot": [(5, "train-ai=n")]}
    verdict = robots_usage_verdict(groups, "https://e.example/x", "train-ai")
    assert verdict.reason == "content-usage.disallow"
    assert set(verdict.evidence["rules"]) == {"HeedBot", "GPTBot"}


def test_malformed_robots_rules_never_crash() -> None:
    lines = [(1, "/" + "a" * 10_000 + " train-ai=n"), (2, "Train-ai=n"), (3, ""), (4, "/x/")]
    verdict = robots_usage_verdict({"B": lines}, "https://e.example/x/", "train-ai")
    assert verdict.reason == "content-usage.unknown"
    assert robots_usage_verdict({}, "https://e.example/", "train-ai").reason == (
        "content-usage.unknown"
    )
