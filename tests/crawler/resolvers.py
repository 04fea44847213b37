"""A DNS resolver for test crawls: made-up names resolve to loopback addresses, and names under
``.invalid`` (RFC 6761 §6.4) fail, without asking any DNS server.

Named with ``-s TWISTED_DNS_RESOLVER=tests.crawler.resolvers.MadeUpNames``; every other name
goes to Scrapy's default resolver.
"""

from __future__ import annotations

from collections.abc import Sequence

from scrapy.resolver import CachingThreadedResolver
from twisted.internet import defer
from twisted.internet.error import DNSLookupError

NAMES = {"made-up.test": "127.0.0.1"}


class MadeUpNames(CachingThreadedResolver):
    def getHostByName(self, name: str, timeout: Sequence[int] = ()) -> defer.Deferred[str]:  # noqa: N802
        if name in NAMES:
            return defer.succeed(NAMES[name])
        if name.endswith(".invalid"):
            return defer.fail(DNSLookupError(name))
        return super().getHostByName(name, timeout)
