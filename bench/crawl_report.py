"""The crawl benchmark's section of docs/benchmarks.md: medians, ratios, every run, and what
each crawler ran with, so that a reader can judge the comparison and repeat it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy.settings import Settings

from bench.report import median
from crawler import defaults as heed_settings

if TYPE_CHECKING:
    from bench.crawl import Run

# The --explore variants and why Heed's default differs from them.
_EXPLORED = {
    "heed with CONCURRENT_ITEMS=100": "Scrapy 2.19 starts that many asyncio tasks per "
    "response, scrapy#5182; Heed sets 16",
    "heed with an fsync per record": "Heed fsyncs every 1,000 records or second, and at close",
    "heed with Python's own collector settings": "Heed's CrawlCollector freezes the objects "
    "alive at start and collects the young generation every 20,000 allocations, not 700",
    "heed with extraction on the crawl's thread": "Heed extracts main content in one worker "
    "process (HEED_EXTRACT_WORKERS=1), whose CPU time counts as the crawl's",
}
# Settings that only name the project, not how it crawls.
_NAMING = {"BOT_NAME", "NEWSPIDER_MODULE", "SPIDER_MODULES", "SETTINGS_MODULE"}


def settings_differences(given: set[str]) -> list[str]:
    """Heed's settings that differ from Scrapy's defaults, except ``HEED_*`` and ``given``
    (those the stock crawl is given too); component tables by name only."""
    heed, scrapy = Settings(), Settings()
    heed.setmodule(heed_settings)
    found = []
    for name in sorted(set(heed) - _NAMING - given):
        ours, theirs = heed[name], scrapy[name]
        if name.startswith("HEED_") or ours == theirs:
            continue
        if hasattr(ours, "copy_to_dict"):
            if ours.copy_to_dict() != theirs.copy_to_dict():
                found.append(f"`{name}` (Heed's own table: crawler/defaults.py)")
        else:
            found.append(f"`{name}` = `{ours!r}` (Scrapy: `{theirs!r}`)")
    return found


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown CPU"


def summarize(runs: Sequence[Run]) -> dict[str, dict[str, float]]:
    """Per variant, in first-run order: median pages/s, CPU ms/page and load shares."""
    summary = {}
    for name in dict.fromkeys(r.variant for r in runs):
        mine = [r for r in runs if r.variant == name]
        summary[name] = {
            "pages_per_second": median([r.pages_per_second for r in mine]),
            "cpu_ms_per_page": median([1000 * r.cpu / r.pages for r in mine]),
            "server_share": median([r.server_share for r in mine]),
            "other_share": median([r.other_share for r in mine]),
        }
    return summary


def _table(summary: dict[str, dict[str, float]]) -> list[str]:
    stock = summary["stock"]["pages_per_second"]
    lines = [
        "| Crawler | pages/s | ÷ stock | CPU ms/page | site server, % of a core "
        "| other processes, % of a core |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, s in summary.items():
        lines.append(
            f"| {name} | {s['pages_per_second']:.1f} | {s['pages_per_second'] / stock:.2f} "
            f"| {s['cpu_ms_per_page']:.2f} | {100 * s['server_share']:.1f} "
            f"| {100 * s['other_share']:.0f} |"
        )
    return lines


def _runs(runs: Sequence[Run], per_round: int) -> list[str]:
    lines = ["| round | crawler | pages/s | CPU ms/page | other processes, % of a core |"]
    lines.append("|---:|---|---:|---:|---:|")
    for index, run in enumerate(runs):
        lines.append(
            f"| {index // per_round + 1} | {run.variant} | {run.pages_per_second:.1f} "
            f"| {1000 * run.cpu / run.pages:.2f} | {100 * run.other_share:.0f} |"
        )
    return lines


def _names(checks: Mapping[str, int | None]) -> str:
    """Class names of the enabled checks, in the order the gate asks them."""
    enabled = sorted((order, path) for path, order in checks.items() if order is not None)
    return ", ".join(path.rsplit(".", 1)[1] for _, path in enabled)


def _choices(summary: dict[str, dict[str, float]]) -> list[str]:
    """What the --explore rows say about Heed's defaults (nothing when they were not run)."""
    heed = summary["heed"]["pages_per_second"]
    lines = []
    for name, why in _EXPLORED.items():
        if name in summary:
            gain = heed / summary[name]["pages_per_second"] - 1
            lines.append(f"- heed against '{name}': {gain:+.0%} pages/s ({why}).")
    return lines


def markdown(runs: Sequence[Run], site: Any, tuned: str, figures: dict[str, Any]) -> str:
    """The whole section; ``figures`` holds rounds, log and server measurements."""
    summary = summarize(runs)
    heed = summary["heed"]["pages_per_second"]
    checks = _names(heed_settings.HEED_REQUEST_CHECKS)
    response_checks = _names(heed_settings.HEED_RESPONSE_CHECKS)
    log = figures["log"]
    records_per_second = heed * figures["records_per_page"]
    return "\n".join(
        [
            "## Crawl: Heed's full stack against stock Scrapy",
            "",
            f"A local site of {site.origins} origins (ports on 127.0.0.1) with {site.pages} "
            f"HTML pages of about {len(site.page(site.pages // 2)) / 1000:.1f} KB each: "
            f"{runs[0].pages:,} pages are allowed by robots.txt and "
            f"{runs[0].denied:,} linked pages disallowed (two path prefixes, an end-anchored "
            "wildcard and a longer Allow). Every crawl must take exactly the allowed pages, or "
            f"the benchmark stops. {figures['rounds']} rounds, the crawlers alternating, each "
            "crawl in a fresh process; medians.",
            "",
            *_table(summary),
            "",
            f"**Heed / stock: {heed / summary['stock']['pages_per_second']:.2f}** (target ≥ "
            f"1.0). Against stock Scrapy given Heed's one performance default ({tuned}): "
            f"{heed / summary[tuned]['pages_per_second']:.2f}, which is what Heed's gates, "
            "checks and decision log cost in throughput. **CPU per page, Heed / "
            f"{tuned}: {summary['heed']['cpu_ms_per_page'] / summary[tuned]['cpu_ms_per_page']:.3f}"
            "** (target ≤ 1.10).",
            "",
            "- **stock**: `scrapy runspider` of the `site` spider's own code (the same link "
            "following, readable text and items, to a JSON Lines feed) on Scrapy's defaults "
            "plus `ROBOTSTXT_OBEY=True` and Heed's `USER_AGENT`, `CONCURRENT_REQUESTS` and "
            "`CONCURRENT_REQUESTS_PER_DOMAIN`.",
            f"- **heed**: `scrapy crawl site` with the project's settings: request checks "
            f"{checks}; response checks {response_checks}; the decision log with its default "
            f"fsync (every {heed_settings.HEED_LOG_FSYNC_RECORDS:,} records or "
            f"{heed_settings.HEED_LOG_FSYNC_SECONDS:g} s). Heed also fetches each origin's "
            "other policy files (404 here); those requests count against its rate.",
            "- Both: `LOG_LEVEL=INFO` (Scrapy's DEBUG default prints every item), the same "
            "feed, the same site. pages/s is items over Scrapy's `elapsed_time_seconds`; CPU "
            "is the crawl process's whole user and system time, start-up included, and that "
            "of the processes it started and reaped (Heed's extraction worker).",
            "- Heed's settings that differ from Scrapy's defaults: "
            + "; ".join(settings_differences(set(figures["given"])))
            + f". `CONCURRENT_ITEMS` is the performance default, and the row '{tuned}' gives "
            "it to stock too. One of Heed's components is about speed as well: "
            "`crawler.collector.CrawlCollector` tunes Python's cycle collector for the crawl "
            "(stock Scrapy keeps Python's settings; `--explore` runs Heed without it). And "
            "one is about speed and about hostile pages: `ExtractionWorkers` runs trafilatura "
            "in a worker process, in parallel with the crawl's own thread, which stock Scrapy "
            "runs it on (`--explore` runs Heed with `HEED_EXTRACT_WORKERS=0`). The "
            "others are not (consoles off, Heed's components and commands, the encoding of "
            "non-ASCII output, which these pages lack).",
            *_choices(summary),
            "",
            f"**Decision log**: `DecisionLog.write` through the SHA-256 chain with the "
            f"default fsync policy, {figures['log_records']:,} records a run, median of "
            f"{len(next(iter(log.values()))['rates'])} runs; the record is a typical request "
            "record from the Heed crawl above. Target ≥ 50,000 records/s. For scale: the "
            f"crawl above wrote about {records_per_second:,.0f} records/s.",
            "",
            "| record | bytes | records/s | ≥ 50,000 | runs |",
            "|---|---:|---:|---|---|",
            *(
                f"| {name} | {m['bytes']:,} | {m['rate']:,.0f} "
                f"| {'yes' if m['rate'] >= 50_000 else 'no'} "
                f"| {', '.join(f'{r:,.0f}' for r in m['rates'])} |"
                for name, m in log.items()
            ),
            "",
            f"**Site server**: one asyncio process serving pre-rendered pages; "
            f"{figures['capacity']:,.0f} requests per CPU-second under a 16-connection "
            "keep-alive load loop, so it used the small share of a core shown above while "
            "crawlers took most of one: the crawler, not the server, is measured.",
            "",
            "Every run:",
            "",
            *_runs(runs, len(summary)),
            "",
            f"Machine: {cpu_model()}. Other processes shared it during some runs (last "
            "column); the rounds alternate so that such load falls on both crawlers alike.",
            "",
            f"Measured with `{figures['command']}`. Reproduce: `.venv/bin/python "
            "bench/crawl.py --rounds 5` (about five minutes on an idle machine; `--explore` "
            "adds the variants Heed's defaults were chosen against; on a shared machine "
            "`nice -n -15` (as root) keeps other processes from taking the crawler's core; "
            "`--quick` is a small smoke run that writes nothing).",
        ]
    )
