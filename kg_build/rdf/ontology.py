"""The ontology: its Turtle loaded with file:line errors and its terms indexed for the build.

It also says which literal datatypes a property may range over, and types a value by one.
"""

from __future__ import annotations

import re
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.exceptions import ParserError
from rdflib.namespace import OWL, RDF, RDFS, XSD
from rdflib.plugins.parsers.notation3 import BadSyntax

from kg_build.defaults import TP_IRI
from kg_build.errors import OntologyError, one_line
from kg_build.messages import display_path
from kg_build.model.vocabulary import Vocabulary

LANG_STRING = str(RDF.langString)
XSD_STRING = str(XSD.string)
_TIME_ZONE = r"(Z|[+-]\d{2}:\d{2})?"
# Each datatype a data property may range over, with its lexical space (XSD 1.1 Part 2, §3.3
# and §3.4) as a pattern; xsd:string and rdf:langString take any text. A range outside these
# cannot be typed: a fact of such a property stops the build.
_LEXICAL = {
    "integer": r"[+-]?\d+",
    "nonNegativeInteger": r"\+?\d+",
    "positiveInteger": r"\+?0*[1-9]\d*",
    "decimal": r"[+-]?(\d+(\.\d*)?|\.\d+)",
    "boolean": r"true|false|1|0",
    "date": r"-?\d{4,}-\d{2}-\d{2}" + _TIME_ZONE,
    "dateTime": r"-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?" + _TIME_ZONE,
    "gYear": r"-?\d{4,}" + _TIME_ZONE,
    "gYearMonth": r"-?\d{4,}-\d{2}" + _TIME_ZONE,
}
_PATTERNS = {str(XSD[name]): re.compile(pattern) for name, pattern in _LEXICAL.items()}
LITERAL_TYPES = frozenset({*_PATTERNS, XSD_STRING, LANG_STRING})


def load_ontology(path: Path) -> Graph:
    """Parse the ontology's Turtle; a syntax error names its line."""
    return parse_turtle(path, Graph())


def parse_turtle(path: Path, graph: Graph) -> Graph:
    """Add a Turtle file of ours (the ontology, a shapes file) to ``graph``.

    Any error is one line with the file and, for a syntax error, its line and rdflib's reason
    alone (rdflib's message quotes the text around the error over three lines).
    """
    shown = display_path(path)
    try:
        graph.parse(path, format="turtle")
    except FileNotFoundError as e:
        raise OntologyError(shown, None, "no such file") from e
    except BadSyntax as e:
        raise OntologyError(shown, e.lines + 1, f"not valid Turtle ({_syntax_reason(e)})") from e
    except (ParserError, OSError, UnicodeDecodeError, ValueError) as e:
        raise OntologyError(shown, None, f"not valid Turtle ({one_line(str(e))})") from e
    return graph


def _syntax_reason(error: BadSyntax) -> str:
    # rdflib keeps the reason alone only in a private attribute; its message adds the context.
    why = getattr(error, "_why", None)
    return one_line(why if isinstance(why, str) else error.message.split("\n")[1])


def vocabulary(ontology: Graph) -> Vocabulary:
    """Index the ontology's declared classes, properties (with ranges) and individuals."""
    classes = {s for s in ontology.subjects(RDF.type, OWL.Class) if isinstance(s, URIRef)}
    objects = {
        s
        for kind in (OWL.ObjectProperty, RDF.Property)
        for s in ontology.subjects(RDF.type, kind)
        if isinstance(s, URIRef)
    }
    data = {
        s
        for kind in (OWL.DatatypeProperty, OWL.AnnotationProperty)
        for s in ontology.subjects(RDF.type, kind)
        if isinstance(s, URIRef)
    }
    members = {
        str(c): frozenset(str(s) for s in ontology.subjects(RDF.type, c) if isinstance(s, URIRef))
        for c in classes
    }
    individuals = frozenset().union(*members.values())
    code = URIRef(TP_IRI + "code")
    return Vocabulary(
        classes=frozenset(str(c) for c in classes),
        object_properties=frozenset(str(p) for p in objects),
        data_ranges={str(p): str(ontology.value(p, RDFS.range) or XSD.string) for p in data},
        individuals=individuals,
        members={c: m for c, m in members.items() if m},
        codes={str(s): str(o) for s, o in ontology.subject_objects(code) if isinstance(s, URIRef)},
        labels={
            str(s): str(o)
            for s, o in ontology.subject_objects(RDFS.label)
            if isinstance(s, URIRef) and str(s) in individuals
        },
    )


def typed_literal(value: str, datatype: str) -> Literal:
    """Return ``value`` as a literal of ``datatype``, a property's range in the ontology.

    A string of an ``rdf:langString`` or ``xsd:string`` range is a plain literal: the language
    table (``mappings/rules/language.yaml``) tags it. Raises ValueError for a range that is no
    datatype of ``LITERAL_TYPES`` and for a value outside the datatype's lexical space.
    """
    if datatype in (XSD_STRING, LANG_STRING):
        return Literal(value)
    pattern = _PATTERNS.get(datatype)
    if pattern is None:
        known = ", ".join(
            sorted("xsd:" + t.removeprefix(str(XSD)) for t in LITERAL_TYPES - {LANG_STRING})
        )
        raise ValueError(
            f"its range '{datatype}' is not a datatype the build can type "
            f"(one of {known}, rdf:langString)"
        )
    if not pattern.fullmatch(value):
        raise ValueError(f"'{value}' is not an xsd:{datatype.removeprefix(str(XSD))}")
    # normalize=False: the literal keeps the form it is given ("007"), as the N-Triples writer
    # writes it, so that both builds and validation see the same term.
    return Literal(value, datatype=URIRef(datatype), normalize=False)
