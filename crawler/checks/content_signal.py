"""Adapter: Cloudflare's Content Signals at both gates.

Request gate: the ``Content-Signal`` lines of robots.txt, read from the robots check's cached
file, in the group of our token and of every also-obeyed one. Response gate: a
``Content-Signal`` header, where a server sends one. ``no`` for the signal that matches
``HEED_PURPOSE`` (``ai-train`` for training) denies.
"""

from __future__ import annotations

from crawler.checks.robots_lines import RobotsLineCheck
from reservations.content_signal import CHECK, header_signal_verdict, robots_signal_verdict


class ContentSignalCheck(RobotsLineCheck):
    """Content-Signal lines in robots.txt (request) and the Content-Signal header (response)."""

    name = CHECK
    field = "Content-Signal"
    robots_verdict = staticmethod(robots_signal_verdict)
    header_verdict = staticmethod(header_signal_verdict)
