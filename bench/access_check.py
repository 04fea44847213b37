"""Access-check benchmark: what the access and paywall checks cost per page.

The page is a 200 KB news article with three JSON-LD blocks (an ``@graph`` of site facts, a
breadcrumb, the article), Open Graph tags and long body text. The response gate parses each
page's HTML at most once for every check (``crawler.page.Page``); the checks' cost includes
every parse they need: the JSON-LD scripts, the head's meta tags, the byte pre-scan, and only
where markup may need it the whole page (microdata, AMP, ``keep_free``'s copy).

    .venv/bin/python bench/access_check.py              # writes docs/benchmarks.md
    .venv/bin/python bench/access_check.py --quick      # a smoke run, writes nothing
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO)]

from scrapy.http import HtmlResponse  # noqa: E402

from bench.report import median, write_section  # noqa: E402
from crawler import defaults as heed_settings  # noqa: E402
from crawler.page import Page  # noqa: E402
from reservations.access import compile_login_patterns, response_access_verdict  # noqa: E402
from reservations.paywall import (  # noqa: E402
    PartialPolicy,
    decide_paywall,
    find_paywall,
    needs_document,
)

PAGE_BYTES = 200_000
TARGET_MS = 2.0
PATTERNS = compile_login_patterns(heed_settings.HEED_LOGIN_PATTERNS)
PAID_PART = {"@type": "WebPageElement", "isAccessibleForFree": False, "cssSelector": ".paywall"}


def article_page(free: bool, microdata: bool = False) -> bytes:
    """A realistic article page of about ``PAGE_BYTES``: JSON-LD, OG tags, nav, long text."""
    graph = {
        "@context": "https://schema.org",
        "@graph": [
            {"@type": "Organization", "@id": "#org", "name": "Example News", "url": "/"},
            {"@type": "WebSite", "@id": "#site", "publisher": {"@id": "#org"}},
        ],
    }
    crumbs = {
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": i, "name": f"s{i}"} for i in range(4)
        ],
    }
    news = {"@type": "NewsArticle", "headline": "Headline", "isAccessibleForFree": free}
    if not free:
        news["hasPart"] = PAID_PART
    blocks = "".join(
        f'<script type="application/ld+json">{json.dumps(b)}</script>'
        for b in (graph, crumbs, news)
    )
    head = (
        f"<meta charset='utf-8'><title>Headline</title>{blocks}"
        '<meta property="og:type" content="article"><meta property="og:title" content="Headline">'
    )
    nav = "".join(f'<li><a href="/section/{i}">Section {i}</a></li>' for i in range(60))
    scope = ' itemscope itemtype="https://schema.org/NewsArticle"' if microdata else ""
    flag = f'<meta itemprop="isAccessibleForFree" content="{free}">' if microdata else ""
    paragraph = "<p>Lorem ipsum dolor sit amet, <a href='/x'>consectetur</a> adipiscing elit. </p>"
    text = paragraph * ((PAGE_BYTES - 8_000) // len(paragraph))
    body = (
        f"<body><nav><ul>{nav}</ul></nav><article{scope}>{flag}<h1>Headline</h1>"
        f"<div class='intro'>{text[: len(text) // 2]}</div>"
        f"<div class='paywall'>{text[len(text) // 2 :]}</div></article></body>"
    )
    return f"<!DOCTYPE html><html><head>{head}</head>{body}</html>".encode()


CASES: list[tuple[str, bytes, PartialPolicy, str]] = [
    ("free article (JSON-LD)", article_page(True), "deny", "paywall.none"),
    (
        "paywalled article (JSON-LD, denied)",
        article_page(False),
        "deny",
        "paywall.schema_org_partial",
    ),
    (
        "same, keep_free (paid part cut out)",
        article_page(False),
        "keep_free",
        "paywall.free_part_kept",
    ),
    (
        "paywalled article (microdata too)",
        article_page(False, True),
        "deny",
        "paywall.schema_org_partial",
    ),
]


def time_page(body: bytes, partial: PartialPolicy, reason: str) -> tuple[float, float]:
    """Milliseconds for a whole-page parse alone (for scale), and for the access checks on a
    fresh page including every parse they need, as ``PaywallCheck`` runs them."""
    response = HtmlResponse(
        "https://news.example/story", body=body, headers={"Content-Type": "text/html"}
    )
    started = time.perf_counter()
    assert Page(response).tree is not None
    parsed = time.perf_counter()
    page = Page(response)
    access = response_access_verdict(response.url, response.status, None, PATTERNS)
    full = partial == "keep_free" or needs_document(body, response.encoding)
    tree = page.tree if full else None
    findings = find_paywall(tree, body, page.meta, page.json_ld)
    verdict = decide_paywall(findings, tree, body, partial).verdict
    done = time.perf_counter()
    assert access.allowed and verdict.reason == reason, verdict
    return (parsed - started) * 1000, (done - parsed) * 1000


def run(runs: int) -> list[tuple[str, int, float, float]]:
    """Cases interleaved round by round, so that a busy machine weighs on all of them alike."""
    samples: list[list[tuple[float, float]]] = [[] for _ in CASES]
    for round_ in range(runs + 5):  # the first 5 rounds warm up (XPath compilation, allocator)
        for case, (_, body, partial, reason) in zip(samples, CASES, strict=True):
            timing = time_page(body, partial, reason)
            if round_ >= 5:
                case.append(timing)
    return [
        (name, len(body), median([s[0] for s in case]), median([s[1] for s in case]))
        for (name, body, _, _), case in zip(CASES, samples, strict=True)
    ]


def report(rows: list[tuple[str, int, float, float]], runs: int) -> str:
    lines = [
        "## Access check per page",
        "",
        f"Access and paywall checks on a ~{PAGE_BYTES // 1000} KB article page with three JSON-LD "
        f"blocks, median of {runs} pages per case (target <= {TARGET_MS:g} ms), each on a fresh "
        "page and including every parse the checks need. A whole-page parse is shown for "
        "scale: the checks pay it only for pages that may hold microdata or AMP paywall "
        "markup, or under `keep_free`; JSON-LD is read from its scripts alone.",
        "",
        "| page | bytes | whole-page parse (for scale), ms | access check, ms |",
        "| --- | ---: | ---: | ---: |",
    ]
    lines += [f"| {n} | {b:,} | {p:.2f} | {c:.2f} |" for n, b, p, c in rows]
    json_ld = max(c for n, _, _, c in rows if "JSON-LD" in n)
    verdict = "within" if json_ld <= TARGET_MS else "over"
    lines += [
        "",
        f"JSON-LD pages, the common case, cost at most {json_ld:.2f} ms: {verdict} the target. "
        "Microdata costs more because extruct walks the whole item (here the article and its "
        "text); `keep_free` copies the page and serialises it again. Both are paid only by "
        "pages that carry that markup or that setting.",
        "",
        "Reproduce: `.venv/bin/python bench/access_check.py`.",
    ]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--quick", action="store_true", help="20 runs, print only")
    args = parser.parse_args()
    runs = 20 if args.quick else args.runs
    markdown = report(run(runs), runs)
    print(markdown)
    if not args.quick:
        print(f"\nwritten to {write_section('access_check', markdown)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
