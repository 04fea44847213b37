"""Adapter: IETF AI preferences (``Content-Usage``) at both gates.

Request gate: the ``Content-Usage`` rules of robots.txt (draft-ietf-aipref-attach §3), read
from the robots check's cached file, in the group of our token and of every also-obeyed one.
Response gate: the ``Content-Usage`` header field (attach §2). A disallow for ``HEED_PURPOSE``
denies; a statement that cannot be parsed says nothing.
"""

from __future__ import annotations

from crawler.checks.robots_lines import RobotsLineCheck
from reservations.aipref import CHECK, header_usage_verdict, indexed_usage_verdict, usage_rules


class ContentUsageCheck(RobotsLineCheck):
    """Content-Usage rules in robots.txt (request) and the Content-Usage header (response)."""

    name = CHECK
    field = "Content-Usage"
    index = staticmethod(usage_rules)
    robots_verdict = staticmethod(indexed_usage_verdict)
    header_verdict = staticmethod(header_usage_verdict)
