"""Shapes: ``shapes/*.ttl`` read and checked against the ontology, as the rules are.

A shape that names a term the ontology does not declare checks nothing: ``sh:path
tp:finalRnk`` finds no values and ``sh:targetClass tp:TeamEntri`` no focus nodes, so any graph
conforms. Every ``tp:`` term of a shape (in its triples and in its SPARQL) must therefore be
declared, with the kind its place needs; and every SPARQL query must parse, with the prefixes
its ``sh:prefixes`` declare (SHACL §5.2.1), before any engine runs it, so that each engine
fails alike (``kg_build/validate/shapes_sparql.py``). Errors name the file and line.

The same load reads any shapes graph ``kg validate --shapes`` names, a folder or one file in
any RDF format, every literal as written (``kg_build/rdf/rdffile.py``). Only ``tp:`` terms are
held to the ontology: shapes of other vocabularies pass that check untouched.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator, Sequence
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SH
from rdflib.term import Node

from kg_build.defaults import TP_IRI
from kg_build.errors import OntologyError, SourceError
from kg_build.messages import display_path
from kg_build.model import Vocabulary
from kg_build.rdf.curies import curie_or_iri
from kg_build.rdf.ontology import parse_turtle
from kg_build.rdf.rdffile import format_of, rdflib_graph, read_rdf
from kg_build.validate.shapes_sparql import (
    ShapeFile,
    check_queries,
    prefixes_of,
    queries_of,
    query_terms,
)

# Parameters whose values are classes; and those whose values are properties or paths (§2.3).
_CLASS_PARAMETERS = (SH.targetClass, SH["class"])
_PROPERTY_PARAMETERS = (
    SH.path,
    SH.targetSubjectsOf,
    SH.targetObjectsOf,
    SH.equals,
    SH.disjoint,
    SH.lessThan,
    SH.lessThanOrEquals,
)
# A node shape marked so targets the objects of every tp: object property of the ontology but
# those it excepts: its sh:targetObjectsOf list is held to the ontology when the shapes load.
EVERY_OBJECT_PROPERTY = URIRef("https://w3id.org/team-pursuit/shapes#targetsEveryObjectProperty")
EXCEPT_PROPERTY = URIRef("https://w3id.org/team-pursuit/shapes#exceptProperty")
_PATH_OPERATORS = (
    SH.inversePath,
    SH.alternativePath,
    SH.zeroOrMorePath,
    SH.oneOrMorePath,
    SH.zeroOrOnePath,
)


def load_shapes(source: Path, vocab: Vocabulary) -> Graph:
    """Read the shapes into one graph, checked against ``vocab``.

    ``source`` is a folder (its ``*.ttl``) or one file in any RDF format its suffix names
    (Turtle otherwise): a graph that carries its own shapes is its own shapes file. Literals
    keep their lexical forms (``kg_build/rdf/rdffile.py``): only ``"true"^^xsd:boolean`` is true.
    """
    if source.is_dir():
        paths = sorted(source.glob("*.ttl"))
        if not paths:
            raise OntologyError(display_path(source), None, "no shapes (expected *.ttl)")
    elif source.exists():
        paths = [source]
    else:
        raise OntologyError(display_path(source), None, "no such shapes file or folder")
    files = [_read_shape_file(path) for path in paths]
    shapes = Graph(bind_namespaces="none")
    for file in files:
        shapes += file.graph
        for prefix, namespace in file.graph.namespaces():  # pySHACL's messages use them
            shapes.bind(prefix, namespace, override=False)
    for file in files:
        check_queries(file, shapes)
        _check_terms(file, shapes, vocab)
        _check_every_object_property(file, vocab)
    return shapes


def _read_shape_file(path: Path) -> ShapeFile:
    """Read one shapes file with Oxigraph; a syntax error is one line with its place.

    A Turtle file that Oxigraph cannot read is read again by rdflib, whose reason names the
    Turtle rule it expected (``objectList expected``), as for the ontology.
    """
    shown = display_path(path)
    fmt, _ = format_of(path, None)
    try:
        text = read_rdf(path, fmt, shown)
    except SourceError as e:
        if fmt == "turtle" and e.line is not None:
            parse_turtle(path, Graph())  # raises rdflib's reason if rdflib fails too
        raise OntologyError(e.path, e.line, e.message, e.column) from e
    lines = tuple(path.read_text(encoding="utf-8", errors="replace").splitlines())
    return ShapeFile(shown, lines, rdflib_graph(text))


def defined_at(folder: Path | None, node: Node) -> tuple[str, int | None]:
    """Return the file and line that start a shape's description, as far as a scan finds."""
    if folder is None:
        return "shapes", None
    for path in sorted(folder.glob("*.ttl")) if folder.is_dir() else [folder]:
        line = _start_line(path.read_text(encoding="utf-8").splitlines(), node)
        if line is not None:
            return display_path(path), line
    return display_path(folder), None


def _start_line(lines: Sequence[str], node: Node) -> int | None:
    """Return the first of ``lines`` that starts with ``node``, prefixed or in full."""
    name = re.split("[#/]", str(node))[-1]
    start = re.compile(rf"^(\S*:{re.escape(name)}|<{re.escape(str(node))}>)\s")
    return next((n for n, text in enumerate(lines, 1) if start.match(text)), None)


def where_defined(source: Path | None, node: Node, query: str = "") -> tuple[str, int | None]:
    """Return the file and line of a shape (by its IRI) or else of a query's first line."""
    if isinstance(node, URIRef):
        path, line = defined_at(source, node)
        if line is not None:
            return path, line
    first = next((ln.strip() for ln in query.splitlines() if ln.strip()), "")
    if source is not None and first:
        for file in sorted(source.glob("*.ttl")) if source.is_dir() else [source]:
            text = file.read_text(encoding="utf-8", errors="replace")
            for number, said in enumerate(text.splitlines(), 1):
                if first in said:
                    return display_path(file), number
    return (display_path(source) if source is not None else "shapes"), None


# ---------------------------------------------------------------- tp: terms


def _check_terms(file: ShapeFile, shapes: Graph, vocab: Vocabulary) -> None:
    """Raise for the first line of ``file`` that uses a tp: term the ontology lacks."""
    problems = []
    for iri, kinds in sorted(_uses(file, shapes).items()):
        problem = _problem(iri, kinds, vocab)
        if problem is not None:
            line = _line_of(file, iri, _prefix_names(file, shapes))
            problems.append((line or 0, problem))
    if problems:
        line, problem = min(problems)
        raise OntologyError(file.shown, line or None, problem)


def _uses(file: ShapeFile, shapes: Graph) -> dict[str, set[str]]:
    """Return each tp: IRI of the file with the kinds of term its places need."""
    uses: dict[str, set[str]] = {}

    def note(node: Node, kind: str) -> None:
        if isinstance(node, URIRef) and str(node).startswith(TP_IRI):
            uses.setdefault(str(node), set()).add(kind)

    graph = file.graph
    for _, parameter, value in graph:
        if parameter in _CLASS_PARAMETERS:
            note(value, "class")
        elif parameter in _PROPERTY_PARAMETERS:
            for term in _path_terms(graph, value, set()):
                note(term, "property")
    for triple in graph:
        for node in triple:
            note(node, "term")
    for node, query in queries_of(graph):
        for iri in query_terms(query, prefixes_of(shapes, node)):
            note(URIRef(iri), "term")
    return uses


def _path_terms(graph: Graph, path: Node, seen: set[Node]) -> Iterator[Node]:
    """Yield the IRIs of a SHACL property path: a predicate, a sequence, or an operator's."""
    if isinstance(path, URIRef) or path in seen:
        yield path
        return
    seen.add(path)
    first = graph.value(path, RDF.first)
    if first is not None:  # a sequence path (an RDF list), or an alternative's list
        yield from _path_terms(graph, first, seen)
        rest = graph.value(path, RDF.rest)
        if rest is not None and rest != RDF.nil:
            yield from _path_terms(graph, rest, seen)
        return
    for operator in _PATH_OPERATORS:
        for value in graph.objects(path, operator):
            yield from _path_terms(graph, value, seen)


def _problem(iri: str, kinds: set[str], vocab: Vocabulary) -> str | None:
    declared = {
        "class": vocab.classes,
        "property": vocab.object_properties | vocab.data_ranges.keys(),
        "term": vocab.terms,
    }
    specific = sorted(kinds - {"term"})
    short = curie_or_iri(iri)
    if iri not in vocab.terms:
        kind = specific[0] if len(specific) == 1 else "term"
        close = difflib.get_close_matches(
            iri.removeprefix(TP_IRI),
            sorted(t.removeprefix(TP_IRI) for t in declared[kind] if t.startswith(TP_IRI)),
            n=1,
        )
        hint = f" (did you mean tp:{close[0]}?)" if close else ""
        return f"unknown {kind} {short}{hint}"
    for kind in specific:
        if iri not in declared[kind]:
            declared_as = _kind(iri, vocab)
            return f"{short} is used as a {kind}, but the ontology declares it as {declared_as}"
    return None


def _kind(iri: str, vocab: Vocabulary) -> str:
    if iri in vocab.classes:
        return "a class"
    if iri in vocab.individuals:
        return "an individual"
    return "a property"


def _prefix_names(file: ShapeFile, shapes: Graph) -> set[str]:
    """Return the prefixes the file's Turtle or its SPARQL bind to the ontology's namespace."""
    names = {p for p, ns in file.graph.namespaces() if str(ns) == TP_IRI}
    for node, _ in queries_of(file.graph):
        names |= {p for p, ns in prefixes_of(shapes, node).items() if ns == TP_IRI}
    return names


def _line_of(file: ShapeFile, iri: str, prefixes: set[str]) -> int | None:
    """Return the first line (not a comment) that names ``iri``, prefixed or in full."""
    local = re.escape(iri.removeprefix(TP_IRI))
    names = "|".join(re.escape(p) for p in sorted(prefixes))
    pattern = re.compile(rf"(?<![\w-])(?:{names}):{local}(?![\w-])|<{re.escape(iri)}>")
    for number, text in enumerate(file.lines, 1):
        if not text.lstrip().startswith("#") and pattern.search(text):
            return number
    return None


def _check_every_object_property(file: ShapeFile, vocab: Vocabulary) -> None:
    """Raise if a shape marked tps:targetsEveryObjectProperty misses or adds a property.

    Its targets are written out, as standard SHACL that any engine reads; a property the
    ontology gains later would otherwise leave its values unchecked, silently.
    """
    graph = file.graph
    for shape in sorted(graph.subjects(EVERY_OBJECT_PROPERTY, Literal(True)), key=str):
        excepted = {str(p) for p in graph.objects(shape, EXCEPT_PROPERTY)}
        expected = {p for p in vocab.object_properties if p.startswith(TP_IRI)} - excepted
        targets = {str(p) for p in graph.objects(shape, SH.targetObjectsOf)}
        missing, extra = sorted(expected - targets), sorted(targets - expected)
        problems = []
        if missing:
            names = ", ".join(curie_or_iri(p) for p in missing)
            problems.append(f"lacks these object properties of the ontology: {names}")
        if extra:
            names = ", ".join(curie_or_iri(p) for p in extra)
            problems.append(
                f"names these, which are not its tp: object properties or are excepted: {names}"
            )
        if problems:
            raise OntologyError(
                file.shown,
                _start_line(file.lines, shape),
                f"{curie_or_iri(str(shape))} targets the objects of every tp: object property "
                "(tps:targetsEveryObjectProperty), but its sh:targetObjectsOf "
                + " and ".join(problems),
            )
