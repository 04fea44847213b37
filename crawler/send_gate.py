"""The request gate's send-time stage: a download handler around Scrapy's own.

Scrapy calls a download handler at the moment a request leaves its politeness queue for the
network, so this is where the request decision that counts is taken and recorded
(``crawler.gates`` explains the two stages). ``DOWNLOAD_HANDLERS`` names this class for every
scheme; the handler that really downloads is Scrapy's default for the scheme
(``DOWNLOAD_HANDLERS_BASE``) or the one ``HEED_DOWNLOAD_HANDLERS`` names. A project that
replaces a scheme's handler in ``DOWNLOAD_HANDLERS`` instead would send without a decision:
the crawl refuses to start.
"""

from __future__ import annotations

from contextlib import suppress
from typing import TYPE_CHECKING, Any

from scrapy.exceptions import NotConfigured, NotSupported
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.misc import build_from_crawler, load_object

from crawler.components import shared
from crawler.gates import RequestDecisions

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from scrapy.settings import BaseSettings


def inner_handler_path(settings: BaseSettings, scheme: str) -> str | None:
    """The handler that downloads ``scheme`` behind the gate (None: the scheme is off)."""
    chosen: dict[str, str | None] = settings.getdict("HEED_DOWNLOAD_HANDLERS")
    if scheme in chosen:
        return chosen[scheme]
    base: dict[str, str | None] = settings.getdict("DOWNLOAD_HANDLERS_BASE")
    return base.get(scheme)


class SendGate:
    """Download handler: decide, record, then hand the request to the scheme's real handler."""

    lazy = False

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.decisions = shared(crawler, RequestDecisions)
        # Shared by the gate's instances (Scrapy builds one per scheme) and built now, as Scrapy
        # builds its own, so that the first request does not wait for a handler to be made.
        self._handlers = self.decisions.download_handlers
        for scheme in crawler.settings.getwithbase("DOWNLOAD_HANDLERS"):
            path = inner_handler_path(crawler.settings, scheme)
            if path is not None and not getattr(load_object(path), "lazy", True):
                with suppress(NotSupported):
                    self._handler(scheme)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SendGate:
        return cls(crawler)

    async def download_request(self, request: Request) -> Response:
        await self.decisions.decide(request)  # a deny raises IgnoreRequest: nothing is sent
        response: Response = await self._handler(urlparse_cached(request).scheme).download_request(
            request
        )
        return response

    def _handler(self, scheme: str) -> Any:
        handler = self._handlers.get(scheme)
        if handler is None:
            path = inner_handler_path(self.crawler.settings, scheme)
            if path is None:
                raise NotSupported(f"Unsupported URL scheme '{scheme}'")
            try:
                handler = build_from_crawler(load_object(path), self.crawler)
            except NotConfigured as exc:
                raise NotSupported(f"Unsupported URL scheme '{scheme}': {exc}") from exc
            self._handlers[scheme] = handler
        return handler

    async def close(self) -> None:
        while self._handlers:  # the first instance closed closes them all
            _, handler = self._handlers.popitem()
            await handler.close()
