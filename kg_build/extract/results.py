"""Races, results and team entries from the rounds' results tables.

Every data row of a round's table is one team's result. A row is read on its own: a row the
build cannot attach to a team is left out with a diagnostic, and the rest of the table is
still read. Absent values are ``tp:MissingValue`` resources with their reason, never zeros.
``result_rows`` reads each row to its team and race, ``result_values`` one row's result,
``notes`` its notes cell.
"""

from __future__ import annotations

from collections.abc import Mapping

from msgspec import Struct

from kg_build.extract.cells import Marker, row_text
from kg_build.extract.result_rows import (
    ResultRow,
    index_races,
    read_races,
    read_result_rows,
    team_name,
)
from kg_build.extract.result_values import read_result
from kg_build.extract.rounds import RoundRead
from kg_build.extract.scope import Scope
from kg_build.model import Diagnostic, MissingValue, Race, Result, SourceRef, TeamEntry
from kg_build.model.diagnostics import diagnostic
from kg_build.rdf.namespaces import TP


class ResultsOut(Struct, frozen=True):
    """What the results tables give."""

    races: tuple[Race, ...]
    race_index: Mapping[str, Race]  # by label, and by what a next round calls its heats
    results: tuple[Result, ...]
    teams: tuple[TeamEntry, ...]
    missing: tuple[MissingValue, ...]
    record_marks: tuple[tuple[Result, Marker, SourceRef], ...]
    diagnostics: tuple[Diagnostic, ...]


def extract_results(scope: Scope, rounds: tuple[RoundRead, ...]) -> ResultsOut:
    """Read every round's tables into races, results and team entries."""
    found: list[Diagnostic] = []
    read: list[tuple[RoundRead, list[ResultRow], tuple[Race, ...]]] = []
    for round_read in rounds:
        rows, problems = read_result_rows(scope, round_read)
        found += problems
        read.append((round_read, rows, read_races(scope, round_read)))
    race_index = index_races(read)
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
            done = read_result(scope, round_read, races, row, race_index, in_race)
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


def _duplicate(row: ResultRow, first: SourceRef) -> Diagnostic:
    return diagnostic(
        "duplicate-result",
        row.row.src,
        f"team {row.team.key} appears twice in a round (first at line {first.line})",
        row_text(row.row),
        "the first row",
    )


def _ranks_repeat(rows: list[ResultRow]) -> bool:
    """Tell whether ranks restart in each race (rank within race) or run over the round."""
    ranks = [r.rank.rank for r in rows if r.rank.rank is not None]
    return len(ranks) != len(set(ranks))


def _teams(
    scope: Scope,
    rounds: tuple[RoundRead, ...],
    results: list[Result],
    read: list[tuple[RoundRead, list[ResultRow], tuple[Race, ...]]],
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
                label=f"{team_name(scope, team_id)}: {scope.article.title}",
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
