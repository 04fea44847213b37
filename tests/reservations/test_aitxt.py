"""Spawning's ai.txt, read with the RFC 9309 parser for every obeyed token."""

from __future__ import annotations

import pytest

from reservations.agents import verdict_for_agents
from reservations.aitxt import CHECK, fetched_aitxt

GENERATED = b"""# Spawning AI
# Prevent datasets from using the following file types

User-Agent: *
Disallow: *.txt
Disallow: *.pdf
Disallow: *.jpg
Disallow: *.py
"""


def verdict(body: bytes, url: str, tokens=("HeedBot",), status: int | None = 200, error=None):
    state = fetched_aitxt(status, error, body, {"doc_status": status})
    return verdict_for_agents(state, url, list(tokens), CHECK)


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/notes.txt", "ai-txt.disallow"),
        ("/papers/2024/study.pdf", "ai-txt.disallow"),
        ("/img/photo.jpg", "ai-txt.disallow"),
        ("/img/photo.jpg?w=200", "ai-txt.disallow"),
        ("/src/main.py", "ai-txt.disallow"),
        ("/index.html", "ai-txt.no_rule"),
    ],
    ids=["txt", "pdf", "jpg", "jpg-with-query", "py", "html"],
)
def test_generator_output_disallows_its_file_types(path: str, reason: str) -> None:
    found = verdict(GENERATED, "https://e.example" + path)
    assert found.check == "ai-txt" and found.reason == reason


def test_disallow_everything() -> None:
    found = verdict(b"User-Agent: *\nDisallow: /\nDisallow: *\n", "https://e.example/a")
    assert not found.allowed and found.evidence["rule"] == "Disallow: /"


@pytest.mark.parametrize(
    ("status", "error"), [(404, None), (500, None), (None, "DNS lookup failed")], ids=str
)
def test_no_file_allows(status, error) -> None:
    found = verdict(
        b"User-Agent: *\nDisallow: /\n", "https://e.example/a", status=status, error=error
    )
    assert found.allowed and found.reason == "ai-txt.unavailable"


def test_a_group_for_an_obeyed_agent_binds_only_when_obeyed() -> None:
    body = b"User-Agent: GPTBot\nDisallow: /\n\nUser-Agent: *\nAllow: /\n"
    assert verdict(body, "https://e.example/a").allowed
    found = verdict(body, "https://e.example/a", tokens=("HeedBot", "GPTBot"))
    assert not found.allowed and found.evidence["token"] == "GPTBot"


def test_hostile_bytes_never_raise() -> None:
    body = b"\x00\xff" * 300_000 + b"\nUser-agent: *\nDisallow: /\n"
    assert verdict(body, "https://e.example/a").check == "ai-txt"
