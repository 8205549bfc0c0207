"""The ontology's documentation page: its classes, properties and individuals, from tp.ttl."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import Graph
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from kg_build.defaults import TP_IRI
from kg_build.store.sparql import short


def ontology_model(path: Path) -> dict[str, Any]:
    """Return the ontology's classes, properties and individuals for its documentation page."""
    graph = Graph().parse(path)

    def items(kind: Any) -> list[dict[str, Any]]:
        found = []
        for term in sorted(
            {s for s in graph.subjects(RDF.type, kind) if str(s).startswith(TP_IRI)}, key=str
        ):
            found.append(
                {
                    "name": str(term).removeprefix(TP_IRI),
                    "label": str(graph.value(term, RDFS.label) or ""),
                    "comment": str(graph.value(term, RDFS.comment) or ""),
                    "parents": [
                        short(ox.NamedNode(str(p))) for p in graph.objects(term, RDFS.subClassOf)
                    ],
                    "domain": [
                        short(ox.NamedNode(str(d))) for d in graph.objects(term, RDFS.domain)
                    ],
                    "range": [short(ox.NamedNode(str(r))) for r in graph.objects(term, RDFS.range)],
                    "matches": sorted(str(m) for m in graph.objects(term, SKOS.closeMatch)),
                    "types": sorted(
                        short(ox.NamedNode(str(t))) for t in graph.objects(term, RDF.type)
                    ),
                }
            )
        return found

    classes = sorted(set(graph.subjects(RDF.type, OWL.Class)), key=str)
    individuals = [entry for cls in classes for entry in _members(graph, cls)]
    return {
        "classes": items(OWL.Class),
        "object_properties": items(OWL.ObjectProperty),
        "data_properties": items(OWL.DatatypeProperty),
        "individuals": individuals,
        "iri": TP_IRI,
    }


def _members(graph: Graph, cls: Any) -> Iterator[dict[str, str]]:
    for member in sorted(graph.subjects(RDF.type, cls), key=str):
        if str(member).startswith(TP_IRI):
            yield {
                "name": str(member).removeprefix(TP_IRI),
                "class": str(cls).removeprefix(TP_IRI),
                "label": str(graph.value(member, RDFS.label) or ""),
                "comment": str(graph.value(member, RDFS.comment) or ""),
            }
