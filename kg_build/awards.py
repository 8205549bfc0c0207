"""Records set during an event (notes markers and the records table) and medals (infobox)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from kg_build.errors import SourceError
from kg_build.extract import Context
from kg_build.messages import quote
from kg_build.model import (
    MedalAward,
    MedalKind,
    Record,
    RecordKind,
    Result,
    Round,
    SourceRef,
    TeamEntry,
)
from kg_build.results import RoundsOut
from kg_build.roster import cell_roles, team_noc
from kg_build.values import BadValue, parse_day_month, parse_time


def extract_records(ctx: Context, out: RoundsOut) -> tuple[Record, ...]:
    """Return every record set during the event, each once, with what it superseded."""
    rounds = {r.iri: r for r in out.rounds}
    found: dict[str, Record] = {}
    for result, code, src in out.record_marks:
        _merge(found, _from_result(ctx, rounds[result.round], result, code, src))
    for record in _from_records_table(ctx, out):
        _merge(found, record)
    return _link_superseded(tuple(found.values()), rounds)


def _merge(found: dict[str, Record], record: Record) -> None:
    """Keep one record per IRI; the records table adds its round text and date."""
    old = found.get(record.iri)
    if old is None:
        found[record.iri] = record
        return
    found[record.iri] = replace(
        old, round_text=old.round_text or record.round_text, date=old.date or record.date
    )


def _record_kind(ctx: Context, code: str) -> RecordKind:
    return RecordKind(ctx.settings.record_codes[code])


def _from_result(ctx: Context, round_: Round, result: Result, code: str, src: SourceRef) -> Record:
    if result.time is None or result.time_text is None:
        raise SourceError(
            src.path, src.line, f"record {quote(code)} marked on a row without a time"
        )
    noc = result.team.rsplit("/", 1)[1]
    return Record(
        iri=ctx.iris.record(ctx.event, code, round_.title, noc),
        label=f"{code} {result.time_text} by {noc}: {round_.label}",
        event=ctx.event,
        record_type=_record_kind(ctx, code),
        code=code,
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


def _from_records_table(ctx: Context, out: RoundsOut) -> list[Record]:
    section = ctx.article.find_section(ctx.settings.records_section)
    if section is None or not section.tables:
        return []
    table = section.tables[0]
    roles = cell_roles(ctx, table)
    records = []
    for row in table.rows:
        cells = dict(zip(roles, row.cells, strict=True))
        _, noc = team_noc(ctx, cells, row.src)
        result = _matching_result(ctx, out, cells, noc, row.src)
        for code in (c.strip() for c in cells.get("record", "").split(",")):
            if code not in ctx.settings.record_codes:
                raise SourceError(
                    row.src.path,
                    row.src.line,
                    f"record code {quote(code)} is not in mappings/extraction.yaml",
                )
            record = _from_result(ctx, _round_of(out, result), result, code, row.src)
            records.append(
                replace(
                    record,
                    round_text=cells.get("round") or None,
                    date=_table_date(ctx, cells, row.src),
                )
            )
    return records


def _round_of(out: RoundsOut, result: Result) -> Round:
    return next(r for r in out.rounds if r.iri == result.round)


def _matching_result(
    ctx: Context, out: RoundsOut, cells: dict[str, str], noc: str, src: SourceRef
) -> Result:
    """Find the result a records-table row speaks of: the round its code names, team, time."""
    code = cells.get("round", "")
    prefix = max(
        (p for p in ctx.settings.record_round_codes if code.startswith(p)), key=len, default=None
    )
    if prefix is None:
        raise SourceError(
            src.path, src.line, f"round code {quote(code)} has no prefix in record_round_codes"
        )
    title = ctx.settings.record_round_codes[prefix]
    team = ctx.iris.team(ctx.event, noc)
    round_iri = ctx.iris.round(ctx.event, title)
    result = next((r for r in out.results if r.round == round_iri and r.team == team), None)
    if result is None:
        raise SourceError(
            src.path, src.line, f"records table: {noc} has no result in {quote(title)}"
        )
    try:
        time = parse_time(cells.get("time", ""))
    except BadValue as e:
        raise SourceError(src.path, src.line, str(e)) from e
    if time != result.time:
        ctx.warn(
            src,
            f"records table time {time} differs from the results table's {result.time} "
            f"for {noc} in {quote(title)}",
        )
    race = next((r for r in out.races if r.iri == result.race), None)
    if code != prefix and (race is None or race.label != code):
        where = f"{quote(race.label)} of {quote(title)}" if race else quote(title)
        ctx.warn(
            src,
            f"records table says round {quote(code)}; "
            f"the results table has {noc}'s {result.time_text} in {where}",
        )
    return result


def _table_date(ctx: Context, cells: dict[str, str], src: SourceRef) -> date | None:
    text = cells.get("date", "")
    if not text:
        return None
    first, last, _ = ctx.event_span()
    try:
        return parse_day_month(text, first, last)
    except BadValue as e:
        raise SourceError(src.path, src.line, str(e)) from e


def _link_superseded(records: tuple[Record, ...], rounds: dict[str, Round]) -> tuple[Record, ...]:
    """Within a type, a later and faster record broke the best one before it."""
    linked = {}
    for kind in RecordKind:
        best: Record | None = None
        ordered = sorted(
            (r for r in records if r.record_type is kind),
            key=lambda r: (rounds[r.round].order if r.round else 0, r.time),
        )
        for record in ordered:
            beats = best is not None and record.time < best.time
            linked[record.iri] = replace(record, supersedes=best.iri) if beats and best else record
            if best is None or record.time < best.time:
                best = record
    return tuple(linked[r.iri] for r in records)


def extract_medals(ctx: Context, teams: tuple[TeamEntry, ...]) -> tuple[MedalAward, ...]:
    """Medals from the infobox: one to the team, one to each athlete it lists."""
    awards: list[MedalAward] = []
    by_noc = {t.noc.rsplit("/", 1)[1]: t for t in teams}
    for line in ctx.settings.medals:
        names_field = next((f for f in ctx.article.infobox if f.key == line.athletes), None)
        noc_field = next((f for f in ctx.article.infobox if f.key == line.noc), None)
        if names_field is None or noc_field is None:
            continue
        team = by_noc.get(noc_field.value)
        if team is None:
            raise SourceError(
                noc_field.src.path,
                noc_field.src.line,
                f"medal NOC {quote(noc_field.value)} has no team in the results",
            )
        kind = MedalKind(line.medal)
        awards.append(
            MedalAward(
                iri=ctx.iris.team_medal(ctx.event, kind.value),
                label=f"{kind.value} medal: {team.label}",
                event=ctx.event,
                medal=kind,
                awarded_to=team.iri,
                as_member_of=None,
                src=noc_field.src,
            )
        )
        awards.extend(_athlete_medals(ctx, kind, team, names_field.value, names_field.src))
    return tuple(awards)


def _athlete_medals(
    ctx: Context, kind: MedalKind, team: TeamEntry, names: str, src: SourceRef
) -> list[MedalAward]:
    awards = []
    listed = []
    for name in (n.strip() for n in names.split(",")):
        entry = ctx.roster.get(name)
        if entry is None:
            raise SourceError(
                src.path,
                src.line,
                f"medallist {quote(name)} is not in the roster of '{ctx.stem}' "
                f"({ctx.reference.file('rosters.tsv')})",
            )
        if ctx.iris.noc(entry.noc) != team.noc:
            raise SourceError(
                src.path,
                src.line,
                f"medallist {quote(name)} raced for {entry.noc} in the roster, not {team.noc}",
            )
        person = ctx.iris.person(name)
        listed.append(person)
        awards.append(
            MedalAward(
                iri=ctx.iris.athlete_medal(ctx.event, kind.value, name),
                label=f"{kind.value} medal: {name}, {team.label}",
                event=ctx.event,
                medal=kind,
                awarded_to=person,
                as_member_of=team.iri,
                src=src,
            )
        )
    unlisted = sorted(set(team.members) - set(listed))
    if unlisted:
        ctx.warn(
            src, f"raced for the team but not listed for the {kind.value.lower()} medal: {unlisted}"
        )
    not_raced = sorted(set(listed) - set(team.members))
    if not_raced:
        ctx.warn(
            src, f"listed for the {kind.value.lower()} medal but in no results row: {not_raced}"
        )
    return awards
