"""The notes cell of a results row: record markers, the race qualified for, marks, outcomes."""

from __future__ import annotations

from msgspec import Struct

from kg_build.extract.cells import Marker, is_marker_text, read_markers
from kg_build.extract.scope import Scope
from kg_build.messages import quote
from kg_build.model import Diagnostic, MissingValue, Race, SourceRef
from kg_build.model.diagnostics import diagnostic
from kg_build.rdf.namespaces import TP


class Notes(Struct, frozen=True):
    """What a notes cell says."""

    markers: tuple[Marker, ...]
    qualified: Race | None
    mark: str | None  # a qualification mark (Q) naming no race
    outcome: str | None
    missing: tuple[MissingValue, ...]
    diagnostics: tuple[Diagnostic, ...]


def read_notes(
    scope: Scope, result: str, notes: str, race_index: dict[str, Race], src: SourceRef
) -> Notes:
    """Read a notes cell: record markers, the race qualified for, marks, outcomes."""
    markers: list[Marker] = []
    qualified: Race | None = None
    marks: list[str] = []
    outcome: str | None = None
    gaps: list[MissingValue] = []
    found: list[Diagnostic] = []
    codes = scope.inputs.record_codes
    for token in (t.strip() for t in notes.split(",")) if notes else ():
        if not token:
            # The notes text is all there: what is missing is the marker of the empty item,
            # whose kind (record, qualification …) the article no longer shows.
            why = (
                f"the notes cell {quote(notes)} has an empty item: the marker written there "
                "was stripped from the article, which does not say what it was"
            )
            gap = scope.iris.missing(result, "markerText")
            gaps.append(MissingValue(gap, result, str(TP.markerText), why, src))
            kept = "the cell's other items; the marker as a tp:MissingValue of tp:markerText"
            found.append(diagnostic("stripped-marker", src, why, notes, kept))
        elif token in race_index:
            qualified = race_index[token]
        elif token in scope.settings.qualification_marks:
            marks.append(token)
        elif token in scope.inputs.outcome_codes:
            outcome = scope.inputs.outcome_codes[token]
        elif is_marker_text(token, codes) or _looks_like_markers(token):
            markers += read_markers(token, codes)
        else:
            found.append(
                diagnostic(
                    "unknown-notes-code",
                    src,
                    f"notes code {quote(token)} is no record code, outcome, qualification "
                    "mark or race of the event",
                    token,
                    "the notes cell as text",
                )
            )
    return Notes(
        tuple(markers), qualified, ", ".join(marks) or None, outcome, tuple(gaps), tuple(found)
    )


def _looks_like_markers(token: str) -> bool:
    """Tell a marker of no known type (``XR``, ``=ER``) from other notes: short capitals."""
    word = token.lstrip("=").split(" (", 1)[0]
    return 2 <= len(word) <= 3 and word.isalpha() and word.isupper()
