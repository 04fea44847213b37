"""Start cluster workers: real ``scrapy crawl site`` processes sharing one Redis."""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.crawling import CrawlResult, crawl_command, read_crawl

# Fast test clusters: close soon after the cluster runs dry, presume dead after 2 s.
CLUSTER_SETTINGS: dict[str, Any] = {
    "HEED_IDLE_CLOSE_S": 1.0,
    "HEED_WORKER_LEASE_S": 2.0,
}


@dataclass
class Worker:
    """One running worker process and the folder holding its log, feed and output."""

    proc: subprocess.Popen[bytes]
    workdir: Path

    @property
    def log_path(self) -> Path:
        return self.workdir / "decisions.jsonl"

    def records(self) -> list[dict[str, Any]]:
        """Complete records written so far (a record being written is left out)."""
        if not self.log_path.exists():
            return []
        lines = self.log_path.read_bytes().split(b"\n")[:-1]
        return [json.loads(line) for line in lines]

    def finish(self, timeout: float = 90) -> CrawlResult:
        returncode = self.proc.wait(timeout=timeout)
        out = (self.workdir / "stdout.txt").read_text()
        err = (self.workdir / "stderr.txt").read_text()
        return read_crawl(self.workdir, returncode, out, err)


def start_workers(
    root: Path, count: int, urls: list[str], redis_url: str, **settings: Any
) -> list[Worker]:
    """Start ``count`` workers at once, each in ``root/worker<N>``, all with the same seeds."""
    workers = []
    for n in range(count):
        workdir = root / f"worker{n}"
        merged = {**CLUSTER_SETTINGS, "HEED_REDIS_URL": redis_url, **settings}
        args, env = crawl_command(workdir, urls, settings=merged)
        with (workdir / "stdout.txt").open("wb") as out, (workdir / "stderr.txt").open("wb") as err:
            proc = subprocess.Popen(args, cwd=workdir, env=env, stdout=out, stderr=err)
        workers.append(Worker(proc, workdir))
    return workers
