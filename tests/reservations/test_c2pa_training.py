"""C2PA training-mining assertions in JPEGs signed here with a generated ES256 chain."""

from __future__ import annotations

from typing import Any

import c2pa  # type: ignore[import-untyped]
import pytest
from pytest_httpserver import HTTPServer

from reservations.c2pa_training import (
    ManifestRead,
    c2pa_verdict,
    read_manifest_store,
    training_verdict,
)
from tests.reservations import assets
from tests.reservations.c2pa_assets import generated_signer, mining, sign_jpeg


@pytest.fixture(scope="module")
def signer_info() -> c2pa.C2paSignerInfo:
    return generated_signer()


@pytest.mark.parametrize(
    ("entries", "decision", "reason"),
    [
        ({"cawg.ai_training": {"use": "notAllowed"}}, "deny", "c2pa.training_not_allowed"),
        ({"cawg.data_mining": {"use": "notAllowed"}}, "deny", "c2pa.training_not_allowed"),
        (
            {"cawg.ai_generative_training": {"use": "constrained", "constraint_info": "ask"}},
            "deny",
            "c2pa.training_constrained",
        ),
        (
            {"cawg.ai_training": {"use": "allowed"}, "cawg.data_mining": {"use": "allowed"}},
            "allow",
            "c2pa.training_allowed",
        ),
        ({"cawg.ai_inference": {"use": "notAllowed"}}, "allow", "c2pa.no_training_entry"),
        ({"cawg.ai_training": {"use": "maybe"}}, "deny", "c2pa.training_mining_malformed"),
        (
            {"cawg.ai_training": {"use": "allowed"}, "cawg.data_mining": {"use": "notAllowed"}},
            "deny",
            "c2pa.training_not_allowed",
        ),
    ],
    ids=["not-allowed", "mining", "constrained", "allowed", "inference-only", "bad-use", "mixed"],
)
def test_signed_training_mining_assertion(
    signer_info: c2pa.C2paSignerInfo, entries: Any, decision: str, reason: str
) -> None:
    verdict = c2pa_verdict(sign_jpeg(signer_info, [mining(entries)]), "image/jpeg")
    assert (verdict.decision, verdict.reason) == (decision, reason)
    assert verdict.evidence["validation_state"] == "Valid"
    assert verdict.evidence["signer"]["common_name"] == "Heed test signer"


def test_constraint_info_is_kept_as_evidence(signer_info: c2pa.C2paSignerInfo) -> None:
    entries = {"cawg.ai_training": {"use": "constrained", "constraint_info": "licence: x.example"}}
    verdict = c2pa_verdict(sign_jpeg(signer_info, [mining(entries)]), "image/jpeg")
    assert verdict.evidence["constraint_read"] is False
    assert verdict.evidence["entries"][0]["constraint_info"] == "licence: x.example"


def test_legacy_c2pa_label_is_honoured(signer_info: c2pa.C2paSignerInfo) -> None:
    legacy = mining({"c2pa.ai_generative_training": {"use": "notAllowed"}}, "c2pa.training-mining")
    verdict = c2pa_verdict(sign_jpeg(signer_info, [legacy]), "image/jpeg")
    assert (verdict.reason, verdict.evidence["assertions"]) == (
        "c2pa.training_not_allowed",
        ["c2pa.training-mining"],
    )


def test_manifest_without_training_assertion(signer_info: c2pa.C2paSignerInfo) -> None:
    verdict = c2pa_verdict(sign_jpeg(signer_info, []), "image/jpeg")
    assert (verdict.decision, verdict.reason) == ("allow", "c2pa.no_training_assertion")


def test_reservation_is_honoured_when_validation_fails(signer_info: c2pa.C2paSignerInfo) -> None:
    signed = bytearray(
        sign_jpeg(signer_info, [mining({"cawg.ai_training": {"use": "notAllowed"}})])
    )
    signed[-100] ^= 0xFF  # inside the image data: the data hash no longer matches
    verdict = c2pa_verdict(bytes(signed), "image/jpeg")
    assert verdict.reason == "c2pa.training_not_allowed"
    assert verdict.evidence["validation_state"] == "Invalid"
    assert "assertion.dataHash.mismatch" in verdict.evidence["validation_failures"]


def test_unreadable_training_assertion_is_denied(signer_info: c2pa.C2paSignerInfo) -> None:
    signed = sign_jpeg(signer_info, [mining({"cawg.data_mining": {"use": "allowed"}})])
    at = signed.find(b"cawg.training-mining", signed.index(b"jumb") + 100)  # its JUMBF box
    broken = signed[: at + 60] + b"\x00" * 10 + signed[at + 70 :]  # inside its CBOR
    verdict = c2pa_verdict(broken, "image/jpeg")
    assert (verdict.decision, verdict.reason) == ("deny", "c2pa.training_mining_malformed")
    assert verdict.evidence["validation_state"] == "Invalid"
    assert "assertion.cbor.invalid" in verdict.evidence["validation_failures"]


def test_plain_jpeg_has_no_manifest() -> None:
    assert read_manifest_store(assets.jpeg(), "image/jpeg").status == "absent"
    assert c2pa_verdict(assets.jpeg(), "image/jpeg").reason == "c2pa.none"


def test_truncated_manifest_is_unreadable(signer_info: c2pa.C2paSignerInfo) -> None:
    signed = sign_jpeg(signer_info, [mining({"cawg.ai_training": {"use": "allowed"}})])
    verdict = c2pa_verdict(signed[: signed.index(b"jumb") + 2000], "image/jpeg")
    assert (verdict.decision, verdict.reason) == ("deny", "c2pa.unreadable")


def test_oversize_asset_is_unreadable_without_parsing() -> None:
    read = read_manifest_store(assets.jpeg(), "image/jpeg", max_bytes=100)
    assert (read.status, read.problem) == ("unreadable", "too_large")


def test_remote_manifest_is_never_fetched(
    signer_info: c2pa.C2paSignerInfo, httpserver: HTTPServer
) -> None:
    httpserver.expect_request("/manifest.c2pa").respond_with_data(b"", status=404)
    remote = sign_jpeg(signer_info, [], remote=httpserver.url_for("/manifest.c2pa"))
    verdict = c2pa_verdict(remote, "image/jpeg")
    assert (verdict.decision, verdict.reason) == ("deny", "c2pa.remote_manifest_unread")
    assert httpserver.log == []


def test_format_without_manifest_support_is_said_so() -> None:
    verdict = c2pa_verdict(b"<html><body>hi</body></html>", "text/html")
    assert (verdict.decision, verdict.reason) == ("allow", "c2pa.format_not_supported")


def test_broken_bytes_of_a_supported_type_are_unreadable() -> None:
    verdict = c2pa_verdict(b"<html><body>hi</body></html>", "image/jpeg")
    assert (verdict.decision, verdict.reason) == ("deny", "c2pa.unreadable")


def test_store_without_active_manifest_is_unreadable() -> None:
    verdict = training_verdict(ManifestRead("found", {"manifests": {}}))
    assert (verdict.decision, verdict.reason) == ("deny", "c2pa.unreadable")


def test_assertion_without_entries_is_malformed() -> None:
    store = {
        "active_manifest": "m",
        "manifests": {"m": {"assertions": [{"label": "cawg.training-mining__1", "data": {}}]}},
    }
    verdict = training_verdict(ManifestRead("found", store))
    assert (verdict.reason, verdict.evidence["malformed"]) == (
        "c2pa.training_mining_malformed",
        ["cawg.training-mining__1"],
    )
