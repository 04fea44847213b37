"""Hostile robots.txt files: how long ``reservations.robots`` takes to parse and to answer.

Each case is parsed once (as the gate does per origin); then every URL of a hostile set is
evaluated several times and the median kept; the table shows the worst URL of each case. The
first evaluation for a token also builds that token's rules, so it is shown apart.

    .venv/bin/python bench/robots_eval.py            # writes docs/benchmarks.md
    .venv/bin/python bench/robots_eval.py --quick    # smaller files, writes nothing
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.report import write_section  # noqa: E402
from reservations.robots import MAX_PARSE_BYTES, parse_robots  # noqa: E402

TOKEN = "HeedBot"
REPEATS = 5


def wildcard_rules(count: int) -> bytes:
    """``count`` rules, each with several wildcards and an end anchor, under ``*``."""
    rng = random.Random(9309)
    lines = ["User-agent: *"]
    for i in range(count):
        words = [rng.choice("abcdefgh") * rng.randint(1, 3) for _ in range(4)]
        lines.append(f"{'Allow' if i % 7 == 0 else 'Disallow'}: /*{'*'.join(words)}*{i}$")
    return "\n".join(lines).encode()


def filled_rules(size: int) -> bytes:
    """Plain and wildcard rules, as many as fit in ``size`` bytes."""
    lines, total, i = ["User-agent: *"], 0, 0
    while total < size:
        line = f"Disallow: /section-{i}/*/page-{i % 97}.php$" if i % 2 else f"Allow: /s/{i}/"
        lines.append(line)
        total += len(line) + 1
        i += 1
    return "\n".join(lines).encode()[:size]


def backtracking_bait(count: int) -> bytes:
    """Rules that make a naive wildcard matcher backtrack on a long run of one letter."""
    return ("User-agent: *\n" + "Disallow: /*a*a*a*a*a*a*a*a*a*a*b$\n" * count).encode()


# Scrapy's UrlLengthMiddleware drops longer URLs (URLLENGTH_LIMIT) before they reach the gate.
URL_LIMIT = 2083


def hostile_urls(length: int) -> list[str]:
    """Paths of up to ``length`` characters: short and long, repetitive, query-heavy and
    percent-encoded, and full of the rules' own wildcard letters."""
    return [
        "/",
        "/a/1.html",
        "/" + "a" * (length - 1),
        "/" + "ab" * (length // 2 - 1),
        "/x?" + "q=1&" * (length // 4 - 1),
        "/%E2%82%AC" * (length // 10),
        "/" + "a*b$" * (length // 4 - 1),
    ]


def cases(quick: bool) -> dict[str, bytes]:
    size = MAX_PARSE_BYTES // (20 if quick else 1)
    return {
        f"{1_000 if quick else 10_000:,} wildcard rules": wildcard_rules(
            1_000 if quick else 10_000
        ),
        f"{size // 1024} KiB of rules": filled_rules(size),
        "backtracking bait, 1,000 rules": backtracking_bait(100 if quick else 1_000),
        "10 MB body (cut at 500 KiB)": filled_rules(1_000_000 if quick else 10_000_000),
        "binary garbage, 1 MB": random.Random(0).randbytes(1_000_000),
        "one 500 KiB rule line": b"User-agent: *\nDisallow: /"
        + b"*a" * (MAX_PARSE_BYTES // 2 - 32),
    }


def _seconds(call: Callable[[], object]) -> float:
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def _median_ms(call: Callable[[], object]) -> float:
    return 1000 * statistics.median(_seconds(call) for _ in range(REPEATS))


def measure(body: bytes, long_url: str) -> tuple[float, float, float, float]:
    """Parse ms, first-evaluation ms, the worst crawlable URL's ms, and ``long_url``'s ms."""
    parsed = parse_robots(body)
    parse = 1000 * min(_seconds(lambda: parse_robots(body)) for _ in range(3))
    first = 1000 * _seconds(lambda: parsed.evaluate("/", TOKEN))
    worst = max(
        _median_ms(lambda u=url: parsed.evaluate(u, TOKEN)) for url in hostile_urls(URL_LIMIT)
    )
    return parse, first, worst, _median_ms(lambda: parsed.evaluate(long_url, TOKEN))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller files, no report written")
    args = parser.parse_args()
    long_url = "/" + "ab" * (4096 if args.quick else 32768)
    rows, worst_case = [], 0.0
    for name, body in cases(args.quick).items():
        parse, first, worst, long = measure(body, long_url)
        worst_case = max(worst_case, worst)
        rows.append(
            f"| {name} | {len(body):,} | {parse:.1f} | {first:.1f} | {worst:.2f} | {long:.1f} |"
        )
        print(rows[-1], flush=True)
    section = "\n".join(
        [
            "## robots.txt: hostile files",
            "",
            "`reservations.robots` on hostile files: parse once per origin, build the token's "
            "rules on first use, then answer per URL. *Worst per-URL* is the median of "
            f"{REPEATS} evaluations of the slowest of {len(hostile_urls(URL_LIMIT))} hostile "
            f"URLs of up to {URL_LIMIT:,} characters (Scrapy's `URLLENGTH_LIMIT` drops longer "
            f"ones before the gate); the last column is one {len(long_url):,}-character URL, "
            "reachable only if that limit is raised.",
            "",
            "| robots.txt | bytes | parse, ms | first evaluation, ms | worst per-URL, ms "
            f"| {len(long_url) // 1024} KiB URL, ms |",
            "|---|---:|---:|---:|---:|---:|",
            *rows,
            "",
            f"**Worst per-URL evaluation: {worst_case:.0f} ms.** No file crashes or hangs the "
            "parser, and each is read once per origin; but rules are matched on the crawl's "
            "one thread, so an origin whose robots.txt holds thousands of wildcard rules costs "
            f"up to {worst_case:.0f} ms of CPU per URL (about {1000 / worst_case:.0f} URLs/s), "
            "and other origins wait meanwhile. Most of that time is Protego testing every "
            "rule against every URL.",
            "",
            "Reproduce: `.venv/bin/python bench/robots_eval.py`.",
        ]
    )
    if not args.quick:
        print(f"written to {write_section('robots', section)}")


if __name__ == "__main__":
    main()
