"""``kg validate``: a graph file against the shapes, as SHACL says (any result fails)."""

from __future__ import annotations

from pathlib import Path

from kg_build.build.article import raise_on_violations
from kg_build.build.config import DEFAULT_CONFIG, Config
from kg_build.errors import ValidationFailed
from kg_build.rdf.ontology import load_ontology, vocabulary
from kg_build.rdf.rdffile import read_rdf
from kg_build.validate import Finding, Validator, load_shapes


def validate_file(
    path: Path, config: Config = DEFAULT_CONFIG, fmt: str = "turtle", allow_warnings: bool = False
) -> list[Finding]:
    """Validate a graph file against the shapes: the union of all its graphs' triples.

    The file is read in ``fmt`` with every literal as written (``kg_build/rdf/rdffile.py``).
    Raises ValidationFailed on a violation; and on a warning or info too, unless
    ``allow_warnings``: SHACL §3.6.1 says that a report with any result does not conform.
    """
    shown = path.as_posix()
    text = read_rdf(path, fmt, shown)
    vocab = vocabulary(load_ontology(config.ontology))
    validator = Validator(load_shapes(config.shapes, vocab), config.validator, config.shapes)
    findings = validator.ntriples(text.ntriples, shown)
    raise_on_violations(findings, shown)
    if findings and not allow_warnings:
        said = [_counted(findings, s) for s in sorted({f.severity for f in findings})]
        raise ValidationFailed(
            shown,
            [],
            "a graph with any SHACL result does not conform (SHACL §3.6.1); "
            "--allow-warnings accepts warnings and infos",
            tuple(findings),
            summary=", ".join(said) + " and no violations",
        )
    return findings


def _counted(findings: list[Finding], severity: str) -> str:
    count = sum(f.severity == severity for f in findings)
    word = {"Warning": "warning", "Info": "info"}.get(severity)
    if word is None:  # a severity of the shapes' own (SHACL §2.1.5)
        return f"{count} SHACL result{'' if count == 1 else 's'} of severity {severity}"
    return f"{count} SHACL {word}{'' if count == 1 else 's'}"
