"""Findings: engines' results in one form, placed in the article where the graph says.

Each engine gives a result its own way (an IRI bare or in ``<>``, a datatype prefixed or not,
a date bare); a finding says it one way, so that engines can be compared and every engine
prints and reports the same (``kg_build/validate/report.py``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

import pyoxigraph as ox
from msgspec import Struct
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import PROV, SH, XSD

from kg_build.defaults import PREFIXES
from kg_build.rdf.curies import SHACL_NAMESPACES, compress, expand
from kg_build.rdf.namespaces import TP

_QUOTED = re.compile(r'^"(.*)"(?:@[A-Za-z0-9-]+|\^\^\S+)?$', re.DOTALL)


class Finding(Struct, frozen=True, order=True):
    """One SHACL result, with the article file and line of its focus node where known.

    ``where`` is that ``file:line``, or the name of what was validated when the graph does not
    say; ``file`` and ``line`` are the same place apart ("" and 0 when unknown). ``value`` is
    the result's sh:value in N-Triples form, the same for every engine ("" if it has none).
    """

    where: str
    focus: str
    path: str
    message: str
    shape: str
    severity: str
    component: str = ""
    value: str = ""
    file: str = ""
    line: int = 0

    def __str__(self) -> str:
        return f"{self.where}: {self.focus} {self.path}: {self.message} [{self.shape}]"

    @property
    def key(self) -> tuple[str, str, str, str, str]:
        """What both engines must agree on (messages are each engine's own wording)."""
        return (self.severity, self.focus, self.path, self.shape, self.component)


# What an engine reports of a result: focus, path, message, shape, severity, component, value.
Result = tuple[str, str, str, str, str, str, str]


class Sources:
    """tp:sourceLine and the article's tp:sourceFile of each subject, from plain triples."""

    def __init__(self, triples: Iterable[tuple[str, str, str]]) -> None:
        wanted = {str(TP.sourceLine), str(PROV.wasDerivedFrom), str(TP.sourceFile)}
        self.values: dict[tuple[str, str], str] = {(s, p): o for s, p, o in triples if p in wanted}

    def locate(self, focus: str) -> tuple[str, int]:
        """Return the article file and line of the focus node ("" and 0 when unknown)."""
        line = self.values.get((focus, str(TP.sourceLine)))
        article = self.values.get((focus, str(PROV.wasDerivedFrom)))
        file = self.values.get((article, str(TP.sourceFile))) if article else None
        if file is None or line is None or not line.isdigit():
            return "", 0
        return file, int(line)

    def finding(self, result: Result, default: str) -> Finding:
        """Return an engine's result as a finding placed in the article."""
        file, line = self.locate(result[0])
        return Finding(f"{file}:{line}" if file else default, *result, file=file, line=line)


def triples_of(data: Graph) -> Iterable[tuple[str, str, str]]:
    """Yield an rdflib graph's triples as plain strings."""
    return ((str(s), str(p), str(o)) for s, p, o in data)


def parsed_triples(nt: bytes) -> Iterable[tuple[str, str, str]]:
    """Yield N-Triples as plain strings (a literal's lexical form, a blank node's label)."""
    for t in ox.parse(nt, ox.RdfFormat.N_TRIPLES):
        obj = t.object.value if isinstance(t.object, ox.NamedNode | ox.Literal) else str(t.object)
        yield (
            t.subject.value if isinstance(t.subject, ox.NamedNode) else str(t.subject),
            (t.predicate.value),
            obj,
        )


def worded(shapes: Graph, component: str, shape: str, value: str | None) -> str:
    """Word a result whose shape has no sh:message (engines leave it empty, or crash on it).

    A core constraint is named with its parameter (``sh:datatype xsd:integer``), a SPARQL
    constraint by its IRI when the shape has just one (a result does not say which of several).
    """
    name = component.rsplit("#", 1)[-1].removesuffix("ConstraintComponent")
    by = f" by {value}" if value else ""
    if name == "SPARQL":
        constraints = list(shapes.objects(URIRef(shape), SH.sparql))
        one = constraints[0] if len(constraints) == 1 else None
        said = f"SPARQL constraint {short(one)}" if isinstance(one, URIRef) else "sh:sparql"
        return f"{said} not satisfied{by}"
    parameter = name[:1].lower() + name[1:]
    # Not SH[parameter]: rdflib's SH is closed, and a constraint component may be anyone's.
    bound = shapes.value(URIRef(shape), URIRef(f"{SH}{parameter}"))
    said = f"sh:{parameter}"
    if isinstance(bound, URIRef | Literal):  # not a list (sh:in) or a nested shape
        said += f" {short(bound)}"
    return f"{said} not satisfied{by}"


def bare_iri(text: str) -> str:
    """Return an IRI the SHACL Engine gives in N-Triples form (``<iri>``) as the IRI alone."""
    return text[1:-1] if text.startswith("<") and text.endswith(">") else text


IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")


def number(text: str) -> Decimal | None:
    """Return a finite number written as ``text``, or None."""
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def unquote(text: str) -> str:
    """Return the text of a message pyrudof gives as a literal in Turtle form."""
    match = _QUOTED.match(text)
    if match is None:
        return text
    return match.group(1).replace('\\"', '"').replace("\\\\", "\\")


def short(term: object) -> str:
    """Return an IRI of ours, SHACL's or XSD's as a prefixed name (``tp:finishTime``)."""
    text = str(term)
    return compress(text, SHACL_NAMESPACES) or text


def full_iri(text: str) -> str:
    """Return a name a finding gives in short form (``tp:finishTime``) as the full IRI."""
    return expand(text, SHACL_NAMESPACES) or text


_TYPED = re.compile(r'^(".*")\^\^(?:<([^>]*)>|([A-Za-z][\w-]*):(\S*))$', re.DOTALL)


def severity_name(iri: str) -> str:
    """Return sh:Violation, sh:Warning, sh:Info by their local names, another severity whole.

    SHACL §2.1.5: any IRI may be a severity; a result of one of ours does not conform either.
    """
    text = iri.removeprefix("sh:")
    if text.startswith("Severity(") and text.endswith(")"):  # pyrudof's form of another IRI
        text = text.removeprefix("Severity(").removesuffix(")")
    return text.removeprefix(str(SH)) if text.startswith(str(SH)) or ":" not in text else text


def focus_term(text: str) -> str:
    """Return a focus node as findings give it: an IRI bare, anything else in N-Triples form.

    A literal is a focus node when a shape targets it (``sh:targetNode "x"``): each engine
    writes it its own way, as it does a value.
    """
    return value_term(text) if text.startswith(('"', "'")) else text


def value_term(text: str | None) -> str:
    """Return a result's value, as an engine gives it, in one N-Triples form for all engines.

    pyrudof writes a datatype as a prefixed name (``"1.5"^^xsd:decimal``); the SHACL Engine and
    pySHACL as an IRI. A string's xsd:string is left implicit (RDF 1.1: the same literal).
    """
    if not text:
        return ""
    match = _TYPED.match(text)
    if match is None:
        return text
    lexical, iri, prefix, local = match.groups()
    if iri is None:
        iri = PREFIXES.get(prefix, f"{prefix}:") + local
    return lexical if iri == str(XSD.string) else f"{lexical}^^<{iri}>"
