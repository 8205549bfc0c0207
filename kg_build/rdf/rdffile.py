"""RDF files of any format, read as a SHACL engine must see them: every literal as written.

rdflib turns a literal it can read into a value and writes the value back: ``"yes"^^xsd:boolean``
becomes ``"false"``, ``"1"^^xsd:boolean`` ``"true"`` and ``"007"^^xsd:integer`` ``"7"``. A
SHACL engine handed that text checks another graph than the file's (SHACL §4.1.1: a literal of
the wrong lexical form violates ``sh:datatype``; only ``true`` switches a boolean parameter on).
Files are therefore parsed with Oxigraph, which keeps each lexical form, into N-Triples: the
union of the triples of every graph of the file (the named graphs of TriG, N-Quads and
JSON-LD too, as the build validates them). Where rdflib must hold a graph (pySHACL, the shapes'
own checks), its literals are made with ``normalize=False`` and keep the form written.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
from msgspec import Struct
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from kg_build.defaults import FORMAT_SUFFIXES
from kg_build.errors import SourceError, one_line
from kg_build.messages import display_path

RDF_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "nquads": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "jsonld": ox.RdfFormat.JSON_LD,
}
FORMAT_NAMES = {
    "turtle": "Turtle",
    "nt": "N-Triples",
    "nquads": "N-Quads",
    "trig": "TriG",
    "jsonld": "JSON-LD",
}
# What a file's suffix says it holds; .json is JSON-LD's other common suffix.
INPUT_SUFFIXES = {suffix: fmt for fmt, suffix in FORMAT_SUFFIXES.items()} | {".json": "jsonld"}
_XSD_STRING = str(XSD.string)


class RdfText(Struct, frozen=True):
    """The triples of an RDF file as sorted N-Triples lines, and the prefixes it declares."""

    ntriples: bytes
    prefixes: tuple[tuple[str, str], ...] = ()


def format_of(path: Path, given: str | None) -> tuple[str, bool]:
    """Return the format to read ``path`` in, and whether its suffix named none.

    ``--format`` wins; else the suffix (``.ttl .nt .nq .trig .jsonld .json``); else Turtle.
    """
    if given is not None:
        return given, False
    named = INPUT_SUFFIXES.get(path.suffix.lower())
    return (named, False) if named is not None else ("turtle", True)


def read_rdf(path: Path, fmt: str, shown: str | None = None) -> RdfText:
    """Read an RDF file; a missing file or a syntax error is one SourceError with its place.

    A syntax error names the line and column where Oxigraph stopped: ``x.trig:3:14: not
    valid TriG (…)``. ``shown`` is how to name the file (default: as given).
    """
    name = shown or display_path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError as e:
        raise SourceError(name, None, "no such file") from e
    except IsADirectoryError as e:
        raise SourceError(name, None, f"is a folder, not a {FORMAT_NAMES[fmt]} file") from e
    except OSError as e:
        raise SourceError(name, None, f"cannot be read ({one_line(str(e))})") from e
    return parse_rdf(data, fmt, name, path.resolve().as_uri())


def parse_rdf(data: bytes, fmt: str, name: str, base: str | None = None) -> RdfText:
    """Parse RDF text (see read_rdf); ``base`` resolves relative IRIs such as ``<>``."""
    try:
        parser = ox.parse(data, RDF_FORMATS[fmt], base_iri=base, rename_blank_nodes=True)
        triples = {ox.Triple(q.subject, q.predicate, q.object) for q in parser}
    except SyntaxError as e:
        raise _syntax_error(e, fmt, name) from e
    text = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""
    lines = sorted(text.splitlines(keepends=True))
    prefixes = getattr(parser, "prefixes", None) or {}
    return RdfText(b"".join(lines), tuple(sorted(prefixes.items())))


def _syntax_error(error: SyntaxError, fmt: str, name: str) -> SourceError:
    """Oxigraph's error as one line: the place in the location, its reason in parentheses."""
    reason = str(error.msg or error)
    if ": " in reason and reason.startswith("Parser error"):
        reason = reason.split(": ", 1)[1]
    line = error.lineno if isinstance(error.lineno, int) and error.lineno > 0 else None
    column = error.offset if line is not None and isinstance(error.offset, int) else None
    return SourceError(
        name, line, f"not valid {FORMAT_NAMES[fmt]} ({one_line(reason, 160)})", column=column
    )


def rdflib_graph(text: RdfText) -> Graph:
    """Return the triples as an rdflib graph whose literals keep their lexical forms."""
    graph = Graph(bind_namespaces="none")
    for prefix, namespace in text.prefixes:
        graph.bind(prefix, namespace)
    add = graph.add
    for triple in ox.parse(text.ntriples, ox.RdfFormat.N_TRIPLES):
        add((_term(triple.subject), _term(triple.predicate), _term(triple.object)))
    return graph


def term_of(text: str) -> Node:
    """Return a term written in N-Triples (an IRI in ``<>``, a literal, a blank node) as is."""
    line = f"<urn:x-kg:s> <urn:x-kg:p> {text} .".encode()
    (triple,) = ox.parse(line, ox.RdfFormat.N_TRIPLES)
    return _term(triple.object)


def _term(term: object) -> Node:
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    assert isinstance(term, ox.Literal), term
    if term.language:
        return Literal(term.value, lang=term.language, normalize=False)
    datatype = term.datatype.value
    if datatype == _XSD_STRING:  # RDF 1.1: "x" and "x"^^xsd:string are one literal
        return Literal(term.value, normalize=False)
    return Literal(term.value, datatype=URIRef(datatype), normalize=False)


def line_spans(text: bytes, marker: bytes) -> Iterator[tuple[int, int]]:
    """Yield the start and end (past its newline) of each line of ``text`` holding ``marker``.

    Found with bytes.find and widened to the line: N-Triples puts a statement on a line (a
    newline in a literal is escaped), and splitting every line to test each, or a MULTILINE
    ``^``, which the re module tries at every byte, cost far more on an article's graph.
    """
    done = 0
    while (at := text.find(marker, done)) != -1:
        start = text.rfind(b"\n", 0, at) + 1
        end = text.find(b"\n", at)
        done = len(text) if end == -1 else end + 1
        yield start, done
