"""IP entries bind the address a connection reaches, whatever name the URL used."""

from __future__ import annotations

from datetime import date

import pytest

from reservations.blocklist import address_verdict
from reservations.hostname import reached_addresses
from tests.reservations.test_blocklist import entry, index

TODAY = date(2026, 6, 1)


@pytest.mark.parametrize(
    ("address", "reached"),
    [
        ("127.0.0.1", ("127.0.0.1",)),
        ("0.0.0.0", ("0.0.0.0", "127.0.0.1")),
        ("::", ("::", "::1")),
        ("::ffff:127.0.0.2", ("127.0.0.2",)),
        ("fe80::1%eth0", ("fe80::1",)),
        ("not-an-address", ()),
    ],
)
def test_a_connection_reaches_the_address_and_the_unspecified_one_the_local_host(
    address, reached
) -> None:
    assert reached_addresses(address) == reached


def test_a_listed_loopback_address_covers_the_unspecified_address_but_not_the_reverse() -> None:
    loopback = index(entry("127.0.0.1"))
    assert loopback.match_address("0.0.0.0") is not None
    unspecified = index(entry("0.0.0.0"))
    assert unspecified.match_address("127.0.0.1") is None
    assert unspecified.match_address("0.0.0.0") is not None


def test_only_ip_entries_bind_addresses() -> None:
    names = index(entry("localhost"), entry("example.org"))
    assert not names.lists_addresses
    assert names.match_address("127.0.0.1") is None
    assert index(entry("::1")).lists_addresses


def test_a_name_resolving_to_a_listed_address_is_denied_with_name_address_and_entry() -> None:
    listed = index(entry("10.0.0.7"))
    verdict = address_verdict(listed, "intranet.example", ["192.0.2.1", "10.0.0.7"], TODAY)
    assert (verdict.decision, verdict.reason) == ("deny", "blocklist.listed_address")
    assert verdict.evidence["host"] == "intranet.example"
    assert verdict.evidence["address"] == "10.0.0.7"
    assert verdict.evidence["entry"]["domain"] == "10.0.0.7"


def test_unlisted_addresses_allow_and_are_on_record() -> None:
    verdict = address_verdict(index(entry("10.0.0.7")), "a.example", ["192.0.2.1"], TODAY)
    assert verdict.allowed and verdict.evidence["addresses"] == ["192.0.2.1"]


def test_a_host_that_resolves_to_nothing_is_denied() -> None:
    verdict = address_verdict(index(entry("10.0.0.7")), "a.example", [], TODAY)
    assert (verdict.decision, verdict.reason) == ("deny", "blocklist.unresolved")
