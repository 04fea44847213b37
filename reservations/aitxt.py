"""Spawning's ``/ai.txt``: robots.txt syntax, read as an opt-out from AI training datasets.

Spawning proposed the file in May 2023 and its generator writes it in robots.txt syntax:
``User-Agent`` groups of ``Allow`` and ``Disallow`` lines whose paths are often file-name
patterns (``Disallow: *.jpg``) or everything (``Disallow: /``). It defines no rules of its own
for failures, so Heed reads it with its RFC 9309 parser and matcher, and reads any answer but a
2xx as no file at all (``ai-txt.unavailable``), as for a robots.txt that is not there.
``reservations.agents.verdict_for_agents`` then reads it for every obeyed token.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from reservations.robots import parse_robots
from reservations.robots_policy import RobotsState

CHECK = "ai-txt"
PATH = "/ai.txt"


def fetched_aitxt(
    status: int | None, error: str | None, body: bytes, evidence: Mapping[str, Any]
) -> RobotsState:
    """The origin's ai.txt as fetched: parsed on a 2xx answer, otherwise absent."""
    if error is None and status is not None and 200 <= status < 300:
        return RobotsState("parsed", parse_robots(body), evidence)
    return RobotsState("unavailable", None, evidence)
