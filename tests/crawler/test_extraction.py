"""Main-content extraction: navigation and footers out, metadata in, nothing silently emptied."""

from __future__ import annotations

from crawler.extraction import extract_page

ARTICLE = """<html lang="en"><head><title>Rivers of Europe</title>
<meta name="author" content="Ana Lima"><meta property="article:published_time" content="2025-03-04">
</head><body><nav><a href="/">Home</a> | <a href="/about">About us</a></nav>
<article><h1>Rivers of Europe</h1>
<p>The Danube flows through ten countries, more than any other river in the world, and its basin
reaches into nineteen. It rises in the Black Forest and ends in a delta on the Black Sea.</p>
<p>The Rhine carries more freight than any other European waterway and links Switzerland with
the North Sea through Germany and the Netherlands.</p></article>
<footer>Copyright 2025 Example News. All rights reserved. Cookie settings.</footer></body></html>"""


def test_the_main_content_is_kept_and_navigation_and_footer_are_not() -> None:
    page = extract_page(ARTICLE, "http://127.0.0.1/rivers")
    assert "The Danube flows through ten countries" in page.text
    assert "The Rhine carries more freight" in page.text
    assert "About us" not in page.text and "Cookie settings" not in page.text


def test_title_language_date_and_author_come_from_the_head() -> None:
    meta = {"author": ["Ana Lima"], "article:published_time": ["2025-03-04"]}
    page = extract_page(
        ARTICLE, "http://127.0.0.1/rivers", meta=meta, title="Rivers of Europe", lang="en-GB"
    )
    assert page.title == "Rivers of Europe"
    assert page.language == "en"
    assert page.date == "2025-03-04"
    assert page.author == "Ana Lima"


def test_a_page_without_main_content_keeps_the_fallback_text() -> None:
    page = extract_page("<html><body><nav>x</nav></body></html>", "http://127.0.0.1/", fallback="x")
    assert page.text == "x" and page.language is None


def test_without_a_lang_attribute_the_language_is_guessed_from_the_text() -> None:
    assert extract_page(ARTICLE, "http://127.0.0.1/rivers").language == "en"


def test_main_content_not_asked_for_keeps_the_fallback_and_the_heads_metadata() -> None:
    page = extract_page(
        ARTICLE,
        "http://127.0.0.1/rivers",
        title="Rivers of Europe",
        fallback="whole",
        main_content=False,
    )
    assert page.text == "whole" and page.title == "Rivers of Europe"
