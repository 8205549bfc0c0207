"""Mapping rules: the YARRRML subset's loader, its checks against the ontology, the executor."""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, XSD

from kg_build.defaults import TP_IRI
from kg_build.errors import MappingError
from kg_build.mapping import apply_rules, load_rules, new_graph, ntriples_literal
from kg_build.mapping.sources import record_fields
from kg_build.model import Result, Vocabulary
from kg_build.namespaces import TP
from kg_build.rdf.ontology import load_ontology, vocabulary
from tests.conftest import ROOT

ONTOLOGY = load_ontology(ROOT / "ontology" / "tp.ttl")
VOCAB = vocabulary(ONTOLOGY)
HEADER = """\
prefixes:
  tp: https://w3id.org/team-pursuit/ontology#
  rdfs: http://www.w3.org/2000/01/rdf-schema#
  xsd: http://www.w3.org/2001/XMLSchema#
sources:
  results: [records.json~jsonpath, "$.results[*]"]
records:
  results: Result
mappings:
"""


def _rules(tmp_path: Path, body: str) -> Path:
    folder = tmp_path / "rules"
    folder.mkdir(exist_ok=True)
    (folder / "r.yaml").write_text(HEADER + body, encoding="utf-8")
    return folder


def test_namespace_terms_equal_the_ontology_terms() -> None:
    declared = {str(s)[len(TP_IRI) :] for s in ONTOLOGY.subjects() if str(s).startswith(TP_IRI)}
    assert set(TP.__annotations__) == declared


def test_every_ontology_term_has_label_and_comment() -> None:
    for term in {s for s in ONTOLOGY.subjects() if str(s).startswith(TP_IRI)}:
        assert ONTOLOGY.value(term, URIRef("http://www.w3.org/2000/01/rdf-schema#label")), term
        assert ONTOLOGY.value(term, URIRef("http://www.w3.org/2000/01/rdf-schema#comment")), term


def test_every_property_has_a_domain_or_is_shared() -> None:
    # Properties without rdfs:domain are deliberately shared by several classes.
    shared = {
        "sourceLine",
        "sourceText",
        "utcOffset",
        "startTime",
        "inRound",
        "missing",
        "awardedTo",
        "forEvent",
        "achievedBy",
        "defendingChampion",
        "year",
        "code",
        "description",
        "note",
        "tippedToChallenge",
    }
    for kind in (OWL.ObjectProperty, OWL.DatatypeProperty):
        for prop in ONTOLOGY.subjects(RDF.type, kind):
            local = str(prop).removeprefix(TP_IRI)
            if str(prop).startswith(TP_IRI) and local not in shared:
                assert ONTOLOGY.value(
                    prop, URIRef("http://www.w3.org/2000/01/rdf-schema#domain")
                ), local


@pytest.mark.parametrize("folder", ["mappings", "shapes"])
def test_every_tp_term_used_is_declared(folder: str) -> None:
    declared = set(TP.__annotations__)
    for path in sorted((ROOT / folder).rglob("*")):
        if path.suffix not in (".yaml", ".ttl"):
            continue
        used = set(re.findall(r"\btp:([A-Za-z_]\w*)", path.read_text(encoding="utf-8")))
        assert used <= declared, f"{path}: {sorted(used - declared)}"


def test_bundled_rules_load() -> None:
    rules = load_rules(ROOT / "mappings" / "rules", VOCAB)
    assert {r.source for r in rules} >= {"events", "results", "records", "medals", "claims"}


@pytest.mark.parametrize(
    ("body", "line", "message"),
    [
        (
            "  r:\n    sources: results\n    s: $(iri)\n    po:\n      - [tp:finshTime, $(time), xsd:decimal]\n",
            14,
            "property 'tp:finshTime' is not declared in the ontology (did you mean 'tp:finishTime'?)",
        ),
        (
            "  r:\n    sources: results\n    s: $(iri)\n    po:\n      - [a, tp:Reslt]\n",
            14,
            "class 'tp:Reslt' is not declared in the ontology (did you mean 'tp:Result'?)",
        ),
        (
            "  r:\n    sources: results\n    s: $(iri)\n    po:\n      - [tp:finishTime, $(time), xsd:float]\n",
            14,
            "datatype 'xsd:float' is not one of the XSD types rules may use",
        ),
        (
            "  r:\n    sources: results\n    s: $(iri)\n    po:\n      - [ex:thing, $(time)]\n",
            14,
            "'ex:thing' uses an undeclared prefix 'ex'",
        ),
        (
            "  r:\n    sources: results\n    s: $(iri)\n    function: x\n    po: []\n",
            13,
            "unknown key 'function' (expected one of: po, s, sources)",
        ),
        (
            "  r:\n    sources: nowhere\n    s: $(iri)\n    po: []\n",
            11,
            "unknown source 'nowhere'",
        ),
        (
            "  r:\n    sources: results\n    s: $(iri)\n    po:\n      - [$(predicate), $(time)]\n",
            14,
            "field 'predicate' is reserved (an RML engine reads it as the triple's own term); "
            "rename the record's field",
        ),
        (
            "  r:\n    sources: results\n    s: $(iri)\n    po:\n      - [tp:timeText, $(a)$(b)]\n",
            14,
            "template '$(a)$(b)' reads more than one field (one at most)",
        ),
    ],
    ids=[
        "property",
        "class",
        "datatype",
        "prefix",
        "unknown-key",
        "source",
        "reserved-field",
        "two-fields",
    ],
)
def test_rule_errors_name_file_line_and_fix(
    tmp_path: Path, body: str, line: int, message: str
) -> None:
    folder = _rules(tmp_path, body)
    with pytest.raises(MappingError) as caught:
        load_rules(folder, VOCAB)
    assert (caught.value.line, caught.value.message) == (line, message)
    assert caught.value.path.endswith("rules/r.yaml")


def test_source_must_name_the_records_json(tmp_path: Path) -> None:
    folder = tmp_path / "rules"
    folder.mkdir()
    (folder / "r.yaml").write_text(
        HEADER.replace('"$.results[*]"', '"$.other[*]"')
        + "  r:\n    sources: results\n    s: $(iri)\n    po: []\n"
    )
    with pytest.raises(
        MappingError,
        match=r"source 'results' must be \['records.json~jsonpath', '\$.results\[\*\]'\]",
    ):
        load_rules(folder, VOCAB)


def _run(
    tmp_path: Path, body: str, records: list[dict[str, object]], vocab: Vocabulary = VOCAB
) -> Graph:
    rules = load_rules(_rules(tmp_path, body), vocab)
    graph = new_graph()
    apply_rules(rules, {"results": records}, vocab, graph)
    return graph


def test_executor_lists_none_datatypes_and_templates(tmp_path: Path) -> None:
    body = (
        "  r:\n    sources: results\n    s: $(iri)\n    po:\n"
        "      - [a, tp:Result]\n"
        "      - [tp:athlete, $(athletes)~iri]\n"
        "      - [tp:finishTime, $(time), xsd:decimal]\n"
        "      - [tp:timeText, $(time_text)]\n"
        "      - [tp:outcome, tp:$(outcome)~iri]\n"
    )
    iri = "https://example.org/r/1"
    graph = _run(
        tmp_path,
        body,
        [
            {
                "iri": iri,
                "athletes": ["https://e.org/a", "https://e.org/b"],
                "time": "218.10",
                "time_text": None,
                "outcome": "Walkover",
            }
        ],
    )
    s = URIRef(iri)
    assert set(graph.objects(s, TP.athlete)) == {
        URIRef("https://e.org/a"),
        URIRef("https://e.org/b"),
    }
    assert list(graph.objects(s, TP.finishTime)) == [Literal("218.10", datatype=XSD.decimal)]
    assert list(graph.objects(s, TP.timeText)) == []
    assert list(graph.objects(s, TP.outcome)) == [TP.Walkover]
    assert len(graph) == 5


def test_executor_rejects_an_undeclared_generated_term(tmp_path: Path) -> None:
    body = "  r:\n    sources: results\n    s: $(iri)\n    po:\n      - [tp:outcome, tp:$(outcome)~iri]\n"
    with pytest.raises(
        MappingError, match=r"'https://w3id\.org/team-pursuit/ontology#Platinum' is not declared"
    ):
        _run(tmp_path, body, [{"iri": "https://example.org/r/1", "outcome": "Platinum"}])


@pytest.mark.parametrize(
    ("po", "line"),
    [
        ("s: $(iri)\n    po:\n      - [tp:timeText, $(tiem_text)]\n", 14),
        ("s: $(irri)\n    po: []\n", 12),
    ],
    ids=["object", "subject"],
)
def test_a_misspelt_field_fails_when_the_rules_load(tmp_path: Path, po: str, line: int) -> None:
    # The source declares its record type (records: results: Result), so a field the type
    # lacks is an error before any record is read.
    body = "  r:\n    sources: results\n    " + po
    with pytest.raises(MappingError) as caught:
        load_rules(_rules(tmp_path, body), VOCAB)
    field, close = ("tiem_text", "time_text") if "tiem" in po else ("irri", "iri")
    fields = ", ".join(sorted(record_fields(Result).names))
    assert (caught.value.path, caught.value.line, caught.value.message) == (
        (tmp_path / "rules" / "r.yaml").as_posix(),
        line,
        f"mapping 'r' reads the field '{field}', which records of type 'Result' (source "
        f"'results') do not have (did you mean '{close}'? they have: {fields})",
    )
    assert str(caught.value).startswith(f"{tmp_path.as_posix()}/rules/r.yaml:{line}: ")


def test_records_that_lack_a_field_of_their_type_are_named_when_run(tmp_path: Path) -> None:
    body = (
        "  r:\n    sources: results\n    s: $(iri)\n    po:\n      - [tp:timeText, $(time_text)]\n"
    )
    with pytest.raises(MappingError) as caught:
        _run(tmp_path, body, [{"iri": "https://example.org/r/1", "text": "3:42.032"}])
    assert caught.value.line == 14
    assert "reads the field 'time_text', which the records of source 'results'" in str(caught.value)


def test_executor_rejects_a_source_no_rule_reads(tmp_path: Path) -> None:
    rules = load_rules(
        _rules(tmp_path, "  r:\n    sources: results\n    s: $(iri)\n    po: []\n"), VOCAB
    )
    with pytest.raises(MappingError, match="no rule reads the source 'medals'"):
        apply_rules(rules, {"results": [], "medals": [{"iri": "x"}]}, VOCAB, new_graph())


def test_literals_are_escaped_as_pyoxigraph_writes_them() -> None:
    # The streamed build writes N-Triples itself; its bytes must be pyoxigraph's.
    points = [c for c in range(0x3000) if not 0xD800 <= c <= 0xDFFF] + [0xFFFD, 0x1F600]
    for c in points:
        value = f"a{chr(c)}b\\"
        assert ntriples_literal(value) == str(pyoxigraph.Literal(value)), hex(c)
