"""Text worth training on: a page's main content, without navigation, boilerplate or footers.

trafilatura does the extraction (the one large open pretraining pipelines use), in its fast
mode; title, author and date come from the page's own metadata (its ``<title>`` and the usual
``<meta>`` names), which costs a fraction of trafilatura's metadata search; the language is the
page's ``lang`` or py3langid's guess. A page trafilatura finds no main content in keeps the
``fallback`` text, so that nothing is silently emptied.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import py3langid
from trafilatura import bare_extraction
from trafilatura.settings import Document

# Below this many characters a language guess is noise.
_MIN_LANGUAGE_TEXT = 40
_TITLE = ("og:title", "twitter:title", "dc.title")
_AUTHOR = ("author", "article:author", "dc.creator", "parsely-author")
_DATE = ("article:published_time", "date", "dc.date", "pubdate", "og:updated_time")


@dataclass(frozen=True)
class PageText:
    """The extracted text of one page and what trafilatura found about it."""

    text: str
    title: str | None = None
    language: str | None = None
    date: str | None = None
    author: str | None = None


def extract_page(
    markup: str,
    url: str,
    *,
    meta: Mapping[str, Sequence[str]] | None = None,
    title: str | None = None,
    lang: str | None = None,
    fallback: str = "",
    main_content: bool = True,
) -> PageText:
    """Main content of ``markup`` (the page at ``url``), with what its head says: ``meta`` by
    lowercased name, its ``<title>`` and its ``lang``; ``fallback`` is kept when trafilatura
    finds no main content (e.g. the page's whole visible text), or is not asked for it
    (``main_content=False``)."""
    found: Mapping[str, str | None] = {}
    if main_content:
        document = bare_extraction(
            markup, url=url, fast=True, with_metadata=False, include_comments=False
        )
        # None when nothing is found (and a dict, not a Document, only under as_dict=True).
        found = document.as_dict() if isinstance(document, Document) else (document or {})
    text = (found.get("text") or "").strip() or fallback
    meta = meta or {}
    return PageText(
        text=text,
        title=_first(meta, _TITLE) or (title.strip() if title and title.strip() else None),
        language=(lang or "").strip().lower().partition("-")[0] or _language(text),
        date=_first(meta, _DATE),
        author=_first(meta, _AUTHOR),
    )


def _first(meta: Mapping[str, Sequence[str]], names: Sequence[str]) -> str | None:
    for name in names:
        for value in meta.get(name, ()):
            if value.strip():
                return value.strip()
    return None


def _language(text: str) -> str | None:
    if len(text) < _MIN_LANGUAGE_TEXT:
        return None
    try:
        language, _ = py3langid.classify(text[:10_000])
    except OSError:  # its model is unpacked to a temporary file on first use: a full disk
        return None
    return str(language)
