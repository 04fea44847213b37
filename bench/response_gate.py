"""Response-gate benchmark: what judging one 200 KB HTML page costs, with the default checks.

The real ``ResponseGate`` is built from Heed's settings, as a crawl builds it, and judges a
~200 KB article page (the access benchmark's page) again and again: every configured response
check, and the decision written to a real, hash-chained log file. The same gate without the
opt-out checks (TDMRep, Content-Usage, Content-Signal, noai) judges the same pages in the same
rounds, so the difference is what the opt-out checks add in place; they are also timed alone,
in a pass of their own, each page with a fresh ``Page`` so that the parse of the head counts.

    .venv/bin/python bench/response_gate.py              # writes docs/benchmarks.md
    .venv/bin/python bench/response_gate.py --quick      # a smoke run, writes nothing
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO)]
os.environ["SCRAPY_SETTINGS_MODULE"] = "crawler.settings"

from scrapy.exceptions import IgnoreRequest  # noqa: E402
from scrapy.http import HtmlResponse, Request  # noqa: E402
from scrapy.utils.reactor import install_reactor  # noqa: E402

from bench.access_check import PAGE_BYTES, article_page  # noqa: E402
from bench.report import median, write_section  # noqa: E402
from crawler.gates import REQUEST_SEQ  # noqa: E402

TARGET_MS = 1.0
ORIGIN = "https://news.example"
OPTOUT_CHECKS = ("tdmrep", "content-usage", "content-signal", "noai")
TDMREP_JSON = b'[{"location": "/reserved/", "tdm-reservation": 1}]'
SIGNALS = {
    "tdm-reservation": "0",
    "tdm-policy": f"{ORIGIN}/tdm-policy.json",
    "Content-Usage": "train-ai=y, search=y",
    "Content-Signal": "ai-train=yes, search=yes",
    "X-Robots-Tag": "noindex, otherbot: noai",
}
NOAI = b'<meta name="robots" content="noai">'


def cases() -> list[tuple[str, bytes, dict[str, str], bool]]:
    """(name, body, headers, allowed): an open article, one with every signal saying yes,
    and one reserved by a robots meta tag."""
    free = article_page(True)
    reserved = free.replace(b"<title>", NOAI + b"<title>", 1)
    return [
        ("open article, no opt-out signal", free, {}, True),
        ("article, every opt-out signal present (all permit)", free, SIGNALS, True),
        ('article reserved by `<meta name="robots" content="noai">`', reserved, {}, False),
    ]


def build_gate(log_dir: str, optouts: bool) -> tuple[Any, Any]:
    """The response gate and recorder as a crawl builds them, with the log in ``log_dir``;
    without the opt-out checks unless ``optouts``."""
    from scrapy.crawler import Crawler

    from crawler.addon import project_settings
    from crawler.components import shared
    from crawler.gates import ResponseGate
    from crawler.log.recorder import DecisionRecorder
    from crawler.spiders.site import SiteSpider

    settings = project_settings()  # with the add-on's defaults: the checks to leave out
    settings.set("HEED_DECISION_LOG", os.path.join(log_dir, "decisions.jsonl"))
    settings.set("LOG_ENABLED", False)
    if not optouts:
        checks = settings.getdict("HEED_RESPONSE_CHECKS")
        keep = {path: order for path, order in checks.items() if not _is_optout(path)}
        settings.set("HEED_RESPONSE_CHECKS", keep)
    crawler = Crawler(SiteSpider, settings)
    crawler._apply_settings()
    gate = ResponseGate.from_crawler(crawler)
    # The recorder writes the run header itself, before the first record.
    return gate, shared(crawler, DecisionRecorder)


def _is_optout(path: str) -> bool:
    return path.rsplit(".", 2)[-2] in ("tdmrep", "content_usage", "content_signal", "noai")


async def seed_tdmrep(gate: Any) -> None:
    """Put the origin's tdmrep.json in the check's cache, as the request gate would have."""
    from reservations.tdmrep import fetched_file

    check = next(c for c in gate.checks if c.name == "tdmrep")
    parsed = fetched_file(
        200, None, TDMREP_JSON, f"{ORIGIN}/.well-known/tdmrep.json", truncated=False
    )

    async def load() -> tuple[tuple[Any, dict[str, Any]], float]:
        return (parsed, {"doc_status": 200}), 3600.0

    await check.files.cache.get(ORIGIN + check.files.path, load)  # the key PolicyFile reads


async def time_gate(gate: Any, body: bytes, headers: dict[str, str], allowed: bool) -> float:
    """Milliseconds for ``gate`` to judge one page and write its decision."""
    url = f"{ORIGIN}/story"
    response = HtmlResponse(url, body=body, headers={"Content-Type": "text/html", **headers})
    started = time.perf_counter()
    try:
        # Sent, as every page reaching the gate was: its request decision is on record.
        await gate.process_response(Request(url, meta={REQUEST_SEQ: 1}), response)
        passed = True
    except IgnoreRequest:
        passed = False
    elapsed = time.perf_counter() - started
    assert passed is allowed
    return elapsed * 1000


async def time_optouts(gate: Any, body: bytes, headers: dict[str, str], allowed: bool) -> float:
    """Milliseconds for the opt-out checks alone on one page, the head parse included."""
    from crawler.page import Page

    url = f"{ORIGIN}/story"
    response = HtmlResponse(
        url, body=body, headers={"Content-Type": "text/html", **headers}, request=Request(url)
    )  # tied to its request, as the gate ties it: checks note facts in its meta
    checks = [c for c in gate.checks if c.name in OPTOUT_CHECKS]
    page = Page(response)
    started = time.perf_counter()
    verdicts = [await c.check_response(response, page) for c in checks]
    elapsed = time.perf_counter() - started
    assert all(v.allowed for v in verdicts) is allowed, verdicts
    return elapsed * 1000


async def run(gates: tuple[Any, Any], runs: int) -> list[tuple[str, int, float, float, float]]:
    """Per case: the whole gate, the gate without the opt-out checks (both in the same rounds,
    cases interleaved, so a busy machine weighs on all alike), and the opt-out checks alone."""
    full, bare = gates
    await seed_tdmrep(full)
    table = cases()
    rows = []
    for name, body, headers, allowed in table:
        gated, without, alone = [], [], []
        for round_ in range(runs + 5):  # the first 5 rounds warm up
            timings = (
                await time_gate(full, body, headers, allowed),
                await time_gate(bare, body, headers, True),
            )
            if round_ >= 5:
                gated.append(timings[0])
                without.append(timings[1])
        for round_ in range(runs + 5):
            timing = await time_optouts(full, body, headers, allowed)
            if round_ >= 5:
                alone.append(timing)
        rows.append((name, len(body), median(gated), median(without), median(alone)))
    return rows


def report(rows: list[tuple[str, int, float, float, float]], runs: int, names: list[str]) -> str:
    lines = [
        "## Response gate per page",
        "",
        f"The response gate as Heed's settings build it ({', '.join(names)}), judging a "
        f"~{PAGE_BYTES // 1000} KB article page and writing its decision to a real log, beside "
        "the same gate without the four opt-out checks; and the opt-out checks alone, on a "
        f"fresh page each time so that the parse of the head counts. Medians of {runs} pages "
        f"per case; target <= {TARGET_MS:g} ms for the whole gate.",
        "",
        "| page | bytes | whole gate, ms | gate without opt-outs, ms | opt-out checks alone, ms |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    lines += [f"| {n} | {b:,} | {g:.2f} | {w:.2f} | {o:.3f} |" for n, b, g, w, o in rows]
    worst_gate = max(g for _, _, g, _, _ in rows)
    worst = max(o for *_, o in rows)
    verdict = "within" if worst_gate <= TARGET_MS else "over"
    lines += [
        "",
        f"The whole gate costs at most {worst_gate:.2f} ms a page: {verdict} the target; the "
        f"opt-out checks at most {worst:.3f} ms. They read headers and the meta elements of the "
        "head, which is parsed alone (a page with a `<meta>` after its head is parsed whole). "
        "The paywall check reads JSON-LD from the page's JSON-LD scripts alone and parses the "
        "whole page only when it may hold microdata or AMP paywall markup (or when "
        "`HEED_PAYWALL_PARTIAL=keep_free` must cut it); the rest is the log write.",
        "",
        "Reproduce: `.venv/bin/python bench/response_gate.py`.",
    ]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--quick", action="store_true", help="20 runs, print only")
    args = parser.parse_args()
    runs = 20 if args.quick else args.runs
    install_reactor("twisted.internet.asyncioreactor.AsyncioSelectorReactor")
    with tempfile.TemporaryDirectory() as full_dir, tempfile.TemporaryDirectory() as bare_dir:
        full, full_log = build_gate(full_dir, optouts=True)
        bare, bare_log = build_gate(bare_dir, optouts=False)
        rows = asyncio.get_event_loop().run_until_complete(run((full, bare), runs))
        full_log.log.close()
        bare_log.log.close()
    text = report(rows, runs, [c.name for c in full.checks])
    print(text)
    if not args.quick:
        print(f"\nWritten to {write_section('response_gate', text)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
