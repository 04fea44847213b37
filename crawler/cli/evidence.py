"""``heed evidence DOMAIN LOG... -o DIR``: what Heed did on one domain, with proofs."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from crawler.domains import registrable_domain
from crawler.errors import HeedError
from crawler.log.evidence import write_evidence
from crawler.log.read import iter_log_files


def register(subparsers: Any) -> None:
    evidence = subparsers.add_parser(
        "evidence",
        help="write the evidence bundle of one domain (answer to a complaint)",
        description="Write to DIR every decision about DOMAIN's registrable domain (its "
        "subdomains included) as written, inclusion proofs against each log's checkpoint, "
        "and summary.md for the rightsholder. No other domain's record is included.",
    )
    evidence.add_argument("domain", metavar="DOMAIN")
    evidence.add_argument("logs", nargs="+", metavar="LOG", help="log files or folders of logs")
    evidence.add_argument("-o", "--output", required=True, type=Path, metavar="DIR")
    evidence.set_defaults(func=run_evidence)


def run_evidence(args: argparse.Namespace) -> int:
    files = list(iter_log_files(args.logs))
    if not files:
        raise HeedError("no log files found in " + ", ".join(args.logs))
    domain = registrable_domain(args.domain)
    bundle = write_evidence(domain, files, args.output)
    print(
        f"{args.output}: {len(bundle.records)} decisions about {domain} "
        f"from {len(bundle.logs)} of {len(files)} logs; read {args.output / 'summary.md'}"
    )
    return 0
