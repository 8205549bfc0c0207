"""A step run beside the build in a forked child (kg_build/build/overlap.py).

Its value or its error comes back; a child that dies or is left early is reaped. And
``kg build`` writes the same files either way, and none when the graph fails validation.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kg_build.build.overlap import OFF_VARIABLE, ChildFailed, Pending, beside, can_fork
from kg_build.errors import SourceError
from tests.conftest import shapes_with

FORKS = pytest.mark.skipif(not can_fork(), reason="steps run in a forked child on Linux only")


def _pid_and_value() -> tuple[int, list[int]]:
    return os.getpid(), [1, 2, 3]


@pytest.mark.parametrize("fork", ["on", "off"])
def test_the_value_comes_back(fork: str, monkeypatch: pytest.MonkeyPatch) -> None:
    if fork == "off":
        monkeypatch.setenv(OFF_VARIABLE, "off")
    with beside(_pid_and_value) as pending:
        pid, value = pending.result()
    assert value == [1, 2, 3]
    assert (pid != os.getpid()) == (fork == "on" and can_fork())


def _fails() -> None:
    raise SourceError("a.txt", 7, "a cell I cannot read", column=3)


@pytest.mark.parametrize("fork", ["on", "off"])
def test_an_error_comes_back_as_itself(fork: str, monkeypatch: pytest.MonkeyPatch) -> None:
    if fork == "off":
        monkeypatch.setenv(OFF_VARIABLE, "off")
    with beside(_fails) as pending, pytest.raises(SourceError) as raised:
        pending.result()
    assert str(raised.value) == "a.txt:7:3: a cell I cannot read"


@FORKS
def test_a_killed_child_is_an_error_that_says_so() -> None:
    with (
        beside(lambda: os.kill(os.getpid(), signal.SIGKILL)) as pending,
        pytest.raises(ChildFailed, match="killed by signal 9"),
    ):
        pending.result()


@FORKS
def test_leaving_early_stops_and_reaps_the_child() -> None:
    started = time.perf_counter()
    with pytest.raises(KeyError), beside(lambda: time.sleep(30)) as pending:
        child = pending._pid
        raise KeyError("the block failed")
    assert time.perf_counter() - started < 5
    with pytest.raises(ChildProcessError):  # reaped: no zombie left behind
        os.waitpid(child, os.WNOHANG)


def test_pending_without_fork_runs_the_step_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(OFF_VARIABLE, "off")
    calls = []
    pending = Pending(lambda: calls.append(1))
    assert calls == []  # not before it is asked for
    pending.result()
    pending.cancel()
    assert calls == [1]


def _kg_build(folder: Path, fork: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, OFF_VARIABLE: fork, "TEAM_PURSUIT_KG_CACHE": "off"}
    return subprocess.run(
        [sys.executable, "-m", "kg_build", "build"],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        check=False,
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
    done = subprocess.run(
        [sys.executable, "-m", "kg_build", "build", "--shapes", str(shapes)],
        cwd=work,
        capture_output=True,
        text=True,
        check=False,
    )
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
