"""What a streamed build reports: per-stage times, counts, diagnostics and findings."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from msgspec import Struct, field

from kg_build.model import Diagnostic
from kg_build.validate import Finding

STAGES = ("parse", "extract", "map", "validate", "serialize", "load")


class ArticleDone(Struct, frozen=True):
    """One article built, maybe in a worker: its graph as N-Triples and what it reports."""

    name: str
    event: str
    ntriples: bytes
    subjects: frozenset[str]
    diagnostics: tuple[Diagnostic, ...]
    findings: tuple[Finding, ...]  # its SHACL results, none a violation
    wall: dict[str, float]
    cpu: dict[str, float]


class StreamStats(Struct):
    """What a streamed build did: per-stage wall and CPU seconds, counts, what it warns of."""

    wall: dict[str, float] = field(default_factory=lambda: dict.fromkeys(STAGES, 0.0))
    cpu: dict[str, float] = field(default_factory=lambda: dict.fromkeys(STAGES, 0.0))
    articles: int = 0
    lines: int = 0
    warnings: list[Diagnostic | Finding] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    shacl_warnings: int = 0  # of the warnings, the SHACL results (a build accepts them)

    def add(self, done: ArticleDone) -> None:
        """Count one article built elsewhere, with its stage times and warnings."""
        self.articles += 1
        self.warnings += [*done.diagnostics, *done.findings]
        self.diagnostics += done.diagnostics
        self.shacl_warnings += len(done.findings)
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
