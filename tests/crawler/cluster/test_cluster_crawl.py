"""Three workers, one Redis, a 20-origin site of 500 pages: the promises of one process hold
for the cluster: each page and each robots.txt fetched once, one decision per request, every
log intact."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import redis

from crawler.log.verify import State, verify_log
from tests.crawler.cluster.site import Site
from tests.crawler.cluster.workers import start_workers
from tests.crawling import REPO, CrawlResult

ORIGINS, PAGES, WORKERS = 20, 25, 3


@dataclass
class ClusterRun:
    site: Site
    served: Counter[str]
    results: list[CrawlResult]

    def decisions(self, stage: str) -> Counter[str]:
        """How many ``stage`` decisions each URL has, over every worker's log."""
        return Counter(r["url"] for res in self.results for r in res.decisions(stage))


@pytest.fixture(scope="module")
def cluster(redis_server: int, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ClusterRun]:
    redis.Redis(host="127.0.0.1", port=redis_server).flushall()
    site = Site(ORIGINS, PAGES)
    try:
        workers = start_workers(
            tmp_path_factory.mktemp("cluster"),
            WORKERS,
            site.urls,
            f"redis://127.0.0.1:{redis_server}/0",
        )
        results = [worker.finish() for worker in workers]
        yield ClusterRun(site, site.served(), results)
    finally:
        site.stop()


def test_the_site_is_big_enough_to_mean_something(cluster: ClusterRun) -> None:
    assert len(cluster.site.origins) >= 20
    assert len(cluster.site.allowed_urls() | cluster.site.disallowed_urls()) >= 500


def test_every_worker_finishes_once_the_cluster_runs_dry(cluster: ClusterRun) -> None:
    for result in cluster.results:
        assert result.returncode == 0, result.stderr[-3000:]
        assert "Spider closed (finished)" in result.stderr
        assert "Traceback" not in result.stderr, result.stderr[-3000:]


def test_every_allowed_page_is_fetched_exactly_once_by_the_whole_cluster(
    cluster: ClusterRun,
) -> None:
    allowed = cluster.site.allowed_urls()
    assert {url: cluster.served[url] for url in allowed if cluster.served[url] != 1} == {}
    assert not set(cluster.served) & cluster.site.disallowed_urls()


def test_the_work_is_shared_between_the_workers(cluster: ClusterRun) -> None:
    pages = [len(result.decisions("response")) for result in cluster.results]
    assert all(pages), f"pages per worker: {pages}"


def test_each_policy_document_is_fetched_once_for_the_whole_cluster(cluster: ClusterRun) -> None:
    robots = cluster.site.robots_urls()
    assert {url: cluster.served[url] for url in robots} == dict.fromkeys(robots, 1)
    # robots.txt and every other per-origin file the checks ask for (tdmrep.json, ai.txt, ...)
    assert {url: n for url, n in cluster.served.items() if n != 1} == {}
    assert {url: cluster.decisions("response")[url] for url in robots} == dict.fromkeys(robots, 1)


def test_the_logs_together_hold_one_decision_per_request(cluster: ClusterRun) -> None:
    requested = set(cluster.served) | cluster.site.disallowed_urls()
    assert cluster.decisions("request") == Counter(requested)
    assert cluster.decisions("response") == Counter(cluster.served)
    denied = {
        r["url"]: r["reason"]
        for result in cluster.results
        for r in result.decisions("request")
        if r["decision"] == "deny"
    }
    assert denied == dict.fromkeys(cluster.site.disallowed_urls(), "robots.disallow")


def test_the_items_of_all_workers_are_the_allowed_pages_once_each(cluster: ClusterRun) -> None:
    items = Counter(item["url"] for result in cluster.results for item in result.items)
    assert items == Counter(cluster.site.allowed_urls())


def test_every_workers_log_verifies_and_names_its_crawl_and_worker(cluster: ClusterRun) -> None:
    headers = [result.records[0]["cluster"] for result in cluster.results]
    assert len({header["crawl"] for header in headers}) == 1
    assert len({header["worker"] for header in headers}) == WORKERS
    for result in cluster.results:
        assert verify_log(result.log_path).ok
    verify = _heed("log", "verify", *(str(r.log_path) for r in cluster.results))
    assert verify.returncode == 0, verify.stdout + verify.stderr


def _heed(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "crawler", *args], capture_output=True, text=True, cwd=REPO
    )


def _feed_urls(path: Path) -> set[str]:
    """Items of a feed whose writer was killed: complete lines only."""
    import json

    if not path.exists():
        return set()
    lines = path.read_bytes().split(b"\n")[:-1]
    return {json.loads(line)["url"] for line in lines}


def test_a_worker_killed_mid_crawl_loses_no_page(redis_url: str, tmp_path: Path) -> None:
    """SIGKILL one of three workers after its 30th page. What it had leased and not finished
    goes back to the frontier when its lease lapses, so the others fetch every page: a page
    it was downloading or parsing is fetched twice, nothing is left out. Lost are only the
    items still in its feed's write buffer; their decisions are in its log."""
    site = Site(ORIGINS, 15, page_delay=0.05)
    try:
        workers = start_workers(tmp_path, WORKERS, site.urls, redis_url)
        victim = workers[0]
        _wait_for(lambda: len(_responses(victim.records())) >= 30 or victim.proc.poll() is not None)
        assert victim.proc.poll() is None, "the victim finished before it could be killed"
        victim.proc.kill()
        victim.proc.wait()
        survivors = [worker.finish() for worker in workers[1:]]
        served = site.served()
    finally:
        site.stop()
    for result in survivors:
        assert result.returncode == 0, result.stderr[-3000:]
    # A SIGKILL never leaves half a record: the log is intact, only without its closing record.
    assert verify_log(victim.log_path).state is State.INCOMPLETE
    victim_records = victim.records()
    started = {r["url"] for r in victim_records if r["stage"] == "request"}
    allowed = site.allowed_urls()

    missing = {url for url in allowed if not served[url]}
    twice = {url for url in served if served[url] > 1}
    assert missing == set(), "no page is lost"
    assert twice <= started, "only pages the victim had started are fetched again"
    assert len(twice) <= 8 + 16, "at most one leased batch plus its concurrency"

    items = _feed_urls(victim.workdir / "items.jsonl")
    for result in survivors:
        items |= result.item_urls
    lost_items = allowed - items
    assert lost_items <= _responses(victim_records), "lost items were the victim's own"
    print(
        f"killed worker: {len(_responses(victim_records))} pages fetched, "
        f"{len(twice)} fetched again by others, 0 pages lost, "
        f"{len(lost_items)} items lost in its unflushed feed"
    )


def _responses(records: list[dict[str, Any]]) -> set[str]:
    return {r["url"] for r in records if r["stage"] == "response"}


def _wait_for(condition: Any, timeout: float = 60) -> None:
    import time

    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)
