"""The one N-Triples writer of the map stage: rule triples straight to sorted bytes."""

from __future__ import annotations

import re
from typing import Any

import pyoxigraph as ox

from kg_build.mapping.execute import rule_triples
from kg_build.mapping.rules import MappingRule
from kg_build.model.vocabulary import Vocabulary
from kg_build.rdf.ontology import XSD_STRING as _XSD_STRING


def rules_to_ntriples(
    rules: tuple[MappingRule, ...],
    sources: dict[str, list[dict[str, Any]]],
    vocab: Vocabulary,
    relative: bool = False,
) -> bytes:
    """Return the rules' triples as sorted N-Triples, written directly (no graph object).

    The same bytes as ``graph_to_bytes`` of the graph ``apply_rules`` fills, several times
    faster. Lines are formatted as pyoxigraph writes them (``ntriples_literal``); each distinct
    IRI is still checked by pyoxigraph. With ``relative``, an IRI without a scheme is kept as
    a relative reference (the VoID names its files relative to itself), for a Turtle writer.
    """
    iris: dict[str, str] = {}

    def iri(value: str) -> str:
        term = iris.get(value)
        if term is None:
            if not (relative and ":" not in value):
                ox.NamedNode(value)  # raises ValueError on a malformed IRI
            term = iris[value] = f"<{value}>"
        return term

    lines = set()
    known = iris.get
    for s, p, value, datatype in rule_triples(rules, sources, vocab):
        if datatype is None:
            obj = known(value) or iri(value)
        elif datatype == _XSD_STRING:
            obj = ntriples_literal(value)
        elif datatype.startswith("@"):
            obj = ntriples_literal(value) + datatype
        else:
            obj = f"{ntriples_literal(value)}^^{known(datatype) or iri(datatype)}"
        lines.add(f"{known(s) or iri(s)} {known(p) or iri(p)} {obj} .\n")
    # Code point order is UTF-8 byte order: the lines sort as the bytes did.
    return "".join(sorted(lines)).encode("utf-8")


# N-Triples string escapes, as pyoxigraph (oxrdf) writes them: the named ones, \uXXXX for other
# control characters; everything else, non-ASCII included, as is.
_ESCAPES = {c: f"\\u{c:04X}" for c in (*range(0x20), 0x7F)} | {
    0x08: "\\b",
    0x09: "\\t",
    0x0A: "\\n",
    0x0C: "\\f",
    0x0D: "\\r",
    0x22: '\\"',
    0x5C: "\\\\",
}
_NEEDS_ESCAPE = re.compile(r'[\x00-\x1f\x7f"\\]')


def ntriples_literal(value: str) -> str:
    """Return ``value`` as a quoted N-Triples string, escaped as pyoxigraph escapes it."""
    if _NEEDS_ESCAPE.search(value) is None:
        return f'"{value}"'
    return f'"{value.translate(_ESCAPES)}"'
