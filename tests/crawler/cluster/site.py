"""A multi-origin site for cluster crawls: one pytest-httpserver per origin on 127.0.0.1.

Every origin serves the same pages; each server counts what it served, path by path, so a
test can tell how often each page and each robots.txt was fetched by the whole cluster.
"""

from __future__ import annotations

import re
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

ROBOTS_TXT = "User-agent: *\nDisallow: /private/\n"


def page_path(i: int) -> str:
    """Every seventh page is disallowed by robots.txt; never four in a row, so the links
    below reach every allowed page."""
    return f"/private/{i}.html" if i % 7 == 3 else f"/p/{i}.html"


@dataclass
class Origin:
    """One origin's server and what it served."""

    server: HTTPServer
    pages: int
    page_delay: float
    crawl_delay: float | None
    served: Counter[str] = field(default_factory=Counter)
    arrivals: list[tuple[float, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return self.server.url_for("/")

    def handle(self, request: Request) -> Response:
        with self.lock:
            self.served[request.path] += 1
            self.arrivals.append((time.monotonic(), request.path))
        if request.path == "/robots.txt":
            delay = f"Crawl-delay: {self.crawl_delay}\n" if self.crawl_delay else ""
            return Response(ROBOTS_TXT + delay, content_type="text/plain")
        if request.path == "/":
            return _html("Index", range(4), self.pages)
        for i in range(self.pages):
            if page_path(i) == request.path:
                time.sleep(self.page_delay)
                return _html(f"Page {i}", [i + k for k in range(1, 5)] + [i * 5 + 3], self.pages)
        return Response("not found", status=404)

    def allowed_paths(self) -> set[str]:
        return {"/"} | {
            page_path(i) for i in range(self.pages) if not page_path(i).startswith("/private/")
        }

    def disallowed_paths(self) -> set[str]:
        return {page_path(i) for i in range(self.pages)} - self.allowed_paths()


def _html(title: str, targets: Any, pages: int) -> Response:
    links = "".join(f'<a href="{page_path(j % pages)}">{j % pages}</a> ' for j in targets)
    body = (
        f"<html><head><title>{title}</title></head><body><p>{title} text.</p>{links}</body></html>"
    )
    return Response(body, content_type="text/html; charset=utf-8")


class Site:
    """``origins`` servers of ``pages`` pages each; ``stop()`` when done."""

    def __init__(
        self, origins: int, pages: int, page_delay: float = 0.0, crawl_delay: float | None = None
    ) -> None:
        self.origins: list[Origin] = []
        for _ in range(origins):
            server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
            origin = Origin(server, pages, page_delay, crawl_delay)
            server.expect_request(re.compile("^/")).respond_with_handler(origin.handle)
            server.start()
            self.origins.append(origin)

    @property
    def urls(self) -> list[str]:
        return [origin.url for origin in self.origins]

    def served(self) -> Counter[str]:
        """Times each URL was served, over all origins."""
        total: Counter[str] = Counter()
        for origin in self.origins:
            base = origin.url.rstrip("/")
            total.update({base + path: n for path, n in origin.served.items()})
        return total

    def allowed_urls(self) -> set[str]:
        return {o.url.rstrip("/") + p for o in self.origins for p in o.allowed_paths()}

    def disallowed_urls(self) -> set[str]:
        return {o.url.rstrip("/") + p for o in self.origins for p in o.disallowed_paths()}

    def robots_urls(self) -> set[str]:
        return {o.url.rstrip("/") + "/robots.txt" for o in self.origins}

    def stop(self) -> None:
        for origin in self.origins:
            origin.server.clear()
            if origin.server.is_running():
                origin.server.stop()
