"""Cost per asset of the response gate's asset checks (IPTC, TDMRep in XMP and EPUB, C2PA):
the adapters themselves, each asset read once and shared, on a 5 MB JPEG and a 2 MB PDF.
Target: at most 5 ms per asset."""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scrapy.http import Response  # noqa: E402

from bench.asset_checks import noise_jpeg  # noqa: E402
from bench.asset_docs import two_megabyte_pdf  # noqa: E402
from bench.report import median, write_section  # noqa: E402
from crawler.checks.assets import C2paCheck, EpubTdmrepCheck, IptcCheck, XmpTdmrepCheck  # noqa: E402
from crawler.page import Page  # noqa: E402
from tests.reservations import assets  # noqa: E402
from tests.reservations.c2pa_assets import generated_signer, mining, sign_jpeg  # noqa: E402

CHECKS = (IptcCheck(), XmpTdmrepCheck(), EpubTdmrepCheck(), C2paCheck())


async def judge(response: Response) -> None:
    page = Page(response)
    for check in CHECKS:
        await check.check_response(response, page)


def per_asset_ms(body: bytes, content_type: str, runs: int) -> float:
    samples = []
    for _ in range(runs):
        response = Response(
            "http://127.0.0.1/asset", body=body, headers={"Content-Type": content_type}
        )
        start = time.perf_counter()
        asyncio.run(judge(response))
        samples.append(time.perf_counter() - start)
    return median(samples) * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    runs = parser.parse_args().runs
    prohibited = assets.data_mining(f"{assets.VOCAB}DMI-PROHIBITED-AIMLTRAINING")
    plain = noise_jpeg(None)
    cases = [
        ("JPEG, 5 MB, IPTC packet", noise_jpeg(prohibited), "image/jpeg"),
        ("JPEG, 5 MB, no metadata", plain, "image/jpeg"),
        (
            "JPEG, 5 MB, signed C2PA manifest",
            sign_jpeg(
                generated_signer(),
                [mining({"cawg.ai_training": {"use": "notAllowed"}})],
                image=plain,
            ),
            "image/jpeg",
        ),
        ("PDF, 2 MB, TDMRep and IPTC in XMP", two_megabyte_pdf(), "application/pdf"),
    ]
    lines = [
        "## Asset checks per asset",
        "",
        "All four asset checks of the response gate (IPTC, TDMRep in XMP, TDMRep in EPUB, C2PA)",
        "on one response, the asset read once and shared. Target: at most 5 ms per asset.",
        "",
        "| asset | bytes | median ms |",
        "|---|---:|---:|",
    ]
    for name, body, content_type in cases:
        lines.append(f"| {name} | {len(body):,} | {per_asset_ms(body, content_type, runs):.2f} |")
    lines += ["", f"Medians of {runs} runs. Reproduce: `.venv/bin/python bench/assets.py`."]
    markdown = "\n".join(lines)
    print(markdown)
    print(f"\nwritten to {write_section('assets', markdown)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
