"""What each SHACL engine checks, and what it must refuse rather than pass unchecked.

An engine that meets a feature it does not implement reports nothing, and the graph passes:
pyrudof ignored SPARQL-based constraint components and ``$shapesGraph``, and left ``$this``
unbound in a nested group's FILTER (the W3C suite's pre-binding tests), and accepted
``"x"^^xsd:date``. So before an engine runs, its adapter looks for what it cannot check and
refuses, naming the shape and the feature (EngineLimit: exit 1, nothing validated):

- in the shapes (``refusal``): SPARQL-based constraint components and ``$currentShape``
  (pyrudof), ``$shapesGraph`` (pyrudof, pySHACL), a pre-bound variable used in a nested
  group that does not bind it (pyrudof; kg_build/validate/shacl_sparql.py);
- in the data (``ill_typed``): a literal not of the lexical space of its datatype, when the
  engine does not check that datatype's forms (CHECKED_DATATYPES, measured by
  tests/test_engines.py), the shapes use it with sh:datatype, and the engine reported no
  sh:datatype result with that literal as its value.

What SHACL forbids every engine (§5.3.1: MINUS, VALUES …) is refused when the shapes are
loaded, whatever the engine (kg_build/validate/shapes.py).
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from contextlib import contextmanager

import pyoxigraph as ox
from msgspec import Struct
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import SH
from rdflib.term import Node

from kg_build.errors import EngineLimit, one_line
from kg_build.rdf.lexical import VALIDATORS, XSD, is_valid
from kg_build.rdf.rdffile import line_spans
from kg_build.validate.shacl_sparql import Query, nested_use, parsed, queries, variables_named
from kg_build.validate.shapes_sparql import prefixes_of

_INTEGERS: tuple[str, ...] = (
    "integer",
    "nonNegativeInteger",
    "positiveInteger",
    "nonPositiveInteger",
    "negativeInteger",
    "long",
    "short",
    "byte",
    "unsignedLong",
    "unsignedInt",
    "unsignedShort",
    "unsignedByte",
)
# The datatypes whose every ill-typed literal an engine reports under sh:datatype (of those
# kg_build/rdf/lexical.py knows): measured on ill-typed samples by tests/test_engines.py.
CHECKED_DATATYPES: dict[str, frozenset[str]] = {
    "shacl-engine": frozenset(
        XSD + name for name in (*_INTEGERS, "int", "boolean", "decimal", "double", "float")
    )
    | frozenset(XSD + name for name in ("date", "dateTime", "time")),
    "pyrudof": frozenset(XSD + name for name in (*_INTEGERS, "boolean", "decimal", "dateTime")),
    # rdflib reads " 5" and "1_000" as integers (Python's int), "1e3" and "NaN" as decimals,
    # "2021-01-01" as a dateTime, and pySHACL takes what rdflib can read.
    "pyshacl": frozenset(
        XSD + name for name in ("boolean", "date", "nonPositiveInteger", "negativeInteger")
    ),
}
ENGINE_NAMES = {"shacl-engine": "the SHACL Engine", "pyrudof": "pyrudof", "pyshacl": "pySHACL"}


class Refusal(Struct, frozen=True):
    """What an engine cannot check: the shape (or component) that asks it, and the feature."""

    node: Node
    feature: str
    query: str = ""  # the query that asks it, to place the error in its file


def refusal(shapes: Graph, engine: str) -> Refusal | None:
    """Return the first thing in the shapes the engine cannot check, or None."""
    if engine == "pyrudof":
        for shape, component in used_components(shapes):
            name = _name(shapes, component)
            return Refusal(shape, f"it uses the SPARQL-based constraint component {name}")
    for query in queries(shapes):
        found = _query_refusal(shapes, query, engine)
        if found is not None:
            return found
    return None


def _query_refusal(shapes: Graph, query: Query, engine: str) -> Refusal | None:
    owner = _owner(shapes, query.node)
    named = variables_named(query.text)
    unbound = {"pyrudof": ("shapesGraph", "currentShape"), "pyshacl": ("shapesGraph",)}
    for variable in unbound.get(engine, ()):
        if variable in named:
            feature = f"its SPARQL uses ${variable}, which {ENGINE_NAMES[engine]} does not bind"
            return Refusal(owner, feature, query.text)
    if engine == "pyrudof" and query.text.count("{") > 1:  # a nested group at all
        prefixes = tuple(sorted(prefixes_of(shapes, query.node).items()))
        where = _nested_use(query.text, prefixes, query.prebound)
        if where is not None:
            feature = (
                f"its SPARQL uses {where}, where pyrudof leaves it unbound "
                "(SHACL binds it in every group, Appendix A)"
            )
            return Refusal(owner, feature, query.text)
    return None


@functools.cache
def _nested_use(
    text: str, prefixes: tuple[tuple[str, str], ...], prebound: frozenset[str]
) -> str | None:
    # Cached: rdflib takes 5-60 ms to parse a query, and a build makes several validators.
    return nested_use(parsed(text, dict(prefixes)), prebound)


def used_components(shapes: Graph) -> Iterator[tuple[Node, Node]]:
    """Yield (shape, component) for each SPARQL-based constraint component a shape uses.

    A shape uses a component when it has a value for each of its mandatory parameters (§6.2).
    """
    for component in sorted(set(shapes.subjects(SH.parameter, None)), key=str):
        if not any(
            (component, p, None) in shapes
            for p in (SH.validator, SH.nodeValidator, SH.propertyValidator)
        ):
            continue
        mandatory = [
            shapes.value(p, SH.path)
            for p in shapes.objects(component, SH.parameter)
            if shapes.value(p, SH.optional) != Literal(True)
        ]
        if not mandatory or None in mandatory:
            continue
        first, *rest = mandatory
        for shape in sorted(set(shapes.subjects(first, None)), key=str):
            if (
                all((shape, p, None) in shapes for p in rest)
                and (shape, SH.parameter, None) not in shapes
            ):
                yield shape, component


def _owner(shapes: Graph, node: Node) -> Node:
    """Return the shape a SPARQL constraint belongs to, or the component of a validator."""
    for predicate in (SH.sparql, SH.validator, SH.nodeValidator, SH.propertyValidator):
        owner = next(iter(sorted(shapes.subjects(predicate, node), key=str)), None)
        if owner is not None:
            return owner
    return node


def _name(shapes: Graph, node: Node) -> str:
    if not isinstance(node, URIRef):
        return "(a blank node)"
    return shapes.namespace_manager.normalizeUri(node)


@contextmanager
def engine_failure(engine: str, where: str) -> Iterator[None]:
    """Turn an engine's own failure on a graph into one error line: nothing is validated.

    pySHACL raises TypeError comparing an ill-typed xsd:date with sh:lessThanOrEquals; an
    engine that fails says nothing of the graph, and must not pass for an internal error.
    """
    try:
        yield
    except (EngineLimit, KeyboardInterrupt):
        raise
    except Exception as e:
        raise EngineLimit(
            where,
            None,
            f"{ENGINE_NAMES[engine]} cannot check it: it failed "
            f"({type(e).__name__}: {one_line(str(e), 120)}); nothing was validated",
        ) from e


# ---------------------------------------------------------------- literals


def unchecked_datatypes(shapes: Graph, engine: str) -> frozenset[str]:
    """Return the datatypes the shapes require that the engine does not check the forms of."""
    required = {str(d) for d in shapes.objects(None, SH.datatype)}
    return frozenset(d for d in required if d in VALIDATORS and d not in CHECKED_DATATYPES[engine])


def ill_typed(ntriples: bytes, datatypes: frozenset[str]) -> list[tuple[str, str, str]]:
    """Return (subject, predicate, literal) of each ill-typed literal of ``datatypes``.

    The subject and predicate as bare IRIs (or a blank node's label), the literal in
    N-Triples form, as findings give values.
    """
    found = []
    for datatype in sorted(datatypes):
        marker = f'"^^<{datatype}>'.encode()
        if marker not in ntriples:
            continue
        lines = b"".join(
            ntriples[start:end].rstrip(b"\n") + b"\n" for start, end in line_spans(ntriples, marker)
        )
        for triple in ox.parse(lines, ox.RdfFormat.N_TRIPLES):
            value = triple.object
            typed = isinstance(value, ox.Literal) and value.datatype.value == datatype
            if typed and not is_valid(value.value, datatype):
                found.append((str(triple.subject.value), triple.predicate.value, str(value)))
    return found
