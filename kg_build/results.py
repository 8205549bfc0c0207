"""Rounds, races, results and team entries from the results tables of an article.

Every data row of a round's table is one team's result. Athletes are split from their
space-joined cell with the event's curated roster, never by counting words.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from kg_build.errors import SourceError
from kg_build.extract import Context
from kg_build.messages import quote
from kg_build.model import (
    MissingValue,
    Race,
    Result,
    Round,
    RoundKind,
    Section,
    SourceRef,
    Table,
    TableRow,
    TeamEntry,
)
from kg_build.namespaces import TP
from kg_build.reference import RosterEntry
from kg_build.roster import cell_roles, team_noc
from kg_build.values import BadValue, local_datetime, parse_day_month, parse_deficit, parse_time


@dataclass(frozen=True, slots=True)
class RoundsOut:
    """What the results tables give."""

    rounds: tuple[Round, ...]
    races: tuple[Race, ...]
    results: tuple[Result, ...]
    missing: tuple[MissingValue, ...]
    teams: tuple[TeamEntry, ...]
    record_marks: tuple[tuple[Result, str, SourceRef], ...]


@dataclass(frozen=True, slots=True)
class _Row:
    """A data row by field name, with the team it belongs to."""

    cells: dict[str, str]
    athletes: tuple[RosterEntry, ...]
    noc: str
    race_label: str | None
    race_order: int | None
    row: TableRow


def extract_results(ctx: Context) -> RoundsOut:
    """Read every round section under the results section."""
    section = ctx.article.find_section(ctx.settings.results_section)
    if section is None:
        raise SourceError(
            ctx.article.path, ctx.article.src.line, f"no section '{ctx.settings.results_section}'"
        )
    parsed = [_read_round(ctx, order, sub) for order, sub in enumerate(section.subsections, 1)]
    race_index = {race.label: race for _, races, _ in parsed for race in races}
    results: list[Result] = []
    missing: list[MissingValue] = []
    marks: list[tuple[Result, str, SourceRef]] = []
    for round_, races, rows in parsed:
        scope_race = _ranks_repeat(rows)
        for row in rows:
            result, gaps, row_marks = _result(ctx, round_, races, row, race_index, scope_race)
            results.append(result)
            missing.extend(gaps)
            marks.extend(row_marks)
    rounds = tuple(r for r, _, _ in parsed)
    missing.extend(_missing_start_times(ctx, rounds))
    return RoundsOut(
        rounds=rounds,
        races=tuple(race for _, races, _ in parsed for race in races),
        results=_unique(tuple(results)),
        missing=tuple(missing),
        teams=_teams(ctx, rounds, results),
        record_marks=tuple(marks),
    )


def _unique(results: tuple[Result, ...]) -> tuple[Result, ...]:
    seen: dict[str, Result] = {}
    for result in results:
        if result.iri in seen:
            first = seen[result.iri].src
            raise SourceError(
                result.src.path,
                result.src.line,
                f"team {result.team} appears twice in a round (first at line {first.line})",
            )
        seen[result.iri] = result
    return results


def _read_round(
    ctx: Context, order: int, section: Section
) -> tuple[Round, tuple[Race, ...], list[_Row]]:
    kind = ctx.settings.rounds.get(section.title)
    if kind is None:
        raise SourceError(
            section.src.path,
            section.src.line,
            f"section {quote(section.title)} is not a round of mappings/extraction.yaml",
        )
    tables = section.tables
    if len(tables) != 1:
        raise SourceError(
            section.src.path,
            section.src.line,
            f"round {quote(section.title)} has {len(tables)} tables, expected 1",
        )
    iri = ctx.iris.round(ctx.event, section.title)
    start = _start_time(ctx, section)
    round_ = Round(
        iri=iri,
        label=f"{ctx.article.title}: {section.title}",
        title=section.title,
        event=ctx.event,
        kind=RoundKind(kind),
        order=order,
        start_time=start,
        local_date=start.date() if start else None,
        src=section.src,
    )
    rows = _rows(ctx, tables[0])
    return round_, _races(ctx, round_, section.title, rows), rows


def _rows(ctx: Context, table: Table) -> list[_Row]:
    roles = cell_roles(ctx, table)
    group_order = {g.label: i for i, g in enumerate(table.groups, 1)}
    rows = []
    for row in table.rows:
        cells = dict(zip(roles, row.cells, strict=True))
        athletes, noc = team_noc(ctx, cells, row.src)
        heat = cells.get("heat", "")
        if heat and row.group:
            raise SourceError(row.src.path, row.src.line, "row has both a heat and a group")
        if heat and not heat.isdigit():
            raise SourceError(row.src.path, row.src.line, f"heat {quote(heat)} is not a number")
        label = f"Heat {heat}" if heat else (row.group.label if row.group else None)
        order = int(heat) if heat else (group_order[row.group.label] if row.group else None)
        rows.append(_Row(cells, athletes, noc, label, order, row))
    return rows


def _races(ctx: Context, round_: Round, title: str, rows: list[_Row]) -> tuple[Race, ...]:
    races: dict[str, Race] = {}
    for row in rows:
        if row.race_label is None or row.race_label in races or row.race_order is None:
            continue
        heat = row.cells.get("heat")
        iri = (
            ctx.iris.heat(round_.iri, int(heat))
            if heat
            else ctx.iris.race(round_.iri, row.race_label)
        )
        races[row.race_label] = Race(
            iri=iri,
            label=row.race_label,
            round=round_.iri,
            order=row.race_order,
            src=row.row.group.src if row.row.group else row.row.src,
        )
    return tuple(sorted(races.values(), key=lambda r: r.order))


def _ranks_repeat(rows: list[_Row]) -> bool:
    """Tell whether ranks restart in each race (rank within race) or run over the round."""
    ranks = [r.cells.get("rank", "") for r in rows if r.cells.get("rank")]
    return len(ranks) != len(set(ranks))


def _start_time(ctx: Context, section: Section) -> datetime | None:
    day_text, clock, src = _scheduled(ctx, section)
    if day_text is None or clock is None or src is None:
        return None
    first, last, _ = ctx.event_span()
    try:
        day = parse_day_month(day_text, first, last)
        # The article's clock times are local; the venue's UTC offset is curated data.
        return local_datetime(day, clock, ctx.venue_row().utc_offset)
    except BadValue as e:
        raise SourceError(src.path, src.line, str(e)) from e


def _scheduled(ctx: Context, section: Section) -> tuple[str | None, str | None, SourceRef | None]:
    schedule = ctx.article.find_section(ctx.settings.schedule_section)
    if schedule is not None and schedule.tables:
        table = schedule.tables[0]
        roles = cell_roles(ctx, table)
        for row in table.rows:
            cells = dict(zip(roles, row.cells, strict=True))
            if cells.get("round") == section.title:
                return cells.get("date"), cells.get("time"), row.src
    for block in section.blocks:
        text = getattr(block, "text", "")
        for sentence in _sentences(text):
            match = ctx.settings.round_time_sentence.fullmatch(sentence)
            if match:
                return match["day"], match["time"], block.src
    return None, None, None


def _sentences(text: str) -> list[str]:
    parts = [p.strip() for p in text.replace(". ", ".\n").split("\n")]
    return [p for p in parts if p]


def _missing_start_times(ctx: Context, rounds: tuple[Round, ...]) -> list[MissingValue]:
    return [
        MissingValue(
            ctx.iris.missing(r.iri, "startTime"),
            r.iri,
            str(TP.startTime),
            "the article gives no start time",
            r.src,
        )
        for r in rounds
        if r.start_time is None
    ]


def _result(
    ctx: Context,
    round_: Round,
    races: tuple[Race, ...],
    row: _Row,
    race_index: dict[str, Race],
    scope_race: bool,
) -> tuple[Result, list[MissingValue], list[tuple[Result, str, SourceRef]]]:
    src = row.row.src
    iri = ctx.iris.result(round_.iri, row.noc)
    race = next((r.iri for r in races if r.label == row.race_label), None)
    rank = _int(row.cells.get("rank", ""), "rank", src)
    time_text = row.cells.get("time", "")
    deficit_text = row.cells.get("deficit", "")
    notes = row.cells.get("notes", "")
    codes, qualified, gaps = _notes(ctx, iri, notes, race_index, src)
    if not time_text:
        gaps.append(
            MissingValue(
                ctx.iris.missing(iri, "finishTime"),
                iri,
                str(TP.finishTime),
                _no_time_reason(ctx, round_, row.noc, src),
                src,
            )
        )
    result = Result(
        iri=iri,
        label=f"{row.noc}: {round_.label}",
        round=round_.iri,
        race=race,
        team=ctx.iris.team(ctx.event, row.noc),
        round_rank=None if scope_race else rank,
        race_rank=rank if scope_race else None,
        time=_time(time_text, src),
        time_text=time_text or None,
        deficit=_deficit(ctx, deficit_text, src),
        deficit_text=deficit_text or None,
        start_side=row.cells.get("start_side") or None,
        notes_text=notes or None,
        qualified_for=qualified.iri if qualified else None,
        qualification_text=qualified.label if qualified else None,
        athletes=tuple(ctx.iris.person(a.athlete) for a in row.athletes),
        src=src,
    )
    return result, gaps, [(result, code, src) for code in codes]


def _int(text: str, what: str, src: SourceRef) -> int | None:
    if not text:
        return None
    if not text.isdigit():
        raise SourceError(src.path, src.line, f"{what} {quote(text)} is not a whole number")
    return int(text)


def _time(text: str, src: SourceRef) -> Decimal | None:
    if not text:
        return None
    try:
        return parse_time(text)
    except BadValue as e:
        raise SourceError(src.path, src.line, str(e)) from e


def _deficit(ctx: Context, text: str, src: SourceRef) -> Decimal | None:
    if not text or text in ctx.settings.leader_marks:
        return None
    try:
        return parse_deficit(text)
    except BadValue as e:
        raise SourceError(src.path, src.line, str(e)) from e


def _notes(
    ctx: Context, result: str, notes: str, race_index: dict[str, Race], src: SourceRef
) -> tuple[list[str], Race | None, list[MissingValue]]:
    codes: list[str] = []
    qualified: Race | None = None
    gaps: list[MissingValue] = []
    for token in (t.strip() for t in notes.split(",")) if notes else ():
        if not token:
            reason = (
                f"the notes cell {quote(notes)} has an empty marker: "
                "a record marker was stripped from the article"
            )
            gaps.append(
                MissingValue(
                    ctx.iris.missing(result, "notesText"), result, str(TP.notesText), reason, src
                )
            )
            ctx.warn(src, reason)
        elif token in ctx.settings.record_codes:
            codes.append(token)
        elif token in race_index:
            qualified = race_index[token]
        else:
            ctx.warn(
                src, f"notes code {quote(token)} is neither a record code nor a race of the event"
            )
    return codes, qualified, gaps


def _no_time_reason(ctx: Context, round_: Round, noc: str, src: SourceRef) -> str:
    """Return the article's own sentence on why a team has no time, if the round has one."""
    name = ctx.noc_row(noc, src).name
    section = next(s for s in ctx.article.walk() if s.src == round_.src)
    for block in section.blocks:
        for sentence in _sentences(getattr(block, "text", "")):
            named = _nocs_in(ctx, sentence)
            if (
                named
                and named[0] == name
                and any(p in sentence for p in ctx.settings.no_time_phrases)
            ):
                return sentence
    return ctx.settings.no_time_default_reason


def _nocs_in(ctx: Context, sentence: str) -> list[str]:
    """NOC names in the order the sentence names them."""
    found = [
        (sentence.find(row.name), row.name)
        for row in ctx.reference.nocs.values()
        if row.name in sentence
    ]
    return [name for _, name in sorted(found)]


def _teams(ctx: Context, rounds: tuple[Round, ...], results: list[Result]) -> tuple[TeamEntry, ...]:
    last = max((r.order for r in rounds), default=0)
    final_round = next((r.iri for r in rounds if r.order == last), None)
    members: dict[str, list[str]] = {}
    for result in results:
        team = members.setdefault(result.team, [])
        team.extend(a for a in result.athletes if a not in team)
    teams = []
    prefix = ctx.iris.team(ctx.event, "")
    for iri, athletes in members.items():
        noc = iri[len(prefix) :]
        noc_iri = ctx.iris.noc(noc)
        final = next((r for r in results if r.team == iri and r.round == final_round), None)
        src = next(r.src for r in results if r.team == iri)
        teams.append(
            TeamEntry(
                iri=iri,
                label=f"{ctx.noc_row(noc, src).name}: {ctx.article.title}",
                event=ctx.event,
                noc=noc_iri,
                members=tuple(athletes),
                final_rank=(final.round_rank or final.race_rank) if final else None,
                src=src,
            )
        )
    return tuple(teams)
