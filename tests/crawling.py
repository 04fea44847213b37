"""Run real crawls in a subprocess and read what they left: the decision log and the items.

Every crawl is a real ``scrapy crawl`` against servers on 127.0.0.1, with its own decision log
and feed in a temporary folder: of Heed's own ``site`` spider, or (``project=``) of a spider of
another Scrapy project, run from that project's folder with its own settings and identity.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crawler.log.read import SEAL_STAGES

REPO = Path(__file__).resolve().parent.parent

IDENTITY = {
    "HEED_PRODUCT_TOKEN": "HeedTestBot",
    "USER_AGENT": "HeedTestBot/1.0 (+http://127.0.0.1/bot)",
}
# Fast, deterministic test crawls: no politeness delays, short timeouts.
TEST_SETTINGS: dict[str, Any] = {
    "LOG_LEVEL": "INFO",
    **IDENTITY,
    "DOWNLOAD_TIMEOUT": 10,
    "HEED_ROBOTS_TIMEOUT": 5,
    "RETRY_ENABLED": False,
    "HEED_LOG_FSYNC_RECORDS": 0,
    "HEED_LOG_FSYNC_SECONDS": 60,
}


@dataclass
class CrawlResult:
    returncode: int
    stdout: str
    stderr: str
    log_path: Path
    items: list[dict[str, Any]] = field(default_factory=list)
    # The run header and decisions; ``written`` also holds the checkpoint and closing records.
    records: list[dict[str, Any]] = field(default_factory=list)
    written: list[dict[str, Any]] = field(default_factory=list)

    def decisions(self, stage: str | None = None, url: str | None = None) -> list[dict[str, Any]]:
        """Decision records (run header left out), optionally of one stage and URL."""
        return [
            r
            for r in self.records
            if r["stage"] != "run"
            and (stage is None or r["stage"] == stage)
            and (url is None or r["url"] == url)
        ]

    def decision_for(self, url: str, stage: str = "request") -> dict[str, Any]:
        """The one decision for ``url`` at ``stage``; fails loudly unless there is exactly one."""
        found = self.decisions(stage, url)
        assert len(found) == 1, f"expected one {stage} decision for {url}, got {found}"
        return found[0]

    @property
    def item_urls(self) -> set[str]:
        return {item["url"] for item in self.items}


def _setting_arg(name: str, value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value)
    return f"{name}={text}"


def _limit_file_size(limit: int) -> Any:
    """Make every file write past ``limit`` bytes fail (EFBIG), as a full disk would."""

    def apply() -> None:
        import resource

        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


def crawl_command(
    workdir: Path,
    urls: list[str] | None = None,
    *,
    settings: dict[str, Any] | None = None,
    spider_args: dict[str, str] | None = None,
    log_name: str = "decisions.jsonl",
    spider: str = "site",
    project: Path | None = None,
    env: dict[str, str] | None = None,
) -> tuple[list[str], dict[str, str]]:
    """The ``scrapy crawl`` command line and environment of a test crawl in ``workdir``
    (for tests that run several crawls at once)."""
    workdir.mkdir(parents=True, exist_ok=True)
    test_settings = {k: v for k, v in TEST_SETTINGS.items() if not (project and k in IDENTITY)}
    merged = {**test_settings, "HEED_DECISION_LOG": str(workdir / log_name), **(settings or {})}
    args = [sys.executable, "-m", "scrapy", "crawl", spider, "-O", str(workdir / "items.jsonl")]
    if urls:
        args += ["-a", "urls=" + ",".join(urls)]
    for key, value in (spider_args or {}).items():
        args += ["-a", f"{key}={value}"]
    for key, value in merged.items():
        args += ["-s", _setting_arg(key, value)]
    environment = {
        **{k: v for k, v in os.environ.items() if k != "SCRAPY_SETTINGS_MODULE"},
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
        **({} if project else {"SCRAPY_SETTINGS_MODULE": "crawler.settings"}),
        **(env or {}),
    }
    return args, environment


def read_crawl(
    workdir: Path, returncode: int, stdout: str, stderr: str, log_name: str = "decisions.jsonl"
) -> CrawlResult:
    """What a finished test crawl in ``workdir`` left: its log records and items."""
    log_path, feed = workdir / log_name, workdir / "items.jsonl"
    result = CrawlResult(returncode, stdout, stderr, log_path)
    if feed.exists():
        result.items = [json.loads(line) for line in feed.read_text().splitlines() if line]
    if log_path.exists():
        result.written = [json.loads(line) for line in log_path.read_text().splitlines() if line]
        result.records = [r for r in result.written if r["stage"] not in SEAL_STAGES]
    return result


def run_crawl(
    workdir: Path,
    urls: list[str] | None = None,
    *,
    settings: dict[str, Any] | None = None,
    spider_args: dict[str, str] | None = None,
    timeout: float = 90,
    log_name: str = "decisions.jsonl",
    file_size_limit: int | None = None,
    spider: str = "site",
    project: Path | None = None,
    env: dict[str, str] | None = None,
) -> CrawlResult:
    """Crawl ``urls`` with the full Heed stack; return the log records and items. With
    ``project``, ``spider`` is one of that project's, run from its folder (its scrapy.cfg)."""
    args, env = crawl_command(
        workdir,
        urls,
        settings=settings,
        spider_args=spider_args,
        log_name=log_name,
        spider=spider,
        project=project,
        env=env,
    )
    proc = subprocess.run(
        args,
        cwd=project or workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        preexec_fn=_limit_file_size(file_size_limit) if file_size_limit else None,
    )
    return read_crawl(workdir, proc.returncode, proc.stdout, proc.stderr, log_name)


@dataclass
class Interrupted:
    """A crawl stopped with Ctrl-C: what it left, when it was interrupted (``time.time()``)
    and how many seconds it took to exit after that."""

    result: CrawlResult
    at: float
    took: float


def interrupt_crawl(
    workdir: Path,
    command: tuple[list[str], dict[str, str]],
    ready: Callable[[], bool],
    settle: float,
    *,
    before: Callable[[int], None] | None = None,
    timeout: float = 10,
    log_name: str = "decisions.jsonl",
) -> Interrupted:
    """Run ``command`` (from ``crawl_command``), wait until ``ready()`` and ``settle`` seconds
    more, call ``before(pid)``, send SIGINT as a terminal would, and wait for it to exit."""
    args, env = command
    proc = subprocess.Popen(
        args,
        cwd=workdir,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # As from a terminal: SIGINT not ignored, whatever the test runner does with it.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        deadline = time.monotonic() + 30
        while not ready() and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(settle)
        if before is not None:
            before(proc.pid)
        at = time.time()
        proc.send_signal(signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=timeout)
    finally:
        proc.kill()
    took = time.time() - at
    return Interrupted(read_crawl(workdir, proc.returncode, stdout, stderr, log_name), at, took)
