"""``heed log ...``: read decision logs (verify, export)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from crawler.cli import export
from crawler.cluster.logs import crawl_mismatches
from crawler.log.read import iter_log_files
from crawler.log.verify import verify_log
from crawler.progress import TerminalProgress


def register(subparsers: Any) -> None:
    log = subparsers.add_parser("log", help="verify and export decision logs")
    commands = log.add_subparsers(dest="log_command", metavar="ACTION", required=True)
    verify = commands.add_parser(
        "verify",
        help="recompute every log's hash chain",
        description="Print FILE: OK for each intact chain; exit 1 when any is not, naming the "
        "first bad record of each broken file as FILE:LINE: problem on stderr.",
    )
    verify.add_argument("logs", nargs="+", metavar="LOG", help="log files or folders of logs")
    verify.set_defaults(func=run_verify)
    export.register(commands)


def run_verify(args: argparse.Namespace) -> int:
    files = list(iter_log_files(args.logs))
    if not files:
        print("heed log verify: no log files found in " + ", ".join(args.logs), file=sys.stderr)
        return 1
    failed = 0
    progress = TerminalProgress("heed log verify", files)
    for path in files:
        progress.start_file(path)
        result = verify_log(path, progress)
        progress.close()
        print(result.describe(), file=sys.stdout if result.ok else sys.stderr, flush=True)
        failed += not result.ok
    for problem in crawl_mismatches(files):  # workers of one cluster crawl: docs/scale.md
        print(problem, file=sys.stderr, flush=True)
        failed += 1
    return 1 if failed else 0
