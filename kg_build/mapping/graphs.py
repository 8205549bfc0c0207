"""Graph containers of the map stage: an empty graph with our prefixes, unions, datasets."""

from __future__ import annotations

from collections.abc import Iterable

from rdflib import Dataset, Graph, URIRef

from kg_build.defaults import PREFIXES


def new_graph() -> Graph:
    """Return an empty graph with the project's prefixes bound, for readable Turtle."""
    graph = Graph(bind_namespaces="none")
    for prefix, iri in PREFIXES.items():
        graph.bind(prefix, iri)
    return graph


def union_graph(graphs: Iterable[Graph]) -> Graph:
    """Return one graph holding the triples of all ``graphs``."""
    union = new_graph()
    for graph in graphs:
        union += graph
    return union


def named_dataset(named: Iterable[tuple[str, Graph]]) -> Dataset:
    """Return a dataset with each graph under its name (an article's IRI)."""
    dataset = Dataset(default_union=False)
    for prefix, iri in PREFIXES.items():
        dataset.bind(prefix, iri)
    for name, graph in named:
        target = dataset.graph(URIRef(name))
        for triple in graph:
            target.add(triple)
    return dataset
