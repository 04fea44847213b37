"""The two gates: every request and every response is judged and recorded here.

Checks plug in through ``HEED_REQUEST_CHECKS`` and ``HEED_RESPONSE_CHECKS`` (class paths with
an order, lowest first). A check is built ``from_crawler`` (raising ``NotConfigured`` to switch
itself off) and answers one coroutine (the protocols of ``crawler.checks``):

- ``RequestCheck``: ``async def check_request(self, request) -> Verdict``;
- ``ResponseCheck``: ``async def check_response(self, response, page) -> Verdict``.

The request gate asks them in order and stops at the first deny (a denied request causes no
further fetch); the response gate asks every one, since response checks only read the response,
so that its record keeps every finding (docs/optouts.md). Either way the first deny decides;
one record is written with every answer's evidence, then the request or response goes through
or is dropped. A check that fails with an exception denies (fail closed); one that needed
markup the page parse could not read whole (``crawler.page.PageUnreadable``) denies with
``page.unreadable``. A request for a per-origin policy document (robots.txt, tdmrep.json) is
asked only of the checks that set ``guards_origin_documents = True``.

The request decision is taken when the request is handed to the network, not when it was
queued: Scrapy holds a request in its per-host politeness queue (Crawl-delay) for as long as
minutes, while a blocklist reload or an expired robots.txt may change the answer. So the request
checks run in two stages, with one record per request:

- on entry to the downloader (``RequestGate``, before the politeness queue): a deny is final and
  recorded there; an allow writes nothing. This stage also loads the policy documents the checks
  need (robots.txt, tdmrep.json, ai.txt), so that the second stage rarely waits on a fetch;
- at send time (``crawler.send_gate.SendGate``, the download handler): the checks are asked
  again and their answer is the request's record, its ``ts`` the moment of sending. A check
  that sets ``reads_only_policy_documents = True`` (its answer follows from the URL and the
  policy documents it reads through the origin caches: robots.txt, tdmrep.json, ai.txt, RSL
  licences) is not asked twice: its entry-stage answer is taken over while every cache entry
  that stage read is still the one in force (``crawler.origin.cache.noting_reads``); once one
  has been reloaded or has expired, every check is asked again. The other checks (blocklist,
  access) are always asked again. A request served from the HTTP cache, or answered by another
  component with a response of its making, is never sent: the response gate takes its request
  decision. One another component drops after the entry stage
  allowed it is recorded, unsent, as ``gate.not_sent``.

``heed explain`` sets ``EXPLAIN`` in a request's meta: that request is asked of every check even
after a deny (the deny still stands), and its records say ``"explain": true``.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any
from weakref import WeakKeyDictionary, WeakSet

from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.utils.misc import build_from_crawler, load_object

from crawler import defaults
from crawler.body import PROBLEM, dropped_for
from crawler.checks import RequestCheck, ResponseCheck
from crawler.components import shared
from crawler.errors import ConfigError, LogWriteError
from crawler.interactive import notify_denial
from crawler.log.chain import utc_now
from crawler.log.recorder import DecisionRecorder
from crawler.origin.cache import Read, noting_reads
from crawler.origin.documents import DOC_META
from crawler.page import Page, PageUnreadable
from crawler.stack import require_addon, verify
from reservations.verdict import Verdict, allow, deny, most_restrictive

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Request, Response
    from scrapy.settings import BaseSettings

logger = logging.getLogger(__name__)

# The download handler of every scheme: the request decision's send-time stage.
SEND_GATE = "crawler.send_gate.SendGate"
REQUEST_SEQ = "heed_request_seq"
RESPONSE_SEQ = "heed_response_seq"
EXPLAIN = "heed_explain"
# When a response was downloaded, stamped before the HTTP cache stores it, so that a page
# replayed from the cache keeps its original fetch time.
FETCHED_AT = b"X-Heed-Fetched-At"


def build_checks(crawler: Crawler, setting: str) -> tuple[list[Any], list[dict[str, Any]]]:
    """Instantiate the checks named in ``setting``, in order, skipping switched-off ones; with
    them, the run header's list of every check, Heed's own included, and whether it is on."""
    named: Mapping[str, int | None] = crawler.settings.getdict(setting)
    spec = {**dict.fromkeys(getattr(defaults, setting)), **named}
    checks: list[Any] = []
    listing: list[dict[str, Any]] = []
    for path, order in sorted(spec.items(), key=lambda item: (item[1] is None, item[1] or 0)):
        entry: dict[str, Any] = {"check": path, "order": order, "on": order is not None}
        listing.append(entry)
        if order is None:
            continue
        try:
            checks.append(build_from_crawler(load_object(path), crawler))
        except NotConfigured as exc:
            logger.info("Heed check %s is off: %s", path, exc)
            entry["on"] = False
    return checks, listing


def _evidence(verdicts: list[Verdict]) -> dict[str, Any]:
    # A dict goes in as it is (the record is encoded at once); another mapping is copied into
    # one, which the encoders need.
    return {v.check: v.evidence if type(v.evidence) is dict else dict(v.evidence) for v in verdicts}


def _findings(verdicts: list[Verdict]) -> dict[str, Any]:
    """Every check's own answer, so a reviewer sees each protocol's finding, not just the last."""
    return {v.check: {"decision": v.decision, "reason": v.reason} for v in verdicts}


def _record(
    recorder: DecisionRecorder,
    stage: str,
    url: str,
    verdicts: list[Verdict],
    fallback: Verdict,
    **fields: Any,
) -> int:
    """Write the decision; a deny, or a log failure (the recorder has stopped the crawl), raises
    ``IgnoreRequest``."""
    decision = most_restrictive(verdicts) or fallback
    try:
        seq = recorder.record(
            url,
            stage,
            decision,
            evidence=_evidence(verdicts),
            findings=_findings(verdicts),
            **fields,
        )
    except LogWriteError as exc:
        raise IgnoreRequest(f"Heed: not logged, not fetched: {exc}") from exc
    if not decision.allowed:
        notify_denial(recorder.crawler, url, decision.reason, seq, recorder.log.path)
        raise IgnoreRequest(f"Heed denied ({decision.reason}): {url}")
    return seq


def _policy_document(doc: str) -> Verdict:
    """robots.txt itself is always allowed (RFC 9309 §2.2.2); so are the other policy files,
    once the checks that guard them (blocklist, robots.txt) have let them through."""
    return allow(doc, f"{doc}.policy_document")


def _explaining(meta: Mapping[str, Any]) -> dict[str, Any]:
    """Marks the records of a ``heed explain`` request, apart from the documents it needed."""
    return {"explain": True} if meta.get(EXPLAIN) else {}


async def _ask(
    check: RequestCheck | ResponseCheck, answer: Callable[..., Awaitable[Verdict]], *args: Any
) -> Verdict:
    """``check``'s answer (its bound method ``answer`` called with ``args``), or a deny."""
    try:
        return await answer(*args)
    except PageUnreadable as exc:
        # Markup the check needed was not seen whole: it cannot say "nothing found".
        return deny(check.name, "page.unreadable", **exc.evidence)
    except Exception as exc:
        # A check that cannot decide denies (fail closed); the error is evidence.
        logger.exception("Heed check %s failed; denying", check.name)
        return deny(check.name, "gate.check_error", error=f"{type(exc).__name__}: {exc}")


@dataclass(frozen=True, slots=True)
class _EntryAnswers:
    """What the entry stage found for a request: every check allowed it."""

    url: str
    verdicts: tuple[Verdict, ...]
    reads: tuple[Read, ...]

    def still_hold(self, request: Request) -> bool:
        return request.url == self.url and all(read.in_force() for read in self.reads)


# A request the stop kept from leaving: not sent, and nothing was judged.
STOPPED = "gate.stopped"


class RequestDecisions:
    """Scrapy extension: the crawl's request checks, asked by both stages of the request gate.

    Once ``stopping`` is set (the crawl is closing), every request not yet sent is denied with
    ``gate.stopped``: a graceful stop never waits out a politeness delay to send nothing.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stopping = False
        # The real download handlers behind the send-time gate, by scheme (crawler.send_gate).
        self.download_handlers: dict[str, Any] = {}
        # Requests the entry stage allowed, until they are sent (or dropped).
        self._entered: WeakKeyDictionary[Request, _EntryAnswers] = WeakKeyDictionary()
        # Requests whose own decision is on record: a seq in the meta may be copied from another
        # (a redirect, a retry copies the previous hop's meta).
        self._recorded: WeakSet[Request] = WeakSet()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RequestDecisions:
        return cls(crawler)

    @cached_property
    def checks(self) -> list[RequestCheck]:
        # Built on first use (by the request gate): checks find other extensions while built.
        checks, listing = build_checks(self.crawler, "HEED_REQUEST_CHECKS")
        self.recorder.add_to_header("checks", "request", listing)
        return checks

    @cached_property
    def recorder(self) -> DecisionRecorder:
        return shared(self.crawler, DecisionRecorder)

    @cached_property
    def _asked(self) -> dict[bool, list[tuple[RequestCheck, bool]]]:
        """The checks asked about a page (False) and about a policy document (True), each
        with whether it reads only policy documents."""
        marked = [(c, getattr(c, "reads_only_policy_documents", False)) for c in self.checks]
        return {
            False: marked,
            True: [(c, m) for c, m in marked if getattr(c, "guards_origin_documents", False)],
        }

    async def verdicts(self, request: Request) -> list[Verdict]:
        """The entry stage: every check's answer up to the first deny (all of them for
        ``heed explain``); answers that allow are kept for the send-time stage."""
        self._entered.pop(request, None)
        with noting_reads() as reads:
            verdicts = await self._ask_all(request, ())
        if all(v.allowed for v in verdicts) and not request.meta.get(EXPLAIN):
            self._entered[request] = _EntryAnswers(request.url, tuple(verdicts), tuple(reads))
        return verdicts

    async def _ask_all(self, request: Request, earlier: Sequence[Verdict]) -> list[Verdict]:
        """Ask the checks in order; a check that reads only policy documents gives its
        ``earlier`` answer instead, when there is one."""
        if self.stopping:
            return [deny("gate", STOPPED, why="the crawl is stopping; not sent")]
        doc = request.meta.get(DOC_META)
        verdicts: list[Verdict] = []
        for index, (check, documents_only) in enumerate(self._asked[bool(doc)]):
            if documents_only and index < len(earlier):
                verdict = earlier[index]
            else:
                verdict = await _ask(check, check.check_request, request)
            verdicts.append(verdict)
            if not verdict.allowed and not request.meta.get(EXPLAIN):
                break
        if doc and all(v.allowed for v in verdicts):
            verdicts.append(_policy_document(doc))
        return verdicts

    def record(self, request: Request, verdicts: list[Verdict]) -> None:
        """Record ``request``'s decision (its ``seq`` goes into its meta); a deny raises."""
        fallback = allow("gate", "gate.no_checks")
        explaining = _explaining(request.meta)
        request.meta[REQUEST_SEQ] = _record(
            self.recorder, "request", request.url, verdicts, fallback, **explaining
        )
        self._recorded.add(request)

    def recorded(self, request: Request) -> bool:
        """Whether ``request`` itself (not one its meta was copied from) has its decision, and
        still carries it (the request gate takes it off a request that enters again)."""
        return REQUEST_SEQ in request.meta and request in self._recorded

    def not_sent(self, request: Request, exception: Exception) -> None:
        """Record a request the entry stage allowed that another component dropped before it
        was sent (``HTTPCACHE_IGNORE_MISSING``, a middleware of the project's): nothing was
        sent, and the log says so and why."""
        if self._entered.pop(request, None) is None:
            return  # decided already (sent, denied, or answered from the cache)
        verdict = deny(
            "gate", "gate.not_sent", why=f"dropped before sending: {type(exception).__name__}"
        )
        with suppress(IgnoreRequest):
            _record(
                self.recorder,
                "request",
                request.url,
                [verdict],
                verdict,
                error=str(exception)[:300],
            )

    async def decide(self, request: Request) -> None:
        """The decision that counts, taken as the request leaves; a deny raises."""
        entered = self._entered.pop(request, None)
        earlier = entered.verdicts if entered is not None and entered.still_hold(request) else ()
        verdicts = await self._ask_all(request, earlier)
        if verdicts[0].reason == STOPPED and self.crawler.settings.get("JOBDIR"):
            self._keep_for_resume(request)
        self.record(request, verdicts)

    def _keep_for_resume(self, request: Request) -> None:
        """A paused crawl (``JOBDIR``) sends a request the stop kept from leaving when it
        resumes: back into the scheduler, whose queue the pause saves. Its URL is in the
        saved duplicate filter already, hence ``dont_filter``. A policy document is fetched
        again anyway, never through the scheduler."""
        engine = self.crawler.engine
        if engine is not None and not request.meta.get(DOC_META):
            engine.crawl(request.replace(dont_filter=True))


def check_handlers(settings: BaseSettings) -> None:
    """Refuse to start when a scheme is downloaded by anything but the send-time gate."""
    handlers: dict[str, Any] = dict(settings.getwithbase("DOWNLOAD_HANDLERS"))
    bypassing = sorted(s for s, path in handlers.items() if path not in (None, SEND_GATE))
    if bypassing:
        raise ConfigError(
            f"DOWNLOAD_HANDLERS replaces Heed's send-time gate for {', '.join(bypassing)}: "
            "name your handler in HEED_DOWNLOAD_HANDLERS instead"
        )


class RequestGate:
    """Downloader middleware, the early stage: a request denied now never enters the
    politeness queue, and the policy documents are loaded before it waits there."""

    def __init__(self, decisions: RequestDecisions) -> None:
        self.decisions = decisions

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RequestGate:
        # The gates are built once the settings are final, after every add-on.
        require_addon(crawler)
        verify(crawler.settings)
        check_handlers(crawler.settings)
        decisions = shared(crawler, RequestDecisions)
        decisions.checks  # noqa: B018  built now: an invalid blocklist stops the crawl here
        return cls(decisions)

    async def process_request(self, request: Request) -> None:
        request.meta.pop(REQUEST_SEQ, None)  # a redirect copies the previous hop's meta
        verdicts = await self.decisions.verdicts(request)
        if not all(v.allowed for v in verdicts):
            self.decisions.record(request, verdicts)

    def process_exception(self, request: Request, exception: Exception) -> None:
        """A request allowed on entry and dropped by a later component, unsent, is recorded."""
        self.decisions.not_sent(request, exception)


class ResponseGate:
    """Downloader middleware closest to the downloader: judge each response before anything
    else (HTTP cache, redirect, retry, spider, pipelines) sees it; a deny drops the body."""

    def __init__(self, crawler: Crawler) -> None:
        require_addon(crawler)
        verify(crawler.settings)
        self.decisions = shared(crawler, RequestDecisions)
        self.recorder = shared(crawler, DecisionRecorder)
        checks, listing = build_checks(crawler, "HEED_RESPONSE_CHECKS")
        self.checks: list[ResponseCheck] = checks
        self.recorder.add_to_header("checks", "response", listing)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ResponseGate:
        return cls(crawler)

    async def process_response(self, request: Request, response: Response) -> Response:
        if not self.decisions.recorded(request):
            # Never sent through the send-time gate: served from the HTTP cache, or made by
            # another component (a project's middleware, maybe before the request gate, for a
            # redirect whose meta still holds the previous hop's seq). Its decision is taken now.
            await self.decisions.decide(request)
        # Tied to its request now, not after the middlewares: checks note facts in its meta.
        response.request = request
        page = Page.of(response)
        doc = request.meta.get(DOC_META)
        verdicts: list[Verdict] = []
        # (A policy document's problem is its fetcher's to read: cut, or unreachable.)
        problem = None if doc else request.meta.pop(PROBLEM, None)
        if problem is not None:
            # A body not read whole (too large, cut short, undecodable) is denied first: no
            # check may read "nothing found" in it (crawler/body.py).
            verdicts.append(problem.verdict())
        if not doc:
            for check in self.checks:
                # A check may have replaced the body (``Page.replace_body``): pass the current one.
                verdict = await _ask(check, check.check_response, page.response, page)
                verdicts.append(verdict)
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
        else:
            page.response.headers[FETCHED_AT] = utc_now()
        fields.update(_explaining(request.meta))
        request.meta[RESPONSE_SEQ] = _record(
            self.recorder, "response", response.url, verdicts, fallback, **fields
        )
        return page.response

    def process_exception(self, request: Request, exception: Exception) -> None:
        """A body Scrapy dropped (over ``download_maxsize``, or shorter than announced) is
        recorded as a denied response; the download's own error then goes on as before."""
        problem = dropped_for(request, exception)
        if problem is None or request.meta.get(DOC_META):
            return
        fields: dict[str, Any] = {"status": None, "bytes": 0}
        if REQUEST_SEQ in request.meta:
            fields["request_seq"] = request.meta[REQUEST_SEQ]
        fields.update(_explaining(request.meta))
        verdict = problem.verdict()
        with suppress(IgnoreRequest):  # the deny is on record; nothing of the body was kept
            _record(self.recorder, "response", request.url, [verdict], verdict, **fields)
