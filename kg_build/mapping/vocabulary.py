"""The map stage's last step: a graph describes each vocabulary individual it points to.

A graph whose results name ``tp:Gold`` or ``tp:WorldRecord`` says what they are: their
``rdf:type``, ``rdfs:label``, ``rdfs:comment``, ``tp:code``, ``tp:medalRank`` (and
``skos:exactMatch`` where the ontology gives one), copied from ``ontology/tp.ttl``, the only
place they are written. So a user of the data alone (``out/team-pursuit.ttl``, a dump, an
entity page) reads ``tp:Gold`` with its label, with no ontology. Both builds run it: the
in-memory build on each article's graph before the shared triples are split off
(``describe_used``), the streamed build on each article's N-Triples (``stream.py``, from
``Descriptions.lines``). A store leaves them to its ontology graph (one triple, once).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from rdflib import BNode, Graph, URIRef
from rdflib.term import Node

from kg_build.rdf.serialize import graph_to_bytes


@dataclass(frozen=True, slots=True)
class Descriptions:
    """The ontology's description of each of its individuals: as triples, and as N-Triples."""

    triples: Mapping[URIRef, tuple[tuple[URIRef, URIRef, Node], ...]]
    lines: Mapping[bytes, bytes]  # b"<iri>" → its sorted N-Triples lines


def ontology_descriptions(ontology: Graph, individuals: Iterable[str]) -> Descriptions:
    """Index what the ontology states about each individual (blank nodes left out)."""
    triples: dict[URIRef, tuple[tuple[URIRef, URIRef, Node], ...]] = {}
    lines: dict[bytes, bytes] = {}
    for iri in sorted(individuals):
        term = URIRef(iri)
        about = tuple(
            (term, p, o)
            for p, o in sorted(ontology.predicate_objects(term))
            if isinstance(p, URIRef) and not isinstance(o, BNode)
        )
        triples[term] = about
        graph = Graph()
        for triple in about:
            graph.add(triple)
        lines[f"<{iri}>".encode()] = graph_to_bytes(graph, "nt")
    return Descriptions(triples, lines)


def describe_used(graph: Graph, descriptions: Descriptions) -> None:
    """Add to ``graph`` the description of each individual it has as an object."""
    used = {o for o in graph.objects() if isinstance(o, URIRef) and o in descriptions.triples}
    for term in sorted(used):
        for triple in descriptions.triples[term]:
            graph.add(triple)
