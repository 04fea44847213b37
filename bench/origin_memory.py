"""A million origins through the per-origin caches: RSS per origin, live and after expiry.

Each simulated origin gets what a crawl keeps of it: its robots.txt state (parsed file and
fetch evidence), its tdmrep.json and its ai.txt, fed to ``OriginCache`` directly (the loads
that a crawl makes through the engine are replaced by parsing local bytes). A clock advances
one tick per origin and each entry lives ``--window`` ticks, so at most ``--window`` origins
are live at a time, as in a broad crawl whose TTL covers the last few thousand origins.

    .venv/bin/python bench/origin_memory.py                    # writes docs/benchmarks.md
    .venv/bin/python bench/origin_memory.py --origins 100000   # a quick run, writes nothing
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path[:0] = [str(BENCH.parent)]

from bench.report import write_section  # noqa: E402
from crawler.origin.cache import OriginCache  # noqa: E402
from crawler.origin.documents import FetchedDocument  # noqa: E402
from reservations.aitxt import fetched_aitxt  # noqa: E402
from reservations.robots_policy import robots_state  # noqa: E402
from reservations.tdmrep import fetched_file  # noqa: E402

ROBOTS = b"""User-agent: *
Disallow: /admin/
Disallow: /search
Allow: /search/about
Crawl-delay: 1
Content-Usage: train-ai=n
Sitemap: https://%s/sitemap.xml
"""
TDMREP = b'[{"location": "/private/*", "tdm-reservation": 1}]'
AITXT = b"User-Agent: *\nDisallow: *.jpg\n"


def rss_bytes() -> int:
    """This process's resident set size, from /proc (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _doc(url: str, body: bytes) -> FetchedDocument:
    return FetchedDocument(url, url, 200, body, "2026-01-01T00:00:00.000000Z")


def _loads(host: str, window: float) -> list[Callable[[], Awaitable[tuple[Any, float]]]]:
    origin = f"https://{host}"

    async def robots() -> tuple[Any, float]:
        doc = _doc(origin + "/robots.txt", ROBOTS % host.encode())
        return robots_state(doc.status, None, doc.body, doc.evidence()), window

    async def tdmrep() -> tuple[Any, float]:
        doc = _doc(origin + "/.well-known/tdmrep.json", TDMREP)
        file = fetched_file(200, None, doc.body, doc.final_url, truncated=False)
        return (file, doc.evidence()), window

    async def aitxt() -> tuple[Any, float]:
        doc = _doc(origin + "/ai.txt", AITXT)
        return (fetched_aitxt(200, None, doc.body, doc.evidence()), doc.evidence()), window

    return [robots, tdmrep, aitxt]


async def feed(
    caches: list[OriginCache[Any]], clock: Clock, first: int, count: int, window: float
) -> None:
    for i in range(first, first + count):
        clock.now = float(i)
        host = f"o{i}.example"
        for cache, load in zip(caches, _loads(host, window), strict=True):
            await cache.get(f"https://{host}", load)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--origins", type=int, default=1_000_000)
    parser.add_argument("--window", type=int, default=10_000, help="origins live at a time")
    args = parser.parse_args()
    clock = Clock()
    caches: list[OriginCache[Any]] = [OriginCache(clock) for _ in range(3)]
    # Warm up allocators and parser caches on a first window, then measure from there.
    asyncio.run(feed(caches, clock, 0, args.window, args.window))
    gc.collect()
    base = rss_bytes()
    started = time.perf_counter()
    asyncio.run(feed(caches, clock, args.window, args.origins, args.window))
    seconds = time.perf_counter() - started
    gc.collect()
    after = rss_bytes()
    live = max(len(c) for c in caches)
    # Cost of a live origin: fill a second window without expiry on fresh caches.
    fresh_clock = Clock()
    fresh: list[OriginCache[Any]] = [OriginCache(fresh_clock) for _ in range(3)]
    gc.collect()
    before_live = rss_bytes()
    asyncio.run(feed(fresh, fresh_clock, 0, args.window, float("inf")))
    gc.collect()
    live_cost = (rss_bytes() - before_live) / args.window
    per_origin = max(0, after - base) / args.origins
    table = "\n".join(
        [
            "| measure | value |",
            "|---|---|",
            f"| origins fed (robots.txt + tdmrep.json + ai.txt each) | {args.origins:,} |",
            f"| origins live at a time (TTL window) | {args.window:,} |",
            f"| entries held at the end, per kind | {live:,} |",
            f"| RSS growth over the run, per origin | {per_origin:,.1f} B |",
            f"| RSS of a live origin (three parsed documents + evidence) | {live_cost:,.0f} B |",
            f"| time per origin (three parses + cache) | {seconds / args.origins * 1e6:,.1f} µs |",
        ]
    )
    print(table)
    if args.origins >= 1_000_000:
        text = (
            "## A million origins (per-origin state)\n\n"
            "`bench/origin_memory.py` feeds the origin caches directly (no network): each\n"
            "origin's robots.txt, tdmrep.json and ai.txt, parsed, with their fetch evidence. A\n"
            "clock moves one tick per origin; entries live for the window, then expire and are\n"
            "released. RSS is read from /proc after a warm-up window; the growth over the run is\n"
            "what a crawl keeps per origin it has finished with.\n\n" + table + "\n"
        )
        print(write_section("origin-memory", text))


if __name__ == "__main__":
    main()
