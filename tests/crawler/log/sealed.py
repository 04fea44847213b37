"""Write sealed decision logs for the tests: a run header with a run_id, decisions on some
domains, checkpoints every few records, and a closing record."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from crawler.log.chain import DecisionLog
from crawler.log.seal import Sealer, SigningKey, log_origin

URLS = (
    "http://a.example/1",
    "http://www.a.example/2",
    "http://b.example/1",
    "http://shop.a.example/3",
    "http://a.example.co.uk/1",
)


def open_sealed(
    path: Path,
    run_id: str = "run-a",
    *,
    key: SigningKey | None = None,
    anchor: Path | None = None,
    every: int = 4,
) -> tuple[DecisionLog, Sealer]:
    log = DecisionLog(path, fsync_every=0, fsync_seconds=3600)
    log.write_header({"run_id": run_id, "product_token": "HeedTestBot"})
    sealer = Sealer(log, log_origin(run_id), key=key, every_records=every, anchor=anchor)
    return log, sealer


def decide(log: DecisionLog, sealer: Sealer, n: int, counts: Counter[str]) -> None:
    for i in range(n):
        decision = "deny" if i % 3 == 0 else "allow"
        log.write(
            {
                "url": URLS[i % len(URLS)],
                "stage": "request",
                "decision": decision,
                "check": "robots",
                "reason": "robots.disallowed" if decision == "deny" else "robots.no_rule",
            }
        )
        counts[decision] += 1
        if sealer.due():
            sealer.checkpoint()


def sealed_log(
    path: Path,
    n: int = 20,
    run_id: str = "run-a",
    *,
    key: SigningKey | None = None,
    anchor: Path | None = None,
) -> Path:
    """A cleanly closed log of ``n`` decisions."""
    log, sealer = open_sealed(path, run_id, key=key, anchor=anchor)
    counts: Counter[str] = Counter()
    decide(log, sealer, n, counts)
    sealer.close("finished", counts)
    log.close()
    return path
