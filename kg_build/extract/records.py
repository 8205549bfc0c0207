"""Records set during the event: markers in the results, and the records section's table.

A record's type is the ontology's ``tp:RecordType`` whose ``tp:code`` the marker writes
(``WR``, ``OR``, ``TR``, ``WB``, ``NR`` …): a new type is data, not code. ``=OR`` is an
equalled record, ``WB (sea level)`` a world best with its qualifier kept as text.
"""

from __future__ import annotations

import re
from datetime import date

from msgspec import Struct
from msgspec.structs import replace

from kg_build.extract.cells import (
    Columns,
    Marker,
    read_columns,
    read_markers,
    read_time,
    row_text,
    unknown_marker,
)
from kg_build.extract.lineups import name_noc, split_athletes
from kg_build.extract.results import ResultsOut
from kg_build.extract.rounds import RoundRead
from kg_build.extract.scope import Scope
from kg_build.extract.values import BadValue, parse_day
from kg_build.messages import quote
from kg_build.model import (
    Diagnostic,
    Race,
    Record,
    Result,
    Round,
    SourceRef,
    Table,
    TableRow,
)
from kg_build.model.diagnostics import diagnostic


class RecordsOut(Struct, frozen=True):
    """The records set during the event, and what the build reports about them."""

    records: tuple[Record, ...]
    diagnostics: tuple[Diagnostic, ...]


def extract_records(
    scope: Scope, rounds: tuple[RoundRead, ...], out: ResultsOut, table: Table | None
) -> RecordsOut:
    """Return every record set during the event, each once, with what it superseded.

    ``table`` is the records section's table of records set during the event, if any.
    """
    by_round = {r.round.iri: r.round for r in rounds}
    found: dict[str, Record] = {}
    problems: list[Diagnostic] = []
    for result, marker, src in out.record_marks:
        if result.time is None:
            problems.append(_without_time(marker, src))
            continue
        _merge(found, _record(scope, by_round[result.round], result, marker, src))
    if table is not None:
        records, more = _from_table(scope, table, rounds, out)
        problems += more
        for record in records:
            _merge(found, record)
    return RecordsOut(_link_superseded(tuple(found.values()), by_round), tuple(problems))


def _merge(found: dict[str, Record], record: Record) -> None:
    """Keep one record per IRI; the records table adds its round text and date."""
    old = found.get(record.iri)
    if old is None:
        found[record.iri] = record
        return
    found[record.iri] = replace(
        old, round_text=old.round_text or record.round_text, date=old.date or record.date
    )


def _without_time(marker: Marker, src: SourceRef) -> Diagnostic:
    """Say that a record marker stands on a result without a time: no record can be made."""
    return diagnostic(
        "record-without-time",
        src,
        f"record marker {quote(marker.text)} on a result that has no time",
        marker.text,
        "the marker in the notes as written; no record",
    )


def _record(scope: Scope, round_: Round, result: Result, marker: Marker, src: SourceRef) -> Record:
    # Callers pass known record types and results with a time (_without_time otherwise).
    assert marker.kind is not None and result.time is not None and result.time_text is not None
    team = result.team.rsplit("/", 1)[1]
    code = scope.inputs.kind_codes[marker.kind]
    return Record(
        iri=scope.iris.record(scope.event, code, round_.title, team),
        label=f"{marker.text} {result.time_text} by {team}: {round_.label}",
        event=scope.event,
        record_type=marker.kind,
        code=code,
        equalled=marker.equalled or None,
        qualifier=marker.qualifier,
        time=result.time,
        time_text=result.time_text,
        date=round_.local_date,
        team=result.team,
        athletes=result.athletes,
        result=result.iri,
        round=round_.iri,
        race=result.race,
        round_text=None,
        supersedes=None,
        src=src,
    )


# ---------------------------------------------------------------- the records section


def _marker_columns(scope: Scope, table: Table) -> dict[int, str]:
    """Return the columns headed by a record code (``| OR | WR |``), by index."""
    return {i: h for i, h in enumerate(table.header) if h in scope.inputs.record_codes}


def _from_table(
    scope: Scope, table: Table, rounds: tuple[RoundRead, ...], out: ResultsOut
) -> tuple[list[Record], list[Diagnostic]]:
    flags = _marker_columns(scope, table)
    columns = read_columns(table, {**scope.settings.columns, **dict.fromkeys(flags.values(), "")})
    columns = Columns(
        tuple(None if i in flags else r for i, r in enumerate(columns.roles)),
        tuple(d for d in columns.diagnostics if d.text not in flags.values()),
    )
    records: list[Record] = []
    found: list[Diagnostic] = list(columns.diagnostics)
    for row in table.rows:
        cells = columns.cells(row)
        marker_text = cells.get("record", "") or ", ".join(
            flags[i] for i in flags if row.cells[i].strip()
        )
        result, problems = _matching_result(scope, rounds, out, cells, row)
        found += problems
        if result is None:
            continue
        day = _table_date(scope, cells, row.src, found)
        for marker in read_markers(marker_text, scope.inputs.record_codes):
            if marker.kind is None:
                found.append(unknown_marker(marker, row.src, "no record of that row"))
                continue
            if result.time is None:
                found.append(_without_time(marker, row.src))
                continue
            round_ = next(r.round for r in rounds if r.round.iri == result.round)
            record = _record(scope, round_, result, marker, row.src)
            records.append(replace(record, round_text=cells.get("round") or None, date=day))
    return records, found


def _matching_result(
    scope: Scope,
    rounds: tuple[RoundRead, ...],
    out: ResultsOut,
    cells: dict[str, str],
    row: TableRow,
) -> tuple[Result | None, list[Diagnostic]]:
    """Find the result a records-table row speaks of: its round or race, team and time."""
    found: list[Diagnostic] = []
    athletes = split_athletes(
        scope.roster,
        cells.get("athletes") or cells.get("country", ""),
        row.src,
        scope.settings.placeholders,
        scope.stem,
    )
    found += athletes.diagnostics
    named = name_noc(
        cells.get("country", ""), scope.reference.nocs, scope.settings.team_designation
    )
    nocs = {e.noc for e in athletes.entries} | ({named.noc} if named else set())
    where = cells.get("round", "")
    round_title, race = _round_named(scope, rounds, out, where)
    candidates = [
        r
        for r in out.results
        if (round_title is None or r.round == scope.iris.round(scope.event, round_title))
        and r.team.rsplit("/", 1)[1].split("-")[0] in nocs
    ]
    if race is not None:
        candidates = [r for r in candidates if r.race == race.iri] or candidates
    time = read_time(cells.get("time", ""), row.src, {}, scope.inputs.record_codes)
    if len(candidates) > 1 and time.seconds is not None:
        candidates = [r for r in candidates if r.time == time.seconds] or candidates
    if len(candidates) != 1:
        text = row_text(row)
        found.append(
            diagnostic(
                "record-not-matched",
                row.src,
                f"records table row {quote(text)} matches {len(candidates)} results, not one",
                text,
                "nothing of that row",
            )
        )
        return None, found
    result = candidates[0]
    team = result.team.rsplit("/", 1)[1]
    if time.seconds is not None and time.seconds != result.time:
        found.append(
            diagnostic(
                "record-time-conflict",
                row.src,
                f"records table time {time.seconds} differs from the results table's "
                f"{result.time if result.time is not None else 'no time'} for {team} in "
                f"{quote(where)}",
                cells.get("time", ""),
                "the result's time; both cells as written",
            )
        )
    actual = next((r for r in out.races if r.iri == result.race), None)
    if (
        round_title is not None
        and race is None
        and where not in (round_title, "")
        and (where not in scope.settings.record_round_codes)
    ):
        in_round = (
            f"{quote(actual.label)} of {quote(round_title)}" if actual else quote(round_title)
        )
        found.append(
            diagnostic(
                "round-code-conflict",
                row.src,
                f"records table says round {quote(where)}; the results table has {team}'s "
                f"{result.time_text} in {in_round}",
                where,
                "the result the results table gives; the round as written",
            )
        )
    return result, found


def _round_named(
    scope: Scope, rounds: tuple[RoundRead, ...], out: ResultsOut, text: str
) -> tuple[str | None, Race | None]:
    """Return the round (title) and race a records table's round cell names, if any."""
    if not text:
        return None, None
    race = out.race_index.get(text)
    if race is not None:
        return next(rr.round.title for rr in rounds if rr.round.iri == race.round), race
    if any(rr.round.title == text for rr in rounds):
        return text, None
    # A code and at most one letter or digit for the race: SF, SFB, QF1; not "Quarterfinal 1".
    prefix = max(
        (p for p in scope.settings.record_round_codes if re.fullmatch(f"{p}[A-Z0-9]?", text)),
        key=len,
        default=None,
    )
    return (scope.settings.record_round_codes[prefix], None) if prefix else (None, None)


def _table_date(
    scope: Scope, cells: dict[str, str], src: SourceRef, found: list[Diagnostic]
) -> date | None:
    text = cells.get("date", "")
    if not text:
        return None
    try:
        return parse_day(text, scope.span, scope.title.year)
    except BadValue as e:
        found.append(diagnostic("unreadable-field", src, f"records table date: {e}", text))
        return None


def _link_superseded(records: tuple[Record, ...], rounds: dict[str, Round]) -> tuple[Record, ...]:
    """Within a type, a later and faster record broke the best one before it."""
    linked = {}
    for kind in sorted({r.record_type for r in records}):
        best: Record | None = None
        ordered = sorted(
            (r for r in records if r.record_type == kind),
            key=lambda r: (rounds[r.round].order if r.round else 0, r.time),
        )
        for record in ordered:
            beats = best is not None and record.time < best.time and not record.equalled
            linked[record.iri] = replace(record, supersedes=best.iri) if beats and best else record
            if best is None or record.time < best.time:
                best = record
    return tuple(linked[r.iri] for r in records)
