"""The JSON-LD blocks of an HTML page, each parsed on its own.

extruct 0.18 parses all ``<script type="application/ld+json">`` blocks of a page in one call,
and one malformed block makes that call fail, hiding the well-formed ones. A page's access
markup must not vanish because an unrelated block (a breadcrumb, an ad tag) is broken, so each
block is handed to extruct alone and a failure stays a fact about that one block.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from lxml.html import Element, HtmlElement

# The media type extruct (and Google's structured-data documentation) recognises, exactly.
JSON_LD_TYPE = "application/ld+json"


@cache
def _extractor() -> Any:
    """extruct's JSON-LD extractor, imported on the first page that has a block: importing
    extruct loads all its syntaxes (rdflib, mf2py...), half a second a crawl may never need."""
    from extruct.jsonld import JsonLdExtractor

    return JsonLdExtractor()


@dataclass(frozen=True, slots=True)
class JsonLdBlock:
    """One ``<script type="application/ld+json">``: its top-level items, or why it failed.

    ``index`` counts the page's JSON-LD blocks from 0, in document order; a block holding an
    array is spread into ``items``. ``text`` is kept only for a malformed block, so that a
    check can tell whether what it hid mattered.
    """

    index: int
    items: tuple[Any, ...] = ()
    error: str | None = None
    text: str = ""


def parse_json_ld(tree: HtmlElement | None) -> tuple[JsonLdBlock, ...]:
    """Every JSON-LD block of ``tree`` in document order; malformed ones carry ``error``."""
    if tree is None:
        return ()
    scripts = [s for s in tree.iter("script") if is_json_ld_type(s.get("type"))]
    return tuple(_parse_block(index, script) for index, script in enumerate(scripts))


def is_json_ld_type(value: str | None) -> bool:
    """A script ``type`` naming JSON-LD, parameters and case aside (RFC 9110 §8.3.1: media
    types are case-insensitive; ``application/ld+json; charset=utf-8`` is still JSON-LD)."""
    return value is not None and value.split(";")[0].strip().lower() == JSON_LD_TYPE


def _parse_block(index: int, script: HtmlElement) -> JsonLdBlock:
    if script.get("type") != JSON_LD_TYPE:
        # extruct matches the type exactly: hand it the same text under the plain type.
        text = script.text
        script = Element("script", type=JSON_LD_TYPE)
        script.text = text
    try:
        # The script element alone is the document: extruct then sees only this block.
        items = tuple(_extractor().extract_items(script))
    except (ValueError, RecursionError) as exc:
        # JSONDecodeError is a ValueError; absurd nesting exhausts the decoder's recursion.
        return JsonLdBlock(
            index, error=f"{type(exc).__name__}: {exc}"[:300], text=script.text_content()
        )
    return JsonLdBlock(index, items)
