"""The two gates: every request and every response is judged and recorded here.

Checks plug in through ``HEED_REQUEST_CHECKS`` and ``HEED_RESPONSE_CHECKS`` (class paths with
an order, lowest first). A check is built ``from_crawler`` (raising ``NotConfigured`` to switch
itself off) and answers one coroutine:

- request checks: ``async def check_request(self, request) -> Verdict``;
- response checks: ``async def check_response(self, response, page) -> Verdict``.

The request gate asks them in order and stops at the first deny (a denied request causes no
further fetch); the response gate asks every one, since response checks only read the response,
so that its record keeps every finding (docs/optouts.md). Either way the first deny decides;
one record is written with every answer's evidence, then the request or response goes through
or is dropped. A check that fails with an exception denies (fail closed). A request for a
per-origin policy document (robots.txt, tdmrep.json) is asked only of the checks that set
``guards_origin_documents = True``.

``heed explain`` sets ``EXPLAIN`` in a request's meta: that request is asked of every check even
after a deny (the deny still stands), and its records say ``"explain": true``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Protocol

from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.utils.misc import build_from_crawler, load_object

from crawler.components import shared
from crawler.errors import LogWriteError
from crawler.log.recorder import DecisionRecorder
from crawler.origin.documents import DOC_META
from crawler.page import Page
from reservations.verdict import Verdict, allow, deny, most_restrictive

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Request, Response

logger = logging.getLogger(__name__)

REQUEST_SEQ = "heed_request_seq"
RESPONSE_SEQ = "heed_response_seq"
EXPLAIN = "heed_explain"


class RequestCheck(Protocol):
    name: str

    async def check_request(self, request: Request) -> Verdict: ...


class ResponseCheck(Protocol):
    name: str

    async def check_response(self, response: Response, page: Page) -> Verdict: ...


def build_checks(crawler: Crawler, setting: str) -> list[Any]:
    """Instantiate the checks named in ``setting``, in order, skipping switched-off ones."""
    spec: Mapping[str, int | None] = crawler.settings.getdict(setting)
    checks = []
    for path, _ in sorted(
        ((p, o) for p, o in spec.items() if o is not None), key=lambda item: item[1]
    ):
        try:
            checks.append(build_from_crawler(load_object(path), crawler))
        except NotConfigured as exc:
            logger.info("Heed check %s is off: %s", path, exc)
    return checks


def _evidence(verdicts: list[Verdict]) -> dict[str, Any]:
    return {v.check: dict(v.evidence) for v in verdicts}


def _findings(verdicts: list[Verdict]) -> dict[str, Any]:
    """Every check's own answer, so a reviewer sees each protocol's finding, not just the last."""
    return {v.check: {"decision": v.decision, "reason": v.reason} for v in verdicts}


class _Gate:
    stage = ""

    def __init__(self, crawler: Crawler, checks: list[Any]) -> None:
        self.crawler = crawler
        self.checks = checks
        self.recorder = shared(crawler, DecisionRecorder)

    def _record(self, url: str, verdicts: list[Verdict], fallback: Verdict, **fields: Any) -> int:
        """Write the decision; a log failure denies (the recorder has stopped the crawl)."""
        decision = most_restrictive(verdicts) or fallback
        try:
            seq = self.recorder.record(
                url,
                self.stage,
                decision,
                evidence=_evidence(verdicts),
                findings=_findings(verdicts),
                **fields,
            )
        except LogWriteError as exc:
            raise IgnoreRequest(f"Heed: not logged, not fetched: {exc}") from exc
        if not decision.allowed:
            raise IgnoreRequest(f"Heed denied ({decision.reason}): {url}")
        return seq


def _policy_document(doc: str) -> Verdict:
    """robots.txt itself is always allowed (RFC 9309 §2.2.2); so are the other policy files,
    once the checks that guard them (blocklist, robots.txt) have let them through."""
    return allow(doc, f"{doc}.policy_document")


def _explaining(meta: Mapping[str, Any]) -> dict[str, Any]:
    """Marks the records of a ``heed explain`` request, apart from the documents it needed."""
    return {"explain": True} if meta.get(EXPLAIN) else {}


async def _ask(check: Any, method: str, *args: Any) -> Verdict:
    try:
        verdict: Verdict = await getattr(check, method)(*args)
    except Exception as exc:
        # A check that cannot decide denies (fail closed); the error is evidence.
        logger.exception("Heed check %s failed; denying", check.name)
        return deny(check.name, "gate.check_error", error=f"{type(exc).__name__}: {exc}")
    return verdict


class RequestGate(_Gate):
    """Downloader middleware: judge each request before it is downloaded."""

    stage = "request"

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RequestGate:
        return cls(crawler, build_checks(crawler, "HEED_REQUEST_CHECKS"))

    async def process_request(self, request: Request) -> None:
        doc = request.meta.get(DOC_META)
        verdicts: list[Verdict] = []
        for check in self.checks:
            if doc and not getattr(check, "guards_origin_documents", False):
                continue
            verdict = await _ask(check, "check_request", request)
            verdicts.append(verdict)
            if not verdict.allowed and not request.meta.get(EXPLAIN):
                break
        if doc and all(v.allowed for v in verdicts):
            verdicts.append(_policy_document(doc))
        fallback = allow("gate", "gate.no_checks")
        explaining = _explaining(request.meta)
        request.meta[REQUEST_SEQ] = self._record(request.url, verdicts, fallback, **explaining)


class ResponseGate(_Gate):
    """Downloader middleware closest to the downloader: judge each response before anything
    else (HTTP cache, redirect, retry, spider, pipelines) sees it; a deny drops the body."""

    stage = "response"

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ResponseGate:
        return cls(crawler, build_checks(crawler, "HEED_RESPONSE_CHECKS"))

    async def process_response(self, request: Request, response: Response) -> Response:
        # Tied to its request now, not after the middlewares: checks note facts in its meta.
        response.request = request
        page = Page(response)
        doc = request.meta.get(DOC_META)
        verdicts: list[Verdict] = []
        if not doc:
            for check in self.checks:
                # A check may have replaced the body (``Page.replace_body``): pass the current one.
                verdicts.append(await _ask(check, "check_response", page.response, page))
        fallback = _policy_document(doc) if doc else allow("gate", "gate.no_checks")
        fields: dict[str, Any] = {
            "status": response.status,
            "content_type": page.content_type,
            "bytes": len(page.response.body),
        }
        if REQUEST_SEQ in request.meta:
            fields["request_seq"] = request.meta[REQUEST_SEQ]
        if "cached" in response.flags:
            fields["cached"] = True
        fields.update(_explaining(request.meta))
        request.meta[RESPONSE_SEQ] = self._record(response.url, verdicts, fallback, **fields)
        return page.response
