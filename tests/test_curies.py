"""The one prefix converter: IRIs to prefixed names and back, as every caller shows them."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from kg_build.build.describe import _short as partition_name
from kg_build.defaults import PREFIXES, SHAPES_IRI, TP_IRI
from kg_build.rdf.curies import NAMESPACES, SHACL_NAMESPACES, compress, curie_or_iri, expand
from kg_build.store.sparql import short as shown_in_a_table
from kg_build.validate.findings import full_iri
from kg_build.validate.findings import short as shown_in_a_finding

SH = "http://www.w3.org/ns/shacl#"
RDFS = PREFIXES["rdfs"]


@pytest.mark.parametrize("prefix", sorted(NAMESPACES))
def test_every_namespace_goes_both_ways(prefix: str) -> None:
    iri = NAMESPACES[prefix] + "someTerm"
    assert compress(iri) == f"{prefix}:someTerm"
    assert expand(f"{prefix}:someTerm") == iri


def test_the_longest_namespace_wins() -> None:
    table = {"a": "http://e/", "b": "http://e/x/"}
    assert compress("http://e/x/y", table) == "b:y"
    assert compress("http://e/z", table) == "a:z"


def test_what_no_namespace_holds_is_none_or_in_brackets() -> None:
    assert compress("http://example.org/x") is None
    assert expand("ex:x") is None
    assert expand("no-colon") is None
    assert curie_or_iri("http://example.org/x") == "<http://example.org/x>"
    assert curie_or_iri(TP_IRI + "Athlete") == "tp:Athlete"


def test_each_caller_shows_iris_as_it_did() -> None:
    # Findings: ours, the shapes', SHACL's and XSD's prefixed, any other IRI bare.
    assert shown_in_a_finding(TP_IRI + "finishTime") == "tp:finishTime"
    assert shown_in_a_finding(SHAPES_IRI + "ResultShape") == "tps:ResultShape"
    assert shown_in_a_finding(SH + "Violation") == "sh:Violation"
    assert shown_in_a_finding(RDFS + "label") == RDFS + "label"
    assert full_iri("sh:datatype") == SH + "datatype"
    assert full_iri("rdfs:label") == "rdfs:label"
    assert set(SHACL_NAMESPACES) == {"tp", "tps", "sh", "xsd"}
    # Query tables: the data's prefixes, anything else in brackets, literals as their text.
    assert shown_in_a_table(ox.NamedNode(RDFS + "label")) == "rdfs:label"
    assert shown_in_a_table(ox.NamedNode(SH + "path")) == f"<{SH}path>"
    assert shown_in_a_table(ox.Literal("3:42.032")) == "3:42.032"
    assert shown_in_a_table(None) == ""
    # Partition names of the dataset description: prefix and local name, slugged.
    assert partition_name(TP_IRI + "TeamEntry") == "tp-teamentry"
