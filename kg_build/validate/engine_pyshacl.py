"""pySHACL, the reference engine: its adapter, and the shapes as it reads them itself."""

from __future__ import annotations

from typing import Any

from rdflib import Graph, URIRef
from rdflib.namespace import SH
from rdflib.term import Node

from kg_build.validate.engine import DataGraph
from kg_build.validate.findings import (
    Finding,
    Sources,
    focus_term,
    severity_name,
    short,
    triples_of,
    value_term,
    worded,
)
from kg_build.validate.limits import engine_failure
from kg_build.validate.shapes_sparql import imported


class PreparedQueries(Graph):
    """A graph that parses each SPARQL text once.

    pySHACL sends a SHACL-SPARQL constraint's query text once per focus node, and rdflib
    parses and translates it every time: 85% of the validation time on the bundled
    articles. Results are unchanged; the cache lives as long as this graph.
    """

    def __init__(self, data: Graph, prepared: dict[Any, Any]) -> None:
        super().__init__()
        self._prepared = prepared
        for triple in data:
            self.add(triple)

    def query(self, query_object: Any, *args: Any, **kwargs: Any) -> Any:
        """Run a query, parsing its text once for all focus nodes."""
        from rdflib.plugins.sparql import prepareQuery

        if isinstance(query_object, str):
            namespaces = dict(kwargs.pop("initNs", None) or {})
            key = (query_object, tuple(sorted((k, str(v)) for k, v in namespaces.items())))
            if key not in self._prepared:
                self._prepared[key] = prepareQuery(query_object, initNs=namespaces)
            query_object = self._prepared[key]
        return super().query(query_object, *args, **kwargs)


def pyshacl_shapes(shapes: Graph) -> Graph:
    """Return the shapes as pySHACL reads a shapes file itself, with the prefixes it misses.

    pySHACL reads a shapes file with only ``"true"`` as a true xsd:boolean (its rdflib patch),
    so that ``sh:uniqueLang "1"^^xsd:boolean`` switches nothing on (SHACL §4.4.4 names only
    true); handed a graph, it takes the booleans as rdflib read them. And it takes a query's
    prefixes from ``sh:prefixes/sh:declare``, not through ``owl:imports`` as §5.2.1 says
    (``sh:prefixes/owl:imports*/sh:declare``): each sh:prefixes value gets the declarations
    it imports.
    """
    from pyshacl.monkey import rdflib_bool_patch, rdflib_bool_unpatch

    text = shapes.serialize(format="nt", encoding="utf-8")
    rdflib_bool_patch()  # type: ignore[no-untyped-call]
    try:
        copy = Graph(bind_namespaces="none").parse(data=text, format="nt")
    finally:
        rdflib_bool_unpatch()  # type: ignore[no-untyped-call]
    for prefix, namespace in shapes.namespaces():
        copy.bind(prefix, namespace)
    for node in sorted(set(copy.objects(None, SH.prefixes)), key=str):
        sources = imported(copy, node)[1:]  # [0] is the node itself
        for declaration in [d for source in sources for d in copy.objects(source, SH.declare)]:
            copy.add((node, SH.declare, declaration))
    return copy


class Engine:
    """pySHACL with the shapes as it reads them, and each SPARQL query parsed once."""

    def __init__(self, shapes: Graph) -> None:
        """Keep the shapes; they are read as pySHACL reads them when first used."""
        self.shapes = shapes
        self._shapes: Graph | None = None
        self._prepared: dict[Any, Any] = {}

    def findings(self, data: DataGraph, where: str) -> list[Finding]:
        """Validate the data as an rdflib graph; return its results as findings."""
        if self._shapes is None:
            self._shapes = pyshacl_shapes(self.shapes)
        return run_pyshacl(data.graph, self._shapes, where, self._prepared)


def run_pyshacl(data: Graph, shapes: Graph, where: str, prepared: dict[Any, Any]) -> list[Finding]:
    """Validate ``data`` with pySHACL; return its top-level results as findings."""
    from pyshacl import validate as shacl_validate  # a large import, for the reference only

    # inplace: pySHACL validates our copy as it is, with no inference to add to it.
    with engine_failure("pyshacl", where):
        _, report, _ = shacl_validate(
            PreparedQueries(data, prepared),
            shacl_graph=shapes,
            inference="none",
            allow_warnings=True,
            abort_on_first=False,
            inplace=True,
        )
    assert isinstance(report, Graph)
    # The report's own results: those nested in another's sh:detail (pySHACL nests the
    # results of an sh:node shape so) are not results of the data graph (SHACL §3.6.2).
    results = list(report.objects(None, SH.result))
    if not results:
        return []
    sources = Sources(triples_of(data))
    return sorted(_finding(sources, report, result, where, shapes) for result in results)


def _finding(sources: Sources, report: Graph, result: Node, where: str, shapes: Graph) -> Finding:
    focus = report.value(result, SH.focusNode)
    path = report.value(result, SH.resultPath)
    severity = report.value(result, SH.resultSeverity)
    shape = str(report.value(result, SH.sourceShape))
    component = str(report.value(result, SH.sourceConstraintComponent))
    message = str(report.value(result, SH.resultMessage) or "")
    value = report.value(result, SH.value)
    text = value.n3() if value is not None else None
    if not message:
        message = worded(shapes, component, shape, text)
    found = (
        str(focus) if isinstance(focus, URIRef) else focus_term(focus.n3() if focus else ""),
        short(path) if path is not None else "-",
        message,
        short(shape),
        severity_name(str(severity)),
        short(component),
        value_term(text),
    )
    return sources.finding(found, where)
