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


# Appended to a copy of the report (the report itself has no script): every word of the page's
# text that the browser laid out on more than one line, and any literal backtick.
_WORD_CHECK = """<script>
const broken = [];
const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
for (let node = walker.nextNode(); node; node = walker.nextNode()) {
  if (node.parentElement.closest("td.long, svg, script")) continue;
  for (const m of node.data.matchAll(/\\S+/g)) {
    const range = document.createRange();
    range.setStart(node, m.index);
    range.setEnd(node, m.index + m[0].length);
    const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
    if (tops.size > 1) broken.push(m[0]);
  }
}
const ticks = document.body.innerText.includes("`");
document.title = "RESULT " + JSON.stringify({broken, ticks});
</script>"""


@pytest.mark.parametrize("width", [1100, 700])
def test_report_words_never_break_mid_word_and_show_no_backticks(
    tmp_path: Path, demo_crawl, width: int
) -> None:
    import html
    import json
    import re

    out = tmp_path / "report"
    assert main(["report", str(demo_crawl.log_path), "-o", str(out)]) == 0
    page = out / "checked.html"
    page.write_text(
        (out / "report.html").read_text().replace("</body>", _WORD_CHECK + "</body>"),
        encoding="utf-8",
    )
    assert CHROMIUM is not None
    dom = subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            f"--user-data-dir={tmp_path / 'profile'}",
            f"--window-size={width},2000",
            "--dump-dom",
            page.as_uri(),
        ],
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    ).stdout
    found = re.search(r"<title>RESULT (.*?)</title>", dom)
    assert found, dom[:500]
    result = json.loads(html.unescape(found.group(1)))
    assert result == {"broken": [], "ticks": False}
