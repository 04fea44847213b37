"""``heed demo``: a real crawl of the bundled site, from an empty folder, in under a minute."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]


def test_demo_crawls_the_bundled_site_and_verifies_its_log(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "SCRAPY_SETTINGS_MODULE"}
    env["PYTHONPATH"] = str(REPO)
    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "crawler", "demo"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    elapsed = time.monotonic() - started
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = proc.stdout
    assert elapsed < 60
    new_families = (
        "iptc.data_mining_prohibited",
        "c2pa.training_not_allowed",
        "tdmrep_xmp.reserved",
        "tdmrep_epub.reserved",
        "rsl.prohibited",
        "access.http_402",
    )
    for reason in ("robots.disallow", "robots.unreachable", "blocklist.listed", *new_families):
        assert reason in out, out
    assert "Requests that reached the blocklisted host: 0" in out
    assert "chain intact" in out
    log = next((tmp_path / "heed-demo").glob("decisions-*.jsonl"))
    assert str(log) in out
    lines = log.read_text().splitlines()
    records, decided = len(lines), sum('"decision":' in line for line in lines)
    # One count everywhere: every line of the log, as verify counts them.
    assert (
        f"The log holds {records} records: the run header, {decided} decisions and "
        f"{records - 1 - decided} checkpoint and closing records." in out
    )
    assert f"OK ({records} records, complete, chain intact" in out
    # The down origin is explained before its warning; policy files are a table of their own.
    assert "down on purpose" in out.split("robots.txt of")[0]
    pages, documents = out.split("Policy files fetched for the checks")
    assert "policy_document" not in pages.split("Decisions on pages")[1]
    assert "robots.policy_document" in documents and "robots.allow" not in documents
    assert "Next:\n  heed report heed-demo -o heed-demo/report" in out
    assert "heed log verify heed-demo" in out
    assert "Traceback" not in proc.stderr
    # The command the demo suggests works on its folder: the pages kept there are no log.
    verify = subprocess.run(
        [sys.executable, "-m", "crawler", "log", "verify", "heed-demo"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert verify.returncode == 0, verify.stdout + verify.stderr


def test_wheel_ships_the_demo_site(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(tmp_path), str(REPO)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (wheel,) = tmp_path.glob("heed-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "crawler/demo/site/routes.json" in names
    assert "crawler/demo/blocklist.yaml" in names
    assert "crawler/demo/site/main/robots.txt" in names
    assert "crawler/demo/site/main/articles/open-data.html" in names
    assert "crawler/demo/site/assets/photos/market.jpg" in names
