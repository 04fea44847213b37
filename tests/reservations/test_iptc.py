"""IPTC "Data Mining" read from the XMP of real images built with Pillow."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from reservations.iptc import data_mining_verdict
from reservations.xmp import XmpResult, find_xmp
from tests.reservations import assets

CONTAINERS: dict[str, Callable[[bytes | None], bytes]] = {
    "jpeg": assets.jpeg,
    "png": assets.png,
    "webp": assets.webp,
    "tiff": assets.tiff,
    "gif": assets.gif,
    "bmff": assets.mp4,
}


@pytest.mark.parametrize(
    ("code", "decision", "reason"),
    [
        ("DMI-PROHIBITED", "deny", "iptc.data_mining_prohibited"),
        ("DMI-PROHIBITED-AIMLTRAINING", "deny", "iptc.data_mining_prohibited"),
        ("DMI-PROHIBITED-GENAIMLTRAINING", "deny", "iptc.data_mining_prohibited"),
        ("DMI-PROHIBITED-EXCEPTSEARCHENGINEINDEXING", "deny", "iptc.data_mining_prohibited"),
        ("DMI-PROHIBITED-SEECONSTRAINT", "deny", "iptc.data_mining_see_constraint"),
        ("DMI-PROHIBITED-SEEEMBEDDEDRIGHTSEXPR", "deny", "iptc.data_mining_see_constraint"),
        ("DMI-PROHIBITED-SEELINKEDRIGHTSEXPR", "deny", "iptc.data_mining_see_constraint"),
        ("DMI-ALLOWED", "allow", "iptc.data_mining_permitted"),
        ("DMI-UNSPECIFIED", "allow", "iptc.data_mining_permitted"),
    ],
)
@pytest.mark.parametrize("container", sorted(CONTAINERS))
@pytest.mark.parametrize("spelling", ["uri", "bare"])
def test_each_vocabulary_term_in_each_container(
    code: str, decision: str, reason: str, container: str, spelling: str
) -> None:
    value = f"{assets.VOCAB}{code}" if spelling == "uri" else code
    verdict = data_mining_verdict(find_xmp(CONTAINERS[container](assets.data_mining(value))))
    assert (verdict.decision, verdict.reason) == (decision, reason)
    assert verdict.evidence["values"] == [value]
    assert verdict.evidence["container"] == container


def test_value_as_element_with_resource() -> None:
    xmp = assets.packet(f'<plus:DataMining rdf:resource="{assets.VOCAB}DMI-PROHIBITED"/>')
    assert data_mining_verdict(find_xmp(assets.jpeg(xmp))).reason == "iptc.data_mining_prohibited"


def test_value_as_element_text() -> None:
    xmp = assets.packet(
        f"<plus:DataMining>{assets.VOCAB}DMI-PROHIBITED-AIMLTRAINING</plus:DataMining>"
    )
    assert data_mining_verdict(find_xmp(assets.png(xmp))).decision == "deny"


def test_see_constraint_evidence_names_the_constraint_it_could_not_weigh() -> None:
    xmp = assets.packet(
        f'<plus:DataMining rdf:resource="{assets.VOCAB}DMI-PROHIBITED-SEECONSTRAINT"/>'
        "<plus:OtherConstraints><rdf:Alt><rdf:li xml:lang='x-default'>Licence on request"
        "</rdf:li></rdf:Alt></plus:OtherConstraints>"
    )
    verdict = data_mining_verdict(find_xmp(assets.jpeg(xmp)))
    assert verdict.reason == "iptc.data_mining_see_constraint"
    assert verdict.evidence["constraint_read"] is False
    assert verdict.evidence["OtherConstraints"] == ["Licence on request"]


def test_no_xmp_allows_with_reason_none() -> None:
    verdict = data_mining_verdict(find_xmp(assets.jpeg()))
    assert (verdict.decision, verdict.reason) == ("allow", "iptc.none")


def test_xmp_without_data_mining_allows_with_reason_none() -> None:
    xmp = assets.packet('xmlns:dc="http://purl.org/dc/elements/1.1/" dc:format="image/jpeg"')
    assert data_mining_verdict(find_xmp(assets.jpeg(xmp))).reason == "iptc.none"


def test_truncated_jpeg_is_denied_as_unreadable() -> None:
    verdict = data_mining_verdict(find_xmp(assets.jpeg(assets.data_mining("DMI-ALLOWED"))[:40]))
    assert (verdict.decision, verdict.reason) == ("deny", "iptc.unreadable")
    assert verdict.evidence["problem"] == "truncated"


def test_prohibition_read_before_a_truncation_is_the_reason() -> None:
    data = assets.jpeg(assets.data_mining("DMI-PROHIBITED"))
    cut = data[: data.index(b"<?xpacket end") + 40]
    verdict = data_mining_verdict(find_xmp(cut))
    assert verdict.reason == "iptc.data_mining_prohibited"
    assert verdict.evidence["problem"] == "truncated"


def test_unparseable_packet_is_denied_as_unreadable() -> None:
    result = XmpResult("found", "jpeg", packets=(b"<x:xmpmeta><broken",))
    verdict = data_mining_verdict(result)
    assert (verdict.decision, verdict.evidence["problem"]) == ("deny", "malformed_xml")


def test_unknown_prohibiting_term_is_read_as_a_reservation() -> None:
    verdict = data_mining_verdict(
        find_xmp(assets.jpeg(assets.data_mining("DMI-PROHIBITED-NEWUSE")))
    )
    assert verdict.reason == "iptc.data_mining_prohibited"


def test_unknown_other_term_allows_and_says_so() -> None:
    verdict = data_mining_verdict(find_xmp(assets.jpeg(assets.data_mining("DMI-SOMETHING"))))
    assert (verdict.decision, verdict.reason) == ("allow", "iptc.data_mining_unrecognised")
    assert verdict.evidence["unrecognised"] == ["DMI-SOMETHING"]


def test_prohibition_in_one_of_two_packets_wins() -> None:
    result = XmpResult(
        "found",
        "jpeg",
        packets=(assets.data_mining("DMI-ALLOWED"), assets.data_mining("DMI-PROHIBITED")),
    )
    assert data_mining_verdict(result).decision == "deny"
