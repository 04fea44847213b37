"""Read the logs of a cluster's workers together: what every worker of one crawl must share.

Each worker writes its own chained log; its run header names the crawl (``cluster.crawl``).
Workers of one crawl must have obeyed the same rules: the same blocklists (their digests) and
the same robots.txt product token. ``heed log verify`` reports any disagreement.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from crawler.log.read import BadLine, read_log

# Run-header keys whose value must be the same in every worker of one crawl.
CRAWL_WIDE_KEYS = ("blocklists", "product_token")


def run_header(path: Path) -> dict[str, Any] | None:
    """The run header of a log, or ``None`` if the log cannot be read (verify says why)."""
    try:
        return next(read_log(path), None)
    except BadLine:
        return None


def crawl_mismatches(paths: Iterable[Path]) -> list[str]:
    """One line per crawl-wide fact on which the workers of one crawl disagree."""
    crawls: dict[str, list[tuple[Path, dict[str, Any]]]] = defaultdict(list)
    for path in paths:
        header = run_header(path)
        crawl = ((header or {}).get("cluster") or {}).get("crawl")
        if header is not None and crawl:
            crawls[crawl].append((path, header))
    problems = []
    for crawl, workers in crawls.items():
        for key in CRAWL_WIDE_KEYS:
            groups: dict[str, list[str]] = defaultdict(list)
            for path, header in workers:
                groups[_summary(header.get(key))].append(str(path))
            if len(groups) > 1:
                sides = "; ".join(
                    f"{value} in {', '.join(files)}" for value, files in groups.items()
                )
                problems.append(f"crawl {crawl}: its workers disagree on {key}: {sides}")
    return problems


def _summary(value: Any) -> str:
    """A short, comparable form: a digest where the value has one, else its canonical JSON."""
    if isinstance(value, dict) and isinstance(value.get("sha256"), str):
        return f"sha256 {value['sha256']}"
    return json.dumps(value, sort_keys=True) if value is not None else "(none)"
