"""SHACL shapes: every shape has a conforming and a violating fixture with exact results.

A violating fixture lists what must be reported, one ``# expect:`` line per result:
``# expect: <severity> <focus IRI> <sh:sourceShape IRI> <sh:resultPath IRI or ->``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pyshacl import validate
from rdflib import Graph
from rdflib.namespace import OWL, RDF, SH

from kg_build.validate import load_shapes
from tests.conftest import ROOT

SHAPES = load_shapes(ROOT / "shapes")
FIXTURES = ROOT / "tests" / "data" / "shapes"
ONTOLOGY = Graph().parse(ROOT / "ontology" / "tp.ttl")
NODE_SHAPES = sorted(
    str(s).rsplit("#", 1)[1] for s in SHAPES.subjects(RDF.type, SH.NodeShape) if "#" in str(s)
)


def _results(data: Graph) -> set[tuple[str, str, str, str]]:
    _, report, _ = validate(data, shacl_graph=SHAPES, inference="none", allow_warnings=True)
    assert isinstance(report, Graph)
    found = set()
    for result in report.subjects(RDF.type, SH.ValidationResult):
        path = report.value(result, SH.resultPath)
        found.add(
            (
                str(report.value(result, SH.resultSeverity)).rsplit("#", 1)[1],
                str(report.value(result, SH.focusNode)),
                str(report.value(result, SH.sourceShape)),
                str(path) if path is not None else "-",
            )
        )
    return found


def _expected(path: Path) -> set[tuple[str, str, str, str]]:
    lines = [
        ln.removeprefix("# expect:").split()
        for ln in path.read_text(encoding="utf-8").splitlines()
        if ln.startswith("# expect:")
    ]
    return {(a, b, c, d) for a, b, c, d in lines}


def test_every_class_has_a_shape() -> None:
    classes = {
        str(c)
        for c in ONTOLOGY.subjects(RDF.type, OWL.Class)
        if str(c).startswith("https://w3id.org/team-pursuit/")
    }
    targets = {str(t) for t in SHAPES.objects(None, SH.targetClass)}
    assert classes <= targets, sorted(classes - targets)


def test_every_node_shape_has_both_fixtures() -> None:
    assert NODE_SHAPES
    for name in NODE_SHAPES:
        assert (FIXTURES / f"{name}.conforming.ttl").exists(), name
        assert (FIXTURES / f"{name}.violating.ttl").exists(), name


@pytest.mark.parametrize("name", NODE_SHAPES)
def test_conforming_fixture(name: str) -> None:
    data = Graph().parse(FIXTURES / f"{name}.conforming.ttl")
    assert {r for r in _results(data) if r[0] == "Violation"} == set()


@pytest.mark.parametrize("name", NODE_SHAPES)
def test_violating_fixture_reports_exactly_what_it_expects(name: str) -> None:
    path = FIXTURES / f"{name}.violating.ttl"
    expected = _expected(path)
    assert expected, f"{path} has no '# expect:' lines"
    assert _results(Graph().parse(path)) == expected
