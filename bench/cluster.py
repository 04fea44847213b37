"""Cluster benchmark: pages/s of one process, and of 1, 2 and 3 cluster workers on one machine.

Every variant crawls the same local multi-origin site (``bench/site_server.py``) with Heed's
full stack and must take exactly the pages robots.txt allows. Cluster workers share a private
``redis-server`` on a loopback port; "stock scrapy-redis" is Heed with scrapy-redis 0.9.1's
own scheduler and dupefilter, the baseline the cluster scheduler is measured against. The rate
is pages over the crawl's span: first to last decision over all workers' logs, so that neither
process start-up nor the idle wait before a worker exits is counted.

    .venv/bin/python bench/cluster.py --rounds 3     # writes docs/benchmarks.md
    .venv/bin/python bench/cluster.py --quick        # a small smoke run, writes nothing
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path[:0] = [str(REPO), str(BENCH)]

import redis  # noqa: E402

from bench.crawl import SHARED, SiteServer, wait_for_quiet  # noqa: E402
from bench.report import median, write_section  # noqa: E402
from bench.site_server import Site  # noqa: E402
from tests.crawler.cluster.redis_server import find_redis_server, start_redis_server  # noqa: E402

STOCK_REDIS = {
    "SCHEDULER": "scrapy_redis.scheduler.Scheduler",
    "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
}
# Variant: (workers, settings beyond SHARED; "{redis}" stands for the server's URL).
VARIANTS: dict[str, tuple[int, dict[str, object]]] = {
    "one process (no Redis)": (1, {}),
    "stock scrapy-redis 0.9.1, 1 worker": (1, {**STOCK_REDIS, "REDIS_URL": "{redis}"}),
    "cluster, 1 worker": (1, {"HEED_REDIS_URL": "{redis}"}),
    "cluster, 2 workers": (2, {"HEED_REDIS_URL": "{redis}"}),
    "cluster, 3 workers": (3, {"HEED_REDIS_URL": "{redis}"}),
}


@dataclass(frozen=True)
class Run:
    variant: str
    pages: int
    seconds: float
    per_worker: tuple[int, ...]
    load: float  # the machine's 1-minute load average when the crawl ended

    @property
    def pages_per_second(self) -> float:
        return self.pages / self.seconds


def _timestamp(text: str) -> float:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").timestamp()


def _span(logs: list[Path]) -> tuple[float, float]:
    """First and last decision time over ``logs`` (run headers left out)."""
    times = []
    for log in logs:
        lines = log.read_text(encoding="utf-8").splitlines()[1:]
        times += [_timestamp(json.loads(lines[0])["ts"]), _timestamp(json.loads(lines[-1])["ts"])]
    return min(times), max(times)


def crawl(variant: str, server: SiteServer, redis_url: str) -> Run:
    """Crawl the site once with the variant's workers, all started at once."""
    workers, extra = VARIANTS[variant]
    settings = {**SHARED, "HEED_IDLE_CLOSE_S": 0.5, **extra}
    seeds = ",".join(f"http://127.0.0.1:{port}/" for port in server.ports)
    env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "crawler.settings"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    redis.Redis.from_url(redis_url).flushall()
    with tempfile.TemporaryDirectory(prefix="heed-bench-cluster-") as tmp:
        procs, logs, feeds = [], [], []
        for n in range(workers):
            logs.append(Path(tmp) / f"decisions{n}.jsonl")
            feeds.append(Path(tmp) / f"items{n}.jsonl")
            args = [sys.executable, "-m", "scrapy", "crawl", "site", "-a", f"urls={seeds}"]
            args += ["-O", str(feeds[-1]), "-s", f"HEED_DECISION_LOG={logs[-1]}"]
            for name, value in settings.items():
                args += ["-s", f"{name}={str(value).replace('{redis}', redis_url)}"]
            procs.append(
                subprocess.Popen(args, cwd=tmp, env=env, stderr=subprocess.PIPE, text=True)
            )
        errors = [proc.communicate()[1] for proc in procs]
        per_worker = tuple(len(feed.read_text().splitlines()) for feed in feeds)
        if any(proc.returncode for proc in procs) or sum(per_worker) != server.allowed:
            sys.exit(f"{variant}: {per_worker} pages, not {server.allowed}\n{errors[0][-3000:]}")
        first, last = _span(logs)
    return Run(variant, sum(per_worker), last - first, per_worker, os.getloadavg()[0])


def markdown(site: Site, rounds: int, runs: list[Run]) -> str:
    rates = {
        name: median([r.pages_per_second for r in runs if r.variant == name]) for name in VARIANTS
    }
    single = rates["one process (no Redis)"]
    lines = [
        "## Cluster: one process against 1, 2 and 3 cluster workers on one machine",
        "",
        f"The crawl benchmark's site ({site.origins} origins × {site.pages} pages, "
        f"{runs[0].pages} allowed), Heed's full stack, a private redis-server on 127.0.0.1; "
        f"{rounds} rounds, medians. Rate = pages over the span from the first to the last "
        "decision of all workers' logs (start-up and the idle wait before exit left out).",
        "",
        "| Variant | pages/s | × one process |",
        "|---|---:|---:|",
    ]
    for name, rate in rates.items():
        lines.append(f"| {name} | {rate:.1f} | {rate / single:.2f} |")
    ratio = rates["cluster, 1 worker"] / single
    lines += [
        "",
        f"**One cluster worker / one process: {ratio:.2f}** (target ≥ 0.8). All workers share "
        f"this machine's {os.cpu_count()} cores with the site server and Redis, so more "
        "workers here show the cost of sharing a frontier, not the gain of more machines. "
        f"Load average while measuring: {median([r.load for r in runs]):.1f} (median); on a "
        "busy machine single runs vary by a third or more, so compare medians of the same run.",
        "",
        "Per run (pages/s; pages per worker):",
        "",
    ]
    for name in VARIANTS:
        mine = [r for r in runs if r.variant == name]
        lines.append(
            f"- {name}: "
            + ", ".join(
                f"{r.pages_per_second:.1f} ({'+'.join(map(str, r.per_worker))})" for r in mine
            )
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--pages", type=int, default=3000, help="pages on the site in all")
    parser.add_argument("--origins", type=int, default=12)
    parser.add_argument("--quick", action="store_true", help="one small round, nothing written")
    parser.add_argument(
        "--no-wait",
        action="store_true",
        help="do not wait for a quiet machine (variants alternate, so they share its load)",
    )
    args = parser.parse_args()
    if args.quick:
        args.rounds, args.pages, args.origins = 1, 120, 4
    binary = find_redis_server()
    if binary is None:
        sys.exit("redis-server not found: apt-get install redis-server")
    site = Site(args.origins, max(1, args.pages // args.origins))
    with tempfile.TemporaryDirectory(prefix="heed-bench-redis-") as tmp:
        redis_proc, port = start_redis_server(binary, Path(tmp))
        server = SiteServer(site)
        runs = []
        try:
            for round_no in range(1, args.rounds + 1):
                for name in VARIANTS:
                    if not (args.quick or args.no_wait):
                        wait_for_quiet()
                    run = crawl(name, server, f"redis://127.0.0.1:{port}/0")
                    runs.append(run)
                    print(
                        f"round {round_no}/{args.rounds} {name}: {run.pages_per_second:.1f} "
                        f"pages/s ({run.per_worker} pages, {run.seconds:.1f} s)",
                        flush=True,
                    )
        finally:
            server.stop()
            redis_proc.terminate()
            redis_proc.wait()
    section = markdown(site, args.rounds, runs)
    print("\n" + section)
    if not args.quick:
        print(f"\nwritten to {write_section('cluster', section)}")


if __name__ == "__main__":
    main()
