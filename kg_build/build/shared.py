"""The shared-entity step, the same for both drivers: which named graph a triple goes in.

- A triple that one article states goes in that article's graph; a triple that several
  articles state (a person, a NOC, the Games, a copied vocabulary description …) goes once in
  the shared graph (``Placement``).
- An edition an article names only as previous or next is a tp:OtherEdition, unless an article
  of the build describes it (``OtherEditions``).
- The curated links kept are those of the entities the graphs describe (``kept_links``).
- A store's data graphs leave the vocabulary's descriptions to the ontology's graph
  (``OntologyStated``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

from kg_build.build.config import Loaded
from kg_build.build.lines import OTHER_EDITION_LINE, TP_SUBJECT, sorted_ntriples, subject_of
from kg_build.mapping import as_sources, rules_to_ntriples
from kg_build.model.records import Link
from kg_build.rdf.rdffile import line_spans


def _digest(line: bytes) -> bytes:
    return hashlib.blake2b(line, digest_size=12).digest()


class Placement:
    """Which named graph each triple goes in: its one article's, or the shared graph.

    A store's default graph is the union of its named graphs; a triple in two graphs would
    answer twice there. Each triple therefore lives in exactly one named graph. Only a digest
    of each line is kept, so memory grows with the distinct triples offered, not their text.
    """

    def __init__(self, shared_graph: str) -> None:
        self.shared_graph = shared_graph
        self._again: dict[bytes, bool] = {}  # digest → stated by a second article

    def first(self, line: bytes) -> bool:
        """Count an article stating ``line``; return whether it is the first to."""
        key = _digest(line)
        if key in self._again:
            self._again[key] = True
            return False
        self._again[key] = False
        return True

    def graph_of(self, line: bytes, first: str) -> str:
        """Return the graph of a counted line that the article ``first`` stated first."""
        return self.shared_graph if self._again[_digest(line)] else first


def place(articles: Sequence[tuple[str, bytes]], shared_graph: str) -> list[tuple[str, bytes]]:
    """Return each article's graph and the shared graph (when it has triples), as N-Triples."""
    placement = Placement(shared_graph)
    firsts = [
        (name, [line for line in ntriples.splitlines(keepends=True) if placement.first(line)])
        for name, ntriples in articles
    ]
    graphs: dict[str, list[bytes]] = {name: [] for name, _ in articles}
    graphs[shared_graph] = []
    for name, lines in firsts:
        for line in lines:
            graphs[placement.graph_of(line, name)].append(line)
    return [
        (name, sorted_ntriples(lines))
        for name, lines in graphs.items()
        if lines or name != shared_graph
    ]


class OtherEditions:
    """The tp:OtherEdition typing of editions, held back until every article is built.

    An article types the editions it names only as previous or next tp:OtherEdition; where
    another article of the same build describes that edition, it is a tp:Event, and the union
    of the graphs must not call it both (``?e a tp:Event`` finds what the graph describes).
    The typing is given back at the end, only where no article described the edition, with
    the articles that state it (two lines at most per article are held).
    """

    def __init__(self) -> None:
        self.held: dict[bytes, list[str]] = {}  # typing line → the articles stating it
        self.events: set[bytes] = set()

    def hold(self, ntriples: bytes, name: str, event: str) -> bytes:
        """Return an article's lines without its tp:OtherEdition typing, which is kept."""
        self.events.add(f"<{event}>".encode())
        kept, done = [], 0
        for start, end in line_spans(ntriples, OTHER_EDITION_LINE):  # ~0.3 ms less an article
            self.held.setdefault(ntriples[start:end], []).append(name)
            kept.append(ntriples[done:start])
            done = end
        if not kept:
            return ntriples
        kept.append(ntriples[done:])
        return b"".join(kept)

    def undescribed(self) -> list[tuple[bytes, tuple[str, ...]]]:
        """Return the held typing of editions no article described, with its articles."""
        return [
            (line, tuple(names))
            for line, names in self.held.items()
            if subject_of(line) not in self.events
        ]


def kept_links(links: Sequence[Link], described: Iterable[str], loaded: Loaded) -> list[Link]:
    """Return the curated links of the entities described and of the ontology's individuals."""
    subjects = set(described) | loaded.vocab.individuals
    return [link for link in links if link.entity in subjects]


def links_ntriples(loaded: Loaded, links: Sequence[Link]) -> bytes:
    """Return the links graph of ``links`` as sorted N-Triples."""
    return rules_to_ntriples(loaded.rules, as_sources({"links": list(links)}), loaded.vocab)


class OntologyStated:
    """The triples a store's data graphs leave to the ontology's graph.

    A store answers each triple once: the ontology's graph states the vocabulary's
    descriptions that the data files copy for their users, so the data graphs leave them out.
    """

    def __init__(self, ontology_ntriples: bytes) -> None:
        self.stated = frozenset(line[:-3] for line in ontology_ntriples.splitlines(True))

    def is_stated(self, line: bytes, quad: bool = False) -> bool:
        """Whether the ontology's graph states the triple of an N-Triples (N-Quads) line."""
        if not line.startswith(TP_SUBJECT):  # the ontology describes only its own IRIs
            return False
        triple = line.rsplit(b" ", 2)[0] if quad else line[:-3]
        return triple in self.stated

    def data_lines(self, ntriples: bytes) -> bytes:
        """Return the N-Triples lines that the ontology's graph does not state."""
        lines = ntriples.splitlines(keepends=True)
        return b"".join(line for line in lines if not self.is_stated(line))
