"""Races, results and team entries from the rounds' results tables.

Every data row of a round's table is one team's result. A row is read on its own: a row the
build cannot attach to a team is left out with a diagnostic, and the rest of the table is
still read. Absent values are ``tp:MissingValue`` resources with their reason, never zeros.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from kg_build.diagnostics import diagnostic
from kg_build.extract.cells import (
    Marker,
    RankCell,
    TimeCell,
    is_marker_text,
    read_columns,
    read_deficit,
    read_markers,
    read_rank,
    read_time,
    row_text,
    unknown_marker,
)
from kg_build.extract.lineups import Athletes, TeamId, name_noc, split_athletes
from kg_build.extract.rounds import RaceTable, RoundRead, sentences
from kg_build.extract.scope import Scope
from kg_build.messages import quote
from kg_build.model import (
    Diagnostic,
    MissingValue,
    Paragraph,
    Race,
    Result,
    SourceRef,
    TableRow,
    TeamEntry,
)
from kg_build.namespaces import TP


@dataclass(frozen=True, slots=True)
class ResultsOut:
    """What the results tables give."""

    races: tuple[Race, ...]
    race_index: Mapping[str, Race]  # by label, and by what a next round calls its heats
    results: tuple[Result, ...]
    teams: tuple[TeamEntry, ...]
    missing: tuple[MissingValue, ...]
    record_marks: tuple[tuple[Result, Marker, SourceRef], ...]
    diagnostics: tuple[Diagnostic, ...]


@dataclass(frozen=True, slots=True)
class _Row:
    """A data row read far enough to know its team and race."""

    cells: dict[str, str]
    team: TeamId
    athletes: Athletes
    race: str | None  # the race's label
    rank: RankCell
    row: TableRow
    section: RaceTable


def extract_results(scope: Scope, rounds: tuple[RoundRead, ...]) -> ResultsOut:
    """Read every round's tables into races, results and team entries."""
    found: list[Diagnostic] = []
    read: list[tuple[RoundRead, list[_Row], tuple[Race, ...]]] = []
    for round_read in rounds:
        rows, problems = _rows(scope, round_read)
        found += problems
        read.append((round_read, rows, _races(scope, round_read)))
    race_index = _race_index(read)
    results: list[Result] = []
    missing: list[MissingValue] = []
    marks: list[tuple[Result, Marker, SourceRef]] = []
    for round_read, rows, races in read:
        in_race = _ranks_repeat(rows)
        seen: dict[str, SourceRef] = {}
        for row in rows:
            iri = scope.iris.result(round_read.round.iri, row.team.key)
            if iri in seen:
                found.append(_duplicate(row, seen[iri]))
                continue
            seen[iri] = row.row.src
            done = _result(scope, round_read, races, row, race_index, in_race)
            results.append(done.result)
            missing += done.missing
            marks += [(done.result, m, row.row.src) for m in done.markers]
            found += done.diagnostics
    teams, team_gaps = _teams(scope, rounds, results, read)
    return ResultsOut(
        races=tuple(race for _, _, races in read for race in races),
        race_index=race_index,
        results=tuple(results),
        teams=teams,
        missing=tuple(missing) + team_gaps,
        record_marks=tuple(marks),
        diagnostics=tuple(found),
    )


def _duplicate(row: _Row, first: SourceRef) -> Diagnostic:
    return diagnostic(
        "duplicate-result",
        row.row.src,
        f"team {row.team.key} appears twice in a round (first at line {first.line})",
        row_text(row.row),
        "the first row",
    )


# ---------------------------------------------------------------- rows


def _rows(scope: Scope, round_read: RoundRead) -> tuple[list[_Row], list[Diagnostic]]:
    rows: list[_Row] = []
    found: list[Diagnostic] = []
    for race_table in round_read.tables:
        columns = read_columns(race_table.table, scope.settings.columns)
        found += columns.diagnostics
        header = dict(zip(columns.roles, race_table.table.header, strict=True))
        for row in race_table.table.rows:
            cells = columns.cells(row)
            rank = read_rank(cells.get("rank", ""), row.src)
            team, athletes, problems = _team(scope, cells, "athletes" in columns.known, row.src)
            if team is None:
                found.append(_unattached(cells, row) if not problems else problems[0])
                found += problems[1:]
                continue
            found += problems
            found += rank.diagnostics
            label = _race_label(cells, header, row, race_table)
            rows.append(_Row(cells, team, athletes, label, rank, row, race_table))
    return rows, found


def _team(
    scope: Scope, cells: dict[str, str], has_athletes_column: bool, src: SourceRef
) -> tuple[TeamId | None, Athletes, list[Diagnostic]]:
    """Return a row's team and athletes; a country cell naming no NOC holds the athletes.

    Flag templates were stripped, so a country cell is often empty (the roster gives the NOC)
    or holds the athletes (when the table has no athletes column of its own).
    """
    country = cells.get("country", "")
    named = name_noc(country, scope.reference.nocs, scope.settings.team_designation)
    if (
        country
        and named is None
        and has_athletes_column
        and country not in scope.settings.placeholders
    ):
        return (
            None,
            Athletes((), False, ()),
            [
                diagnostic(
                    "noc-not-curated",
                    src,
                    f"team {quote(country)} is no NOC of {scope.reference.file('nocs.tsv')} "
                    "(add a row with its IOC code, name and source)",
                    country,
                )
            ],
        )
    names = cells.get("athletes", "") if has_athletes_column else ("" if named else country)
    athletes = split_athletes(scope.roster, names, src, scope.settings.placeholders, scope.stem)
    problems = list(athletes.diagnostics)
    if any(d.code.startswith("athletes-") for d in problems):
        return None, athletes, problems
    nocs = sorted({e.noc for e in athletes.entries})
    if len(nocs) > 1:
        return None, athletes, [*problems, _two_nocs(scope, names, nocs, src)]
    if named is not None and nocs and nocs[0] != named.noc:
        return None, athletes, [*problems, _two_nocs(scope, names, [named.noc, nocs[0]], src)]
    if named is not None:
        return named, athletes, problems
    if nocs:
        return TeamId(nocs[0]), athletes, problems
    return None, athletes, problems


def _two_nocs(scope: Scope, names: str, nocs: list[str], src: SourceRef) -> Diagnostic:
    return diagnostic(
        "athletes-of-two-nocs",
        src,
        f"athletes {quote(names)} belong to NOCs {', '.join(nocs)} by the row and "
        f"{scope.roster.file}",
        names,
    )


def _unattached(cells: dict[str, str], row: TableRow) -> Diagnostic:
    """Say why a row names no team: it holds a rank alone, or more but no team."""
    text = row_text(row)
    others = [v for k, v in cells.items() if k != "rank" and v]
    if not others and len([c for c in row.cells if c]) <= 1:
        return diagnostic(
            "rank-only-row",
            row.src,
            f"results row {quote(text)} holds only a rank",
            text,
            "nothing: no team to attach the rank to",
        )
    return diagnostic(
        "row-without-team",
        row.src,
        f"results row {quote(text)} names no team (no NOC, no athletes)",
        text,
        "nothing: the build never guesses the team",
    )


def _race_label(
    cells: dict[str, str], header: dict[str | None, str], row: TableRow, table: RaceTable
) -> str | None:
    """Name a row's race: its group row, its heat or final column, or its table's label."""
    if row.group is not None:
        return row.group.label
    if cells.get("heat"):
        return f"Heat {cells['heat']}"
    if cells.get("final"):
        return f"{header['final']} {cells['final']}"
    return table.label


def _races(scope: Scope, round_read: RoundRead) -> tuple[Race, ...]:
    """Return a round's races: every label its tables give, whether or not its rows are read.

    A race whose rows hold ranks alone is still a race other rows qualified for.
    """
    races: dict[str, Race] = {}
    round_iri = round_read.round.iri
    for race_table in round_read.tables:
        columns = read_columns(race_table.table, scope.settings.columns)
        header = dict(zip(columns.roles, race_table.table.header, strict=True))
        labelled = [
            (_race_label(columns.cells(row), header, row, race_table), row)
            for row in race_table.table.rows
        ]
        groups = [(g.label, g.src) for g in race_table.table.groups]
        for label, src in [
            *((label, _race_src(row, race_table)) for label, row in labelled),
            *groups,
        ]:
            if label is None or label in races:
                continue
            heat = label.removeprefix("Heat ")
            iri = (
                scope.iris.heat(round_iri, int(heat))
                if heat.isdigit() and label not in {g for g, _ in groups}
                else scope.iris.race(round_iri, label)
            )
            races[label] = Race(iri, label, round_iri, len(races) + 1, src)
    ordered = sorted(races.values(), key=lambda r: (r.src.line, r.order))
    # Heats keep their numbers' order; named races the article's order.
    if all(r.label.startswith("Heat ") and r.label[5:].isdigit() for r in ordered):
        ordered = sorted(ordered, key=lambda r: int(r.label[5:]))
        return tuple(Race(r.iri, r.label, r.round, int(r.label[5:]), r.src) for r in ordered)
    return tuple(Race(r.iri, r.label, r.round, n, r.src) for n, r in enumerate(ordered, 1))


def _race_src(row: TableRow, table: RaceTable) -> SourceRef:
    return row.group.src if row.group else table.label_src or row.src


def _race_index(read: list[tuple[RoundRead, list[_Row], tuple[Race, ...]]]) -> dict[str, Race]:
    """Index races by label, and a round's numbered heats by the round's own word too.

    Notes name the race a team goes to as the next round calls it: heat 1 of the
    "Semifinals" is "Semifinal 1" in a quarterfinal's notes.
    """
    index: dict[str, Race] = {}
    for round_read, _, races in read:
        word = round_read.round.title.removesuffix("s")
        for race in races:
            index.setdefault(race.label, race)
            number = race.label.removeprefix("Heat ")
            if number.isdigit():
                index.setdefault(f"{word} {number}", race)
    return index


def _ranks_repeat(rows: list[_Row]) -> bool:
    """Tell whether ranks restart in each race (rank within race) or run over the round."""
    ranks = [r.rank.rank for r in rows if r.rank.rank is not None]
    return len(ranks) != len(set(ranks))


# ---------------------------------------------------------------- one result


@dataclass(frozen=True, slots=True)
class _Done:
    result: Result
    missing: tuple[MissingValue, ...]
    markers: tuple[Marker, ...]
    diagnostics: tuple[Diagnostic, ...]


def _result(
    scope: Scope,
    round_read: RoundRead,
    races: tuple[Race, ...],
    row: _Row,
    race_index: dict[str, Race],
    in_race: bool,
) -> _Done:
    src = row.row.src
    round_ = round_read.round
    iri = scope.iris.result(round_.iri, row.team.key)
    inputs = scope.inputs
    time = read_time(row.cells.get("time", ""), src, inputs.outcome_codes, inputs.record_codes)
    deficit = read_deficit(row.cells.get("deficit", ""), src, scope.settings.leader_marks)
    notes = _notes(scope, iri, row.cells.get("notes", ""), race_index, src)
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
    return _Done(result, tuple(gaps), tuple(m for m in markers if m.kind), tuple(found))


def _outcome_found(row: _Row, outcome: str, src: SourceRef) -> Diagnostic:
    written = row.cells.get("time") or row.cells.get("notes", "")
    return diagnostic(
        "time-outcome",
        src,
        f"outcome {quote(written)} instead of a time: kept as tp:{outcome}",
        written,
        f"the outcome tp:{outcome}; the time as missing",
    )


def _rank_and_deficit_gaps(
    scope: Scope, result: str, row: _Row, deficit: Decimal | None
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
    scope: Scope, result: str, row: _Row, found: list[Diagnostic]
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


@dataclass(frozen=True, slots=True)
class _Notes:
    markers: tuple[Marker, ...]
    qualified: Race | None
    mark: str | None  # a qualification mark (Q) naming no race
    outcome: str | None
    missing: tuple[MissingValue, ...]
    diagnostics: tuple[Diagnostic, ...]


def _notes(
    scope: Scope, result: str, notes: str, race_index: dict[str, Race], src: SourceRef
) -> _Notes:
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
    return _Notes(
        tuple(markers), qualified, ", ".join(marks) or None, outcome, tuple(gaps), tuple(found)
    )


def _looks_like_markers(token: str) -> bool:
    """Tell a marker of no known type (``XR``, ``=ER``) from other notes: short capitals."""
    word = token.lstrip("=").split(" (", 1)[0]
    return 2 <= len(word) <= 3 and word.isalpha() and word.isupper()


def _no_time_reason(
    scope: Scope, round_read: RoundRead, row: _Row, time: TimeCell, outcome: str | None
) -> str:
    """Return why a team has no time: its outcome, an unreadable cell, or the article's words."""
    if outcome is not None:
        return f"outcome {row.cells.get('time') or row.cells.get('notes')} (tp:{outcome})"
    if time.unreadable is not None:
        return f"the time cell {quote(time.unreadable)} is not a readable time"
    name = _team_name(scope, TeamId(row.team.noc))
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


def _team_name(scope: Scope, team: TeamId) -> str:
    row = scope.reference.nocs.get(team.noc)
    name = row.name if row else team.noc
    return f"{name} {team.designation}" if team.designation else name


# ---------------------------------------------------------------- team entries


def _teams(
    scope: Scope,
    rounds: tuple[RoundRead, ...],
    results: list[Result],
    read: list[tuple[RoundRead, list[_Row], tuple[Race, ...]]],
) -> tuple[tuple[TeamEntry, ...], tuple[MissingValue, ...]]:
    """Return every team that has a result: its members in any round, its final rank."""
    last = max((r.round.order for r in rounds), default=0)
    final_round = next((r.round.iri for r in rounds if r.round.order == last), None)
    team_ids = {
        scope.iris.team(scope.event, row.team.key): row.team for _, rows, _ in read for row in rows
    }
    members: dict[str, list[str]] = {}
    for result in results:
        team = members.setdefault(result.team, [])
        team.extend(a for a in result.athletes if a not in team)
    teams = []
    gaps = []
    for iri, athletes in members.items():
        team_id = team_ids[iri]
        final = next((r for r in results if r.team == iri and r.round == final_round), None)
        src = next(r.src for r in results if r.team == iri)
        teams.append(
            TeamEntry(
                iri=iri,
                label=f"{_team_name(scope, team_id)}: {scope.article.title}",
                event=scope.event,
                noc=scope.iris.noc(team_id.noc),
                designation=team_id.designation,
                members=tuple(athletes),
                final_rank=(final.round_rank or final.race_rank) if final else None,
                src=src,
            )
        )
        if not athletes:
            why = "the article does not give the line-up in any round"
            gaps.append(
                MissingValue(scope.iris.missing(iri, "member"), iri, str(TP.member), why, src)
            )
    return tuple(teams), tuple(gaps)
