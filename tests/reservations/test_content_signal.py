"""Cloudflare Content Signals: ``Content-Signal`` lines in robots.txt groups and headers."""

from __future__ import annotations

import pytest

from reservations.content_signal import (
    header_signal_verdict,
    parse_signals,
    robots_signal_verdict,
)

URL = "https://e.example/page"


@pytest.mark.parametrize(
    ("value", "signals"),
    [
        ("search=yes, ai-train=no", {"search": "yes", "ai-train": "no"}),
        (
            "ai-train=no, search=yes, ai-input=yes",
            {"ai-train": "no", "search": "yes", "ai-input": "yes"},
        ),
        ("search=yes,ai-train=no", {"search": "yes", "ai-train": "no"}),
        ("AI-Train=NO", {"ai-train": "no"}),
        ("ai-train=no, ai-train=yes", {"ai-train": "no"}),
        ("ai-train=yes, ai-train=no", {"ai-train": "no"}),
        ("ai-train=maybe, search", {}),
        ("", {}),
    ],
    ids=[
        "policy-example",
        "all-three",
        "no-spaces",
        "case-insensitive",
        "repeat-keeps-no",
        "repeat-keeps-no-later",
        "invalid-pairs-ignored",
        "empty",
    ],
)
def test_signal_values(value: str, signals: dict[str, str]) -> None:
    assert parse_signals(value) == signals


@pytest.mark.parametrize(
    ("purpose", "reason", "signal"),
    [
        ("train-ai", "content-signal.disallow", "ai-train"),
        ("search", "content-signal.allow", "search"),
        ("ai-use", "content-signal.unknown", "ai-input"),
    ],
    ids=["training-denied", "search-allowed", "ai-input-unsaid"],
)
def test_policy_default_line_by_purpose(purpose, reason, signal) -> None:
    groups = {"HeedBot": [(3, "search=yes, ai-train=no")]}
    verdict = robots_signal_verdict(groups, URL, purpose)
    assert verdict.reason == reason
    assert verdict.evidence["signal"] == signal
    assert verdict.evidence["lines"] == {
        "HeedBot": [{"line": 3, "value": "search=yes, ai-train=no"}]
    }


def test_search_no_alone_does_not_deny_training() -> None:
    verdict = robots_signal_verdict({"B": [(1, "search=no")]}, URL, "train-ai")
    assert verdict.allowed and verdict.reason == "content-signal.unknown"


def test_several_lines_in_a_group_any_no_wins() -> None:
    groups = {"B": [(1, "ai-train=yes"), (2, "ai-train=no")]}
    assert robots_signal_verdict(groups, URL, "train-ai").reason == "content-signal.disallow"


def test_path_scoped_line_longest_match() -> None:
    groups = {"B": [(1, "ai-train=no"), (2, "/open/ ai-train=yes")]}
    assert robots_signal_verdict(groups, "https://e.example/open/a", "train-ai").allowed
    assert not robots_signal_verdict(groups, "https://e.example/closed", "train-ai").allowed


def test_another_obeyed_agents_no_denies() -> None:
    groups = {"HeedBot": [], "CCBot": [(7, "ai-train=no")]}
    verdict = robots_signal_verdict(groups, URL, "train-ai")
    assert verdict.reason == "content-signal.disallow" and "CCBot" in verdict.evidence["lines"]


def test_header_lines_are_read_too() -> None:
    verdict = header_signal_verdict(["ai-train=yes, search=yes", "ai-train=no"], "train-ai")
    assert verdict.reason == "content-signal.disallow"
    assert header_signal_verdict([], "train-ai").reason == "content-signal.unknown"
