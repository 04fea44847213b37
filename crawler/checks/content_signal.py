"""Adapter: Cloudflare's Content Signals at both gates.

Request gate: the ``Content-Signal`` lines of robots.txt, read from the robots check's cached
file, in the group of our token and of every also-obeyed one. Response gate: a
``Content-Signal`` header, where a server sends one. ``no`` for the signal that matches
``HEED_PURPOSE`` (``ai-train`` for training) denies.
"""

from __future__ import annotations

from crawler.checks.robots_lines import RobotsLineCheck
from reservations.content_signal import (
    CHECK,
    header_signal_verdict,
    indexed_signal_verdict,
    signal_lines,
)


class ContentSignalCheck(RobotsLineCheck):
    """Content-Signal lines in robots.txt (request) and the Content-Signal header (response)."""

    name = CHECK
    field = "Content-Signal"
    index = staticmethod(signal_lines)
    robots_verdict = staticmethod(indexed_signal_verdict)
    header_verdict = staticmethod(header_signal_verdict)
