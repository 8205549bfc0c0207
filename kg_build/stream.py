"""The build for large corpora: one article at a time, memory bounded by one article.

Each article is parsed, extracted, mapped and validated on its own (no shape relates two
articles), then written out as sorted N-Triples or N-Quads (its own named graph). Lines of
entities that many articles share (NOCs, Games, sports, venues …) are written once. The
order of the output follows the sorted article files, so the same corpus gives the same bytes.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph
from rdflib.term import Node

from kg_build.errors import ValidationFailed
from kg_build.extract import extract_article
from kg_build.iris import Iris
from kg_build.link import load_link_set
from kg_build.mapping import apply_rules, as_sources, named_dataset, new_graph, record_sources
from kg_build.parse import parse_article
from kg_build.pipeline import Config, _graph_file, bundled_sources, load_config
from kg_build.serialize import dataset_to_bytes, graph_to_bytes
from kg_build.validate import load_shapes, validate_graph

STAGES = ("parse", "extract", "map", "validate", "serialize", "load")


@dataclass
class StreamStats:
    """What a streamed build did: per-stage wall and CPU seconds, counts."""

    wall: dict[str, float] = field(default_factory=lambda: dict.fromkeys(STAGES, 0.0))
    cpu: dict[str, float] = field(default_factory=lambda: dict.fromkeys(STAGES, 0.0))
    articles: int = 0
    lines: int = 0
    warnings: list[str] = field(default_factory=list)

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        """Time one stage, adding to its totals."""
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            yield
        finally:
            self.wall[name] += time.perf_counter() - wall
            self.cpu[name] += time.process_time() - cpu


def build_stream(
    paths: Sequence[Path],
    config: Config,
    output: Path,
    quads: bool = False,
    store: Path | None = None,
) -> StreamStats:
    """Build article by article into ``output`` (N-Triples, or N-Quads with ``quads``)."""
    stats = StreamStats()
    loaded = load_config(config)
    shapes = load_shapes(config.shapes)
    links = load_link_set(config.mappings, config.base).links
    iris = Iris(config.base)
    written: set[bytes] = set()
    oxstore = ox.Store(str(store)) if store else None
    output.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(dir=output.parent, prefix=f".{output.name}.", suffix=".tmp")
    linked_subjects: set[str] = set()
    prepared: dict[object, object] = {}  # SHACL-SPARQL queries parsed once for all articles
    try:
        with os.fdopen(handle, "wb") as out:
            for path in sorted(paths or bundled_sources()):
                graph, name, event = _one_article(path, loaded, shapes, iris, stats, prepared)
                linked_subjects |= {k.subject for k in links} & {str(s) for s in graph.subjects()}
                with stats.stage("serialize"):
                    own = (event, f"{event}/", name)
                    lines = _lines(graph, name if quads else None, own, written)
                    out.writelines(lines)
                    stats.lines += len(lines)
                if oxstore is not None:
                    with stats.stage("load"):
                        oxstore.bulk_load(
                            graph_to_bytes(graph, "nt"),
                            ox.RdfFormat.N_TRIPLES,
                            to_graph=ox.NamedNode(name),
                        )
            subjects = linked_subjects | loaded.vocab.individuals
            link_lines = _links(loaded, links, subjects, iris, quads)
            out.writelines(link_lines)
            stats.lines += len(link_lines)
        os.replace(tmp, output)
    finally:
        Path(tmp).unlink(missing_ok=True)
    return stats


def _one_article(
    path: Path,
    loaded: object,
    shapes: Graph,
    iris: Iris,
    stats: StreamStats,
    prepared: dict[object, object],
) -> tuple[Graph, str, str]:
    from kg_build.pipeline import Loaded

    assert isinstance(loaded, Loaded)
    with stats.stage("parse"):
        article = parse_article(path)
    with stats.stage("extract"):
        extraction = extract_article(
            article, loaded.settings, loaded.reference, loaded.vocab, iris, _graph_file(article)
        )
    with stats.stage("map"):
        graph = new_graph()
        apply_rules(loaded.rules, record_sources(extraction), loaded.vocab, graph)
    with stats.stage("validate"):
        findings = validate_graph(graph, shapes, article.path, prepared)
        violations = [str(f) for f in findings if f.severity == "Violation"]
        if violations:
            raise ValidationFailed(article.path, violations, "nothing written")
    stats.articles += 1
    stats.warnings += [str(w) for w in extraction.warnings] + [str(f) for f in findings]
    return graph, extraction.article.iri, extraction.event.iri


def _lines(
    graph: Graph, name: str | None, own: tuple[str, ...], written: set[bytes]
) -> list[bytes]:
    """Return one article's sorted lines; a triple about another resource only once.

    Triples about the article's event (and everything under it) are its own; triples about
    people, NOCs, Games, editions … may recur in other articles and are written the first
    time only, so memory grows with the shared entities, not with the corpus. In N-Quads a
    shared triple stays in the graph of the first article that states it.
    """
    kept = new_graph()
    for triple in graph:
        if own and not str(triple[0]).startswith(own):
            digest = hashlib.blake2b(graph_to_bytes(_single(triple), "nt"), digest_size=12).digest()
            if digest in written:
                continue
            written.add(digest)
        kept.add(triple)
    if name is None:
        return graph_to_bytes(kept, "nt").splitlines(keepends=True)
    return dataset_to_bytes(named_dataset([(name, kept)]), "nquads").splitlines(keepends=True)


def _single(triple: tuple[Node, Node, Node]) -> Graph:
    graph = Graph()
    graph.add(triple)
    return graph


def _links(
    loaded: object, links: Sequence[object], subjects: set[str], iris: Iris, quads: bool
) -> list[bytes]:
    from kg_build.pipeline import Loaded

    assert isinstance(loaded, Loaded)
    graph = new_graph()
    present = [k for k in links if getattr(k, "subject", None) in subjects]
    apply_rules(loaded.rules, as_sources({"links": present}), loaded.vocab, graph)
    return _lines(graph, iris.links_graph() if quads else None, (), set())
