"""Registrable domains (the Public Suffix List, offline) and the template's top-domain rule.

The European Commission's template for the public summary of training content (section 2.3,
data crawled and scraped from online sources) asks for the top 10 % of all domain names by
size of content collected; small and medium enterprises may give the top 5 % or 1,000 domain
names, whichever is lower. docs/compliance.md states how Heed reads that footnote.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from functools import lru_cache

from publicsuffixlist import PublicSuffixList

# The list bundled with the package: never fetched at run time. ICANN section only, so that
# "user.github.io" counts under "github.io", the name registered with a registrar.
_PSL = PublicSuffixList(only_icann=True)

STANDARD_PERCENT = 10
SME_PERCENT = 5
SME_CAP = 1000


@lru_cache(maxsize=65536)
def registrable_domain(netloc: str) -> str:
    """``www.example.co.uk:8080`` → ``example.co.uk``; an IP address or a bare suffix stays as
    it is, so that every host counts somewhere."""
    host = netloc.rpartition("@")[2]
    if host.startswith("["):
        return host.partition("]")[0].lstrip("[").lower()
    host = host.partition(":")[0].rstrip(".").lower()
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return _PSL.privatesuffix(host) or host
    return host


def netloc_of(url: str) -> str:
    """The authority part of an absolute URL, without parsing the rest (fast for big logs)."""
    return url.split("/", 3)[2] if url.count("/") >= 2 else ""


def url_domain(url: str) -> str:
    """The registrable domain of an absolute URL's host."""
    return registrable_domain(netloc_of(url))


@dataclass(frozen=True)
class TopDomainRule:
    """How many of the domains the summary must list."""

    sme: bool
    percent: int
    cap: int | None

    def count(self, domains: int) -> int:
        # Rounded up: a share of a handful of domains still names at least one of them.
        wanted = -(-domains * self.percent // 100)
        return wanted if self.cap is None else min(wanted, self.cap)

    def describe(self) -> str:
        if self.cap is None:
            return f"top {self.percent} % of all domains by content size"
        return (
            f"top {self.percent} % of all domains by content size or {self.cap:,} domains, "
            "whichever is lower"
        )


def top_domain_rule(sme: bool) -> TopDomainRule:
    """The template's rule for all providers, or the lighter one it allows SMEs."""
    if sme:
        return TopDomainRule(True, SME_PERCENT, SME_CAP)
    return TopDomainRule(False, STANDARD_PERCENT, None)
