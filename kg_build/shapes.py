"""Shapes: ``shapes/*.ttl`` read and checked against the ontology, as the rules are.

A shape that names a term the ontology does not declare checks nothing: ``sh:path
tp:finalRnk`` finds no values and ``sh:targetClass tp:TeamEntri`` no focus nodes, so any graph
conforms. Every ``tp:`` term of a shape (in its triples and in its SPARQL) must therefore be
declared, with the kind its place needs; and every SPARQL query must parse, with the prefixes
its ``sh:prefixes`` declare (SHACL §5.2.1), before any engine runs it, so that each engine
fails alike. Errors name the file and line.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, SH
from rdflib.term import Node

from kg_build.defaults import TP_IRI
from kg_build.errors import OntologyError, SourceError, one_line
from kg_build.mapping import parse_turtle
from kg_build.model import Vocabulary
from kg_build.parse import display_path
from kg_build.rdffile import format_of, rdflib_graph, read_rdf
from kg_build.shacl_sparql import forbidden, might_be_forbidden, parsed, queries

SHAPES_IRI = "https://w3id.org/team-pursuit/shapes#"

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
_PATH_OPERATORS = (
    SH.inversePath,
    SH.alternativePath,
    SH.zeroOrMorePath,
    SH.oneOrMorePath,
    SH.zeroOrOnePath,
)
_QUERIES = (SH.select, SH.ask)


@dataclass(frozen=True, slots=True)
class _ShapeFile:
    """One shapes file: its path as shown, its lines and its triples."""

    shown: str
    lines: tuple[str, ...]
    graph: Graph


def load_shapes(source: Path, vocab: Vocabulary) -> Graph:
    """Read the shapes into one graph, checked against ``vocab``.

    ``source`` is a folder (its ``*.ttl``) or one file in any RDF format its suffix names
    (Turtle otherwise): a graph that carries its own shapes is its own shapes file. Literals
    keep their lexical forms (``kg_build/rdffile.py``): only ``"true"^^xsd:boolean`` is true.
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
        _check_queries(file, shapes)
        _check_terms(file, shapes, vocab)
    return shapes


def _read_shape_file(path: Path) -> _ShapeFile:
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
    return _ShapeFile(shown, lines, rdflib_graph(text))


def defined_at(folder: Path | None, node: Node) -> tuple[str, int | None]:
    """Return the file and line that start a shape's description, as far as a scan finds."""
    if folder is None:
        return "shapes", None
    name = re.split("[#/]", str(node))[-1]
    start = re.compile(rf"^(\S*:{re.escape(name)}|<{re.escape(str(node))}>)\s")
    for path in sorted(folder.glob("*.ttl")) if folder.is_dir() else [folder]:
        for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if start.match(text):
                return display_path(path), number
    return display_path(folder), None


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


def _check_terms(file: _ShapeFile, shapes: Graph, vocab: Vocabulary) -> None:
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


def _uses(file: _ShapeFile, shapes: Graph) -> dict[str, set[str]]:
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
    for node, query in _queries(graph):
        for iri in _query_terms(query, prefixes_of(shapes, node)):
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
    short = _short(iri)
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


def _short(iri: str) -> str:
    return "tp:" + iri.removeprefix(TP_IRI) if iri.startswith(TP_IRI) else f"<{iri}>"


def _prefix_names(file: _ShapeFile, shapes: Graph) -> set[str]:
    """Return the prefixes the file's Turtle or its SPARQL bind to the ontology's namespace."""
    names = {p for p, ns in file.graph.namespaces() if str(ns) == TP_IRI}
    for node, _ in _queries(file.graph):
        names |= {p for p, ns in prefixes_of(shapes, node).items() if ns == TP_IRI}
    return names


def _line_of(file: _ShapeFile, iri: str, prefixes: set[str]) -> int | None:
    """Return the first line (not a comment) that names ``iri``, prefixed or in full."""
    local = re.escape(iri.removeprefix(TP_IRI))
    names = "|".join(re.escape(p) for p in sorted(prefixes))
    pattern = re.compile(rf"(?<![\w-])(?:{names}):{local}(?![\w-])|<{re.escape(iri)}>")
    for number, text in enumerate(file.lines, 1):
        if not text.lstrip().startswith("#") and pattern.search(text):
            return number
    return None


# ---------------------------------------------------------------- SPARQL


def _queries(graph: Graph) -> Iterator[tuple[Node, str]]:
    """Yield each node with a SPARQL query (sh:select, sh:ask) and the query's text."""
    for predicate in _QUERIES:
        for node, text in sorted(graph.subject_objects(predicate)):
            yield node, str(text)


def prefixes_of(shapes: Graph, node: Node) -> dict[str, str]:
    """Return the prefixes a SPARQL query may use.

    SHACL §5.2.1: the values of ``sh:prefixes/owl:imports*/sh:declare`` of the query's node.
    """
    prefixes: dict[str, str] = {}
    for source in declaring(shapes, node):
        for declaration in shapes.objects(source, SH.declare):
            prefix = shapes.value(declaration, SH.prefix)
            namespace = shapes.value(declaration, SH.namespace)
            if isinstance(prefix, Literal) and isinstance(namespace, Literal | URIRef):
                prefixes[str(prefix)] = str(namespace)
    return prefixes


def declaring(shapes: Graph, node: Node) -> list[Node]:
    """Return the nodes whose sh:declare a query's prefixes come from (sh:prefixes/owl:imports*)."""
    return [s for value in shapes.objects(node, SH.prefixes) for s in imported(shapes, value)]


def imported(shapes: Graph, source: Node) -> list[Node]:
    """Return ``source`` and what it imports, directly or not (``owl:imports*``), in order."""
    found: list[Node] = []
    todo = [source]
    while todo:
        node = todo.pop(0)
        if node not in found:
            found.append(node)
            todo += sorted(shapes.objects(node, OWL.imports), key=str)
    return found


# A left-to-right scan of a query: strings, IRIs and comments are taken whole, so that a
# prefixed name is only found where it is one.
_TOKENS = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n]|\\.)*"'
    r"|'(?:[^'\\\n]|\\.)*'"
    r"|<(?P<iri>[^<>\"{}|^`\\\s]*)>"
    r"|\#[^\n]*"
    r"|(?P<declaration>(?i:PREFIX)\s+(?P<declared>[A-Za-z][\w.-]*)?:)"
    r"|(?<![\w$?:-])(?P<prefix>[A-Za-z](?:[\w.-]*\w)?)?:(?P<local>\w(?:[\w.-]*[\w-])?)?",
    re.DOTALL,
)


@dataclass(frozen=True, slots=True)
class _Name:
    """An IRI (``prefix`` None) or prefixed name in a query, or a PREFIX it declares."""

    prefix: str | None
    local: str
    line: int
    declares: bool = False


def _names(query: str) -> Iterator[_Name]:
    for match in _TOKENS.finditer(query):
        line = query.count("\n", 0, match.start()) + 1
        if match["iri"] is not None:
            yield _Name(None, match["iri"], line)
        elif match["declaration"] is not None:
            yield _Name(match["declared"] or "", "", line, declares=True)
        elif (match[0].endswith(":") or match["local"] is not None) and match[0][0] not in "\"'#<":
            yield _Name(match["prefix"] or "", match["local"] or "", line)


def _query_terms(query: str, prefixes: dict[str, str]) -> Iterator[str]:
    """Yield the full IRIs of the tp: terms a query names."""
    for name in _names(query):
        if name.prefix is None:
            iri = name.local
        elif name.local and prefixes.get(name.prefix) is not None:
            iri = prefixes[name.prefix] + name.local
        else:
            continue
        if iri.startswith(TP_IRI) and iri != TP_IRI:
            yield iri


def _check_queries(file: _ShapeFile, shapes: Graph) -> None:
    """Every SPARQL constraint has one sh:select; every query parses with its prefixes."""
    for shape, constraint in sorted(file.graph.subject_objects(SH.sparql)):
        selects = list(shapes.objects(constraint, SH.select))
        if len(selects) != 1:
            found = "no sh:select" if not selects else f"{len(selects)} sh:select values"
            raise OntologyError(
                file.shown,
                _definition_line(file, constraint, shape),
                f"{_describe(shapes, constraint)} has {found} (SHACL §5.1: exactly one)",
            )
    problems = []
    for node, query in _queries(file.graph):
        problem = _query_problem(query, prefixes_of(shapes, node))
        if problem is not None:
            line = _query_line(file, query, problem[0]) or _definition_line(file, node, None)
            problems.append((line or 0, f"{_describe(shapes, node)}: {problem[1]}"))
    if problems:
        line, message = min(problems)
        raise OntologyError(file.shown, line or None, message)
    _check_prebinding(file, shapes)


def _check_prebinding(file: _ShapeFile, shapes: Graph) -> None:
    """Refuse a query that SHACL-SPARQL forbids, whatever the engine (§5.3.1)."""
    mine = set(file.graph.subjects())
    for query in queries(shapes):
        if query.node not in mine or not might_be_forbidden(query.text, query.prebound):
            continue  # no keyword that could be forbidden: no need to parse (5-60 ms a query)
        what = forbidden(parsed(query.text, prefixes_of(shapes, query.node)), query.prebound)
        if what is not None:
            line = _query_line(file, query.text, 1) or _definition_line(file, query.node, None)
            raise OntologyError(
                file.shown,
                line,
                f"{_describe(shapes, query.node)}: SHACL-SPARQL does not allow {what} in a "
                "query whose variables are pre-bound (§5.3.1); no engine may run it",
            )


def _query_problem(query: str, prefixes: dict[str, str]) -> tuple[int, str] | None:
    """Return the query's line and what is wrong with it, or None when it parses."""
    declared = set(prefixes)
    for name in _names(query):
        if name.declares:
            declared.add(name.prefix or "")  # PREFIX in the query itself
        elif name.prefix is not None and name.prefix not in declared:
            listed = ", ".join(sorted(prefixes)) or "none"
            return name.line, (
                f"the query uses the prefix '{name.prefix}:', which its sh:prefixes do not "
                f"declare (declared: {listed})"
            )
    # One line of PREFIX declarations before the query keeps the query's own line numbers.
    prologue = "".join(f"PREFIX {p}: <{ns}> " for p, ns in sorted(prefixes.items()))
    text = query.replace("$PATH", "<urn:x-shacl:path>")  # §6.3: the engine substitutes it
    try:
        ox.Store().query(prologue + text)
    except SyntaxError as e:
        return _parser_position(text, prefixes) or _oxigraph_reason(str(e), text, len(prologue))
    return None


def _parser_position(query: str, prefixes: dict[str, str]) -> tuple[int, str] | None:
    """Return where rdflib's parser fails, as its line and the text there, if it fails.

    Oxigraph (as the Rust engines) reports the furthest place its parser reached, often the
    end of the query; rdflib's names the start of the clause that does not parse. Only read
    when Oxigraph has failed: rdflib takes some 30 ms a query.
    """
    from pyparsing import ParseException
    from rdflib.plugins.sparql import prepareQuery

    try:
        prepareQuery(query, initNs=prefixes)
    except ParseException as e:
        near = one_line(e.line[e.col - 1 :], 40)
        return e.lineno, f"not valid SPARQL at column {e.col}, near '{near}'"
    except Exception:  # not a syntax error rdflib can place: Oxigraph's error is raised instead
        return None
    return None


_POSITION = re.compile(r"error at (\d+):(\d+): (.*)", re.DOTALL)


def _oxigraph_reason(message: str, query: str, shift: int) -> tuple[int, str]:
    """Turn Oxigraph's message (which lists every character range it expected) into a reason."""
    match = _POSITION.match(message)
    if match is None:
        return 1, f"not valid SPARQL ({one_line(message)})"
    line, column, detail = int(match[1]), int(match[2]), match[3]
    column -= shift if line == 1 else 0
    lines = query.splitlines() or [""]
    found = one_line(lines[min(line, len(lines)) - 1][column - 1 :], 40) or "the end of the line"
    items = [i.strip() for i in detail.removeprefix("expected one of").split(", ")]
    said = [i for i in items if " " in i and not i.startswith(("[", "'", '"', "|"))]
    tokens = [i for i in items if i and not i.startswith(("[", "|", "'")) and " " not in i]
    if said:
        reason = "; ".join(s[:1].lower() + s[1:] for s in said)
    elif tokens:
        reason = "expected " + ", ".join(tokens[:8]) + (" …" if len(tokens) > 8 else "")
    else:
        reason = one_line(detail, 80)
    return line, f"not valid SPARQL at column {column} ('{found}'): {reason}"


def _describe(shapes: Graph, node: Node) -> str:
    owners = sorted(_name(s) for s in shapes.subjects(SH.sparql, node))
    own = f" of {', '.join(owners)}" if owners else ""
    named = f" {_name(node)}" if isinstance(node, URIRef) else ""
    kind = "SPARQL constraint" if owners else "SPARQL query"
    return f"{kind}{named}{own}"


def _name(node: Node) -> str:
    text = str(node)
    if text.startswith(SHAPES_IRI):
        return "tps:" + text.removeprefix(SHAPES_IRI)
    return _short(text) if isinstance(node, URIRef) else "a blank node"


def _definition_line(file: _ShapeFile, node: Node, owner: Node | None) -> int | None:
    for candidate in (node, owner):
        if isinstance(candidate, URIRef):
            name = re.escape(re.split("[#/]", str(candidate))[-1])
            start = re.compile(rf"^(\S*:{name}|<{re.escape(str(candidate))}>)\s")
            found = next((n for n, t in enumerate(file.lines, 1) if start.match(t)), None)
            if found is not None:
                return found
    return None


def _query_line(file: _ShapeFile, query: str, line: int) -> int | None:
    """Return the file's line of a query's ``line``: where the query's text starts, plus."""
    text = "\n".join(file.lines)
    at = text.find(query)
    return None if at < 0 else text.count("\n", 0, at) + line
