"""A step run beside the build in a forked child (kg_build/build/overlap.py).

Its value or its error comes back; a child that dies or is left early is reaped. And
``kg build`` writes the same files either way, and none when the graph fails validation.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from kg_build.build.overlap import OFF_VARIABLE, InThread, Pending, beside, can_fork
from kg_build.errors import SourceError
from tests.conftest import shapes_with

FORKS = pytest.mark.skipif(not can_fork(), reason="steps run in a forked child on Linux only")
# A fork happens only in a single-threaded process, and the test process is not one once a
# test opened an on-disk store (RocksDB's threads stay): the forking cases run in a new process.
FRESH_TIMEOUT = 120  # a child that hangs fails the test instead of CI's whole run


def _pid_and_value() -> tuple[int, list[int]]:
    return os.getpid(), [1, 2, 3]


def _fresh(code: str, **env: str) -> str:
    """Run ``code`` in a new Python process (one thread); return what it printed."""
    done = _python(["-c", code], Path.cwd(), **env)
    assert done.returncode == 0, done.stderr
    return done.stdout


def _python(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """Run this Python with ``args`` in ``cwd``; a hang fails after FRESH_TIMEOUT seconds."""
    return subprocess.run(
        [sys.executable, *args],
        cwd=cwd,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=False,
        timeout=FRESH_TIMEOUT,
    )


VALUE = """
import os
from kg_build.build.overlap import beside
with beside(lambda: (os.getpid(), [1, 2, 3])) as pending:
    pid, value = pending.result()
print(pid != os.getpid(), value)
"""


@pytest.mark.parametrize("fork", ["on", "off"])
def test_the_value_comes_back(fork: str) -> None:
    forked = fork == "on" and can_fork()
    assert _fresh(VALUE, **{OFF_VARIABLE: fork}) == f"{forked} [1, 2, 3]\n"


ERROR = """
from kg_build.build.overlap import beside
from kg_build.errors import SourceError
def fails():
    raise SourceError("a.txt", 7, "a cell I cannot read", column=3)
try:
    with beside(fails) as pending:
        pending.result()
except SourceError as error:
    print(type(error).__name__, error)
"""


@pytest.mark.parametrize("fork", ["on", "off"])
def test_an_error_comes_back_as_itself(fork: str) -> None:
    printed = _fresh(ERROR, **{OFF_VARIABLE: fork})
    assert printed == "SourceError a.txt:7:3: a cell I cannot read\n"


KILLED = """
import os, signal
from kg_build.build.overlap import beside
from kg_build.errors import ChildFailed
try:
    with beside(lambda: os.kill(os.getpid(), signal.SIGKILL), "the child") as pending:
        pending.result()
except ChildFailed as error:
    print(error)
"""


@FORKS
def test_a_killed_child_is_an_error_that_says_so() -> None:
    printed = _fresh(KILLED)
    assert printed == (
        "the build: the child ended without a result (killed by signal 9); nothing written\n"
    )


EARLY = """
import os, time
from kg_build.build.overlap import beside
started = time.perf_counter()
try:
    with beside(lambda: time.sleep(30)) as pending:
        child = pending._pid
        raise KeyError("the block failed")
except KeyError:
    pass
print(child > 0, time.perf_counter() - started < 5)
try:
    os.waitpid(child, os.WNOHANG)
except ChildProcessError:
    print("reaped")
"""


@FORKS
def test_leaving_early_stops_and_reaps_the_child() -> None:
    assert _fresh(EARLY) == "True True\nreaped\n"  # no zombie left behind


def test_a_process_with_a_second_thread_runs_the_step_itself() -> None:
    """A fork would copy this thread only; the step runs here, whatever else runs."""
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        with beside(_pid_and_value) as pending:
            assert pending._pid == 0  # no child
            pid, value = pending.result()
    finally:
        stop.set()
        other.join()
    assert (pid, value) == (os.getpid(), [1, 2, 3])


RAYON_THEN_BUILD = """
import os, sys
from kg_build.cli import main
def build(out):
    sys.argv = ["kg", "-q", "build", "--no-store", "--validator", "pyrudof", "-o", out]
    try:
        main()
    except SystemExit as end:
        print(end.code)
os.environ["TEAM_PURSUIT_KG_FORK"] = "off"
build("first.ttl")  # pyrudof validates here: rayon's worker threads now run in this process
del os.environ["TEAM_PURSUIT_KG_FORK"]
build("second.ttl")  # a child forked now would wait for those workers for ever
"""


@FORKS
def test_a_build_after_pyrudof_ran_here_does_not_hang(tmp_path: Path) -> None:
    """CI hung 90 minutes: a child forked after pyrudof had started rayon's pool waited on it."""
    done = _python(["-c", RAYON_THEN_BUILD], tmp_path)
    assert done.stdout == "0\n0\n", done.stderr
    assert (tmp_path / "first.ttl").read_bytes() == (tmp_path / "second.ttl").read_bytes()


def test_pending_without_fork_runs_the_step_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(OFF_VARIABLE, "off")
    calls = []
    pending = Pending(lambda: calls.append(1))
    assert calls == []  # not before it is asked for
    pending.result()
    pending.cancel()
    assert calls == [1]


def _kg_build(folder: Path, fork: str) -> subprocess.CompletedProcess[str]:
    return _python(
        ["-m", "kg_build", "build"], folder, **{OFF_VARIABLE: fork, "TEAM_PURSUIT_KG_CACHE": "off"}
    )


def test_kg_build_writes_the_same_files_with_and_without_the_child(tmp_path: Path) -> None:
    runs = {}
    for fork in ("on", "off"):
        (tmp_path / fork).mkdir()
        done = _kg_build(tmp_path / fork, fork)
        assert done.returncode == 0, done.stderr
        runs[fork] = done.stderr
    for name in ("team-pursuit.ttl", "team-pursuit.nt", "void.ttl"):
        on, off = (tmp_path / f / "out" / name for f in ("on", "off"))
        assert on.read_bytes() == off.read_bytes(), name
    assert runs["on"] == runs["off"]  # the same warnings, in the same order


def test_a_graph_that_fails_validation_leaves_no_file_and_no_store(tmp_path: Path) -> None:
    """The files and the store are staged while the child validates; a violation drops them."""
    shapes = shapes_with(
        tmp_path / "shapes",
        "<https://example.org/strict> a sh:NodeShape ; sh:targetClass tp:Result ;\n"
        "  sh:property <https://example.org/strict-time> .\n"
        "<https://example.org/strict-time> sh:path tp:finishTime ; sh:minCount 1 .\n",
    )
    work = tmp_path / "work"
    work.mkdir()
    done = _python(["-m", "kg_build", "build", "--shapes", str(shapes)], work)
    assert done.returncode == 1
    assert done.stderr.splitlines()[-1].endswith("3 SHACL violations; nothing written")
    # Only the publication's lock and its empty folder of store generations (kg_build/publish/).
    left = sorted(p.relative_to(work).as_posix() for p in work.rglob("*"))
    assert left == ["out", "out/.kg-build.lock", "out/.store.generations"]
    assert not any((work / "out" / ".store.generations").iterdir())


@FORKS
def test_a_fork_that_fails_runs_the_step_here(monkeypatch: pytest.MonkeyPatch) -> None:
    """No process to spare (EAGAIN): the step runs in this process when asked for."""

    def no_fork() -> int:
        raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(os, "fork", no_fork)
    with beside(_pid_and_value) as pending:
        pid, value = pending.result()
    assert (pid, value) == (os.getpid(), [1, 2, 3])


def test_a_step_in_a_thread_gives_its_value_or_its_error() -> None:
    """The store loads in a thread while the files are written (kg_build/cli/build.py)."""
    ran_in = InThread(threading.get_ident)
    assert ran_in.result() != threading.get_ident()

    def fails() -> None:
        raise SourceError("a.txt", 7, "a cell I cannot read", column=3)

    failing = InThread(fails)
    failing.wait()  # waits, raises nothing
    with pytest.raises(SourceError, match=r"^a\.txt:7:3: a cell I cannot read$"):
        failing.result()
