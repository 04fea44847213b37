"""Readable text of a page: what a training pipeline wants, without markup or scripts."""

from __future__ import annotations

import re
from typing import cast

from lxml import html
from scrapy.http import Response, TextResponse

from crawler.page import Page, PageUnreadable

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
    """The visible text of a page the response gate judged markup (``crawler.page.Page``, the
    same decision), plain text as it is, and "" for anything else."""
    page = Page(response)
    if not page.is_markup:
        return response.text if isinstance(response, TextResponse) else ""
    try:
        tree = page.tree
    except PageUnreadable:
        return ""  # the response gate denies such a page; nothing is made up from part of it
    if tree is None:
        return ""
    for element in list(tree.iter(*_DROP)):
        cast(html.HtmlElement, element).drop_tree()
    for element in tree.iter(*_BLOCKS):
        element.tail = "\n" + (element.tail or "")
    text = tree.text_content()
    text = _SPACE.sub(" ", text)
    return _LINES.sub("\n\n", "\n".join(line.strip() for line in text.splitlines())).strip()
