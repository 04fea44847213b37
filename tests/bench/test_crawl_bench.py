"""The crawl benchmark still runs: a tiny site, one round, nothing written."""

from __future__ import annotations

import subprocess
import sys

from tests.crawling import REPO


def test_quick_crawl_benchmark_takes_the_allowed_pages_with_both_crawlers() -> None:
    proc = subprocess.run(
        [sys.executable, str(REPO / "bench" / "crawl.py"), "--quick"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "round 1/1 stock: " in proc.stdout
    assert "round 1/1 heed: " in proc.stdout
    assert "**Heed / stock: " in proc.stdout
    assert "written to" not in proc.stdout
