"""Compression-bomb benchmark: peak memory of a crawl that meets ten bombs, Heed against stock
Scrapy in the same run.

Five origins on 127.0.0.1 (raw-socket servers, ``bench/hostile_server.py``). Each serves a
robots.txt that is a brotli bomb (about 3 KB expanding past 1 GiB) and one page bomb, a
different coding per origin (gzip, deflate, br, zstd, and ``gzip, gzip``: each about 1 MB or
less expanding past 1 GiB), plus one ordinary page. Each round crawls the ten bombs once with
stock Scrapy (the ``site`` spider's code run with ``scrapy runspider``, Scrapy's defaults and
``ROBOTSTXT_OBEY=True``) and once with Heed (``scrapy crawl site``), alternating, each crawl a
subprocess of its own whose peak resident set size is read from ``wait4``. Heed must record
every page bomb as ``page.too_large`` and every robots.txt as cut (``doc_truncated``).

    .venv/bin/python bench/bombs.py --rounds 3        # writes docs/benchmarks.md
    .venv/bin/python bench/bombs.py --quick           # 64 MiB bombs, one round, writes nothing
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO)]

from bench.hostile_server import HostileServer, Reply, bomb  # noqa: E402
from bench.report import median, write_section  # noqa: E402

CODINGS = ("gzip", "deflate", "br", "zstd", "gzip, gzip")
ROBOTS_HEAD = b"User-agent: *\nDisallow: /private/\n"
HTML = "text/html; charset=utf-8"
SHARED = {"USER_AGENT": "Mozilla/5.0 (compatible; HeedBot/0.1)", "LOG_LEVEL": "INFO"}
TARGET_MB = 400
_STOCK_SPIDER = """from crawler.spiders.site import SiteSpider


class StockSiteSpider(SiteSpider):
    name = "stock"
"""


def serve(stack: ExitStack, size: int) -> list[str]:
    """Start the five origins; return the seed URLs (each origin's bomb and ordinary page)."""
    robots = bomb("br", size, head=ROBOTS_HEAD, line=b"# padding\n")
    seeds = []
    for coding in CODINGS:
        server = stack.enter_context(HostileServer())
        server.routes["/robots.txt"] = Reply(
            robots, headers={"Content-Type": "text/plain", "Content-Encoding": "br"}
        )
        server.routes["/bomb"] = Reply(
            bomb(coding, size), headers={"Content-Type": HTML, "Content-Encoding": coding}
        )
        server.routes["/page"] = Reply(
            b"<html><body>fine</body></html>", headers={"Content-Type": HTML}
        )
        seeds += [server.url("/bomb"), server.url("/page")]
    return seeds


def crawl(kind: str, seeds: list[str], workdir: Path) -> tuple[float, float, Path]:
    """One crawl in a subprocess: (peak RSS in MB, seconds, decision log path)."""
    workdir.mkdir(parents=True)
    log = workdir / "decisions.jsonl"
    settings: dict[str, object] = dict(SHARED)
    if kind == "stock":
        (workdir / "stock_spider.py").write_text(_STOCK_SPIDER)
        command = ["runspider", "stock_spider.py"]
        settings["ROBOTSTXT_OBEY"] = True
    else:
        command = ["crawl", "site"]
        settings.update(HEED_PRODUCT_TOKEN="HeedBot", HEED_DECISION_LOG=str(log))
    args = [sys.executable, "-m", "scrapy", *command, "-a", "urls=" + ",".join(seeds)]
    for name, value in settings.items():
        args += ["-s", f"{name}={value}"]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    if kind == "heed":
        env["SCRAPY_SETTINGS_MODULE"] = "crawler.settings"
    else:
        env.pop("SCRAPY_SETTINGS_MODULE", None)
    start = time.perf_counter()
    with open(workdir / "stderr.txt", "wb") as err:
        proc = subprocess.Popen(args, cwd=workdir, env=env, stdout=err, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{kind} crawl failed: see {workdir / 'stderr.txt'}")
    return usage.ru_maxrss / 1024, seconds, log  # Linux: KiB


def check_heed_log(log: Path) -> None:
    """Heed recorded every page bomb as too large and read every robots.txt cut."""
    records = [json.loads(line) for line in log.read_text().splitlines()]
    too_large = [r for r in records if r.get("reason") == "page.too_large"]
    truncated = {
        r["evidence"]["robots"]["doc_url"]
        for r in records
        if r["stage"] == "request" and r.get("evidence", {}).get("robots", {}).get("doc_truncated")
    }
    if len(too_large) != len(CODINGS) or len(truncated) != len(CODINGS):
        raise SystemExit(f"Heed's log is not as expected: {log}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="small bombs, one round, no report")
    args = parser.parse_args()
    size = (64 << 20) if args.quick else (1 << 30) + (1 << 20)  # past Scrapy's 1 GiB maximum
    rounds = 1 if args.quick else args.rounds
    peaks: dict[str, list[float]] = {"stock": [], "heed": []}
    seconds: dict[str, list[float]] = {"stock": [], "heed": []}
    with ExitStack() as stack, tempfile.TemporaryDirectory() as tmp:
        print("building the bombs...", flush=True)
        seeds = serve(stack, size)
        for round_no in range(rounds):
            for kind in ("stock", "heed"):
                peak, took, log = crawl(kind, seeds, Path(tmp) / f"{kind}{round_no}")
                if kind == "heed":
                    check_heed_log(log)
                peaks[kind].append(peak)
                seconds[kind].append(took)
                print(f"round {round_no + 1}/{rounds} {kind}: {peak:.0f} MB, {took:.1f} s")
    stock, heed = median(peaks["stock"]), median(peaks["heed"])
    section = f"""## Compression bombs: peak memory

A crawl of five origins that meets ten compression bombs: five robots.txt files that are
brotli bombs (about 3 KB each) and five pages coded gzip, deflate, br, zstd and `gzip, gzip`
(1 MB or less each), every one expanding to {size / (1 << 20):,.0f} MiB. Peak resident set size
of the crawling process (`wait4`), median of {rounds} rounds, stock Scrapy and Heed alternating
in the same run. Heed decodes as a stream and stops at its limit (512,000 bytes for robots.txt,
`HEED_PAGE_MAX_BYTES` = 32 MiB for pages), records each page bomb as `page.too_large` and each
robots.txt as cut (`doc_truncated`); stock Scrapy decodes up to `DOWNLOAD_MAXSIZE` (1 GiB)
before it gives up, and a robots.txt bomb's failure reads as "allow everything".

| crawler | peak RSS (median) | crawl time (median) |
|---|---:|---:|
| stock Scrapy | {stock:,.0f} MB | {median(seconds["stock"]):.1f} s |
| Heed | {heed:,.0f} MB | {median(seconds["heed"]):.1f} s |

**Heed / stock: {heed / stock:.2f}** of the peak memory; target Heed < {TARGET_MB} MB:
{"met" if heed < TARGET_MB else "NOT met"}.

Reproduce: `.venv/bin/python bench/bombs.py --rounds {rounds}`.
"""
    print("\n" + section)
    if not args.quick:
        print(f"written to {write_section('bombs', section)}")


if __name__ == "__main__":
    main()
