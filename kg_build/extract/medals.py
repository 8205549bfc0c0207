"""Medals from the infobox: one to the team, one to each athlete its medal line names.

A medallist whom no results row shows (a reserve who rode a round the tables leave out) is
still a member of the medal team and receives the medal; a diagnostic says the line-up
tables do not show them.
"""

from __future__ import annotations

from msgspec import Struct

from kg_build.curated.rosters import RosterEntry
from kg_build.curated.settings import MedalLine
from kg_build.extract.lineups import split_athletes
from kg_build.extract.scope import Scope
from kg_build.messages import quote
from kg_build.model import Diagnostic, InfoboxField, MedalAward, MedalKind, TeamEntry
from kg_build.model.diagnostics import diagnostic


class MedalsOut(Struct, frozen=True):
    """The medals, the members the medal lines add to their teams, and diagnostics."""

    medals: tuple[MedalAward, ...]
    members: tuple[tuple[str, str], ...]  # (team IRI, person IRI) the results did not show
    diagnostics: tuple[Diagnostic, ...]

    def place_of(self, team: str) -> int | None:
        """Return the place a team's medal stands for (gold 1, silver 2, bronze 3), if any."""
        kinds = list(MedalKind)
        won = [m.medal for m in self.medals if m.awarded_to == team]
        return kinds.index(won[0]) + 1 if won else None


def extract_medals(scope: Scope, teams: tuple[TeamEntry, ...]) -> MedalsOut:
    """Read each medal line of the settings that the infobox has."""
    medals: list[MedalAward] = []
    members: list[tuple[str, str]] = []
    found: list[Diagnostic] = []
    for line in scope.settings.medals:
        names = next((f for f in scope.article.infobox if f.key == line.athletes), None)
        if names is None:
            continue
        noc = next((f for f in scope.article.infobox if f.key == line.noc), None)
        awarded, added, problems = _medal_line(scope, line, names, noc, teams)
        medals += awarded
        members += added
        found += problems
    return MedalsOut(tuple(medals), tuple(members), tuple(found))


def _medal_line(
    scope: Scope,
    line: MedalLine,
    names: InfoboxField,
    noc: InfoboxField | None,
    teams: tuple[TeamEntry, ...],
) -> tuple[list[MedalAward], list[tuple[str, str]], list[Diagnostic]]:
    athletes = split_athletes(
        scope.roster, names.value, names.src, scope.settings.placeholders, scope.stem
    )
    found = list(athletes.diagnostics)
    # Each medallist alone: "Gold: A, B, C" names people, not a space-joined cell.
    entries = list(athletes.entries)
    if any(d.code.startswith("athletes-") for d in found):
        return [], [], found
    team, problem = _team(scope, line, names, noc, entries, teams)
    if team is None:
        return [], [], found + ([problem] if problem else [])
    if problem is not None:
        found.append(problem)
    kind = MedalKind(line.medal)
    src = noc.src if noc else names.src
    medals = [
        MedalAward(
            iri=scope.iris.team_medal(scope.event, kind.value),
            label=f"{kind.value} medal: {team.label}",
            event=scope.event,
            medal=kind,
            awarded_to=team.iri,
            as_member_of=None,
            src=src,
        )
    ]
    added: list[tuple[str, str]] = []
    for entry in entries:
        person = scope.iris.person(entry.athlete)
        medals.append(
            MedalAward(
                iri=scope.iris.athlete_medal(scope.event, kind.value, entry.athlete),
                label=f"{kind.value} medal: {entry.athlete}, {team.label}",
                event=scope.event,
                medal=kind,
                awarded_to=person,
                as_member_of=team.iri,
                src=names.src,
            )
        )
        if person not in team.members:
            added.append((team.iri, person))
            found.append(
                diagnostic(
                    "medallist-not-in-results",
                    names.src,
                    f"medallist {quote(entry.athlete)} is in no results row of "
                    f"{team.label.split(':', 1)[0]}",
                    entry.athlete,
                    "the medal, and membership of the medal team",
                )
            )
    listed = {scope.iris.person(e.athlete) for e in entries}
    unlisted = sorted(set(team.members) - listed)
    if unlisted:
        found.append(
            diagnostic(
                "medal-not-listed",
                names.src,
                f"raced for the team but not listed for the {kind.value.lower()} medal: {unlisted}",
                names.value,
                "no medal for them",
            )
        )
    return medals, added, found


def _team(
    scope: Scope,
    line: MedalLine,
    names: InfoboxField,
    noc: InfoboxField | None,
    entries: list[RosterEntry],
    teams: tuple[TeamEntry, ...],
) -> tuple[TeamEntry | None, Diagnostic | None]:
    """Return the medal team: by the line's NOC, or the roster's when the line gives none."""
    problem = None
    code = noc.value if noc else None
    if code is None:
        nocs = sorted({e.noc for e in entries})
        if len(nocs) != 1:
            return None, diagnostic(
                "medal-team-unknown",
                names.src,
                f"{line.medal} medal line {quote(names.value)} names no NOC and its athletes "
                f"belong to {len(nocs)} NOCs",
                names.value,
                "no medal for that line",
            )
        code = nocs[0]
        problem = diagnostic(
            "medal-without-noc",
            names.src,
            f"{line.medal} medal line names no NOC ('{line.noc}'): the roster's {code} is used",
            names.value,
            f"the medal to the team of {code}",
        )
    candidates = [t for t in teams if t.noc == scope.iris.noc(code)]
    people = {scope.iris.person(e.athlete) for e in entries}
    # An NOC with two teams: the one its medallists raced for.
    candidates.sort(key=lambda t: -len(people & set(t.members)))
    if not candidates:
        src = noc.src if noc else names.src
        return None, diagnostic(
            "medal-team-unknown",
            src,
            f"{line.medal} medal NOC {quote(code)} has no team in the results",
            code,
            "no medal for that line",
        )
    return candidates[0], problem
