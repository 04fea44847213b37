"""``heed demo``: crawl the bundled demo site with the full stack and show every decision."""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter
from importlib.resources import files
from pathlib import Path
from typing import Any

from crawler.demo.server import DemoSite, serve_demo
from crawler.errors import LogWriteError
from crawler.log.verify import verify_log

# Every demo origin is a seed but the listed one: the crawl must only ever meet it by redirect.
NOT_SEEDS = ("listed",)
# What each demo origin is there to show, printed beside its address.
ROLES = {
    "down": "down on purpose (robots.txt: 503): Heed keeps off it; its warning is expected",
    "listed": "on the demo blocklist: never contacted, not even by redirect",
    "main": "robots.txt allows some paths, disallows /private/",
    "moved": "robots.txt redirects to another origin's file",
    "optouts": "tdmrep.json, ai.txt, TDMRep, Content-Usage and noai reservations",
    "paywalled": "login walls, HTTP 401/402/403, paywall markup",
    "signals": "Content-Usage and Content-Signal lines in robots.txt",
}
_POLICY_DOCUMENT = ".policy_document"


def register(subparsers: Any) -> None:
    demo = subparsers.add_parser(
        "demo",
        help="crawl the bundled demo site on 127.0.0.1 and summarise the decisions",
        description="Start the bundled demo site on loopback, crawl it with the full Heed "
        "stack, print the decisions by check and reason, and verify the decision log.",
    )
    demo.add_argument(
        "-o",
        "--output",
        default="heed-demo",
        help="folder for the log and items (default: %(default)s)",
    )
    demo.set_defaults(func=run_demo)


def demo_settings(site: DemoSite, out: Path) -> dict[str, Any]:
    """The demo's own identity and files; everything else is Heed's defaults."""
    return {
        "HEED_PRODUCT_TOKEN": "HeedDemoBot",
        "USER_AGENT": "HeedDemoBot/1.0 (+http://127.0.0.1/heed-demo)",
        "HEED_DECISION_LOG": str(out / "decisions-%(time)s.jsonl"),
        "HEED_BLOCKLISTS": [str(files("crawler.demo") / "blocklist.yaml")],
        # ".jl", not ".jsonl": the log commands read every *.jsonl of a folder as a log.
        "FEEDS": {str(out / "pages.jl"): {"format": "jsonlines", "overwrite": True}},
        "LOG_LEVEL": "WARNING",
        "HEED_ROBOTS_TIMEOUT": 10,
        # Images too, so that the demo shows reservations inside assets.
        "HEED_CONTENT": ["html", "pdf", "epub", "image"],
        "IMAGES_STORE": str(out / "images"),
        "RETRY_ENABLED": False,
    }


def crawl_demo(site: DemoSite, out: Path) -> Path:
    """Run one in-process crawl of the demo seeds; return the decision log's path."""
    from scrapy.crawler import CrawlerProcess

    from crawler.addon import project_settings
    from crawler.log.recorder import log_failure

    settings = project_settings()
    settings.setdict(demo_settings(site, out), priority="cmdline")
    process = CrawlerProcess(settings)
    crawler = process.create_crawler("site")
    seeds = [site.url(role) for role in sorted(site.bases) if role not in NOT_SEEDS]
    failures: list[Any] = []
    process.crawl(crawler, urls=",".join(seeds)).addErrback(failures.append)
    process.start()
    if failures:
        # A refusal to start (HeedError) is printed as one line by the heed command.
        failures[0].raiseException()
    if why := log_failure(crawler):
        raise LogWriteError(why)
    return Path(crawler.stats.get_value("heed/decision_log"))


def summarise(log: Path) -> tuple[Counter[tuple[str, str, str, str]], int]:
    """Decisions counted by (stage, decision, check, reason), and the records in the log (the
    run header included, as ``heed log verify`` counts them)."""
    counts: Counter[tuple[str, str, str, str]] = Counter()
    records = 0
    with log.open(encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            records += 1
            if "decision" in record:
                counts[
                    (record["stage"], record["decision"], record["check"], record["reason"])
                ] += 1
    return counts, records


def _table(rows: Counter[tuple[str, str, str, str]]) -> list[str]:
    lines = [f"  {'stage':<9} {'decision':<8} {'check':<15} {'reason':<28} count"]
    for (stage, decision, check, reason), n in sorted(rows.items()):
        lines.append(f"  {stage:<9} {decision:<8} {check:<15} {reason:<28} {n:>5}")
    return lines


def report(counts: Counter[tuple[str, str, str, str]], records: int) -> list[str]:
    """The decisions on pages, then the fetches of the policy files the checks needed."""
    documents = Counter({k: n for k, n in counts.items() if k[3].endswith(_POLICY_DOCUMENT)})
    pages = counts - documents
    decided = sum(counts.values())
    return [
        f"Decisions on pages ({sum(pages.values())} of the log's {records} records):",
        *_table(pages),
        "",
        f"Policy files fetched for the checks ({sum(documents.values())} records: each fetch is "
        "a request and a response):",
        *_table(documents),
        "",
        f"The log holds {records} records: the run header, {decided} decisions and "
        f"{records - 1 - decided} checkpoint and closing records.",
    ]


def next_steps(out: Path) -> list[str]:
    """What to try next, on this demo's own output."""
    steps = {
        f"heed report {out} -o {out / 'report'}": "summary.json, summary.md, report.html",
        f"heed log export {out} --decision deny -o -": "the denials, as JSON Lines",
        f"heed log verify {out}": "recompute the hash chain",
        "heed explain https://example.org/": "every check on one URL, live, with evidence",
    }
    width = max(map(len, steps))
    return ["Next:", *(f"  {command:<{width}}  # {what}" for command, what in steps.items())]


def run_demo(args: argparse.Namespace) -> int:
    out = Path(args.output).resolve()
    out.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    with serve_demo() as site:
        print("Heed demo site:")
        for role, base in sorted(site.bases.items()):
            print(f"  {role:<10} {base:<24} {ROLES.get(role, '')}")
        print(flush=True)
        log = crawl_demo(site, out)
        listed_hits = sum(n for (role, _), n in site.hits.items() if role == "listed")
    counts, records = summarise(log)
    print("\n" + "\n".join(report(counts, records)))
    pages = out / "pages.jl"
    kept = sum(1 for _ in pages.open()) if pages.exists() else 0
    print(f"\nPages kept: {kept} -> {pages}")
    print(f"Requests that reached the blocklisted host: {listed_hits}")
    print(f"Decision log: {log}")
    result = verify_log(log)
    print(f"Verify: {result.describe()}")
    print(f"Done in {time.monotonic() - started:.1f} s.\n")
    print("\n".join(next_steps(Path(args.output))))
    return 0 if result.ok else 1
