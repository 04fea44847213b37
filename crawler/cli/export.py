"""``heed log export``: decision records as CSV, JSON Lines or Parquet, for review tools."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from crawler.domains import registrable_domain
from crawler.errors import HeedError
from crawler.log.export import FORMATS, STDOUT, export_logs
from crawler.log.export.table import RecordFilter, parse_time_bound
from crawler.log.read import iter_log_files
from crawler.progress import TerminalProgress


def register(commands: Any) -> None:
    export = commands.add_parser(
        "export",
        help="write decision records as CSV, JSON Lines or Parquet",
        description="Write every record of the logs (run headers included), chain-verified. "
        "CSV and Parquet flatten evidence to columns such as evidence.robots.rule; JSON Lines "
        "keeps each record as written and adds its file as log. Filters combine.",
    )
    export.add_argument("logs", nargs="+", metavar="LOG", help="log files or folders of logs")
    export.add_argument(
        "-o",
        "--output",
        required=True,
        type=Path,
        metavar="OUT",
        help="output file, or - for standard output (JSON Lines unless --format says)",
    )
    export.add_argument(
        "--format", choices=FORMATS, help="output format (default: from OUT's extension)"
    )
    export.add_argument("--decision", choices=("allow", "deny"), help="keep only these decisions")
    export.add_argument(
        "--check", action="append", metavar="NAME", help="keep records decided by NAME (repeatable)"
    )
    export.add_argument(
        "--reason",
        action="append",
        metavar="CODE",
        help="keep records with reason CODE, e.g. robots.disallowed (repeatable)",
    )
    export.add_argument(
        "--since", type=_bound, metavar="TIME", help="keep records at or after TIME"
    )
    export.add_argument("--until", type=_bound, metavar="TIME", help="keep records before TIME")
    export.add_argument(
        "--domain",
        type=registrable_domain,
        metavar="DOMAIN",
        help="keep records of DOMAIN's URLs (its registrable domain, subdomains included)",
    )
    export.set_defaults(func=run_export)


def _bound(text: str) -> str:
    try:
        return parse_time_bound(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def _format(args: argparse.Namespace) -> str:
    if args.output == STDOUT:
        return str(args.format or "jsonl")  # a pipe has no extension: JSON Lines by default
    fmt = args.format or args.output.suffix.lstrip(".").lower()
    if fmt not in FORMATS:
        raise HeedError(f"{args.output}: cannot tell the format; add --format csv|jsonl|parquet")
    return str(fmt)


def run_export(args: argparse.Namespace) -> int:
    fmt = _format(args)
    files = list(iter_log_files(args.logs))
    if not files:
        raise HeedError("no log files found in " + ", ".join(args.logs))
    keep = RecordFilter(
        decision=args.decision,
        checks=frozenset(args.check) if args.check else None,
        reasons=frozenset(args.reason) if args.reason else None,
        since=args.since,
        until=args.until,
        domain=args.domain,
    )
    progress = TerminalProgress("heed log export: reading", files)
    try:
        result = export_logs(files, args.output, fmt, keep, progress)
    finally:
        progress.close()
    columns = f", {result.columns} columns" if result.columns is not None else ""
    logs = f"{len(files)} log{'s' * (len(files) != 1)}"
    # A summary, not the data: on stderr, so that ``-o -`` pipes only records.
    print(f"{args.output}: {result.rows} records{columns} ({fmt}, from {logs})", file=sys.stderr)
    return 0
