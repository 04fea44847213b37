"""What the asset checks cost on a 5 MB JPEG: XMP, IPTC Data Mining, TDMRep-in-XMP and C2PA.

Each check runs several times on the same bytes and the median is printed, in milliseconds.
The JPEG is noise (so it does not compress below 5 MB), built with Pillow; its signed twin
carries a C2PA manifest made under a certificate chain generated for the run.

    .venv/bin/python bench/asset_checks.py
"""

from __future__ import annotations

import io
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PIL import Image  # noqa: E402

from reservations.c2pa_training import c2pa_verdict  # noqa: E402
from reservations.iptc import data_mining_verdict  # noqa: E402
from reservations.xmp import find_xmp  # noqa: E402
from reservations.xmp_tdm import tdm_verdict  # noqa: E402
from tests.reservations import assets  # noqa: E402
from tests.reservations.c2pa_assets import generated_signer, mining, sign_jpeg  # noqa: E402

REPEATS = 15
TARGET = 5 << 20


def noise_jpeg(xmp: bytes | None) -> bytes:
    """A JPEG of random pixels just over 5 MB, with ``xmp`` in APP1 when given."""
    side = 1400
    while True:
        pixels = random.Random(5).randbytes(side * side * 3)
        image = Image.frombytes("RGB", (side, side), pixels)
        out = io.BytesIO()
        image.save(out, "JPEG", quality=95, **({"xmp": xmp} if xmp else {}))
        if out.tell() >= TARGET:
            return out.getvalue()
        side += 200


def median_ms(check: Callable[[], object]) -> float:
    times = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        check()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def main() -> None:
    with_xmp = noise_jpeg(assets.data_mining(f"{assets.VOCAB}DMI-PROHIBITED-AIMLTRAINING"))
    without = noise_jpeg(None)
    signed = sign_jpeg(
        generated_signer(),
        [mining({"cawg.ai_training": {"use": "notAllowed"}})],
        image=without,
    )
    rows = [
        ("find_xmp, packet in APP1", lambda: find_xmp(with_xmp)),
        ("find_xmp, no packet (walk + fallback scan)", lambda: find_xmp(without)),
        (
            "IPTC Data Mining verdict (find + parse)",
            lambda: data_mining_verdict(find_xmp(with_xmp)),
        ),
        ("TDMRep-in-XMP verdict (find + parse)", lambda: tdm_verdict(find_xmp(with_xmp))),
        ("C2PA verdict, no manifest", lambda: c2pa_verdict(without, "image/jpeg")),
        ("C2PA verdict, signed manifest (validated)", lambda: c2pa_verdict(signed, "image/jpeg")),
    ]
    print(f"JPEG sizes: {len(with_xmp):,} / {len(without):,} / {len(signed):,} bytes")
    print(f"{'check':<46} {'median ms':>10}")
    for name, check in rows:
        print(f"{name:<46} {median_ms(check):>10.2f}")


if __name__ == "__main__":
    main()
