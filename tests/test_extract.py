"""Extraction on both articles: what each record holds, checked against the articles by hand."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest
from msgspec.structs import replace
from rdflib import Literal
from rdflib.namespace import XSD

from kg_build.build.config import Config
from kg_build.curated.reference import load_reference
from kg_build.curated.settings import load_settings
from kg_build.errors import SourceError
from kg_build.extract import Inputs, Scope, make_scope
from kg_build.extract.claims import extract_claims
from kg_build.extract.lineups import split_athletes
from kg_build.model import Extraction, MedalKind, Result, SourceRef
from kg_build.parse.article import parse_bytes
from kg_build.rdf.iris import Iris
from kg_build.rdf.ontology import load_ontology, vocabulary

IRIS = Iris()
CYC = IRIS.event(2020, "Cycling", "Men's team pursuit")
SKA = IRIS.event(2022, "Speed skating", "Men's team pursuit")


def _result(ex: Extraction, round_slug: str, noc: str) -> Result:
    iri = f"{ex.event.iri}/round/{round_slug}/result/{noc}"
    return next(r for r in ex.results if r.iri == iri)


def test_event_fields(cycling_ex: Extraction, skating_ex: Extraction) -> None:
    event = cycling_ex.event
    assert event.iri == CYC
    assert (event.start_date, event.end_date, event.days) == (
        date(2021, 8, 2),
        date(2021, 8, 4),
        (),
    )
    assert (event.winning_time, event.winning_time_text, event.winning_time_records) == (
        Decimal("222.032"),
        "3:42.032 WR",
        ("WorldRecord",),
    )
    assert event.previous == IRIS.event(2016, "Cycling", "Men's team pursuit")
    assert event.next == IRIS.event(2024, "Cycling", "Men's team pursuit")
    assert event.discipline == IRIS.discipline("Track cycling")
    assert event.named_competitors == 37
    skating = skating_ex.event
    assert skating.days == (date(2022, 2, 13), date(2022, 2, 15))
    assert (skating.winning_time, skating.winning_time_records) == (Decimal("218.08"), ())
    assert skating.venue_text == "National Speed Skating Oval,, Beijing"
    assert skating.named_competitors == 27
    assert skating_ex.games.host_city == "Beijing" and cycling_ex.games.host_city == "Tokyo"
    assert cycling_ex.venue is not None and skating_ex.venue is not None
    assert cycling_ex.venue.utc_offset == "+09:00" and skating_ex.venue.utc_offset == "+08:00"


def test_rounds_with_local_start_times(cycling_ex: Extraction, skating_ex: Extraction) -> None:
    assert [
        (r.title, r.kind, r.order, r.start_time.isoformat() if r.start_time else None)
        for r in cycling_ex.rounds
    ] == [
        ("Qualifying", "Qualifying", 1, "2021-08-02T17:02:00+09:00"),
        ("First round", "FirstRound", 2, "2021-08-03T16:22:00+09:00"),
        ("Finals", "Final", 3, "2021-08-04T17:45:00+09:00"),
    ]
    assert [
        (r.title, r.start_time.isoformat() if r.start_time else None) for r in skating_ex.rounds
    ] == [
        ("Quarterfinals", "2022-02-13T21:00:00+08:00"),
        ("Semifinals", "2022-02-15T14:52:00+08:00"),
        ("Finals", "2022-02-15T15:43:00+08:00"),
    ]


def test_races(cycling_ex: Extraction, skating_ex: Extraction) -> None:
    assert [r.label for r in cycling_ex.races] == [
        "Heat 1",
        "Heat 2",
        "Heat 3",
        "Heat 4",
        "Gold medal final",
        "Bronze medal final",
        "Fifth place final",
        "Seventh place final",
    ]
    assert cycling_ex.races[2].iri == f"{CYC}/round/first-round/heat/3"
    assert [r.iri.rsplit("/", 2)[1:] for r in skating_ex.races[4:]] == [
        ["race", "semifinal-1"],
        ["race", "semifinal-2"],
        ["race", "final-a"],
        ["race", "final-b"],
        ["race", "final-c"],
        ["race", "final-d"],
    ]


def test_denmark_caught_britain_and_has_no_time(cycling_ex: Extraction) -> None:
    denmark = _result(cycling_ex, "first-round", "DEN")
    assert (denmark.time, denmark.time_text, denmark.round_rank) == (None, None, 2)
    assert denmark.race == f"{CYC}/round/first-round/heat/4"
    (gap,) = [m for m in cycling_ex.missing if m.about == denmark.iri]
    assert gap.property.endswith("#finishTime")
    assert gap.reason.startswith("Denmark caught the team from Great Britain")
    assert "did not record a time" in gap.reason


def test_bronze_final_has_no_times_and_no_stated_reason(cycling_ex: Extraction) -> None:
    for noc in ("AUS", "NZL"):
        result = _result(cycling_ex, "finals", noc)
        assert result.time is None
        (gap,) = [m for m in cycling_ex.missing if m.about == result.iri]
        assert gap.reason == "the results table gives no time and the article states no reason"


def test_result_values(cycling_ex: Extraction, skating_ex: Extraction) -> None:
    italy = _result(cycling_ex, "finals", "ITA")
    assert (italy.time, italy.time_text, italy.round_rank, italy.notes_text) == (
        Decimal("222.032"),
        "3:42.032",
        1,
        "WR",
    )
    usa = _result(skating_ex, "quarterfinals", "USA")
    assert (usa.deficit, usa.deficit_text, usa.start_side, usa.round_rank) == (
        Decimal("0.04"),
        "+0.04",
        "C",
        2,
    )
    assert usa.qualified_for == f"{SKA}/round/semifinals/race/semifinal-2"
    assert usa.qualification_text == "Semifinal 2"
    roc = _result(skating_ex, "semifinals", "ROC")
    assert (roc.rank, roc.race_rank, roc.round_rank, roc.time, roc.notes_text) == (
        1,
        1,
        None,
        Decimal("216.62"),
        ", Final A",
    )
    assert roc.qualified_for == f"{SKA}/round/finals/race/final-a"
    norway = _result(skating_ex, "finals", "NOR")
    assert (norway.deficit, norway.deficit_text) == (Decimal(0), "–")  # the leader: 0 behind
    stripped = [m for m in skating_ex.missing if m.about == roc.iri]
    assert [m.property.rsplit("#", 1)[1] for m in stripped] == ["markerText", "deficit"]


def test_line_ups_and_team_members(cycling_ex: Extraction, skating_ex: Extraction) -> None:
    members = {t.noc.rsplit("/", 1)[1]: t.members for t in cycling_ex.teams}
    assert {noc: len(m) for noc, m in members.items()} == {
        "DEN": 4,
        "ITA": 4,
        "NZL": 4,
        "GBR": 5,
        "AUS": 5,
        "CAN": 4,
        "GER": 5,
        "SUI": 6,
    }
    assert members["AUS"] == tuple(
        IRIS.person(n)
        for n in (
            "Kelland O'Brien",
            "Sam Welsford",
            "Leigh Howard",
            "Alexander Porter",
            "Luke Plapp",
        )
    )
    usa = next(t for t in skating_ex.teams if t.noc.endswith("/USA"))
    assert len(usa.members) == 4 and IRIS.person("Joey Mantia") in usa.members
    norway_final = _result(skating_ex, "finals", "NOR")
    assert norway_final.athletes == tuple(
        IRIS.person(n) for n in ("Hallgeir Engebråten", "Peder Kongshaug", "Sverre Lunde Pedersen")
    )
    people = {p.iri for p in cycling_ex.people} | {p.iri for p in skating_ex.people}
    assert (
        IRIS.person("Sverre Lunde Pedersen") in people and IRIS.person("Rasmus Pedersen") in people
    )
    assert len(cycling_ex.people) == 37 and len(skating_ex.people) == 27


def test_final_ranks(cycling_ex: Extraction, skating_ex: Extraction) -> None:
    def ranking(ex: Extraction) -> list[str]:
        teams = sorted(ex.teams, key=lambda t: t.final_rank or 99)
        return [t.noc.rsplit("/", 1)[1] for t in teams]

    assert ranking(cycling_ex) == ["ITA", "DEN", "AUS", "NZL", "CAN", "GER", "GBR", "SUI"]
    assert ranking(skating_ex) == ["NOR", "ROC", "USA", "NED", "CAN", "KOR", "ITA", "CHN"]


def test_records(cycling_ex: Extraction, skating_ex: Extraction) -> None:
    cyc = {
        (r.code, r.round.rsplit("/", 1)[1] if r.round else None, r.team[-3:], str(r.time)): r
        for r in cycling_ex.records
    }
    assert sorted(cyc) == [
        ("OR", "qualifying", "DEN", "225.014"),
        ("WR", "finals", "ITA", "222.032"),
        ("WR", "first-round", "ITA", "222.307"),
    ]
    final_wr = cyc[("WR", "finals", "ITA", "222.032")]
    assert final_wr.supersedes == cyc[("WR", "first-round", "ITA", "222.307")].iri
    assert final_wr.date == date(2021, 8, 4) and len(final_wr.athletes) == 4
    ska = sorted(
        (r.record_type, r.round_text, str(r.time), r.date, r.team[-3:]) for r in skating_ex.records
    )
    assert ska == [
        ("OlympicRecord", "SFB", "216.62", date(2022, 2, 15), "ROC"),
        ("TrackRecord", "SFB", "216.62", date(2022, 2, 15), "ROC"),
    ]
    assert all(r.result == f"{SKA}/round/semifinals/result/ROC" for r in skating_ex.records)


def test_medals(cycling_ex: Extraction, skating_ex: Extraction) -> None:
    def athletes(ex: Extraction, kind: MedalKind) -> int:
        return sum(1 for m in ex.medals if m.medal is kind and m.as_member_of)

    assert [athletes(cycling_ex, k) for k in MedalKind] == [4, 4, 5]
    assert [athletes(skating_ex, k) for k in MedalKind] == [3, 3, 4]
    team_gold = next(
        m for m in skating_ex.medals if m.medal is MedalKind.GOLD and not m.as_member_of
    )
    assert team_gold.awarded_to == f"{SKA}/team/NOR"


def test_warnings_report_what_the_articles_disagree_on(
    cycling_ex: Extraction, skating_ex: Extraction
) -> None:
    assert [str(w) for w in cycling_ex.diagnostics] == [
        "sources/cycling-2020-mens-team-pursuit.txt:66: the notes cell ', WR' has an empty item: "
        "the marker written there was stripped from the article, which does not say what it was "
        "[stripped-marker]",
    ]
    assert [str(w) for w in skating_ex.diagnostics] == [
        "sources/speed-skating-2022-mens-team-pursuit.txt:21: the lead puts round 'Semifinals' on "
        "13 February; its own sentence (line 63) on 15 February: both kept as claims of "
        "tp:statedDate (2022-02-13, 2022-02-15) [round-date-conflict]",
        "sources/speed-skating-2022-mens-team-pursuit.txt:41: the records section announces a "
        "table that is not there: 'Prior to this competition, the existing world, Olympic and "
        "track records were as…' (89 characters) [announced-records-missing]",
        "sources/speed-skating-2022-mens-team-pursuit.txt:46: records table says round 'SFB'; the "
        "results table has ROC's 3:36.62 in 'Semifinal 2' of 'Semifinals' [round-code-conflict]",
        "sources/speed-skating-2022-mens-team-pursuit.txt:70: the notes cell ', Final A' has an "
        "empty item: the marker written there was stripped from the article, which does not say "
        "what it was [stripped-marker]",
    ]
    assert {d.level.value for d in (*cycling_ex.diagnostics, *skating_ex.diagnostics)} == {
        "warning"
    }


def test_claims_keep_both_competitor_counts(cycling_ex: Extraction) -> None:
    counts = sorted(
        (c.value, c.source_kind, c.src.line)
        for c in cycling_ex.claims
        if c.property.endswith("#statedCompetitorCount")
    )
    # Each value typed by tp:statedCompetitorCount's range.
    count = XSD.nonNegativeInteger
    assert counts == [
        (Literal("32", datatype=count), "prose", 21),
        (Literal("37", datatype=count), "infobox", 8),
    ]


MakeScope = Callable[[str], Scope]


@pytest.fixture(scope="module")
def context_for() -> MakeScope:
    config = Config()
    vocab = vocabulary(load_ontology(config.ontology))
    inputs = Inputs(load_settings(config.mappings), load_reference(config.mappings), vocab, IRIS)

    def make(text: str) -> Scope:
        article = parse_bytes(text.encode(), "sources/cycling-2020-mens-team-pursuit.txt")
        return make_scope(article, inputs, article.path)[0]

    return make


TITLE = "= Cycling at the 2020 Summer Olympics – Men's team pursuit =\n"
MINIMAL = TITLE + "\nInfobox\n- Event: Men's team pursuit\n\n== Results ==\n"
SRC = SourceRef("x", 5)
PLACEHOLDERS = ("Unknown",)


def test_split_athletes_uses_the_roster_not_word_counts(context_for: MakeScope) -> None:
    scope = context_for(MINIMAL)
    names = split_athletes(
        scope.roster,
        "Lasse Norman Hansen Niklas Larsen Frederik Rodenberg Rasmus Pedersen",
        SRC,
        PLACEHOLDERS,
        scope.stem,
    )
    assert [e.athlete for e in names.entries] == [
        "Lasse Norman Hansen",
        "Niklas Larsen",
        "Frederik Rodenberg",
        "Rasmus Pedersen",
    ]
    unknown = split_athletes(
        scope.roster, "Lasse Norman Hansen Nobody Here", SRC, PLACEHOLDERS, scope.stem
    )
    (problem,) = unknown.diagnostics
    assert (problem.code, problem.level.value) == ("athletes-not-in-roster", "missing")
    assert str(problem).startswith(
        "x:5: athletes 'Lasse Norman Hansen Nobody Here' do not split into names of the roster "
        "of 'cycling-2020-mens-team-pursuit' (mappings/curated/rosters.tsv): no roster name "
        "starts 'Nobody Here'"
    )


def test_comma_lists_and_placeholders(context_for: MakeScope) -> None:
    scope = context_for(MINIMAL)
    listed = split_athletes(
        scope.roster, ", Niklas Larsen, Rasmus Pedersen", SRC, PLACEHOLDERS, scope.stem
    )
    assert [e.athlete for e in listed.entries] == ["Niklas Larsen", "Rasmus Pedersen"]
    assert [d.code for d in listed.diagnostics] == ["empty-list-item"]
    none = split_athletes(scope.roster, "Unknown", SRC, PLACEHOLDERS, scope.stem)
    assert (none.entries, none.given, none.diagnostics) == ((), False, ())


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("= Cycling – Men =\n", "the title 'Cycling – Men' does not match the title_pattern"),
        (TITLE + "\n== Results ==\n", "it has no infobox"),
        (TITLE + "\nInfobox\n- Event: x\n", "it has no section 'Results'"),
    ],
)
def test_an_article_not_of_the_family_is_named(
    context_for: MakeScope, text: str, message: str
) -> None:
    with pytest.raises(SourceError, match=f"not an article of this family: {message}"):
        context_for(text)


def test_a_repeated_infobox_key_with_another_value_is_warned_of(context_for: MakeScope) -> None:
    scope = context_for(
        TITLE + "\nInfobox\n- Venue: Izu Velodrome\n- Venue: Elsewhere\n- Venue: Izu Velodrome\n"
        "- Competitors: 37\n- Competitors: 37\n- Competitors: 38\n\n== Results ==\n"
    )
    reference = replace(scope.reference, facts={})  # the infobox's claims alone
    scope = replace(scope, inputs=replace(scope.inputs, reference=reference))
    out = extract_claims(scope)
    count = XSD.nonNegativeInteger
    assert [(c.value, c.src.line) for c in out.claims if c.source_kind == "infobox"] == [
        (Literal("37", datatype=count), 7),
        (Literal("38", datatype=count), 9),
    ]
    assert [str(w) for w in out.diagnostics] == [
        "sources/cycling-2020-mens-team-pursuit.txt:4: infobox key 'Venue' has different values: "
        "'Izu Velodrome' (sources/cycling-2020-mens-team-pursuit.txt:4), 'Elsewhere' "
        "(sources/cycling-2020-mens-team-pursuit.txt:5); the first is used [conflicting-values]",
        "sources/cycling-2020-mens-team-pursuit.txt:7: infobox key 'Competitors' has different "
        "values: '37' (sources/cycling-2020-mens-team-pursuit.txt:7), '38' "
        "(sources/cycling-2020-mens-team-pursuit.txt:9); each is kept as a tp:Claim of "
        "tp:statedCompetitorCount [conflicting-values]",
    ]
