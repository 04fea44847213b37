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
from crawler.log.verify import verify_log

# Every demo origin is a seed but the listed one: the crawl must only ever meet it by redirect.
NOT_SEEDS = ("listed",)


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
        "FEEDS": {str(out / "pages.jsonl"): {"format": "jsonlines", "overwrite": True}},
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

    settings = project_settings()
    settings.setdict(demo_settings(site, out), priority="cmdline")
    process = CrawlerProcess(settings)
    crawler = process.create_crawler("site")
    seeds = [site.url(role) for role in sorted(site.bases) if role not in NOT_SEEDS]
    process.crawl(crawler, urls=",".join(seeds))
    process.start()
    return Path(crawler.stats.get_value("heed/decision_log"))


def summarise(log: Path) -> tuple[Counter[tuple[str, str, str, str]], int]:
    """Decisions counted by (stage, decision, check, reason), and the number of records."""
    counts: Counter[tuple[str, str, str, str]] = Counter()
    records = 0
    with log.open(encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            records += 1
            if record["stage"] != "run":
                counts[
                    (record["stage"], record["decision"], record["check"], record["reason"])
                ] += 1
    return counts, records


def run_demo(args: argparse.Namespace) -> int:
    out = Path(args.output).resolve()
    out.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    with serve_demo() as site:
        print("Heed demo site:")
        for role, base in sorted(site.bases.items()):
            print(f"  {role:<12} {base}")
        log = crawl_demo(site, out)
        listed_hits = sum(n for (role, _), n in site.hits.items() if role == "listed")
    counts, records = summarise(log)
    print(f"\nDecisions ({records - 1} records):")
    print(f"  {'stage':<9} {'decision':<8} {'check':<15} {'reason':<28} count")
    for (stage, decision, check, reason), n in sorted(counts.items()):
        print(f"  {stage:<9} {decision:<8} {check:<15} {reason:<28} {n:>5}")
    pages = out / "pages.jsonl"
    kept = sum(1 for _ in pages.open()) if pages.exists() else 0
    print(f"\nPages kept: {kept} -> {pages}")
    print(f"Requests that reached the blocklisted host: {listed_hits}")
    print(f"Decision log: {log}")
    result = verify_log(log)
    print(f"Verify: {result.describe()}")
    print(f"Done in {time.monotonic() - started:.1f} s.")
    return 0 if result.ok else 1
