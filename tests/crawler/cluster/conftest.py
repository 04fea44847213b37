"""A real ``redis-server`` on a free loopback port for the cluster tests, one per session."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis

_SEARCHED = ("/usr/bin/redis-server", "/usr/sbin/redis-server", "/usr/local/bin/redis-server")


def find_redis_server() -> str | None:
    return shutil.which("redis-server") or next(
        (path for path in _SEARCHED if Path(path).is_file()), None
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _start(binary: str, workdir: Path) -> tuple[subprocess.Popen[bytes], int]:
    """Start redis-server on a free port; retry if another process took the port first."""
    for _ in range(5):
        port = _free_port()
        proc = subprocess.Popen(
            [
                binary,
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(workdir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis(host="127.0.0.1", port=port)
        deadline = time.monotonic() + 10
        while proc.poll() is None and time.monotonic() < deadline:
            try:
                client.ping()
                return proc, port
            except redis.ConnectionError:
                time.sleep(0.05)
        proc.kill()
        proc.wait()
    raise RuntimeError("redis-server did not start on a free loopback port")


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """The port of a private redis-server; skips only when the binary truly is missing."""
    binary = find_redis_server()
    if binary is None:
        pytest.skip("redis-server not found: install the Debian package redis-server")
    proc, port = _start(binary, tmp_path_factory.mktemp("redis"))
    yield port
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture
def redis_url(redis_server: int) -> str:
    """A URL of the private server, emptied before each test."""
    redis.Redis(host="127.0.0.1", port=redis_server).flushall()
    return f"redis://127.0.0.1:{redis_server}/0"


@pytest.fixture
def server(redis_url: str) -> Any:
    return redis.Redis.from_url(redis_url)
