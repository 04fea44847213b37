"""TDMRep ``tdm:reservation`` and ``tdm:policy`` read from an asset's XMP."""

from __future__ import annotations

import pytest

from reservations.xmp import find_xmp, merged_properties
from reservations.xmp_tdm import properties_verdict, tdm_verdict
from tests.reservations import assets


def _tdm(body: str, namespace: str = assets.TDM) -> bytes:
    return assets.packet(body, f'xmlns:tdm="{namespace}"')


@pytest.mark.parametrize(
    ("body", "decision", "reason"),
    [
        ('tdm:reservation="1"', "deny", "tdmrep_xmp.reserved"),
        ("<tdm:reservation>1</tdm:reservation>", "deny", "tdmrep_xmp.reserved"),
        ('tdm:reservation="0"', "allow", "tdmrep_xmp.not_reserved"),
        ('tdm:reservation="yes"', "allow", "tdmrep_xmp.none"),
        ('tdm:policy="https://example.com/policy.json"', "allow", "tdmrep_xmp.none"),
    ],
)
def test_reservation_values(body: str, decision: str, reason: str) -> None:
    verdict = tdm_verdict(find_xmp(assets.pdf(_tdm(body))))
    assert (verdict.decision, verdict.reason) == (decision, reason)


def test_namespace_variants_are_matched_by_local_name() -> None:
    xmp = _tdm('tdm:reservation="1"', "http://www.w3.org/2022/tdmrep#")
    assert tdm_verdict(find_xmp(assets.jpeg(xmp))).reason == "tdmrep_xmp.reserved"


def test_policy_url_is_evidence() -> None:
    xmp = _tdm('tdm:reservation="1" tdm:policy="https://example.com/policy.json"')
    verdict = tdm_verdict(find_xmp(assets.png(xmp)))
    assert verdict.evidence["policy"] == "https://example.com/policy.json"


def test_repeated_reservation_keeps_the_most_restrictive() -> None:
    xmp = _tdm("<tdm:reservation>0</tdm:reservation><tdm:reservation>1</tdm:reservation>")
    assert tdm_verdict(find_xmp(assets.jpeg(xmp))).decision == "deny"


def test_unreadable_asset_is_denied() -> None:
    verdict = tdm_verdict(find_xmp(assets.pdf(_tdm('tdm:reservation="0"'), filtered=True)))
    assert (verdict.decision, verdict.reason) == ("deny", "tdmrep_xmp.unreadable")


def test_no_xmp_allows() -> None:
    assert tdm_verdict(find_xmp(assets.jpeg())).reason == "tdmrep_xmp.none"


def test_properties_read_once_elsewhere_give_the_same_verdict() -> None:
    result = find_xmp(assets.jpeg(_tdm('tdm:reservation="1"')))
    properties, problem = merged_properties(result)
    shared = properties_verdict(properties, problem, result.evidence())
    assert shared == tdm_verdict(result)
    assert shared.reason == "tdmrep_xmp.reserved"


def test_properties_with_a_reading_problem_and_no_reservation_deny() -> None:
    verdict = properties_verdict({}, "truncated", {"container": "jpeg"})
    assert (verdict.reason, verdict.evidence["problem"]) == ("tdmrep_xmp.unreadable", "truncated")
