"""What the built graph must hold, item by item, as SPARQL over the validated graph."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.namespace import SKOS
from rdflib.query import ResultRow

from kg_build.build.config import Config
from kg_build.build.memory import Built
from kg_build.build.records import extract_sources
from kg_build.errors import MappingError
from tests.conftest import CYCLING, ROOT

PREFIXES = """\
PREFIX tp: <https://w3id.org/team-pursuit/ontology#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX id: <https://w3id.org/team-pursuit/id/>
"""
CYC = "<https://w3id.org/team-pursuit/id/event/2020-cycling-mens-team-pursuit>"
SKA = "<https://w3id.org/team-pursuit/id/event/2022-speed-skating-mens-team-pursuit>"


def _rows(graph: Graph, query: str) -> list[list[str]]:
    return [
        [str(v) for v in row] for row in graph.query(PREFIXES + query) if isinstance(row, ResultRow)
    ]


def test_event_and_games(built: Built) -> None:
    rows = _rows(
        built.graph,
        f"SELECT ?name ?sport ?disc ?gender ?season ?year ?host ?venue ?city ?start ?end ?prev ?next WHERE {{ "
        f"{CYC} tp:eventName ?name ; tp:sport/rdfs:label ?sport ; tp:discipline/rdfs:label ?disc ; "
        "tp:genderCategory ?gender ; tp:partOfGames ?g ; tp:venue ?v ; tp:startDate ?start ; tp:endDate ?end ; "
        "tp:previousEdition/tp:year ?prev ; tp:nextEdition/tp:year ?next . "
        "?g tp:season ?season ; tp:year ?year ; tp:hostCity ?host . ?v rdfs:label ?venue ; tp:city ?city }",
    )
    assert rows == [
        [
            "Men's team pursuit",
            "Cycling",
            "Track cycling",
            "https://w3id.org/team-pursuit/ontology#Men",
            "Summer",
            "2020",
            "Tokyo",
            "Izu Velodrome",
            "Izu",
            "2021-08-02",
            "2021-08-04",
            "2016",
            "2024",
        ]
    ]


def test_article_is_the_source(built: Built) -> None:
    rows = _rows(
        built.graph,
        f"SELECT ?title ?file WHERE {{ {SKA} prov:wasDerivedFrom ?a . ?a rdfs:label ?title ; tp:sourceFile ?file }}",
    )
    assert rows == [
        [
            "Speed skating at the 2022 Winter Olympics – Men's team pursuit",
            "sources/speed-skating-2022-mens-team-pursuit.txt",
        ]
    ]


def test_format_facts_of_cycling(built: Built) -> None:
    rows = _rows(
        built.graph,
        f"SELECT ?laps ?m ?size ?app WHERE {{ {CYC} tp:laps ?laps ; tp:distanceMetres ?m ; tp:teamSize ?size ; tp:appearance ?app }}",
    )
    assert rows == [["16", "4000", "4", "25"]]
    rules = _rows(built.graph, f"SELECT ?r WHERE {{ {CYC} tp:timingRule ?r }}")
    assert len(rules) == 1 and "third cyclist" in rules[0][0]


def test_both_competitor_counts_stand_side_by_side(built: Built) -> None:
    rows = _rows(
        built.graph,
        f"SELECT ?value ?kind ?line WHERE {{ ?c a tp:Claim ; rdf:subject {CYC} ; rdf:predicate tp:statedCompetitorCount ; "
        "rdf:object ?value ; tp:sourceKind ?kind ; tp:sourceLine ?line } ORDER BY ?kind",
    )
    assert rows == [["37", "infobox", "8"], ["32", "prose", "21"]]
    assert _rows(built.graph, f"SELECT ?n WHERE {{ {CYC} tp:namedCompetitorCount ?n }}") == [["37"]]
    assert any("the named athletes number 37" in str(w) for w in built.warnings)


def test_round_start_times_with_offsets(built: Built) -> None:
    rows = _rows(
        built.graph,
        f"SELECT ?order ?t WHERE {{ ?r tp:roundOf {SKA} ; tp:roundOrder ?order ; tp:startTime ?t }} ORDER BY ?order",
    )
    assert rows == [
        ["1", "2022-02-13T21:00:00+08:00"],
        ["2", "2022-02-15T14:52:00+08:00"],
        ["3", "2022-02-15T15:43:00+08:00"],
    ]


def test_noc_roc_is_its_own_noc_related_to_russia(built: Built) -> None:
    rows = _rows(
        built.graph,
        "SELECT ?code ?name ?rel WHERE { <https://w3id.org/team-pursuit/id/noc/ROC> tp:iocCode ?code ; rdfs:label ?name ; tp:associatedNOC/tp:iocCode ?rel }",
    )
    assert rows == [["ROC", "ROC", "RUS"]]


def test_prose_people_are_people_not_competitors(built: Built) -> None:
    for slug in ("eric-flaim", "julius-johansen", "bradley-wiggins", "steven-burke", "owain-doull"):
        iri = f"<https://w3id.org/team-pursuit/id/person/{slug}>"
        assert _rows(built.graph, f"SELECT ?t WHERE {{ {iri} a ?t }}") == [
            ["https://w3id.org/team-pursuit/ontology#Person"]
        ], slug
        assert (
            _rows(
                built.graph,
                f"SELECT ?x WHERE {{ {{ ?x tp:member {iri} }} UNION {{ ?x tp:athlete {iri} }} }}",
            )
            == []
        ), slug


def test_zakharov_and_the_milestone(built: Built) -> None:
    rows = _rows(
        built.graph,
        "SELECT ?ord ?after WHERE { ?m a tp:Milestone ; tp:achievedBy <https://w3id.org/team-pursuit/id/person/ruslan-zakharov> ; tp:ordinal ?ord ; tp:after/rdfs:label ?after }",
    )
    assert rows == [["2", "Eric Flaim"]]
    relay = _rows(
        built.graph,
        "SELECT ?rank WHERE { ?p tp:holder <https://w3id.org/team-pursuit/id/person/ruslan-zakharov> ; tp:placingRank ?rank }",
    )
    assert relay == [["1"]]


def test_defending_champions_and_standings(built: Built) -> None:
    assert _rows(
        built.graph, f"SELECT ?c WHERE {{ {SKA} tp:defendingChampion/tp:iocCode ?c }}"
    ) == [["NOR"]]
    world_cup = _rows(
        built.graph,
        "SELECT ?rank ?code WHERE { ?p tp:competition <https://w3id.org/team-pursuit/id/competition/2021-22-isu-speed-skating-world-cup> ; tp:placingRank ?rank ; tp:holder/tp:iocCode ?code } ORDER BY ?rank",
    )
    assert world_cup == [["1", "USA"], ["2", "NOR"], ["3", "CAN"]]
    denmark = _rows(
        built.graph,
        "SELECT ?name WHERE { ?p tp:holder <https://w3id.org/team-pursuit/id/noc/DEN> ; tp:placingRank ?r ; tp:placingMember/rdfs:label ?name FILTER(?r = 1) } ORDER BY ?name",
    )
    assert [n for (n,) in denmark] == [
        "Frederik Rodenberg",
        "Julius Johansen",
        "Lasse Norman Hansen",
        "Rasmus Pedersen",
    ]


def test_american_push(built: Built) -> None:
    push = "<https://w3id.org/team-pursuit/id/technique/american-push>"
    assert _rows(
        built.graph,
        f"SELECT ?d ?by WHERE {{ {push} tp:debutDate ?d ; tp:debutedBy/tp:iocCode ?by }}",
    ) == [["2020-01", "USA"]]
    assert _rows(built.graph, f"SELECT ?r WHERE {{ {push} tp:replaces/rdfs:label ?r }}") == [
        ["rotation"]
    ]
    compared = _rows(built.graph, f"SELECT ?x WHERE {{ {push} tp:comparedTo ?x }} ORDER BY ?x")
    assert [x.rsplit("/", 1)[1] for (x,) in compared] == ["clap-skate", "fosbury-flop"]


def test_every_record_set_with_what_it_broke(built: Built) -> None:
    rows = _rows(
        built.graph,
        "SELECT ?code ?time ?broke WHERE { ?r a tp:Record ; tp:recordType ?t ; tp:recordTime ?time . "
        "OPTIONAL { ?r tp:supersedes/tp:recordTime ?broke } BIND(STRAFTER(STR(?t), '#') AS ?code) } ORDER BY ?code ?time",
    )
    assert rows == [
        ["OlympicRecord", "216.62", "None"],
        ["OlympicRecord", "225.014", "None"],
        ["TrackRecord", "216.62", "None"],
        ["WorldRecord", "222.032", "222.307"],
        ["WorldRecord", "222.307", "None"],
    ]
    assert _rows(
        built.graph,
        f"SELECT ?w ?rec WHERE {{ {CYC} tp:winningTimeText ?w ; tp:winningTimeRecord ?rec }}",
    ) == [["3:42.032 WR", "https://w3id.org/team-pursuit/ontology#WorldRecord"]]


def test_medals_to_every_listed_athlete(built: Built) -> None:
    rows = _rows(
        built.graph,
        "SELECT ?code (COUNT(?m) AS ?n) WHERE { ?m tp:medalType tp:Bronze ; tp:asMemberOf/tp:noc/tp:iocCode ?code } GROUP BY ?code ORDER BY ?code",
    )
    assert rows == [["AUS", "5"], ["USA", "4"]]


def test_ontology_alignments_use_verified_wikidata_properties() -> None:
    ontology = Graph().parse(ROOT / "ontology" / "tp.ttl")
    with (ROOT / "mappings" / "curated" / "wikidata-properties.tsv").open(
        encoding="utf-8"
    ) as handle:
        verified = {row["pid"] for row in csv.DictReader(handle, delimiter="\t")}
    used = {str(o).rsplit("/", 1)[1] for o in ontology.objects(None, SKOS.closeMatch)}
    assert used and used <= verified, sorted(used - verified)


def _facts_copy(tmp_path: Path, text: str) -> Config:
    mappings = tmp_path / "mappings"
    shutil.copytree(ROOT / "mappings", mappings)
    (mappings / "facts" / f"{CYCLING.stem}.yaml").write_text(text, encoding="utf-8")
    return Config(mappings=mappings)


@pytest.mark.parametrize(
    ("triple", "sentence", "message"),
    [
        (
            "[event, tp:appearance, 25]",
            "This was the 26th appearance of the event",
            "sentence not found in",
        ),
        (
            "[event, tp:apperance, 25]",
            "This was the 25th appearance of the event",
            "'tp:apperance' is not declared in the ontology (did you mean 'tp:appearance'?)",
        ),
        (
            "[event, tp:venue, 25]",
            "This was the 25th appearance of the event",
            "'tp:venue' takes a reference, not 25",
        ),
        (
            "[id:person/x, a, tp:Persn]",
            "This was the 25th appearance of the event",
            "'tp:Persn' is not declared in the ontology (did you mean 'tp:Person'?)",
        ),
    ],
)
def test_curated_fact_errors(tmp_path: Path, triple: str, sentence: str, message: str) -> None:
    text = f'article: {CYCLING.stem}\nfacts:\n  - sentence: "{sentence}"\n    triples:\n      - {triple}\n'
    with pytest.raises(MappingError) as caught:
        extract_sources([CYCLING], _facts_copy(tmp_path, text))
    assert message in caught.value.message
    assert caught.value.path.endswith(f"facts/{CYCLING.stem}.yaml") and caught.value.line in (3, 5)
