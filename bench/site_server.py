"""A local multi-origin site for the crawl benchmark, served cheaply from memory.

Every origin is one port on 127.0.0.1 with the same pages: relative links keep the bytes
identical, so each response (status line, headers and body) is rendered once, before serving.
The server is a single asyncio process speaking just enough HTTP/1.1 (GET, keep-alive,
``Connection: close``) that a crawler, not the server, is what a benchmark measures.

Run it on its own: ``python bench/site_server.py --origins 12 --pages 250`` prints one JSON
line with the ports and serves until its standard input closes.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from dataclasses import dataclass

LINKS_PER_PAGE = 12
# Paragraphs a page: with its links, about 7 KB of HTML, the page the crawl targets are set for.
PARAGRAPHS = 9
_PARAGRAPH = (
    "Heed benchmark page {i}. A crawler reads this text, follows the links below and writes "
    "one decision per request and per response. The words repeat so that each page weighs "
    "about as much as a short article does once its markup is stripped. "
)

# RFC 9309 rules that cover a known share of the pages: two path prefixes, one wildcard with
# an end anchor (§2.2.3), and a longer Allow that wins over a shorter Disallow (§2.2.2).
ROBOTS_TXT = b"""# Heed benchmark site
User-agent: *
Disallow: /private/
Disallow: /drafts/
Allow: /drafts/public/
Disallow: /*.tmp.html$
"""


def page_path(i: int) -> str:
    """Path of page ``i``: the residue of ``i`` decides whether robots.txt allows it."""
    if i % 10 == 3:
        return f"/private/{i}.html"
    if i % 40 == 17:
        return f"/drafts/public/{i}.html"
    if i % 10 == 7:
        return f"/drafts/{i}.html"
    if i % 20 == 9:
        return f"/a/{i}.tmp.html"
    return f"/a/{i}.html"


def is_allowed(path: str) -> bool:
    """Whether ``ROBOTS_TXT`` allows ``path`` (mirrors its four rules, for the page count)."""
    if path.startswith("/private/") or path.endswith(".tmp.html"):
        return False
    return not path.startswith("/drafts/") or path.startswith("/drafts/public/")


@dataclass(frozen=True)
class Site:
    """``origins`` ports each serving ``pages`` pages plus ``/`` and ``/robots.txt``."""

    origins: int
    pages: int
    paragraphs: int = PARAGRAPHS

    def links_from(self, i: int) -> list[int]:
        """The next pages in order (so every page is reachable past disallowed ones) and a
        few far jumps (so the frontier is wide, as on a real site)."""
        near = [(i + k) % self.pages for k in range(1, 7)]
        far = [(i * 7 + 13 * k) % self.pages for k in range(1, LINKS_PER_PAGE - 5)]
        return near + far

    def allowed_per_origin(self) -> int:
        """Pages a robots-obeying crawl from ``/`` takes from each origin, ``/`` included."""
        return 1 + sum(is_allowed(page_path(i)) for i in range(self.pages))

    def routes(self) -> dict[bytes, bytes]:
        """Every path of one origin mapped to its complete HTTP response."""
        routes = {
            b"/robots.txt": _response(200, "text/plain", ROBOTS_TXT),
            b"/": _response(200, "text/html; charset=utf-8", self._index()),
        }
        for i in range(self.pages):
            routes[page_path(i).encode()] = _response(200, "text/html; charset=utf-8", self.page(i))
        return routes

    def _index(self) -> bytes:
        links = "".join(f'<li><a href="{page_path(i)}">page {i}</a></li>' for i in range(8))
        return _html("Benchmark site", "<p>Start here.</p>", links)

    def page(self, i: int) -> bytes:
        text = "".join(f"<p>{_PARAGRAPH.format(i=i) * 3}</p>" for _ in range(self.paragraphs))
        links = "".join(
            f'<li><a href="{page_path(j)}">page {j}</a></li>' for j in self.links_from(i)
        )
        return _html(f"Page {i}", text, links)


def _html(title: str, body: str, links: str) -> bytes:
    return (
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{title}</title></head>"
        f"<body><h1>{title}</h1>{body}<ul>{links}</ul></body></html>"
    ).encode()


def _response(status: int, content_type: str, body: bytes) -> bytes:
    reason = {200: "OK", 404: "Not Found"}[status]
    head = (
        f"HTTP/1.1 {status} {reason}\r\nContent-Type: {content_type}\r\n"
        f"Content-Length: {len(body)}\r\nConnection: keep-alive\r\n\r\n"
    )
    return head.encode("ascii") + body


_NOT_FOUND = _response(404, "text/plain", b"not found\n")


class _Connection(asyncio.Protocol):
    """One keep-alive connection: answer each complete request head from ``routes``."""

    def __init__(self, routes: dict[bytes, bytes], counter: list[int]) -> None:
        self.routes = routes
        self.counter = counter
        self.buffer = b""
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        assert self.transport is not None
        if self.transport.is_closing():
            return
        self.buffer += data
        while (end := self.buffer.find(b"\r\n\r\n")) >= 0:
            head, self.buffer = self.buffer[:end], self.buffer[end + 4 :]
            request_line, _, headers = head.partition(b"\r\n")
            target = request_line.split(b" ", 2)[1] if request_line.count(b" ") >= 2 else b""
            self.counter[0] += 1
            self.transport.write(self.routes.get(target.split(b"?", 1)[0], _NOT_FOUND))
            if b"connection: close" in headers.lower():
                self.transport.close()
                return


def loopback_hosts(origins: int) -> list[str]:
    """One loopback address per origin (127.0.0.2, ...): each its own host, so that a crawler
    gives each its own download slot and politeness delay, as it would distinct sites."""
    return [f"127.0.{(i + 2) // 256}.{(i + 2) % 256}" for i in range(origins)]


async def serve(site: Site, hosts: bool = False) -> None:
    """Listen on ``site.origins`` free ports (on 127.0.0.1, or with ``hosts`` one address each),
    print them, serve until stdin closes."""
    loop = asyncio.get_running_loop()
    routes, counter = site.routes(), [0]
    addresses = loopback_hosts(site.origins) if hosts else ["127.0.0.1"] * site.origins
    servers = [
        await loop.create_server(lambda: _Connection(routes, counter), address, 0)
        for address in addresses
    ]
    ports = [s.sockets[0].getsockname()[1] for s in servers]
    origins = [f"http://{a}:{p}" for a, p in zip(addresses, ports, strict=True)]
    allowed = site.allowed_per_origin()
    print(json.dumps({"ports": ports, "origins": origins, "allowed_per_origin": allowed}))
    sys.stdout.flush()
    closed = loop.create_future()

    def close() -> None:
        if not closed.done():
            closed.set_result(None)

    loop.add_reader(sys.stdin.fileno(), close)
    await closed
    for server in servers:
        server.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--origins", type=int, default=12)
    parser.add_argument("--pages", type=int, default=250, help="pages per origin")
    parser.add_argument("--hosts", action="store_true", help="one loopback address per origin")
    parser.add_argument("--paragraphs", type=int, default=PARAGRAPHS, help="paragraphs a page")
    args = parser.parse_args()
    asyncio.run(serve(Site(args.origins, args.pages, args.paragraphs), args.hosts))


if __name__ == "__main__":
    main()
