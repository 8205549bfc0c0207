"""The rows of the results tables: each row's team and race, and each round's races.

A row whose team the build cannot name is left out with a diagnostic; the build never
guesses a team.
"""

from __future__ import annotations

from msgspec import Struct

from kg_build.extract.cells import RankCell, read_columns, read_rank, row_text
from kg_build.extract.lineups import Athletes, TeamId, name_noc, split_athletes
from kg_build.extract.rounds import RaceTable, RoundRead
from kg_build.extract.scope import Scope
from kg_build.messages import quote
from kg_build.model import Diagnostic, Race, SourceRef, TableRow
from kg_build.model.diagnostics import diagnostic


class ResultRow(Struct, frozen=True):
    """A data row read far enough to know its team and race."""

    cells: dict[str, str]
    team: TeamId
    athletes: Athletes
    race: str | None  # the race's label
    rank: RankCell
    row: TableRow
    section: RaceTable


def read_result_rows(
    scope: Scope, round_read: RoundRead
) -> tuple[list[ResultRow], list[Diagnostic]]:
    """Read a round's rows to their team and race; a row naming no team is a diagnostic."""
    rows: list[ResultRow] = []
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
            rows.append(ResultRow(cells, team, athletes, label, rank, row, race_table))
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


def read_races(scope: Scope, round_read: RoundRead) -> tuple[Race, ...]:
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


def index_races(read: list[tuple[RoundRead, list[ResultRow], tuple[Race, ...]]]) -> dict[str, Race]:
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


def team_name(scope: Scope, team: TeamId) -> str:
    """Name a team by its NOC's curated name, and its designation (``B``) if any."""
    row = scope.reference.nocs.get(team.noc)
    name = row.name if row else team.noc
    return f"{name} {team.designation}" if team.designation else name
