"""OriginCache releases what has expired, so a long crawl holds only its recent origins."""

from __future__ import annotations

import asyncio
from functools import partial

from crawler.origin.cache import OriginCache, Read, noting_reads


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


def _noted(cache: OriginCache[str], key: str, ttl: float) -> list[Read]:
    async def read() -> list[Read]:
        async def load() -> tuple[str, float]:
            return f"value of {key}", ttl

        with noting_reads() as reads:
            await cache.get(key, load)
        await cache.get(key, load)  # after the block: not noted
        return reads

    return asyncio.run(read())


def test_a_noted_read_is_in_force_until_its_entry_expires() -> None:
    clock = Clock()
    cache: OriginCache[str] = OriginCache(clock)
    reads = _noted(cache, "https://a.example", ttl=10)
    assert len(reads) == 1 and reads[0].in_force()
    clock.now = 10
    assert not reads[0].in_force()


def test_a_noted_read_is_no_longer_in_force_once_its_key_is_loaded_again() -> None:
    clock = Clock()
    cache: OriginCache[str] = OriginCache(clock)
    first = _noted(cache, "https://a.example", ttl=5)
    clock.now = 6
    again = _noted(cache, "https://a.example", ttl=100)
    assert not first[0].in_force() and again[0].in_force()
