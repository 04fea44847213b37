"""Benchmark: ``heed log export`` and ``heed report`` over a log of 1,000,000 decision records.

The log is written by the real writer (``DecisionLog``) with records shaped like a full-stack
crawl's (about 1.1 kB each): requests judged by the blocklist, access, robots.txt, Content-Usage,
Content-Signal, TDMRep and ai.txt checks, responses by the access, paywall, TDMRep,
Content-Usage, Content-Signal and noai checks, every check's evidence and finding; 8 % of the
requests disallowed, 3 % of the responses paywalled; a few big sites and a long tail of 4,000.
Each command runs in its own process, as a user runs it; the median of the runs is reported
with the peak memory of the largest one.

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
from typing import Any

from bench.report import median, write_section
from crawler.log.chain import DecisionLog

TARGETS = {
    "log export csv": 30.0,
    "log export jsonl": 30.0,
    "log export parquet": 30.0,
    "report": 60.0,
}
_SITES = 4000
_TLDS = ("com", "org", "de", "fr", "co.uk", "com.au", "nl", "io")
_FETCHED = "2025-06-01T10:00:00.000000Z"
_PURPOSE = {"purpose": "train-ai"}


def _document(rnd: random.Random, url: str, status: int) -> dict[str, Any]:
    sha = f"{rnd.getrandbits(256):064x}"
    return {"doc_url": url, "doc_status": status, "doc_fetched_at": _FETCHED, "doc_sha256": sha}


def _request(rnd: random.Random, host: str, path: str, allowed: bool) -> dict[str, Any]:
    """Evidence and findings of one request, as the full request gate writes them."""
    rule = "no rule matched" if allowed else f"Disallow: {path.rsplit('/', 1)[0]}/"
    robots = {
        "token": "HeedBot",
        **_document(rnd, f"https://{host}/robots.txt", 200),
        "group": ["*"],
        "group_line": 1,
        "rule": rule,
        **({} if allowed else {"rule_line": 3}),
    }
    evidence = {
        "blocklist": {"host": host, "lists_sha256": "2" * 64},
        "access": {},
        "robots": robots,
        "content-usage": {"preference": "unknown", "rules": {}, "source": "robots.txt", **_PURPOSE},
        "content-signal": {"signal": "ai-train", "source": "robots.txt", "value": None, **_PURPOSE},
        "tdmrep": _document(rnd, f"https://{host}/.well-known/tdmrep.json", 404),
        "ai-txt": _document(rnd, f"https://{host}/ai.txt", 404),
    }
    answers = {
        "blocklist": ("allow", "blocklist.not_listed"),
        "access": ("allow", "access.open"),
        "robots": ("allow", "robots.no_rule") if allowed else ("deny", "robots.disallow"),
        "content-usage": ("allow", "content-usage.unknown"),
        "content-signal": ("allow", "content-signal.unknown"),
        "tdmrep": ("allow", "tdmrep.none"),
        "ai-txt": ("allow", "ai-txt.unavailable"),
    }
    if not allowed:  # the request gate stops at the first deny
        evidence = {k: evidence[k] for k in ("blocklist", "access", "robots")}
        answers = {k: answers[k] for k in evidence}
    return _record("request", evidence, answers)


def _response(paywalled: bool) -> dict[str, Any]:
    """Evidence and findings of one response: the response gate asks every check."""
    evidence = {
        "access": {"status": 200},
        "paywall": {"markup": "json-ld", "isAccessibleForFree": False} if paywalled else {},
        "tdmrep": {"header": None, "meta": None},
        "content-usage": {"header": None, **_PURPOSE},
        "content-signal": {"header": None, **_PURPOSE},
        "noai": {"x_robots_tag": [], "meta": []},
    }
    answers = {
        "access": ("allow", "access.open"),
        "paywall": ("deny", "paywall.schema_org") if paywalled else ("allow", "paywall.none"),
        "tdmrep": ("allow", "tdmrep.none"),
        "content-usage": ("allow", "content-usage.unknown"),
        "content-signal": ("allow", "content-signal.unknown"),
        "noai": ("allow", "noai.none"),
    }
    return _record("response", evidence, answers)


def _record(
    stage: str, evidence: dict[str, Any], answers: dict[str, tuple[str, str]]
) -> dict[str, Any]:
    deciding = next((c for c, (d, _) in answers.items() if d == "deny"), list(answers)[-1])
    return {
        "stage": stage,
        "decision": answers[deciding][0],
        "check": deciding,
        "reason": answers[deciding][1],
        "evidence": evidence,
        "findings": {c: {"decision": d, "reason": r} for c, (d, r) in answers.items()},
    }


def write_synthetic_log(path: Path, records: int, seed: int = 1) -> Path:
    """A realistic decision log of ``records`` records (run header included)."""
    rnd = random.Random(seed)
    hosts = [f"www.site{i}.{_TLDS[i % len(_TLDS)]}" for i in range(_SITES)]
    log = DecisionLog(path, fsync_every=0, fsync_seconds=3600)
    log.write_header(
        {
            "spider": "site",
            "started_at": _FETCHED,
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
        seq = log.write({"url": url, **_request(rnd, host, path_, allowed)})
        if allowed and log.records < records:
            response = _response(paywalled=rnd.random() < 0.03)
            size = int(rnd.lognormvariate(10, 1))
            log.write({"url": url, **response, "status": 200, "content_type": "text/html",
                       "bytes": size, "request_seq": seq})  # fmt: skip
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
            f"log export {fmt}": ["log", "export", str(log), "-o", str(work / f"out.{fmt}")]
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
