"""The shared frontier against a real Redis: dedupe, leases, rescue of dead workers, leaving."""

from __future__ import annotations

import hashlib
import time
from typing import Any

from crawler.cluster.frontier import Frontier, FrontierKeys, Push

KEYS = FrontierKeys.for_spider("site")


def worker(server: Any, name: str, lease_s: float = 30) -> Frontier:
    frontier = Frontier(server, KEYS, name, lease_s)
    frontier.join()
    return frontier


def push(*urls: str) -> list[Push]:
    return [Push(hashlib.sha1(url.encode()).hexdigest(), 0, url.encode()) for url in urls]


def test_workers_of_one_spider_join_the_same_crawl(server: Any) -> None:
    assert worker(server, "a").join() == worker(server, "b").join()


def test_a_request_pushed_by_two_workers_is_queued_once(server: Any) -> None:
    a, b = worker(server, "a"), worker(server, "b")
    assert a.sync(push("/1", "/2"), [], 0)[0] == 2
    assert b.sync(push("/2", "/3"), [], 0)[0] == 1
    assert server.zcard(KEYS.queue) == 3


def test_dont_filter_requests_skip_the_dupefilter(server: Any) -> None:
    a = worker(server, "a")
    again = [Push("", 0, b"/same"), Push("", 0, b"/same-too")]
    assert a.sync(again, [], 0)[0] == 2
    assert server.scard(KEYS.dupefilter) == 0


def test_popped_requests_are_leased_until_acknowledged(server: Any) -> None:
    a = worker(server, "a")
    _, popped = a.sync(push("/1", "/2", "/3"), [], 2)
    assert len(popped) == 2 and server.zcard(KEYS.queue) == 1
    assert a.check().leased == 2
    a.sync([], popped[:1], 0)
    status = a.check()
    assert (status.queued, status.leased, status.idle) == (1, 1, False)


def test_higher_priority_pops_first(server: Any) -> None:
    a = worker(server, "a")
    a.sync([Push("a" * 40, 0, b"low"), Push("b" * 40, -10, b"high")], [], 0)
    assert a.sync([], [], 1)[1] == [b"high"]


def test_a_dead_workers_leased_requests_return_to_the_queue(server: Any) -> None:
    dead, alive = worker(server, "dead", lease_s=0.2), worker(server, "alive")
    _, popped = dead.sync(push("/1", "/2", "/3"), [], 3)
    assert alive.check().requeued == 0
    time.sleep(0.3)
    status = alive.check()
    assert (status.requeued, status.queued, status.leased, status.workers) == (3, 3, 0, 1)
    assert sorted(alive.sync([], [], 3)[1]) == sorted(popped)


def test_a_live_worker_renews_its_lease_with_every_round_trip(server: Any) -> None:
    busy, other = worker(server, "busy", lease_s=0.3), worker(server, "other")
    busy.sync(push("/1"), [], 1)
    for _ in range(4):
        time.sleep(0.1)
        busy.sync([], [], 0)
    assert other.check().requeued == 0


def test_leaving_returns_unfinished_requests(server: Any) -> None:
    a, b = worker(server, "a"), worker(server, "b")
    a.sync(push("/1", "/2"), [], 2)
    assert a.leave(finished=False) is False
    assert server.zcard(KEYS.queue) == 2 and b.check().leased == 0


def test_the_last_worker_out_of_a_finished_crawl_clears_it(server: Any) -> None:
    a, b = worker(server, "a"), worker(server, "b")
    first = a.join()
    a.sync(push("/1"), [], 1)
    a.sync([], [b"/1"], 0)
    assert a.leave(finished=True) is False  # b is still in
    assert b.leave(finished=True) is True
    assert not server.exists(KEYS.dupefilter, KEYS.queue, KEYS.crawl)
    assert worker(server, "c").join() != first


def test_an_interrupted_crawl_keeps_its_frontier_for_the_next_worker(server: Any) -> None:
    a = worker(server, "a")
    a.sync(push("/1", "/2"), [], 1)
    assert a.leave(finished=False) is False
    assert server.zcard(KEYS.queue) == 2 and server.scard(KEYS.dupefilter) == 2
