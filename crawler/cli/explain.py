"""``heed explain URL``: why Heed would take a URL or not, check by check (exit 0 or 3)."""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from crawler.cli import EXIT_DENIED
from crawler.errors import ConfigError, HeedError, LogWriteError
from crawler.log.read import read_log

if TYPE_CHECKING:
    from crawler.explain import CheckOrder


def register(subparsers: Any) -> None:
    explain = subparsers.add_parser(
        "explain",
        help="run every check live on one URL and show each verdict with its evidence",
        description="Fetch what the checks need (robots.txt and other policy files, then the "
        "page unless a request check denies it) with the full Heed stack, and print every "
        "check's verdict and evidence. Exit 0 when allowed, 3 when denied.",
    )
    explain.add_argument("url", metavar="URL")
    explain.add_argument(
        "-s",
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="override a setting, as with scrapy crawl -s (repeatable)",
    )
    explain.add_argument(
        "--log", type=Path, metavar="FILE", help="keep the decision log of the explanation here"
    )
    explain.set_defaults(func=run_explain)


def run_explain(args: argparse.Namespace) -> int:
    if urlsplit(args.url).scheme not in ("http", "https") or not urlsplit(args.url).hostname:
        raise ConfigError(f"{args.url!r} is not an http(s) URL")
    overrides = dict(_setting(item) for item in args.set)
    # Scrapy loads only for the one command that crawls: the log tools start fast.
    from crawler.explain import Explanation, render

    with tempfile.TemporaryDirectory(prefix="heed-explain-") as scratch:
        log = args.log or Path(scratch) / "explain.jsonl"
        error, order = _crawl(args.url, log, overrides)
        explanation = Explanation.from_records(read_log(log))
    print(render(explanation, args.url, error, order, log_kept=args.log is not None))
    if args.log:
        print(f"Decision log: {args.log}")
    if explanation.denial is not None:
        return EXIT_DENIED
    if not explanation.allowed:
        raise HeedError(f"{args.url}: cannot tell: {error or 'nothing was downloaded'}")
    return 0


def _setting(item: str) -> tuple[str, str]:
    name, sep, value = item.partition("=")
    if not sep or not name:
        raise ConfigError(f"-s {item!r}: use -s NAME=VALUE")
    return name, value


def _crawl(url: str, log: Path, overrides: dict[str, str]) -> tuple[str | None, CheckOrder]:
    """One in-process crawl of ``url``: the reason nothing could be judged, if any, and the
    order the gates asked their checks in."""
    from scrapy.crawler import AsyncCrawlerProcess

    from crawler.addon import project_settings
    from crawler.commands.crawl import Refusal
    from crawler.explain import ExplainSpider
    from crawler.log.recorder import log_failure

    settings = project_settings()
    settings.setdict(
        {"LOG_LEVEL": "ERROR", "RETRY_ENABLED": False, **overrides}, priority="cmdline"
    )
    # Explaining is live and on its own record, whatever the settings say.
    settings.set("HEED_DECISION_LOG", str(log), priority=100)
    settings.set("HTTPCACHE_ENABLED", False, priority=100)
    settings.set("HEED_PROGRESS_INTERVAL", 0, priority=100)  # one URL: no progress line
    process = AsyncCrawlerProcess(settings)
    crawler = process.create_crawler(ExplainSpider)
    refusal = Refusal(crawler)
    started = process.crawl(crawler, url=url)
    process.start()
    if refusal.error is not None:
        raise refusal.error
    if started.done() and not started.cancelled() and (failure := started.exception()):
        raise failure
    if why := log_failure(crawler):
        raise LogWriteError(why)
    spider = crawler.spider
    if not isinstance(spider, ExplainSpider):
        return None, {}
    return spider.error, spider.order
