"""Real response checks used by the gate tests: they deny what the test server marks."""

from __future__ import annotations

from typing import Any

from crawler.page import Page
from reservations.verdict import Verdict, allow, deny


class MarkedResponseCheck:
    """Denies responses that carry ``X-Test-Deny: 1``; built like any Heed check."""

    name = "marked"

    @classmethod
    def from_crawler(cls, crawler: Any) -> MarkedResponseCheck:
        return cls()

    async def check_response(self, response: Any, page: Page) -> Verdict:
        if page.header_values("X-Test-Deny") == ["1"]:
            return deny("marked", "marked.header", header="X-Test-Deny: 1")
        return allow("marked", "marked.absent")


class BrokenResponseCheck:
    """Fails on every response: the gate must deny, not crash."""

    name = "broken"

    @classmethod
    def from_crawler(cls, crawler: Any) -> BrokenResponseCheck:
        return cls()

    async def check_response(self, response: Any, page: Page) -> Verdict:
        raise ValueError("cannot decide")
