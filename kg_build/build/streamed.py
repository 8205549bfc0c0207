"""The streamed driver, for large corpora: one article at a time, memory bounded by one article.

Each article is built by the per-article core (parse, extract, map and validate its whole
graph), then written out as sorted N-Triples or N-Quads (its own named graph). Lines of
entities that many articles share (NOCs, people, Games, editions …) are written once; an
entity that several articles describe is validated again at the end as the union holds it, so
the streamed build rejects what the in-memory build rejects. In N-Quads a line that several
articles state goes in the shared graph, as in the in-memory build: the first statement of
each shared line waits in a scratch file until the end, and memory keeps only a digest of it.
The order of the output follows the article files sorted by name (``build_order``), so the
same corpus gives the same bytes wherever it lies.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import IO

import pyoxigraph as ox
from msgspec import Struct

from kg_build.build.config import (
    Config,
    article_files,
    build_order,
    load_config,
    load_config_shapes,
)
from kg_build.build.lines import as_quads
from kg_build.build.merged import SharedLines
from kg_build.build.shared import (
    OntologyStated,
    OtherEditions,
    Placement,
    kept_links,
    links_ntriples,
)
from kg_build.build.stats import StreamStats
from kg_build.build.workers import builders
from kg_build.errors import ValidationFailed
from kg_build.rdf.iris import Iris
from kg_build.store.load import ONTOLOGY_GRAPH, open_store
from kg_build.validate import Validator

PLACED_CHUNK = 100_000  # held lines written out at a time, at the end


def build_stream(
    paths: Sequence[Path],
    config: Config,
    output: Path,
    quads: bool = False,
    store: Path | None = None,
    jobs: int = 1,
    scratch: Path | None = None,
) -> StreamStats:
    """Build article by article into ``output`` (N-Triples, or N-Quads with ``quads``).

    With ``store``, the lines also go into a new store at that folder. Both are written in
    place: the caller stages them (kg_build/publish/) and puts them in place when this
    returns. Temporary files go in ``scratch`` (default: beside ``output``). With ``jobs``
    above 1, articles are built in that many processes; the output keeps the order of the
    article files sorted by name, so it does not depend on ``jobs``.
    """
    stats = StreamStats()
    # Rules and shapes are checked here first: a worker that fails to load them cannot say why.
    loaded = load_config(config)
    shapes = load_config_shapes(config, loaded)
    Validator(shapes, config.validator, config.shapes)  # refuses what the engine cannot check
    links = loaded.links
    entities = frozenset(link.entity for link in links)
    linked: set[str] = set()  # the linked entities written
    iris = Iris(config.base)
    loader = _ChunkedLoad(store, quads, stats, loaded.ontology_nt) if store is not None else None
    folder = scratch or output.parent
    try:
        with (
            output.open("wb") as out,
            tempfile.NamedTemporaryFile(dir=folder, prefix=".shared.") as side,
            _held_file(folder, quads) as held,
            builders(build_order(article_files(paths)), config, jobs) as built,
        ):
            writer = _Writer(out, loader, stats, quads)
            shared = SharedLines(side, Placement(iris.shared_graph()), held)
            editions = OtherEditions()
            for article in built.articles():
                stats.add(article)
                linked |= entities & article.subjects
                with stats.stage("serialize"):
                    # The event itself is not the article's alone: other articles name it
                    # as an edition of theirs (label, sport, …). Its rounds, results … are.
                    own = (f"{article.event}/", f"{article.name}>", f"{article.name}/")
                    mine = tuple(f"<{prefix}".encode() for prefix in own)
                    ntriples = editions.hold(article.ntriples, article.name, article.event)
                    lines = shared.keep(ntriples.splitlines(keepends=True), mine, article.name)
                    writer.write(lines, article.name)
            for line, names in editions.undescribed():
                side.write(line)
                for _ in names:  # each article stating it counts
                    shared.placement.first(line)
                shared.offer(line, names[0])
                if not quads:
                    writer.write([line], names[0])
            writer.write_placed(shared.placed())
            link_nt = links_ntriples(loaded, kept_links(links, linked, loaded))
            side.write(link_nt)  # links of shared entities are part of what they merge
            writer.write(link_nt.splitlines(keepends=True), iris.links_graph())
            if shared.merged:
                side.flush()
                with stats.stage("validate"):  # CPU seconds: the pool's, added below
                    findings, cpu = built.check_merged(Path(side.name), shared.merged)
                stats.cpu["validate"] += cpu
                violations = [f for f in findings if f.severity == "Violation"]
                if violations:
                    raise ValidationFailed("the shared entities", violations, "nothing written")
                stats.warnings += findings
        if loader is not None:
            loader.finish(loaded.ontology_nt)
    finally:
        if loader is not None:
            loader.close()
    return stats


def _held_file(folder: Path, quads: bool) -> AbstractContextManager[IO[bytes] | None]:
    """Return the scratch file for shared lines waiting for their graph (N-Quads only)."""
    if not quads:
        return nullcontext(None)
    return tempfile.TemporaryFile(dir=folder, prefix=".held.")


class _Writer(Struct):
    """Write lines to the output (as N-Quads in their graph with ``quads``) and the store."""

    out: IO[bytes]
    loader: _ChunkedLoad | None
    stats: StreamStats
    quads: bool

    def write(self, lines: list[bytes], graph: str) -> None:
        """Write one graph's lines (N-Triples) in order, or sorted as N-Quads."""
        written = as_quads(lines, graph) if self.quads else lines
        self.out.writelines(written)
        self.stats.lines += len(written)
        if self.loader is not None:
            self.loader.add(written)

    def write_placed(self, placed: Iterable[tuple[str, bytes]]) -> None:
        """Write the held lines in their graphs, a chunk at a time."""
        chunk: dict[str, list[bytes]] = {}
        count = 0
        for graph, line in placed:
            chunk.setdefault(graph, []).append(line)
            count += 1
            if count == PLACED_CHUNK:
                self._write_chunk(chunk)
                chunk, count = {}, 0
        self._write_chunk(chunk)

    def _write_chunk(self, chunk: dict[str, list[bytes]]) -> None:
        for graph in sorted(chunk):
            self.write(chunk[graph], graph)


class _ChunkedLoad:
    """Load the written lines into a new store in bounded chunks.

    One bulk load of the whole output holds memory in proportion to the corpus (1.6 GB for
    5.9 M triples); chunks of 100,000 lines keep it near 300 MB whatever the size. The store
    is a new generation that the build's publication puts in place only when the whole build
    succeeded, so a failed build leaves the old store as it was and a rebuild leaves no stale
    triples.
    """

    CHUNK_LINES = 100_000

    def __init__(self, target: Path, quads: bool, stats: StreamStats, ontology: bytes) -> None:
        self.format = ox.RdfFormat.N_QUADS if quads else ox.RdfFormat.N_TRIPLES
        self.quads = quads
        self.stats = stats
        self.pending: list[bytes] = []
        self.store: ox.Store | None = open_store(target)
        self.stated = OntologyStated(ontology)

    def add(self, lines: list[bytes]) -> None:
        """Queue lines; load them once a chunk is full."""
        self.pending += [line for line in lines if not self.stated.is_stated(line, self.quads)]
        if len(self.pending) >= self.CHUNK_LINES:
            self._flush()

    def _flush(self) -> None:
        if self.store is not None and self.pending:
            with self.stats.stage("load"):
                self.store.bulk_load(input=b"".join(self.pending), format=self.format)
        self.pending = []

    def finish(self, ontology: bytes) -> None:
        """Load what is left and the ontology (its own graph), and compact the store."""
        self._flush()
        assert self.store is not None
        with self.stats.stage("load"):
            self.store.bulk_load(
                input=ontology,
                format=ox.RdfFormat.N_TRIPLES,
                to_graph=ox.NamedNode(ONTOLOGY_GRAPH),
            )
            self.store.flush()
            # Chunked loads leave many small files; compacting them halves query times.
            self.store.optimize()

    def close(self) -> None:
        """Close the database, before its folder is put in place or removed."""
        self.store = None
