"""A download slot's delay holds across workers: each booking starts one delay after the last."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from crawler.cluster.politeness import SlotClock
from tests.crawler.cluster.site import Site
from tests.crawler.cluster.workers import start_workers


def test_three_workers_booking_one_slot_are_spaced_by_its_delay(server: Any) -> None:
    workers = [SlotClock(server) for _ in range(3)]
    waits = [clock.book("127.0.0.1", 0.2) for clock in workers]
    assert waits[0] == 0
    assert waits[1] == pytest.approx(0.2, abs=0.03)
    assert waits[2] == pytest.approx(0.4, abs=0.03)


def test_other_slots_do_not_wait(server: Any) -> None:
    clock = SlotClock(server)
    clock.book("a.example", 1.0)
    assert clock.book("b.example", 1.0) == 0


def test_a_slot_idle_for_longer_than_its_delay_starts_at_once(server: Any) -> None:
    clock = SlotClock(server)
    clock.book("a.example", 0.1)
    time.sleep(0.15)
    assert clock.book("a.example", 0.1) == 0


def test_a_crawl_delay_holds_across_two_workers_of_one_crawl(
    redis_url: str, tmp_path: Path
) -> None:
    site = Site(origins=1, pages=8, crawl_delay=0.25)
    try:
        # Few requests per worker at a time, so that both take pages of the one origin.
        workers = start_workers(
            tmp_path, 2, site.urls, redis_url, HEED_FRONTIER_BATCH=1, CONCURRENT_REQUESTS=2
        )
        results = [worker.finish() for worker in workers]
    finally:
        site.stop()
    assert all(result.returncode == 0 for result in results)
    pages = site.origins[0].allowed_paths()
    arrivals = [t for t, path in site.origins[0].arrivals if path in pages]
    assert len(arrivals) == len(site.origins[0].allowed_paths())
    gaps = [later - earlier for earlier, later in zip(arrivals, arrivals[1:], strict=False)]
    assert min(gaps) >= 0.25 - 0.05, f"gaps between page requests: {gaps}"
    taken = [len(result.decisions("response")) for result in results]
    assert all(taken), f"both workers fetched from the origin: {taken}"
