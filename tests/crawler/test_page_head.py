"""Page.head: the meta elements from a parse of the head alone, the whole page when needed."""

from __future__ import annotations

import pytest
from scrapy.http import HtmlResponse, Response

from crawler.page import Page

ROBOTS = '<meta name="robots" content="noai">'
TDM = '<meta name="tdm-reservation" content="1">'
HEAD = ROBOTS + TDM
BODY = "<p>" + "text " * 10_000 + "</p>"


def html_page(markup: str) -> Page:
    return Page(HtmlResponse("https://e.example/", body=markup.encode(), encoding="utf-8"))


@pytest.mark.parametrize(
    ("markup", "whole"),
    [
        (f"<html><head>{HEAD}</head><body>{BODY}</body></html>", False),
        (f"<html><HEAD>{HEAD}</HEAD ><BODY>{BODY}</BODY></html>", False),
        (f"<html><head>{HEAD}<body>{BODY}</body></html>", False),
        (f"<html><head></head><body>{HEAD}{BODY}</body></html>", True),
        (f"<html><head>{ROBOTS}</head><body>{TDM}{BODY}</body></html>", True),
        (f"{HEAD}{BODY}", True),
    ],
    ids=["head-then-body", "uppercase-tags", "no-closing-head", "meta-in-body", "split", "no-head"],
)
def test_meta_is_the_same_as_from_the_whole_page(markup: str, whole: bool) -> None:
    page = html_page(markup)
    assert page.meta["robots"] == ["noai"] and page.meta["tdm-reservation"] == ["1"]
    # The whole document is parsed only when a meta element may lie beyond the head.
    assert ("tree" in page.__dict__) is whole


def test_a_tree_already_built_is_reused() -> None:
    page = html_page(f"<html><head>{HEAD}</head><body>{BODY}</body></html>")
    tree = page.tree
    assert page.head is tree


def test_not_html_has_no_head() -> None:
    page = Page(
        Response("https://e.example/x.png", body=b"\x89PNG", headers={"Content-Type": "image/png"})
    )
    assert page.head is None and page.meta == {}
