"""Main-content extraction in worker processes, off the crawl's one thread.

trafilatura is pure Python for the most part: on the crawl's thread it costs about a third of a
page's time, and hostile flat markup holds it for seconds (a single table row of tiny cells:
55 s for 1 MiB) while every other origin waits. ``ExtractionWorkers`` sends each page to one of
``HEED_EXTRACT_WORKERS`` worker processes instead and gives up on a page after
``HEED_EXTRACT_TIMEOUT`` seconds: the worker is killed, the page's item keeps its whole visible
text, and the next page gets a fresh worker.

A worker is a fork of the crawl, made when the first page needs it: trafilatura is imported
already, so it starts in milliseconds. It closes every file descriptor it inherited but its
socket (the decision log, the crawl's connections), logs nothing, ignores Ctrl-C (the crawl
stops it), and reads jobs until its socket closes. Both ends are the same interpreter, so jobs
and answers travel as ``marshal`` frames, which carry only strings, numbers, lists, dicts and
None.
"""

from __future__ import annotations

import ctypes
import logging
import marshal
import os
import signal
import socket
import struct
import sys
import time
import warnings
from collections import deque
from contextlib import suppress
from dataclasses import astuple, dataclass, field
from typing import TYPE_CHECKING, Any

from scrapy import signals
from twisted.internet.defer import Deferred, succeed
from twisted.internet.protocol import Factory, Protocol
from twisted.internet.task import LoopingCall

from crawler.extraction import PageText, extract_page
from crawler.slots import closing

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from twisted.python.failure import Failure

logger = logging.getLogger(__name__)

_LENGTH = struct.Struct(">I")
# The asks that reach a worker are extract_page's keyword arguments.
Job = dict[str, Any]


# prctl(2) option: the signal a process gets when its parent dies.
_PR_SET_PDEATHSIG = 1
# Jobs sent to a worker ahead of its answers: it starts the next as soon as it has answered
# one, without waiting for the crawl's thread to read that answer and send another.
_DEPTH = 2
# A fresh worker's first frame: warm, ready for pages.
READY = "ready"
# Workers in a row that die before they are ready: then none can start (a memory limit that
# kills each one as it loads the language model), and forking more would loop for ever.
_MAX_UNREADY = 3
# Seconds a fresh worker may take to be ready (about half a second as a rule, a few on a loaded
# machine): one stuck longer (a lock held across the fork) is killed like one stuck on a page.
_WARM_UP_SECONDS = 10.0
_WARM_UP = (
    "<html><body><p>"
    + "A short paragraph of text to warm the worker up. " * 4
    + "</p></body></html>"
)


def _frame(value: Any) -> bytes:
    payload = marshal.dumps(value)
    return _LENGTH.pack(len(payload)) + payload


def _read_exactly(sock: socket.socket, size: int) -> bytes:
    chunks = []
    while size:
        chunk = sock.recv(min(size, 1 << 20))
        if not chunk:
            raise EOFError
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def serve(sock: socket.socket) -> None:
    """A worker's loop: ready once warm, then one job in, its ``PageText`` fields out (or
    ``None`` if it raised), until the crawl closes the socket."""
    # The language model loads on first use (about half a second): before the first page, so
    # that it does not count against that page's HEED_EXTRACT_TIMEOUT.
    extract_page(_WARM_UP, "http://127.0.0.1/")
    sock.sendall(_frame(READY))
    while True:
        try:
            (size,) = _LENGTH.unpack(_read_exactly(sock, _LENGTH.size))
            job = marshal.loads(_read_exactly(sock, size))
        except EOFError:
            return
        try:
            answer: tuple[str | None, ...] | None = astuple(extract_page(**job))
        except Exception:  # noqa: BLE001 - the crawl falls back to the page's whole text
            answer = None
        sock.sendall(_frame(answer))


def _become_worker(sock: socket.socket) -> None:
    """In the forked child: drop what belongs to the crawl, then serve. Never returns."""
    code = 1
    try:
        # The crawl's log handlers write to descriptors closed below.
        logging.disable(logging.CRITICAL)
        signal.set_wakeup_fd(-1)
        _die_with_the_crawl()
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        for number in (signal.SIGTERM, signal.SIGCHLD, signal.SIGHUP):
            signal.signal(number, signal.SIG_DFL)
        keep = sock.fileno()
        os.closerange(3, keep)
        os.closerange(keep + 1, os.sysconf("SC_OPEN_MAX"))
        serve(sock)
        code = 0
    finally:
        # Not sys.exit: the crawl's buffers (its decision log among them) are not the child's
        # to flush, nor its atexit handlers to run.
        os._exit(code)


def _die_with_the_crawl() -> None:
    """On Linux, have the kernel kill the worker when the crawl dies (``PR_SET_PDEATHSIG``):
    a crawl killed outright does not leave a worker deep in a hostile page behind."""
    with suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


@dataclass
class _Ask:
    """One page's job, who waits for its answer, and whether a worker has died on it."""

    job: Job
    done: Deferred[PageText | None] = field(default_factory=Deferred)
    retried: bool = False


class _Worker(Protocol):
    """The crawl's end of one worker: up to ``_DEPTH`` jobs sent ahead, answered in order."""

    def __init__(self, pool: ExtractionWorkers, pid: int) -> None:
        self.pool = pool
        self.pid = pid
        self.asks: deque[_Ask] = deque()
        # When it was forked, then when its current job started (it starts each job as soon
        # as it has answered the one before).
        self.started = time.monotonic()
        self.timed_out = False
        self.ready = False
        self._buffer = bytearray()
        # A job frame the socket did not take whole waits in the transport's buffer: later
        # ones must queue behind it there, until every job sent is answered (all read).
        self._spilled = False

    def send(self, ask: _Ask) -> None:
        if not self.asks:
            self.started = time.monotonic()
        self.asks.append(ask)
        frame = _frame(ask.job)
        sent = 0
        if not self._spilled:
            # Straight into the socket, most often whole: no transport round.
            try:
                sent = os.write(self._link.fileno(), frame)
            except BlockingIOError:
                sent = 0
            except OSError:  # the worker died: connectionLost hands its jobs on
                self.close()
                return
        if sent < len(frame):
            self._spilled = True
            self._link.write(frame[sent:])

    def dataReceived(self, data: bytes) -> None:  # noqa: N802 - Twisted's name
        if self.timed_out:  # killed: an answer that came too late takes no new job
            return
        self._buffer += data
        while len(self._buffer) >= _LENGTH.size:
            (size,) = _LENGTH.unpack_from(self._buffer)
            if len(self._buffer) < _LENGTH.size + size:
                return
            answer = marshal.loads(bytes(self._buffer[_LENGTH.size : _LENGTH.size + size]))
            del self._buffer[: _LENGTH.size + size]
            if not self.ready:
                self.ready = answer == READY
            elif self.asks:
                ask = self.asks.popleft()
                self.started = time.monotonic()
                self._spilled = self._spilled and bool(self.asks)
                ask.done.callback(PageText(*answer) if answer is not None else None)
            self.pool.idle(self)

    def overdue(self, now: float) -> None:
        """Kill the worker if its job has run past ``HEED_EXTRACT_TIMEOUT``, or if it is still
        not ready ``_WARM_UP_SECONDS`` after its fork."""
        if self.ready:
            if not self.asks or self.timed_out or now - self.started <= self.pool.timeout:
                return
            self.timed_out = True
            self.pool.stats.inc_value("heed/extract/timed_out")
        elif now - self.started <= _WARM_UP_SECONDS:
            return
        os.kill(self.pid, signal.SIGKILL)
        self.close()

    @property
    def _link(self) -> Any:
        """The transport (its zope interface gives mypy no methods to check)."""
        return self.transport

    def close(self) -> None:
        if self.transport is not None:
            self._link.loseConnection()

    def connectionLost(self, reason: Failure = None) -> None:  # type: ignore[assignment]  # noqa: N802
        """The job it was on gives up (timed out, or died on twice) or is asked again; the
        jobs sent behind it are asked again as they were."""
        asks, self.asks = list(self.asks), deque()
        current = asks[0] if asks else None
        if current is not None and not self.timed_out and not self.pool.closed:
            self.pool.stats.inc_value("heed/extract/worker_lost")
        if current is not None and (self.timed_out or current.retried):
            current.done.callback(None)
            asks = asks[1:]
        elif current is not None:
            current.retried = True
        for ask in self.pool.lost(self, asks):
            ask.done.callback(None)


class ExtractionWorkers:
    """Scrapy extension: the crawl's extraction workers, forked on demand, at most
    ``HEED_EXTRACT_WORKERS`` (0: none, every page is extracted on the crawl's thread)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.size = crawler.settings.getint("HEED_EXTRACT_WORKERS")
        if self.size and not sys.platform.startswith("linux"):
            # A fork that does not exec is unsafe where system libraries keep threads of their
            # own (macOS), and impossible on Windows.
            logger.info("Main-content extraction runs on the crawl's thread on %s", sys.platform)
            self.size = 0
        self.timeout = crawler.settings.getfloat("HEED_EXTRACT_TIMEOUT")
        self._workers: list[_Worker] = []
        self._waiting: deque[_Ask] = deque()
        self.closed = False
        self._unready = 0
        # One watchdog for every worker, a few times per timeout (not a timer per page).
        self._watchdog: LoopingCall | None = None
        crawler.signals.connect(self.close, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ExtractionWorkers:
        return cls(crawler)

    @property
    def pids(self) -> list[int]:
        """The workers' process ids, for the crawl's diagnostics and its tests."""
        return [worker.pid for worker in self._workers]

    def submit(self, job: Job) -> Deferred[PageText | None]:
        """``extract_page(**job)``, in a worker when there are any. It fires with ``None``
        when the worker ran past ``HEED_EXTRACT_TIMEOUT``, or raised, or died on the page
        twice (once may be chance: it is asked again), or the crawl closed first."""
        if not self.size:
            found: PageText | None = extract_page(**job)
            return succeed(found)
        if self.closed:
            return succeed(None)
        ask = _Ask(job)
        self._waiting.append(ask)
        self._dispatch()
        return ask.done

    def _dispatch(self) -> None:
        while self._waiting and not self.closed:
            ready = [w for w in self._workers if w.ready and not w.timed_out]
            starting = len(ready) < len(self._workers)
            free = min(ready, key=lambda w: len(w.asks), default=None)
            if (free is None or free.asks) and not starting and len(self._workers) < self.size:
                try:
                    self._start()
                except OSError as exc:
                    self._without_workers(exc.strerror or str(exc))
                return
            if free is None or len(free.asks) >= _DEPTH:
                return
            free.send(self._waiting.popleft())
            self.stats.inc_value("heed/extract/in_worker")

    def _without_workers(self, why: str) -> None:
        """No worker could be started (out of memory or processes): extract on the crawl's
        thread from now on, the pages already waiting included."""
        logger.warning(
            "Cannot start an extraction worker (%s): main content is extracted on the crawl's "
            "thread from now on, without HEED_EXTRACT_TIMEOUT",
            why,
        )
        self.size = 0
        while self._waiting:
            ask = self._waiting.popleft()
            ask.done.callback(extract_page(**ask.job))

    def _start(self) -> None:
        from twisted.internet import reactor  # the crawl's, installed by then

        ours, theirs = socket.socketpair()
        try:
            with warnings.catch_warnings():
                # Python 3.12+ warns that a fork of a threaded process may deadlock in the
                # child; the child runs only extraction code, which takes none of the crawl's
                # locks.
                warnings.simplefilter("ignore", DeprecationWarning)
                pid = os.fork()
        except OSError:
            ours.close()
            theirs.close()
            raise
        if pid == 0:
            ours.close()
            _become_worker(theirs)
        theirs.close()
        worker = _Worker(self, pid)
        fd = ours.detach()
        try:
            reactor.adoptStreamConnection(fd, socket.AF_UNIX, _Factory(worker))
        finally:
            os.close(fd)  # the reactor holds a duplicate
        self._workers.append(worker)  # idle once it says it is ready
        if self._watchdog is None:
            self._watchdog = LoopingCall(self._watch)
            self._watchdog.start(min(1.0, max(0.05, self.timeout / 4)), now=False)

    def _watch(self) -> None:
        if self._stopping():
            # A graceful stop (Ctrl-C) waits for every page in progress: not for a hostile one
            # to time out, nor for each page queued behind it in turn.
            self.close()
            return
        now = time.monotonic()
        for worker in list(self._workers):
            worker.overdue(now)

    def _stopping(self) -> bool:
        """Whether the crawl is closing its spider (Ctrl-C, ``close_spider``)."""
        try:
            engine = self.crawler.engine
        except RuntimeError:  # Scrapy 2.19: no crawl has started (the pool used on its own)
            return False
        return engine is not None and closing(engine)

    def idle(self, worker: _Worker) -> None:
        """``worker`` is ready, or answered a job: it has room for another."""
        self._unready = 0
        self._dispatch()

    def lost(self, worker: _Worker, again: list[_Ask]) -> list[_Ask]:
        """A worker's socket closed: reap it, and let the next job start a fresh worker.
        ``again`` (its jobs not given up) go first; those not taken back are returned."""
        if worker in self._workers:
            self._workers.remove(worker)
            _reap(worker.pid)
            self._unready += not worker.ready  # a ready worker set it to 0
            if self._unready >= _MAX_UNREADY and not self.closed:
                self._without_workers(f"{self._unready} in a row died before they were ready")
        if self.closed:
            return again
        self._waiting.extendleft(reversed(again))
        self._dispatch()
        return []

    def close(self) -> None:
        """The spider is closing or closed: stop every worker now (one may be deep in a hostile
        page); a job still waiting gets no answer."""
        self.closed = True
        if self._watchdog is not None and self._watchdog.running:
            self._watchdog.stop()
        while self._waiting:
            self._waiting.popleft().done.callback(None)
        for worker in self._workers:
            _reap(worker.pid)
            worker.close()
        self._workers.clear()


class _Factory(Factory):
    def __init__(self, worker: _Worker) -> None:
        self.worker = worker

    def buildProtocol(self, addr: object) -> _Worker:  # noqa: N802 - Twisted's name
        return self.worker


def _reap(pid: int) -> None:
    """Kill and wait for a worker whose socket is closed, so that no zombie (nor an idle worker
    finishing its page) outlives it, and its CPU time counts as the crawl's."""
    try:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    except (ChildProcessError, ProcessLookupError):
        pass
