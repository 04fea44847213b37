"""The per-origin cache shared through Redis: one load per key per TTL for all workers."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest

from crawler.cluster.origin_cache import RedisOriginCache


@dataclass(frozen=True)
class Robots:
    origin: str
    availability: str


def worker(server: Any, lock_s: float = 5) -> RedisOriginCache[Robots]:
    """Each worker process has its own cache object; they meet only in Redis."""
    return RedisOriginCache(server, "robots", lock_s)


class Loads:
    """Counts loads (the fetches a real check would make) across every worker."""

    def __init__(self, availability: str = "parsed", ttl: float = 60, took: float = 0.05):
        self.count = 0
        self.availability, self.ttl, self.took = availability, ttl, took

    def __call__(self, origin: str) -> Callable[[], Awaitable[tuple[Robots, float]]]:
        async def load() -> tuple[Robots, float]:
            self.count += 1
            await asyncio.sleep(self.took)
            return Robots(origin, self.availability), self.ttl

        return load


def run(*coroutines: Awaitable[Any]) -> list[Any]:
    async def together() -> list[Any]:
        return list(await asyncio.gather(*coroutines))

    return asyncio.run(together())


def test_workers_racing_for_a_new_origin_load_it_once(server: Any) -> None:
    loads = Loads()
    caches = [worker(server) for _ in range(5)]
    values = run(*(cache.get("http://a", loads("http://a")) for cache in caches))
    assert loads.count == 1
    assert values == [Robots("http://a", "parsed")] * 5


def test_a_worker_reads_what_another_loaded_until_the_ttl_lapses(server: Any) -> None:
    loads = Loads(availability="unreachable", ttl=0.3)  # RFC 9309 §2.3.1.4 retry-after
    first, second = worker(server), worker(server)
    run(first.get("http://a", loads("http://a")))
    assert run(second.get("http://a", loads("http://a"))) == [Robots("http://a", "unreachable")]
    assert loads.count == 1
    run(asyncio.sleep(0.35))
    third = worker(server)
    run(third.get("http://a", loads("http://a")))
    assert loads.count == 2


def test_a_worker_keeps_what_it_read_in_memory_until_the_entry_expires(server: Any) -> None:
    loads = Loads(ttl=60)
    cache = worker(server)
    run(cache.get("http://a", loads("http://a")))
    server.flushall()  # the worker no longer asks Redis for a fresh entry
    run(cache.get("http://a", loads("http://a")))
    assert loads.count == 1


def test_a_failed_load_is_not_cached_and_the_next_worker_loads_again(server: Any) -> None:
    async def broken() -> tuple[Robots, float]:
        raise OSError("disk full")

    loads = Loads()
    with pytest.raises(OSError):
        run(worker(server).get("http://a", broken))
    assert run(worker(server).get("http://a", loads("http://a"))) == [Robots("http://a", "parsed")]
    assert loads.count == 1


def test_a_dead_workers_lock_lapses_and_another_worker_loads(server: Any) -> None:
    cache = worker(server, lock_s=0.3)
    server.set(cache.prefix + "http://a:lock", "dead-worker", px=300)
    loads = Loads()
    assert run(cache.get("http://a", loads("http://a"))) == [Robots("http://a", "parsed")]
    assert loads.count == 1


def test_a_load_slower_than_the_lock_keeps_its_lock_while_it_runs(server: Any) -> None:
    loads = Loads(took=0.7)
    caches = [worker(server, lock_s=0.2) for _ in range(3)]
    run(*(cache.get("http://a", loads("http://a")) for cache in caches))
    assert loads.count == 1
