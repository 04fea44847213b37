"""``heed report``: the public-summary report of one or more decision logs."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from crawler.domains import top_domain_rule
from crawler.errors import HeedError
from crawler.log.read import iter_log_files
from crawler.progress import TerminalProgress
from crawler.report.html import render_html
from crawler.report.markdown import render_markdown
from crawler.report.summary import summarise


def register(subparsers: Any) -> None:
    report = subparsers.add_parser(
        "report",
        help="summarise decision logs for the public summary of training content",
        description="Read the logs (verifying every chain) and write summary.json, summary.md "
        "and a self-contained report.html to DIR: crawler identity, collection period, "
        "volumes, decisions by check and reason, robots.txt and opt-out statistics, and the "
        "top domains by content size that the EU template for the public summary asks for.",
    )
    report.add_argument("logs", nargs="+", metavar="LOG", help="log files or folders of logs")
    report.add_argument("-o", "--output", required=True, type=Path, metavar="DIR")
    report.add_argument(
        "--sme",
        action="store_true",
        help="list the top 5%% of domains or 1,000 domains, whichever is lower (the template's "
        "option for small and medium enterprises) instead of the top 10%%",
    )
    report.set_defaults(func=run_report)


def run_report(args: argparse.Namespace) -> int:
    files = list(iter_log_files(args.logs))
    if not files:
        raise HeedError("no log files found in " + ", ".join(args.logs))
    progress = TerminalProgress("heed report: reading", files)
    try:
        summary = summarise(files, top_domain_rule(args.sme), progress)
    finally:
        progress.close()
    outputs = {
        "summary.json": json.dumps(summary, indent=2, ensure_ascii=False) + "\n",
        "summary.md": render_markdown(summary),
        "report.html": render_html(summary),
    }
    try:
        args.output.mkdir(parents=True, exist_ok=True)
        for name, text in outputs.items():
            (args.output / name).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise HeedError(f"{args.output}: cannot write the report: {exc.strerror or exc}") from exc
    for name in outputs:
        print(args.output / name)
    return 0
