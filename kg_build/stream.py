"""The build for large corpora: one article at a time, memory bounded by one article.

Each article is parsed, extracted, mapped and validated (the people, NOCs, Games … it names
once per distinct description and process), then written out as sorted N-Triples or N-Quads
(its own named graph). Lines of entities that many articles share (NOCs, people, Games,
editions …) are written once; an entity that several articles describe is validated again at
the end as the union holds it, so the streamed build rejects what the in-memory build
rejects. The order of the output follows the sorted article files, so the same corpus gives
the same bytes.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import tempfile
import time
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import pyoxigraph as ox
from rdflib import Graph

from kg_build.defaults import RDF_TYPE, RDFS_LABEL, TP_IRI
from kg_build.errors import ValidationFailed
from kg_build.extract import extract_article
from kg_build.link.wikidata import LINK_SET, Link, load_link_set
from kg_build.mapping import apply_rules, as_sources, new_graph, record_sources, rules_to_ntriples
from kg_build.mapping.vocabulary import Descriptions
from kg_build.model import Diagnostic
from kg_build.parse.article import parse_article
from kg_build.pipeline import (
    Config,
    Loaded,
    _graph_file,
    article_files,
    check_diagnostics,
    load_config,
)
from kg_build.rdf.iris import Iris
from kg_build.rdf.namespaces import TP
from kg_build.rdf.serialize import graph_to_bytes
from kg_build.store.load import ONTOLOGY_GRAPH, open_store
from kg_build.validate import Finding, Validator, load_shapes, split_shapes

STAGES = ("parse", "extract", "map", "validate", "serialize", "load")


@dataclass
class StreamStats:
    """What a streamed build did: per-stage wall and CPU seconds, counts."""

    wall: dict[str, float] = field(default_factory=lambda: dict.fromkeys(STAGES, 0.0))
    cpu: dict[str, float] = field(default_factory=lambda: dict.fromkeys(STAGES, 0.0))
    articles: int = 0
    lines: int = 0
    warnings: list[str] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    shacl_warnings: int = 0  # of the warnings, the SHACL results (a build accepts them)

    def add(self, done: _Done) -> None:
        """Count one article built elsewhere, with its stage times and warnings."""
        self.articles += 1
        self.warnings += done.warnings
        self.diagnostics += done.diagnostics
        self.shacl_warnings += done.shacl_warnings
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
    diagnostics: tuple[Diagnostic, ...]
    wall: dict[str, float]
    cpu: dict[str, float]
    shacl_warnings: int = 0


class _Worker:
    """Everything an article's build needs, loaded once per process."""

    def __init__(self, config: Config) -> None:
        self.loaded = load_config(config)
        shapes = load_shapes(config.shapes, self.loaded.vocab)
        self.validator = _SplitValidator(shapes, config.validator, config.shapes)
        self.whole = Validator(shapes, config.validator, config.shapes)  # the merged check
        self.iris = Iris(config.base)
        self.strict = config.strict

    def check_merged(
        self, side: Path, merged: frozenset[bytes], batch: int
    ) -> tuple[list[Finding], float]:
        """Validate these merged subjects from the side file; return findings and CPU s."""
        cpu = time.process_time()
        with side.open("rb") as lines:
            found = _check_merged(lines, merged, self.whole, batch)
        return found, time.process_time() - cpu

    def build(self, path: Path) -> _Done:
        stats = StreamStats()
        ntriples, name, event = _one_article(path, self.loaded, self.validator, self.strict, stats)
        return _Done(
            name,
            event,
            ntriples,
            _subjects(ntriples),
            tuple(stats.warnings),
            tuple(stats.diagnostics),
            stats.wall,
            stats.cpu,
            stats.shacl_warnings,
        )


class _SplitValidator:
    """Validate an article's own resources with each article, shared entities once.

    People, NOCs, Games, venues and sports (shapes marked ``tps:sharedEntity``) recur in many
    articles with the same lines. Their shapes run on each distinct description once per
    process, with the rdf:type and tp:sourceFile lines of what it points to; the article's
    graph keeps only their rdf:type and rdfs:label lines, which the sh:class of its own
    resources and tps:DescribedValuesShape need
    (41.1 → 38.8 CPU ms an article, mean over 300 synthetic articles, in which people recur
    often). A description that differs between articles is validated again as merged at the
    end of the build.
    """

    def __init__(self, shapes: Graph, engine: str, source: Path | None = None) -> None:
        own, shared, classes = split_shapes(shapes)
        self.own = Validator(own, engine, source)
        self.shared = Validator(shared, engine, source)
        self.shared_types = frozenset(f"<{c}>".encode() for c in classes)
        self.checked: set[bytes] = set()  # digests of the shared descriptions validated

    def ntriples(self, ntriples: bytes, where: str) -> list[Finding]:
        """Validate one article's N-Triples; return the findings of both parts."""
        lines = ntriples.splitlines(keepends=True)
        typed: dict[bytes, bool] = {}  # subject: whether all its types are shared classes
        for line in lines:
            if _RDF_TYPE in line:
                subject, _, kind, _ = line.split(b" ", 3)
                typed[subject] = typed.get(subject, True) and kind in self.shared_types
        shared = {s for s, all_shared in typed.items() if all_shared}
        about: dict[bytes, list[bytes]] = {}
        own = []
        for line in lines:
            subject = _subject(line)
            if subject in shared:
                about.setdefault(subject, []).append(line)
                if _RDF_TYPE in line or _RDFS_LABEL in line:  # what what points to it needs
                    own.append(line)
            else:
                own.append(line)
        findings = self.own.ntriples(b"".join(own), where)
        fresh = []
        for subject in sorted(shared):
            digest = hashlib.blake2b(b"".join(about[subject]), digest_size=16).digest()
            if digest not in self.checked:
                self.checked.add(digest)
                fresh += about[subject]
        if fresh:
            fresh += _pointed_typing(fresh, _typing(lines), shared)
            findings += self.shared.ntriples(b"".join(fresh), where)
        return sorted(findings)


# One worker per pool process: a process pool's initializer can only hand over state so.
_PROCESS_WORKER: list[_Worker] = []


def _start_worker(config: Config) -> None:
    # One thread per pool process when pyrudof validates (the SHACL Engine runs on one): its
    # thread pool (rayon) starts one per core in each process, and with a process per core
    # they contend (200 articles on 2 cores: 8.3 → 7.4 s wall). Set before pyrudof is first
    # imported here, which is when the pool is sized.
    os.environ.setdefault("RAYON_NUM_THREADS", "1")
    _PROCESS_WORKER.append(_Worker(config))


def _build_in_worker(path: Path) -> _Done:
    return _PROCESS_WORKER[0].build(path)


def _check_in_worker(
    side: Path, merged: frozenset[bytes], batch: int
) -> tuple[list[Finding], float]:
    return _PROCESS_WORKER[0].check_merged(side, merged, batch)


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
    sorted article files, so it does not depend on ``jobs``.
    """
    stats = StreamStats()
    # Rules and shapes are checked here first: a worker that fails to load them cannot say why.
    loaded = load_config(config)
    shapes = load_shapes(config.shapes, loaded.vocab)
    split_shapes(shapes, config.shapes)
    Validator(shapes, config.validator, config.shapes)  # refuses what the engine cannot check
    links = load_link_set(config.mappings_for(LINK_SET), config.base).links
    linked: set[str] = set()
    ontology_nt = loaded.ontology.serialize(format="nt", encoding="utf-8")
    loader = _ChunkedLoad(store, quads, stats, ontology_nt) if store is not None else None
    try:
        with (
            output.open("wb") as out,
            tempfile.NamedTemporaryFile(dir=scratch or output.parent, prefix=".shared.") as side,
            _built(sorted(article_files(paths)), config, jobs) as builders,
        ):
            shared = _Shared(side)
            editions = _OtherEditions()
            for article in builders.articles():
                stats.add(article)
                linked |= {k.entity for k in links} & article.subjects
                with stats.stage("serialize"):
                    # The event itself is not the article's alone: other articles name it
                    # as an edition of theirs (label, sport, …). Its rounds, results … are.
                    own = (f"{article.event}/", f"{article.name}>", f"{article.name}/")
                    ntriples = editions.hold(article.ntriples, article.name, article.event)
                    lines = _lines(ntriples, article.name if quads else None, own, shared)
                    out.writelines(lines)
                    stats.lines += len(lines)
                if loader is not None:
                    loader.add(lines)
            for name, typing in editions.undescribed():
                side.write(typing)
                typing_lines = _lines(typing, name if quads else None, (), None)
                out.writelines(typing_lines)
                stats.lines += len(typing_lines)
                if loader is not None:
                    loader.add(typing_lines)
            link_nt = _links(loaded, links, linked)
            side.write(link_nt)  # links of shared entities are part of what they merge
            link_lines = _lines(
                link_nt, Iris(config.base).links_graph() if quads else None, (), None
            )
            out.writelines(link_lines)
            stats.lines += len(link_lines)
            if shared.merged:
                side.flush()
                with stats.stage("validate"):  # CPU seconds: the pool's, added below
                    findings, cpu = builders.check_merged(Path(side.name), shared.merged)
                stats.cpu["validate"] += cpu
                violations = [str(f) for f in findings if f.severity == "Violation"]
                if violations:
                    raise ValidationFailed("the shared entities", violations, "nothing written")
                stats.warnings += [str(f) for f in findings]
        if loader is not None:
            loader.add(link_lines)
            loader.finish(ontology_nt)
    finally:
        if loader is not None:
            loader.close()
    return stats


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
        # The ontology's graph states the vocabulary's descriptions the data lines copy for
        # users of the file: the store leaves them to it, so that it answers each triple once.
        self.stated = frozenset(line[:-3] for line in ontology.splitlines(keepends=True))

    def add(self, lines: list[bytes]) -> None:
        """Queue lines; load them once a chunk is full."""
        self.pending += [line for line in lines if not self._stated(line)]
        if len(self.pending) >= self.CHUNK_LINES:
            self._flush()

    def _stated(self, line: bytes) -> bool:
        if not line.startswith(_TP_SUBJECT):
            return False
        triple = line.rsplit(b" ", 2)[0] if self.quads else line[:-3]
        return triple in self.stated

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


@contextmanager
def _built(paths: list[Path], config: Config, jobs: int) -> Iterator[_Builders]:
    """Yield what builds the articles and checks merged entities: this process or a pool."""
    if jobs <= 1:
        yield _Builders(paths, 1, None, _Worker(config))
        return
    # Spawned, not forked: a fork copies pyrudof's thread pool without its threads, and a
    # worker then waits forever for them (seen when this process had validated with it).
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        jobs, mp_context=spawn, initializer=_start_worker, initargs=(config,)
    ) as pool:
        yield _Builders(paths, jobs, pool, None)


@dataclass
class _Builders:
    """The article builds, in order, and the merged check, in this process or in a pool.

    In a pool the merged check is split over the processes, which have their shapes loaded
    already; the main process stays out of the SHACL engine, whose memory grows over the
    check's batches and stays with the process (with pyrudof it had set the build's peak:
    356 MB at 10,000 articles, 1.5 times that at 1,000).
    """

    paths: list[Path]
    jobs: int
    pool: ProcessPoolExecutor | None
    worker: _Worker | None

    def articles(self) -> Iterator[_Done]:
        """Yield the built articles in the order of the paths."""
        if self.worker is not None:
            return (self.worker.build(p) for p in self.paths)
        assert self.pool is not None
        return self.pool.map(_build_in_worker, self.paths, chunksize=4)

    def check_merged(self, side: Path, merged: set[bytes]) -> tuple[list[Finding], float]:
        """Validate the merged entities described in ``side``; return findings and CPU s."""
        subjects = sorted(merged)
        share = -(-len(subjects) // self.jobs)
        parts = [frozenset(subjects[i : i + share]) for i in range(0, len(subjects), share)]
        if self.worker is not None:
            done = [self.worker.check_merged(side, part, _MERGED_BATCH) for part in parts]
        else:
            assert self.pool is not None
            n = len(parts)
            done = list(self.pool.map(_check_in_worker, [side] * n, parts, [_MERGED_BATCH] * n))
        return sorted(f for found, _ in done for f in found), sum(cpu for _, cpu in done)


def _one_article(
    path: Path, loaded: Loaded, validator: _SplitValidator, strict: bool, stats: StreamStats
) -> tuple[bytes, str, str]:
    """Parse, extract, map and validate one article; a violation stops the build."""
    with stats.stage("parse"):
        article = parse_article(path)
    with stats.stage("extract"):
        extraction = extract_article(article, loaded.inputs, _graph_file(article))
        check_diagnostics(extraction.diagnostics, strict)
    with stats.stage("map"):
        ntriples = rules_to_ntriples(loaded.rules, record_sources(extraction), loaded.vocab)
        ntriples = _describe_used(ntriples, loaded.descriptions)
    with stats.stage("validate"):
        findings = validator.ntriples(ntriples, article.path)
        violations = [str(f) for f in findings if f.severity == "Violation"]
        if violations:
            raise ValidationFailed(article.path, violations, "nothing written")
    stats.warnings += [str(d) for d in extraction.diagnostics] + [str(f) for f in findings]
    stats.diagnostics += extraction.diagnostics
    stats.shacl_warnings += len(findings)  # no violation is left: a build accepts the rest
    return ntriples, extraction.article.iri, extraction.event.iri


def _subjects(ntriples: bytes) -> frozenset[str]:
    """Return the subject IRIs of N-Triples lines (each starts with ``<subject>``)."""
    return frozenset(
        line[1 : line.index(b">")].decode("utf-8")
        for line in ntriples.splitlines()
        if line.startswith(b"<")
    )


class _OtherEditions:
    """The tp:OtherEdition typing of editions, held back until every article is built.

    An edition an article names only as previous or next is a tp:OtherEdition, unless an
    article of the build describes it (a tp:Event): as in the in-memory build
    (``drop_described_editions``), its typing is written at the end, and only where no article
    described the edition. Two lines at most per article are held.
    """

    def __init__(self) -> None:
        self.held: dict[bytes, str] = {}  # typing line → the first article that states it
        self.events: set[bytes] = set()

    def hold(self, ntriples: bytes, name: str, event: str) -> bytes:
        """Return the article's lines without its tp:OtherEdition typing, which is kept."""
        self.events.add(f"<{event}>".encode())
        if _OTHER_EDITION not in ntriples:
            return ntriples
        kept = []
        for line in ntriples.splitlines(keepends=True):
            if line.endswith(_OTHER_EDITION):
                self.held.setdefault(line, name)
            else:
                kept.append(line)
        return b"".join(kept)

    def undescribed(self) -> list[tuple[str, bytes]]:
        """Return the held typing of editions no article described, with the article named."""
        return [(n, line) for line, n in self.held.items() if _subject(line) not in self.events]


class _Shared:
    """Lines about resources that several articles may describe, and which of them merged.

    Such a line is written the first time only, so memory grows with the shared entities,
    not with the corpus. A subject that gets new lines from a second article has a merged
    description no single article's validation saw: it is validated again at the end, from
    ``side``, a file of what that needs (the shared lines, and the rdf:type, rdfs:label and
    tp:sourceFile lines of all), a tenth of the output.
    """

    def __init__(self, side: IO[bytes]) -> None:
        self.side = side
        self.written: set[bytes] = set()
        self.subjects: set[bytes] = set()
        self.merged: set[bytes] = set()

    def keep(self, lines: list[bytes], mine: tuple[bytes, ...]) -> list[bytes]:
        """Return the lines to write: the article's own, and shared lines not yet written."""
        kept, first = [], set()
        for line in lines:
            if line.startswith(mine):
                kept.append(line)
                if _RDF_TYPE in line or _SOURCE_FILE in line or _RDFS_LABEL in line:
                    self.side.write(line)
                continue
            digest = hashlib.blake2b(line, digest_size=12).digest()
            if digest in self.written:
                continue
            self.written.add(digest)
            subject = _subject(line)
            key = hashlib.blake2b(subject, digest_size=12).digest()
            if key in self.subjects:
                self.merged.add(subject)
            else:
                first.add(key)
            kept.append(line)
            self.side.write(line)
        self.subjects |= first
        return kept


def _lines(
    ntriples: bytes, name: str | None, own: tuple[str, ...], shared: _Shared | None
) -> list[bytes]:
    """Return one article's sorted lines; a triple about another resource only once.

    Triples about the article and about what is under its event (rounds, races, results …)
    are its own; triples about the event itself (other articles name it as an edition),
    people, NOCs, Games … may recur in other articles. In N-Quads a shared triple stays in
    the graph of the first article that states it.
    """
    lines = ntriples.splitlines(keepends=True)
    mine = tuple(f"<{prefix}".encode() for prefix in own)
    kept = shared.keep(lines, mine) if shared is not None else lines
    if name is None:
        return kept
    graph_name = ox.NamedNode(name)
    triples = ox.parse(b"".join(kept), ox.RdfFormat.N_TRIPLES)
    quads = [ox.Quad(q.subject, q.predicate, q.object, graph_name) for q in triples]
    return sorted(
        (ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b"").splitlines(keepends=True)
    )


_TP_SUBJECT = f"<{TP_IRI}".encode()
_RDF_TYPE = f" <{RDF_TYPE}> ".encode()
_RDFS_LABEL = f" <{RDFS_LABEL}> ".encode()
_OTHER_EDITION = f" <{RDF_TYPE}> <{TP.OtherEdition}> .\n".encode()
_SOURCE_FILE = f" <{TP.sourceFile}> ".encode()


def _typing(lines: Iterable[bytes], of: set[bytes] | None = None) -> dict[bytes, list[bytes]]:
    """Return the rdf:type, rdfs:label and tp:sourceFile lines by subject (those ``of``)."""
    typing: dict[bytes, list[bytes]] = {}
    for line in lines:
        if _RDF_TYPE in line or _SOURCE_FILE in line or _RDFS_LABEL in line:
            subject = _subject(line)
            if of is None or subject in of:
                typing.setdefault(subject, []).append(line)
    return typing


def _pointed_typing(
    lines: list[bytes], typing: dict[bytes, list[bytes]], inside: set[bytes]
) -> list[bytes]:
    """Return the typing lines of the IRIs ``lines`` point to, other than those ``inside``.

    A partial graph needs them: sh:class reads the rdf:type of a value, tps:DescribedValuesShape
    its rdf:type and rdfs:label, and a finding's file:line comes from tp:sourceFile.
    """
    pointed = {t for t in map(_iri_object, lines) if t and t in typing and t not in inside}
    return [line for t in sorted(pointed) for line in typing[t]]


def _check_merged(
    side: IO[bytes], merged: frozenset[bytes], validator: Validator, batch_size: int
) -> list[Finding]:
    """Validate the merged descriptions of shared entities, read back from ``side``.

    Each batch of subjects is validated with every line about them and the rdf:type (for
    sh:class) and tp:sourceFile (for the file:line of a finding) lines of the IRIs those
    lines point to; only violations about the batch's subjects count, since the rest of its
    graph is partial. Batches keep the engine's memory bounded (with pyrudof a batch of 1,000
    events took 460 MB, of 100 events 125 MB) and a batch's time independent of the corpus
    (the SHACL Engine's SPARQL constraints cost somewhat more per subject in a larger graph).
    """
    about: dict[bytes, list[bytes]] = {}
    side.seek(0)
    for line in side:
        subject = _subject(line)
        if subject in merged:
            about.setdefault(subject, []).append(line)
    targets = {t for lines in about.values() for t in map(_iri_object, lines) if t}
    side.seek(0)
    typing = _typing(side, targets)
    found: list[Finding] = []
    subjects = sorted(merged)
    for start in range(0, len(subjects), batch_size):
        batch = subjects[start : start + batch_size]
        lines = [line for s in batch for line in about.get(s, [])]
        lines += _pointed_typing(lines, typing, set(batch))
        focus = {s[1:-1].decode("utf-8") for s in batch}
        findings = validator.ntriples(b"".join(lines), "shared entities")
        # Warnings (stated counts against entries …) need the articles' own lines, absent
        # here; each article's own validation has reported them already.
        found += [f for f in findings if f.focus in focus and f.severity == "Violation"]
    return found


_MERGED_BATCH = 100


def _subject(line: bytes) -> bytes:
    """Return the subject of an N-Triples or N-Quads line as written: ``<iri>``."""
    return line[: line.index(b" ")]


def _describe_used(ntriples: bytes, descriptions: Descriptions) -> bytes:
    """Return sorted N-Triples with the description of each individual used as an object."""
    lines = ntriples.splitlines(keepends=True)
    used = {o for o in map(_iri_object, lines) if o is not None and o in descriptions.lines}
    if not used:
        return ntriples
    added = b"".join(descriptions.lines[iri] for iri in sorted(used))
    return b"".join(sorted(set(lines) | set(added.splitlines(keepends=True))))


def _iri_object(line: bytes) -> bytes | None:
    obj = line.split(b" ", 2)[2]
    return obj[: obj.index(b">") + 1] if obj.startswith(b"<") else None


def _links(loaded: Loaded, links: Sequence[Link], subjects: set[str]) -> bytes:
    """Return the curated links of the entities written (and of ontology individuals)."""
    present = [k for k in links if k.entity in subjects | loaded.vocab.individuals]
    graph = new_graph()
    apply_rules(loaded.rules, as_sources({"links": present}), loaded.vocab, graph)
    return graph_to_bytes(graph, "nt")
