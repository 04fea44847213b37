"""A listed IP address is never connected to, whatever name leads there (docs/blocklists.md).

A blocklist entry that is an IP address binds connections, not spellings: ``http://0:8080/``,
``localhost`` or any name resolving to a listed address reaches that address all the same. Two
layers hold the line:

- the blocklist check resolves each request's host with the crawl's own resolver (and so its
  cache) and denies with the name, the address and the entry (``blocklist.listed_address``);
- ``AddressGuard`` wraps the reactor's name resolver (Twisted's public
  ``IReactorPluggableNameResolver``), so that no connection is ever handed a listed address,
  even if a name resolves differently between the check and the connection: that connection
  fails as a DNS error, and the refusal is logged and counted.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Protocol, cast

from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.defer import Deferred
from twisted.internet.interfaces import (
    IAddress,
    IHostnameResolver,
    IHostResolution,
    IReactorPluggableNameResolver,
    IResolutionReceiver,
)
from zope.interface import implementer  # type: ignore[import-untyped]

if TYPE_CHECKING:
    from reservations.blocklist import Entry

logger = logging.getLogger(__name__)


class NameResolver(Protocol):
    """Twisted's ``IHostnameResolver``, as mypy can check it (zope interfaces it cannot)."""

    def resolveHostName(  # noqa: N802
        self,
        resolutionReceiver: Any,  # noqa: N803
        hostName: str,  # noqa: N803
        portNumber: int = 0,  # noqa: N803
        addressTypes: Sequence[type[IAddress]] | None = None,  # noqa: N803
        transportSemantics: str = "TCP",  # noqa: N803
    ) -> IHostResolution: ...


class PluggableReactor(Protocol):
    """Twisted's ``IReactorPluggableNameResolver``, likewise."""

    nameResolver: NameResolver  # noqa: N815

    def installNameResolver(self, resolver: NameResolver) -> NameResolver: ...  # noqa: N802


Listed = Callable[[str], "Entry | None"]
Refused = Callable[[str, str, "Entry"], None]


def _host(address: IAddress) -> str:
    return str(getattr(address, "host", ""))


@implementer(IResolutionReceiver)
class _Filter:
    """Passes a connection every resolved address except the listed ones."""

    def __init__(self, receiver: Any, name: str, listed: Listed, refused: Refused) -> None:
        self.receiver = receiver  # an IResolutionReceiver
        self.name = name
        self.listed = listed
        self.refused = refused

    def resolutionBegan(self, resolutionInProgress: IHostResolution) -> None:  # noqa: N802
        self.receiver.resolutionBegan(resolutionInProgress)

    def addressResolved(self, address: IAddress) -> None:  # noqa: N802
        entry = self.listed(_host(address))
        if entry is None:
            self.receiver.addressResolved(address)
        else:
            self.refused(self.name, _host(address), entry)

    def resolutionComplete(self) -> None:  # noqa: N802
        self.receiver.resolutionComplete()


@implementer(IResolutionReceiver)
class _Collect:
    """Gathers every address a name resolves to."""

    def __init__(self) -> None:
        self.addresses: list[str] = []
        self.done: Deferred[list[str]] = Deferred()

    def resolutionBegan(self, resolutionInProgress: IHostResolution) -> None:  # noqa: N802
        pass

    def addressResolved(self, address: IAddress) -> None:  # noqa: N802
        self.addresses.append(_host(address))

    def resolutionComplete(self) -> None:  # noqa: N802
        self.done.callback(self.addresses)


@implementer(IHostnameResolver)
class AddressGuard:
    """The reactor's name resolver, minus the listed addresses."""

    def __init__(self, inner: NameResolver, listed: Listed, refused: Refused) -> None:
        self.inner = inner
        self.listed = listed
        self.refused = refused

    @classmethod
    def install(cls, listed: Listed, refused: Refused) -> AddressGuard:
        """Wrap the running reactor's resolver (the one ``TWISTED_DNS_RESOLVER`` installed)."""
        reactor = _reactor()
        guard = cls(reactor.nameResolver, listed, refused)
        reactor.installNameResolver(guard)
        return guard

    def uninstall(self) -> None:
        reactor = _reactor()
        if reactor.nameResolver is self:
            reactor.installNameResolver(self.inner)

    def resolveHostName(  # noqa: N802
        self,
        resolutionReceiver: IResolutionReceiver,  # noqa: N803
        hostName: str,  # noqa: N803
        portNumber: int = 0,  # noqa: N803
        addressTypes: Sequence[type[IAddress]] | None = None,  # noqa: N803
        transportSemantics: str = "TCP",  # noqa: N803
    ) -> IHostResolution:
        receiver = _Filter(resolutionReceiver, hostName, self.listed, self.refused)
        return self.inner.resolveHostName(
            receiver, hostName, portNumber, addressTypes, transportSemantics
        )

    async def addresses(self, name: str) -> list[str]:
        """Every address ``name`` resolves to (none when it does not resolve), unfiltered: the
        blocklist check decides on them and records the decision."""
        collect = _Collect()
        self.inner.resolveHostName(collect, name)
        return await maybe_deferred_to_future(collect.done)


def _reactor() -> PluggableReactor:
    from twisted.internet import reactor

    if not IReactorPluggableNameResolver.providedBy(reactor):
        raise TypeError(f"{type(reactor).__name__} cannot take a name resolver")
    return cast(PluggableReactor, reactor)
