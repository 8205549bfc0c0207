"""SHACL validation with pySHACL: findings as sorted lines that point back to the article."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pyshacl import validate as shacl_validate
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF, SH
from rdflib.plugins.parsers.notation3 import BadSyntax
from rdflib.plugins.sparql import prepareQuery
from rdflib.term import Node

from kg_build.errors import OntologyError
from kg_build.namespaces import TP
from kg_build.parse import display_path


@dataclass(frozen=True, slots=True, order=True)
class Finding:
    """One SHACL result, with the article file and line of its focus node where known."""

    where: str
    focus: str
    path: str
    message: str
    shape: str
    severity: str

    def __str__(self) -> str:
        return f"{self.where}: {self.focus} {self.path}: {self.message} [{self.shape}]"


def load_shapes(folder: Path) -> Graph:
    """Read every ``*.ttl`` of the shapes folder into one graph."""
    shapes = Graph()
    files = sorted(folder.glob("*.ttl"))
    if not files:
        raise OntologyError(display_path(folder), None, "no shapes (expected *.ttl)")
    for path in files:
        try:
            shapes.parse(path, format="turtle")
        except BadSyntax as e:
            raise OntologyError(
                display_path(path), e.lines + 1, f"not valid Turtle ({e.message})"
            ) from e
    return shapes


class _PreparedQueries(Graph):
    """A graph that parses each SPARQL text once.

    pySHACL sends a SHACL-SPARQL constraint's query text once per focus node, and rdflib
    parses and translates it every time: 85% of the validation time on the bundled
    articles. Results are unchanged; the cache lives as long as this graph.
    """

    def __init__(self, data: Graph, prepared: dict[Any, Any] | None = None) -> None:
        super().__init__()
        self._prepared: dict[Any, Any] = {} if prepared is None else prepared
        for triple in data:
            self.add(triple)

    def query(self, query_object: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(query_object, str):
            namespaces = dict(kwargs.pop("initNs", None) or {})
            key = (query_object, tuple(sorted((k, str(v)) for k, v in namespaces.items())))
            if key not in self._prepared:
                self._prepared[key] = prepareQuery(query_object, initNs=namespaces)
            query_object = self._prepared[key]
        return super().query(query_object, *args, **kwargs)


def validate_graph(
    data: Graph, shapes: Graph, where: str, prepared: dict[Any, Any] | None = None
) -> list[Finding]:
    """Validate ``data`` and return every finding, sorted.

    ``where`` names the data for a focus node whose source line is unknown.
    """
    # inplace: pySHACL validates our copy as it is, with no inference to add to it.
    _, report, _ = shacl_validate(
        _PreparedQueries(data, prepared),
        shacl_graph=shapes,
        inference="none",
        allow_warnings=True,
        abort_on_first=False,
        inplace=True,
    )
    assert isinstance(report, Graph)
    return sorted(
        _finding(data, report, result, where)
        for result in report.subjects(RDF.type, SH.ValidationResult)
    )


def _finding(data: Graph, report: Graph, result: Node, where: str) -> Finding:
    focus = report.value(result, SH.focusNode)
    path = report.value(result, SH.resultPath)
    severity = report.value(result, SH.resultSeverity)
    return Finding(
        where=_source_of(data, focus, where),
        focus=str(focus),
        path=_short(path) if path is not None else "-",
        message=str(report.value(result, SH.resultMessage) or ""),
        shape=_short(report.value(result, SH.sourceShape)),
        severity=str(severity).rsplit("#", 1)[-1],
    )


def _source_of(data: Graph, focus: Node | None, where: str) -> str:
    """Return the article file and line a focus node was extracted from (tp:sourceLine)."""
    if not isinstance(focus, URIRef):
        return where
    line = data.value(focus, TP.sourceLine)
    article = data.value(focus, PROV.wasDerivedFrom)
    file = data.value(article, TP.sourceFile) if article is not None else None
    if isinstance(file, Literal) and isinstance(line, Literal):
        return f"{file}:{line}"
    return where


def _short(term: object) -> str:
    text = str(term)
    for prefix, base in (("tp:", str(TP)), ("tps:", "https://w3id.org/team-pursuit/shapes#")):
        if text.startswith(base):
            return prefix + text.removeprefix(base)
    return text
