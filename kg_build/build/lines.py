"""The N-Triples lines the build passes between its steps, and what it reads off them.

The mapping executor writes each article's graph as canonical N-Triples (``rules_to_ntriples``,
the form pyoxigraph writes): one triple a line, ``<s> <p> object .``. An IRI holds no space
(RDF 1.1 Concepts §3.2; pyoxigraph refuses one when it checks each IRI), so a line's subject
ends at its first space and its object starts after its second; a literal object may hold
spaces, which is why nothing here splits further than that.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Iterable

import pyoxigraph as ox

from kg_build.defaults import RDF_TYPE, RDFS_LABEL, TP_IRI
from kg_build.mapping.vocabulary import Descriptions
from kg_build.rdf.namespaces import TP

TP_SUBJECT = f"<{TP_IRI}".encode()
RDF_TYPE_LINE = f" <{RDF_TYPE}> ".encode()
RDFS_LABEL_LINE = f" <{RDFS_LABEL}> ".encode()
OTHER_EDITION_LINE = f" <{RDF_TYPE}> <{TP.OtherEdition}> .\n".encode()
SOURCE_FILE_LINE = f" <{TP.sourceFile}> ".encode()


def subject_of(line: bytes) -> bytes:
    """Return the subject of an N-Triples or N-Quads line as written: ``<iri>``."""
    return line[: line.index(b" ")]


def iri_object(line: bytes) -> bytes | None:
    """Return the object of an N-Triples line as written if it is an IRI, else None."""
    obj = line.split(b" ", 2)[2]
    return obj[: obj.index(b">") + 1] if obj.startswith(b"<") else None


def subject_iris(ntriples: bytes) -> frozenset[str]:
    """Return the subject IRIs of N-Triples lines."""
    subjects = {line[: line.index(b" ")] for line in ntriples.splitlines() if line[:1] == b"<"}
    return frozenset(s[1:-1].decode("utf-8") for s in subjects)  # each distinct one decoded once


_TYPING_PREDICATES = tuple(p[1:] for p in (RDF_TYPE_LINE, RDFS_LABEL_LINE, SOURCE_FILE_LINE))


def is_typing(line: bytes) -> bool:
    """Whether a line is an rdf:type, rdfs:label or tp:sourceFile triple."""
    # The predicate starts after the subject's end, the line's first space: read there only.
    return line.startswith(_TYPING_PREDICATES, line.index(b" ") + 1)


def typing_by_subject(
    lines: Iterable[bytes], of: set[bytes] | None = None
) -> dict[bytes, list[bytes]]:
    """Return the rdf:type, rdfs:label and tp:sourceFile lines by subject (those ``of``)."""
    typing: dict[bytes, list[bytes]] = {}
    for line in lines:
        if is_typing(line):
            subject = subject_of(line)
            if of is None or subject in of:
                typing.setdefault(subject, []).append(line)
    return typing


def pointed_typing(
    lines: list[bytes], typing: dict[bytes, list[bytes]], inside: set[bytes]
) -> list[bytes]:
    """Return the typing lines of the IRIs ``lines`` point to, other than those ``inside``.

    A partial graph needs them: sh:class reads the rdf:type of a value, tps:DescribedValuesShape
    its rdf:type and rdfs:label, and a finding's file:line comes from tp:sourceFile.
    """
    pointed = {t for t in map(iri_object, lines) if t and t in typing and t not in inside}
    return [line for t in sorted(pointed) for line in typing[t]]


def describe_used(ntriples: bytes, descriptions: Descriptions) -> bytes:
    """Return sorted N-Triples with the description of each individual used as an object."""
    used = set(_individual_objects(tuple(descriptions.lines)).findall(ntriples))
    if not used:
        return ntriples
    lines = ntriples.splitlines(keepends=True)
    added = b"".join(descriptions.lines[iri] for iri in sorted(used))
    for line in sorted(set(added.splitlines(keepends=True))):  # into the sorted lines, once
        at = bisect.bisect_left(lines, line)
        if at == len(lines) or lines[at] != line:
            lines.insert(at, line)
    return b"".join(lines)


@functools.cache
def _individual_objects(individuals: tuple[bytes, ...]) -> re.Pattern[bytes]:
    # An IRI object ends its line (`` <iri> .\n``), which no literal can hold (N-Triples
    # escapes a newline in a string): one search finds every use, three times faster (with
    # the insertion above) than reading each line's object and sorting the lines again.
    return re.compile(b" (" + b"|".join(map(re.escape, sorted(individuals))) + rb") \.\n")


def as_quads(lines: list[bytes], name: str) -> list[bytes]:
    """Return N-Triples lines as sorted N-Quads lines in the graph ``name``."""
    if not lines:
        return []
    graph = ox.NamedNode(name)
    triples = ox.parse(b"".join(lines), ox.RdfFormat.N_TRIPLES)
    quads = [ox.Quad(t.subject, t.predicate, t.object, graph) for t in triples]
    return sorted((ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b"").splitlines(True))


def in_graph(lines: Iterable[bytes], name: str) -> bytes:
    """Return N-Triples lines as N-Quads in the graph ``name``, as they come, for a store.

    Each line ends `` .\n`` (N-Triples puts one statement on a line, a newline in a literal
    escaped), so the graph goes before that end: a third of the time of ``as_quads``, which
    parses and writes them again (bundled: 18 ms) for files that must be byte for byte.
    """
    graph = b" <" + name.encode() + b"> .\n"
    quads = []
    for line in lines:
        if not line.endswith(b" .\n"):
            raise ValueError(f"not one N-Triples statement on its line: {line[:80]!r}")
        quads.append(line[:-3] + graph)
    return b"".join(quads)


def sorted_ntriples(lines: Iterable[bytes]) -> bytes:
    """Return distinct lines, sorted, as one N-Triples document."""
    return b"".join(sorted(set(lines)))
