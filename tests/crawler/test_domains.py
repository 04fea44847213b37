"""Registrable domains from the bundled Public Suffix List, and the template's top-domain rule."""

from __future__ import annotations

import pytest

from crawler.domains import netloc_of, registrable_domain, top_domain_rule


@pytest.mark.parametrize(
    ("netloc", "domain"),
    [
        ("www.example.com", "example.com"),
        ("news.bbc.co.uk", "bbc.co.uk"),
        ("WWW.Example.COM.", "example.com"),
        ("user:pw@shop.example.com.au:8443", "example.com.au"),
        ("alice.github.io", "github.io"),  # ICANN section: the name a registrar sold
        ("xn--mnchen-3ya.de", "xn--mnchen-3ya.de"),
        ("127.0.0.1:8080", "127.0.0.1"),
        ("[::1]:8080", "::1"),
        ("localhost:5000", "localhost"),
        ("com", "com"),
    ],
    ids=lambda v: v,
)
def test_registrable_domain(netloc: str, domain: str) -> None:
    assert registrable_domain(netloc) == domain


def test_netloc_is_the_authority_of_an_absolute_url() -> None:
    assert netloc_of("https://a.example:81/x/y?q") == "a.example:81"
    assert netloc_of("http://a.example") == "a.example"
    assert netloc_of("not a url") == ""


@pytest.mark.parametrize(
    ("domains", "standard", "sme"),
    [
        (0, 0, 0),
        (1, 1, 1),  # a share of one domain still names it
        (10, 1, 1),
        (11, 2, 1),
        (21, 3, 2),
        (1000, 100, 50),
        (19_999, 2000, 1000),
        (20_001, 2001, 1000),  # past 20,000 domains, 5 % is more than 1,000: the cap applies
        (1_000_000, 100_000, 1000),
    ],
    ids=lambda v: str(v),
)
def test_top_domain_count_rounds_up_and_caps_for_smes(domains, standard, sme) -> None:
    assert top_domain_rule(sme=False).count(domains) == standard
    assert top_domain_rule(sme=True).count(domains) == sme
