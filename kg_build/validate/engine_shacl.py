"""The SHACL Engine's adapter (the ``shacl`` package, Rust): the default engine, the fastest."""

from __future__ import annotations

from typing import Any

from rdflib import Graph

from kg_build.validate.engine import DataGraph, placed
from kg_build.validate.findings import (
    Finding,
    Result,
    bare_iri,
    focus_term,
    severity_name,
    short,
    value_term,
    worded,
)
from kg_build.validate.limits import engine_failure


class Engine:
    """The shapes compiled by the SHACL Engine once, ready to validate many graphs."""

    def __init__(self, shapes: Graph) -> None:
        """Keep the shapes; they are compiled when first used."""
        self.shapes = shapes
        self._compiled: Any = None

    def findings(self, data: DataGraph, where: str) -> list[Finding]:
        """Validate a graph as N-Triples; return its results as findings."""
        with engine_failure("shacl-engine", where):
            results = self._results(data.ntriples)
        return placed(results, data, where)

    def _results(self, nt: bytes) -> list[Result]:
        import shacl  # imported here: only the engine in use is loaded

        if self._compiled is None:
            shapes = self.shapes.serialize(format="nt", encoding="utf-8").decode("utf-8")
            self._compiled = shacl.Shapes.from_text(shapes, format="nt")
        # Each call validates a fresh copy of the compiled shapes' store: nothing carries over.
        report = self._compiled.validate_text(nt.decode("utf-8"), format="nt")
        return [
            (
                focus_term(bare_iri(r.focus_node)),
                short(bare_iri(r.path)) if r.path is not None else "-",
                r.message
                or worded(self.shapes, r.component_iri, bare_iri(r.source_shape), r.value),
                short(bare_iri(r.source_shape)),
                severity_name(bare_iri(str(r.severity_iri))),
                short(r.component_iri),
                value_term(r.value),
            )
            for r in report.results
        ]
