"""All or nothing: a build's files and store are replaced together, whatever stops it.

Every test runs `kg` as a real process in a fresh folder. A build is killed with SIGKILL at
named points (a wrapper replaces one function with itself-then-kill before running the
command) and at spread-out moments; afterwards the folder must hold the previous complete
build or the new complete build, files and store alike, and the next build must leave no
trace of the killed one.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from rdflib import Graph

from kg_build.build.overlap import can_fork
from tests.conftest import CYCLING, ROOT

COUNT_BY_GRAPH = (
    "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"
)
COUNT_ALL = "SELECT (COUNT(*) AS ?n) (COUNT(DISTINCT *) AS ?d) WHERE { ?s ?p ?o }"
FILES = ("team-pursuit.ttl", "team-pursuit.nt", "void.ttl")

# Runs `kg ARGS…` after making one function kill the process (SIGKILL: no cleanup runs).
KILLER = """
import os, signal, sys, time
import kg_build.cli
import kg_build.publish.journal, kg_build.publish.publication
import kg_build.build.memory, kg_build.build.merged, kg_build.build.streamed

def die():  # the process that calls it: in the validating child, the build goes on
    os.kill(os.getpid(), signal.SIGKILL)

def wrap(owner, name, before=False, on_call=1):
    original = getattr(owner, name)
    calls = [0]
    def wrapped(*args, **kwargs):
        calls[0] += 1
        if before and calls[0] == on_call:
            die()
        result = original(*args, **kwargs)
        if not before and calls[0] == on_call:
            die()
        return result
    setattr(owner, name, wrapped)

point = sys.argv[1]
if point == "validated":
    wrap(kg_build.build.memory, "accepted")
elif point == "staged":
    wrap(kg_build.publish.publication.Publication, "write")
elif point == "loaded":
    wrap(kg_build.build.memory, "load_embedded")
elif point == "child-died":
    wrap(kg_build.build.memory, "shacl_findings")  # it runs in the forked child
elif point == "journal":
    wrap(kg_build.publish.journal, "_replay", before=True)
elif point == "switched":
    wrap(kg_build.publish.journal, "_switch")
elif point == "renamed-one":
    original_switch = kg_build.publish.journal._switch
    def switch_then_die_on_second_rename(*args):
        original_switch(*args)
        wrap(kg_build.publish.journal.os, "replace", on_call=2)
    kg_build.publish.journal._switch = switch_then_die_on_second_rename
elif point == "streaming":
    wrap(kg_build.build.merged.SharedLines, "keep")
elif point == "stream-loaded":
    wrap(kg_build.build.streamed._ChunkedLoad, "finish")
elif point == "slow":
    original_assemble = kg_build.build.memory.assemble
    def slow(*args, **kwargs):
        go = os.environ["KG_TEST_GO"]  # the test creates it once it has looked
        deadline = time.monotonic() + 120
        while not os.path.exists(go) and time.monotonic() < deadline:
            time.sleep(0.05)
        return original_assemble(*args, **kwargs)
    kg_build.build.memory.assemble = slow
sys.argv = ["kg", *sys.argv[2:]]
kg_build.cli.main()
"""

BEFORE_COMMIT = ("validated", "staged", "loaded")
DURING_COMMIT = ("journal", "switched", "renamed-one")


def _kg(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kg_build", *args],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=300,
    )


def _killed(folder: Path, point: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", KILLER, point, *args],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=300,
    )


def _state(folder: Path) -> tuple[dict[str, bytes], str]:
    """Return what a reader finds: the store's triples per graph and the output files' bytes."""
    query = _kg(folder, "query", "-e", COUNT_BY_GRAPH, "--format", "csv")
    assert query.returncode == 0, query.stderr
    files = {name: (folder / "out" / name).read_bytes() for name in FILES}
    return files, query.stdout


def _leftovers(folder: Path) -> list[str]:
    """Names in out/ and its generations folder that a finished build does not leave."""
    out = folder / "out"
    names = sorted(p.name for p in out.iterdir())
    generations = sorted(p.name for p in (out / ".store.generations").iterdir())
    kept = {".kg-build.lock", ".store.generations", "store", *FILES}
    extra = [n for n in names if n not in kept]
    current = os.readlink(out / "store").rsplit("/", 1)[1]
    extra += [g for g in generations if g not in (current, f"{current}.lock")]
    return extra


@pytest.fixture(scope="module")
def states(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[dict[str, bytes], str]]:
    """Return the state after a whole build of both articles ('old') and of one ('new')."""
    found = {}
    for name, sources in (("old", []), ("new", [str(CYCLING)])):
        folder = tmp_path_factory.mktemp(name)
        done = _kg(folder, "-q", "build", *sources)
        assert done.returncode == 0, done.stderr
        found[name] = _state(folder)
    assert found["old"] != found["new"]
    return found


def _with_old_build(tmp_path: Path) -> Path:
    done = _kg(tmp_path, "-q", "build")
    assert done.returncode == 0, done.stderr
    return tmp_path


@pytest.mark.skipif(not can_fork(), reason="the graph is validated in a forked child on Linux only")
def test_a_child_killed_while_it_validates_leaves_the_old_build_whole(
    tmp_path: Path, states: dict[str, tuple[dict[str, bytes], str]]
) -> None:
    """The build outlives its child (out of memory, say): it says so and writes nothing."""
    folder = _with_old_build(tmp_path)
    failed = _killed(folder, "child-died", "-q", "build", str(CYCLING))
    assert failed.returncode == 1
    assert failed.stderr == (
        "error: the build: the process that validates the graph ended without a result "
        "(killed by signal 9); nothing written\n"
    )
    assert _state(folder) == states["old"]
    assert _leftovers(folder) == []  # the store generation loaded meanwhile: removed


@pytest.mark.parametrize("point", BEFORE_COMMIT + DURING_COMMIT)
def test_a_build_killed_anywhere_leaves_the_old_or_the_new_build_whole(
    point: str, tmp_path: Path, states: dict[str, tuple[dict[str, bytes], str]]
) -> None:
    folder = _with_old_build(tmp_path)
    killed = _killed(folder, point, "-q", "build", str(CYCLING))
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    # Killed before its commit: the old build, whole. Killed during it: the first reader
    # completes the commit, so files and store are the new build, whole.
    assert _state(folder) == states["old" if point in BEFORE_COMMIT else "new"]
    rebuilt = _kg(folder, "-q", "build", str(CYCLING))
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert _state(folder) == states["new"]
    assert _leftovers(folder) == []


def test_killed_at_spread_out_moments_never_mixes(
    tmp_path: Path, states: dict[str, tuple[dict[str, bytes], str]]
) -> None:
    folder = _with_old_build(tmp_path)
    start = time.perf_counter()
    assert _kg(folder, "-q", "build", str(CYCLING)).returncode == 0
    took = time.perf_counter() - start
    _kg(folder, "-q", "build")  # back to the old build
    seen = set()
    for share in (0.3, 0.5, 0.7, 0.8, 0.9, 0.95, 1.0):
        build = subprocess.Popen(
            [sys.executable, "-m", "kg_build", "-q", "build", str(CYCLING)],
            cwd=folder,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(took * share)
        build.kill()
        build.wait()
        state = _state(folder)
        assert state in (states["old"], states["new"]), f"a mix after a kill at {share:.0%}"
        seen.add("old" if state == states["old"] else "new")
        _kg(folder, "-q", "build")  # the old build again, and a tidy folder
        assert _leftovers(folder) == []
    assert seen  # which of the two depends on timing; never a third


@pytest.mark.parametrize("point", ["streaming", "stream-loaded", "journal"])
def test_a_streamed_build_killed_leaves_no_temporary_files(point: str, tmp_path: Path) -> None:
    args = ["-q", "build", "--stream", "-o", "out/all.nt", "--format", "nt"]
    args += ["--store", "out/store"]
    first = _kg(tmp_path, *args)
    assert first.returncode == 0, first.stderr
    old = (tmp_path / "out" / "all.nt").read_bytes()
    killed = _killed(tmp_path, point, *args, str(CYCLING))
    assert killed.returncode == -signal.SIGKILL
    query = _kg(tmp_path, "query", "-e", COUNT_ALL, "--format", "csv")
    assert query.returncode == 0, query.stderr
    n, distinct = query.stdout.splitlines()[1].split(",")
    assert n == distinct
    written = (tmp_path / "out" / "all.nt").read_bytes()
    assert written == old if point != "journal" else written != old
    again = _kg(tmp_path, *args)
    assert again.returncode == 0, again.stderr
    out = tmp_path / "out"
    assert sorted(p.name for p in out.iterdir()) == [
        ".kg-build.lock",
        ".store.generations",
        "all.nt",
        "store",
    ]
    assert len(list((out / ".store.generations").iterdir())) == 2  # one generation, its pin


def test_a_build_that_fails_late_replaces_nothing(tmp_path: Path) -> None:
    folder = _with_old_build(tmp_path)
    before = {name: (folder / "out" / name).read_bytes() for name in FILES}
    bad_store = _kg(folder, "build", str(CYCLING), "--store", "/dev/null/store")
    assert bad_store.returncode == 1
    assert bad_store.stderr == "error: /dev/null: is not a folder\n"
    (folder / "out" / "void.ttl").unlink()
    (folder / "out" / "void.ttl").mkdir()
    directory = _kg(folder, "build", str(CYCLING))
    assert directory.returncode == 1
    assert directory.stderr == "error: out/void.ttl: is a directory (expected a file to write)\n"
    after = {name: (folder / "out" / name).read_bytes() for name in FILES[:2]}
    assert after == {name: before[name] for name in FILES[:2]}
    assert not list((folder / "out").glob(".kg-staging-*"))


def _quads(state: tuple[dict[str, bytes], str]) -> int:
    """Return the quads a state's store holds, from its count per graph."""
    return sum(int(row.rsplit(",", 1)[1]) for row in state[1].splitlines()[1:])


def test_a_second_build_refuses_before_writing_or_waits(
    tmp_path: Path, states: dict[str, tuple[dict[str, bytes], str]]
) -> None:
    folder = _with_old_build(tmp_path)
    slow = subprocess.Popen(
        [sys.executable, "-c", KILLER, "slow", "-q", "build", str(CYCLING)],
        cwd=folder,
        env={**os.environ, "KG_TEST_GO": str(tmp_path / "go")},  # it waits for this file
        stderr=subprocess.PIPE,
        text=True,
    )
    lock = folder / "out" / ".kg-build.lock"
    deadline = time.monotonic() + 60
    while f"pid {slow.pid}," not in lock.read_text() and time.monotonic() < deadline:
        time.sleep(0.05)
    listing = sorted(p.name for p in (folder / "out").iterdir())
    refused = _kg(folder, "build")
    assert refused.returncode == 3
    holder = lock.read_text()
    assert refused.stderr == (
        f"error: out/.kg-build.lock: another kg build is writing here ({holder}); "
        "nothing written (wait for it, or rerun with --wait)\n"
    )
    assert sorted(p.name for p in (folder / "out").iterdir()) == listing
    waiting = subprocess.Popen(  # starts once the slow one is done
        [sys.executable, "-m", "kg_build", "-q", "build", "--wait"],
        cwd=folder,
        stderr=subprocess.PIPE,
        text=True,
    )
    (tmp_path / "go").touch()
    assert slow.wait(timeout=120) == 0, slow.stderr.read() if slow.stderr else ""
    assert waiting.wait(timeout=120) == 0, waiting.stderr.read() if waiting.stderr else ""
    # The waiting build (both articles) is the last.
    assert _state(folder) == states["old"]
    assert _leftovers(folder) == []


def test_a_subset_build_leaves_exactly_its_own_triples(tmp_path: Path) -> None:
    folder = _with_old_build(tmp_path)
    done = _kg(folder, "-q", "build", str(CYCLING))
    assert done.returncode == 0, done.stderr
    counts = _kg(folder, "query", "-e", COUNT_ALL, "--format", "csv").stdout.splitlines()[1]
    n, distinct = counts.split(",")
    assert n == distinct
    outside = (
        "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
        "FILTER(?g != <https://w3id.org/team-pursuit/ontology>) }"
    )
    in_store = _kg(folder, "query", "-e", outside, "--format", "csv").stdout.splitlines()[1]
    # The file's triples, but for the vocabulary's descriptions: the ontology's graph has them.
    written = Graph().parse(folder / "out" / "team-pursuit.nt", format="nt")
    stated = set(Graph().parse(ROOT / "ontology" / "tp.ttl"))
    in_file = sum(1 for triple in written if triple not in stated)
    assert 0 < in_file < len(written)
    assert int(in_store) == in_file
    skating = "ASK { ?a <https://w3id.org/team-pursuit/ontology#sourceFile> ?f FILTER(CONTAINS(?f, 'skating')) }"
    assert _kg(folder, "query", "-e", skating, "--format", "csv").stdout.strip() == "false"


def test_the_store_does_not_grow_across_rebuilds(tmp_path: Path) -> None:
    folder = _with_old_build(tmp_path)

    def size() -> int:
        return sum(p.stat().st_size for p in (folder / "out").rglob("*") if p.is_file())

    first = size()
    for _ in range(5):
        assert _kg(folder, "-q", "build").returncode == 0
    assert size() <= first * 1.2
    assert _leftovers(folder) == []


def test_a_reader_keeps_its_generation_until_it_lets_go(tmp_path: Path) -> None:
    folder = _with_old_build(tmp_path)
    reader = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys\n"
            "from pathlib import Path\n"
            "from kg_build.store.load import reading\n"
            "with reading(Path('out/store')) as store:\n"
            "    print(len(store), flush=True)\n"
            "    sys.stdin.readline()\n"
            "    print(len(store), flush=True)\n",
        ],
        cwd=folder,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert reader.stdout is not None and reader.stdin is not None
    before = reader.stdout.readline()
    assert _kg(folder, "-q", "build", str(CYCLING)).returncode == 0
    generations = folder / "out" / ".store.generations"
    assert len([g for g in generations.iterdir() if g.is_dir()]) == 2  # the pinned one stays
    reader.stdin.write("\n")
    reader.stdin.flush()
    assert reader.stdout.readline() == before  # it read its own generation to the end
    assert reader.wait(timeout=60) == 0
    assert _kg(folder, "-q", "build", str(CYCLING)).returncode == 0
    assert len([g for g in generations.iterdir() if g.is_dir()]) == 1


def test_outputs_get_the_usual_mode(tmp_path: Path) -> None:
    folder = _with_old_build(tmp_path)
    streamed = _kg(folder, "-q", "build", "--stream", "-o", "s.nt", "--format", "nt")
    assert streamed.returncode == 0, streamed.stderr
    umask = os.umask(0)
    os.umask(umask)
    usual = 0o666 & ~umask
    for path in [folder / "s.nt", *(folder / "out" / name for name in FILES)]:
        assert path.stat().st_mode & 0o777 == usual, path


def test_a_store_of_before_generations_is_taken_over(tmp_path: Path) -> None:
    """A store folder from an older version becomes a generation, then is replaced."""
    out = tmp_path / "out"
    subprocess.run(
        [
            sys.executable,
            "-c",
            "import os, pyoxigraph; os.mkdir('out'); pyoxigraph.Store('out/store').flush()",
        ],
        cwd=tmp_path,
        check=True,
    )
    assert _kg(tmp_path, "query", "-e", "ASK {}").returncode == 0
    assert _kg(tmp_path, "-q", "build").returncode == 0
    assert (out / "store").is_symlink()
    assert _leftovers(tmp_path) == []


def test_kg_serve_answers_from_a_rebuilt_store_without_a_restart(
    tmp_path: Path, states: dict[str, tuple[dict[str, bytes], str]]
) -> None:
    folder = _with_old_build(tmp_path)
    server = subprocess.Popen(
        [sys.executable, "-m", "kg_build", "serve", "--port", "0"],
        cwd=folder,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stderr is not None
        line = server.stderr.readline()  # "serving out/store/ at http://127.0.0.1:PORT/ …"
        url = line.split(" at ", 1)[1].split(" ", 1)[0] + "sparql"

        def count() -> str:
            answer = requests.get(
                url, params={"query": COUNT_ALL}, headers={"Accept": "text/csv"}, timeout=30
            )
            assert answer.status_code == 200, answer.text
            return answer.text.splitlines()[1]

        old, new = _quads(states["old"]), _quads(states["new"])
        assert count() == f"{old},{old}"
        assert _kg(folder, "-q", "build", str(CYCLING)).returncode == 0
        assert count() == f"{new},{new}"
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_one_file_needs_no_lock_and_a_killed_build_of_it_is_cleared(tmp_path: Path) -> None:
    one = _kg(tmp_path, "-q", "build", "-o", "g.ttl")
    assert one.returncode == 0, one.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["g.ttl"]
    args = ["-q", "build", "--stream", "-o", "g.nt"]
    killed = _killed(tmp_path, "streaming", *args)
    assert killed.returncode == -signal.SIGKILL
    assert any(p.name.startswith(".kg-staging-") for p in tmp_path.iterdir())
    again = _kg(tmp_path, *args)
    assert again.returncode == 0, again.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["g.nt", "g.ttl"]


def test_one_file_in_a_folder_that_does_not_exist_yet(tmp_path: Path) -> None:
    done = _kg(tmp_path, "-q", "build", "-o", "new/folder/g.nq")
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in (tmp_path / "new" / "folder").iterdir()) == ["g.nq"]
