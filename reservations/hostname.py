"""Host names as a blocklist compares them: one canonical ASCII spelling per way of writing one.

A listed site must match however a URL spells its host: any case, a trailing dot, Unicode or
punycode (IDNA), an IP literal in brackets or in the shorthand forms resolvers accept
(``127.1``, ``0x7f000001``). Entries are checked strictly, since ops can fix them; hosts
seen in URLs are normalised leniently, leaning towards a match (fail closed).
"""

from __future__ import annotations

import contextlib
import ipaddress
import re
import socket
import unicodedata
from urllib.parse import unquote, urlsplit

import idna

# A lowercase name whose last label starts with a letter: most entries, checked in one step.
_PLAIN_NAME = re.compile(
    r"(?:[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?\.)*[a-z_](?:[a-z0-9_-]{0,61}[a-z0-9_])?\Z"
)
# Lowercase ASCII labels, the last starting with a letter (so not an IP address in any form).
_LOWER_NAME = re.compile(r"(?:[a-z0-9_-]+\.)*[a-z_][a-z0-9_-]*\Z")
_LABEL = re.compile(r"[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?\Z")
_NUMERIC_LABEL = re.compile(r"(?:0x[0-9a-f]*|[0-9]+)\Z")
_INET_ATON_CHARS = re.compile(r"[0-9a-fx.]+\Z")
_BARE_HOST = re.compile(r"[^/:?#@\s]+(?::[0-9]+)?(?:[/?#]|\Z)")
_MAX_NAME = 253  # RFC 1035 §2.3.4, without the trailing dot
# A connection to the unspecified address reaches the local host: Linux's connect(2) sends it
# to the loopback address (0.0.0.0 to 127.0.0.1, :: to ::1), so an entry for the loopback
# address binds the unspecified one too.
_UNSPECIFIED_REACHES = {"0.0.0.0": "127.0.0.1", "::": "::1"}


class HostError(ValueError):
    """An entry's domain is not a host name or IP address; the message says how to fix it."""


def host_of_url(url: str) -> str:
    """The host a URL would contact, as ``urllib`` (and so Scrapy) reads it; bare hosts too."""
    text = url.strip()
    if _BARE_HOST.match(text):
        text = "http://" + text
    return urlsplit(text).hostname or ""


def lookup_forms(host: str) -> tuple[str, ...]:
    """Every canonical spelling a URL's ``host`` may stand for; any of them listed blocks it."""
    if _LOWER_NAME.match(host):  # as Scrapy hands most hosts over: nothing to change
        return (host,)
    text = host.strip()
    if "%" in text:  # WHATWG URL §3.5: a host is percent-decoded before it is resolved
        text = unquote(text)
    text = text.lower().strip("[]").rstrip(".")
    if ":" in text:
        return _ipv6_forms(text)
    if not text.isascii():
        return tuple(dict.fromkeys([*_idna_forms(text), text]))
    last = text.rsplit(".", 1)[-1]
    if _NUMERIC_LABEL.match(last) and _INET_ATON_CHARS.match(text):
        try:  # the shorthand IPv4 forms getaddrinfo accepts (inet_aton(3))
            return (socket.inet_ntoa(socket.inet_aton(text)),)
        except OSError:
            pass
    return (text,)


def reached_addresses(address: str) -> tuple[str, ...]:
    """The canonical addresses a connection to the resolved ``address`` reaches: itself (an
    IPv4-mapped IPv6 address as IPv4) and, for the unspecified address, the loopback one.
    Empty when ``address`` is not an IP address."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return ()
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    text = str(ip)
    local = _UNSPECIFIED_REACHES.get(text)
    return (text, local) if local else (text,)


def entry_forms(domain: str) -> tuple[str, tuple[str, ...], bool]:
    """``(canonical, forms to index, is_ip)`` for an entry's ``domain``; raises ``HostError``."""
    if len(domain) <= _MAX_NAME and _PLAIN_NAME.match(domain) and "xn--" not in domain:
        return domain, (domain,), False  # most entries: already as canonical as can be
    text = domain.strip()
    name = (text[:-1] if text.endswith(".") else text).lower()
    if len(name) <= _MAX_NAME and _PLAIN_NAME.match(name) and "xn--" not in name:
        return name, (name,), False
    if not text:
        raise HostError("is empty")
    if "://" in text or "/" in text:
        raise HostError(f"{text!r} is a URL or path: write only the host, e.g. {_hint(text)!r}")
    if text.startswith("*."):
        raise HostError(f"{text!r}: drop the '*.'; match: subdomains covers every subdomain")
    ip = _ip_literal(text)
    if ip is not None:
        return ip, (ip,), True
    if ":" in text:
        raise HostError(f"{text!r} has a port: write the host alone (every port is covered)")
    if not name.isascii():
        forms = _idna_forms(name)
        if not forms:
            raise HostError(f"{text!r} is not a valid internationalised domain name")
        _check_ascii_name(forms[0], text)
        return forms[0], forms, False
    _check_ascii_name(name, text)
    return name, (name,), False


def _check_ascii_name(name: str, text: str) -> None:
    if len(name) > _MAX_NAME:
        raise HostError(f"{text!r} is longer than {_MAX_NAME} characters")
    labels = name.split(".")
    for label in labels:
        if not _LABEL.match(label):
            raise HostError(f"{text!r} has an invalid label {label!r}: use letters, digits, '-'")
        if label.startswith("xn--"):
            try:  # RFC 3492 only: names valid under IDNA 2003 but not 2008 are still listable
                label[4:].encode("ascii").decode("punycode")
            except UnicodeError as exc:
                raise HostError(f"{text!r} has an invalid punycode label {label!r}") from exc
    if _NUMERIC_LABEL.match(labels[-1]):
        raise HostError(f"{text!r} ends in a number: write an IP address in full (a.b.c.d)")


def _ip_literal(text: str) -> str | None:
    """The canonical form of an IPv4 (dotted quad) or IPv6 literal, else ``None``."""
    bare = text[1:-1] if text.startswith("[") and text.endswith("]") else text
    try:
        address = ipaddress.ip_address(bare)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.scope_id:
        raise HostError(f"{text!r}: a scoped IPv6 address cannot be listed; drop the '%...'")
    return str(address)


def _ipv6_forms(text: str) -> tuple[str, ...]:
    try:
        address = ipaddress.IPv6Address(text.split("%", 1)[0])
    except ValueError:
        return (text,)
    mapped = address.ipv4_mapped
    return (str(address), str(mapped)) if mapped else (str(address),)


def _idna_forms(name: str) -> tuple[str, ...]:
    """The ASCII forms clients give a Unicode name: IDNA 2008 with UTS #46 mapping (browsers,
    the ``idna`` package) and IDNA 2003 (Python's codec, used by w3lib and so by Scrapy)."""
    forms: list[str] = []
    with contextlib.suppress(idna.IDNAError, UnicodeError):
        forms.append(idna.encode(name, uts46=True).decode("ascii"))
    with contextlib.suppress(UnicodeError):
        forms.append(unicodedata.normalize("NFKC", name).encode("idna").decode("ascii").lower())
    return tuple(dict.fromkeys(f.rstrip(".") for f in forms if f.strip(".")))


def _hint(text: str) -> str:
    return host_of_url(text) or "example.com"
