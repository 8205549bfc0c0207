"""The shapes' SPARQL, checked when loaded: its prefixes, its parse, SHACL-SPARQL's rules.

Every SPARQL constraint has one ``sh:select``; every query (``sh:select``, ``sh:ask``) parses
with the prefixes its ``sh:prefixes`` declare (SHACL §5.2.1, following ``owl:imports``), checked
with Oxigraph's parser, as the Rust engines use, and placed with rdflib's; and keeps to what
SHACL-SPARQL allows a query whose variables are pre-bound (§5.3.1,
``kg_build/validate/shacl_sparql.py``).
Errors name the file's line inside the query, the constraint and its shape.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pyoxigraph as ox
from msgspec import Struct
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, SH
from rdflib.term import Node

from kg_build.defaults import TP_IRI
from kg_build.errors import OntologyError, one_line
from kg_build.rdf.curies import curie_or_iri
from kg_build.validate.shacl_sparql import forbidden, might_be_forbidden, parsed, queries

_QUERIES = (SH.select, SH.ask)


class ShapeFile(Struct, frozen=True):
    """One shapes file: its path as shown, its lines and its triples."""

    shown: str
    lines: tuple[str, ...]
    graph: Graph


# ---------------------------------------------------------------- SPARQL


def queries_of(graph: Graph) -> Iterator[tuple[Node, str]]:
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


class _Name(Struct, frozen=True):
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


def query_terms(query: str, prefixes: dict[str, str]) -> Iterator[str]:
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


def check_queries(file: ShapeFile, shapes: Graph) -> None:
    """Every SPARQL constraint has one sh:select; every query parses with its prefixes."""
    for shape, constraint in sorted(file.graph.subject_objects(SH.sparql)):
        selects = list(shapes.objects(constraint, SH.select))
        if len(selects) != 1:
            found = "no sh:select" if not selects else f"{len(selects)} sh:select values"
            raise OntologyError(
                file.shown,
                definition_line(file, constraint, shape),
                f"{_describe(shapes, constraint)} has {found} (SHACL §5.1: exactly one)",
            )
    problems = []
    for node, query in queries_of(file.graph):
        problem = _query_problem(query, prefixes_of(shapes, node))
        if problem is not None:
            line = _query_line(file, query, problem[0]) or definition_line(file, node, None)
            problems.append((line or 0, f"{_describe(shapes, node)}: {problem[1]}"))
    if problems:
        line, message = min(problems)
        raise OntologyError(file.shown, line or None, message)
    _check_prebinding(file, shapes)


def _check_prebinding(file: ShapeFile, shapes: Graph) -> None:
    """Refuse a query that SHACL-SPARQL forbids, whatever the engine (§5.3.1)."""
    mine = set(file.graph.subjects())
    for query in queries(shapes):
        if query.node not in mine or not might_be_forbidden(query.text, query.prebound):
            continue  # no keyword that could be forbidden: no need to parse (5-60 ms a query)
        what = forbidden(parsed(query.text, prefixes_of(shapes, query.node)), query.prebound)
        if what is not None:
            line = _query_line(file, query.text, 1) or definition_line(file, query.node, None)
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
    return curie_or_iri(str(node)) if isinstance(node, URIRef) else "a blank node"


def definition_line(file: ShapeFile, node: Node, owner: Node | None) -> int | None:
    """Return the line of the file that starts the description of ``node`` (else ``owner``)."""
    for candidate in (node, owner):
        if isinstance(candidate, URIRef):
            name = re.escape(re.split("[#/]", str(candidate))[-1])
            start = re.compile(rf"^(\S*:{name}|<{re.escape(str(candidate))}>)\s")
            found = next((n for n, t in enumerate(file.lines, 1) if start.match(t)), None)
            if found is not None:
                return found
    return None


def _query_line(file: ShapeFile, query: str, line: int) -> int | None:
    """Return the file's line of a query's ``line``: where the query's text starts, plus."""
    text = "\n".join(file.lines)
    at = text.find(query)
    return None if at < 0 else text.count("\n", 0, at) + line
