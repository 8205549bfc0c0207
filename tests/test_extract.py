"""Extraction on both articles: what each record holds, checked against the articles by hand."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest

from kg_build.errors import SourceError
from kg_build.extract import Context, make_context
from kg_build.iris import Iris
from kg_build.mapping import load_ontology, vocabulary
from kg_build.model import Extraction, MedalKind, RecordKind, Result, RoundKind, SourceRef
from kg_build.parse import parse_bytes
from kg_build.pipeline import Config
from kg_build.reference import load_reference, load_settings
from kg_build.roster import split_athletes

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
    assert (event.winning_time, event.winning_time_text, event.winning_time_record) == (
        Decimal("222.032"),
        "3:42.032 WR",
        RecordKind.WORLD,
    )
    assert event.previous == IRIS.event(2016, "Cycling", "Men's team pursuit")
    assert event.next == IRIS.event(2024, "Cycling", "Men's team pursuit")
    assert event.discipline == IRIS.discipline("Track cycling")
    assert event.named_competitors == 37
    skating = skating_ex.event
    assert skating.days == (date(2022, 2, 13), date(2022, 2, 15))
    assert (skating.winning_time, skating.winning_time_record) == (Decimal("218.08"), None)
    assert skating.venue_text == "National Speed Skating Oval,, Beijing"
    assert skating.named_competitors == 27
    assert skating_ex.games.host_city == "Beijing" and cycling_ex.games.host_city == "Tokyo"
    assert cycling_ex.venue.utc_offset == "+09:00" and skating_ex.venue.utc_offset == "+08:00"


def test_rounds_with_local_start_times(cycling_ex: Extraction, skating_ex: Extraction) -> None:
    assert [
        (r.title, r.kind, r.order, r.start_time.isoformat() if r.start_time else None)
        for r in cycling_ex.rounds
    ] == [
        ("Qualifying", RoundKind.QUALIFYING, 1, "2021-08-02T17:02:00+09:00"),
        ("First round", RoundKind.FIRST_ROUND, 2, "2021-08-03T16:22:00+09:00"),
        ("Finals", RoundKind.FINAL, 3, "2021-08-04T17:45:00+09:00"),
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
    assert (roc.race_rank, roc.round_rank, roc.time, roc.notes_text) == (
        1,
        None,
        Decimal("216.62"),
        ", Final A",
    )
    assert roc.qualified_for == f"{SKA}/round/finals/race/final-a"
    norway = _result(skating_ex, "finals", "NOR")
    assert (norway.deficit, norway.deficit_text) == (None, "–")
    stripped = [m for m in skating_ex.missing if m.about == roc.iri]
    assert [m.property.rsplit("#", 1)[1] for m in stripped] == ["notesText"]


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
        (r.record_type.value, r.round_text, str(r.time), r.date, r.team[-3:])
        for r in skating_ex.records
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
    assert [str(w) for w in cycling_ex.warnings] == [
        "sources/cycling-2020-mens-team-pursuit.txt:66: the notes cell ', WR' has an empty marker: "
        "a record marker was stripped from the article",
    ]
    assert [str(w) for w in skating_ex.warnings] == [
        "sources/speed-skating-2022-mens-team-pursuit.txt:70: the notes cell ', Final A' has an empty "
        "marker: a record marker was stripped from the article",
        "sources/speed-skating-2022-mens-team-pursuit.txt:46: records table says round 'SFB'; the "
        "results table has ROC's 3:36.62 in 'Semifinal 2' of 'Semifinals'",
    ]


def test_claims_keep_both_competitor_counts(cycling_ex: Extraction) -> None:
    counts = sorted(
        (c.value, c.source_kind, c.src.line)
        for c in cycling_ex.claims
        if c.property.endswith("#statedCompetitorCount")
    )
    assert counts == [("32", "prose", 21), ("37", "infobox", 8)]


MakeContext = Callable[[str], Context]


@pytest.fixture(scope="module")
def context_for() -> MakeContext:
    config = Config()
    vocab = vocabulary(load_ontology(config.ontology))
    settings = load_settings(config.mappings)
    reference = load_reference(config.mappings)

    def make(text: str) -> Context:
        article = parse_bytes(text.encode(), "sources/cycling-2020-mens-team-pursuit.txt")
        return make_context(article, settings, reference, vocab, IRIS)

    return make


TITLE = "= Cycling at the 2020 Summer Olympics – Men's team pursuit =\n"
SRC = SourceRef("x", 5)


def test_split_athletes_uses_the_roster_not_word_counts(context_for: MakeContext) -> None:
    ctx = context_for(TITLE)
    names = split_athletes(
        ctx, "Lasse Norman Hansen Niklas Larsen Frederik Rodenberg Rasmus Pedersen", SRC
    )
    assert [e.athlete for e in names] == [
        "Lasse Norman Hansen",
        "Niklas Larsen",
        "Frederik Rodenberg",
        "Rasmus Pedersen",
    ]
    with pytest.raises(
        SourceError,
        match=r"x:5: athletes 'Lasse Norman Hansen Nobody Here' do not split .* no roster name starts 'Nobody Here'",
    ):
        split_athletes(ctx, "Lasse Norman Hansen Nobody Here", SRC)


def test_a_title_of_another_form_is_named(context_for: MakeContext) -> None:
    with pytest.raises(
        SourceError, match=r"title 'Cycling – Men' does not match the title_pattern"
    ):
        context_for("= Cycling – Men =\n")


def test_a_repeated_infobox_key_with_another_value_is_warned_of(context_for: MakeContext) -> None:
    from kg_build.facts import extract_claims

    ctx = context_for(
        TITLE + "\nInfobox\n- Venue: Izu Velodrome\n- Venue: Elsewhere\n- Venue: Izu Velodrome\n"
        "- Competitors: 37\n- Competitors: 37\n- Competitors: 38\n"
    )
    ctx.reference = dataclasses.replace(ctx.reference, facts={})  # the infobox's claims alone
    claims = extract_claims(ctx)
    assert [(c.value, c.src.line) for c in claims if c.source_kind == "infobox"] == [
        ("37", 7),
        ("38", 9),
    ]
    assert [str(w) for w in ctx.warnings] == [
        "sources/cycling-2020-mens-team-pursuit.txt:4: infobox key 'Venue' has different values: "
        "'Izu Velodrome' (sources/cycling-2020-mens-team-pursuit.txt:4), 'Elsewhere' "
        "(sources/cycling-2020-mens-team-pursuit.txt:5); the first is used",
        "sources/cycling-2020-mens-team-pursuit.txt:7: infobox key 'Competitors' has different "
        "values: '37' (sources/cycling-2020-mens-team-pursuit.txt:7), '38' "
        "(sources/cycling-2020-mens-team-pursuit.txt:9); each is kept as a tp:Claim of "
        "tp:statedCompetitorCount",
    ]
