"""Fetch per-origin policy documents (robots.txt, tdmrep.json, ...) through the engine.

The document request passes the same middlewares and gates as any other (so it is logged and
a blocklisted host is never contacted), but redirects are followed here, hop by hop, so that
the limit and the chain are ours to record, and only to HTTP(S) URLs. The body is cut at a size
limit instead of being rejected, counted in decoded bytes (``crawler.body``), and a body the
network cut short is a failed fetch. Policy documents never touch the HTTP cache: each fetch is
a real one, at the time the evidence gives. Every response received, each redirect hop included,
is kept in the crawl's policy archive (``crawler.log.archive``) before any check reads it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from scrapy import Request, signals
from scrapy.exceptions import IgnoreRequest, StopDownload
from scrapy.http.request import NO_CALLBACK
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.error import DNSLookupError
from twisted.internet.error import TimeoutError as TxTimeoutError
from twisted.web.client import ResponseNeverReceived

from crawler.body import DOC_LIMIT, PROBLEM, BodyProblem
from crawler.components import shared
from crawler.errors import LogWriteError
from crawler.log.archive import Archived, PolicyArchive
from crawler.log.chain import utc_now

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Response

DOC_META = "heed_origin_doc"
_RECEIVED = "heed_doc_bytes"
# RFC 9309 §2.3.1.2 redirects lead to other HTTP(S) URLs; a file:, data: or ftp: target is not
# a robots.txt of the web at all, so it is unreachable (§2.3.1.4), and never opened.
_SCHEMES = frozenset({"http", "https"})


@dataclass(frozen=True)
class FetchedDocument:
    """What one fetch of a policy document produced, as evidence for the checks."""

    url: str
    final_url: str
    status: int | None
    body: bytes
    fetched_at: str
    redirects: tuple[str, ...] = ()
    error: str | None = None
    truncated: bool = False
    # Where the final response is archived, and each redirect hop's response before it.
    archived: Archived | None = None
    archived_hops: tuple[Archived, ...] = ()

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.body).hexdigest()

    def evidence(self) -> dict[str, object]:
        """The facts a reviewer needs to re-check a decision built on this document. One never
        received (unreachable, refused) says so: no fetch time, no digest of content it lacks."""
        evidence: dict[str, object] = {"doc_url": self.url, "doc_status": self.status}
        if self.status is None:
            evidence["doc_fetched"] = False
        else:
            evidence["doc_fetched_at"] = self.fetched_at
            evidence["doc_sha256"] = self.sha256
        if self.redirects:
            evidence["doc_redirects"] = list(self.redirects)
        if self.archived is not None:
            evidence["doc_warc"] = self.archived.warc
            evidence["doc_warc_record"] = self.archived.record_id
        if self.archived_hops:
            evidence["doc_warc_hops"] = [hop.record_id for hop in self.archived_hops]
        if self.error:
            evidence["doc_error"] = self.error
        if self.truncated:
            evidence["doc_truncated"] = True
        return evidence


def _cut_document(data: bytes, request: Request, spider: object = None) -> None:
    """A policy document larger than its limit is cut, never rejected (RFC 9309 §2.5)."""
    limit = request.meta.get(DOC_LIMIT) if DOC_META in request.meta else None
    if limit is None:
        return
    received = request.meta.get(_RECEIVED, 0) + len(data)
    request.meta[_RECEIVED] = received
    if received > limit:
        raise StopDownload(fail=False)


class OriginDocumentFetcher:
    """Downloads one kind of per-origin document: ``kind`` names it in the log."""

    def __init__(
        self,
        crawler: Crawler,
        kind: str,
        *,
        max_bytes: int,
        timeout: float,
        max_redirects: int,
    ) -> None:
        self.crawler = crawler
        self.kind = kind
        self.max_bytes = max_bytes
        self.timeout = timeout
        self.max_redirects = max_redirects
        # One receiver for every kind (connecting it again keeps one): the signal fires for
        # every chunk of every page, and each receiver costs a dispatch.
        crawler.signals.connect(_cut_document, signal=signals.bytes_received)

    def _request(self, url: str) -> Request:
        request = Request(
            url,
            callback=NO_CALLBACK,
            priority=1000,
            dont_filter=True,
            meta={
                DOC_META: self.kind,
                DOC_LIMIT: self.max_bytes,
                # Neither read from nor stored in the HTTP cache (HttpCacheMiddleware).
                "dont_cache": True,
                # Cut at our limit, never dropped by Scrapy's DOWNLOAD_MAXSIZE (0: none).
                "download_maxsize": 0,
                "dont_redirect": True,
                "dont_retry": True,
                "dont_merge_cookies": True,
                "handle_httpstatus_all": True,
                "download_timeout": self.timeout,
            },
        )
        # A download slot of its own per origin and kind (Scrapy's public ``download_slot``):
        # the document is not queued behind the pages' politeness delay, and the documents of
        # one origin are fetched side by side. Pages keep their slot and its delay
        # (docs/robots.md, "Policy documents and politeness"). And the send-time gate of a
        # request may wait for a document while holding its own slot's place
        # (crawler/gates.py), so a document never queues behind a request waiting for it
        # (pages wait for every kind, tdmrep.json and ai.txt for robots.txt, robots.txt for
        # none).
        request.meta["download_slot"] = f"{origin_of(request)}#{self.kind}"
        return request

    async def fetch(self, url: str) -> FetchedDocument:
        """Fetch ``url`` following redirects; network failures become ``error``, never raise."""
        engine = self.crawler.engine
        assert engine is not None
        hops: list[str] = []
        archived_hops: list[Archived] = []
        current = url
        while True:
            if urlsplit(current).scheme.lower() not in _SCHEMES:
                return self._failed(url, current, hops, "not an http(s) URL: not fetched")
            request = self._request(current)
            try:
                response = await engine.download_async(request)
            except IgnoreRequest as exc:
                return self._failed(url, current, hops, f"refused by the request gate: {exc}")
            except Exception as exc:  # every network failure means "unreachable"
                return self._failed(url, current, hops, _describe(exc))
            stopped = "download_stopped" in response.flags
            problem: BodyProblem | None = request.meta.get(PROBLEM)
            body = response.body[: self.max_bytes]
            try:
                archived = self.archive.store(request, response, body)
            except LogWriteError as exc:  # the crawl is stopping: nothing unkept is relied on
                return self._failed(url, current, hops, f"not archived: {exc}")
            location = response.headers.get(b"Location")
            if 300 <= response.status < 400 and location:
                if len(hops) >= self.max_redirects:
                    return self._failed(
                        url, current, hops, f"more than {self.max_redirects} redirects"
                    )
                current = response.urljoin(location.decode("latin-1"))
                hops.append(current)
                archived_hops.append(archived)
                continue
            if problem is not None and not _cut_by_us(problem, stopped):
                return self._failed(url, current, hops, f"body {problem.kind}: {problem.detail}")
            return FetchedDocument(
                url=url,
                final_url=current,
                status=response.status,
                body=body,
                fetched_at=utc_now(),
                redirects=tuple(hops),
                truncated=problem is not None or stopped,
                archived=archived,
                archived_hops=tuple(archived_hops),
            )

    @cached_property
    def archive(self) -> PolicyArchive:
        # Looked up on first use: extensions cannot find each other while they are built.
        return shared(self.crawler, PolicyArchive)

    @staticmethod
    def _failed(url: str, current: str, hops: list[str], error: str) -> FetchedDocument:
        return FetchedDocument(url, current, None, b"", utc_now(), tuple(hops), error)


def _cut_by_us(problem: BodyProblem, stopped: bool) -> bool:
    """Over the limit, or a coded stream ended where we stopped the download: a document cut
    at its limit (RFC 9309 §2.5). Cut by the network, or unreadable: a failed fetch."""
    if problem.kind == "too_large":
        return True
    return problem.kind == "incomplete" and stopped and "flags" not in problem.detail


def _describe(exc: Exception) -> str:
    if isinstance(exc, DNSLookupError):
        return f"DNS lookup failed: {exc}"
    if isinstance(exc, TxTimeoutError | ResponseNeverReceived):
        return f"timeout or no response: {exc}"
    return f"{type(exc).__name__}: {exc}"


_DEFAULT_PORTS = {"http": 80, "https": 443}


def origin_of(request: Request | Response) -> str:
    """``scheme://host[:port]`` with the default port left out, so equal origins compare equal."""
    parts = urlparse_cached(request)
    return _origin(parts.scheme, parts.netloc)


@lru_cache(maxsize=4096)
def _origin(scheme: str, netloc: str) -> str:
    # Every check asks for each request's origin: worked out once per netloc, not per call.
    parts = urlsplit(f"{scheme}://{netloc}")
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"
    port = parts.port
    if port is None or port == _DEFAULT_PORTS.get(scheme):
        return f"{scheme}://{host}"
    return f"{scheme}://{host}:{port}"
