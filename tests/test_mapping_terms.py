"""Typed terms: a claim's value is an RDF term, typed by its property's range.

Also the compact claim rules, the record types the sources declare, and the YARRRML
generated for an RML engine.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from msgspec.structs import replace
from rdflib import Literal, URIRef
from rdflib.namespace import RDF, XSD

from kg_build.build.config import Config
from kg_build.build.records import extract_sources
from kg_build.cli import cli
from kg_build.errors import MappingError
from kg_build.mapping import apply_rules, as_sources, load_rules, new_graph, rules_to_ntriples
from kg_build.mapping.languages import load_languages
from kg_build.mapping.rml import rml_rules, rml_sources, term_kind, term_kinds
from kg_build.model import Claim, SourceRef
from kg_build.rdf.namespaces import TP
from kg_build.rdf.ontology import load_ontology, typed_literal, vocabulary
from tests.conftest import CYCLING, ROOT

RULES = ROOT / "mappings" / "rules"
BASE = vocabulary(load_ontology(ROOT / "ontology" / "tp.ttl"))
VOCAB = replace(BASE, languages=load_languages(RULES, BASE))
EVENT = "https://w3id.org/team-pursuit/event/x"


# ---------------------------------------------------------------- typing by the range


@pytest.mark.parametrize(
    ("value", "datatype", "expected"),
    [
        ("27", XSD.positiveInteger, Literal("27", datatype=XSD.positiveInteger)),
        ("007", XSD.integer, Literal("007", datatype=XSD.integer, normalize=False)),
        ("true", XSD.boolean, Literal("true", datatype=XSD.boolean)),
        ("2021-08", XSD.gYearMonth, Literal("2021-08", datatype=XSD.gYearMonth)),
        ("a name", XSD.string, Literal("a name")),
        ("English text", RDF.langString, Literal("English text")),  # the language table tags it
    ],
)
def test_a_value_is_typed_by_its_range(value: str, datatype: URIRef, expected: Literal) -> None:
    typed = typed_literal(value, str(datatype))
    assert (str(typed), typed.datatype, typed.language) == (
        str(expected),
        expected.datatype,
        None,
    )


@pytest.mark.parametrize(
    ("value", "datatype", "message"),
    [
        ("1.5", XSD.float, "its range 'http://www.w3.org/2001/XMLSchema#float' is not a datatype"),
        ("x", XSD.anyURI, "is not a datatype the build can type"),
        ("abc", XSD.integer, "'abc' is not an xsd:integer"),
        ("0", XSD.positiveInteger, "'0' is not an xsd:positiveInteger"),
        ("yes", XSD.boolean, "'yes' is not an xsd:boolean"),
        ("13 February", XSD.date, "'13 February' is not an xsd:date"),
    ],
)
def test_a_value_its_range_cannot_type_is_refused(
    value: str, datatype: URIRef, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        typed_literal(value, str(datatype))


# ---------------------------------------------------------------- the compact claim rules


def _claim(prop: URIRef, value: Literal | URIRef, iri: str | None = "https://e.org/c/1") -> Claim:
    return Claim(iri, EVENT, str(prop), value, "prose", "a sentence", EVENT, SourceRef("a.txt", 3))


def _sources(*claims: Claim) -> dict[str, list[dict[str, object]]]:
    return as_sources({"claims": [c for c in claims if c.iri], "statements": claims})


def test_one_rule_writes_claims_of_every_datatype() -> None:
    rules = load_rules(RULES, VOCAB)
    claims = (
        _claim(TP.appearance, typed_literal("25", str(XSD.positiveInteger))),
        _claim(TP.startDate, typed_literal("2021-08-02", str(XSD.date)), "https://e.org/c/2"),
        _claim(TP.venue, URIRef("https://e.org/venue"), "https://e.org/c/3"),
        _claim(TP.description, Literal("A race."), None),  # rdf:langString: tagged @en
        _claim(TP.equalled, typed_literal("true", str(XSD.boolean)), None),
    )
    graph = new_graph()
    apply_rules(rules, _sources(*claims), VOCAB, graph)
    event = URIRef(EVENT)
    assert graph.value(event, TP.appearance) == Literal("25", datatype=XSD.positiveInteger)
    assert graph.value(event, TP.startDate) == Literal("2021-08-02", datatype=XSD.date)
    assert graph.value(event, TP.venue) == URIRef("https://e.org/venue")
    assert graph.value(event, TP.description) == Literal("A race.", lang="en")
    assert graph.value(event, TP.equalled) == Literal("true", datatype=XSD.boolean)
    # The reified claims carry the same terms as rdf:object.
    assert graph.value(URIRef("https://e.org/c/2"), RDF.object) == Literal(
        "2021-08-02", datatype=XSD.date
    )
    assert graph.value(URIRef("https://e.org/c/3"), RDF.object) == URIRef("https://e.org/venue")
    # The byte-level writer gives the same graph.
    assert rules_to_ntriples(rules, _sources(*claims), VOCAB) == b"".join(
        sorted(
            line + b"\n"
            for line in graph.serialize(format="nt", encoding="utf-8").splitlines()
            if line
        )
    )


@pytest.mark.parametrize(
    ("prop", "value", "found"),
    [
        (TP.appearance, Literal("25", datatype=XSD.integer), f"a literal of {XSD.integer}"),
        (TP.appearance, URIRef("https://e.org/x"), "an IRI"),
    ],
)
def test_a_term_that_does_not_fit_the_range_stops_the_map(
    prop: URIRef, value: Literal | URIRef, found: str
) -> None:
    with pytest.raises(MappingError) as caught:
        apply_rules(load_rules(RULES, VOCAB), _sources(_claim(prop, value)), VOCAB, new_graph())
    assert caught.value.path == "mappings/rules/claims.yaml"
    assert caught.value.line == 38  # [$(property), $(value)] of the mapping 'statement'
    assert f"is {found}, but the property's rdfs:range is '{XSD.positiveInteger}'" in str(
        caught.value
    )


# ---------------------------------------------------------------- record types of the sources

HEADER = """\
prefixes:
  tp: https://w3id.org/team-pursuit/ontology#
  rdf: http://www.w3.org/1999/02/22-rdf-syntax-ns#
sources:
  claims: [records.json~jsonpath, "$.claims[*]"]
"""


@pytest.mark.parametrize(
    ("records", "po", "line", "message"),
    [
        (
            "records:\n  claims: Clam\n",
            "[rdf:object, $(value)]",
            7,
            "record type 'Clam' of source 'claims' is unknown (did you mean 'Claim'? expected "
            "one of: ",
        ),
        ("records: {}\n", "[rdf:object, $(value)]", 5, "source 'claims' has no record type"),
        (
            "records:\n  claims: Claim\n  other: Claim\n",
            "[rdf:object, $(value)]",
            8,
            "'other' is no source of this file",
        ),
        (
            "records:\n  claims: Claim\n",
            "[rdf:object, $(value)~iri]",
            13,
            "field 'value' holds an RDF term, typed already: write it as $(value) alone, "
            "without ~iri or a datatype",
        ),
        (
            "records:\n  claims: Claim\n",
            "[rdf:object, $(vale)]",
            13,
            "mapping 'r' reads the field 'vale', which records of type 'Claim' (source 'claims') "
            "do not have (did you mean 'value'? ",
        ),
    ],
    ids=["unknown-type", "no-type", "not-a-source", "term-as-iri", "misspelt-field"],
)
def test_record_type_errors_name_file_and_line(
    tmp_path: Path, records: str, po: str, line: int, message: str
) -> None:
    folder = tmp_path / "rules"
    folder.mkdir()
    body = f"mappings:\n  r:\n    sources: claims\n    s: $(iri)\n    po:\n      - {po}\n"
    (folder / "r.yaml").write_text(HEADER + records + body, encoding="utf-8")
    with pytest.raises(MappingError) as caught:
        load_rules(folder, VOCAB)
    assert str(caught.value).startswith(f"{folder.as_posix()}/r.yaml:{line}: {message}")


# ---------------------------------------------------------------- facts typed by the range


def _facts_config(tmp_path: Path, triple: str, ontology_extra: str = "") -> Config:
    mappings = tmp_path / "mappings"
    shutil.copytree(ROOT / "mappings", mappings)
    sentence = "This was the 25th appearance of the event"
    (mappings / "facts" / f"{CYCLING.stem}.yaml").write_text(
        f'article: {CYCLING.stem}\nfacts:\n  - sentence: "{sentence}"\n    triples:\n'
        f"      - {triple}\n",
        encoding="utf-8",
    )
    ontology = tmp_path / "tp.ttl"
    ontology.write_text(
        (ROOT / "ontology" / "tp.ttl").read_text(encoding="utf-8") + ontology_extra,
        encoding="utf-8",
    )
    return Config(ontology=ontology, mappings=mappings)


def test_a_boolean_fact_is_typed_and_mapped(tmp_path: Path) -> None:
    extractions, graphs = extract_sources(
        [CYCLING], _facts_config(tmp_path, '[event, tp:equalled, "true"]')
    )
    (claim,) = [c for c in extractions[0].claims if c.property == str(TP.equalled)]
    assert claim.value == Literal("true", datatype=XSD.boolean)
    (_, graph), *_ = graphs
    assert graph.value(URIRef(claim.about), TP.equalled) == claim.value


@pytest.mark.parametrize(
    ("triple", "extra", "message"),
    [
        (
            "[event, tp:weight, 1.5]",
            "tp:weight a owl:DatatypeProperty ; rdfs:range xsd:float ;\n"
            '    rdfs:label "weight"@en ; rdfs:comment "A test property."@en .\n',
            "the value of 'weight' cannot be typed: its range "
            "'http://www.w3.org/2001/XMLSchema#float' is not a datatype the build can type (one "
            "of xsd:boolean, xsd:date, xsd:dateTime, xsd:decimal, xsd:gYear, xsd:gYearMonth, "
            "xsd:integer, xsd:nonNegativeInteger, xsd:positiveInteger, xsd:string, "
            "rdf:langString)",
        ),
        (
            "[event, tp:appearance, many]",
            "",
            "the value of 'appearance' cannot be typed: 'many' is not an xsd:positiveInteger",
        ),
    ],
    ids=["range", "lexical"],
)
def test_a_fact_its_range_cannot_type_stops_with_the_facts_line(
    tmp_path: Path, triple: str, extra: str, message: str
) -> None:
    with pytest.raises(MappingError) as caught:
        extract_sources([CYCLING], _facts_config(tmp_path, triple, extra))
    assert caught.value.path.endswith(f"mappings/facts/{CYCLING.stem}.yaml")
    assert (caught.value.line, caught.value.message) == (5, message)


# ---------------------------------------------------------------- YARRRML for an RML engine


def test_the_generated_rules_have_one_rule_per_kind() -> None:
    files = rml_rules(RULES, VOCAB)
    assert sorted(files) == sorted(p.name for p in RULES.glob("*.yaml") if p.stem != "language")
    claims = yaml.safe_load(files["claims.yaml"])
    kinds = term_kinds(VOCAB)
    assert kinds[0] == "iri" and {"boolean", "date", "string", "positiveInteger"} <= set(kinds)
    assert "records" not in claims
    statements = {n: m for n, m in claims["mappings"].items() if n.startswith("statement_")}
    assert statements["statement_iri"]["po"] == [["$(property)", "$(value)~iri"]]
    assert statements["statement_date"] == {
        "sources": "statements_date",
        "s": "$(about)",
        "po": [["$(property)", "$(value)", "xsd:date"]],
    }
    assert len(statements) == len(kinds)
    # The reified claim keeps its other triples in one rule; its rdf:object goes per kind.
    assert ["rdf:object", "$(value)"] not in claims["mappings"]["claim"]["po"]
    assert claims["mappings"]["claim_gYear"]["po"] == [["rdf:object", "$(value)", "xsd:gYear"]]
    # A file with no term field is the same rules, less the record types.
    competition = yaml.safe_load((RULES / "competition.yaml").read_text(encoding="utf-8"))
    del competition["records"]
    assert yaml.safe_load(files["competition.yaml"]) == competition


def test_the_records_split_by_kind_as_the_generated_rules_read_them() -> None:
    claims = (
        _claim(TP.appearance, typed_literal("25", str(XSD.positiveInteger))),
        _claim(TP.venue, URIRef("https://e.org/venue"), None),
        _claim(TP.description, Literal("A race."), None),
    )
    split = rml_sources(_sources(*claims), load_rules(RULES, VOCAB))
    assert {k: [r["property"] for r in v] for k, v in split.items() if "_" in k} == {
        "claims_positiveInteger": [str(TP.appearance)],
        "statements_positiveInteger": [str(TP.appearance)],
        "statements_iri": [str(TP.venue)],
        "statements_string": [str(TP.description)],
    }
    assert [term_kind(c.value) for c in claims] == ["positiveInteger", "iri", "string"]


def test_kg_records_writes_the_generated_rules(tmp_path: Path) -> None:
    out, rml = tmp_path / "records.json", tmp_path / "rml"
    result = CliRunner().invoke(cli, ["-q", "records", "-o", str(out), "--rml", str(rml)])
    assert result.exit_code == 0, result.output
    records = json.loads(out.read_text(encoding="utf-8"))
    rules = {
        name: yaml.safe_load((rml / name).read_text(encoding="utf-8"))
        for name in (p.name for p in rml.glob("*.yaml"))
    }
    read = {m["sources"] for doc in rules.values() for m in doc["mappings"].values()}
    # Every claim source with records is read by a generated rule.
    assert {k for k in records if k.startswith(("claims_", "statements_"))} <= read
    assert records["statements_positiveInteger"] and records["claims_iri"]


def test_the_kinds_follow_the_ontology_ranges() -> None:
    # A datatype no property ranges over gets no rule; rdf:langString is written as a string.
    ranges = {"https://e.org/a": str(XSD.date), "https://e.org/b": str(RDF.langString)}
    assert term_kinds(replace(VOCAB, data_ranges=ranges)) == ("iri", "date", "string")


def test_standard_yarrrml_has_no_record_types_and_ours_must(tmp_path: Path) -> None:
    ours, standard = tmp_path / "ours", tmp_path / "standard"
    ours.mkdir()
    standard.mkdir()
    shutil.copy(RULES / "links.yaml", ours / "links.yaml")
    (standard / "links.yaml").write_text(rml_rules(RULES, VOCAB)["links.yaml"], encoding="utf-8")
    assert [r.record_type for r in load_rules(standard, VOCAB, standard=True)] == [None]
    assert [r.record_type for r in load_rules(ours, VOCAB)] == ["Link"]
    with pytest.raises(MappingError, match="missing key 'records'"):
        load_rules(standard, VOCAB)
    with pytest.raises(MappingError, match="unknown key 'records'"):
        load_rules(ours, VOCAB, standard=True)
