"""The W3C SHACL validation report (SHACL §3.6) of what a validation found, as Turtle.

Built from the engine-independent findings, so every engine writes the same report: an
``sh:ValidationReport`` with ``sh:conforms`` (false whenever there is any result, warnings
included, §3.6.1) and one ``sh:ValidationResult`` per result, plus where its focus node comes
from (``tps:focusSourceFile``, ``tps:focusSourceLine``: the article's file and line, when the
graph says). The report and its results are blank nodes (anonymous structure, as in any SHACL
report) with labels of their own: ``_:report``, and for a result a hash of what every engine
agrees on (severity, focus node, path, shape, component, value). Written as sorted lines, the
same findings give the same bytes in every run, and two engines' reports differ only in the
wording of ``sh:resultMessage``.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, SH, XSD
from rdflib.term import Node

from kg_build.defaults import SHAPES_IRI, TP_IRI
from kg_build.rdf.rdffile import term_of
from kg_build.rdf.serialize import graph_to_bytes
from kg_build.validate import Finding, full_iri

FOCUS_SOURCE_FILE = URIRef(f"{SHAPES_IRI}focusSourceFile")
FOCUS_SOURCE_LINE = URIRef(f"{SHAPES_IRI}focusSourceLine")
_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")


def report_graph(findings: Iterable[Finding]) -> Graph:
    """Return the validation report of ``findings`` (top-level results only)."""
    graph = Graph(bind_namespaces="none")
    for prefix, namespace in (
        ("sh", str(SH)),
        ("tp", TP_IRI),
        ("tps", SHAPES_IRI),
        ("xsd", str(XSD)),
    ):
        graph.bind(prefix, namespace)
    # Two equal results are two results (two sh:class values failed alike): none is dropped.
    results = sorted(findings)
    report = BNode("report")
    graph.add((report, RDF.type, SH.ValidationReport))
    graph.add((report, SH.conforms, Literal(not results)))
    labels: dict[str, int] = {}
    for finding in results:
        label = f"result-{_digest(finding)}"
        labels[label] = labels.get(label, 0) + 1  # two results of one constraint, worded apart
        node = BNode(label if labels[label] == 1 else f"{label}-{labels[label]}")
        graph.add((report, SH.result, node))
        for predicate, obj in _statements(finding):
            graph.add((node, predicate, obj))
    return graph


def report_to_bytes(findings: Iterable[Finding]) -> bytes:
    """Return the validation report as Turtle, the same bytes for the same findings."""
    return graph_to_bytes(report_graph(findings), "turtle")


def _statements(finding: Finding) -> list[tuple[URIRef, Node]]:
    said: list[tuple[URIRef, Node]] = [
        (RDF.type, SH.ValidationResult),
        (SH.focusNode, _term(finding.focus)),
        (SH.sourceShape, _term(full_iri(finding.shape))),
        (SH.sourceConstraintComponent, _term(full_iri(finding.component))),
        (SH.resultSeverity, URIRef(full_iri(_severity(finding.severity)))),
    ]
    path = full_iri(finding.path)
    if _IRI.match(path):  # "-": no path; a blank node (a complex path) the engine did not give
        said.append((SH.resultPath, URIRef(path)))
    if finding.value:
        said.append((SH.value, _value(finding.value)))
    if finding.message:
        said.append((SH.resultMessage, Literal(finding.message)))
    if finding.file:
        said.append((FOCUS_SOURCE_FILE, Literal(finding.file)))
        said.append((FOCUS_SOURCE_LINE, Literal(finding.line, datatype=XSD.positiveInteger)))
    return said


def _severity(name: str) -> str:
    """Return a finding's severity as a name full_iri reads: sh:Violation, or an IRI."""
    return name if ":" in name else f"sh:{name}"


def _term(text: str) -> Node:
    """Return an IRI, a literal as written, or a blank node (labelled by its text's hash)."""
    if _IRI.match(text) and not text.startswith("_:"):
        return URIRef(text)
    if text.startswith('"'):  # a literal focus node (sh:targetNode "x"), in N-Triples form
        return term_of(text)
    return BNode(f"node-{hashlib.blake2b(text.encode(), digest_size=8).hexdigest()}")


def _value(text: str) -> Node:
    """Return a result's value (N-Triples form) as a term; a literal keeps its lexical form."""
    if text.startswith("_:"):
        return BNode(f"node-{hashlib.blake2b(text.encode(), digest_size=8).hexdigest()}")
    return term_of(text)


def _digest(finding: Finding) -> str:
    """Hash what every engine agrees on (not the message): a result has one label in all."""
    text = "\x1f".join([*finding.key, finding.value])
    return hashlib.blake2b(text.encode("utf-8"), digest_size=8).hexdigest()
