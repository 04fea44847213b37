"""A real ``redis-server`` on a free loopback port for the cluster tests, one per session."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import redis

from tests.crawler.cluster.redis_server import find_redis_server, start_redis_server


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """The port of a private redis-server; skips only when the binary truly is missing."""
    binary = find_redis_server()
    if binary is None:
        pytest.skip("redis-server not found: install the Debian package redis-server")
    proc, port = start_redis_server(binary, tmp_path_factory.mktemp("redis"))
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
