"""Where a streamed build's articles are built: in this process, or in a pool of processes."""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from pathlib import Path

from msgspec import Struct

from kg_build.build.article import build_article
from kg_build.build.config import Config, load_config, load_config_shapes
from kg_build.build.merged import check_merged
from kg_build.build.stats import ArticleDone, StreamStats
from kg_build.collector import collect_less
from kg_build.rdf.iris import Iris
from kg_build.validate import Finding, Validator

MERGED_BATCH = 100  # subjects a merged check validates at once


class Worker:
    """Everything an article's build needs, loaded once per process."""

    def __init__(self, config: Config) -> None:
        self.loaded = load_config(config)
        shapes = load_config_shapes(config, self.loaded)
        # Each article's whole graph, then the merged descriptions at the end, with all shapes.
        # (Shared entities' shapes were once run apart, once per distinct description: with
        # tps:DescribedValuesShape in core SHACL, that split cost more in Python than it saved
        # in the engine; 150 synthetic articles: 1.23 → 0.92 CPU s whole.)
        self.validator = Validator(shapes, config.validator, config.shapes)
        self.iris = Iris(config.base)
        self.strict = config.strict

    def check_merged(
        self, side: Path, merged: frozenset[bytes], batch: int
    ) -> tuple[list[Finding], float]:
        """Validate these merged subjects from the side file; return findings and CPU s."""
        cpu = time.process_time()
        with side.open("rb") as lines:
            found = check_merged(lines, merged, self.validator, batch)
        return found, time.process_time() - cpu

    def build(self, path: Path) -> ArticleDone:
        """Build one article (``build_article``), timing its stages."""
        stats = StreamStats()
        built = build_article(path, self.loaded, self.validator.ntriples, stats.stage, self.strict)
        return ArticleDone(
            built.name,
            built.event,
            built.ntriples,
            built.subjects,
            built.diagnostics,
            built.findings,
            stats.wall,
            stats.cpu,
        )


# One worker per pool process: a process pool's initializer can only hand over state so.
_PROCESS_WORKER: list[Worker] = []


def _start_worker(config: Config) -> None:
    # One thread per pool process when pyrudof validates (the SHACL Engine runs on one): its
    # thread pool (rayon) starts one per core in each process, and with a process per core
    # they contend (200 articles on 2 cores: 8.3 → 7.4 s wall). Set before pyrudof is first
    # imported here, which is when the pool is sized.
    os.environ.setdefault("RAYON_NUM_THREADS", "1")
    collect_less()  # a spawned worker starts with the default thresholds (kg_build/collector.py)
    _PROCESS_WORKER.append(Worker(config))


def _build_in_worker(path: Path) -> ArticleDone:
    return _PROCESS_WORKER[0].build(path)


def _check_in_worker(
    side: Path, merged: frozenset[bytes], batch: int
) -> tuple[list[Finding], float]:
    return _PROCESS_WORKER[0].check_merged(side, merged, batch)


@contextmanager
def builders(paths: list[Path], config: Config, jobs: int) -> Iterator[Builders]:
    """Yield what builds the articles and checks merged entities: this process or a pool."""
    if jobs <= 1:
        yield Builders(paths, 1, None, Worker(config))
        return
    # Spawned, not forked: a fork copies pyrudof's thread pool without its threads, and a
    # worker then waits forever for them (seen when this process had validated with it).
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        jobs, mp_context=spawn, initializer=_start_worker, initargs=(config,)
    ) as pool:
        yield Builders(paths, jobs, pool, None)


class Builders(Struct):
    """The article builds, in order, and the merged check, in this process or in a pool.

    In a pool the merged check is split over the processes, which have their shapes loaded
    already; the main process stays out of the SHACL engine, whose memory grows over the
    check's batches and stays with the process (with pyrudof it had set the build's peak:
    356 MB at 10,000 articles, 1.5 times that at 1,000).
    """

    paths: list[Path]
    jobs: int
    pool: ProcessPoolExecutor | None
    worker: Worker | None

    def articles(self) -> Iterator[ArticleDone]:
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
            done = [self.worker.check_merged(side, part, MERGED_BATCH) for part in parts]
        else:
            assert self.pool is not None
            n = len(parts)
            done = list(self.pool.map(_check_in_worker, [side] * n, parts, [MERGED_BATCH] * n))
        return sorted(f for found, _ in done for f in found), sum(cpu for _, cpu in done)
