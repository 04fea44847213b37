"""Benchmark: ``heed log export`` and ``heed report`` over a log of 1,000,000 decision records.

The log is written by the real writer (``DecisionLog``) with records shaped like a crawl's:
requests judged by the access and robots checks, responses by the access and paywall checks,
robots.txt fetches, denials by several checks, a few thousand sites on a few hundred thousand
URLs. Each command runs in its own process, as a user runs it; the median of the runs is
reported with the peak memory of the slowest one.

    python -m bench.log_tools [--records 1000000] [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.report import median, write_section
from crawler.provenance import DecisionLog

TARGETS = {"export csv": 30.0, "export jsonl": 30.0, "export parquet": 30.0, "report": 60.0}
_SITES = 4000
_TLDS = ("com", "org", "de", "fr", "co.uk", "com.au", "nl", "io")


def _robots(rnd: random.Random, host: str, path: str, allowed: bool) -> dict[str, object]:
    return {
        "token": "HeedBot",
        "doc_url": f"https://{host}/robots.txt",
        "doc_status": 200,
        "doc_fetched_at": "2025-06-01T10:00:00.000000Z",
        "doc_sha256": f"{rnd.getrandbits(256):064x}",
        "group": ["*"],
        "group_line": 1,
        "rule": "no rule matched" if allowed else f"Disallow: {path.rsplit('/', 1)[0]}/",
        **({} if allowed else {"rule_line": 3}),
    }


def write_synthetic_log(path: Path, records: int, seed: int = 1) -> Path:
    """A realistic decision log of ``records`` records (run header included)."""
    rnd = random.Random(seed)
    hosts = [f"www.site{i}.{_TLDS[i % len(_TLDS)]}" for i in range(_SITES)]
    log = DecisionLog(path, fsync_every=0, fsync_seconds=3600)
    log.write_header(
        {
            "spider": "site",
            "started_at": "2025-06-01T10:00:00.000000Z",
            "product_token": "HeedBot",
            "user_agent": "Mozilla/5.0 (compatible; HeedBot/0.1; +https://example.org/bot)",
            "software": {"heed": "0.1.0", "scrapy": "2.13", "protego": "0.4"},
            "settings_digest": f"{rnd.getrandbits(256):064x}",
            "worker": "bench:1",
        }
    )
    while log.records < records:
        host = hosts[int(_SITES * rnd.random() ** 3)]  # a few big sites, a long tail
        path_ = f"/section{rnd.randrange(50)}/article-{rnd.randrange(10**6)}.html"
        url = f"https://{host}{path_}"
        allowed = rnd.random() > 0.08
        evidence = {"access": {"credentials": "none"}, "robots": _robots(rnd, host, path_, allowed)}
        seq = log.write(
            {
                "url": url,
                "stage": "request",
                "decision": "allow" if allowed else "deny",
                "check": "robots",
                "reason": "robots.no_rule" if allowed else "robots.disallow",
                "evidence": evidence,
            }
        )
        if allowed and log.records < records:
            paywalled = rnd.random() < 0.03
            log.write(
                {
                    "url": url,
                    "stage": "response",
                    "decision": "deny" if paywalled else "allow",
                    "check": "paywall",
                    "reason": "paywall.schema_org" if paywalled else "paywall.none",
                    "evidence": {
                        "access": {"status": 200},
                        "paywall": {"markup": "json-ld"} if paywalled else {},
                    },
                    "status": 200,
                    "content_type": "text/html",
                    "bytes": int(rnd.lognormvariate(10, 1)),
                    "request_seq": seq,
                }
            )
    log.close()
    return path


def timed(args: list[str]) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds and peak resident memory (KiB) of one ``heed`` command."""
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "crawler", *args], stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise SystemExit(f"heed {' '.join(args)} failed with exit code {proc.returncode}")
    return time.perf_counter() - started, usage.ru_utime + usage.ru_stime, usage.ru_maxrss


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="heed-bench-") as scratch:
        work = Path(scratch)
        log = write_synthetic_log(work / "decisions.jsonl", args.records)
        size = log.stat().st_size
        commands = {
            f"export {fmt}": ["log", "export", str(log), "-o", str(work / f"out.{fmt}")]
            for fmt in ("csv", "jsonl", "parquet")
        }
        commands["report"] = ["report", str(log), "-o", str(work / "report")]
        rows, loads = [], []
        for name, command in commands.items():
            loads.append(os.getloadavg()[0])
            runs = [timed(command) for _ in range(args.runs)]
            seconds = median([wall for wall, _, _ in runs])
            cpu = median([cpu for _, cpu, _ in runs])
            memory = max(m for _, _, m in runs) / 1024
            verdict = "met" if seconds < TARGETS[name] else "**missed**"
            rows.append(
                f"| `heed {name}` | {seconds:.1f} s | {cpu:.1f} s | {memory:,.0f} MiB | "
                f"< {TARGETS[name]:.0f} s | {verdict} |"
            )
            print(rows[-1], flush=True)
    table = "\n".join(
        [
            f"Log tools over {args.records:,} decision records ({size / 1e6:,.0f} MB of JSON "
            f"Lines), median of {args.runs} runs, each command a fresh process "
            "(`python -m bench.log_tools`). Every run re-verifies the whole hash chain. "
            f"Load average while measuring: {min(loads):.1f} to {max(loads):.1f} on this "
            f"{os.cpu_count()}-core machine; CPU time is what the "
            "command itself used, the better guide on a shared machine.",
            "",
            "| command | median wall time | median CPU time | peak memory | target | |",
            "| --- | --- | --- | --- | --- | --- |",
            *rows,
        ]
    )
    print(f"written to {write_section('log_tools', table)}")


if __name__ == "__main__":
    main()
