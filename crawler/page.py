"""What response checks read: one response, judged once for whether it is markup, its markup
parsed at most once and shared (what asset it is: ``crawler.checks.assets.asset_kind``).

What counts as markup is decided here, once, for the response gate and for everything after it
(the spider's text, its link extraction, a user's selectors): any body a later component may
read as HTML or XML. Scrapy picks the response class from the Content-Type, then the URL's
extension, then a sniff of the body (``scrapy.responsetypes``), and its selectors parse any
text response as HTML; so a markup type, a text body with a tag in it (unless Scrapy's sniff
calls the body binary), or a body that starts with a tag (after a byte order mark) is markup,
whatever the Content-Type said.

A parse that stopped before the end of the document (lxml's depth limit, an encoding error) or
failed is no "nothing found": the views raise ``PageUnreadable``, which the gate records as a
``page.unreadable`` deny.
"""

from __future__ import annotations

import codecs
import re
from functools import cached_property
from typing import TYPE_CHECKING, Any
from weakref import WeakKeyDictionary

from lxml import etree, html
from scrapy.http import TextResponse
from scrapy.utils.python import binary_is_text

from reservations.jsonld import JsonLdBlock, parse_json_ld

if TYPE_CHECKING:
    from scrapy.http import Response

# Where the head ends, and a meta element anywhere after it (which needs the whole document).
_HEAD_END = re.compile(rb"</head\s*>|<body[\s>]", re.IGNORECASE)
_META_TAG = re.compile(rb"<meta[\s/>]", re.IGNORECASE)
# A script element as the HTML tokenizer sees it: its content ends at the first "</script".
_SCRIPT = re.compile(rb"<script\b([^>]*)>.*?</script\s*>", re.IGNORECASE | re.DOTALL)
# An HTML tokenizer starts a tag, a comment, a doctype or a processing instruction at "<" and
# a letter, "!", "?" or "/" (WHATWG HTML §13.2.5.6, tag open state).
_TAG_OPEN = re.compile(r"<[A-Za-z!?/]")
_TAG_OPEN_BYTES = re.compile(_TAG_OPEN.pattern.encode())
# The media types Scrapy gives an HTML or XML response class, and every "+xml" type.
_MARKUP_TYPES = frozenset(
    {"text/html", "application/xhtml+xml", "application/vnd.wap.xhtml+xml"}
    | {"text/xml", "application/xml"}
)
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# libxml2 keeps going after ordinary tag-soup errors; a fatal one means it stopped reading.
_STOPPED = etree.ErrorLevels.FATAL


class PageUnreadable(Exception):
    """The page is markup, but its parse did not see the whole document: whatever a check
    would read from it may lie in the part not seen, so the check cannot answer."""

    def __init__(self, why: str, **evidence: Any) -> None:
        super().__init__(why)
        self.evidence: dict[str, Any] = {"why": why, **evidence}


def _markup_type(content_type: str) -> bool:
    """HTML or XML by its media type (``type/subtype`` lowercased, no parameters)."""
    return content_type in _MARKUP_TYPES or content_type.endswith("+xml")


class Page:
    """Lazy views of a response for the response checks; nothing is parsed until asked."""

    def __init__(self, response: Response) -> None:
        self.response = response

    @classmethod
    def of(cls, response: Response) -> Page:
        """The one ``Page`` of ``response``: what the gate parsed, the spider reads again."""
        page = _PAGES.get(response)
        if page is None:
            page = _PAGES[response] = cls(response)
        return page

    def replace_body(self, body: bytes) -> None:
        """Pass ``body`` on instead of the downloaded one (a check kept only part of the page):
        the checks after it and everything after the gate see only the replacement."""
        self.response = self.response.replace(body=body)
        _PAGES[self.response] = self
        for name, attribute in vars(Page).items():
            if isinstance(attribute, cached_property):
                self.__dict__.pop(name, None)

    @cached_property
    def content_type(self) -> str:
        raw = self.response.headers.get(b"Content-Type") or b""
        return raw.decode("latin-1").split(";")[0].strip().lower()

    @cached_property
    def is_markup(self) -> bool:
        """Whether any component may read the body as HTML or XML (see the module docstring)."""
        if _markup_type(self.content_type):
            return True
        if self._start.startswith("<"):
            return True
        if not isinstance(self.response, TextResponse):
            return False
        # Scrapy's selectors parse any text response as HTML, tags anywhere in it; a body
        # Scrapy's own sniff calls binary (an image or PDF under a text type) is no page.
        if self.wide_encoding:
            tagged = _TAG_OPEN.search(self.response.text) is not None
        else:
            tagged = _TAG_OPEN_BYTES.search(self.response.body) is not None
        return tagged and binary_is_text(self.response.body[:5000])

    @cached_property
    def _start(self) -> str:
        """The body's first characters after any byte order mark and white space."""
        head = self.response.body[:512]
        for bom, encoding in _BOMS:
            if head.startswith(bom):
                return head.decode(encoding, errors="replace").lstrip()
        return head.decode("latin-1").lstrip()

    def header_values(self, name: str) -> list[str]:
        """Every value of header ``name`` (repeated headers kept apart), decoded leniently."""
        return list(self._headers.get(name.lower(), ()))

    @cached_property
    def _headers(self) -> dict[str, tuple[str, ...]]:
        """Every header by lowercased name, decoded once for all the checks that read them."""
        return {
            key.decode("latin-1").lower(): tuple(v.decode("latin-1") for v in values)
            for key, values in self.response.headers.items()
        }

    @cached_property
    def tree(self) -> html.HtmlElement | None:
        """The whole parsed document; ``None`` when the body is not markup or holds no
        element at all. Raises ``PageUnreadable`` when the parse did not see all of it."""
        if not self.is_markup or not self.response.body.strip():
            return None
        if self.wide_encoding:
            # lxml stumbles on UTF-16/32 bytes (and their BOM): parse the decoded text.
            return self._parse(self._text, "document")
        return self._parse(self.response.body, "document")

    @cached_property
    def wide_encoding(self) -> bool:
        """UTF-16 or UTF-32: bytes that cannot be searched for ASCII tags."""
        encoding = (getattr(self.response, "encoding", None) or "").lower()
        if encoding:
            return encoding.startswith(("utf-16", "utf-32"))
        return self.response.body.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))

    @cached_property
    def _text(self) -> str:
        if isinstance(self.response, TextResponse):
            return self.response.text
        return next(
            self.response.body.decode(encoding, errors="replace")
            for bom, encoding in _BOMS
            if self.response.body.startswith(bom)
        )

    def _parse(self, source: bytes | str, part: str) -> html.HtmlElement | None:
        """Parse ``source`` in full or raise ``PageUnreadable``. ``huge_tree`` lifts libxml2's
        depth limit from 256 to 2048 levels: unclosed tags nest, and old pages nest deep."""
        encoding = getattr(self.response, "encoding", None) if isinstance(source, bytes) else None
        try:
            # A parser told the response's encoding (HTTP header, BOM or meta, as Scrapy found
            # it), so that a UTF-8 page declared only in its Content-Type is not read as Latin-1.
            parser = html.HTMLParser(huge_tree=True, encoding=encoding)
        except LookupError:
            # An encoding Python knows and libxml2 does not (shift_jis_2004): decode here.
            assert isinstance(source, bytes) and encoding
            return self._parse(source.decode(encoding, errors="replace"), part)
        try:
            tree = html.document_fromstring(source, parser=parser)
        except etree.ParserError as exc:
            if str(exc) == "Document is empty" and not _stopped(parser):
                return None
            raise PageUnreadable("parse failed", part=part, error=str(exc)[:300]) from exc
        except (ValueError, LookupError) as exc:
            raise PageUnreadable("parse failed", part=part, error=str(exc)[:300]) from exc
        if stop := _stopped(parser):
            raise PageUnreadable("parse stopped early", part=part, **stop)
        return tree

    @cached_property
    def head(self) -> html.HtmlElement | None:
        """The document parsed only up to the end of its head, where meta elements live: a
        fraction of a full parse (a 200 KB page: ~0.1 ms instead of ~2.5 ms). The whole
        document when a meta element follows the head, or when ``tree`` is already built."""
        body = self.response.body
        end = _HEAD_END.search(body) if self.is_markup and not self.wide_encoding else None
        if "tree" in self.__dict__ or end is None or _META_TAG.search(body, end.end()):
            return self.tree
        return self._parse(body[: end.start()], "head")

    @cached_property
    def meta(self) -> dict[str, list[str]]:
        """``<meta name=... content=...>`` and ``property=`` values by lowercased name, in order."""
        found: dict[str, list[str]] = {}
        if self.head is None:
            return found
        for element in self.head.iter("meta"):
            key = element.get("name") or element.get("property")
            content = element.get("content")
            if key and content is not None:
                found.setdefault(key.strip().lower(), []).append(content)
        return found

    @cached_property
    def json_ld(self) -> tuple[JsonLdBlock, ...]:
        """Every ``application/ld+json`` block, each parsed on its own (one broken block does
        not hide the others); see ``reservations.jsonld``."""
        body = self.response.body
        if "tree" in self.__dict__ or self.wide_encoding or not self.is_markup:
            return parse_json_ld(self.tree)  # bytes cannot be searched for tags in these
        scripts = [m.group(0) for m in _SCRIPT.finditer(body) if b"ld+json" in m.group(1).lower()]
        if not scripts:
            return ()
        # Only the JSON-LD scripts are parsed: a fraction of the whole page's parse. A script
        # inside a comment is read too, which can only add a restriction.
        return parse_json_ld(
            self._parse(b"<html><head>" + b"".join(scripts) + b"</head></html>", "json-ld")
        )


def _stopped(parser: html.HTMLParser) -> dict[str, Any]:
    """The fatal error that stopped ``parser``'s last parse, and where; empty if none."""
    for error in parser.error_log:
        if error.level >= _STOPPED:
            return {"error": error.message[:300], "line": error.line}
    return {}


# Each response's Page, for as long as the response lives.
_PAGES: WeakKeyDictionary[Response, Page] = WeakKeyDictionary()
