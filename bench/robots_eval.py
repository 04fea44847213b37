"""Hostile robots.txt files: how long ``reservations.robots`` takes to parse and to answer.

Each case is parsed once (as the gate does per origin); then every URL of a hostile set of URLs
of about 2,000 characters is evaluated several times and its median kept. The table shows, per
case, the median and the worst of those per-URL medians. The first evaluation for a token also
builds that token's index of rules, so it is shown apart.

    .venv/bin/python bench/robots_eval.py            # writes docs/benchmarks.md
    .venv/bin/python bench/robots_eval.py --quick    # fewer repeats, writes nothing
"""

from __future__ import annotations

import argparse
import itertools
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.report import write_section  # noqa: E402
from reservations.robots import MAX_PARSE_BYTES, RobotsFile, parse_robots  # noqa: E402

TOKEN = "HeedBot"
REPEATS = 7


def wildcard_rules(count: int) -> bytes:
    """``count`` rules, each with several wildcards and an end anchor, under ``*``."""
    rng = random.Random(9309)
    lines = ["User-agent: *"]
    for i in range(count):
        words = [rng.choice("abcdefgh") * rng.randint(1, 3) for _ in range(4)]
        lines.append(f"{'Allow' if i % 7 == 0 else 'Disallow'}: /*{'*'.join(words)}*{i}$")
    return "\n".join(lines).encode()


def near_miss_rules(count: int) -> bytes:
    """``count`` wildcard rules that almost match "abab..." URLs, then ``Disallow: /``: the
    longest match is the shortest rule, so no rule can be passed over for being shorter."""
    shapes = (
        "Disallow: /*ab*ab*ab*X{}$",
        "Disallow: /*abababababababababababababX{}",
        "Disallow: /*a*b*a*b*a*b*a*b*a*b*a*b*a*b*Y{}",
        "Disallow: /*b*a*b*a*b*a*b*a*b*a*Z{}*",
    )
    rules = "\n".join(shapes[i % len(shapes)].format(i) for i in range(count))
    return f"User-agent: *\n{rules}\nDisallow: /\n".encode()


def shared_key_rules() -> bytes:
    """Every order of eight letters after one shared literal, each anchored: rules that all
    need the same text and differ only in order (cut at the parsing limit)."""
    rules = ("*".join(p) for p in itertools.permutations("cdefghij"))
    return ("User-agent: *\n" + "".join(f"Disallow: /*abcd*{r}$\n" for r in rules)).encode()


def dollar_rules(count: int) -> bytes:
    """Rules full of "$": anchors and literal dollars (RFC 9309 §2.2.3)."""
    lines = [f"Disallow: /{'$' * (i % 7)}*{'a$' * (i % 5)}x{i}$" for i in range(count)]
    return ("User-agent: *\n" + "\n".join(lines) + "\nAllow: /$\n").encode()


def many_groups(count: int) -> bytes:
    """``count`` groups of one wildcard rule each, the crawler's own last."""
    groups = "".join(f"User-agent: bot{i}\nDisallow: /*a*b*{i}$\n" for i in range(count))
    return (groups + f"User-agent: {TOKEN}\nDisallow: /*a*b*c*d$\n").encode()


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


def distinct_backtracking_bait(count: int) -> bytes:
    """Like ``backtracking_bait``, but no two rules alike, so each must be run."""
    rules = "".join(f"Disallow: /*{'a*' * (10 + i % 50)}b{i}$\n" for i in range(count))
    return ("User-agent: *\n" + rules).encode()


# Scrapy's UrlLengthMiddleware drops longer URLs (URLLENGTH_LIMIT) before they reach the gate.
URL_LIMIT = 2083


def hostile_urls(length: int) -> list[str]:
    """Paths of up to ``length`` characters: short and long, repetitive, query-heavy and
    percent-encoded, and full of the rules' own literal text."""
    return [
        "/",
        "/a/1.html",
        "/" + "a" * (length - 1),
        "/" + "ab" * (length // 2 - 1),
        "/" + "ba" * (length // 2 - 2) + "X9",
        "/x?" + "q=1&" * (length // 4 - 1),
        "/%E2%82%AC" * (length // 10),
        "/" + "a*b$" * (length // 4 - 1),
        "/abcd" + "jihgfedc" * (length // 8 - 1),
        "/section-7/" + "p/" * (length // 2 - 7),
    ]


def cases() -> dict[str, bytes]:
    return {
        "10,000 wildcard rules": wildcard_rules(10_000),
        "10,000 near-miss wildcard rules": near_miss_rules(10_000),
        "shared-key rules (cut at 500 KiB)": shared_key_rules(),
        "10,000 rules full of $": dollar_rules(10_000),
        "10,000 groups": many_groups(10_000),
        f"{MAX_PARSE_BYTES // 1024} KiB of rules": filled_rules(MAX_PARSE_BYTES),
        "backtracking bait, 1,000 rules": backtracking_bait(1_000),
        "backtracking bait, 5,000 distinct": distinct_backtracking_bait(5_000),
        "10 MB body (cut at 500 KiB)": filled_rules(10_000_000),
        "binary garbage, 1 MB": random.Random(0).randbytes(1_000_000),
        "one 500 KiB rule line": b"User-agent: *\nDisallow: /"
        + b"*a" * (MAX_PARSE_BYTES // 2 - 32),
    }


def _seconds(call: Callable[[], object]) -> float:
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def _median_ms(robots: RobotsFile, url: str, repeats: int) -> float:
    return 1000 * statistics.median(
        _seconds(lambda: robots.evaluate(url, TOKEN)) for _ in range(repeats)
    )


def measure(body: bytes, long_url: str, repeats: int) -> tuple[float, ...]:
    """Parse ms, first-evaluation ms, the median and the worst of the hostile URLs' median ms,
    and ``long_url``'s median ms."""
    parsed = parse_robots(body)
    parse = 1000 * min(_seconds(lambda: parse_robots(body)) for _ in range(3))
    first = 1000 * _seconds(lambda: parsed.evaluate("/", TOKEN))
    per_url = [_median_ms(parsed, url, repeats) for url in hostile_urls(URL_LIMIT)]
    long = _median_ms(parsed, long_url, repeats)
    return parse, first, statistics.median(per_url), max(per_url), long


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats, no report written")
    args = parser.parse_args()
    repeats = 3 if args.quick else REPEATS
    long_url = "/" + "ab" * 32768
    rows, worst_case = [], 0.0
    for name, body in cases().items():
        parse, first, median, worst, long = measure(body, long_url, repeats)
        worst_case = max(worst_case, worst)
        rows.append(
            f"| {name} | {len(body):,} | {parse:.1f} | {first:.1f} | {median:.2f} "
            f"| {worst:.2f} | {long:.1f} |"
        )
        print(rows[-1], flush=True)
    section = "\n".join(
        [
            "## robots.txt: hostile files",
            "",
            "`reservations.robots` on hostile files: parse once per origin, index the token's "
            f"rules on first use, then answer per URL. Each of {len(hostile_urls(URL_LIMIT))} "
            f"hostile URLs of up to {URL_LIMIT:,} characters (Scrapy's `URLLENGTH_LIMIT` drops "
            f"longer ones before the gate) is evaluated {repeats} times and its median kept; "
            "*median per-URL* and *worst per-URL* are the median and the slowest of those. The "
            f"last column is one {len(long_url):,}-character URL, reachable only if that limit "
            "is raised.",
            "",
            "| robots.txt | bytes | parse, ms | first evaluation, ms | median per-URL, ms "
            f"| worst per-URL, ms | {len(long_url) // 1024} KiB URL, ms |",
            "|---|---:|---:|---:|---:|---:|---:|",
            *rows,
            "",
            f"**Worst per-URL evaluation: {worst_case:.2f} ms.** The rules that apply are "
            "indexed once per origin and token (`reservations.pathindex`): a URL is compared "
            "only with the patterns whose literal head is a prefix of its path and whose rarest "
            "literal piece it contains, longest first, stopping at the first match; each "
            "comparison is linear in the URL, so no pattern can make matching backtrack.",
            "",
            "Reproduce: `.venv/bin/python bench/robots_eval.py`.",
        ]
    )
    if not args.quick:
        print(f"written to {write_section('robots', section)}")


if __name__ == "__main__":
    main()
