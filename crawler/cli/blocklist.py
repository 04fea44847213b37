"""``heed blocklist ...``: validate the infringing-sites lists, and ask which entry blocks a URL."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

from crawler.blocklists import configured_paths, load_lists, read_lists, today
from crawler.cli import EXIT_DENIED
from crawler.errors import HeedError
from reservations.blocklist import BlocklistIndex, Entry, find_warnings
from reservations.hostname import host_of_url


def register(subparsers: Any) -> None:
    blocklist = subparsers.add_parser("blocklist", help="validate and query the blocklists")
    commands = blocklist.add_subparsers(dest="blocklist_command", metavar="ACTION", required=True)
    validate = commands.add_parser(
        "validate",
        help="check list files against the schema",
        description="Print every problem as FILE:LINE: FIELD: PROBLEM on stderr, errors and "
        "warnings alike, then the counts. Exit 1 when any file is invalid (a crawl would refuse "
        "to start); warnings (expired entries, future dates, hosts listed twice) exit 0.",
    )
    validate.add_argument(
        "files", nargs="*", metavar="FILE", help="list files or folders (default: HEED_BLOCKLISTS)"
    )
    validate.set_defaults(func=run_validate)
    check = commands.add_parser(
        "check",
        help="say which entry, if any, blocks a URL",
        description=f"Exit 0 when no entry lists the URL's host, {EXIT_DENIED} when one does.",
    )
    check.add_argument("url", metavar="URL", help="a URL or a bare host name")
    check.add_argument(
        "--list",
        dest="lists",
        action="append",
        metavar="FILE",
        help="list file or folder to use instead of HEED_BLOCKLISTS (repeatable)",
    )
    check.set_defaults(func=run_check)


def settings_paths() -> list[str]:
    """``HEED_BLOCKLISTS`` from the project settings (Heed's own unless you name others)."""
    from crawler.addon import project_settings

    return configured_paths(project_settings().get("HEED_BLOCKLISTS"))


def run_validate(args: argparse.Namespace) -> int:
    specs = args.files or settings_paths()
    files, errors = read_lists(specs)
    # Every file's valid entries count and are checked, even beside errors: all findings show.
    index = BlocklistIndex.build(f.parsed.blocklist for f in files)
    warnings = find_warnings(index, today())
    for problem in sorted([*errors, *warnings], key=lambda p: (p.file, p.line)):
        print(problem, file=sys.stderr)
    print(
        f"heed blocklist validate: {len(files)} file(s), {len(index)} valid entries, "
        f"{len(errors)} error(s), {len(warnings)} warning(s)",
        file=sys.stderr,
    )
    return 1 if errors else 0


def run_check(args: argparse.Namespace) -> int:
    lists, _ = load_lists(args.lists or settings_paths())
    try:
        host = host_of_url(args.url)
    except ValueError as exc:
        raise HeedError(f"{args.url!r} is not a URL: {exc}") from exc
    entry = lists.index.match_host(host)
    if entry is None:
        print(f"not listed: {host or args.url} ({_counted(lists.index)})")
        return 0
    print(f"listed: {host} is blocked by {entry.domain} (match: {_match(entry)})")
    for line in _describe(entry):
        print(f"  {line}")
    return EXIT_DENIED


def _counted(index: BlocklistIndex) -> str:
    return f"{len(index)} entries in {len(index.lists)} list(s)"


def _match(entry: Entry) -> str:
    return "exact, an IP address" if entry.is_ip else entry.match


def _describe(entry: Entry) -> Sequence[str]:
    info = entry.listed_in
    lines = [
        f"file:    {info.file}:{entry.line} (list {info.id}"
        + (f", version {info.version}" if info.version else "")
        + f", sha256 {info.sha256})",
        f"reason:  {entry.reason}",
        f"source:  {entry.source}",
        f"added:   {entry.added.isoformat()}",
    ]
    if entry.expires is not None:
        note = " (expired: it still denies; renew or retire it)" if entry.expired(today()) else ""
        lines.append(f"expires: {entry.expires.isoformat()}{note}")
    return lines
