"""The query workers of ``kg serve``: processes that open the store read-only, and their queue.

A query runs in a worker process, so one that passes the time limit is stopped by ending
the process, and one that kills the engine kills only that process: the pool sees the pipe
close, answers that request 500, and starts a new worker. Requests wait for a free worker in
a bounded queue; the wait counts against the query's time limit, and a full queue answers 503
at once. Each worker follows the store's generations (see ``_Following``).
"""

from __future__ import annotations

import asyncio
import collections
import ctypes
import multiprocessing
import multiprocessing.connection
import os
import signal
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from msgspec import Struct, field

from kg_build.errors import StoreError
from kg_build.publish.generations import current_generation
from kg_build.publish.readers import pin_generation
from kg_build.store.guard import ShapeLimits

_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
RETRY_AFTER = 1  # seconds a client is asked to wait when every worker is busy
STARTUP = 60  # seconds a worker may take to open the store at the server's start
SLOW_AFTER = 0.25  # seconds after which a query counts as slow and its worker is niced
DEMOTED = 10  # the niceness of a worker running a slow query


class Limits(Struct, frozen=True):
    """What a query may cost, and how many may run or wait at once."""

    timeout: float = 10.0
    max_results: int = 10_000
    workers: int = 0  # 0: one per core and two more (two slow queries starve nobody)
    queue: int = 64
    shape: ShapeLimits = field(default_factory=ShapeLimits)
    allow_service: frozenset[str] = frozenset()
    client_timeout: float = 10.0

    @property
    def pool_size(self) -> int:
        """The number of worker processes."""
        return self.workers or len(os.sched_getaffinity(0)) + 2


class QueryRefused(Exception):
    """A query hit a limit or was not valid; ``status`` is the HTTP answer."""

    def __init__(self, status: int, message: str, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.retry_after = retry_after


Chooser = Callable[[str], str] | str


def _worker(
    connection: multiprocessing.connection.Connection, store_path: str, cap: int, parent: int
) -> None:
    """Answer queries from the pipe on a read-only store until the pipe closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the server, which ends us
    _die_with(parent)
    from kg_build.store.answers import TooManyRows, write_capped
    from kg_build.store.sparql import _syntax_error

    store = _Following(Path(store_path))
    connection.send(("ready", None))
    while True:
        try:
            text, chooser = connection.recv()
        except EOFError:
            return
        try:
            result = store.current().query(text, use_default_graph_as_union=True)
            kind = _kind_of(result)
            fmt = chooser(kind) if callable(chooser) else chooser
            _, data = write_capped(result, fmt, cap)
            connection.send(("ok", (kind, fmt, data)))
        except TooManyRows as e:
            connection.send(("cap", e.rows))
        except SyntaxError as e:
            error = _syntax_error(text, "query", str(e))
            where = "" if error.line is None else f"line {error.line}: "
            connection.send(("bad", where + error.message))
        except OSError as e:  # an allowed SERVICE failed, or the store could not be read
            connection.send(("failed", str(e).partition("\n")[0]))
        except Exception as e:  # a query the engine rejects is the client's problem, not ours
            connection.send(("bad", f"{type(e).__name__}: {e}"))


def _die_with(parent: int) -> None:
    """End this process when the server's ends, however it ends (Linux: PR_SET_PDEATHSIG).

    A worker busy with a slow query reads no pipe, so it would not see the server go.
    """
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # not Linux: the pipe's end stops an idle worker
        return
    if os.getppid() != parent:  # the server ended before the line above
        os._exit(0)


def _kind_of(result: object) -> str:
    import pyoxigraph as ox

    if isinstance(result, ox.QuerySolutions):
        return "select"
    return "ask" if isinstance(result, ox.QueryBoolean) else "graph"


class _Following:
    """The store's current generation, opened read-only and pinned; reopened when it changes."""

    def __init__(self, path: Path) -> None:
        import pyoxigraph as ox

        self.path = path
        self.pin = pin_generation(path)
        self.store = ox.Store.read_only(str(self.pin.directory))

    def current(self) -> Any:
        """Return the open store, first switching to a newer generation if one is in place."""
        import pyoxigraph as ox

        if current_generation(self.path) not in (None, self.pin.directory):
            try:
                pin = pin_generation(self.path)
            except StoreError:
                return self.store  # the link moved on again; the next query looks again
            self.store = ox.Store.read_only(str(pin.directory))
            self.pin.release()
            self.pin = pin
        return self.store


class _Worker(Struct):
    process: Any
    connection: multiprocessing.connection.Connection
    demoted: bool = False


class QueryPool:
    """Worker processes and the queue in front of them; used from one asyncio loop.

    A new worker is handed out only once it has opened the store (it says so on its pipe),
    so a query never waits for a worker's start. A query still running after ``SLOW_AFTER``
    seconds has its worker's CPU priority lowered (nice 10): two slow queries then take a
    tenth of the cores from the quick ones, not half (benchmarks/RESULTS.md).
    """

    def __init__(self, store: Path, limits: Limits) -> None:
        if not store.exists():
            raise StoreError(store.as_posix(), None, "no store here (run kg build first)")
        self.store = store
        self.limits = limits
        self._context = multiprocessing.get_context("spawn")
        self._all: list[_Worker] = []
        self._waiters: collections.deque[asyncio.Future[_Worker]] = collections.deque()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping = False
        self._idle = [self._start() for _ in range(limits.pool_size)]
        for worker in self._idle:
            if not worker.connection.poll(STARTUP) or _ready(worker) is None:
                self.close()
                raise StoreError(store.as_posix(), None, "a query worker could not open the store")

    def _start(self) -> _Worker:
        parent, child = self._context.Pipe()
        args = (child, str(self.store), self.limits.max_results, os.getpid())
        process = self._context.Process(target=_worker, args=args, daemon=True)
        process.start()
        child.close()
        worker = _Worker(process, parent)
        self._all.append(worker)
        return worker

    def _start_later(self) -> None:
        """Start a worker and hand it out once it has opened the store."""
        loop = asyncio.get_running_loop()
        worker = self._start()
        fd = worker.connection.fileno()

        def started() -> None:
            loop.remove_reader(fd)
            os.set_blocking(fd, True)
            if _ready(worker) is None:  # it could not open the store: try again in a while
                self._end(worker)
                loop.call_later(RETRY_AFTER, self._start_later)
                return
            self._release(worker)

        loop.add_reader(fd, started)

    async def run(
        self, text: str, chooser: Chooser, started: float | None = None
    ) -> tuple[str, str, bytes]:
        """Run a query; return its kind, format and bytes, or raise QueryRefused."""
        deadline = (started or time.monotonic()) + self.limits.timeout
        self._loop = asyncio.get_running_loop()
        worker = await self._acquire(deadline)
        try:
            status, value = await self._ask(worker, (text, chooser), deadline)
        except BaseException:
            self._end(worker)
            if not self._stopping:
                self._start_later()
            raise
        self._give_back(worker)
        return self._answer(status, value)

    def _answer(self, status: str, value: Any) -> tuple[str, str, bytes]:
        if status == "cap":
            raise QueryRefused(
                413,
                f"the answer has {value} rows, more than the limit of "
                f"{self.limits.max_results}; add a LIMIT",
            )
        if status == "bad":
            raise QueryRefused(400, f"bad query: {value}")
        if status == "failed":
            raise QueryRefused(502, f"the query failed: {value}")
        kind, fmt, data = value
        return kind, fmt, data

    async def _acquire(self, deadline: float) -> _Worker:
        while True:
            worker = self._idle.pop() if self._idle else await self._wait(deadline)
            if worker.process.is_alive():
                return worker
            self._end(worker)  # ended while idle (killed from outside)
            self._start_later()

    async def _wait(self, deadline: float) -> _Worker:
        if len(self._waiters) >= self.limits.queue:
            raise QueryRefused(
                503,
                f"busy: {len(self._waiters)} queries wait for a worker, the most "
                "the queue holds; try again",
                RETRY_AFTER,
            )
        waiter: asyncio.Future[_Worker] = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            return await asyncio.wait_for(waiter, max(deadline - time.monotonic(), 0))
        except TimeoutError:
            raise QueryRefused(
                503,
                f"the query waited for a worker past the time limit of {self.limits.timeout:g} s",
                RETRY_AFTER,
            ) from None

    async def _ask(self, worker: _Worker, request: object, deadline: float) -> tuple[str, Any]:
        worker.connection.send(request)
        if not await self._readable(worker, min(SLOW_AFTER, deadline - time.monotonic())):
            _renice(worker, DEMOTED)
            if not await self._readable(worker, deadline - time.monotonic()):
                raise QueryRefused(
                    503, f"the query ran past the time limit of {self.limits.timeout:g} s"
                )
        try:
            answer: tuple[str, Any] = worker.connection.recv()
        except (EOFError, OSError):
            worker.process.join(5)
            if self._stopping:
                raise QueryRefused(503, "the server is stopping", RETRY_AFTER) from None
            raise QueryRefused(
                500,
                f"the query worker died on this query ({_how(worker)}); a new one took its place",
            ) from None
        return answer

    async def _readable(self, worker: _Worker, seconds: float) -> bool:
        """Wait until the worker's answer (or its end) can be read; False after ``seconds``."""
        loop = asyncio.get_running_loop()
        ready: asyncio.Future[None] = loop.create_future()
        fd = worker.connection.fileno()

        def wake() -> None:
            if not ready.done():
                ready.set_result(None)

        loop.add_reader(fd, wake)
        try:
            done, _ = await asyncio.wait({ready}, timeout=max(seconds, 0))
        finally:
            loop.remove_reader(fd)
            # uvloop leaves a watched descriptor non-blocking; the answer is read whole.
            os.set_blocking(fd, True)
            ready.cancel()
        return bool(done)

    def _give_back(self, worker: _Worker) -> None:
        """Release a worker; one whose priority cannot be raised again is replaced."""
        if worker.demoted and not _renice(worker, 0):
            self._end(worker)
            self._start_later()
            return
        self._release(worker)

    def _release(self, worker: _Worker) -> None:
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(worker)
                return
        self._idle.append(worker)

    def _end(self, worker: _Worker) -> None:
        worker.process.kill()
        worker.process.join()
        worker.connection.close()
        if worker in self._all:
            self._all.remove(worker)
        if worker in self._idle:
            self._idle.remove(worker)

    def stop_soon(self) -> None:
        """Stop from a signal handler: queries in flight and waiting are answered 503 at once."""
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._stop)

    def _stop(self) -> None:
        self._stopping = True
        for worker in self._all:
            worker.process.kill()  # its query's pipe closes: answered "the server is stopping"
        stopping = QueryRefused(503, "the server is stopping", RETRY_AFTER)
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_exception(stopping)

    def close(self) -> None:
        """End every worker."""
        for worker in list(self._all):
            self._end(worker)
        self._idle.clear()


def _ready(worker: _Worker) -> bool | None:
    """Read a new worker's first message: True once it has the store open, None if it ended."""
    try:
        message = worker.connection.recv()
    except (EOFError, OSError):
        return None
    return message == ("ready", None) or None


def _renice(worker: _Worker, niceness: int) -> bool:
    """Set a worker's CPU priority; False where that is not allowed (raising it, unprivileged)."""
    try:
        os.setpriority(os.PRIO_PROCESS, worker.process.pid, niceness)
    except OSError:
        return False
    worker.demoted = niceness != 0
    return True


def _how(worker: _Worker) -> str:
    code = worker.process.exitcode
    if code is None:
        return "its answer could not be read"
    return f"signal {-code}" if code < 0 else f"exit code {code}"
