"""Where a record comes from, and the diagnostics a build reports about an article."""

from __future__ import annotations

from enum import Enum

from msgspec import Struct


class SourceRef(Struct, frozen=True):
    """A place in a source file: the path as shown to the user and a 1-based line."""

    path: str
    line: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


class Level(Enum):
    """How much a diagnostic weighs: what the build does about it."""

    # The article is irregular and the graph says so in full (claims side by side, a
    # tp:MissingValue with its reason): printed, never an error, not even with --strict.
    WARNING = "warning"
    # Part of the article could not be read: left out, or kept only in part. Printed, and
    # an error with --strict.
    DIAGNOSTIC = "diagnostic"
    # Our curated data lacks what the article needs (a roster, an NOC, a venue): the build
    # stops, naming every row to add; `kg check` lists them all.
    MISSING = "missing"


class Diagnostic(Struct, frozen=True):
    """Something a build reports about an article: a code, where, what, and what it kept."""

    code: str
    level: Level
    message: str
    src: SourceRef
    text: str = ""  # the article's text as written
    kept: str = ""  # what the build kept or left out

    def __str__(self) -> str:
        return f"{self.src}: {self.message} [{self.code}]"
