"""Golden graphs: each article's quads, built alone, equal the ones reviewed in tests/golden/.

A stray triple outside the SPARQL spot checks shows here, and so does a triple that moves to
another named graph. Each golden is an N-Quads file (sorted lines); each of its named graphs
is compared with the build's graph of the same name as a graph (rdflib's isomorphism). On a
difference the test prints the quads added and removed, sorted, with their graph.
``pytest tests/test_golden.py --update-golden`` writes them anew from today's build, to be
reviewed in the diff like code.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Dataset, Graph
from rdflib.compare import graph_diff, isomorphic, to_isomorphic
from rdflib.term import Node

from kg_build.build.config import Config
from kg_build.build.memory import build
from tests.conftest import FAMILY, FAMILY_ARTICLES, ROOT, SOURCES, THIRD, THIRD_STEM, third_mappings

GOLDEN = ROOT / "tests" / "golden"
CASES = [
    *((p.stem, "bundled") for p in SOURCES),
    *((stem, "family") for stem in FAMILY_ARTICLES),
    (THIRD_STEM, "third"),
]


def _article(stem: str, kind: str) -> Path:
    if kind == "bundled":
        return ROOT / "sources" / f"{stem}.txt"
    if kind == "family":
        return FAMILY / stem / f"{stem}.txt"
    return THIRD / "sources" / f"{stem}.txt"


def _lines(graph: Graph) -> list[str]:
    return sorted(line for line in graph.serialize(format="nt").splitlines() if line.strip())


def _graphs(nquads: bytes) -> dict[Node, Graph]:
    """Return each named graph of an N-Quads document by its name."""
    dataset = Dataset()
    dataset.parse(data=nquads, format="nquads")
    return {g.identifier: g for g in dataset.graphs() if len(g)}


def _differences(expected: dict[Node, Graph], built: dict[Node, Graph]) -> list[str]:
    """Return the quads removed (``-``) and added (``+``), graph by graph, sorted."""
    lines = []
    for name in sorted(set(expected) | set(built), key=str):
        want, got = expected.get(name, Graph()), built.get(name, Graph())
        if isomorphic(want, got):
            continue
        _, removed, added = graph_diff(to_isomorphic(want), to_isomorphic(got))
        graph = f" <{name}> ."
        lines += [f"- {t[:-2]}{graph}" for t in _lines(removed)]
        lines += [f"+ {t[:-2]}{graph}" for t in _lines(added)]
    return lines


@pytest.mark.parametrize(("stem", "kind"), CASES, ids=[s for s, _ in CASES])
def test_golden_graph(
    stem: str,
    kind: str,
    request: pytest.FixtureRequest,
    family_mappings: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(ROOT)  # articles are named relative to the project in the graph
    mappings = {
        "bundled": ROOT / "mappings",
        "family": family_mappings,
        "third": third_mappings(tmp_path) if kind == "third" else None,
    }[kind]
    assert mappings is not None
    quads = build([_article(stem, kind)], Config(mappings=mappings)).serialize("nquads")
    golden = GOLDEN / f"{stem}.nq"
    if request.config.getoption("--update-golden"):
        GOLDEN.mkdir(exist_ok=True)
        golden.write_bytes(b"".join(sorted(set(quads.splitlines(keepends=True)))))
        return
    differences = _differences(_graphs(golden.read_bytes()), _graphs(quads))
    if differences:
        removed = sum(line.startswith("-") for line in differences)
        pytest.fail(
            f"{stem}: the quads differ from tests/golden/{stem}.nq ({removed} removed, "
            f"{len(differences) - removed} added; rerun with --update-golden if that is "
            "intended):\n" + "\n".join(differences[:80])
        )
