"""The error hierarchy: every error a user can cause names a file and, where it has one, a line."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # what failed builds carry (validate and model import this module)
    from kg_build.model import Diagnostic
    from kg_build.validate import Finding


class KgError(Exception):
    """An error in the user's input or environment, printed as one line without a traceback."""

    def __init__(
        self, path: str, line: int | None, message: str, column: int | None = None
    ) -> None:
        super().__init__(path, line, message)
        self.path = path
        self.line = line
        self.message = message
        self.column = column  # where a parser places a syntax error in the line

    def __reduce__(self) -> tuple[object, ...]:
        # Raised in a child process (a worker, the validating child), it crosses pickled.
        return (type(self), (self.path, self.line, self.message, self.column))

    def __str__(self) -> str:
        # A file-level problem (missing file, a directory) has no line to point at.
        if self.line is None:
            return f"{self.path}: {self.message}"
        if self.column is not None:
            return f"{self.path}:{self.line}:{self.column}: {self.message}"
        return f"{self.path}:{self.line}: {self.message}"


def one_line(text: str, limit: int = 200) -> str:
    """Return ``text`` on one line, whitespace collapsed, cut at ``limit`` characters."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else f"{flat[: limit - 1]}…"


class SourceError(KgError):
    """An article cannot be read or does not follow the article format."""


class OutputError(KgError):
    """An output file cannot be written."""


class MappingError(KgError):
    """A mapping rule, an extraction setting or a curated data file is malformed."""


class OntologyError(KgError):
    """The ontology cannot be read, or a rule or shape uses a term it does not declare."""


class ValidationFailed(KgError):
    """The graph does not conform to the shapes; ``violations`` holds each violation.

    ``findings`` are all the results (warnings too), for the validation report. The command
    line prints each finding as its one line (``str``).
    """

    def __init__(
        self,
        path: str,
        violations: Sequence[Finding],
        outcome: str = "",
        findings: tuple[Finding, ...] = (),
        summary: str = "",
    ) -> None:
        suffix = f"; {outcome}" if outcome else ""
        said = summary or f"{len(violations)} SHACL violations"
        super().__init__(path, None, f"{said}{suffix}")
        self.violations = tuple(violations)
        self.outcome = outcome
        self.findings = findings
        self.summary = summary

    def __reduce__(self) -> tuple[object, ...]:
        # Raised in a streamed build's worker process, it crosses to the main one pickled.
        args = (self.path, self.violations, self.outcome, self.findings, self.summary)
        return (type(self), args)


class EngineLimit(KgError):
    """The chosen SHACL engine cannot check what the shapes or the data need; none ran."""


class StoreError(KgError):
    """A triple store failed or refused a request."""


class LinkError(KgError):
    """Linking to Wikidata failed."""


class BusyError(KgError):
    """Another process holds what this command must write (a build's output folder)."""


class ServeError(KgError):
    """``kg serve`` cannot listen on its address (the port is in use, or not ours to take)."""


class ChildFailed(KgError):
    """A child process of the build ended without its answer (killed, out of memory)."""


class ArticlesNotBuilt(KgError):
    """Diagnostics that stop a build: curated rows missing, or any diagnostic with --strict.

    ``diagnostics`` holds each; the command line prints them all (``str``), then the message.
    """

    def __init__(self, problems: Sequence[Diagnostic], message: str) -> None:
        super().__init__("the articles", None, message)
        self.diagnostics = tuple(problems)

    def __str__(self) -> str:
        return self.message

    def __reduce__(self) -> tuple[object, ...]:
        return (type(self), (self.diagnostics, self.message))
