"""The ontology: its Turtle loaded with file:line errors, and its terms indexed for the build."""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.exceptions import ParserError
from rdflib.namespace import OWL, RDF, RDFS, XSD
from rdflib.plugins.parsers.notation3 import BadSyntax

from kg_build.defaults import TP_IRI
from kg_build.errors import OntologyError, one_line
from kg_build.model.vocabulary import Vocabulary
from kg_build.parse import display_path


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
