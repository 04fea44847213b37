"""The demo's rights-reservation pages: ``heed demo`` shows each protocol denying."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]

DENIED = {
    # demo path on the "optouts" origin -> (stage, check, reason)
    "/tdmrep/file.html": ("request", "tdmrep", "tdmrep.reserved"),
    "/tdmrep/header.html": ("response", "tdmrep", "tdmrep.reserved"),
    "/tdmrep/meta.html": ("response", "tdmrep", "tdmrep.reserved"),
    "/content-usage/robots.html": ("request", "content-usage", "content-usage.disallow"),
    "/content-usage/header.html": ("response", "content-usage", "content-usage.disallow"),
    "/noai/header.html": ("response", "noai", "noai.noai"),
    "/noai/meta.html": ("response", "noai", "noai.noai"),
    "/ai-txt/page.html": ("request", "ai-txt", "ai-txt.disallow"),
}


class Demo:
    """One ``heed demo`` run in a subprocess: its origins, log records and kept pages."""

    def __init__(self, out: Path) -> None:
        env = {k: v for k, v in os.environ.items() if k != "SCRAPY_SETTINGS_MODULE"}
        env["PYTHONPATH"] = str(REPO)
        proc = subprocess.run(
            [sys.executable, "-m", "crawler", "demo", "-o", str(out)],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert proc.returncode == 0, proc.stdout + proc.stderr
        self.bases = dict(re.findall(r"^  (\w+)\s+(http://\S+)", proc.stdout, flags=re.M))
        log = next(out.glob("decisions-*.jsonl"))
        self.records = [json.loads(line) for line in log.read_text().splitlines()]
        pages = (out / "pages.jl").read_text().splitlines()
        self.kept = {json.loads(line)["url"] for line in pages}

    def url(self, role: str, path: str) -> str:
        return self.bases[role] + path

    def denial(self, url: str) -> dict:
        (found,) = [r for r in self.records if r.get("url") == url and r["decision"] == "deny"]
        return found

    def fetched(self, url: str) -> bool:
        return any(r.get("url") == url and r["stage"] == "response" for r in self.records)


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Demo:
    return Demo(tmp_path_factory.mktemp("demo"))


@pytest.mark.parametrize("path", list(DENIED), ids=str)
def test_every_protocol_page_is_denied(demo, path) -> None:
    url = demo.url("optouts", path)
    found = demo.denial(url)
    assert (found["stage"], found["check"], found["reason"]) == DENIED[path]
    assert demo.fetched(url) is (found["stage"] == "response")
    assert url not in demo.kept


def test_content_signals_origin_is_denied_before_any_page(demo) -> None:
    found = demo.denial(demo.url("signals", "/"))
    assert (found["check"], found["reason"]) == ("content-signal", "content-signal.disallow")
    assert not demo.fetched(demo.url("signals", "/"))


def test_search_only_preference_does_not_stop_the_training_crawl(demo) -> None:
    assert demo.url("optouts", "/articles/search-only.html") in demo.kept
