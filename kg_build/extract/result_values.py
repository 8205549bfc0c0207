"""One result from its row: rank, time, deficit, notes, outcome, and what it lacks.

Absent values are ``tp:MissingValue`` resources with their reason, never zeros.
"""

from __future__ import annotations

from decimal import Decimal

from msgspec import Struct

from kg_build.extract.cells import (
    Marker,
    TimeCell,
    read_deficit,
    read_time,
    row_text,
    unknown_marker,
)
from kg_build.extract.lineups import TeamId
from kg_build.extract.notes import read_notes
from kg_build.extract.result_rows import ResultRow, team_name
from kg_build.extract.rounds import RoundRead, sentences
from kg_build.extract.scope import Scope
from kg_build.messages import quote
from kg_build.model import Diagnostic, MissingValue, Paragraph, Race, Result, SourceRef
from kg_build.model.diagnostics import diagnostic
from kg_build.rdf.namespaces import TP


class RowResult(Struct, frozen=True):
    """A row's result, with what it lacks, the record markers it gives and diagnostics."""

    result: Result
    missing: tuple[MissingValue, ...]
    markers: tuple[Marker, ...]
    diagnostics: tuple[Diagnostic, ...]


def read_result(
    scope: Scope,
    round_read: RoundRead,
    races: tuple[Race, ...],
    row: ResultRow,
    race_index: dict[str, Race],
    in_race: bool,
) -> RowResult:
    """Read one row's result: its values, what it lacks and why, its markers."""
    src = row.row.src
    round_ = round_read.round
    iri = scope.iris.result(round_.iri, row.team.key)
    inputs = scope.inputs
    time = read_time(row.cells.get("time", ""), src, inputs.outcome_codes, inputs.record_codes)
    deficit = read_deficit(row.cells.get("deficit", ""), src, scope.settings.leader_marks)
    notes = read_notes(scope, iri, row.cells.get("notes", ""), race_index, src)
    outcome = time.outcome or notes.outcome
    found = [*time.diagnostics, *deficit.diagnostics, *notes.diagnostics]
    gaps = list(notes.missing)
    if time.seconds is None:
        why = _no_time_reason(scope, round_read, row, time, outcome)
        gaps.append(
            MissingValue(scope.iris.missing(iri, "finishTime"), iri, str(TP.finishTime), why, src)
        )
    if outcome is not None:
        found.append(_outcome_found(row, outcome, src))
    gaps += _line_up_gaps(scope, iri, row, found)
    gaps += _rank_and_deficit_gaps(scope, iri, row, deficit.seconds)
    markers = (*time.markers, *notes.markers)
    unknown = [m for m in markers if m.kind is None]
    kept = "the marker as text (tp:markerText); no record"
    found += [unknown_marker(m, src, kept) for m in unknown]
    result = Result(
        iri=iri,
        label=f"{row.team.key}: {round_.label}",
        round=round_.iri,
        race=next((r.iri for r in races if r.label == row.race), None),
        team=scope.iris.team(scope.event, row.team.key),
        round_rank=None if in_race else row.rank.rank,
        race_rank=row.rank.rank if in_race else None,
        rank_text=row.rank.text,
        time=time.seconds,
        time_text=time.text,
        deficit=deficit.seconds,
        deficit_text=deficit.text,
        start_side=row.cells.get("start_side") or None,
        notes_text=row.cells.get("notes") or None,
        outcome=outcome,
        marker_text=", ".join(m.text for m in unknown) or None,
        qualified_for=notes.qualified.iri if notes.qualified else None,
        qualification_text=notes.qualified.label if notes.qualified else notes.mark,
        athletes=tuple(scope.iris.person(a.athlete) for a in row.athletes.entries),
        src=src,
    )
    return RowResult(result, tuple(gaps), tuple(m for m in markers if m.kind), tuple(found))


def _outcome_found(row: ResultRow, outcome: str, src: SourceRef) -> Diagnostic:
    written = row.cells.get("time") or row.cells.get("notes", "")
    return diagnostic(
        "time-outcome",
        src,
        f"outcome {quote(written)} instead of a time: kept as tp:{outcome}",
        written,
        f"the outcome tp:{outcome}; the time as missing",
    )


def _rank_and_deficit_gaps(
    scope: Scope, result: str, row: ResultRow, deficit: Decimal | None
) -> list[MissingValue]:
    """Say why a result has no rank, or no deficit in a table that gives deficits."""
    gaps = []
    if row.rank.rank is None:
        cell = row.cells.get("rank")
        why = (
            "the results table has no rank column"
            if cell is None
            else f"the rank cell {quote(cell)} is not a number"
            if cell
            else "the rank cell is empty"
        )
        gap = scope.iris.missing(result, "rank")
        gaps.append(MissingValue(gap, result, str(TP.rank), why, row.row.src))
    text = row.cells.get("deficit")
    if text is not None and deficit is None:  # a table without the column reports none
        why = (
            f"the deficit cell {quote(text)} is not a time difference"
            if text
            else ("the deficit cell is empty")
        )
        gap = scope.iris.missing(result, "deficit")
        gaps.append(MissingValue(gap, result, str(TP.deficit), why, row.row.src))
    return gaps


def _line_up_gaps(
    scope: Scope, result: str, row: ResultRow, found: list[Diagnostic]
) -> list[MissingValue]:
    """Say what the line-up lacks: all of it, or the athletes beyond those named."""
    named = len(row.athletes.entries)
    text = row_text(row.row)
    gap = scope.iris.missing(result, "athlete")
    if not row.athletes.given:
        found.append(
            diagnostic(
                "row-without-athletes",
                row.row.src,
                f"results row names team {row.team.key} but not its athletes",
                text,
                "the result and the team entry, its line-up unknown",
            )
        )
        why = "the article does not give the line-up"
        return [MissingValue(gap, result, str(TP.athlete), why, row.row.src)]
    if named < scope.settings.timed_athletes:
        found.append(
            diagnostic(
                "short-line-up",
                row.row.src,
                f"line-up of team {row.team.key} names {named} of the athletes; a time is "
                f"taken on the {_ordinal(scope.settings.timed_athletes)} to finish",
                text,
                "the athletes named, the line-up marked incomplete",
            )
        )
        why = f"the article names {named} of the athletes"
        return [MissingValue(gap, result, str(TP.athlete), why, row.row.src)]
    return []


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _no_time_reason(
    scope: Scope, round_read: RoundRead, row: ResultRow, time: TimeCell, outcome: str | None
) -> str:
    """Return why a team has no time: its outcome, an unreadable cell, or the article's words."""
    if outcome is not None:
        return f"outcome {row.cells.get('time') or row.cells.get('notes')} (tp:{outcome})"
    if time.unreadable is not None:
        return f"the time cell {quote(time.unreadable)} is not a readable time"
    name = team_name(scope, TeamId(row.team.noc))
    for section in (row.section.section, round_read.section):
        for block in section.blocks:
            if not isinstance(block, Paragraph):
                continue
            for sentence in sentences(block.text):
                named = _nocs_in(scope, sentence)
                if (
                    named
                    and named[0] == name
                    and any(p in sentence for p in scope.settings.no_time_phrases)
                ):
                    return sentence
    return scope.settings.no_time_default_reason


def _nocs_in(scope: Scope, sentence: str) -> list[str]:
    """NOC names in the order the sentence names them."""
    found = [
        (sentence.find(row.name), row.name)
        for row in scope.reference.nocs.values()
        if row.name in sentence
    ]
    return [name for _, name in sorted(found)]
