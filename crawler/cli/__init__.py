"""The ``heed`` command: one subcommand module each, errors printed without a traceback.

Exit codes: 0 success; 1 a check failed (log verify, blocklist validate); 2 bad input or
settings (``HeedError``); 3 ``heed explain`` / ``heed blocklist check``: the URL would be
denied; 4 ``heed log verify``: a log has no closing record (incomplete); 130 interrupted.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from crawler import __version__
from crawler.errors import HeedError

# ``heed explain`` and ``heed blocklist check``: the URL would be denied.
EXIT_DENIED = 3

# Each module defines ``register(subparsers)`` and sets ``func`` on its parsers.
SUBCOMMANDS = (
    "crawler.cli.demo",
    "crawler.cli.log",
    "crawler.cli.evidence",
    "crawler.cli.report",
    "crawler.cli.explain",
    "crawler.cli.blocklist",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="heed",
        description="Crawl for AI training while obeying every opt-out, and prove it.",
    )
    parser.add_argument("--version", action="version", version=f"heed {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in SUBCOMMANDS:
        importlib.import_module(module).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        code: int = args.func(args)
    except HeedError as exc:
        print(f"heed: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("heed: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader left (``heed log export … -o - | head``): stop quietly, as cat does.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    return code


if __name__ == "__main__":
    sys.exit(main())
