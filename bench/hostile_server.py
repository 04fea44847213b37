"""A hostile web server on 127.0.0.1 written on raw sockets, and compression bombs for it.

It answers what well-behaved servers never send: bodies that expand a thousandfold, bodies cut
by a TCP reset, bodies shorter than their Content-Length, bodies that trickle. The tests of
Heed's response bodies and ``bench/bombs.py`` crawl it.
"""

from __future__ import annotations

import functools
import socket
import socketserver
import struct
import sys
import threading
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field

import brotli  # type: ignore[import-untyped]

if sys.version_info >= (3, 14):
    from compression import zstd
else:
    from backports import zstd

_PIECE = 1 << 20


def _filler(size: int, line: bytes) -> Iterator[bytes]:
    """``size`` bytes of ``line`` repeated, a megabyte at a time."""
    piece = (line * (_PIECE // len(line) + 1))[:_PIECE]
    for start in range(0, size, _PIECE):
        yield piece[: min(_PIECE, size - start)]


def _compress(coding: str, chunks: Iterator[bytes]) -> bytes:
    if coding == "gzip":
        out = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    elif coding == "deflate":
        out = zlib.compressobj(9)
    elif coding == "br":
        br = brotli.Compressor(quality=5)
        coded: bytes = b"".join(br.process(c) for c in chunks) + br.finish()
        return coded
    elif coding == "zstd":
        zs = zstd.ZstdCompressor()
        return b"".join(zs.compress(c) for c in chunks) + zs.flush()
    else:
        raise ValueError(coding)
    return b"".join(out.compress(c) for c in chunks) + out.flush()


@functools.cache
def bomb(codings: str, size: int, head: bytes = b"<html><body>", line: bytes = b" ") -> bytes:
    """``head`` and filler to ``size`` bytes, coded with ``codings`` (a Content-Encoding value,
    first applied first)."""
    body = _compress(
        codings.split(",")[0].strip(),
        iter([head, *_filler(size - len(head), line)]),
    )
    for coding in codings.split(",")[1:]:
        body = _compress(coding.strip(), iter([body]))
    return body


@dataclass
class Reply:
    """One canned answer. ``mode``: ``normal`` (Content-Length), ``reset`` (no length, part of
    the body, then a TCP reset), ``short`` (a Content-Length larger than the body, then a
    close), ``trickle`` (no length, one byte every ``delay`` seconds, forever)."""

    body: bytes = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    mode: str = "normal"
    delay: float = 0.5


class HostileServer:
    """``with HostileServer() as s: s.routes["/x"] = Reply(...); s.url("/x")``."""

    def __init__(self) -> None:
        self.routes: dict[str, Reply] = {}
        self.hits: list[str] = []
        outer = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                outer._serve(self.request)

        socketserver.ThreadingTCPServer.allow_reuse_address = True
        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def __enter__(self) -> HostileServer:
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _serve(self, conn: socket.socket) -> None:
        data = b""
        while b"\r\n\r\n" not in data:
            got = conn.recv(65536)
            if not got:
                return
            data += got
        path = data.split(b" ", 2)[1].decode("latin-1")
        self.hits.append(path)
        reply = self.routes.get(path, Reply(b"not here", 404))
        head = [f"HTTP/1.1 {reply.status} X", "Connection: close"]
        head += [f"{name}: {value}" for name, value in reply.headers.items()]
        if reply.mode in ("normal", "short"):
            extra = 1000 if reply.mode == "short" else 0
            head.append(f"Content-Length: {len(reply.body) + extra}")
        try:
            conn.sendall(("\r\n".join(head) + "\r\n\r\n").encode("latin-1"))
            if reply.mode == "trickle":
                for byte in reply.body * 1000:
                    conn.sendall(bytes([byte]))
                    time.sleep(reply.delay)
            elif reply.mode == "reset":
                conn.sendall(reply.body[: len(reply.body) // 2])
                time.sleep(0.2)
                # SO_LINGER with a zero timeout: close() sends RST, not FIN.
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            else:
                conn.sendall(reply.body)
        except OSError:
            pass  # the client went away: what hostile servers see every day
        finally:
            conn.close()


class Listener:
    """A bare TCP port that counts connections (for "never contacted" assertions)."""

    def __init__(self) -> None:
        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(8)
        self._sock.settimeout(0.2)
        self.port = self._sock.getsockname()[1]
        self.connections = 0
        self._stop = threading.Event()

    def __enter__(self) -> Listener:
        threading.Thread(target=self._accept, daemon=True).start()
        return self

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except OSError:
                continue
            self.connections += 1
            conn.close()

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._sock.close()
