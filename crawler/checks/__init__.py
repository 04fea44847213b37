"""The checks: one adapter per protocol, between a gate and the pure rules in ``reservations``.

A check is built ``from_crawler`` (raising ``NotConfigured`` to switch itself off), has a
``name`` (the key of its evidence in the decision log) and answers one coroutine or both.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from scrapy.http import Request, Response

    from crawler.page import Page
    from reservations.verdict import Verdict


class RequestCheck(Protocol):
    """Asked by the request gate before a request is downloaded (``HEED_REQUEST_CHECKS``)."""

    @property
    def name(self) -> str: ...

    async def check_request(self, request: Request) -> Verdict: ...


class ResponseCheck(Protocol):
    """Asked by the response gate before anything else sees a response
    (``HEED_RESPONSE_CHECKS``); ``page`` is the response's shared parse."""

    @property
    def name(self) -> str: ...

    async def check_response(self, response: Response, page: Page) -> Verdict: ...
