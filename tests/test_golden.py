"""Golden graphs: each article's graph, built alone, equals the one reviewed in tests/golden/.

A stray triple outside the SPARQL spot checks shows here. The graphs are compared as graphs
(rdflib's isomorphism); on a difference the test prints the triples added and removed,
sorted. ``pytest tests/test_golden.py --update-golden`` writes them anew from today's build,
to be reviewed in the diff like code.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.compare import graph_diff, isomorphic, to_isomorphic

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
    built = build([_article(stem, kind)], Config(mappings=mappings))
    golden = GOLDEN / f"{stem}.nt"
    if request.config.getoption("--update-golden"):
        GOLDEN.mkdir(exist_ok=True)
        golden.write_text("".join(f"{line}\n" for line in _lines(built.graph)), encoding="utf-8")
        return
    expected = Graph().parse(golden, format="nt")
    if not isomorphic(built.graph, expected):
        _, removed, added = graph_diff(to_isomorphic(expected), to_isomorphic(built.graph))
        lines = [f"- {t}" for t in _lines(removed)[:40]] + [f"+ {t}" for t in _lines(added)[:40]]
        pytest.fail(
            f"{stem}: the graph differs from tests/golden/{stem}.nt "
            f"({len(removed)} removed, {len(added)} added; rerun with --update-golden if "
            "that is intended):\n" + "\n".join(lines)
        )
