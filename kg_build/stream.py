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
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph

from kg_build.errors import ValidationFailed
from kg_build.extract import extract_article
from kg_build.iris import Iris
from kg_build.link import Link, load_link_set
from kg_build.mapping import apply_rules, as_sources, new_graph, record_sources
from kg_build.parse import parse_article
from kg_build.pipeline import Config, Loaded, _graph_file, article_files, load_config
from kg_build.serialize import graph_to_bytes
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

    def add(self, done: _Done) -> None:
        """Count one article built elsewhere, with its stage times and warnings."""
        self.articles += 1
        self.warnings += done.warnings
        for stage in done.wall:
            self.wall[stage] += done.wall[stage]
            self.cpu[stage] += done.cpu[stage]

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        """Time one stage, adding to its totals."""
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            yield
        finally:
            self.wall[name] += time.perf_counter() - wall
            self.cpu[name] += time.process_time() - cpu


@dataclass(frozen=True, slots=True)
class _Done:
    """One article built in a worker: its graph as N-Triples and what the build reports."""

    name: str
    event: str
    ntriples: bytes
    subjects: frozenset[str]
    warnings: tuple[str, ...]
    wall: dict[str, float]
    cpu: dict[str, float]


class _Worker:
    """Everything an article's build needs, loaded once per process."""

    def __init__(self, config: Config) -> None:
        self.loaded = load_config(config)
        self.shapes = load_shapes(config.shapes)
        self.iris = Iris(config.base)
        self.prepared: dict[object, object] = {}  # SHACL-SPARQL queries, parsed once

    def build(self, path: Path) -> _Done:
        stats = StreamStats()
        graph, name, event = _one_article(
            path, self.loaded, self.shapes, self.iris, stats, self.prepared
        )
        subjects = frozenset(str(s) for s in graph.subjects())
        return _Done(
            name,
            event,
            graph_to_bytes(graph, "nt"),
            subjects,
            tuple(stats.warnings),
            stats.wall,
            stats.cpu,
        )


# One worker per pool process: a process pool's initializer can only hand over state so.
_PROCESS_WORKER: list[_Worker] = []


def _start_worker(config: Config) -> None:
    _PROCESS_WORKER.append(_Worker(config))


def _build_in_worker(path: Path) -> _Done:
    return _PROCESS_WORKER[0].build(path)


def build_stream(
    paths: Sequence[Path],
    config: Config,
    output: Path,
    quads: bool = False,
    store: Path | None = None,
    jobs: int = 1,
) -> StreamStats:
    """Build article by article into ``output`` (N-Triples, or N-Quads with ``quads``).

    With ``jobs`` above 1, articles are built in that many processes; the output keeps the
    order of the sorted article files, so it does not depend on ``jobs``.
    """
    stats = StreamStats()
    links = load_link_set(config.mappings, config.base).links
    written: set[bytes] = set()
    output.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(dir=output.parent, prefix=f".{output.name}.", suffix=".tmp")
    linked: set[str] = set()
    try:
        with (
            os.fdopen(handle, "wb") as out,
            _built(sorted(article_files(paths)), config, jobs) as done,
        ):
            for article in done:
                stats.add(article)
                linked |= {k.subject for k in links} & article.subjects
                with stats.stage("serialize"):
                    own = (article.event, f"{article.event}/", article.name)
                    lines = _lines(article.ntriples, article.name if quads else None, own, written)
                    out.writelines(lines)
                    stats.lines += len(lines)
            link_lines = _links(config, links, linked, quads)
            out.writelines(link_lines)
            stats.lines += len(link_lines)
        os.replace(tmp, output)
    finally:
        Path(tmp).unlink(missing_ok=True)
    if store is not None:
        with stats.stage("load"):
            # One bulk load of the written file: far cheaper than one per article.
            rdf = ox.RdfFormat.N_QUADS if quads else ox.RdfFormat.N_TRIPLES
            ox.Store(str(store)).bulk_load(path=str(output), format=rdf)
    return stats


@contextmanager
def _built(paths: list[Path], config: Config, jobs: int) -> Iterator[Iterator[_Done]]:
    """Yield the built articles in order, from this process or from a pool."""
    if jobs <= 1:
        worker = _Worker(config)
        yield (worker.build(p) for p in paths)
        return
    with ProcessPoolExecutor(jobs, initializer=_start_worker, initargs=(config,)) as pool:
        yield pool.map(_build_in_worker, paths, chunksize=4)


def _one_article(
    path: Path,
    loaded: Loaded,
    shapes: Graph,
    iris: Iris,
    stats: StreamStats,
    prepared: dict[object, object],
) -> tuple[Graph, str, str]:
    """Parse, extract, map and validate one article; a violation stops the build."""
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
    stats.warnings += [str(w) for w in extraction.warnings] + [str(f) for f in findings]
    return graph, extraction.article.iri, extraction.event.iri


def _lines(
    ntriples: bytes, name: str | None, own: tuple[str, ...], written: set[bytes]
) -> list[bytes]:
    """Return one article's sorted lines; a triple about another resource only once.

    Triples about the article's event (and everything under it) are its own; triples about
    people, NOCs, Games, editions … may recur in other articles and are written the first
    time only, so memory grows with the shared entities, not with the corpus. In N-Quads a
    shared triple stays in the graph of the first article that states it.
    """
    mine = tuple(f"<{prefix}".encode() for prefix in own)
    kept = []
    for line in ntriples.splitlines(keepends=True):
        if mine and not line.startswith(mine):
            digest = hashlib.blake2b(line, digest_size=12).digest()
            if digest in written:
                continue
            written.add(digest)
        kept.append(line)
    if name is None:
        return kept
    graph_name = ox.NamedNode(name)
    triples = ox.parse(b"".join(kept), ox.RdfFormat.N_TRIPLES)
    quads = [ox.Quad(q.subject, q.predicate, q.object, graph_name) for q in triples]
    return sorted(
        (ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b"").splitlines(keepends=True)
    )


def _links(config: Config, links: Sequence[Link], subjects: set[str], quads: bool) -> list[bytes]:
    """Return the curated links of the entities written (and of ontology individuals)."""
    loaded = load_config(config)
    present = [k for k in links if k.subject in subjects | loaded.vocab.individuals]
    graph = new_graph()
    apply_rules(loaded.rules, as_sources({"links": present}), loaded.vocab, graph)
    name = Iris(config.base).links_graph() if quads else None
    return _lines(graph_to_bytes(graph, "nt"), name, (), set())
