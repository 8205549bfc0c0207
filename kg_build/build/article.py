"""The per-article core: parse → extract → map → validate one article into an ArticleGraph.

Both drivers (``memory`` and ``streamed``) build every article here, so that an article's
triples, diagnostics and findings are the same whichever driver collects them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path

from msgspec import Struct

from kg_build.build.config import Loaded, check_diagnostics, graph_file, parse_source
from kg_build.build.lines import describe_used, subject_iris
from kg_build.errors import ValidationFailed
from kg_build.extract import extract_article
from kg_build.mapping import record_sources, rules_to_ntriples
from kg_build.model import Diagnostic, Extraction
from kg_build.validate import Finding

# Validates one article's N-Triples; ``where`` names the article for an unplaced finding.
Check = Callable[[bytes, str], list[Finding]]
# Times a stage of the build (``StreamStats.stage``), or does nothing.
Stage = Callable[[str], AbstractContextManager[None]]


class ArticleGraph(Struct, frozen=True):
    """One article built: its graph as sorted N-Triples, and what the build found in it."""

    extraction: Extraction
    ntriples: bytes
    findings: tuple[Finding, ...] = ()  # the SHACL results of its own check (no violation)

    @property
    def name(self) -> str:
        """The article's IRI, which names its graph."""
        return self.extraction.article.iri

    @property
    def event(self) -> str:
        """The IRI of the event the article describes."""
        return self.extraction.event.iri

    @property
    def diagnostics(self) -> tuple[Diagnostic, ...]:
        """What the extraction reports about the article."""
        return self.extraction.diagnostics

    @property
    def subjects(self) -> frozenset[str]:
        """The IRIs the article's graph describes."""
        return subject_iris(self.ntriples)


def _untimed(_: str) -> AbstractContextManager[None]:
    return nullcontext()


def build_article(
    source: Path,
    loaded: Loaded,
    check: Check | None = None,
    stage: Stage = _untimed,
    strict: bool | None = None,
) -> ArticleGraph:
    """Parse, extract, map and (with ``check``) validate one article.

    The graph holds the ontology's description of each individual it uses, for users of the
    file. A violation raises ValidationFailed; the other results are the graph's findings.
    With ``strict`` given, the article's diagnostics are checked before it is mapped
    (``check_diagnostics``); else the driver checks them.
    """
    with stage("parse"):
        article = parse_source(source)
    with stage("extract"):
        extraction = extract_article(article, loaded.inputs, graph_file(article))
        if strict is not None:
            check_diagnostics(extraction.diagnostics, strict)
    with stage("map"):
        ntriples = map_extraction(extraction, loaded)
    if check is None:
        return ArticleGraph(extraction, ntriples)
    with stage("validate"):
        findings = check(ntriples, article.path)
        violations = [f for f in findings if f.severity == "Violation"]
        if violations:
            raise ValidationFailed(article.path, violations, "nothing written")
    return ArticleGraph(extraction, ntriples, tuple(findings))


def map_extraction(extraction: Extraction, loaded: Loaded) -> bytes:
    """Return the article's graph as sorted N-Triples (the rules' triples, the descriptions)."""
    ntriples = rules_to_ntriples(loaded.rules, record_sources(extraction), loaded.vocab)
    return describe_used(ntriples, loaded.descriptions)


def raise_on_violations(findings: Sequence[Finding], what: str, outcome: str = "") -> None:
    """Raise ValidationFailed, with every finding, if any is a violation."""
    violations = [f for f in findings if f.severity == "Violation"]
    if violations:
        raise ValidationFailed(what, violations, outcome, tuple(findings))


def build_articles(
    sources: Sequence[Path], loaded: Loaded, check: Check | None = None
) -> Iterator[ArticleGraph]:
    """Build each article in turn, in the order given."""
    return (build_article(source, loaded, check) for source in sources)
