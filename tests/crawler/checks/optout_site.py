"""Sites for the opt-out gate tests, and one real crawl shared by a module's cases.

Every crawl is a subprocess that takes seconds to start, so a test module serves each of its
cases from its own origin (a pytest-httpserver on 127.0.0.1) and crawls them all at once; each
case then reads its own origin's decisions and hits.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pytest_httpserver import HTTPServer

from tests.crawling import CrawlResult, run_crawl

HTML = "text/html; charset=utf-8"
POLICY_FILES = ("/robots.txt", "/.well-known/tdmrep.json", "/ai.txt")


def page(links: list[str] = (), head: str = "", text: str = "hello") -> str:
    anchors = "".join(f'<a href="{link}">{link}</a>' for link in links)
    return f"<html><head>{head}</head><body><p>{text}</p>{anchors}</body></html>"


def serve(server: HTTPServer, routes: Mapping[str, Any]) -> None:
    """Serve ``routes``: path -> body, or a tuple (body, headers, content type, status) cut
    short anywhere. A policy file not given answers 404, so its absence is a plain one; a route
    whose value is a callable is a werkzeug handler."""
    for path in POLICY_FILES:
        routes = {path: ("not found", {}, "text/plain", 404), **routes}
    for path, spec in routes.items():
        if callable(spec):
            server.expect_request(path).respond_with_handler(spec)
            continue
        spec = (spec,) if isinstance(spec, str | bytes) else tuple(spec)
        body, headers, ctype, status = spec + ("", {}, HTML, 200)[len(spec) :]
        server.expect_request(path).respond_with_data(
            body, status=status, headers=headers, content_type=ctype
        )


@dataclass
class Site:
    """One origin of a shared crawl: its routes and the paths the crawl starts from."""

    routes: dict[str, Any]
    seeds: list[str] = field(default_factory=lambda: ["/p"])


@dataclass
class SiteCrawl:
    result: CrawlResult
    servers: dict[str, HTTPServer]

    def url(self, site: str, path: str) -> str:
        return self.servers[site].url_for(path)

    def hits(self, site: str, path: str) -> int:
        return sum(1 for req, _ in self.servers[site].log if req.path == path)

    def decision(self, site: str, path: str, stage: str = "request") -> dict[str, Any]:
        return self.result.decision_for(self.url(site, path), stage)

    def kept(self, site: str, path: str) -> bool:
        return self.url(site, path) in self.result.item_urls


@contextmanager
def crawl_sites(
    workdir: Path, sites: Mapping[str, Site], settings: dict[str, Any] | None = None
) -> Iterator[SiteCrawl]:
    """Serve every site on its own port, crawl all their seeds in one run, stop the servers."""
    servers: dict[str, HTTPServer] = {}
    try:
        for name, site in sites.items():
            servers[name] = HTTPServer(host="127.0.0.1", port=0, threaded=True)
            servers[name].start()
            serve(servers[name], site.routes)
        seeds = [servers[n].url_for(p) for n, site in sites.items() for p in site.seeds]
        result = run_crawl(workdir, seeds, settings=settings, timeout=120)
        assert result.returncode == 0, result.stderr[-3000:]
        assert "Traceback" not in result.stderr, result.stderr[-3000:]
        yield SiteCrawl(result, servers)
    finally:
        with ThreadPoolExecutor() as pool:  # each stop waits for its threads: stop them together
            list(pool.map(_stop, servers.values()))


def _stop(server: HTTPServer) -> None:
    server.clear()
    if server.is_running():
        server.stop()
