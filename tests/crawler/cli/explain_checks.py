"""Real checks for the ``heed explain`` tests: simple rules a test server can trigger."""

from __future__ import annotations

from typing import Any

from crawler.checks.robots import RobotsCheck
from crawler.page import Page
from reservations.verdict import Verdict, allow, deny


class MarkedPathCheck:
    """A request check that denies paths containing ``/marked/``."""

    name = "marked-path"

    @classmethod
    def from_crawler(cls, crawler: Any) -> MarkedPathCheck:
        return cls()

    async def check_request(self, request: Any) -> Verdict:
        if "/marked/" in request.url:
            return deny("marked-path", "marked-path.listed", pattern="/marked/")
        return allow("marked-path", "marked-path.clear", pattern="/marked/")


class LengthCheck:
    """A response check that always allows and reports the body length it saw."""

    name = "length"

    @classmethod
    def from_crawler(cls, crawler: Any) -> LengthCheck:
        return cls()

    async def check_response(self, response: Any, page: Page) -> Verdict:
        return allow("length", "length.seen", length=len(response.body))


class RobotsAllowAll(RobotsCheck):
    """The robots check of a test that needs a page no robots.txt decides: allows everything
    without fetching robots.txt (a crawl cannot start without some robots check)."""

    async def check_request(self, request: Any) -> Verdict:
        return allow("robots", "robots.test_allow_all")
