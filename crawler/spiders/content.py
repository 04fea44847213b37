"""What an item holds for each kind of content: a page's main text, a document's text, and the
image sources a page shows (followed when the crawl keeps images)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urljoin, urlsplit

from scrapy.http import Response, TextResponse
from scrapy.linkextractors import IGNORED_EXTENSIONS

from crawler.checks.assets import EXTENSIONS
from crawler.extraction import PageText, extract_page
from crawler.page import Page
from crawler.text import readable_text
from reservations.epub import read_epub
from reservations.pdf import read_pdf


def denied_extensions(kinds: frozenset[str]) -> list[str]:
    """Scrapy's ignored link extensions, less those of the kinds the crawl keeps."""
    kept = {extension for extension, kind in EXTENSIONS.items() if kind in kinds}
    return [extension for extension in IGNORED_EXTENSIONS if extension not in kept]


def item_content(response: Response, kind: str, max_main_bytes: int) -> dict[str, Any]:
    """The text and metadata of ``response`` read as ``kind`` (``html``, ``pdf``, ``epub``),
    on the calling thread; a page over ``max_main_bytes`` gets its whole visible text, not
    trafilatura's main content."""
    if kind == "pdf":
        document = read_pdf(response.body)
        return {"text": document.text, "pages": document.pages, "readable": document.reason}
    if kind == "epub":
        book = read_epub(response.body)
        return {"text": book.text, "title": book.title, "language": book.language}
    if kind != "html" or not isinstance(response, TextResponse):
        return {"text": readable_text(response)}
    job = extraction_job(response, max_main_bytes)
    return page_content(response, job, extract_page(**job))


def extraction_job(response: TextResponse, max_main_bytes: int) -> dict[str, Any]:
    """``extract_page``'s arguments for a page: its markup and what its head says."""
    page = Page.of(response)
    head = page.head
    return {
        "markup": response.text,
        "url": response.url,
        "meta": {name: list(values) for name, values in page.meta.items()},
        "title": head.findtext(".//title") if head is not None else None,
        "lang": head.getroottree().getroot().get("lang") if head is not None else None,
        "main_content": len(response.body) <= max_main_bytes,
    }


def page_content(
    response: TextResponse, job: dict[str, Any], found: PageText | None
) -> dict[str, Any]:
    """A page's item fields from what extraction ``found``: ``None`` (an extraction worker gave
    up on the page) or no main content keeps the page's whole visible text, said so."""
    if found is None:
        found = extract_page(**{**job, "main_content": False})
    # The whole visible text where trafilatura found no main content or was not asked (a page
    # too large for it): a second parse, in time linear in the page.
    text = found.text or readable_text(response)
    return {
        "text": text,
        "text_source": "main_content" if found.text else "whole_text",
        "title": found.title,
        "language": found.language,
        "date": found.date,
        "author": found.author,
    }


def image_sources(response: Response) -> list[str]:
    """The http(s) URLs of a page's ``<img src>`` and every ``srcset`` candidate, in order."""
    tree = Page.of(response).tree if isinstance(response, TextResponse) else None
    if tree is None:
        return []
    found: list[str] = []
    for element in tree.iter("img", "source"):
        candidates = [element.get("src") or ""]
        candidates += [c.strip().split(" ")[0] for c in (element.get("srcset") or "").split(",")]
        for candidate in candidates:
            url = urljoin(response.url, candidate.strip()) if candidate.strip() else ""
            if urlsplit(url).scheme in ("http", "https") and url not in found:
                found.append(url)
    return found
