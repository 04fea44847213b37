"""Adapter: the kinds of content a crawl keeps (``HEED_CONTENT``), decided at the response gate.

A response's kind is decided once, here, for the gate and everything after it: an asset by its
bytes, Content-Type or extension (``checks.assets.asset_kind``, read once per page), else
``html`` when the page is markup, else ``other``. A successful response of a kind the crawl
does not keep is recorded and dropped before any spider or pipeline sees its body
(``content.kind_not_collected``). Responses without a body to keep (redirects, errors) and the
sitemaps a spider asked for pass on.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from crawler.checks.assets import asset_facts
from crawler.errors import ConfigError
from reservations.verdict import Verdict, allow, deny

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from scrapy.settings import BaseSettings

    from crawler.page import Page

CHECK = "content"
KINDS = ("html", "pdf", "epub", "image")
# Set by a spider on a request whose response it reads but never keeps (a sitemap).
READ_ONLY = "heed_read_only"
# The kind decided here, in the response's meta for the spider and pipelines.
KIND = "heed_kind"


def content_kinds(settings: BaseSettings) -> frozenset[str]:
    """``HEED_CONTENT`` as a set of kinds: a list, ``html,pdf`` or the JSON form
    ``["html","pdf"]``; an unknown kind is a ``ConfigError`` naming the known ones."""
    raw = settings.get("HEED_CONTENT")
    if raw is None:  # a project without Heed's defaults: the declared default, never "nothing"
        from crawler.defaults import HEED_CONTENT

        raw = HEED_CONTENT
    if isinstance(raw, str) and raw.strip().startswith("["):
        try:
            raw = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise ConfigError(f"HEED_CONTENT: {raw!r} is not a JSON list: {exc}") from exc
    items = raw.split(",") if isinstance(raw, str) else list(raw or ())
    kinds = frozenset(str(kind).strip().lower() for kind in items if str(kind).strip())
    unknown = sorted(kinds - set(KINDS))
    if unknown or not kinds:
        raise ConfigError(
            f"HEED_CONTENT: {', '.join(unknown) or 'nothing'} is not a content kind; "
            f"choose from {', '.join(KINDS)} (e.g. -s HEED_CONTENT=html,pdf,image)"
        )
    return kinds


def response_kind(page: Page) -> str:
    """``image``, ``pdf``, ``epub``, ``html`` or ``other``: one answer for every component."""
    kind = asset_facts(page).kind
    if kind is not None:
        return kind
    return "html" if page.is_markup else "other"


class ContentCheck:
    """Drops the responses of kinds the crawl does not keep."""

    name = CHECK

    def __init__(self, crawler: Crawler) -> None:
        self.kinds = content_kinds(crawler.settings)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ContentCheck:
        return cls(crawler)

    async def check_response(self, response: Response, page: Page) -> Verdict:
        kind = response.meta[KIND] = response_kind(page)
        if not 200 <= response.status < 300:
            return allow(CHECK, "content.no_body_kept", kind=kind)
        if response.meta.get(READ_ONLY):
            return allow(CHECK, "content.read_only", kind=kind)
        if kind not in self.kinds:
            return deny(CHECK, "content.kind_not_collected", kind=kind, kept=sorted(self.kinds))
        return allow(CHECK, "content.collected", kind=kind)
