"""Main-content extraction in worker processes: real forks, real crawls, real kills."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time
from contextlib import suppress
from pathlib import Path
from typing import Any

from crawler.cli import main
from tests.crawling import crawl_command, interrupt_crawl

HTML = "text/html; charset=utf-8"
REPO = Path(__file__).resolve().parents[2]
STORY = "".join(
    f"<p>Paragraph {i} of the story, told in full and at length.</p>" for i in range(30)
)
NAV = '<nav><a href="/a">Home</a> | <a href="/b">About us</a></nav>'
PAGE = f"<html><head><title>T</title></head><body>{NAV}<article>{STORY}</article></body></html>"
# trafilatura is quadratic in the cells of one table row: this page holds it for seconds.
CELLS = "<td>c</td>" * (400 * 1024 // 10)
HOSTILE = f"<html><body><table><tr>{CELLS}</tr></table><p>After the table.</p></body></html>"


def _stat(stderr: str, name: str) -> int:
    for line in stderr.splitlines():
        if f"'{name}':" in line:
            return int(line.split(":")[-1].strip(" ,}"))
    return 0


def _site(make_server, pages: dict[str, str]):
    server = make_server()
    server.expect_request("/robots.txt").respond_with_data("User-agent: *\nDisallow:\n")
    for path, body in pages.items():
        server.expect_request(path).respond_with_data(body, content_type=HTML)
    return server


def test_pages_are_extracted_in_a_worker_and_their_items_hold_main_content(
    make_server, crawl
) -> None:
    server = _site(make_server, {f"/p{i}": PAGE for i in range(3)})
    result = crawl([server.url_for(f"/p{i}") for i in range(3)], spider_args={"follow": "no"})
    assert result.returncode == 0, result.stderr[-2000:]
    assert _stat(result.stderr, "heed/extract/in_worker") == 3
    assert [item["text_source"] for item in result.items] == ["main_content"] * 3
    for item in result.items:
        assert "Paragraph 29 of the story" in item["text"] and "About us" not in item["text"]
        assert item["title"] == "T" and item["language"] == "en"


def test_with_no_workers_pages_are_extracted_on_the_crawls_thread(make_server, crawl) -> None:
    server = _site(make_server, {"/p0": PAGE})
    result = crawl(
        [server.url_for("/p0")],
        spider_args={"follow": "no"},
        settings={"HEED_EXTRACT_WORKERS": 0},
    )
    assert _stat(result.stderr, "heed/extract/in_worker") == 0
    (item,) = result.items
    assert item["text_source"] == "main_content" and "About us" not in item["text"]


def test_pages_larger_than_the_socket_takes_at_once_are_extracted_each_to_its_own_item(
    make_server, crawl
) -> None:
    # About 600 KB each: a job frame the worker's socket does not take whole, sent while the
    # one before it waits in the transport's buffer.
    pages = {
        f"/big{n}": PAGE.replace(
            "</article>",
            "".join(f"<p>Page {n}, paragraph {i}, with words enough.</p>" for i in range(12000))
            + "</article>",
        )
        for n in range(4)
    }
    server = _site(make_server, pages)
    result = crawl([server.url_for(path) for path in pages], spider_args={"follow": "no"})
    assert result.returncode == 0, result.stderr[-2000:]
    items = {item["url"].rsplit("/", 1)[1]: item for item in result.items}
    assert sorted(items) == sorted(path[1:] for path in pages)
    for name, item in items.items():
        assert item["text_source"] == "main_content"
        assert f"Page {name[3:]}, paragraph 11999" in item["text"]
        assert "About us" not in item["text"]


def test_a_page_that_holds_trafilatura_past_the_timeout_keeps_its_whole_text(
    make_server, crawl
) -> None:
    server = _site(make_server, {"/hostile": HOSTILE, "/p0": PAGE, "/p1": PAGE})
    started = time.monotonic()
    result = crawl(
        [server.url_for(path) for path in ("/hostile", "/p0", "/p1")],
        spider_args={"follow": "no"},
        settings={"HEED_EXTRACT_TIMEOUT": 0.5},
    )
    elapsed = time.monotonic() - started
    items = {item["url"].rsplit("/", 1)[1]: item for item in result.items}
    assert items["hostile"]["text_source"] == "whole_text"
    assert "After the table." in items["hostile"]["text"]
    # The pages after it are extracted by a fresh worker.
    assert items["p0"]["text_source"] == items["p1"]["text_source"] == "main_content"
    assert _stat(result.stderr, "heed/extract/timed_out") == 1
    assert "did not finish (over HEED_EXTRACT_TIMEOUT" in result.stderr
    # Without the limit, this page alone takes trafilatura about 9 s.
    assert elapsed < 6, elapsed


# The pool on its own, in a process of its own with the crawl's reactor: a script's ``main()``
# between these two fills ``out``, which the script prints as JSON.
_SETUP = textwrap.dedent(
    """
    import json, os, signal, sys, time
    from asyncio import sleep
    from scrapy.utils.reactor import install_reactor
    install_reactor("twisted.internet.asyncioreactor.AsyncioSelectorReactor")
    from scrapy.utils.defer import deferred_from_coro, maybe_deferred_to_future
    from scrapy.utils.test import get_crawler
    from twisted.internet import reactor
    from crawler import defaults
    from crawler.extraction.workers import ExtractionWorkers

    from tests.crawler.test_extraction_workers import HOSTILE, PAGE
    settings = {name: getattr(defaults, name) for name in dir(defaults) if name.startswith("HEED_")}
    settings["HEED_EXTRACT_TIMEOUT"] = 0.5
    crawler = get_crawler(settings_dict=settings)
    crawler.stats.open_spider(None)
    pool = ExtractionWorkers(crawler)
    # A descriptor of the crawl's (like its decision log) that a worker must not hold.
    log_fd = os.open(os.devnull, os.O_WRONLY)
    out = {}

    def job(markup):
        return {"markup": markup, "url": "http://127.0.0.1/p", "main_content": True}

    async def ask(markup):
        found = await maybe_deferred_to_future(pool.submit(job(markup)))
        return None if found is None else found.text[:40]

    def alive(pid):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True
    """
)
_RUN = textwrap.dedent(
    """
    def done(_):
        print(json.dumps(out))
        reactor.stop()

    reactor.callWhenRunning(lambda: deferred_from_coro(main()).addBoth(done))
    reactor.run()
    """
)


def _run_pool(main: str) -> dict[str, Any]:
    """What the script ``main`` put in ``out``, run with the pool in a process of its own."""
    proc = subprocess.run(
        [sys.executable, "-c", _SETUP + textwrap.dedent(main) + _RUN],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    out: dict[str, Any] = json.loads(proc.stdout.splitlines()[-1])
    return out


# Jobs, kills, timeouts.
_POOL = """
    async def main():
        out["first"] = await ask(PAGE)
        (pid,) = pool.pids
        out["worker_is_another_process"] = pid != os.getpid()
        out["fds"] = sorted(os.listdir(f"/proc/{pid}/fd"))
        status = open(f"/proc/{pid}/status").read()
        ignored = int(status.split("SigIgn:")[1].split()[0], 16)
        out["ignores_sigint"] = bool(ignored & (1 << (signal.SIGINT - 1)))
        # Killed while idle: the next page gets a fresh worker.
        os.kill(pid, signal.SIGKILL)
        while pool.pids == [pid]:
            await sleep(0.01)
        out["after_idle_kill"] = await ask(PAGE)
        out["fresh_worker"] = pool.pids != [pid]
        # Killed while busy: the page is asked again of a fresh worker; killed again, it has
        # no answer.
        busy = pool.submit(job(HOSTILE))
        (pid,) = pool.pids
        sent = crawler.stats.get_value("heed/extract/in_worker")
        os.kill(pid, signal.SIGKILL)
        while crawler.stats.get_value("heed/extract/in_worker") == sent:
            await sleep(0.01)
        out["retried_in_another_worker"] = pool.pids != [pid] and not busy.called
        os.kill(pool.pids[0], signal.SIGKILL)
        out["busy_kill"] = await maybe_deferred_to_future(busy)
        # Over the timeout: no answer, within the timeout and a watchdog period.
        started = time.monotonic()
        out["hostile"] = await ask(HOSTILE)
        out["hostile_seconds"] = time.monotonic() - started
        out["after_timeout"] = await ask(PAGE)
        (pid,) = pool.pids
        pool.close()
        out["reaped"] = not alive(pid) and not pool.pids
        out["closed"] = await ask(PAGE)
        out["stats"] = {k: v for k, v in crawler.stats.get_stats().items() if "extract" in k}
"""


def test_the_pool_survives_kills_and_timeouts_and_reaps_its_workers() -> None:
    out = _run_pool(_POOL)
    assert out["first"].startswith("Paragraph 0 of the story")
    assert out["worker_is_another_process"]
    # Only its standard streams and its socket: none of the crawl's files or connections.
    assert len(out["fds"]) == 4 and {"0", "1", "2"} <= set(out["fds"]), out["fds"]
    assert out["ignores_sigint"]
    assert out["after_idle_kill"].startswith("Paragraph 0") and out["fresh_worker"]
    assert out["retried_in_another_worker"] and out["busy_kill"] is None
    assert out["hostile"] is None and out["hostile_seconds"] < 2.5, out["hostile_seconds"]
    assert out["after_timeout"].startswith("Paragraph 0")
    assert out["reaped"]
    assert out["closed"] is None
    assert out["stats"]["heed/extract/timed_out"] == 1
    assert out["stats"]["heed/extract/worker_lost"] == 2


# Every worker dies before it is ready (as under a memory limit that kills it while it loads
# the language model): the page does not wait for ever while workers are forked in a loop.
_NEVER_READY = """
    async def main():
        asked = pool.submit(job(PAGE))
        killed = set()
        deadline = time.monotonic() + 10
        while not asked.called and time.monotonic() < deadline:
            for pid in set(pool.pids) - killed:
                os.kill(pid, signal.SIGKILL)
                killed.add(pid)
            await sleep(0.005)
        found = await maybe_deferred_to_future(asked) if asked.called else None
        out["text"] = found and found.text[:40]
        out["forks"] = len(killed)
        out["then"] = await ask(PAGE)
        out["workers_after"] = pool.pids
"""


def test_workers_that_die_before_they_are_ready_are_not_forked_for_ever() -> None:
    out = _run_pool(_NEVER_READY)
    assert out["text"] and out["text"].startswith("Paragraph 0 of the story"), out
    assert out["forks"] <= 3, out
    # Extraction goes on in the crawl's thread.
    assert out["then"].startswith("Paragraph 0") and out["workers_after"] == []


# A worker stuck before it is ready (stopped here; a lock held across the fork would do the
# same) is killed like one stuck on a page, and a fresh one takes the page.
_STUCK_WARMING = """
    async def main():
        started = time.monotonic()
        asked = pool.submit(job(PAGE))
        (stuck,) = pool.pids
        os.kill(stuck, signal.SIGSTOP)
        found = await maybe_deferred_to_future(asked)
        out["text"] = found and found.text[:40]
        out["seconds"] = time.monotonic() - started
        out["stuck_is_gone"] = not alive(stuck) and stuck not in pool.pids
"""


def test_a_worker_stuck_before_it_is_ready_is_replaced() -> None:
    out = _run_pool(_STUCK_WARMING)
    assert out["text"] and out["text"].startswith("Paragraph 0 of the story"), out
    assert out["stuck_is_gone"]
    assert out["seconds"] < 15, out


def _descendants(pid: int) -> list[int]:
    """Every live process under ``pid`` (its extraction workers), from /proc."""
    found, parents = [], {pid}
    for _ in range(3):
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit() or int(entry.name) in found:
                continue
            with suppress(OSError):
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                if int(fields[1]) in parents and fields[0] != "Z":
                    found.append(int(entry.name))
        parents |= set(found)
    return found


def test_ctrl_c_does_not_wait_for_pages_queued_behind_a_busy_worker(make_server, tmp_path) -> None:
    hostile = [f"/hostile{i}" for i in range(3)]
    server = _site(make_server, dict.fromkeys(hostile, HOSTILE))
    command = crawl_command(
        tmp_path, [server.url_for(path) for path in hostile], spider_args={"follow": "no"}
    )
    workers: list[int] = []
    # The worker is deep in the first page 1.5 s after it arrived, two more wait for it.
    stop = interrupt_crawl(
        tmp_path,
        command,
        lambda: len(server.log) >= 4,
        settle=1.5,
        before=lambda pid: workers.extend(_descendants(pid)),
        timeout=60,
    )
    result, stopped, stderr = stop.result, stop.took, stop.result.stderr
    assert workers and result.returncode == 0, stderr[-2000:]
    # Not the 10 s timeout of each page in turn.
    assert stopped < 4, stopped
    assert not [pid for pid in workers if Path(f"/proc/{pid}").exists()]
    # Stopped, not lost: the worker did not die on its page.
    assert _stat(stderr, "heed/extract/worker_lost") == 0
    assert all(item["text_source"] == "whole_text" for item in result.items)
    assert main(["log", "verify", str(result.log_path)]) == 0
