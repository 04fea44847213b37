"""Serve the demo site: one threaded HTTP server per demo origin, on loopback, free ports.

Each origin ("role") serves the files under ``site/<role>/``; ``site/routes.json`` gives
paths a status, headers or a redirect (``{ROLE}`` in a value becomes that role's base URL).
"""

from __future__ import annotations

import json
import mimetypes
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib.resources import files
from importlib.resources.abc import Traversable
from typing import Any

SITE = files("crawler.demo") / "site"
# The listed origin binds its own loopback address, so that it is another host, not just
# another port: blocklists match hosts.
ADDRESSES = {"listed": "127.0.0.2"}


@dataclass
class DemoSite:
    """The running demo: base URL by role, and how often each (role, path) was requested."""

    bases: dict[str, str] = field(default_factory=dict)
    hits: Counter[tuple[str, str]] = field(default_factory=Counter)

    def url(self, role: str, path: str = "/") -> str:
        return self.bases[role] + path

    def expand(self, value: str) -> str:
        for role, base in self.bases.items():
            value = value.replace("{" + role.upper() + "}", base)
        return value


def _handler(site: DemoSite, role: str, routes: dict[str, Any]) -> type[BaseHTTPRequestHandler]:
    root: Traversable = SITE / role

    class Handler(BaseHTTPRequestHandler):
        server_version = "HeedDemo/1"

        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            path = self.path.split("?", 1)[0]
            site.hits[(role, path)] += 1
            route = routes.get(path, {})
            body = b""
            resource = root.joinpath(*[p for p in route.get("file", path).split("/") if p])
            if path.endswith("/") and "file" not in route:
                resource = resource / "index.html"
            if resource.is_file():
                body = resource.read_bytes()
            status = route.get("status", 200 if body else 404)
            self.send_response(status)
            ctype = mimetypes.guess_type(resource.name)[0] if body else "text/plain"
            headers = {
                "Content-Type": ctype or "application/octet-stream",
                **route.get("headers", {}),
            }
            for name, value in headers.items():
                for one in value if isinstance(value, list) else [value]:
                    self.send_header(name, site.expand(one))
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: the crawl's own log tells what was fetched."""

    return Handler


@contextmanager
def serve_demo() -> Iterator[DemoSite]:
    """Start every demo origin; stop them all on exit."""
    routes: dict[str, dict[str, Any]] = json.loads((SITE / "routes.json").read_text("utf-8"))
    site = DemoSite()
    servers: list[ThreadingHTTPServer] = []
    try:
        for role in sorted(p.name for p in SITE.iterdir() if p.is_dir()):
            address = ADDRESSES.get(role, "127.0.0.1")
            server = ThreadingHTTPServer((address, 0), _handler(site, role, routes.get(role, {})))
            server.daemon_threads = True
            servers.append(server)
            site.bases[role] = f"http://{address}:{server.server_address[1]}"
            threading.Thread(target=server.serve_forever, daemon=True).start()
        yield site
    finally:
        for server in servers:
            server.shutdown()
            server.server_close()
