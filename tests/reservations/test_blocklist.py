"""Matching hosts against blocklists, the verdict and its evidence, and list warnings."""

from __future__ import annotations

from datetime import date

import pytest

from reservations.blocklist import Blocklist, BlocklistIndex, blocklist_verdict, find_warnings
from reservations.blocklist_yaml import parse_blocklist

TODAY = date(2026, 6, 1)


def entry(domain: str, match: str = "", expires: str = "") -> str:
    lines = [
        f"  - domain: {domain}",
        "    reason: test",
        "    source: court",
        "    added: 2026-01-15",
    ]
    lines += [f"    match: {match}"] if match else []
    lines += [f"    expires: {expires}"] if expires else []
    return "\n".join(lines) + "\n"


def blocklist(*entries: str, file: str = "lists/test.yaml", head: str = "") -> Blocklist:
    parsed = parse_blocklist((head + "entries:\n" + "".join(entries)).encode(), file)
    assert parsed.blocklist is not None, parsed.problems
    return parsed.blocklist


def index(*entries: str) -> BlocklistIndex:
    return BlocklistIndex.build([blocklist(*entries)])


@pytest.mark.parametrize(
    ("host", "listed"),
    [
        ("infringing.example", True),
        ("www.infringing.example", True),
        ("a.b.c.infringing.example", True),
        ("WWW.INFRINGING.EXAMPLE.", True),
        ("notinfringing.example", False),
        ("infringing.example.com", False),
        ("example", False),
    ],
    ids=["domain", "subdomain", "deep", "case-dot", "suffix-not-label", "as-prefix", "parent"],
)
def test_subdomains_covers_the_domain_and_every_subdomain(host, listed) -> None:
    assert (index(entry("infringing.example")).match_host(host) is not None) is listed


@pytest.mark.parametrize(
    ("host", "listed"),
    [("mirror.example.net", True), ("www.mirror.example.net", False), ("example.net", False)],
    ids=["host", "subdomain", "parent"],
)
def test_exact_covers_only_the_host(host, listed) -> None:
    assert (index(entry("mirror.example.net", "exact")).match_host(host) is not None) is listed


@pytest.mark.parametrize(
    ("listed", "host"),
    [
        ("bücher.example", "xn--bcher-kva.example"),
        ("xn--bcher-kva.example", "bücher.example"),
        ("bücher.example", "www.BÜCHER.example"),
        ("faß.example", "fass.example"),  # how Scrapy (IDNA 2003) spells faß.example
        ("faß.example", "xn--fa-hia.example"),  # how a browser (IDNA 2008) spells it
        ("127.0.0.2", "0x7f000002"),
        ("127.0.0.2", "[::ffff:127.0.0.2]"),
        ("2001:db8::7", "[2001:DB8:0::7]"),
    ],
    ids=[
        "unicode-entry-punycode-host",
        "punycode-entry-unicode-host",
        "unicode-case",
        "idna-2003",
        "idna-2008",
        "ipv4-hex",
        "ipv4-mapped",
        "ipv6",
    ],
)
def test_every_spelling_of_a_listed_host_matches(listed, host) -> None:
    assert index(entry(listed)).match_host(host) is not None


def test_ip_entries_are_exact_whatever_match_says() -> None:
    listed = index(entry("127.0.0.2", "subdomains"))
    assert listed.match_host("127.0.0.2") is not None
    assert listed.match_host("x.127.0.0.2") is None


def test_the_most_specific_entry_is_reported() -> None:
    listed = index(entry("example.org"), entry("www.example.org", "exact"))
    assert listed.match_host("www.example.org").domain == "www.example.org"
    assert listed.match_host("a.www.example.org").domain == "example.org"


def test_deny_names_the_entry_its_file_and_the_file_digest() -> None:
    lists = blocklist(entry("infringing.example"), head='id: courts\nversion: "7"\n')
    verdict = blocklist_verdict(BlocklistIndex.build([lists]), "www.infringing.example", TODAY)
    assert (verdict.decision, verdict.check, verdict.reason) == (
        "deny",
        "blocklist",
        "blocklist.listed",
    )
    assert verdict.evidence["host"] == "www.infringing.example"
    assert verdict.evidence["entry"] == {
        "domain": "infringing.example",
        "match": "subdomains",
        "source": "court",
        "reason": "test",
        "added": "2026-01-15",
        "file": "lists/test.yaml",
        "line": 4,
        "file_sha256": lists.info.sha256,
        "list_id": "courts",
        "list_version": "7",
    }


def test_unlisted_host_is_allowed_naming_the_lists_in_force() -> None:
    listed = index(entry("infringing.example"))
    verdict = blocklist_verdict(listed, "fine.example", TODAY)
    assert (verdict.decision, verdict.reason) == ("allow", "blocklist.not_listed")
    assert verdict.evidence == {"host": "fine.example", "lists_sha256": listed.digest}


def test_expired_entry_still_denies_and_says_so() -> None:
    listed = index(entry("infringing.example", expires="2026-05-01"))
    verdict = blocklist_verdict(listed, "infringing.example", TODAY)
    assert verdict.reason == "blocklist.listed"
    assert verdict.evidence["entry"]["expired"] is True
    assert verdict.evidence["entry"]["expires"] == "2026-05-01"


def test_lists_digest_changes_with_any_list() -> None:
    one = BlocklistIndex.build([blocklist(entry("a.example"))])
    other = BlocklistIndex.build([blocklist(entry("b.example"))])
    assert one.digest != other.digest and len(one.digest) == 64


def test_warnings_name_expired_entries_and_hosts_listed_twice() -> None:
    first = blocklist(entry("a.example", expires="2026-06-01"), entry("b.example"), file="one.yaml")
    second = blocklist(entry("B.example."), entry("b.example", "exact"), file="two.yaml")
    assert [str(w) for w in find_warnings(BlocklistIndex.build([first, second]), TODAY)] == [
        "one.yaml:2: expires: warning: a.example expired on 2026-06-01; it still denies: "
        "renew it or retire it",
        "two.yaml:2: domain: warning: B.example. is already listed at one.yaml:7",
    ]
