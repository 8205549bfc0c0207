"""SHACL shapes: every shape has a conforming and a violating fixture with exact results.

A violating fixture lists what must be reported, one ``# expect:`` line per result:
``# expect: <severity> <focus IRI> <sh:sourceShape IRI> <sh:resultPath IRI or ->``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from pyshacl import validate
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, SH

from benchmarks.make_corpus import make_corpus
from kg_build.build.config import Config
from kg_build.build.records import extract_sources
from kg_build.defaults import ENGINES
from kg_build.errors import OntologyError
from kg_build.mapping import union_graph
from kg_build.messages import display_path
from kg_build.rdf.ontology import vocabulary
from kg_build.validate import Finding, Validator, load_shapes
from tests.conftest import ROOT, THIRD, third_mappings

ONTOLOGY = Graph().parse(ROOT / "ontology" / "tp.ttl")
VOCAB = vocabulary(ONTOLOGY)
SHAPES = load_shapes(ROOT / "shapes", VOCAB)
FIXTURES = ROOT / "tests" / "data" / "shapes"
TPS = "https://w3id.org/team-pursuit/shapes#"
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


# ---------------------------------------------------------------- the fast engine beside pySHACL

FIXTURE_FILES = sorted(FIXTURES.glob("*.ttl"))


def _keys(findings: list[Finding]) -> list[tuple[str, str, str, str, str]]:
    return sorted(f.key for f in findings)


FAST_ENGINES = [e for e in ENGINES if e != "pyshacl"]


@pytest.mark.parametrize("engine", FAST_ENGINES)
@pytest.mark.parametrize("path", FIXTURE_FILES, ids=[p.name for p in FIXTURE_FILES])
def test_fast_engines_agree_with_pyshacl_on_every_fixture(path: Path, engine: str) -> None:
    data = Graph().parse(path)
    reference = Validator(SHAPES, "pyshacl").graph(data, path.name)
    fast = Validator(SHAPES, engine).graph(data, path.name)
    if engine == "pyrudof":
        # pyrudof runs no property shape on a literal focus node (an object property's value
        # written as a string: tps:DescribedValuesShape targets it). Its node shape's
        # sh:nodeKind sh:IRI still rejects the literal, in every engine.
        literal_focus = {f.focus for f in reference if f.focus.startswith('"')}
        assert {f.focus for f in fast if f.shape == "tps:DescribedValuesShape"} >= literal_focus
        reference = [f for f in reference if f.focus not in literal_focus or f.path == "-"]
    assert _keys(fast) == _keys(reference)
    assert [f.where for f in fast] == [f.where for f in reference]
    if path.name.endswith(".violating.ttl"):
        assert fast, "a violating fixture must give results"


def test_a_value_without_a_label_is_reported_on_itself_by_each_fast_engine() -> None:
    data = Graph().parse(FIXTURES / "ResultShape.conforming.ttl")
    nt = data.serialize(format="nt", encoding="utf-8")
    nameless = b"".join(
        ln + b"\n"
        for ln in nt.splitlines()
        if not (ln.startswith(b"<https://w3id.org/team-pursuit/id/noc/DEN>") and b"label" in ln)
    )
    noc = "https://w3id.org/team-pursuit/id/noc/DEN"
    for engine in FAST_ENGINES:
        found = {(f.focus, f.shape) for f in Validator(SHAPES, engine).ntriples(nameless, "a")}
        # The team entry points to it (tp:noc): tps:DescribedValuesShape's focus is the NOC.
        assert found == {(noc, "tps:NOC-label"), (noc, "tps:DescribedValues-label")}, engine
        assert Validator(SHAPES, engine).ntriples(nt, "b") == [], engine


def _described_values_edited(tmp_path: Path, old: str, new: str) -> Path:
    shutil.copytree(ROOT / "shapes", tmp_path / "shapes")
    fact = tmp_path / "shapes" / "fact.ttl"
    text = fact.read_text(encoding="utf-8")
    assert old in text
    fact.write_text(text.replace(old, new, 1), encoding="utf-8")
    return fact


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        (
            "tp:usingTechnique, tp:venue ;",
            "tp:usingTechnique ;",
            "lacks these object properties of the ontology: tp:venue",
        ),
        (
            "tp:usingTechnique, tp:venue ;",
            "tp:usingTechnique, tp:venue, tp:outcome ;",
            "names these, which are not its tp: object properties or are excepted: tp:outcome",
        ),
        (
            "tp:usingTechnique, tp:venue ;",
            "tp:usingTechnique, tp:venue, tp:finalRank ;",
            "names these, which are not its tp: object properties or are excepted: tp:finalRank",
        ),
        (
            "tps:exceptProperty tp:missingProperty, ",
            "tps:exceptProperty ",
            "lacks these object properties of the ontology: tp:missingProperty",
        ),
    ],
)
def test_the_targets_of_every_object_property_are_held_to_the_ontology(
    tmp_path: Path, old: str, new: str, problem: str
) -> None:
    fact = _described_values_edited(tmp_path, old, new)
    start = (
        fact.read_text(encoding="utf-8")
        .splitlines()
        .index("tps:DescribedValuesShape a sh:NodeShape ;")
        + 1
    )
    with pytest.raises(OntologyError) as raised:
        load_shapes(tmp_path / "shapes", VOCAB)
    assert (raised.value.path, raised.value.line) == (display_path(fact), start)
    assert str(raised.value).endswith(problem)


def _corpus(kind: str, tmp_path: Path) -> tuple[list[Path], Config]:
    if kind == "third":
        return [THIRD / "sources"], Config(mappings=third_mappings(tmp_path))
    if kind == "synthetic":
        files = make_corpus(4, tmp_path / "corpus", seed=11)
        return files, Config(mappings=tmp_path / "corpus" / "mappings")
    return [], Config()


@pytest.mark.parametrize("engine", FAST_ENGINES)
@pytest.mark.parametrize("kind", ["bundled", "third", "synthetic"])
def test_fast_engines_agree_with_pyshacl_on_whole_builds(
    kind: str, engine: str, tmp_path: Path
) -> None:
    paths, config = _corpus(kind, tmp_path)
    _, named = extract_sources(paths, config)
    data = union_graph(g for _, g in named)
    reference = Validator(SHAPES, "pyshacl").graph(data, "graph")
    fast = Validator(SHAPES, engine).graph(data, "graph")
    assert _keys(fast) == _keys(reference)
    assert [f.where for f in fast] == [f.where for f in reference]
    # The streamed build hands the engine N-Triples: the same results.
    nt = data.serialize(format="nt", encoding="utf-8")
    assert _keys(Validator(SHAPES, engine).ntriples(nt, "graph")) == _keys(fast)


@pytest.mark.parametrize("engine", FAST_ENGINES)
def test_a_fast_engine_forgets_each_graph_after_validating_it(engine: str) -> None:
    bad = (FIXTURES / "RoundShape.violating.ttl").read_text(encoding="utf-8")
    good = (FIXTURES / "RoundShape.conforming.ttl").read_text(encoding="utf-8")
    validator = Validator(SHAPES, engine)
    as_nt = [
        Graph().parse(data=t, format="turtle").serialize(format="nt", encoding="utf-8")
        for t in (bad, good, bad)
    ]
    results = [validator.ntriples(nt, "x") for nt in as_nt]
    assert results[0] and results[0] == results[2]
    assert [f for f in results[1] if f.severity == "Violation"] == []


def test_numeric_bounds_carry_the_datatype_of_the_values_they_bound() -> None:
    # pyrudof 0.3 compares a bound only with values of its own datatype ("1"^^xsd:integer
    # against "5"^^xsd:positiveInteger fails), so each bound is written in the shape's type.
    bounds = (SH.minInclusive, SH.minExclusive, SH.maxInclusive, SH.maxExclusive)
    for shape in set(SHAPES.subjects(SH.datatype, None)):
        datatype = SHAPES.value(shape, SH.datatype)
        for bound in bounds:
            value = SHAPES.value(shape, bound)
            if value is not None:
                assert isinstance(value, Literal) and value.datatype == datatype, (shape, bound)


def test_every_class_a_property_names_has_a_shape_that_requires_an_iri() -> None:
    # Property shapes name a class (sh:class) without sh:nodeKind sh:IRI: a literal fails
    # sh:class, and a blank node of the class fails the class's own shape, checked here.
    for named in set(SHAPES.objects(None, SH["class"])):
        shapes = list(SHAPES.subjects(SH.targetClass, named))
        assert any((s, SH.nodeKind, SH.IRI) in SHAPES for s in shapes), named


def test_the_shacl_engine_words_a_result_whose_shape_has_no_message() -> None:
    # The SHACL Engine leaves sh:resultMessage empty without a sh:message: the build words one
    # from the named shape's parameter (every property shape in shapes/ is named).
    shapes = Graph().parse(
        data="@prefix sh: <http://www.w3.org/ns/shacl#> .\n"
        "<https://example.org/S> a sh:NodeShape ; sh:targetClass <https://example.org/C> ;\n"
        "  sh:property <https://example.org/S-p> .\n"
        "<https://example.org/S-p> sh:path <https://example.org/p> ;\n"
        "  sh:datatype <http://www.w3.org/2001/XMLSchema#integer> ; sh:minCount 2 .\n",
        format="turtle",
    )
    data = Graph().parse(
        data='<https://example.org/x> a <https://example.org/C> ; <https://example.org/p> "a" .',
        format="turtle",
    )
    messages = sorted(f.message for f in Validator(shapes, "shacl-engine").graph(data, "x"))
    assert messages == [
        'sh:datatype xsd:integer not satisfied by "a"',
        "sh:minCount 2 not satisfied",
    ]


SPARQL_WITHOUT_MESSAGE = """@prefix sh: <http://www.w3.org/ns/shacl#> .
<https://example.org/S> a sh:NodeShape ; sh:targetClass <https://example.org/C> ;
  sh:sparql <https://example.org/S-a> .
<https://example.org/S-a> a sh:SPARQLConstraint ; sh:select
  "SELECT $this ?value WHERE { $this <https://example.org/p> ?value FILTER (?value = 'a') }" .
"""
SECOND_CONSTRAINT = """<https://example.org/S> sh:sparql <https://example.org/S-b> .
<https://example.org/S-b> a sh:SPARQLConstraint ; sh:select "SELECT $this WHERE { $this <https://example.org/q> ?q }" .
"""


@pytest.mark.parametrize("engine", ENGINES)
def test_every_engine_words_a_sparql_constraint_that_has_no_message(engine: str) -> None:
    # The SHACL Engine gives no message, pyrudof and pySHACL an empty one: the build names the
    # constraint when its shape has one, and says sh:sparql when it has several.
    data = Graph().parse(
        data='<https://example.org/x> a <https://example.org/C> ; <https://example.org/p> "a" .',
        format="turtle",
    )
    one = Graph().parse(data=SPARQL_WITHOUT_MESSAGE, format="turtle")
    messages = [f.message for f in Validator(one, engine).graph(data, "x")]
    assert messages == ['SPARQL constraint https://example.org/S-a not satisfied by "a"']
    two = Graph().parse(data=SPARQL_WITHOUT_MESSAGE + SECOND_CONSTRAINT, format="turtle")
    messages = [f.message for f in Validator(two, engine).graph(data, "x")]
    assert messages == ['sh:sparql not satisfied by "a"']


@pytest.mark.parametrize("engine", ENGINES)
def test_a_core_shapes_message_is_the_results_message_in_every_engine(engine: str) -> None:
    # SHACL §2.1.5: a shape's sh:message is its results' message (pyrudof words core results
    # its own way, "OR not satisfied", unless its adapter reads the shape's).
    data = Graph().parse(FIXTURES / "TimedResultShape.violating.ttl")
    found = Validator(SHAPES, engine).graph(data, "timed")
    declared = str(SHAPES.value(URIRef(f"{TPS}TimedResultShape"), SH.message))
    assert declared.startswith("the result has no tp:finishTime")
    assert [f.message for f in found if f.shape == "tps:TimedResultShape"] == [declared] * 2
