"""Broad polite crawl: many origins, a few pages each, a politeness delay; Heed against stock.

Each origin is its own loopback address (so each gets its own download slot, as distinct sites
do), serving two pages; both crawlers fetch exactly those pages (``follow=no``) with
``DOWNLOAD_DELAY`` and one request per origin at a time. Stock Scrapy obeys robots.txt
(``ROBOTSTXT_OBEY=True``); Heed fetches robots.txt, tdmrep.json and ai.txt as well, and
records every decision. Crawls alternate, each in a subprocess of its own; medians are kept.

    .venv/bin/python bench/polite_crawl.py                      # writes docs/benchmarks.md
    .venv/bin/python bench/polite_crawl.py --rounds 1 --origins 10   # a smoke run, writes nothing
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path[:0] = [str(BENCH.parent), str(BENCH)]

import subprocess  # noqa: E402

from bench.crawl import _STAT, SHARED, STOCK, SiteServer, _command, machine_busy  # noqa: E402
from bench.report import median, write_section  # noqa: E402
from bench.site_server import Site, page_path  # noqa: E402

PAGES_PER_ORIGIN = 2


def variants(delay: float) -> dict[str, tuple[str, dict[str, object]]]:
    polite = {"DOWNLOAD_DELAY": delay, "CONCURRENT_REQUESTS_PER_DOMAIN": 1}
    return {"stock": ("stock", {**STOCK, **polite}), "heed": ("heed", {**SHARED, **polite})}


def crawl(kind: str, settings: dict[str, object], seeds: list[str]) -> tuple[float, float, int]:
    """One crawl of ``seeds``: (engine seconds, process wall seconds, pages taken)."""
    env = {k: v for k, v in os.environ.items() if k != "SCRAPY_SETTINGS_MODULE"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(BENCH.parent), env.get("PYTHONPATH")]))
    if kind == "heed":
        env["SCRAPY_SETTINGS_MODULE"] = "crawler.settings"
    with tempfile.TemporaryDirectory(prefix="heed-polite-") as tmp:
        args = [*_command(kind, settings, ",".join(seeds), Path(tmp)), "-a", "follow=no"]
        started = time.perf_counter()
        proc = subprocess.run(args, cwd=tmp, env=env, capture_output=True, text=True, check=False)
        wall = time.perf_counter() - started
    stats = {name: float(value) for name, value in _STAT.findall(proc.stderr)}
    pages = int(stats.get("item_scraped_count", 0))
    if proc.returncode or pages != len(seeds):
        sys.exit(f"{kind}: exit {proc.returncode}, {pages} pages\n{proc.stderr[-3000:]}")
    return stats["elapsed_time_seconds"], wall, pages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--origins", type=int, default=60)
    parser.add_argument("--delay", type=float, default=1.0, help="DOWNLOAD_DELAY, seconds")
    args = parser.parse_args()
    server = SiteServer(Site(args.origins, PAGES_PER_ORIGIN), hosts=True)
    seeds = [o + page_path(i) for o in server.origins for i in range(PAGES_PER_ORIGIN)]
    runs: dict[str, list[tuple[float, float]]] = {}
    loads: list[float] = []
    try:
        for round_no in range(args.rounds):
            for name, (kind, settings) in variants(args.delay).items():
                busy, started = machine_busy(), time.perf_counter()
                seconds, wall, pages = crawl(kind, settings, seeds)
                loads.append((machine_busy() - busy) / (time.perf_counter() - started))
                runs.setdefault(name, []).append((seconds, wall))
                print(
                    f"round {round_no + 1}/{args.rounds} {name}: {seconds:.2f} s crawling, "
                    f"{wall:.2f} s in all, {pages} pages",
                    flush=True,
                )
    finally:
        server.stop()
    crawl_s = {name: median([r[0] for r in rs]) for name, rs in runs.items()}
    wall_s = {name: median([r[1] for r in rs]) for name, rs in runs.items()}
    rows = [
        f"| {name} | {crawl_s[name]:.2f} s | {wall_s[name]:.2f} s |" for name in ("stock", "heed")
    ]
    ratio = crawl_s["heed"] / crawl_s["stock"]
    wall_ratio = wall_s["heed"] / wall_s["stock"]
    text = "\n".join(
        [
            "## Broad polite crawl (policy documents and the politeness delay)",
            "",
            f"{args.origins} origins (one loopback address each) x {PAGES_PER_ORIGIN} pages, "
            f"`DOWNLOAD_DELAY={args.delay:g}`, `CONCURRENT_REQUESTS_PER_DOMAIN=1`, "
            f"`CONCURRENT_REQUESTS={SHARED['CONCURRENT_REQUESTS']}`; stock Scrapy with "
            "`ROBOTSTXT_OBEY=True`, Heed with its defaults (robots.txt, tdmrep.json, ai.txt, "
            f"decision log). Medians of {args.rounds} alternating rounds; the whole machine was "
            f"{100 * median(loads):.0f} % of a core busy meanwhile (crawls included).",
            "",
            "| crawler | crawl time (engine) | process wall time |",
            "|---|---|---|",
            *rows,
            "",
            f"**Heed / stock: {ratio:.2f}x crawl time, {wall_ratio:.2f}x wall time.** Each policy "
            "document has a download slot of its own (docs/robots.md), so robots.txt, then "
            "tdmrep.json and ai.txt side by side, cost no politeness delay; the two pages of an "
            "origin stay `DOWNLOAD_DELAY` apart.",
            "",
            f"Reproduce: `.venv/bin/python bench/polite_crawl.py --rounds {args.rounds} "
            f"--origins {args.origins}`",
        ]
    )
    print("\n" + text)
    if args.rounds >= 3 and args.origins >= 60:
        print(write_section("polite-crawl", text))


if __name__ == "__main__":
    main()
