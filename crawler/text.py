"""Readable text of a page: what a training pipeline wants, without markup or scripts."""

from __future__ import annotations

import re
from typing import cast

from lxml import etree, html
from scrapy.http import Response, TextResponse

_SPACE = re.compile(r"[ \t\r\f\v]+")
_LINES = re.compile(r"\n\s*\n+")
_DROP = ("script", "style", "noscript", "template", "head")
# Elements that end a line when rendered: their text must not run into the next block's.
_BLOCKS = (
    "p",
    "div",
    "br",
    "li",
    "ul",
    "ol",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "tr",
    "table",
    "section",
    "article",
    "header",
    "footer",
    "blockquote",
    "pre",
    "dd",
    "dt",
    "main",
    "nav",
)


def readable_text(response: Response) -> str:
    """The visible text of an HTML page, plain text as it is, and "" for anything else."""
    if not isinstance(response, TextResponse):
        return ""
    content_type = (response.headers.get(b"Content-Type") or b"").lower()
    if b"html" not in content_type and not response.text.lstrip().startswith("<"):
        return response.text
    try:
        parser = html.HTMLParser(encoding=response.encoding)
        # An HTML parser builds HtmlElements; lxml-stubs type the tree as plain elements.
        tree = cast(html.HtmlElement, html.document_fromstring(response.body, parser=parser))
    except (etree.ParserError, ValueError, LookupError):
        return ""
    for element in list(tree.iter(*_DROP)):
        cast(html.HtmlElement, element).drop_tree()
    for element in tree.iter(*_BLOCKS):
        element.tail = "\n" + (element.tail or "")
    text = tree.text_content()
    text = _SPACE.sub(" ", text)
    return _LINES.sub("\n\n", "\n".join(line.strip() for line in text.splitlines())).strip()
