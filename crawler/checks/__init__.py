"""The checks: one adapter per protocol, between a gate and the pure rules in ``reservations``.

A check is built ``from_crawler`` (raising ``NotConfigured`` to switch itself off), has a
``name`` (the key of its evidence in the decision log) and answers one coroutine or both.

Two optional class attributes tell the request gate more: ``guards_origin_documents = True``
(it is asked about the fetches of robots.txt and the other per-origin policy documents too),
and ``reads_only_policy_documents = True`` (its answer follows from the request's URL and the
documents it reads through ``crawler.origin.cache``, so the send-time stage may take over its
entry-stage answer while those documents are unchanged: ``crawler.gates``). A check that
reads anything else (the request's headers, a file of its own, the clock) leaves it unset.
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
