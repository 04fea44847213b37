"""What deciding at send time costs: pages/s against the same stack deciding only on entry.

Heed decides each request as it enters the downloader and again as it leaves the politeness
queue (the checks that read only unchanged policy documents are not asked twice) and resolves
each host while IP addresses are listed. This benchmark crawls the crawl benchmark's local
multi-origin site with this checkout and with a checkout of the code before send-time
decisions (``--before``: a git worktree with its own virtualenv, e.g. ``git worktree add
../send-before 3f46a4f`` and ``pip install -e ../send-before``), one crawl after the other in
the same run, and once more with an IP address listed (an address the crawl never meets, so
every request is resolved and checked, and nothing is denied).

    .venv/bin/python bench/send_time.py --before ../send-before --rounds 5
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path[:0] = [str(REPO), str(BENCH)]

from bench.crawl import _STAT, SHARED, SiteServer, wait_for_quiet  # noqa: E402
from bench.report import median, write_section  # noqa: E402
from bench.site_server import Site  # noqa: E402

# 192.0.2.1 is TEST-NET-1 (RFC 5737): listed, never met.
_IP_LIST = """id: bench
entries:
  - domain: 192.0.2.1
    match: exact
    reason: benchmark entry
    source: none
    added: 2026-01-01
"""


def crawl(repo: Path, python: Path, server: SiteServer, settings: Mapping[str, object]) -> float:
    """Pages/s of one ``scrapy crawl site`` of the whole site with the checkout at ``repo``."""
    seeds = ",".join(f"http://127.0.0.1:{port}/" for port in server.ports)
    env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "crawler.settings", "PYTHONPATH": str(repo)}
    with tempfile.TemporaryDirectory(prefix="heed-bench-send-") as tmp:
        lists = Path(tmp) / "lists.yaml"
        lists.write_text(_IP_LIST, encoding="utf-8")
        merged = {
            **SHARED,
            # Whole-text items in both checkouts: the decisions are measured, not the text
            # extraction (main-content extraction came after the code ``--before`` names).
            "HEED_EXTRACT_MAX_BYTES": 0,
            "HEED_DECISION_LOG": str(Path(tmp) / "decisions.jsonl"),
            **settings,
        }
        args = [str(python), "-m", "scrapy", "crawl", "site", "-a", f"urls={seeds}"]
        for name, value in merged.items():
            args += ["-s", f"{name}={value if value != 'LISTS' else lists}"]
        proc = subprocess.run(
            [*args, "-O", "items.jsonl"], cwd=tmp, env=env, capture_output=True, text=True
        )
    stats = {name: float(value) for name, value in _STAT.findall(proc.stderr)}
    pages = int(stats.get("item_scraped_count", 0))
    if proc.returncode or pages != server.allowed:
        sys.exit(f"{repo}: exit {proc.returncode}, {pages} pages\n{proc.stderr[-3000:]}")
    return pages / stats["elapsed_time_seconds"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", type=Path, required=True, help="checkout before the change")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--pages", type=int, default=2000, help="pages on the site in all")
    parser.add_argument("--origins", type=int, default=8)
    parser.add_argument(
        "--patience", type=float, default=30, help="seconds to wait for a quiet machine"
    )
    parser.add_argument("--no-write", action="store_true", help="leave docs/benchmarks.md")
    args = parser.parse_args()
    before = args.before.resolve()
    variants = {
        "before (decided on entry only)": (before, before / ".venv/bin/python", {}),
        "send-time decisions": (REPO, Path(sys.executable), {}),
        "send-time decisions, an IP address listed": (
            REPO,
            Path(sys.executable),
            {"HEED_BLOCKLISTS": "LISTS"},
        ),
    }
    site = Site(args.origins, args.pages // args.origins)
    server = SiteServer(site)
    rates: dict[str, list[float]] = {name: [] for name in variants}
    try:
        for round_ in range(args.rounds):
            for name, (repo, python, settings) in variants.items():
                wait_for_quiet(patience=args.patience)
                rates[name].append(crawl(repo, python, server, settings))
                print(f"round {round_ + 1}: {name}: {rates[name][-1]:.0f} pages/s", flush=True)
                time.sleep(0.5)
    finally:
        server.stop()
    base = median(rates[next(iter(variants))])
    rows = [
        f"| {name} | {median(r):.0f} | {median(r) / base:.2f} | "
        + ", ".join(f"{x:.0f}" for x in r)
        + " |"
        for name, r in rates.items()
    ]
    text = "\n".join(
        [
            "## Send-time request decisions",
            "",
            f"`bench/send_time.py --before ../send-before --rounds {args.rounds} --pages"
            f" {args.pages} --origins {args.origins}`: the crawl benchmark's local site"
            f" ({server.allowed} pages allowed) crawled by Heed before send-time decisions"
            " (3f46a4f, a worktree with its own virtualenv) and after, the variants one after"
            " the other in each round, each crawl a fresh process. Medians of pages/s. Every"
            " allowed request is decided on entry and at send time and recorded once (a check"
            " that reads only policy documents is asked at send time only when one of them has"
            " changed since the entry stage: docs/architecture.md);"
            " with an IP address listed, each host is also resolved (through Scrapy's DNS cache)"
            " at both stages.",
            "",
            "| variant | pages/s | ratio to before | runs |",
            "|---|---:|---:|---|",
            *rows,
        ]
    )
    print(text)
    if not args.no_write:
        write_section("send_time", text)


if __name__ == "__main__":
    main()
