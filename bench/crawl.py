"""Crawl benchmark: Heed's full stack against stock Scrapy on the same local multi-origin site.

Each round crawls the site once with stock Scrapy (the same ``site`` spider code run with
``scrapy runspider``, Scrapy's own defaults plus ``ROBOTSTXT_OBEY=True``, Heed's identity and
Heed's concurrency settings) and once with Heed (``scrapy crawl site`` with the project's
settings: gates, RFC 9309 robots, decision log with its default fsync policy), alternating,
each crawl in a subprocess of its own. Both must take exactly the pages robots.txt allows.
Then it times ``DecisionLog.write`` on its own.

    .venv/bin/python bench/crawl.py --rounds 5           # writes docs/benchmarks.md
    .venv/bin/python bench/crawl.py --quick              # a small smoke run, writes nothing
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path[:0] = [str(REPO), str(BENCH)]

from bench.crawl_report import markdown  # noqa: E402
from bench.report import median, write_section  # noqa: E402
from bench.site_server import PARAGRAPHS, Site  # noqa: E402
from crawler import defaults as heed_settings  # noqa: E402
from crawler.log.chain import DecisionLog, canonical_json  # noqa: E402

# Settings both crawls share: Heed's identity and request concurrency, and INFO logging
# (Scrapy's DEBUG default logs every item's text, which measures the terminal, not the crawler).
SHARED = {
    "USER_AGENT": "Mozilla/5.0 (compatible; HeedBot/0.1)",
    "CONCURRENT_REQUESTS": heed_settings.CONCURRENT_REQUESTS,
    "CONCURRENT_REQUESTS_PER_DOMAIN": heed_settings.CONCURRENT_REQUESTS_PER_DOMAIN,
    "LOG_LEVEL": "INFO",
}
# The ``site`` spider reads which content kinds to keep from HEED_CONTENT, and up to what size
# trafilatura extracts a page's main content from HEED_EXTRACT_MAX_BYTES: stock runs get Heed's
# defaults, so both crawlers make the same items the same way (``crawl`` checks that they did).
STOCK = {
    **SHARED,
    "ROBOTSTXT_OBEY": True,
    "HEED_CONTENT": ",".join(heed_settings.HEED_CONTENT),
    "HEED_EXTRACT_MAX_BYTES": heed_settings.HEED_EXTRACT_MAX_BYTES,
}
TUNED = f"stock with Heed's CONCURRENT_ITEMS={heed_settings.CONCURRENT_ITEMS}"
# Variant name -> (crawler, settings). The headline compares "heed" with "stock" (Scrapy's own
# defaults); TUNED gives stock Heed's one performance default, to show what the gates cost.
VARIANTS: dict[str, tuple[str, dict[str, object]]] = {
    "stock": ("stock", STOCK),
    "heed": ("heed", SHARED),
    TUNED: ("stock", {**STOCK, "CONCURRENT_ITEMS": heed_settings.CONCURRENT_ITEMS}),
}
# With --explore: the alternatives Heed's defaults were chosen against.
EXPLORE: dict[str, tuple[str, dict[str, object]]] = {
    "heed with CONCURRENT_ITEMS=100": ("heed", {**SHARED, "CONCURRENT_ITEMS": 100}),
    "heed with an fsync per record": ("heed", {**SHARED, "HEED_LOG_FSYNC_RECORDS": 1}),
    "heed with extraction on the crawl's thread": ("heed", {**SHARED, "HEED_EXTRACT_WORKERS": 0}),
    "heed with Python's own collector settings": (
        "heed",
        {**SHARED, "EXTENSIONS": {"crawler.collector.CrawlCollector": None}},
    ),
}
# Stock Scrapy runs the ``site`` spider's own code; ``runspider`` wants the class in its file.
_STOCK_SPIDER = """from crawler.spiders.site import SiteSpider


class StockSiteSpider(SiteSpider):
    name = "stock"
"""
_STAT = re.compile(r"'([\w/.]+)': ([\d.]+)[,}]")


_CLOCK_TICK = os.sysconf("SC_CLK_TCK")


def _ticks(path: str, first: int, last: int) -> float:
    """CPU seconds from the tick counters ``first..last`` of a /proc file (0 off Linux)."""
    try:
        fields = Path(path).read_text().split("\n", 1)[0].rsplit(")", 1)[-1].split()
    except OSError:
        return 0.0
    return sum(int(f) for f in fields[first : last + 1]) / _CLOCK_TICK


def machine_busy() -> float:
    """CPU seconds every process on the machine has used (user, nice, system, irq, softirq)."""
    return _ticks("/proc/stat", 1, 3) + _ticks("/proc/stat", 6, 7)


def wait_for_quiet(share: float = 0.5, patience: float = 120.0) -> None:
    """Wait (up to ``patience`` s) until other processes use under ``share`` of one core."""
    deadline = time.monotonic() + patience
    waited = False
    while time.monotonic() < deadline:
        before = machine_busy()
        time.sleep(1.0)
        if machine_busy() - before < share:
            return
        if not waited:
            print("  waiting for other processes to quieten down...", flush=True)
            waited = True
    print("  the machine stayed busy; measuring anyway", flush=True)


@dataclass(frozen=True)
class Run:
    """One crawl: pages taken, robots denials, its time and CPU seconds, and the share of a
    core the site server and everything else on the machine used meanwhile."""

    variant: str
    pages: int
    denied: int
    seconds: float
    cpu: float
    server_share: float
    other_share: float
    # A typical request-stage record of a Heed crawl's decision log (for the writer benchmark),
    # and how many records that log holds.
    sample: dict[str, Any] | None = field(default=None, repr=False)
    records: int = 0

    @property
    def pages_per_second(self) -> float:
        return self.pages / self.seconds


class SiteServer:
    """The site in a subprocess of its own, so that its CPU is not the crawler's."""

    def __init__(self, site: Site, hosts: bool = False) -> None:
        self.site = site
        self.proc = subprocess.Popen(
            [sys.executable, str(BENCH / "site_server.py"), "--origins", str(site.origins),
             "--pages", str(site.pages), "--paragraphs", str(site.paragraphs),
             *(["--hosts"] if hosts else [])],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        assert self.proc.stdout is not None
        info = json.loads(self.proc.stdout.readline())
        self.ports: list[int] = info["ports"]
        self.origins: list[str] = info["origins"]
        self.allowed = site.origins * info["allowed_per_origin"]

    def cpu(self) -> float:
        """CPU seconds the server has used so far (utime and stime of /proc/PID/stat)."""
        return _ticks(f"/proc/{self.proc.pid}/stat", 11, 12)

    def stop(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(timeout=10)


def _command(kind: str, settings: dict[str, object], seeds: str, workdir: Path) -> list[str]:
    if kind == "stock":
        (workdir / "stock_spider.py").write_text(_STOCK_SPIDER)
        spider = ["runspider", "stock_spider.py"]
    else:
        settings = {**settings, "HEED_DECISION_LOG": str(workdir / "decisions.jsonl")}
        spider = ["crawl", "site"]
    args = [sys.executable, "-m", "scrapy", *spider, "-a", f"urls={seeds}", "-O", "items.jsonl"]
    for name, value in settings.items():
        args += ["-s", f"{name}={json.dumps(value) if isinstance(value, dict) else value}"]
    return args


def _children_cpu() -> float:
    times = os.times()
    return times.children_user + times.children_system


def crawl(variant: str, server: SiteServer) -> Run:
    """Crawl the whole site once in a fresh subprocess; check it took exactly the allowed pages."""
    kind, settings = {**VARIANTS, **EXPLORE}[variant]
    seeds = ",".join(f"http://127.0.0.1:{port}/" for port in server.ports)
    env = {k: v for k, v in os.environ.items() if k != "SCRAPY_SETTINGS_MODULE"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    if kind == "heed":
        env["SCRAPY_SETTINGS_MODULE"] = "crawler.settings"
    with tempfile.TemporaryDirectory(prefix="heed-bench-") as tmp:
        before = (_children_cpu(), server.cpu(), machine_busy(), time.perf_counter())
        proc = subprocess.run(
            _command(kind, settings, seeds, Path(tmp)),
            cwd=tmp, env=env, capture_output=True, text=True, check=False,
        )  # fmt: skip
        after = (_children_cpu(), server.cpu(), machine_busy(), time.perf_counter())
        cpu, server_cpu, busy, wall = (a - b for a, b in zip(after, before, strict=True))
        sample, records = log_sample(Path(tmp) / "decisions.jsonl")
        sources = text_sources(Path(tmp) / "items.jsonl")
    stats = {name: float(value) for name, value in _STAT.findall(proc.stderr)}
    pages = int(stats.get("item_scraped_count", 0))
    if proc.returncode or pages != server.allowed:
        sys.exit(
            f"{variant}: exit {proc.returncode}, {pages} pages instead of {server.allowed}\n"
            + proc.stderr[-3000:]
        )
    if sources != {"main_content": pages}:
        sys.exit(f"{variant}: items' text not all from main-content extraction: {sources}")
    denied = stats.get("heed/deny/robots.disallow", stats.get("robotstxt/forbidden", 0))
    seconds = stats["elapsed_time_seconds"]
    other = max(0.0, busy - cpu - server_cpu) / wall
    share = server_cpu / wall
    return Run(variant, pages, int(denied), seconds, cpu, share, other, sample, records)


def text_sources(items: Path) -> dict[str, int]:
    """How many items of the feed ``items`` got their text each way (``text_source``)."""
    counts: dict[str, int] = {}
    with items.open(encoding="utf-8") as lines:
        for line in lines:
            source = json.loads(line).get("text_source", "none")
            counts[source] = counts.get(source, 0) + 1
    return counts


def log_sample(log: Path) -> tuple[dict[str, Any] | None, int]:
    """The request-stage record of median length in ``log`` (without its chain fields), and
    how many records ``log`` holds."""
    if not log.exists():
        return None, 0
    lines = log.read_text(encoding="utf-8").splitlines()
    requests = sorted((line for line in lines if '"stage":"request"' in line), key=len)
    record: dict[str, Any] = json.loads(requests[len(requests) // 2])
    return {k: v for k, v in record.items() if k not in ("ts", "seq", "prev", "hash")}, len(lines)


def log_records_per_second(records: int, sample: dict[str, Any]) -> float:
    """Write ``sample`` ``records`` times through the chain, with the default fsync policy."""
    with tempfile.TemporaryDirectory(prefix="heed-bench-log-") as tmp:
        log = DecisionLog(
            Path(tmp) / "decisions.jsonl",
            fsync_every=heed_settings.HEED_LOG_FSYNC_RECORDS,
            fsync_seconds=heed_settings.HEED_LOG_FSYNC_SECONDS,
        )
        log.write_header({"spider": "bench"})
        start = time.perf_counter()
        for _ in range(records):
            log.write(sample)
        log.close()
        return records / (time.perf_counter() - start)


def measure_log(sample: dict[str, Any], args: argparse.Namespace) -> dict[str, Any]:
    """Median records/s of ``args.log_runs`` runs writing ``sample``, and its size."""
    size = len(canonical_json(sample))
    rates = []
    for _ in range(args.log_runs):
        rates.append(log_records_per_second(args.log_records, sample))
        print(f"decision log, {size:,}-byte records: {rates[-1]:,.0f} records/s", flush=True)
    return {"rate": median(rates), "rates": rates, "bytes": size}


def server_capacity(server: SiteServer, seconds: float = 3.0, connections: int = 16) -> float:
    """Requests per CPU-second the server sustains under a keep-alive load loop."""
    import asyncio

    request = b"GET /a/0.html HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    size = len(server.site.routes()[b"/a/0.html"])

    async def client(port: int, deadline: float) -> int:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        done = 0
        while time.monotonic() < deadline:
            writer.write(request)
            await reader.readexactly(size)
            done += 1
        writer.close()
        return done

    async def load() -> int:
        deadline = time.monotonic() + seconds
        ports = [server.ports[i % len(server.ports)] for i in range(connections)]
        return sum(await asyncio.gather(*(client(p, deadline) for p in ports)))

    before = server.cpu()
    served = asyncio.run(load())
    return served / max(server.cpu() - before, 1e-3)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5, help="crawls of each variant")
    parser.add_argument("--pages", type=int, default=3000, help="pages on the site in all")
    parser.add_argument("--origins", type=int, default=12)
    parser.add_argument(
        "--paragraphs",
        type=int,
        default=PARAGRAPHS,
        help=f"paragraphs a page ({PARAGRAPHS}: about 7 KB; another number writes nothing)",
    )
    parser.add_argument("--log-records", type=int, default=200_000)
    parser.add_argument("--log-runs", type=int, default=5)
    parser.add_argument(
        "--explore", action="store_true", help="also crawl the variants that chose the defaults"
    )
    parser.add_argument(
        "--quick", action="store_true", help="one small round, no report written (a smoke test)"
    )
    parser.add_argument(
        "--no-wait",
        action="store_true",
        help="do not wait for a quiet machine before each crawl (its load is still reported)",
    )
    args = parser.parse_args()
    if args.quick:
        args.rounds, args.pages, args.origins = 1, 60, 2
        args.log_records, args.log_runs = 2000, 1
    names = list(VARIANTS) + (list(EXPLORE) if args.explore else [])
    site = Site(args.origins, max(1, args.pages // args.origins), args.paragraphs)
    server = SiteServer(site)
    try:
        capacity = server_capacity(server, seconds=0.5 if args.quick else 3.0)
        print(
            f"site: {len(server.ports)} origins, {server.allowed} allowed pages; "
            f"server: {capacity:,.0f} requests per CPU-second",
            flush=True,
        )
        runs = [
            run for round_no in range(args.rounds) for run in _round(round_no, names, server, args)
        ]
    finally:
        server.stop()
    sample = next(r.sample for r in runs if r.sample)
    robots_only = {**sample, "evidence": {"robots": sample["evidence"].get("robots", {})}}
    log = {
        "every check's evidence": measure_log(sample, args),
        "the robots check's evidence only": measure_log(robots_only, args),
    }
    niceness = os.nice(0)
    command = " ".join(
        [*([f"nice -n {niceness}"] if niceness else []), ".venv/bin/python bench/crawl.py"]
        + sys.argv[1:]
    )
    figures = {
        "rounds": args.rounds,
        "log": log,
        "log_records": args.log_records,
        "records_per_page": next(r.records for r in runs if r.records) / server.allowed,
        "capacity": capacity,
        "given": STOCK,
        "command": command,
    }
    section = markdown(runs, site, TUNED, figures)
    print("\n" + section)
    # The documented section is the ~7 KB pages' (other page sizes print their report only).
    if not args.quick and args.paragraphs == PARAGRAPHS:
        print(f"\nwritten to {write_section('crawl', section)}")


def _round(index: int, names: list[str], server: SiteServer, args: argparse.Namespace) -> list[Run]:
    runs = []
    for name in names:
        if not (args.quick or args.no_wait):
            wait_for_quiet()
        run = crawl(name, server)
        runs.append(run)
        print(
            f"round {index + 1}/{args.rounds} {name}: {run.pages_per_second:.1f} pages/s "
            f"({run.pages} pages, {run.denied} denied, {run.seconds:.1f} s, "
            f"{1000 * run.cpu / run.pages:.2f} CPU ms/page, "
            f"other load {100 * run.other_share:.0f} % of a core)",
            flush=True,
        )
    return runs


if __name__ == "__main__":
    main()
