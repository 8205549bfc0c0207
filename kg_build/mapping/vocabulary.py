"""The map stage's last step: a graph describes each vocabulary individual it points to.

A graph whose results name ``tp:Gold`` or ``tp:WorldRecord`` says what they are: their
``rdf:type``, ``rdfs:label``, ``rdfs:comment``, ``tp:code``, ``tp:medalRank`` (and
``skos:exactMatch`` where the ontology gives one), copied from ``ontology/tp.ttl``, the only
place they are written. So a user of the data alone (``out/team-pursuit.ttl``, a dump, an
entity page) reads ``tp:Gold`` with its label, with no ontology. Both builds run it on each
article's N-Triples before the shared triples are placed (``describe_used`` in
``kg_build/build/lines.py``, from ``Descriptions.lines``). A store leaves them to its ontology
graph (one triple, once).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from msgspec import Struct
from rdflib import BNode, Graph, URIRef

from kg_build.rdf.serialize import graph_to_bytes


class Descriptions(Struct, frozen=True):
    """The ontology's description of each of its individuals, as N-Triples."""

    lines: Mapping[bytes, bytes]  # b"<iri>" → its sorted N-Triples lines


def ontology_descriptions(ontology: Graph, individuals: Iterable[str]) -> Descriptions:
    """Index what the ontology states about each individual (blank nodes left out)."""
    lines: dict[bytes, bytes] = {}
    for iri in sorted(individuals):
        term = URIRef(iri)
        about = tuple(
            (term, p, o)
            for p, o in sorted(ontology.predicate_objects(term))
            if isinstance(p, URIRef) and not isinstance(o, BNode)
        )
        graph = Graph()
        for triple in about:
            graph.add(triple)
        lines[f"<{iri}>".encode()] = graph_to_bytes(graph, "nt")
    return Descriptions(lines)
