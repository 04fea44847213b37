"""``heed explain``: one URL through the full stack, every check asked, every verdict shown.

The explanation is a real one-URL crawl with a decision log of its own: the request carries
``EXPLAIN`` so the gates ask every check even after a deny (the deny still stands, so a
denied page is never fetched), and each record keeps every check's finding. What is printed is
read back from that log, chain verified: the explanation is the evidence.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import scrapy
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from twisted.python.failure import Failure

from crawler.gates import EXPLAIN, RequestDecisions, ResponseGate

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

# The order each gate asks its checks in, by stage: the log's canonical JSON sorts keys.
CheckOrder = Mapping[str, Sequence[str]]


def check_order(crawler: Crawler) -> dict[str, list[str]]:
    """The checks each gate of ``crawler`` asked, in the order it asked them."""
    decisions = crawler.get_extension(RequestDecisions)
    responses = crawler.get_downloader_middleware(ResponseGate)
    return {
        "request": [check.name for check in decisions.checks] if decisions else [],
        "response": (
            [check.name for check in responses.checks]
            if isinstance(responses, ResponseGate)
            else []
        ),
    }


class ExplainSpider(scrapy.Spider):
    """Requests one URL with ``EXPLAIN`` set and keeps nothing; redirects are followed."""

    name = "explain"

    def __init__(self, url: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.url = url
        self.error: str | None = None
        self.order: dict[str, list[str]] = {}

    async def start(self) -> AsyncIterator[scrapy.Request]:
        self.order = check_order(self.crawler)  # the engine and its gates exist by now
        yield scrapy.Request(
            self.url,
            callback=self.taken,
            errback=self.failed,
            dont_filter=True,
            meta={EXPLAIN: True},
        )

    def taken(self, response: Response) -> None:
        """The body is not kept: explaining is not collecting."""

    def failed(self, failure: Failure) -> None:
        # A gate's deny and an HTTP error status are on record; anything else (DNS, refused,
        # timeout) is why there is no response to judge.
        if not isinstance(failure.value, IgnoreRequest):
            self.error = f"{type(failure.value).__name__}: {failure.getErrorMessage()}"


@dataclass
class Explanation:
    """The records of one explained URL, split into its own chain and the documents fetched
    for the checks (robots.txt and the like)."""

    header: dict[str, Any]
    steps: list[dict[str, Any]] = field(default_factory=list)
    documents: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def from_records(cls, records: Iterable[dict[str, Any]]) -> Explanation:
        it = iter(records)
        explanation = cls(next(it))
        for record in it:
            # Only the explained request (and its redirects) is marked ``explain``.
            (explanation.steps if record.get("explain") else explanation.documents).append(record)
        return explanation

    @property
    def denial(self) -> dict[str, Any] | None:
        return next((r for r in self.steps if r["decision"] != "allow"), None)

    @property
    def allowed(self) -> bool:
        """Allowed only when nothing denied and the last step is a judged response."""
        return self.denial is None and bool(self.steps) and self.steps[-1]["stage"] == "response"


def render(
    explanation: Explanation,
    url: str,
    error: str | None,
    order: CheckOrder,
    log_kept: bool,
) -> str:
    """The explanation as text for a terminal: step by step, check by check in the order the
    gates asked them; record numbers only when the log is kept (``--log``)."""
    head = explanation.header
    lines = [f"heed explain {url}", f"as {head.get('product_token')} ({head.get('user_agent')})"]
    for step in explanation.steps:
        lines += ["", *_step(step, order.get(step["stage"], ()), log_kept)]
    if explanation.documents:
        lines += ["", "Fetched for the checks:"]
        lines += [_document(r) for r in explanation.documents]
    lines += ["", _conclusion(explanation, error)]
    return "\n".join(lines)


def _step(record: dict[str, Any], order: Sequence[str], log_kept: bool) -> list[str]:
    title = f"{record['stage']} {record['url']}"
    if record["stage"] == "response":
        title += f"  [HTTP {record.get('status')}, {record.get('content_type') or 'no type'}"
        title += f", {record.get('bytes', 0):,} bytes]"
    lines = [title]
    findings = record.get("findings") or {record["check"]: record}
    rank = {name: i for i, name in enumerate(order)}
    for check in sorted(findings, key=lambda name: (rank.get(name, len(rank)), name)):
        finding = findings[check]
        mark = "DENY " if finding["decision"] != "allow" else "allow"
        lines.append(f"  {mark}  {check:<16} {finding['reason']}")
        evidence = record.get("evidence", {}).get(check, {})
        lines += [f"           {key}: {_value(value)}" for key, value in evidence.items()]
    outcome = "allowed" if record["decision"] == "allow" else f"DENIED ({record['reason']})"
    lines.append(f"  => {outcome}" + (f"  (log record {record['seq']})" if log_kept else ""))
    return lines


def _document(record: dict[str, Any]) -> str:
    status = f"HTTP {record.get('status')}" if record["stage"] == "response" else "request"
    return f"  {record['url']}  {status}  {record['decision']} {record['reason']}"


def _conclusion(explanation: Explanation, error: str | None) -> str:
    denial = explanation.denial
    if denial is not None:
        where = "before download" if denial["stage"] == "request" else "after download"
        return f"Verdict: DENIED by {denial['check']} ({denial['reason']}), {where}."
    if explanation.allowed:
        return "Verdict: ALLOWED by every check."
    return f"Verdict: UNDECIDED: no response to judge ({error or 'nothing was downloaded'})."


def _value(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)
