"""report.html in a real browser: headless Chromium draws its charts from the one file alone."""

from __future__ import annotations

import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pytest

from crawler.cli import main
from crawler.report.svg import ALLOW_COLOUR, DENY_COLOUR

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="Debian's chromium is not installed (.ci/run installs it)"
)


def screenshot(page: Path, png: Path, profile: Path) -> None:
    """Render ``page`` offline with a fresh profile and save what a reader would see."""
    assert CHROMIUM is not None
    subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            f"--user-data-dir={profile}",
            "--hide-scrollbars",
            "--force-device-scale-factor=1",
            "--window-size=1100,2600",
            f"--screenshot={png}",
            page.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )


def pixels_near(colours: Counter[tuple[int, int, int]], hex_colour: str) -> int:
    want = tuple(int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return sum(
        n for c, n in colours.items() if max(abs(a - b) for a, b in zip(c, want, strict=True)) <= 12
    )


def test_report_charts_render_in_headless_chromium(tmp_path: Path, demo_crawl) -> None:
    from PIL import Image

    out = tmp_path / "report"
    assert main(["report", str(demo_crawl.log_path), "-o", str(out)]) == 0
    png = tmp_path / "report.png"
    screenshot(out / "report.html", png, tmp_path / "profile")
    with Image.open(png) as image:
        assert image.size == (1100, 2600)
        colours = Counter({rgb: n for n, rgb in image.convert("RGB").getcolors(1 << 24)})
    # Allowed bars (decisions over time, top domains) and denied bars (over time, denials by
    # check and reason) are drawn, and there is text on the page, not a blank or error page.
    assert pixels_near(colours, ALLOW_COLOUR) > 2000
    assert pixels_near(colours, DENY_COLOUR) > 2000
    assert pixels_near(colours, "#1b1b1b") > 2000
