"""How each kind of page reads: an athlete's profile, a team entry's results, a result's row.

And an event's results tables with their chart. Each view returns what its template lays
out, from the rows of ``kg_build.web.page_rows``: a sports site's layout, not the triples.
"""

from __future__ import annotations

from typing import Any

from msgspec import Struct, field
from msgspec.structs import replace

from kg_build.rdf.namespaces import TP
from kg_build.web.chart import Chart, chart
from kg_build.web.page_rows import (
    Athlete,
    Kind,
    Record,
    ResultRow,
    Select,
    TeamEntry,
    last_segment,
    lineups,
    medals,
    records,
    result_rows,
    team_entries,
)


class Noc(Struct, frozen=True):
    """A National Olympic Committee as a page names it."""

    iri: str
    code: str
    label: str


class EventRaces(Struct):
    """An athlete's part in one event: the team entries and every race ridden or skated."""

    iri: str
    label: str
    date: str
    teams: list[TeamEntry] = field(default_factory=list)
    races: list[ResultRow] = field(default_factory=list)


class RoundTable(Struct, frozen=True):
    """One round of an event's results page."""

    title: str
    anchor: str
    rows: list[ResultRow]


def is_final(row: ResultRow) -> bool:
    """Tell whether a result is of the round that decides the medals."""
    return row.round_kind is not None and row.round_kind.iri == str(TP.Final)


def athlete_view(select: Select, iri: str, kinds: dict[str, Kind]) -> dict[str, Any]:
    """Return an athlete's profile: NOCs, each event's races, medals and records."""
    set_records = records(select, iri, kinds)
    by_result = _by_result(set_records)
    rows = [replace(r, records=by_result.get(r.iri, [])) for r in result_rows(select, iri, kinds)]
    entries = team_entries(select, iri)
    events: dict[str, EventRaces] = {}
    for entry in entries:
        _event(events, entry.event, entry.event_label, entry.event_date).teams.append(entry)
    for row in rows:
        event = _event(events, row.event, row.event_label, row.event_date)
        event.races.append(row)
        if row.team and all(t.iri != row.team for t in event.teams):
            event.teams.append(_entry_of(row))
    nocs = {e.noc: Noc(e.noc, e.noc_code, e.noc_label) for e in entries if e.noc}
    nocs |= {r.noc: Noc(r.noc, r.noc_code, r.noc_label) for r in rows if r.noc}
    return {
        "nocs": sorted(nocs.values(), key=lambda n: (n.code, n.iri)),
        "events": sorted(events.values(), key=lambda e: (e.date or "9999", e.label, e.iri)),
        "medals": medals(select, iri, kinds),
        "records": set_records,
    }


def _event(events: dict[str, EventRaces], iri: str, label: str, date: str) -> EventRaces:
    return events.setdefault(iri, EventRaces(iri, label, date))


def _entry_of(row: ResultRow) -> TeamEntry:
    """Return the team entry a result names (one raced for without being its member)."""
    return TeamEntry(
        row.team,
        row.team_label,
        row.event,
        row.event_label,
        row.event_date,
        row.noc,
        row.noc_code,
        row.noc_label,
        "",
    )


def team_view(
    select: Select, iri: str, kinds: dict[str, Kind], members: list[Athlete]
) -> dict[str, Any]:
    """Return a team entry's results table: a row per round with its line-up; medals, members."""
    entry = next((e for e in team_entries(select, iri) if e.iri == iri), None)
    set_records = records(select, iri, kinds)
    by_result = _by_result(set_records)
    riders = lineups(select, iri)
    rows = [
        replace(r, lineup=riders.get(r.iri, []), records=by_result.get(r.iri, []))
        for r in result_rows(select, iri, kinds)
    ]
    return {
        "entry": entry,
        "rows": rows,
        "medals": medals(select, iri, kinds),
        "records": set_records,
        "members": members,
    }


def result_view(select: Select, iri: str, kinds: dict[str, Kind]) -> dict[str, Any] | None:
    """Return a result as its results row (None for a result in no round: the generic page)."""
    found = [r for r in result_rows(select, iri, kinds) if r.iri == iri]
    if not found:
        return None
    row = found[0]
    medal = None
    if is_final(row) and row.team:
        won = medals(select, row.team, kinds)
        medal = next((m.kind for m in won if m.recipient == row.team), None)
    row = replace(
        row,
        lineup=lineups(select, iri).get(iri, []),
        records=records(select, iri, kinds),
        medal=medal,
    )
    return {"row": row}


def results_view(select: Select, event: str, kinds: dict[str, Kind]) -> dict[str, Any]:
    """Return an event's rounds as results tables (medals, records) and the chart of times."""
    by_result = _by_result(records(select, event, kinds))
    won = medals(select, event, kinds)
    team_medals = {m.recipient: m.kind for m in won if m.team == m.recipient}
    rounds: dict[str, RoundTable] = {}
    for row in result_rows(select, event, kinds):
        if row.event != event:
            continue
        medal = team_medals.get(row.team) if is_final(row) else None
        table = rounds.setdefault(
            row.round, RoundTable(row.round_title, last_segment(row.round), [])
        )
        table.rows.append(replace(row, records=by_result.get(row.iri, []), medal=medal))
    tables = list(rounds.values())
    drawn: Chart | None = chart([(t.title, t.rows) for t in tables])
    return {"rounds": tables, "chart": drawn}


def _by_result(found: list[Record]) -> dict[str, list[Record]]:
    grouped: dict[str, list[Record]] = {}
    for record in found:
        if record.result:
            grouped.setdefault(record.result, []).append(record)
    return grouped
