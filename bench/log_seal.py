"""Benchmark: the sealed decision log (Merkle tree, signed checkpoints) and its readers.

1. Write rate of a typical request record (the full request gate's evidence, about 1 kB):
   the writer before checkpoints (main's ``crawler/log/chain.py`` at ``--base``) against the
   writer with its Merkle tree and an Ed25519-signed checkpoint every 10,000 records, in the
   same process and minutes; medians of several runs, and their ratio.
2. ``heed log verify --key``, ``heed evidence`` and ``heed log export --domain`` over a signed
   log of 1,000,000 records, each a fresh process, as a user runs them.

    python -m bench.log_seal [--part write|read|both] [--records 1000000] [--runs 3]
                             [--read-runs 3] [--base 3f46a4f]
"""

from __future__ import annotations

import argparse
import importlib.util
import multiprocessing
import os
import random
import subprocess
import tempfile
import time
from collections import Counter
from pathlib import Path
from types import ModuleType
from typing import Any

from bench.log_tools import _request, _response, timed
from bench.report import median, write_section
from crawler.log.chain import DecisionLog
from crawler.log.checkpoint import generate_key, load_private_key
from crawler.log.seal import Sealer, SigningKey, log_origin

WRITE_TARGET = 50_000  # records per second
READ_TARGET = 30.0  # seconds over 1,000,000 records
_WRITES = 200_000
_SITES = 4000
_TLDS = ("com", "org", "de", "fr", "co.uk", "com.au", "nl", "io")
_EVERY = 10_000


def _base_chain(commit: str, scratch: Path) -> ModuleType:
    """main's writer as it was before checkpoints, loaded from git."""
    source = subprocess.run(
        ["git", "show", f"{commit}:crawler/log/chain.py"],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parent.parent,
    ).stdout
    path = scratch / "base_chain.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location("base_chain", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _typical(rnd: random.Random) -> dict[str, Any]:
    host = f"www.site{rnd.randrange(_SITES)}.com"
    path = f"/section{rnd.randrange(50)}/article-{rnd.randrange(10**6)}.html"
    return {"url": f"https://{host}{path}", **_request(rnd, host, path, True)}


def _write_rate(log_class: Any, path: Path, records: list[dict[str, Any]], sealed: bool) -> float:
    """Records per CPU-second written (and sealed, when ``sealed``) to a fresh log."""
    log = log_class(path, fsync_every=1000, fsync_seconds=1.0)
    log.write_header({"run_id": "bench"})
    sealer = Sealer(log, log_origin("bench"), key=_key(), every_records=_EVERY) if sealed else None
    started = time.process_time()  # CPU time: the machine may be shared
    for record in records:
        log.write(record)
        if sealer is not None and sealer.due():
            sealer.checkpoint()
    if sealer is not None:
        sealer.close("finished", {"allow": len(records)})
    log.close()
    rate = len(records) / (time.process_time() - started)
    path.unlink()
    return rate


def _key() -> SigningKey:
    return SigningKey("heed", load_private_key(generate_key("heed")[0]))


def write_signed_log(path: Path, records: int, key: SigningKey, seed: int = 1) -> Path:
    """A signed, closed log of ``records`` records shaped like a full-stack crawl's."""
    rnd = random.Random(seed)
    hosts = [f"www.site{i}.{_TLDS[i % len(_TLDS)]}" for i in range(_SITES)]
    log = DecisionLog(path, fsync_every=0, fsync_seconds=3600)
    log.write_header({"run_id": "bench", "product_token": "HeedBot", "worker": "bench:1"})
    sealer = Sealer(log, log_origin("bench"), key=key, every_records=_EVERY)
    counts: Counter[str] = Counter()
    while log.records < records - 1:
        host = hosts[int(_SITES * rnd.random() ** 3)]  # a few big sites, a long tail
        path_ = f"/section{rnd.randrange(50)}/article-{rnd.randrange(10**6)}.html"
        url = f"https://{host}{path_}"
        allowed = rnd.random() > 0.08
        record = _request(rnd, host, path_, allowed)
        seq = log.write({"url": url, **record})
        counts[record["decision"]] += 1
        if allowed:
            response = _response(paywalled=rnd.random() < 0.03)
            log.write({"url": url, **response, "status": 200, "request_seq": seq})
            counts[response["decision"]] += 1
        if sealer.due():
            sealer.checkpoint()
    sealer.close("finished", counts)
    log.close()
    return path


def write_part(args: argparse.Namespace, work: Path) -> str:
    """The write-rate table: main's writer against the sealing writer, in CPU time."""
    base = _base_chain(args.base, work)
    rnd = random.Random(7)
    sample = [_typical(rnd) for _ in range(_WRITES)]
    plain, sealed = [], []
    for _ in range(args.runs):
        plain.append(_write_rate(base.DecisionLog, work / "plain.jsonl", sample, False))
        sealed.append(_write_rate(DecisionLog, work / "sealed.jsonl", sample, True))
    before, after = median(plain), median(sealed)
    print(f"write: before {before:,.0f}/s, sealed {after:,.0f}/s", flush=True)
    verdict = "met" if after >= WRITE_TARGET else "**missed**"
    return "\n".join(
        [
            "### Sealed decision log: write rate",
            "",
            f"A typical request record (every request check's evidence, {len(str(sample[0])):,} "
            f"characters), {_WRITES:,} records, median of {args.runs} runs, records per "
            "CPU-second of the writing process (the machine was shared; wall time was not a "
            "fair measure) (`python -m bench.log_seal --part write`): main's writer before "
            f"checkpoints ({args.base}) against the writer with its RFC 9162 tree and an "
            f"Ed25519-signed checkpoint every {_EVERY:,} records, both with fsync every 1,000.",
            "",
            "| writer | records per CPU-second | runs | ratio | target | |",
            "| --- | --- | --- | --- | --- | --- |",
            f"| chain only (before) | {before:,.0f} | {_runs(plain)} | 1.00 | | |",
            f"| chain + Merkle tree + signing | {after:,.0f} | {_runs(sealed)} | "
            f"{after / before:.2f} | ≥ {WRITE_TARGET:,} | {verdict} |",
        ]
    )


def _runs(rates: list[float]) -> str:
    return ", ".join(f"{r:,.0f}" for r in rates)


def read_part(args: argparse.Namespace, work: Path) -> str:
    """The readers' table over a signed log of ``args.records`` records."""
    key = _key()
    public = work / "heed.pub"
    public.write_text(key.verifier + "\n")
    log = write_signed_log(work / "decisions.jsonl", args.records, key)
    size = log.stat().st_size
    commands = {
        "log verify --key": ["log", "verify", "--key", str(public), str(log)],
        "evidence site0.com": ["evidence", "site0.com", str(log), "-o", str(work / "ev")],
        "log export --domain site0.com": [
            "log",
            "export",
            str(log),
            "--domain",
            "site0.com",
            "-o",
            str(work / "d.jsonl"),
        ],  # fmt: skip
    }
    rows = []
    # Each command is started by a fresh, small process: Linux counts the memory of the
    # process that starts a command in the command's peak (wait4), and this one holds a lot.
    with multiprocessing.get_context("spawn").Pool(1) as starter:
        runs_of = {
            name: [starter.apply(timed, (command,)) for _ in range(args.read_runs)]
            for name, command in commands.items()
        }
    for name, runs in runs_of.items():
        seconds, cpu = median([r[0] for r in runs]), median([r[1] for r in runs])
        memory = max(r[2] for r in runs) / 1024
        verdict = "met" if seconds < READ_TARGET else "**missed**"
        rows.append(
            f"| `heed {name}` | {seconds:.1f} s | {cpu:.1f} s | {memory:,.0f} MiB | "
            f"< {READ_TARGET:.0f} s | {verdict} |"
        )
        print(rows[-1], flush=True)
    bundle = sum(1 for _ in (work / "ev" / "records.jsonl").open()) - 1
    return "\n".join(
        [
            "### Sealed decision log: verify --key, evidence, export --domain",
            "",
            f"A signed log of {args.records:,} records ({size / 1e6:,.0f} MB), a checkpoint every "
            f"{_EVERY:,}; median of {args.read_runs} run(s), each command a fresh process "
            "(`python -m bench.log_seal --part read`); site0.com is the largest site "
            f"({bundle:,} decisions in its bundle). Load average {os.getloadavg()[0]:.1f} on "
            f"{os.cpu_count()} cores: CPU time is the better guide on a shared machine.",
            "",
            "| command | median wall time | median CPU time | peak memory | target | |",
            "| --- | --- | --- | --- | --- | --- |",
            *rows,
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3, help="write-rate runs")
    parser.add_argument("--read-runs", type=int, default=3, help="runs of each reader")
    parser.add_argument("--base", default="3f46a4f", help="main's commit before checkpoints")
    parser.add_argument("--part", choices=("write", "read", "both"), default="both")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="heed-bench-") as scratch:
        if args.part in ("write", "both"):
            print(f"written to {write_section('log_seal_write', write_part(args, Path(scratch)))}")
        if args.part in ("read", "both"):
            print(f"written to {write_section('log_seal_read', read_part(args, Path(scratch)))}")


if __name__ == "__main__":
    main()
