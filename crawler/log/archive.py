"""The policy documents behind the decisions, kept as WARC records beside the decision log.

Every fetch of robots.txt, tdmrep.json, ai.txt or an RSL licence, each redirect hop included, is
stored once as a request and a response record (ISO 28500, WARC 1.1), so that any WARC tool shows
what a rule said, and ``heed log verify --replay`` can re-derive each robots.txt decision. The
response payload is the body exactly as the check parsed it (decoded, cut at the size limit);
its ``WARC-Payload-Digest`` is the SHA-256 the decision evidence gives as ``doc_sha256``.
"""

from __future__ import annotations

import base64
import hashlib
import os
from dataclasses import dataclass
from functools import cached_property
from io import BytesIO
from pathlib import Path
from typing import IO, TYPE_CHECKING
from urllib.parse import urlsplit

from scrapy import signals
from scrapy.utils.response import response_status_message
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from crawler import __version__
from crawler.components import shared
from crawler.errors import LogWriteError
from crawler.log.recorder import DecisionRecorder
from crawler.stack import require_addon

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response

# The stored payload is the decoded body, so the headers that described the coded transfer
# would misdescribe it (RFC 9110 §8.4, RFC 9112 §6.1): dropped, with its real length set.
_TRANSFER_HEADERS = frozenset({"content-encoding", "transfer-encoding", "content-length"})


def archive_path(log_path: Path) -> Path:
    """The WARC file beside a decision log: ``crawl.jsonl`` keeps its documents in
    ``crawl.warc.gz``."""
    stem = log_path.name.removesuffix(".jsonl")
    return log_path.with_name(f"{stem}.warc.gz")


def payload_digest(payload: bytes) -> str:
    """The ``WARC-Payload-Digest`` of ``payload`` (WARC 1.1 §5.9: ``algorithm:value``, base32
    as web archives write it): SHA-256, the same digest as the evidence's ``doc_sha256``."""
    return "sha256:" + base64.b32encode(hashlib.sha256(payload).digest()).decode("ascii")


@dataclass(frozen=True)
class Archived:
    """Where one fetched response is kept: the WARC file's name (beside the log) and the
    response record's ``WARC-Record-ID``."""

    warc: str
    record_id: str


class PolicyArchive:
    """Scrapy extension: the one writer of the crawl's policy-document WARC file.

    The file is opened at the first document (a refused start leaves none) and each record is
    flushed before the decision that relies on it is written. A write failure stops the crawl
    as a decision-log failure does: the evidence would be incomplete.
    """

    def __init__(self, crawler: Crawler) -> None:
        require_addon(crawler)
        self.crawler = crawler
        self._file: IO[bytes] | None = None
        self._writer: WARCWriter | None = None
        crawler.signals.connect(self._close, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PolicyArchive:
        return cls(crawler)

    @cached_property
    def recorder(self) -> DecisionRecorder:
        # Looked up on first use: extensions cannot find each other while they are built.
        return shared(self.crawler, DecisionRecorder)

    @cached_property
    def path(self) -> Path:
        return archive_path(self.recorder.log.path)

    def store(self, request: Request, response: Response, payload: bytes) -> Archived:
        """Write ``request`` and its ``response`` (with ``payload`` as the body) and flush them;
        on failure stop the crawl and raise ``LogWriteError``."""
        try:
            writer = self._open()
            response_record = writer.create_warc_record(
                response.url,
                "response",
                payload=BytesIO(payload),
                length=len(payload),
                warc_headers_dict={"WARC-Payload-Digest": payload_digest(payload)},
                http_headers=_response_headers(response, len(payload)),
            )
            record_id: str = response_record.rec_headers.get_header("WARC-Record-ID")
            request_record = writer.create_warc_record(
                request.url,
                "request",
                payload=BytesIO(b""),
                length=0,
                warc_headers_dict={"WARC-Concurrent-To": record_id},
                http_headers=_request_headers(request),
            )
            writer.write_record(response_record)
            writer.write_record(request_record)
            assert self._file is not None
            self._file.flush()
        except OSError as exc:
            why = f"policy archive {self.path}: {exc.strerror or exc}"
            self.recorder.stop(why)
            raise LogWriteError(why) from exc
        return Archived(self.path.name, record_id)

    def _open(self) -> WARCWriter:
        if self._writer is None:
            self._file = self.path.open("xb")
            self._writer = WARCWriter(self._file, gzip=True, warc_version="1.1")
            info = self._writer.create_warcinfo_record(
                self.path.name,
                {
                    "software": f"Heed {__version__}",
                    "format": "WARC File Format 1.1",
                    "isPartOf": self.recorder.run_id,
                    "description": f"policy documents of {self.recorder.log.path.name}",
                },
            )
            self._writer.write_record(info)
        return self._writer

    def _close(self) -> None:
        if self._file is None:
            return
        try:
            os.fsync(self._file.fileno())  # on disk before the crawl reports success
        except OSError as exc:
            self.recorder.stop(f"policy archive {self.path}: {exc.strerror or exc}")
        finally:
            self._file.close()


def _response_headers(response: Response, length: int) -> StatusAndHeaders:
    headers = [
        (name.decode("latin-1"), value.decode("latin-1"))
        for name, values in response.headers.items()
        if name.decode("latin-1").lower() not in _TRANSFER_HEADERS
        for value in values
    ]
    headers.append(("Content-Length", str(length)))
    return StatusAndHeaders(response_status_message(response.status), headers, "HTTP/1.1")


def _request_headers(request: Request) -> StatusAndHeaders:
    parts = urlsplit(request.url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    headers = [
        (name.decode("latin-1"), value.decode("latin-1"))
        for name, values in request.headers.items()
        for value in values
    ]
    if not request.headers.get(b"Host"):  # added by the HTTP client (RFC 9112 §3.2)
        headers.insert(0, ("Host", parts.netloc))
    return StatusAndHeaders(f"{request.method} {target} HTTP/1.1", headers, is_http_request=True)
