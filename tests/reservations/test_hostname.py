"""Host names as blocklists compare them: entries strictly, URL hosts leniently."""

from __future__ import annotations

import pytest

from reservations.hostname import HostError, entry_forms, host_of_url, lookup_forms


@pytest.mark.parametrize(
    ("domain", "canonical", "forms", "is_ip"),
    [
        ("Example.COM", "example.com", ("example.com",), False),
        ("example.com.", "example.com", ("example.com",), False),
        ("localhost", "localhost", ("localhost",), False),
        ("_dmarc.example.org", "_dmarc.example.org", ("_dmarc.example.org",), False),
        ("bücher.example", "xn--bcher-kva.example", ("xn--bcher-kva.example",), False),
        ("XN--BCHER-KVA.example", "xn--bcher-kva.example", ("xn--bcher-kva.example",), False),
        # IDNA 2008 keeps ß; IDNA 2003 (Python's codec, so w3lib and Scrapy) maps it to ss.
        ("faß.example", "xn--fa-hia.example", ("xn--fa-hia.example", "fass.example"), False),
        # Valid under IDNA 2003 only, as some registries still allow: listable all the same.
        ("☃.example", "xn--n3h.example", ("xn--n3h.example",), False),
        ("xn--n3h.example", "xn--n3h.example", ("xn--n3h.example",), False),
        ("127.0.0.2", "127.0.0.2", ("127.0.0.2",), True),
        ("[2001:DB8::7]", "2001:db8::7", ("2001:db8::7",), True),
        ("2001:db8:0:0:0:0:0:7", "2001:db8::7", ("2001:db8::7",), True),
    ],
    ids=[
        "case",
        "trailing-dot",
        "single-label",
        "underscore",
        "unicode",
        "punycode-any-case",
        "idna-2003-and-2008",
        "idna-2003-only",
        "idna-2003-only-punycode",
        "ipv4",
        "ipv6-brackets",
        "ipv6-long-form",
    ],
)
def test_entry_domains_are_canonicalised(domain, canonical, forms, is_ip) -> None:
    assert entry_forms(domain) == (canonical, forms, is_ip)


@pytest.mark.parametrize(
    ("domain", "message"),
    [
        ("", "is empty"),
        ("https://x.example/page", "is a URL or path: write only the host, e.g. 'x.example'"),
        ("*.x.example", "drop the '*.'"),
        ("x.example:8080", "has a port"),
        ("bad domain.example", "invalid label 'bad domain'"),
        ("a..example", "invalid label ''"),
        ("-x.example", "invalid label '-x'"),
        ("x.1", "ends in a number"),
        ("127.1", "ends in a number"),
        ("xn--zz.example", "invalid punycode label 'xn--zz'"),
        ("fe80::1%eth0", "scoped IPv6"),
        ("a" * 64 + ".example", "invalid label"),
        ("a." * 127 + "example", "longer than 253"),
        ("\ufffd.example", "not a valid internationalised domain name"),
    ],
    ids=[
        "empty",
        "url",
        "wildcard",
        "port",
        "space",
        "empty-label",
        "leading-hyphen",
        "numeric-tld",
        "short-ipv4",
        "bad-punycode",
        "scoped-ipv6",
        "label-too-long",
        "name-too-long",
        "bad-unicode",
    ],
)
def test_bad_entry_domains_say_how_to_fix_them(domain, message) -> None:
    with pytest.raises(HostError, match=message.replace("*", r"\*").replace(".", r"\.")):
        entry_forms(domain)


@pytest.mark.parametrize(
    ("host", "forms"),
    [
        ("WWW.Example.COM", ("www.example.com",)),
        ("example.com..", ("example.com",)),
        ("%65xample.com", ("example.com",)),
        ("faß.example", ("xn--fa-hia.example", "fass.example", "faß.example")),
        ("0x7f000002", ("127.0.0.2",)),
        ("2130706434", ("127.0.0.2",)),
        ("127.2", ("127.0.0.2",)),
        ("0177.0.0.2", ("127.0.0.2",)),
        ("[::FFFF:127.0.0.2]", ("::ffff:7f00:2", "127.0.0.2")),
        ("cafe.example", ("cafe.example",)),
    ],
    ids=[
        "case",
        "trailing-dots",
        "percent-encoded",
        "unicode",
        "ipv4-hex",
        "ipv4-decimal",
        "ipv4-short",
        "ipv4-octal",
        "ipv4-mapped-ipv6",
        "hex-looking-name",
    ],
)
def test_url_hosts_stand_for_every_spelling_a_resolver_would_reach(host, forms) -> None:
    assert lookup_forms(host) == forms


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("https://User:pw@WWW.Example.com:8443/a?b#c", "www.example.com"),
        ("www.example.com", "www.example.com"),
        ("www.example.com:8080/x", "www.example.com"),
        ("http://[2001:db8::7]:80/", "2001:db8::7"),
        ("mailto:x@example.com", ""),
    ],
    ids=["full-url", "bare-host", "bare-host-port-path", "ipv6", "no-host"],
)
def test_host_of_url_reads_the_host_scrapy_would_contact(url, host) -> None:
    assert host_of_url(url) == host
