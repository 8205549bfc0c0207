"""Engines declare what they can check, and refuse the rest instead of passing it silently.

Issue 18: pyrudof passed bad data where the shapes used SPARQL-based constraint components,
``$shapesGraph`` or ``$this`` inside a nested group; it accepted ``"x"^^xsd:date``; the SHACL
Engine accepted a subquery that SHACL-SPARQL forbids. The W3C suite covers the features
(tests/test_w3c_shacl.py); these tests cover the wording, our own shapes, and the table of
datatypes whose lexical forms each engine checks.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg_build.cli import cli
from kg_build.defaults import ENGINES
from kg_build.rdf.lexical import VALIDATORS, XSD, is_valid
from kg_build.rdf.ontology import load_ontology, vocabulary
from kg_build.rdf.rdffile import parse_rdf, rdflib_graph
from kg_build.validate import Validator, load_shapes
from kg_build.validate.limits import CHECKED_DATATYPES, refusal
from tests.conftest import ROOT

VOCAB = vocabulary(load_ontology(ROOT / "ontology" / "tp.ttl"))


def _kg(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stderr


# ---------------------------------------------------------------- lexical forms

_INTEGER = ["1.0", "abc", " 5", "1e3", "+-1", "1_000", ""]
ILL_TYPED = {
    "boolean": ["yes", "TRUE", " true", "2", ""],
    "decimal": ["1,5", "1e3", "NaN", " 1", "INF", "1.2.3", ""],
    "integer": _INTEGER,
    "nonNegativeInteger": ["-1", *_INTEGER],
    "positiveInteger": ["0", "-1", *_INTEGER],
    "nonPositiveInteger": ["1", *_INTEGER],
    "negativeInteger": ["0", *_INTEGER],
    "long": [str(2**63), *_INTEGER],
    "int": [str(2**31), *_INTEGER],
    "short": ["32768", *_INTEGER],
    "byte": ["128", "300", "c", *_INTEGER],
    "unsignedLong": ["-1", str(2**64), *_INTEGER],
    "unsignedInt": [str(2**32), "-1", *_INTEGER],
    "unsignedShort": ["65536", "-1", *_INTEGER],
    "unsignedByte": ["256", "-1", *_INTEGER],
    "double": ["1,5", "inf", "nan", " 1", "1e", ""],
    "float": ["1,5", "inf", " 1", ""],
    "date": ["x", "2021-08-32", "2021-02-29", "2021-13-01", "21-01-01", "2021-1-1", "2021-04-31"],
    "dateTime": ["2021-13-01T00:00:00", "2021-01-01", "2021-01-01T25:00:00", "2021-02-30T00:00:00"],
    "time": ["25:00:00", "10:00", "x", "10:00:00 "],
    "gYear": ["20x1", "21", "2021-01", ""],
    "gYearMonth": ["2021-13", "2021", "2021-1"],
}
WELL_TYPED = {
    "boolean": ["true", "false", "1", "0"],
    "decimal": ["1.5", "-0", "+.5", "1.", "007"],
    "integer": ["007", "-0", "+12"],
    "nonNegativeInteger": ["0", "-0", "+7"],
    "positiveInteger": ["1", "0042"],
    "byte": ["-128", "127"],
    "double": ["1e3", "-INF", "NaN", "1.5E-2", ".5"],
    "date": [
        "2021-08-02",
        "2020-02-29",
        "2000-02-29",
        "2021-08-02Z",
        "2021-08-02+09:00",
        "-0044-03-15",
    ],
    "dateTime": ["2021-08-02T10:00:00", "2021-08-02T24:00:00", "2021-08-02T10:00:00.5+09:00"],
    "time": ["10:00:00", "23:59:59.999Z"],
    "gYear": ["2021", "-0044", "2021+09:00", "12345"],
    "gYearMonth": ["2021-08", "2021-12Z"],
}


def test_every_datatype_we_check_has_ill_typed_samples() -> None:
    assert {XSD + name for name in ILL_TYPED} == set(VALIDATORS)


@pytest.mark.parametrize("datatype", sorted(ILL_TYPED))
def test_lexical_forms(datatype: str) -> None:
    assert [s for s in ILL_TYPED[datatype] if is_valid(s, XSD + datatype)] == []
    assert [s for s in WELL_TYPED.get(datatype, []) if not is_valid(s, XSD + datatype)] == []


def _datatype_shapes() -> str:
    return "".join(
        f"<http://example.org/S-{name}> a <http://www.w3.org/ns/shacl#PropertyShape> ;\n"
        f"  <http://www.w3.org/ns/shacl#targetSubjectsOf> <http://example.org/{name}> ;\n"
        f"  <http://www.w3.org/ns/shacl#path> <http://example.org/{name}> ;\n"
        f"  <http://www.w3.org/ns/shacl#datatype> <{XSD}{name}> .\n"
        for name in ILL_TYPED
    )


@pytest.mark.parametrize("engine", ENGINES)
def test_the_table_of_checked_datatypes_is_what_each_engine_does(engine: str) -> None:
    """An engine checks a datatype if it reports every ill-typed sample under sh:datatype."""
    shapes = rdflib_graph(parse_rdf(_datatype_shapes().encode(), "turtle", "shapes"))
    validator = Validator(shapes, engine)
    checked = set()
    for name, samples in ILL_TYPED.items():
        reported = 0
        for number, sample in enumerate(samples):
            line = f'<http://example.org/a{number}> <http://example.org/{name}> "{sample}"^^<{XSD}{name}> .\n'
            try:
                reported += bool(validator.ntriples(line.encode(), "x"))
            except Exception as e:  # EngineLimit: the engine missed it, and was not trusted
                assert "cannot check" in str(e), e
        if reported == len(samples):
            checked.add(XSD + name)
    assert checked == CHECKED_DATATYPES[engine] | (checked - set(VALIDATORS))
    assert checked & set(VALIDATORS) == CHECKED_DATATYPES[engine]


# ---------------------------------------------------------------- refusals


def test_our_shapes_are_refused_by_no_engine() -> None:
    shapes = load_shapes(ROOT / "shapes", VOCAB)
    assert {e: refusal(shapes, e) for e in ENGINES} == dict.fromkeys(ENGINES)


NESTED = """\
@prefix ex: <http://example.org/> .
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

ex:prefixes sh:declare [ sh:prefix "ex" ; sh:namespace "http://example.org/"^^xsd:anyURI ] .

ex:LabelShape a sh:NodeShape ;
    sh:targetNode ex:a, ex:b ;
    sh:sparql [
        sh:prefixes ex:prefixes ;
        sh:select \"\"\"
            SELECT $this WHERE {
                { FILTER (NOT EXISTS { $this ex:label ?label }) }
            }
        \"\"\" ] .

ex:a ex:label "A" .
"""


def test_pyrudof_refuses_this_in_a_nested_group_naming_the_shape(tmp_path: Path) -> None:
    graph = tmp_path / "graph.ttl"
    graph.write_text(NESTED, encoding="utf-8")
    report = tmp_path / "report.ttl"
    code, err = _kg(
        "validate",
        str(graph),
        "--shapes",
        str(graph),
        "--validator",
        "pyrudof",
        "--report",
        str(report),
    )
    assert code == 1 and not report.exists()
    assert err == (
        f"error: {graph}:7: pyrudof cannot check http://example.org/LabelShape: its SPARQL "
        "uses $this in a FILTER of a nested group, where pyrudof leaves it unbound (SHACL "
        "binds it in every group, Appendix A); nothing was validated "
        "(--validator shacl-engine or pyshacl can)\n"
    )
    for engine in ("shacl-engine", "pyshacl"):  # they bind it: ex:b has no label
        code, err = _kg("validate", str(graph), "--shapes", str(graph), "--validator", engine)
        assert code == 1 and "http://example.org/b" in err and "1 SHACL violations" in err


def test_pyshacl_refuses_shapes_graph(tmp_path: Path) -> None:
    graph = tmp_path / "graph.ttl"
    graph.write_text(
        NESTED.replace("{ FILTER (NOT", "GRAPH $shapesGraph { FILTER (NOT"), encoding="utf-8"
    )
    code, err = _kg("validate", str(graph), "--shapes", str(graph), "--validator", "pyshacl")
    assert code == 1
    assert err.endswith(
        "pySHACL cannot check http://example.org/LabelShape: its SPARQL uses $shapesGraph, "
        "which pySHACL does not bind; nothing was validated (--validator shacl-engine can)\n"
    )


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(
    ("query", "what"),
    [
        ("SELECT $this WHERE { $this ?p ?o MINUS { $this ex:label ?o } }", "MINUS"),
        ("SELECT $this WHERE { VALUES ?o { 1 } }", "VALUES"),
        (
            "SELECT $this WHERE { BIND (ex:a AS $this) }",
            "'AS $this', which binds a pre-bound variable",
        ),
        (
            "SELECT $this WHERE { $this ?p ?o . { SELECT ?o WHERE { ?s ?q ?o } } }",
            "a subquery that does not return $this",
        ),
    ],
    ids=["minus", "values", "as-this", "subquery"],
)
def test_what_shacl_sparql_forbids_is_refused_by_every_engine(
    engine: str, query: str, what: str, tmp_path: Path
) -> None:
    graph = tmp_path / "graph.ttl"
    text = NESTED.replace(
        NESTED[NESTED.index("SELECT $this") : NESTED.index('""" ]')], query + "\n"
    )
    graph.write_text(text, encoding="utf-8")
    code, err = _kg("validate", str(graph), "--shapes", str(graph), "--validator", engine)
    assert code == 1
    assert err == (
        f"error: {graph}:11: SPARQL constraint of <http://example.org/LabelShape>: SHACL-SPARQL "
        f"does not allow {what} in "
        "a query whose variables are pre-bound (§5.3.1); no engine may run it\n"
    )


@pytest.mark.parametrize("engine", ENGINES)
def test_an_ill_typed_date_is_a_violation_or_a_refusal_never_a_pass(
    engine: str, tmp_path: Path
) -> None:
    graph = tmp_path / "graph.ttl"
    graph.write_text(
        "@prefix ex: <http://example.org/> .\n"
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n"
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
        "ex:DayShape a sh:PropertyShape ; sh:targetSubjectsOf ex:day ; sh:path ex:day ; sh:datatype xsd:date .\n"
        'ex:a ex:day "2021-08-32"^^xsd:date .\n',
        encoding="utf-8",
    )
    code, err = _kg("validate", str(graph), "--shapes", str(graph), "--validator", engine)
    assert code == 1
    if engine == "pyrudof":  # it does not check xsd:date forms: "x"^^xsd:date passes it
        assert err == (
            f'error: {graph}: pyrudof cannot check "2021-08-32"^^xsd:date of '
            "http://example.org/a http://example.org/day: it does not check whether a literal "
            "is a valid xsd:date, this one is not, and it reported nothing on it; no report "
            "is given\n"
        )
    else:
        assert err.endswith(f"error: {graph}: 1 SHACL violations\n")


def test_a_foreign_shapes_file_is_not_held_to_our_ontology(tmp_path: Path) -> None:
    """Only tp: terms are checked against the ontology; ex: shapes pass untouched."""
    graph = tmp_path / "graph.ttl"
    graph.write_text(NESTED, encoding="utf-8")
    assert len(load_shapes(graph, VOCAB)) > 5
    typo = tmp_path / "typo.ttl"
    typo.write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n"
        "@prefix tp: <https://w3id.org/team-pursuit/ontology#> .\n"
        "<http://example.org/S> a sh:NodeShape ; sh:targetClass tp:TeamEntri .\n",
        encoding="utf-8",
    )
    code, err = _kg("validate", str(graph), "--shapes", str(typo))
    assert code == 1
    assert err == f"error: {typo}:3: unknown class tp:TeamEntri (did you mean tp:TeamEntry?)\n"


# ---------------------------------------------------------------- the registry

_LOADED = """
import sys
from rdflib import Graph
from kg_build.validate import Validator
Validator(Graph(), {engine!r}).graph(Graph(), "empty")
print(" ".join(sorted(m for m in sys.modules if m.startswith(("kg_build.validate.engine_",
    "pyshacl", "pyrudof", "shacl")) and "." not in m.removeprefix("kg_build.validate."))))
"""


@pytest.mark.parametrize("engine", ENGINES)
def test_the_registry_loads_the_chosen_engine_alone(engine: str) -> None:
    # Each engine is a module of its own, imported when chosen: the default never loads
    # pySHACL's adapter or library, nor pyrudof's.
    code = _LOADED.format(engine=engine)
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    assert out == [ENGINES[engine]]


def test_the_registry_gives_the_validator_choices() -> None:
    code, err = _kg("validate", "-", "--validator", "jena")
    assert code == 2
    choices = ", ".join(f"'{name}'" for name in ENGINES)
    assert f"'jena' is not one of {choices}" in err
    with pytest.raises(ValueError, match="unknown SHACL engine 'jena'"):
        Validator(load_shapes(ROOT / "shapes", VOCAB), "jena")
