"""The two drivers of the build give the same quads: in memory and streamed, any --jobs.

Each case is built both ways from the same articles and mappings; the N-Quads are compared
quad by quad (graph names included), not only as triples. The cases: one bundled article,
the two bundled articles, the ten family articles (which name each other as editions, so
shared triples and dropped tp:OtherEdition typing occur), and a synthetic corpus of ten.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox
import pytest

from benchmarks.make_corpus import make_corpus
from kg_build.build.config import Config
from kg_build.build.memory import build
from kg_build.build.streamed import build_stream
from kg_build.defaults import TP_IRI
from kg_build.rdf.iris import Iris
from tests.conftest import CYCLING, FAMILY, FAMILY_ARTICLES, ROOT, SOURCES

Case = Callable[[pytest.TempPathFactory, Path], tuple[list[Path], Path]]


def _synthetic(factory: pytest.TempPathFactory) -> tuple[list[Path], Path]:
    files = make_corpus(10, factory.mktemp("synthetic") / "corpus", seed=11)
    return files, files[0].parent.parent / "mappings"  # make_corpus writes sources/, mappings/


CASES: dict[str, Case] = {
    "one-article": lambda _, __: ([CYCLING], ROOT / "mappings"),
    "bundled-two": lambda _, __: (list(SOURCES), ROOT / "mappings"),
    "family-ten": lambda _, family: (
        [FAMILY / stem / f"{stem}.txt" for stem in FAMILY_ARTICLES],
        family,
    ),
    "synthetic-ten": lambda factory, _: _synthetic(factory),
}


def _quads(data: bytes) -> Counter[ox.Quad]:
    return Counter(ox.parse(data, ox.RdfFormat.N_QUADS))


@pytest.fixture(scope="module")
def in_memory(
    tmp_path_factory: pytest.TempPathFactory, family_mappings: Path
) -> dict[str, tuple[list[Path], Path, bytes]]:
    """Build each case in memory once: its articles, mappings and N-Quads."""
    built = {}
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(ROOT)  # articles are named relative to the working folder in the graph
        for name, case in CASES.items():
            sources, mappings = case(tmp_path_factory, family_mappings)
            quads = build(sources, Config(mappings=mappings)).serialize("nquads")
            built[name] = (sources, mappings, quads)
    return built


@pytest.mark.parametrize("jobs", [1, 2])
@pytest.mark.parametrize("case", list(CASES))
def test_streamed_quads_equal_the_in_memory_quads(
    case: str,
    jobs: int,
    in_memory: dict[str, tuple[list[Path], Path, bytes]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(ROOT)
    sources, mappings, expected = in_memory[case]
    output = tmp_path / "streamed.nq"
    build_stream(sources, Config(mappings=mappings), output, quads=True, jobs=jobs)
    streamed = output.read_bytes()
    assert len(streamed.splitlines()) == len(set(streamed.splitlines())), "a quad written twice"
    want, got = _quads(expected), _quads(streamed)
    missing = sorted(str(q) for q in want - got)[:10]
    added = sorted(str(q) for q in got - want)[:10]
    assert want == got, f"missing {missing}, added {added}"


@pytest.mark.parametrize("case", ["bundled-two", "family-ten", "synthetic-ten"])
def test_each_triple_is_in_one_graph_and_shared_ones_in_the_shared_graph(
    case: str, in_memory: dict[str, tuple[list[Path], Path, bytes]]
) -> None:
    """What the drivers agree on: a triple lives in one graph; several articles' in shared."""
    quads = _quads(in_memory[case][2])
    triples = Counter(q.triple for q in quads)
    assert max(triples.values()) == 1
    shared = ox.NamedNode(Iris(Config().base).shared_graph())
    in_shared = [q for q in quads if q.graph_name == shared]
    # Vocabulary descriptions (medal kinds, sports …) that every article copies are shared.
    assert any(str(q.subject).startswith(f"<{TP_IRI}") for q in in_shared)


def test_one_article_has_no_shared_graph(
    in_memory: dict[str, tuple[list[Path], Path, bytes]],
) -> None:
    graphs = {q.graph_name for q in _quads(in_memory["one-article"][2])}
    assert ox.NamedNode(Iris(Config().base).shared_graph()) not in graphs


@pytest.mark.parametrize("quads", [False, True])
def test_streamed_bytes_do_not_depend_on_where_the_articles_lie(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, quads: bool
) -> None:
    """The same two articles in folders that sort the other way round give the same bytes.

    Sorted by full path, the output followed the folders' names: the benchmark's baseline,
    whose bundled sources lie in a temporary worktree, wrote its lines in another order.
    """
    cycling, skating = sorted(SOURCES)
    placements = {"a": (cycling, skating), "b": (skating, cycling)}
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)  # the articles lie outside it: named by file name in the graph
    written = []
    for name, (first, second) in placements.items():
        folders = [tmp_path / name / "1", tmp_path / name / "2"]
        for folder, source in zip(folders, (first, second), strict=True):
            folder.mkdir(parents=True)
            (folder / source.name).write_bytes(source.read_bytes())
        output = tmp_path / f"{name}.out"
        build_stream(folders[::-1], Config(), output, quads=quads)
        written.append(output.read_bytes())
    assert written[0] == written[1]
    assert written[0].startswith(b"<")


def test_in_graph_gives_the_quads_as_quads_gives(
    in_memory: dict[str, tuple[list[Path], Path, bytes]],
) -> None:
    """The store's fast path (a graph put before each line's end) states the same quads."""
    from kg_build.build.lines import as_quads, in_graph

    lines = in_memory["bundled-two"][2].splitlines(keepends=True)
    triples = [line.rsplit(b" <", 1)[0] + b" .\n" for line in lines]
    name = "https://example.org/graph"
    assert _quads(in_graph(triples, name)) == _quads(b"".join(as_quads(triples, name)))
    with pytest.raises(ValueError, match="not one N-Triples statement on its line"):
        in_graph([b"<a> <b> <c> .", b"\n"], name)


@pytest.mark.parametrize("seed", range(20))
def test_the_runs_of_an_articles_own_lines_are_those_a_line_by_line_test_finds(seed: int) -> None:
    # SharedLines.keep takes the article's own lines (those of its prefixes) as whole runs of
    # its sorted lines: the runs must cover every line once, in order, each own or not as
    # line.startswith(prefixes) says, whatever the prefixes (overlapping, absent, at the ends).
    import random

    from kg_build.build.merged import _runs

    rng = random.Random(seed)
    words = [b"<a/", b"<a>", b"<ab/", b"<b/", b"<b/c/", b"<c>", b"<c/d>", b"<z"]
    lines = sorted(
        {rng.choice(words) + str(rng.randrange(50)).encode() + b"> .\n" for _ in range(60)}
    )
    prefixes = tuple(rng.sample(words, rng.randrange(1, 4)))
    runs = list(_runs(lines, prefixes))
    assert [i for start, end, _ in runs for i in range(start, end)] == list(range(len(lines)))
    for start, end, own in runs:
        assert all(line.startswith(prefixes) == own for line in lines[start:end])
