"""Article → typed records and diagnostics.

One module per record family, each a function of the article's frozen ``Scope`` that returns
its records and its diagnostics: ``rounds`` (sections, tables, start times), ``results``
(races, results, team entries; a row by ``result_rows``, ``result_values`` and ``notes``),
``records``, ``medals``, ``claims`` and ``event`` (the event, Games, sports, venue, editions,
NOCs, people). ``lineups`` splits athletes cells by the curated roster, ``cells`` reads ranks,
times and markers, ``values`` dates and times.
Nothing here names an article or a sport: settings and curated data come from ``mappings/``.
"""

from __future__ import annotations

from msgspec.structs import replace
from rdflib import URIRef

from kg_build.extract.claims import extract_claims
from kg_build.extract.event import extract_event, extract_nocs, extract_people
from kg_build.extract.medals import MedalsOut, extract_medals
from kg_build.extract.records import extract_records
from kg_build.extract.results import extract_results
from kg_build.extract.rounds import read_rounds
from kg_build.extract.scope import Inputs, Scope, make_scope
from kg_build.extract.standing import extract_standing, read_records_section
from kg_build.model import Article, Extraction, SourceArticle, SourceRef, TeamEntry

__all__ = ["Inputs", "Scope", "extract_article", "make_scope"]


def extract_article(article: Article, inputs: Inputs, file: str) -> Extraction:
    """Extract every record of one article; ``file`` names it in the graph.

    Raises SourceError only for an article that is not of the family at all; everything
    else the build could not read, or our curated data lacks, is a diagnostic.
    """
    scope, found = make_scope(article, inputs, file)
    rounds = read_rounds(scope)
    results = extract_results(scope, rounds.rounds)
    section = read_records_section(scope)
    records = extract_records(scope, rounds.rounds, results, section.during)
    standing = extract_standing(scope, section)
    medals = extract_medals(scope, results.teams)
    teams = _complete_teams(results.teams, medals)
    claims = extract_claims(scope, rounds.rounds)
    athletes = {a for t in teams for a in t.members}
    holders = {a for r in standing.records for a in r.athletes}
    event = extract_event(scope, len(athletes))
    prefix = inputs.iris.noc("")
    referenced = [
        *((t.noc, t.src) for t in teams),
        *((c.value, c.src) for c in claims.claims if isinstance(c.value, URIRef)),
        *((r.noc, r.src) for r in standing.records if r.noc),
    ]
    used: dict[str, SourceRef] = {}
    for iri, src in referenced:
        if iri.startswith(prefix):
            used.setdefault(iri[len(prefix) :], src)
    nocs, noc_problems = extract_nocs(scope, used)
    diagnostics = [
        *found,
        *rounds.diagnostics,
        *results.diagnostics,
        *section.diagnostics,
        *records.diagnostics,
        *standing.diagnostics,
        *medals.diagnostics,
        *claims.diagnostics,
        *event.diagnostics,
        *noc_problems,
    ]
    staffed = {t.iri for t in teams if t.members}
    missing = tuple(
        m
        for m in rounds.missing + results.missing
        if not (m.about in staffed and m.property.endswith("#member"))
    )
    if not inputs.each_cell and any(d.code == "no-roster" for d in found):  # say it once
        diagnostics = [d for d in diagnostics if d.code != "athletes-not-in-roster"]
    return Extraction(
        article=SourceArticle(scope.article_iri, article.title, file, article.src),
        event=event.event,
        games=event.games,
        sports=event.sports,
        venue=event.venue,
        other_editions=event.other_editions,
        nocs=nocs,
        people=extract_people(scope, athletes | holders),
        teams=teams,
        rounds=tuple(r.round for r in rounds.rounds),
        races=results.races,
        results=results.results,
        missing=missing,
        medals=medals.medals,
        records=records.records,
        standing_records=standing.records,
        claims=claims.claims,
        diagnostics=tuple(sorted(diagnostics, key=lambda d: (d.src.line, d.code))),
    )


def _complete_teams(teams: tuple[TeamEntry, ...], medals: MedalsOut) -> tuple[TeamEntry, ...]:
    """Add what the medal lines say of the teams: members no results row shows, and places.

    A medal team that raced no final (a bronze to the faster semifinal loser, in early
    editions) takes the place its medal stands for as its final rank.
    """
    more: dict[str, list[str]] = {}
    for team_iri, person in medals.members:
        more.setdefault(team_iri, []).append(person)
    done = []
    for team in teams:
        added = tuple(p for p in more.get(team.iri, ()) if p not in team.members)
        rank = team.final_rank if team.final_rank is not None else medals.place_of(team.iri)
        done.append(replace(team, members=team.members + added, final_rank=rank))
    return tuple(done)
