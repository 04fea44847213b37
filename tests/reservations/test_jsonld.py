"""JSON-LD blocks are parsed one by one: a broken block never hides a good one."""

from __future__ import annotations

import pytest
from lxml import html

from reservations.jsonld import parse_json_ld


def blocks_of(*scripts: str):
    body = "".join(f'<script type="application/ld+json">{s}</script>' for s in scripts)
    return parse_json_ld(html.document_fromstring(f"<html><head>{body}</head><body></body></html>"))


def test_each_block_keeps_its_index_and_items_in_document_order() -> None:
    blocks = blocks_of('{"@type": "A"}', '[{"@type": "B"}, {"@type": "C"}]')
    assert [b.index for b in blocks] == [0, 1]
    assert blocks[0].items == ({"@type": "A"},)
    assert [i["@type"] for i in blocks[1].items] == ["B", "C"]


def test_a_malformed_block_is_reported_and_the_others_still_parse() -> None:
    blocks = blocks_of('{"@type": "A",}}', '{"@type": "B"}')
    assert blocks[0].items == () and blocks[0].error and "A" in blocks[0].text
    assert blocks[1].items == ({"@type": "B"},) and blocks[1].error is None


@pytest.mark.parametrize(
    "script",
    ["", "{", "[1,", "[" * 100_000, "\x00", "{'single': 'quotes'}"],
    ids=["empty", "open-brace", "open-array", "absurd-nesting", "nul", "single-quotes"],
)
def test_hostile_blocks_never_raise(script: str) -> None:
    (block,) = blocks_of(script)
    assert block.items == () and block.error


def test_a_leading_comment_line_is_tolerated_as_extruct_does() -> None:
    (block,) = blocks_of('// generated\n{"@type": "A"}')
    assert block.error is None and block.items == ({"@type": "A"},)


def test_other_script_types_and_no_tree_give_nothing() -> None:
    tree = html.document_fromstring('<html><script type="text/javascript">{}</script></html>')
    assert parse_json_ld(tree) == ()
    assert parse_json_ld(None) == ()


@pytest.mark.parametrize(
    "media_type",
    ["application/ld+json; charset=utf-8", "Application/LD+JSON", " application/ld+json ;x=y"],
)
def test_json_ld_is_known_by_its_media_type_whatever_its_parameters_or_case(
    media_type: str,
) -> None:
    script = f'<script type="{media_type}">{{"isAccessibleForFree": false}}</script>'
    tree = html.document_fromstring(f"<html><head>{script}</head></html>")
    (block,) = parse_json_ld(tree)
    assert block.items == ({"isAccessibleForFree": False},)


def test_a_look_alike_media_type_is_not_json_ld() -> None:
    tree = html.document_fromstring('<html><script type="application/ld+jsonx">{}</script></html>')
    assert parse_json_ld(tree) == ()
