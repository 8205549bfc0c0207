"""The one interface every SHACL engine's adapter offers, and the registry that picks one.

``kg_build.defaults.ENGINES`` names each engine's module (the command line offers its keys to
``--validator``); ``load_engine`` imports only the chosen one, so a build with the default
engine never loads pySHACL or pyrudof. Each module has a class ``Engine`` that satisfies
``ShaclEngine``; what each engine cannot check is kept apart, for all engines at once
(``kg_build/validate/limits.py``), as a refusal names the engines that can.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from typing import Protocol

from rdflib import Graph

from kg_build.defaults import ENGINES
from kg_build.rdf.rdffile import RdfText, rdflib_graph
from kg_build.validate.findings import Finding, Result, Sources, parsed_triples, triples_of


class DataGraph:
    """A data graph as each engine takes it: N-Triples or an rdflib graph, each made once."""

    def __init__(self, graph: Graph | None = None, nt: bytes | None = None) -> None:
        """Hold the graph given either way; the other form is made when first asked for."""
        self._graph = graph
        self._nt = nt
        self._given_nt = nt is not None

    @property
    def ntriples(self) -> bytes:
        """The graph as N-Triples, every literal as written."""
        if self._nt is None:
            assert self._graph is not None
            self._nt = self._graph.serialize(format="nt", encoding="utf-8")
        return self._nt

    @property
    def graph(self) -> Graph:
        """The graph as rdflib reads it (with its literals as written, from N-Triples)."""
        if self._graph is None:
            self._graph = rdflib_graph(RdfText(self.ntriples))
        return self._graph

    def is_empty(self) -> bool:
        """Tell whether the graph has no triples."""
        return not self.ntriples.strip() if self._given_nt else len(self.graph) == 0

    def triples(self) -> Iterable[tuple[str, str, str]]:
        """Yield the triples as plain strings, from the form given."""
        if self._given_nt:
            return parsed_triples(self.ntriples)
        return triples_of(self.graph)


def placed(results: list[Result], data: DataGraph, where: str) -> list[Finding]:
    """Return an engine's results as sorted findings, each placed in the article."""
    if not results:
        return []
    sources = Sources(data.triples())
    return sorted(sources.finding(r, where) for r in results)


class ShaclEngine(Protocol):
    """An engine with the shapes read, ready to validate many data graphs."""

    def __init__(self, shapes: Graph) -> None:
        """Keep the shapes; an engine reads them when it first validates."""

    def findings(self, data: DataGraph, where: str) -> list[Finding]:
        """Validate ``data``; return its results as sorted findings placed in the article.

        ``where`` names the graph for a focus node whose source line the graph does not give.
        """
        ...


def load_engine(name: str, shapes: Graph) -> ShaclEngine:
    """Import the adapter of the engine ``name`` and ready it with the shapes."""
    if name not in ENGINES:
        raise ValueError(f"unknown SHACL engine {name!r} (expected one of {tuple(ENGINES)})")
    engine: type[ShaclEngine] = importlib.import_module(ENGINES[name]).Engine
    return engine(shapes)
