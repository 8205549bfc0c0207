"""Issue 21, "A graph a SPARQL user can guess": the core of the model.

Events are the events the graph describes (editions only named are tp:OtherEdition), every
ranked result has tp:rank, the vocabulary is described in every graph that uses it, every
entity a tp: property points to is typed and labelled, and each property has one range.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from rdflib import Graph, URIRef
from rdflib.query import ResultRow

from kg_build.build.config import Config
from kg_build.build.memory import Built, build, load_embedded
from kg_build.cli import cli
from tests.conftest import FAMILY

PREFIXES = """
PREFIX tp: <https://w3id.org/team-pursuit/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX id: <https://w3id.org/team-pursuit/id/>
"""
ID = "https://w3id.org/team-pursuit/id/"
# Two family articles that name each other as previous and next edition.
WOMEN_2012_2016 = ["cycling-2012-womens-team-pursuit", "cycling-2016-womens-team-pursuit"]


def _rows(graph: Graph, query: str) -> list[tuple[str, ...]]:
    rows = [row for row in graph.query(PREFIXES + query) if isinstance(row, ResultRow)]
    return sorted(tuple(str(v) for v in row) for row in rows)


def _solutions(store: ox.Store, query: str, union: bool = False) -> ox.QuerySolutions:
    """Run a SELECT; with ``union``, as kg query asks it (the default graph: every graph)."""
    solutions = store.query(PREFIXES + query, use_default_graph_as_union=union)
    assert isinstance(solutions, ox.QuerySolutions)
    return solutions


@pytest.fixture(scope="module")
def women(family_mappings: Path) -> Built:
    """Build the 2012 and 2016 women's team pursuits together."""
    return build(
        [FAMILY / s / f"{s}.txt" for s in WOMEN_2012_2016], Config(mappings=family_mappings)
    )


# ---------------------------------------------------------------- 1. events


def test_issue_21_events_are_the_events_the_graph_describes(built: Built) -> None:
    events = _rows(built.graph, "SELECT ?e WHERE { ?e a tp:Event }")
    assert events == [
        (f"{ID}event/2020-cycling-mens-team-pursuit",),
        (f"{ID}event/2022-speed-skating-mens-team-pursuit",),
    ]


def test_issue_21_editions_only_named_are_other_editions_with_a_label(built: Built) -> None:
    rows = _rows(
        built.graph,
        "SELECT ?e ?label WHERE { ?e a tp:OtherEdition ; rdfs:label ?label "
        "FILTER NOT EXISTS { ?e a tp:Event } }",
    )
    assert [r[0].removeprefix(f"{ID}event/") for r in rows] == [
        "2016-cycling-mens-team-pursuit",
        "2018-speed-skating-mens-team-pursuit",
        "2024-cycling-mens-team-pursuit",
        "2026-speed-skating-mens-team-pursuit",
    ]
    assert rows[0][1] == "Cycling at the 2016 Summer Olympics – Men's team pursuit"
    linked = _rows(
        built.graph, "SELECT ?e WHERE { ?x tp:previousEdition|tp:nextEdition ?e . ?e a tp:Event }"
    )
    assert linked == []


def test_issue_21_the_ontology_types_editions_by_a_common_superclass() -> None:
    ontology = Graph().parse(Path(__file__).parent.parent / "ontology" / "tp.ttl")
    rows = _rows(
        ontology,
        "SELECT ?p ?range WHERE { VALUES ?p { tp:previousEdition tp:nextEdition } "
        "?p rdfs:range ?range }",
    )
    assert {r[1] for r in rows} == {"https://w3id.org/team-pursuit/ontology#Edition"}
    subclasses = _rows(ontology, "SELECT ?c WHERE { ?c rdfs:subClassOf tp:Edition }")
    assert [r[0].rsplit("#")[1] for r in subclasses] == ["Event", "OtherEdition"]
    assert (
        URIRef("https://w3id.org/team-pursuit/ontology#OtherEdition"),
        URIRef("http://www.w3.org/2000/01/rdf-schema#comment"),
        None,
    ) in ontology


def test_issue_21_an_edition_an_article_of_the_build_describes_is_an_event_only(
    women: Built, tmp_path: Path
) -> None:
    both = "SELECT ?e WHERE { ?e a tp:Event , tp:OtherEdition }"
    assert _rows(women.graph, both) == []
    events = _rows(women.graph, "SELECT ?e WHERE { ?e a tp:Event }")
    assert [r[0].removeprefix(f"{ID}event/") for r in events] == [
        "2012-cycling-womens-team-pursuit",
        "2016-cycling-womens-team-pursuit",
    ]
    # The 2016 article's next edition (2020) stays an other edition.
    others = _rows(women.graph, "SELECT ?e WHERE { ?e a tp:OtherEdition }")
    assert [r[0].removeprefix(f"{ID}event/") for r in others] == [
        "2020-cycling-womens-team-pursuit"
    ]
    # In the store: the union of its named graphs (ontology graph included).
    load_embedded(women, Config(), tmp_path / "store")
    store = ox.Store.read_only(str(tmp_path / "store"))
    found = _solutions(
        store,
        "SELECT DISTINCT ?e WHERE { GRAPH ?g { ?e a tp:Event } GRAPH ?h { ?e a tp:OtherEdition } }",
    )
    assert list(found) == []


def test_issue_21_the_streamed_build_types_editions_as_the_build_does(
    family_mappings: Path, women: Built, tmp_path: Path
) -> None:
    out = tmp_path / "stream.nt"
    articles = [str(FAMILY / s / f"{s}.txt") for s in reversed(WOMEN_2012_2016)]
    done = CliRunner().invoke(
        cli,
        ["-q", "build", *articles, "--mappings", str(family_mappings), "-o", str(out), "--stream"],
    )
    assert done.exit_code == 0, done.stderr
    streamed = Graph().parse(out, format="nt")
    query = "SELECT ?e ?c WHERE { ?e a ?c FILTER(?c IN (tp:Event, tp:OtherEdition)) }"
    assert _rows(streamed, query) == _rows(women.graph, query)


# ---------------------------------------------------------------- 2. ranks and deficits

SKATING_ROUNDS = f"{ID}event/2022-speed-skating-mens-team-pursuit/round"


@pytest.fixture(scope="module")
def family(family_mappings: Path) -> Built:
    """Build every family article and the bundled ones together."""
    from tests.conftest import FAMILY_ARTICLES, SOURCES

    articles = [*SOURCES, *(FAMILY / s / f"{s}.txt" for s in FAMILY_ARTICLES)]
    return build(articles, Config(mappings=family_mappings))


def test_issue_21_one_rank_property_ranks_every_round_without_coalesce(built: Built) -> None:
    rows = _rows(
        built.graph,
        f"SELECT ?team ?rank WHERE {{ ?r tp:inRound <{SKATING_ROUNDS}/semifinals> ; "
        "tp:team/tp:noc/tp:iocCode ?team ; tp:rank ?rank }",
    )
    assert rows == [("NED", "2"), ("NOR", "1"), ("ROC", "1"), ("USA", "2")]
    # tp:roundRank and tp:raceRank stay, each beside an equal tp:rank.
    unequal = (
        "SELECT ?r WHERE { ?r tp:roundRank|tp:raceRank ?k . "
        "OPTIONAL { ?r tp:rank ?rank } FILTER (!BOUND(?rank) || ?rank != ?k) }"
    )
    assert _rows(built.graph, unequal) == []
    ontology = Graph().parse(Path(__file__).parent.parent / "ontology" / "tp.ttl")
    subs = _rows(ontology, "SELECT ?p WHERE { ?p rdfs:subPropertyOf tp:rank }")
    assert [p.rsplit("#")[1] for (p,) in subs] == ["raceRank", "roundRank"]


@pytest.mark.parametrize("which", ["built", "family"])
def test_issue_21_every_result_has_one_rank_or_says_why_not(
    which: str, request: pytest.FixtureRequest
) -> None:
    graph = request.getfixturevalue(which).graph
    unranked = (
        "SELECT ?r WHERE { ?r a tp:Result . OPTIONAL { ?r tp:rank ?k } "
        "OPTIONAL { ?r tp:missing ?m . ?m tp:missingProperty tp:rank ; tp:reason ?why } "
        "FILTER (!BOUND(?k) && !BOUND(?why)) }"
    )
    assert _rows(graph, unranked) == []
    twice = "SELECT ?r WHERE { ?r tp:rank ?a , ?b FILTER (?a != ?b) }"
    assert _rows(graph, twice) == []


def test_issue_21_a_rank_the_article_does_not_give_is_a_missing_value(tmp_path: Path) -> None:
    from tests.conftest import SKATING

    # USA's quarterfinal rank cell written "–", GER's left empty.
    text = SKATING.read_text(encoding="utf-8")
    usa = "| 2 | 3 | C | Ethan Cepuran Casey Dawson Emery Lehman | 3:37.51 |"
    ned = "| 4 | 2 | C | Marcel Bosker Sven Kramer Patrick Roest | 3:38.90 |"
    assert usa in text and ned in text
    text = text.replace(usa, usa.replace("| 2 |", "| – |", 1))
    text = text.replace(ned, ned.replace("| 4 |", "|  |", 1))
    article = tmp_path / SKATING.name
    article.write_text(text, encoding="utf-8")
    graph = build([article]).graph
    rows = _rows(
        graph,
        "SELECT ?r ?why WHERE { ?r tp:missing ?m . ?m tp:missingProperty tp:rank ; "
        "tp:reason ?why }",
    )
    assert rows == [
        (f"{SKATING_ROUNDS}/quarterfinals/result/NED", "the rank cell is empty"),
        (f"{SKATING_ROUNDS}/quarterfinals/result/USA", "the rank cell '–' is not a number"),
    ]
    assert _rows(graph, f"SELECT ?k WHERE {{ <{rows[1][0]}> tp:rank ?k }}") == []


def test_issue_21_a_race_winner_is_0_seconds_behind_its_mark_kept(built: Built) -> None:
    rows = _rows(
        built.graph,
        f"SELECT ?d ?text WHERE {{ <{SKATING_ROUNDS}/finals/result/NOR> tp:deficit ?d ; "
        "tp:deficitText ?text }",
    )
    assert rows == [("0", "–")]
    leaders = _rows(built.graph, 'SELECT ?r WHERE { ?r tp:deficitText "–" }')
    with_zero = _rows(
        built.graph, 'SELECT ?r WHERE { ?r tp:deficitText "–" ; tp:deficit ?d FILTER (?d = 0) }'
    )
    assert leaders == with_zero and len(leaders) == 5  # 4 finals, 1 semifinal


@pytest.mark.parametrize("which", ["built", "family"])
def test_issue_21_every_result_of_a_round_with_deficits_has_one_or_says_why_not(
    which: str, request: pytest.FixtureRequest
) -> None:
    graph = request.getfixturevalue(which).graph
    silent = (
        "SELECT DISTINCT ?r WHERE { ?r a tp:Result ; tp:inRound ?round . "
        "?other tp:inRound ?round ; tp:deficitText ?t . OPTIONAL { ?r tp:deficit ?d } "
        "OPTIONAL { ?r tp:missing ?m . ?m tp:missingProperty tp:deficit ; tp:reason ?why } "
        "FILTER (!BOUND(?d) && !BOUND(?why)) }"
    )
    assert _rows(graph, silent) == []


def test_issue_21_roc_in_semifinal_2_says_why_it_has_no_deficit(built: Built) -> None:
    roc = f"{SKATING_ROUNDS}/semifinals/result/ROC"
    rows = _rows(
        built.graph,
        f"SELECT ?d ?why WHERE {{ OPTIONAL {{ <{roc}> tp:deficit ?d }} <{roc}> tp:missing ?m . "
        "?m tp:missingProperty tp:deficit ; tp:reason ?why }",
    )
    assert rows == [("None", "the deficit cell is empty")]
    # The cycling tables give no deficits: their results need none.
    cycling = _rows(
        built.graph,
        "SELECT ?m WHERE { ?m tp:missingProperty tp:deficit "
        'FILTER (CONTAINS(STR(?m), "cycling")) }',
    )
    assert cycling == []


# ---------------------------------------------------------------- 3. the vocabulary in the data

ONTOLOGY_GRAPH = "https://w3id.org/team-pursuit/ontology"
TP_NS = "https://w3id.org/team-pursuit/ontology#"
# Objects of these are classes and properties, not individuals of the vocabulary.
NOT_INDIVIDUALS = ", ".join(
    f"<{p}>"
    for p in (
        "http://www.w3.org/1999/02/22-rdf-syntax-ns#type",
        "http://www.w3.org/1999/02/22-rdf-syntax-ns#predicate",
        f"{TP_NS}missingProperty",
    )
)
# In the store: a vocabulary individual a data graph uses as an object, undescribed in the union.
UNDESCRIBED = f"""
SELECT DISTINCT ?t WHERE {{
  GRAPH ?g {{ ?x ?p ?t }}
  FILTER (ISIRI(?t) && STRSTARTS(STR(?t), "{TP_NS}"))
  FILTER (?p NOT IN ({NOT_INDIVIDUALS}))
  FILTER (?g != <{ONTOLOGY_GRAPH}>)
  FILTER NOT EXISTS {{ ?t a ?c ; rdfs:label ?l }}
}}
"""
# The store answers each triple once: the vocabulary's descriptions too.
ONCE = "SELECT (COUNT(*) AS ?n) (COUNT(DISTINCT *) AS ?d) WHERE { ?s ?p ?o }"


def _once(store: ox.Store) -> None:
    assert list(_solutions(store, UNDESCRIBED, union=True)) == []
    counts = next(iter(_solutions(store, ONCE, union=True)))
    assert counts["n"].value == counts["d"].value
    labels = _solutions(store, "SELECT ?l WHERE { tp:Gold rdfs:label ?l }", union=True)
    assert [row["l"].value for row in labels] == ["gold"]


def _build_files(tmp_path: Path, *extra: str) -> tuple[Graph, ox.Store]:
    out, store = tmp_path / "g.ttl", tmp_path / "store"
    done = CliRunner().invoke(cli, ["-q", "build", "-o", str(out), "--store", str(store), *extra])
    assert done.exit_code == 0, done.stderr
    return Graph().parse(out), ox.Store.read_only(str(store))


def test_issue_21_the_data_file_alone_describes_the_vocabulary_it_uses(tmp_path: Path) -> None:
    graph, _ = _build_files(tmp_path)
    gold = _rows(graph, "SELECT ?l ?rank WHERE { tp:Gold rdfs:label ?l ; tp:medalRank ?rank }")
    assert gold == [("gold", "1")]
    assert _rows(graph, "SELECT ?c WHERE { tp:WorldRecord tp:code ?c }") == [("WR",)]
    assert _rows(graph, "SELECT ?l WHERE { tp:Final a tp:RoundKind ; rdfs:label ?l }") == [
        ("finals",)
    ]
    assert _rows(graph, "SELECT ?l WHERE { tp:Men a tp:GenderCategory ; rdfs:label ?l }") == [
        ("men",)
    ]
    used = (
        f'SELECT DISTINCT ?t WHERE {{ ?x ?p ?t FILTER (ISIRI(?t) && STRSTARTS(STR(?t), "{TP_NS}"))'
        f" FILTER (?p NOT IN ({NOT_INDIVIDUALS}))"
        " FILTER NOT EXISTS { ?t a ?c ; rdfs:label ?l ; rdfs:comment ?d } }"
    )
    assert _rows(graph, used) == []


def test_issue_21_the_store_describes_the_vocabulary_once(tmp_path: Path) -> None:
    """The files carry the descriptions; the store holds them once, in the ontology's graph."""
    _, store = _build_files(tmp_path)
    _once(store)
    for article in ("cycling-2020-mens-team-pursuit", "speed-skating-2022-mens-team-pursuit"):
        graph = f"{ID}article/{article}"
        asked = store.query(PREFIXES + f"ASK {{ GRAPH <{graph}> {{ ?r tp:medalType tp:Gold }} }}")
        assert asked, graph


def test_issue_21_each_quad_dump_graph_describes_the_vocabulary_once(tmp_path: Path) -> None:
    """In N-Quads, a description several articles need stands once, in the shared graph."""
    out = tmp_path / "g.nq"
    done = CliRunner().invoke(cli, ["-q", "build", "-o", str(out), "--no-store"])
    assert done.exit_code == 0, done.stderr
    lines = out.read_bytes().splitlines()
    gold = [
        line
        for line in lines
        if line.startswith(f"<{TP_NS}Gold> <http://www.w3.org/2000/01/rdf-schema#label>".encode())
    ]
    assert len(gold) == 1 and gold[0].endswith(f"<{ID}graph/shared> .".encode())


def test_issue_21_the_descriptions_are_the_ontologys_own(built: Built) -> None:
    ontology = Graph().parse(Path(__file__).parent.parent / "ontology" / "tp.ttl")
    individuals = {
        s for s in built.graph.subjects() if isinstance(s, URIRef) and str(s).startswith(TP_NS)
    }
    assert len(individuals) >= 12
    for term in individuals:
        data = {
            (p, o)
            for p, o in built.graph.predicate_objects(term)
            if not str(p).endswith("exactMatch")  # the curated links graph (SSSOM)
        }
        assert data == set(ontology.predicate_objects(term)), term


def test_issue_21_the_streamed_store_describes_the_vocabulary_once(tmp_path: Path) -> None:
    out, store = tmp_path / "g.nq", tmp_path / "store"
    done = CliRunner().invoke(
        cli, ["-q", "build", "--stream", "-o", str(out), "--store", str(store)]
    )
    assert done.exit_code == 0, done.stderr
    _once(ox.Store.read_only(str(store)))


# ---------------------------------------------------------------- 4. untyped nodes

RSU = URIRef(f"{ID}organisation/russian-skating-union")
RDF_TYPE = URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
# An entity IRI (not a term of the ontology) that a tp: property points to, untyped or unnamed.
UNDESCRIBED_ENTITIES = f"""
SELECT DISTINCT ?value WHERE {{
  ?x ?p ?value
  FILTER (ISIRI(?value) && STRSTARTS(STR(?p), "{TP_NS}") && !STRSTARTS(STR(?value), "{TP_NS}"))
  FILTER NOT EXISTS {{ ?value a ?type ; rdfs:label ?label }}
}}
"""


def test_issue_21_the_russian_skating_union_is_an_organisation(built: Built) -> None:
    rows = _rows(built.graph, f"SELECT ?c ?l WHERE {{ <{RSU}> a ?c ; rdfs:label ?l }}")
    assert rows == [(f"{TP_NS}Organisation", "Russian Skating Union")]
    ontology = Graph().parse(Path(__file__).parent.parent / "ontology" / "tp.ttl")
    superclasses = _rows(ontology, "SELECT ?c WHERE { tp:Organisation rdfs:subClassOf ?c }")
    assert ("https://schema.org/SportsOrganization",) in superclasses


@pytest.mark.parametrize("which", ["built", "family"])
def test_issue_21_every_entity_a_tp_property_points_to_is_typed_and_labelled(
    which: str, request: pytest.FixtureRequest
) -> None:
    assert _rows(request.getfixturevalue(which).graph, UNDESCRIBED_ENTITIES) == []


def test_issue_21_the_shape_rejects_an_entity_pointed_to_without_a_type(
    built: Built, tmp_path: Path
) -> None:
    from kg_build.build.validation import validate_file
    from kg_build.errors import ValidationFailed
    from kg_build.rdf.serialize import graph_to_bytes

    graph = Graph()
    for triple in built.graph:
        graph.add(triple)
    graph.remove((RSU, RDF_TYPE, None))  # the graph as it was before issue 21
    path = tmp_path / "untyped.nt"
    path.write_bytes(graph_to_bytes(graph, "nt"))
    with pytest.raises(ValidationFailed) as failed:
        validate_file(path, fmt="nt")
    found = [f for f in failed.value.findings if f.severity == "Violation"]
    placing = f"{ID}placing/2021-world-single-distances-team-pursuit-3"
    # Untyped, it is no tp:Agent either: the range check of tp:holder fires too.
    assert sorted((f.focus, f.path, f.shape) for f in found) == [
        (str(RSU), "http://www.w3.org/1999/02/22-rdf-syntax-ns#type", "tps:DescribedValues-type"),
        (placing, "tp:holder", "tps:Placing-holder"),
    ]


# ---------------------------------------------------------------- 5. one range per property

TECHNIQUE = URIRef(f"{ID}technique/american-push")
TP_TERM = "https://w3id.org/team-pursuit/ontology#{}".format


def test_issue_21_used_by_points_to_nocs_and_used_by_team_to_team_entries(built: Built) -> None:
    rows = _rows(
        built.graph,
        f"SELECT ?p ?class WHERE {{ <{TECHNIQUE}> ?p ?x . ?x a ?class "
        "FILTER (?p IN (tp:usedBy, tp:usedByTeam)) }",
    )
    assert sorted(set(rows)) == [
        (TP_TERM("usedBy"), TP_TERM("NOC")),
        (TP_TERM("usedByTeam"), TP_TERM("TeamEntry")),
    ]
    assert len(rows) == 5  # CAN and USA's NOCs; NOR, ROC and USA's 2022 team entries
    ontology = Graph().parse(Path(__file__).parent.parent / "ontology" / "tp.ttl")
    ranges = _rows(
        ontology,
        "SELECT ?p ?r WHERE { VALUES ?p { tp:usedBy tp:usedByTeam tp:holder } ?p rdfs:range ?r }",
    )
    assert ranges == [
        (TP_TERM("holder"), TP_TERM("Agent")),
        (TP_TERM("usedBy"), TP_TERM("NOC")),
        (TP_TERM("usedByTeam"), TP_TERM("TeamEntry")),
    ]


def test_issue_21_holders_are_agents_with_a_documented_reason(built: Built) -> None:
    ontology = Graph().parse(Path(__file__).parent.parent / "ontology" / "tp.ttl")
    agents = _rows(ontology, "SELECT ?c WHERE { ?c rdfs:subClassOf tp:Agent }")
    assert [c.rsplit("#")[1] for (c,) in agents] == ["NOC", "Organisation", "Person"]
    comment = _rows(ontology, "SELECT ?c WHERE { tp:Agent rdfs:comment ?c }")
    assert "tp:holder" in comment[0][0]
    holders = _rows(built.graph, "SELECT DISTINCT ?class WHERE { ?p tp:holder ?h . ?h a ?class }")
    assert [c.rsplit("#")[1] for (c,) in holders] == ["Athlete", "NOC", "Organisation", "Person"]


@pytest.mark.parametrize(
    ("subject", "predicate", "wrong", "shape"),
    [
        (
            TECHNIQUE,
            "usedBy",
            f"{ID}event/2022-speed-skating-mens-team-pursuit/team/NOR",
            "tps:Innovation-usedBy",
        ),
        (TECHNIQUE, "usedByTeam", f"{ID}noc/CAN", "tps:Innovation-usedByTeam"),
        (
            URIRef(f"{ID}placing/february-2021-world-cup-1"),
            "holder",
            f"{ID}competition/february-2021-world-cup",
            "tps:Placing-holder",
        ),
    ],
)
def test_issue_21_a_shape_checks_each_range(
    built: Built, tmp_path: Path, subject: URIRef, predicate: str, wrong: str, shape: str
) -> None:
    from kg_build.build.validation import validate_file
    from kg_build.errors import ValidationFailed
    from kg_build.rdf.serialize import graph_to_bytes

    graph = Graph()
    for triple in built.graph:
        graph.add(triple)
    graph.remove((subject, URIRef(TP_TERM(predicate)), None))
    graph.add((subject, URIRef(TP_TERM(predicate)), URIRef(wrong)))
    path = tmp_path / "wrong.nt"
    path.write_bytes(graph_to_bytes(graph, "nt"))
    with pytest.raises(ValidationFailed) as failed:
        validate_file(path, fmt="nt")
    found = {(f.focus, f.shape) for f in failed.value.findings if f.severity == "Violation"}
    assert (str(subject), shape) in found
