"""Text extraction per HTML page: trafilatura's main content against the whole-text extraction
Heed used before, on a ~7 KB page of the crawl bench site and a 200 KB article."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scrapy.http import HtmlResponse  # noqa: E402

from bench.access_check import article_page  # noqa: E402
from bench.report import median, write_section  # noqa: E402
from bench.site_server import Site  # noqa: E402
from crawler.extraction import extract_page  # noqa: E402
from crawler.text import readable_text  # noqa: E402


def pages() -> dict[str, bytes]:
    site = Site(origins=1, pages=10)
    return {"7 KB site page": site.page(5), "200 KB article": article_page(free=True)}


def timed(call, runs: int) -> float:  # type: ignore[no-untyped-def]
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        samples.append(time.perf_counter() - start)
    return median(samples) * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    rows = []
    for name, body in pages().items():
        response = HtmlResponse("http://127.0.0.1/p", body=body, encoding="utf-8")
        before = timed(lambda r=response: readable_text(r), args.runs)
        after = timed(lambda r=response: extract_page(r.text, r.url), args.runs)
        rows.append((name, len(body), before, after))
    lines = [
        "## Text extraction per page",
        "",
        "| page | bytes | whole visible text (before), ms | trafilatura, fast mode, ms | ratio |",
        "|---|---:|---:|---:|---:|",
    ]
    lines += [f"| {n} | {b:,} | {x:.2f} | {y:.2f} | {y / x:.2f}x |" for n, b, x, y in rows]
    lines += [
        "",
        f"Medians of {args.runs} runs. Reproduce: `.venv/bin/python bench/extraction.py`.",
    ]
    markdown = "\n".join(lines)
    print(markdown)
    print(f"\nwritten to {write_section('extraction', markdown)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
