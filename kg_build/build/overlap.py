"""Run one step in a forked child while this process goes on: validation beside the writing.

The in-memory build validates the whole graph (some 0.05 s of a bundled build, in Rust code)
and then writes files and loads the store, which do not depend on the result: they are staged,
and only committed once the graph is known to conform. So the validation runs in a child forked
from this process, which shares the graph without copying or pickling it, and sends back what
it returned, or what it raised, through a pipe.

A child is forked only while this process has a single thread. A fork copies the thread that
calls it and no other: a library whose worker threads were started before (RocksDB's, under an
on-disk store; rayon's, once pyrudof has validated) would wait in the child for workers that
are not there, for ever (it did, in CI). Elsewhere (a second thread, not Linux, or
``TEAM_PURSUIT_KG_FORK=off``) the step runs in this process when its result is asked for: the
same result, one after the other. A child that dies without an answer (killed, out of memory)
is an error that says so.
"""

from __future__ import annotations

import os
import pickle
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from typing import Generic, TypeVar

from kg_build.errors import ChildFailed

T = TypeVar("T")
OFF_VARIABLE = "TEAM_PURSUIT_KG_FORK"


class Pending(Generic[T]):
    """A step under way in a child (or, without fork, not yet run)."""

    def __init__(self, step: Callable[[], T], what: str = "the child process") -> None:
        """Fork a child that runs ``step`` now, or keep ``step`` to run at ``result()``.

        ``what`` names the child in an error: "the process that validates the graph".
        """
        self._step: Callable[[], T] | None = step
        self._what = what
        self._pid = 0
        self._pipe = -1
        if can_fork() and _single_threaded():
            try:
                self._pipe, self._pid = _fork(step)
            except OSError:  # no process or pipe to spare: the step runs here, later
                return
            self._step = None

    def result(self) -> T:
        """Return what the step returned; raise what it raised (waits for the child)."""
        if self._step is not None:
            step, self._step = self._step, None
            return step()
        with os.fdopen(self._pipe, "rb") as pipe:
            self._pipe = -1
            data = pipe.read()
        status = os.waitpid(self._pid, 0)[1]
        self._pid = 0
        if not data:
            raise _failed(f"{self._what} ended without a result ({_how(status)})")
        try:
            ok, value = pickle.loads(data)
        except Exception as error:  # an error type that cannot be rebuilt here
            message = f"the result of {self._what} could not be read: {error}"
            raise _failed(message) from error
        if not ok:
            raise value
        returned: T = value  # what ``step`` returned, in the child
        return returned

    def cancel(self) -> None:
        """Stop the child, if it still runs, and reap it (no zombie, no open pipe)."""
        self._step = None
        if self._pipe >= 0:
            os.close(self._pipe)
            self._pipe = -1
        if self._pid:
            with suppress(ProcessLookupError):  # it ended already
                os.kill(self._pid, signal.SIGKILL)
            os.waitpid(self._pid, 0)
            self._pid = 0


def can_fork() -> bool:
    """Whether a step may run in a forked child here."""
    return sys.platform == "linux" and os.environ.get(OFF_VARIABLE) != "off"


class InThread(Generic[T]):
    """A step under way in a thread of this process: for work that releases the GIL.

    Oxigraph creates and bulk-loads a store without the GIL, so the store loads while this
    thread writes the files. Start one only after any fork: a fork copies no other thread.
    (Not ``concurrent.futures``: its import, with ``logging``, costs some 10 ms of the
    start-up that the bundled build's target is about.)
    """

    def __init__(self, step: Callable[[], T]) -> None:
        """Start ``step`` in a new thread now."""
        self._returned: list[T] = []  # what ``step`` returned, once it has
        self._raised: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(step,), name="kg-beside")
        self._thread.start()

    def _run(self, step: Callable[[], T]) -> None:
        try:
            self._returned.append(step())
        except BaseException as error:  # raised again in the thread that asks
            self._raised = error

    def wait(self) -> None:
        """Wait for the step to end, whatever it gives."""
        self._thread.join()

    def result(self) -> T:
        """Wait for the step; return what it returned, or raise what it raised."""
        self._thread.join()
        if self._raised is not None:
            raise self._raised
        return self._returned[0]


def _single_threaded() -> bool:
    """Whether this process runs one thread only, native threads included (Linux's /proc)."""
    try:
        return len(os.listdir("/proc/self/task")) == 1
    except OSError:  # no /proc: the threads cannot be counted, so no fork
        return False


@contextmanager
def beside(step: Callable[[], T], what: str = "the child process") -> Iterator[Pending[T]]:
    """Start ``step`` beside the block; a block that leaves early stops it."""
    pending = Pending(step, what)
    try:
        yield pending
    finally:
        pending.cancel()


def _fork(step: Callable[[], T]) -> tuple[int, int]:
    """Fork a child that runs ``step`` and writes ``(ok, value)`` pickled; return pipe, pid."""
    read, write = os.pipe()
    sys.stdout.flush()  # else the child's copy of a buffer could be written twice
    sys.stderr.flush()
    try:
        pid = os.fork()
    except OSError:
        os.close(read)
        os.close(write)
        raise
    if pid:
        os.close(write)
        return read, pid
    try:  # the child: whatever happens, it never returns into the parent's code
        os.close(read)
        _answer(step, write)
    finally:
        os._exit(0)  # no atexit handlers, no flushing of the parent's buffers


def _answer(step: Callable[[], object], write: int) -> None:
    """Run ``step``; write ``(True, value)`` or ``(False, error)``, pickled, to ``write``."""
    try:
        outcome: tuple[bool, object] = (True, step())
    except BaseException as error:  # sent to the parent, which raises it
        outcome = (False, error)
    try:
        data = pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception as error:  # what cannot be sent is said in words
        data = pickle.dumps((False, _failed(f"the child's result could not be sent: {error}")))
    with os.fdopen(write, "wb") as pipe:
        pipe.write(data)


def _failed(message: str) -> ChildFailed:
    return ChildFailed("the build", None, f"{message}; nothing written")


def _how(status: int) -> str:
    if os.WIFSIGNALED(status):
        return f"killed by signal {os.WTERMSIG(status)}"
    return f"exit status {os.waitstatus_to_exitcode(status)}"
