"""OriginCache releases what has expired, so a long crawl holds only its recent origins."""

from __future__ import annotations

import asyncio
from functools import partial

from crawler.origin.cache import OriginCache


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def fill(cache: OriginCache[str], keys: list[str], ttl: float) -> list[str]:
    async def load_all() -> list[str]:
        async def load(key: str) -> tuple[str, float]:
            return f"value of {key}", ttl

        return [await cache.get(k, partial(load, k)) for k in keys]

    return asyncio.run(load_all())


def test_expired_entries_are_released_by_the_next_get() -> None:
    clock = Clock()
    cache: OriginCache[str] = OriginCache(clock)
    fill(cache, [f"https://o{i}.example" for i in range(1000)], ttl=10)
    assert len(cache) == 1000
    clock.now = 10.5
    fill(cache, ["https://late.example"], ttl=10)
    assert len(cache) == 1


def test_entries_within_their_ttl_are_kept_and_served_without_a_load() -> None:
    clock = Clock()
    cache: OriginCache[str] = OriginCache(clock)
    fill(cache, ["https://a.example"], ttl=100)
    fill(cache, ["https://b.example"], ttl=5)
    clock.now = 6
    assert fill(cache, ["https://a.example"], ttl=1) == ["value of https://a.example"]
    assert len(cache) == 1


def test_an_entry_loaded_again_outlives_the_expiry_of_its_first_load() -> None:
    clock = Clock()
    cache: OriginCache[str] = OriginCache(clock)
    fill(cache, ["https://a.example"], ttl=5)
    clock.now = 6
    fill(cache, ["https://a.example"], ttl=100)  # reloaded: expires at 106
    clock.now = 50
    fill(cache, ["https://b.example"], ttl=1)
    assert len(cache) == 2
