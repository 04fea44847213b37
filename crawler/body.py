"""The body Heed judges: decoded within a size limit, and known to be whole, or not judged.

``BodyDecoder`` takes the place of Scrapy's ``HttpCompressionMiddleware`` next to the
downloader (order 960), so that the response gate reads the decoded body. It decodes as a
stream and stops at a limit (``crawler.content_coding``): a policy document's own limit, where
the rest is cut (RFC 9309 §2.5), or ``HEED_PAGE_MAX_BYTES`` for anything else. What it could
not read whole is left in the request's meta as a ``BodyProblem``; the response gate denies
such a page and the policy document fetcher treats such a document as cut or unreachable. A
denied page never reaches the HTTP cache, so no cache entry is larger than the limit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from scrapy.downloadermiddlewares.httpcompression import ACCEPTED_ENCODINGS
from scrapy.exceptions import DownloadCancelledError, ResponseDataLossError
from scrapy.http import TextResponse
from scrapy.responsetypes import responsetypes

from crawler.content_coding import DecodingError, codings, decode
from reservations.verdict import Verdict, deny

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response

# Request meta: the decoded-size limit of a policy document (set by its fetcher), and what
# was wrong with the body of the response to this request.
DOC_LIMIT = "heed_doc_max_bytes"
PROBLEM = "heed_body_problem"
# Scrapy's flags for a body that ended with the connection (no Content-Length: a reset cannot
# be told from the end) or that was shorter than announced (DOWNLOAD_FAIL_ON_DATALOSS off).
CUT_BY_NETWORK = frozenset({"partial", "dataloss"})


@dataclass(frozen=True, slots=True)
class BodyProblem:
    """``kind``: ``too_large`` (more than ``limit`` bytes decoded; a document keeps the first
    ``limit``), ``incomplete`` (cut short) or ``undecodable`` (not readable in its coding)."""

    kind: str
    detail: dict[str, Any]

    def verdict(self) -> Verdict:
        # Fail closed: a page that was not read whole is not kept (docs/access.md).
        return deny("body", f"page.{self.kind}", **self.detail)


class BodyDecoder:
    """Downloader middleware: decode every response body within its limit, once."""

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        self.limit = settings.getint("HEED_PAGE_MAX_BYTES")
        scrapy_limit = settings.getint("DOWNLOAD_MAXSIZE")
        if scrapy_limit > 0:
            self.limit = min(self.limit, scrapy_limit)
        self.accept = settings.getbool("COMPRESSION_ENABLED")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BodyDecoder:
        return cls(crawler)

    def page_limit(self, request: Request) -> int:
        """A request's own ``download_maxsize`` (Scrapy's meta key) wins, as in Scrapy."""
        return int(request.meta.get("download_maxsize") or self.limit)

    def process_request(self, request: Request) -> None:
        if self.accept:
            request.headers.setdefault("Accept-Encoding", b", ".join(ACCEPTED_ENCODINGS))
        if DOC_LIMIT not in request.meta:
            # Scrapy drops a larger download before it is all in memory (the response gate
            # still records it: ``dropped_for``).
            request.meta["download_maxsize"] = self.page_limit(request)

    def process_response(self, request: Request, response: Response) -> Response:
        request.meta.pop(PROBLEM, None)
        limit = request.meta.get(DOC_LIMIT) or self.page_limit(request)
        applied = codings(response.headers.getlist("Content-Encoding"))
        cut = CUT_BY_NETWORK.intersection(response.flags)
        if cut:
            self._problem(request, "incomplete", flags=sorted(cut))
        if request.method == "HEAD" or not applied:
            if len(response.body) <= limit:
                return response
            self._problem(request, "too_large", limit=limit)
            return response.replace(body=self._kept(request, response.body[:limit]))
        try:
            decoded = decode(response.body, applied, limit)
        except DecodingError as exc:
            self._problem(request, "undecodable", content_encoding=applied, error=str(exc))
            return response.replace(body=b"")
        if decoded.unknown:
            self._problem(request, "undecodable", content_encoding=list(decoded.unknown))
            return response
        if decoded.exceeded:
            self._problem(request, "too_large", limit=limit, content_encoding=applied)
        elif not decoded.complete:
            self._problem(request, "incomplete", content_encoding=applied)
        body = self._kept(request, decoded.body) if decoded.exceeded else decoded.body
        headers = response.headers.copy()
        del headers["Content-Encoding"]
        cls = responsetypes.from_args(headers=headers, url=response.url, body=body)
        kwargs: dict[str, Any] = {"encoding": None} if issubclass(cls, TextResponse) else {}
        return response.replace(cls=cls, body=body, headers=headers, **kwargs)

    @staticmethod
    def _kept(request: Request, head: bytes) -> bytes:
        """Of a body over its limit, a policy document keeps its head (RFC 9309 §2.5); a page
        is denied, so nothing."""
        return head if DOC_LIMIT in request.meta else b""

    @staticmethod
    def _problem(request: Request, kind: str, **detail: Any) -> None:
        if PROBLEM not in request.meta:  # the first problem found is the one reported
            request.meta[PROBLEM] = BodyProblem(kind, detail)


def dropped_for(request: Request, exception: Exception) -> BodyProblem | None:
    """Why Scrapy dropped ``request``'s body before any middleware saw it, if that is what
    happened: larger than ``download_maxsize`` (cancelled), or shorter than announced."""
    if isinstance(exception, DownloadCancelledError):
        limit = request.meta.get("download_maxsize")
        return BodyProblem("too_large", {"limit": limit, "error": str(exception) or "cancelled"})
    if isinstance(exception, ResponseDataLossError):
        return BodyProblem("incomplete", {"error": "body shorter than its Content-Length"})
    return None
