"""Prefixed names (CURIEs) and IRIs, both ways, over one table of namespaces.

Every part of kg that shows an IRI short (findings, query tables, pages, shape errors,
partition names) asks ``compress``; what differs is only which namespaces it may use and what
it shows of an IRI in none of them, so each caller passes those and nothing is done twice.
"""

from __future__ import annotations

from collections.abc import Mapping

from kg_build.defaults import PREFIXES, SHAPES_IRI

SH_IRI = "http://www.w3.org/ns/shacl#"
# Every namespace kg names by a prefix: the data's, the shapes' own and SHACL's.
NAMESPACES: Mapping[str, str] = {**PREFIXES, "tps": SHAPES_IRI, "sh": SH_IRI}
# Findings name the terms of shapes and their results: ours, the shapes', SHACL's and XSD's.
SHACL_NAMESPACES: Mapping[str, str] = {
    prefix: NAMESPACES[prefix] for prefix in ("tp", "tps", "sh", "xsd")
}


def compress(iri: str, namespaces: Mapping[str, str] = NAMESPACES) -> str | None:
    """Return ``prefix:local`` for an IRI in one of ``namespaces`` (the longest), else None."""
    found = [(len(ns), prefix, ns) for prefix, ns in namespaces.items() if iri.startswith(ns)]
    if not found:
        return None
    _, prefix, namespace = max(found)
    return f"{prefix}:{iri.removeprefix(namespace)}"


def expand(curie: str, namespaces: Mapping[str, str] = NAMESPACES) -> str | None:
    """Return the IRI of a prefixed name whose prefix ``namespaces`` knows, else None."""
    prefix, colon, local = curie.partition(":")
    namespace = namespaces.get(prefix) if colon else None
    return None if namespace is None else namespace + local


def curie_or_iri(iri: str, namespaces: Mapping[str, str] = NAMESPACES) -> str:
    """Return an IRI prefixed where it can be, else in angle brackets as SPARQL writes it."""
    return compress(iri, namespaces) or f"<{iri}>"
