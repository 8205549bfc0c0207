"""Issue 21, a graph a SPARQL user can guess: facts as data, round titles, honest markers.

Each test fails on the model before issue 21 and holds what a query can now ask directly.
"""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from rdflib import Graph

from kg_build.build.config import Config
from kg_build.build.memory import Built, build
from kg_build.cli import cli
from tests.conftest import FAMILY
from tests.test_graph import CYC, SKA, _rows

# ---------------------------------------------------------------- tp:roundTitle


def test_every_round_has_its_section_title(built: Built) -> None:
    rows = _rows(
        built.graph,
        "SELECT ?event ?order ?title ?label WHERE { ?r a tp:Round ; tp:roundOf ?e ; "
        "tp:roundOrder ?order ; tp:roundTitle ?title ; rdfs:label ?label . "
        "?e tp:partOfGames/tp:year ?event } ORDER BY ?event ?order",
    )
    assert [row[:3] for row in rows] == [
        ["2020", "1", "Qualifying"],
        ["2020", "2", "First round"],
        ["2020", "3", "Finals"],
        ["2022", "1", "Quarterfinals"],
        ["2022", "2", "Semifinals"],
        ["2022", "3", "Finals"],
    ]
    # The label stays, naming the event too.
    assert rows[1][3] == "Cycling at the 2020 Summer Olympics – Men's team pursuit: First round"


# ---------------------------------------------------------------- stripped markers


def test_a_stripped_marker_is_missing_as_a_marker_not_as_the_notes(built: Built) -> None:
    rows = _rows(
        built.graph,
        "SELECT ?result ?notes ?gap ?property ?reason WHERE { ?result tp:notesText ?notes ; "
        "tp:missing ?gap . ?gap tp:missingProperty ?property ; tp:reason ?reason "
        "FILTER (?property IN (tp:markerText, tp:notesText)) } ORDER BY ?result",
    )
    cyc = "https://w3id.org/team-pursuit/id/event/2020-cycling-mens-team-pursuit"
    ska = "https://w3id.org/team-pursuit/id/event/2022-speed-skating-mens-team-pursuit"
    tp = "https://w3id.org/team-pursuit/ontology#"
    italy = f"{cyc}/round/first-round/result/ITA"
    roc = f"{ska}/round/semifinals/result/ROC"
    stripped = "was stripped from the article, which does not say what it was"
    assert rows == [
        [
            italy,
            ", WR",
            f"{italy}/missing/markerText",
            f"{tp}markerText",
            f"the notes cell ', WR' has an empty item: the marker written there {stripped}",
        ],
        [
            roc,
            ", Final A",
            f"{roc}/missing/markerText",
            f"{tp}markerText",
            f"the notes cell ', Final A' has an empty item: the marker written there {stripped}",
        ],
    ]
    # The article does not say which kind of marker Italy's cell lost: no guess at a record.
    assert all("record" not in row[4] for row in rows)


# ---------------------------------------------------------------- prose facts as data


def _evidence(graph: Graph, subject: str, predicate: str) -> list[list[str]]:
    """Return the object, sentence and line of each claim of a fact."""
    return _rows(
        graph,
        f"SELECT ?object ?text ?line WHERE {{ ?c a tp:Claim ; rdf:subject {subject} ; "
        f"rdf:predicate {predicate} ; rdf:object ?object ; tp:sourceText ?text ; "
        "tp:sourceLine ?line } ORDER BY ?object",
    )


def test_the_timing_rule_names_the_timed_athlete(built: Built) -> None:
    rows = _rows(
        built.graph, f"SELECT ?n (DATATYPE(?n) AS ?t) WHERE {{ {CYC} tp:timedOnAthlete ?n }}"
    )
    assert rows == [["3", "http://www.w3.org/2001/XMLSchema#positiveInteger"]]
    sentence = (
        "The time for each team is determined by the third cyclist to cross the finish line; "
        "the fourth cyclist does not need to finish."
    )
    assert _evidence(built.graph, CYC, "tp:timedOnAthlete") == [["3", sentence, "36"]]


def test_zakharov_won_the_2014_relay_gold(built: Built) -> None:
    rows = _rows(
        built.graph,
        "SELECT ?competition ?year ?rank ?medal WHERE { ?p a tp:Placing ; "
        "tp:holder <https://w3id.org/team-pursuit/id/person/ruslan-zakharov> ; tp:placingRank ?rank ; tp:placingMedal ?medal ; "
        "tp:competition ?c . ?c a tp:Competition ; rdfs:label ?competition ; tp:year ?year }",
    )
    assert rows == [
        [
            "2014 Olympic team relay (short track speed skating)",
            "2014",
            "1",
            "https://w3id.org/team-pursuit/ontology#Gold",
        ]
    ]
    placing = (
        "<https://w3id.org/team-pursuit/id/placing/2014-winter-olympics-short-track-mens-relay-1>"
    )
    [[medal, sentence, _]] = _evidence(built.graph, placing, "tp:placingMedal")
    assert medal == "https://w3id.org/team-pursuit/ontology#Gold"
    assert "the 2014 Olympic champion in the team relay" in sentence


def test_the_february_2021_world_cup_won_with_the_american_push(built: Built) -> None:
    rows = _rows(
        built.graph,
        "SELECT ?month (DATATYPE(?month) AS ?t) ?rank ?holder ?technique WHERE { "
        "?c tp:month ?month . ?p tp:competition ?c ; tp:placingRank ?rank ; tp:holder ?holder . "
        "OPTIONAL { ?p tp:usingTechnique ?technique } } ORDER BY ?rank",
    )
    id_ = "https://w3id.org/team-pursuit/id/"
    assert rows == [
        [
            "2021-02",
            "http://www.w3.org/2001/XMLSchema#gYearMonth",
            "1",
            f"{id_}noc/CAN",
            f"{id_}technique/american-push",
        ],
        ["2021-02", "http://www.w3.org/2001/XMLSchema#gYearMonth", "2", f"{id_}noc/NED", "None"],
    ]
    [[_, sentence, _]] = _evidence(
        built.graph,
        "<https://w3id.org/team-pursuit/id/placing/february-2021-world-cup-1>",
        "tp:usingTechnique",
    )
    assert (
        sentence == "In February 2021 the Canadian team won a World Cup using this new technique."
    )


def test_olympic_medals_of_earlier_editions_are_data(built: Built) -> None:
    rows = _rows(
        built.graph,
        "SELECT ?competition ?rank ?medal WHERE { ?p tp:placingMedal ?medal ; tp:placingRank ?rank ; "
        "tp:competition/rdfs:label ?competition } ORDER BY ?competition ?rank",
    )
    tp = "https://w3id.org/team-pursuit/ontology#"
    assert rows == [
        ["2014 Olympic team relay (short track speed skating)", "1", f"{tp}Gold"],
        ["Cycling at the 2016 Summer Olympics – Men's team pursuit", "1", f"{tp}Gold"],
        ["Speed skating at the 2018 Winter Olympics – Men's team pursuit", "1", f"{tp}Gold"],
        ["Speed skating at the 2018 Winter Olympics – Men's team pursuit", "2", f"{tp}Silver"],
        ["Speed skating at the 2018 Winter Olympics – Men's team pursuit", "3", f"{tp}Bronze"],
    ]


def test_records_the_prose_states_are_records(built: Built) -> None:
    rows = _rows(
        built.graph,
        "SELECT ?r ?type ?noc ?at ?standing WHERE { ?r tp:recordType ?type ; tp:holderNOC ?n . "
        "?n tp:iocCode ?noc . OPTIONAL { ?r tp:setAtCompetition/rdfs:label ?at } "
        "OPTIONAL { ?r tp:standingAtStartOf ?standing } } ORDER BY ?r",
    )
    tp = "https://w3id.org/team-pursuit/ontology#"
    ska = SKA.strip("<>")
    assert rows == [
        [f"{ska}/record-before/or", f"{tp}OlympicRecord", "NOR", "None", ska],
        [
            "https://w3id.org/team-pursuit/id/record/2021-22-isu-speed-skating-world-cup-usa-wr",
            f"{tp}WorldRecord",
            "USA",
            "2021–22 ISU Speed Skating World Cup",
            "None",
        ],
    ]
    [[_, sentence, _]] = _evidence(
        built.graph,
        "<https://w3id.org/team-pursuit/id/record/2021-22-isu-speed-skating-world-cup-usa-wr>",
        "tp:setAtCompetition",
    )
    assert sentence == (
        "At one of the world cup events, two months before the start of the Olympics, "
        "the US team set a new world record."
    )


# ---------------------------------------------------------------- days the lead states


LEAD = (
    "The men's team pursuit competition in speed skating at the 2022 Winter Olympics was held "
    'on 13 February (semifinals) and 15 February (final), at the National Speed Skating Oval ("Ice '
    'Ribbon") in Beijing.'
)


def test_the_lead_and_the_semifinals_section_stand_side_by_side(built: Built) -> None:
    rows = _rows(
        built.graph,
        "SELECT ?title ?day ?kind ?text ?line WHERE { ?c a tp:Claim ; rdf:subject ?r ; "
        "rdf:predicate tp:statedDate ; rdf:object ?day ; tp:sourceKind ?kind ; tp:sourceText ?text ; "
        "tp:sourceLine ?line . ?r tp:roundTitle ?title ; tp:statedDate ?day } ORDER BY ?title ?day ?line",
    )
    assert rows == [
        ["Finals", "2022-02-15", "prose", LEAD, "21"],
        ["Finals", "2022-02-15", "prose", "The finals were held on 15 February at 15:43.", "74"],
        ["Semifinals", "2022-02-13", "prose", LEAD, "21"],
        [
            "Semifinals",
            "2022-02-15",
            "prose",
            "The semifinals were held on 15 February at 14:52.",
            "63",
        ],
    ]
    # The round's own day is still one: the section's.
    semifinals = f"<{SKA.strip('<>')}/round/semifinals>"
    assert _rows(built.graph, f"SELECT ?d WHERE {{ {semifinals} tp:localDate ?d }}") == [
        ["2022-02-15"]
    ]


def test_the_build_warns_of_the_semifinals_day(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["build", "-o", str(tmp_path / "g.ttl")])
    assert result.exit_code == 0, result.stderr
    lines = result.stderr.splitlines()
    source = "sources/speed-skating-2022-mens-team-pursuit.txt"
    assert (
        f"warning: {source}:21: the lead puts round 'Semifinals' on 13 February; its own sentence "
        "(line 63) on 15 February: both kept as claims of tp:statedDate (2022-02-13, 2022-02-15) "
        "[round-date-conflict]"
    ) in lines
    assert (
        f"warning: {source}:62: {SKA.strip('<>')}/round/semifinals tp:statedDate: the article "
        "states different days for the round, from 2022-02-13 to 2022-02-15 "
        "[tps:RoundStatedDatesShape]"
    ) in lines
    assert any("with 2 SHACL warnings" in line for line in lines)


def test_a_lead_that_agrees_gives_claims_and_no_warning(
    family_mappings: Path, tmp_path: Path
) -> None:
    stem = "speed-skating-2026-mens-team-pursuit"
    done = build([FAMILY / stem / f"{stem}.txt"], Config(mappings=family_mappings))
    assert [d.code for d in done.diagnostics if d.code == "round-date-conflict"] == []
    rows = _rows(
        done.graph,
        "SELECT ?title ?day (COUNT(?c) AS ?claims) WHERE { ?r tp:roundTitle ?title ; "
        "tp:statedDate ?day . ?c rdf:subject ?r ; rdf:predicate tp:statedDate } "
        "GROUP BY ?title ?day ORDER BY ?title",
    )
    assert rows == [
        ["Finals", "2026-02-17", "2"],
        ["Quarterfinals", "2026-02-15", "2"],
        ["Semifinals", "2026-02-17", "2"],
    ]
