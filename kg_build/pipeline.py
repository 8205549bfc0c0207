"""The build: parse → extract → map → validate → serialize (linking comes with its issue)."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rdflib import Graph
from rdflib.exceptions import ParserError
from rdflib.plugins.parsers.notation3 import BadSyntax

from kg_build.errors import SourceError, ValidationFailed
from kg_build.extract import extract_article
from kg_build.iris import Iris
from kg_build.mapping import (
    RULES_DIR,
    apply_rules,
    load_ontology,
    load_rules,
    new_graph,
    record_sources,
    vocabulary,
)
from kg_build.model import Article, Extraction
from kg_build.namespaces import DEFAULT_BASE
from kg_build.parse import parse_article, parse_bytes
from kg_build.reference import load_reference, load_settings
from kg_build.serialize import graph_to_bytes
from kg_build.validate import Finding, load_shapes, validate_graph

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SOURCES_DIR = PROJECT_ROOT / "sources"
STDIN = "-"
STDIN_NAME = "<stdin>"


@dataclass(frozen=True, slots=True)
class Config:
    """Where the ontology, mappings and shapes are, and the base of the data IRIs."""

    ontology: Path = PROJECT_ROOT / "ontology" / "tp.ttl"
    mappings: Path = PROJECT_ROOT / "mappings"
    shapes: Path = PROJECT_ROOT / "shapes"
    base: str = DEFAULT_BASE


@dataclass(frozen=True, slots=True)
class Built:
    """A validated graph, the records it came from and what the build reports."""

    graph: Graph
    extractions: tuple[Extraction, ...]
    warnings: tuple[str, ...]

    def serialize(self, fmt: str) -> bytes:
        """Return the graph in ``fmt``, byte-identical for the same input."""
        return graph_to_bytes(self.graph, fmt)


def bundled_sources() -> list[Path]:
    """Return the article files of the bundled ``sources/`` folder, sorted by name."""
    sources = sorted(SOURCES_DIR.glob("*.txt"))
    if not sources:
        raise SourceError(SOURCES_DIR.as_posix(), None, "no bundled articles (expected *.txt)")
    return sources


def parse_sources(paths: Sequence[Path]) -> tuple[Article, ...]:
    """Parse each article in order; ``-`` reads one article from standard input."""
    return tuple(_parse_one(p) for p in paths)


def _parse_one(path: Path) -> Article:
    if path.as_posix() == STDIN:
        return parse_bytes(sys.stdin.buffer.read(), STDIN_NAME)
    return parse_article(path)


def extract_sources(
    paths: Sequence[Path], config: Config = Config()
) -> tuple[tuple[Extraction, ...], Graph]:
    """Parse, extract and map ``paths`` (the bundled sources when empty); no validation."""
    articles = parse_sources(paths or bundled_sources())
    vocab = vocabulary(load_ontology(config.ontology))
    settings = load_settings(config.mappings)
    reference = load_reference(config.mappings)
    rules = load_rules(config.mappings / RULES_DIR, vocab)
    iris = Iris(config.base)
    graph = new_graph()
    extractions = []
    for article in articles:
        extraction = extract_article(
            article, settings, reference, vocab, iris, _graph_file(article)
        )
        apply_rules(rules, record_sources(extraction), vocab, graph)
        extractions.append(extraction)
    return tuple(extractions), graph


def records_json(paths: Sequence[Path], config: Config = Config()) -> bytes:
    """Return the records of ``paths`` as JSON, one list per mapping source name."""
    extractions, _ = extract_sources(paths, config)
    merged: dict[str, list[dict[str, Any]]] = {}
    for extraction in extractions:
        for name, records in record_sources(extraction).items():
            merged.setdefault(name, []).extend(records)
    text = json.dumps(dict(sorted(merged.items())), ensure_ascii=False, indent=2)
    return (text + "\n").encode("utf-8")


def _graph_file(article: Article) -> str:
    """Name an article's file in the graph: relative to the project, never absolute."""
    path = Path(os.path.abspath(article.path))
    try:
        return path.relative_to(PROJECT_ROOT).as_posix()
    except ValueError:
        return path.name


def build(paths: Sequence[Path], config: Config = Config()) -> Built:
    """Build and validate the graph of ``paths`` (the bundled sources when empty).

    Raises ValidationFailed, listing every violation, when the graph does not conform.
    """
    extractions, graph = extract_sources(paths, config)
    findings = validate_graph(graph, load_shapes(config.shapes), "graph")
    _raise_on_violations(findings, "the built graph", "nothing written")
    warnings = [f"{w}" for e in extractions for w in e.warnings]
    warnings += [str(f) for f in findings if f.severity != "Violation"]
    return Built(graph, extractions, tuple(warnings))


def _raise_on_violations(findings: list[Finding], what: str, outcome: str = "") -> None:
    violations = [str(f) for f in findings if f.severity == "Violation"]
    if violations:
        raise ValidationFailed(what, violations, outcome)


def validate_file(path: Path, config: Config = Config()) -> list[Finding]:
    """Validate a graph file against the shapes; raise ValidationFailed on a violation."""
    graph = Graph()
    try:
        graph.parse(path, format=_format_of(path))
    except FileNotFoundError as e:
        raise SourceError(path.as_posix(), None, "no such file") from e
    except (BadSyntax, ParserError, ValueError, OSError) as e:
        line = getattr(e, "lines", None)
        raise SourceError(
            path.as_posix(),
            line + 1 if isinstance(line, int) else None,
            f"cannot read the graph ({type(e).__name__}: {e})",
        ) from e
    findings = validate_graph(graph, load_shapes(config.shapes), path.as_posix())
    _raise_on_violations(findings, path.as_posix())
    return findings


def _format_of(path: Path) -> str:
    return {".nt": "nt", ".ttl": "turtle", ".trig": "trig", ".jsonld": "json-ld"}.get(
        path.suffix, "turtle"
    )
