"""The asset benchmark hashes what a signed JPEG's data hash covers: the JPEG before signing."""

from __future__ import annotations

from bench.assets import hashed_parts
from tests.reservations import assets
from tests.reservations.c2pa_assets import generated_signer, mining, sign_jpeg


def test_hashed_parts_of_a_signed_jpeg_are_the_jpeg_before_signing() -> None:
    image = assets.jpeg()
    signed = sign_jpeg(
        generated_signer(), [mining({"cawg.ai_training": {"use": "allowed"}})], image=image
    )
    assert len(signed) > len(image)
    assert b"".join(hashed_parts(signed)) == image
