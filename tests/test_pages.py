"""The pages' SPARQL, rows and chart, rendered from a store without a server.

The HTTP side (kg serve) is tests/test_web.py; here the pages are rendered from stores made
for the case: the bundled graph as it is and as issue 21's model will write it, and a small
graph with an outcome and record types the ontology does not describe.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from kg_build.cli import cli
from kg_build.defaults import ONTOLOGY
from kg_build.store.load import ONTOLOGY_GRAPH
from kg_build.store.sparql import QUERIES, check_query, query_text, with_values
from kg_build.web.chart import GAP, chart, spread
from kg_build.web.page_rows import ResultRow, query, result_rows, vocabulary
from kg_build.web.pages import Site, StoreRunner
from tests.conftest import ROOT
from tests.pagetext import read_page

# The bundled graph as issue 21's model writes it: one tp:rank beside either rank kind, rounds
# titled by tp:roundTitle and labelled no more, English labels tagged @en, sources as IRIs,
# the vocabulary's individuals described in each graph that uses them.
ISSUE_21_MODEL = """
PREFIX tp: <https://w3id.org/team-pursuit/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX dcterms: <http://purl.org/dc/terms/>
INSERT { GRAPH ?g { ?r tp:rank ?k } } WHERE { GRAPH ?g { ?r tp:roundRank|tp:raceRank ?k } } ;
DELETE { GRAPH ?g { ?round rdfs:label ?l } } INSERT { GRAPH ?g { ?round tp:roundTitle ?t } }
WHERE { GRAPH ?g { ?round a tp:Round ; rdfs:label ?l } BIND(STRAFTER(?l, ": ") AS ?t) } ;
DELETE { GRAPH ?g { ?s rdfs:label ?l } } INSERT { GRAPH ?g { ?s rdfs:label ?en } }
WHERE { GRAPH ?g { ?s rdfs:label ?l } FILTER(LANG(?l) = "") BIND(STRLANG(?l, "en") AS ?en) } ;
DELETE { GRAPH ?g { ?s dcterms:source ?v } } INSERT { GRAPH ?g { ?s dcterms:source ?iri } }
WHERE { GRAPH ?g { ?s dcterms:source ?v } FILTER(ISLITERAL(?v)) BIND(IRI(?v) AS ?iri) } ;
INSERT { GRAPH ?g { ?t a ?c ; rdfs:label ?l ; tp:code ?code } } WHERE {
  GRAPH <https://w3id.org/team-pursuit/ontology> {
    VALUES ?c { tp:RecordType tp:MedalType tp:Outcome tp:RoundKind }
    ?t a ?c ; rdfs:label ?l . OPTIONAL { ?t tp:code ?code } }
  GRAPH ?g { ?x ?p ?t } }
"""
PAGES = [
    "/page/person/filippo-ganna.html",
    "/page/person/sverre-lunde-pedersen.html",
    "/page/event/2020-cycling-mens-team-pursuit/team/ITA.html",
    "/page/event/2022-speed-skating-mens-team-pursuit/team/ROC.html",
    "/page/event/2020-cycling-mens-team-pursuit/round/finals/result/ITA.html",
    "/page/event/2022-speed-skating-mens-team-pursuit/round/semifinals/result/ROC.html",
    "/results/2020-cycling-mens-team-pursuit.html",
    "/results/2022-speed-skating-mens-team-pursuit.html",
]


@pytest.fixture(scope="module")
def bundled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ox.Store]:
    """Build the bundled articles' store (as kg build does) and copy it into memory."""
    folder = tmp_path_factory.mktemp("pages")
    result = CliRunner().invoke(
        cli, ["-q", "build", "-o", str(folder / "g.ttl"), "--store", str(folder / "store")]
    )
    assert result.exit_code == 0, result.stderr
    memory = ox.Store()
    memory.extend(ox.Store.read_only(str(folder / "store")).quads_for_pattern(None, None, None))
    yield memory


def _site(store: ox.Store) -> Site:
    site = Site(ONTOLOGY)
    site.bind(StoreRunner(store))
    return site


def _main(site: Site, path: str) -> str:
    """Return what a page shows above its footer (the footer lists the graph's other facts)."""
    answer = site.answer(path, "text/html")
    assert answer.status == 200, path
    return answer.body.decode().split("<footer")[0]


@pytest.mark.parametrize("path", sorted(QUERIES.glob("*.rq")), ids=lambda p: p.stem)
def test_every_page_query_parses(path: Path) -> None:
    check_query(path.read_text(encoding="utf-8"), path.name)


def test_pages_read_the_same_on_issue_21s_model(bundled: ox.Store) -> None:
    before = {path: _main(_site(bundled), path) for path in PAGES}
    changed = ox.Store()
    changed.extend(bundled.quads_for_pattern(None, None, None))
    changed.update(ISSUE_21_MODEL)
    ganna = ox.NamedNode("https://w3id.org/team-pursuit/id/person/filippo-ganna")
    source = next(
        changed.quads_for_pattern(ganna, ox.NamedNode("http://purl.org/dc/terms/source"), None)
    )
    assert isinstance(source.object, ox.NamedNode)  # the update did what the model will do
    after = {path: _main(_site(changed), path) for path in PAGES}
    for path in PAGES:
        assert after[path] == before[path], path


def test_round_title_and_rank_come_from_issue_21s_terms(bundled: ox.Store) -> None:
    changed = ox.Store()
    changed.extend(bundled.quads_for_pattern(None, None, None))
    changed.update(ISSUE_21_MODEL)
    changed.update(
        "PREFIX tp: <https://w3id.org/team-pursuit/ontology#> "
        "DELETE { GRAPH ?g { ?r tp:roundRank ?k } } WHERE { GRAPH ?g { ?r tp:roundRank ?k } }"
    )
    site = _site(changed)
    assert site.runner is not None
    rows = result_rows(
        site.select,
        "https://w3id.org/team-pursuit/id/person/filippo-ganna",
        vocabulary(site.select),
    )
    assert [(r.round_title, r.rank) for r in rows] == [
        ("Qualifying", "2"),
        ("First round", "1"),
        ("Finals", "1"),
    ]


@pytest.fixture(scope="module")
def small() -> ox.Store:
    """Load the outcome fixture, and the ontology in its own graph as kg build loads it."""
    store = ox.Store()
    store.load(
        path=str(ROOT / "tests" / "data" / "web" / "outcome.ttl"), format=ox.RdfFormat.TURTLE
    )
    store.load(
        path=str(ONTOLOGY), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(ONTOLOGY_GRAPH)
    )
    return store


def test_outcomes_and_record_types_read_by_code_and_label(small: ox.Store) -> None:
    site = _site(small)
    result = read_page(_main(site, "/page/event/1999-test/round/final/result/BBB.html"))
    assert result.table("results").rows == [
        ["Final", "", "2", "BBB", "Bob Example", "DNS", "", "", ""]
    ]
    assert result.details["Outcome"] == "Did not start (DNS)"
    body = _main(site, "/results/1999-test.html")
    assert '<abbr title="did not start">DNS</abbr>' in body
    assert '<abbr title="junior world record">WJR</abbr>' in body
    profile = read_page(_main(site, "/page/person/ann.html"))
    assert profile.table("records").rows == [
        ["Junior world record (WJR)", "4:10.5 (250.5 s)", "", "", ""],
        ["https://w3id.org/team-pursuit/id/vocab/OddRecord", "4:10.5 (250.5 s)", "", "", ""],
    ]
    assert profile.table("races").rows == [
        [
            "Final",
            "",
            "",
            "4:10.5",
            "250.5",
            "1",
            "WJR, https://w3id.org/team-pursuit/id/vocab/OddRecord",
            "AAA",
        ]
    ]


def test_chart_labels_every_point_apart_and_titles_its_axes(bundled: ox.Store) -> None:
    site = _site(bundled)
    event = "https://w3id.org/team-pursuit/id/event/2022-speed-skating-mens-team-pursuit"
    rows = result_rows(site.select, event, vocabulary(site.select))
    rounds: dict[str, list[ResultRow]] = {}
    for row in rows:
        rounds.setdefault(row.round_title, []).append(row)
    drawn = chart(list(rounds.items()))
    assert drawn is not None
    assert [c.title for c in drawn.columns] == ["Quarterfinals", "Semifinals", "Finals"]
    assert len(drawn.points) == 8 + 4 + 8  # every result with a time
    for column in {p.x for p in drawn.points}:
        labels = sorted(p.label_y for p in drawn.points if p.x == column)
        assert all(b - a >= GAP - 0.1 for a, b in itertools.pairwise(labels))
    assert {p.label for p in drawn.points} >= {"NOR 3:38.08", "ROC 3:36.62", "CHN 3:52.25"}
    assert [t.label for t in drawn.ticks] == ["215", "220", "225", "230", "235"]
    assert chart(list(rounds.items())) == drawn


@given(
    st.lists(st.floats(min_value=0, max_value=400), max_size=25).map(sorted),
)
def test_spread_keeps_labels_apart_and_inside(ys: list[float]) -> None:
    out = spread(ys, 13, 0, 400)
    assert len(out) == len(ys)
    assert all(b - a >= 13 - 0.11 for a, b in itertools.pairwise(out))
    assert all(-0.05 <= y <= 400.05 for y in out)


BOUND_QUERIES = sorted(p.stem for p in QUERIES.glob("*.rq") if "?this" in p.read_text())
BASE_IRI = "https://w3id.org/team-pursuit/id/"


@pytest.mark.parametrize("name", BOUND_QUERIES)
def test_a_page_query_bound_by_values_answers_as_with_the_iri_written_in(
    bundled: ox.Store, name: str
) -> None:
    # The VALUES block joins the whole group; the IRI written in place of ?this is what a
    # binding means (SPARQL 1.1 §18.6): both must give the same rows on every kind of page.
    # Without LIMIT: exists.rq's one row is any of them.
    text = re.sub(r"LIMIT \d+", "", query_text(name))
    for page in PAGES[:6]:
        iri = BASE_IRI + page.removeprefix("/page/").removesuffix(".html")
        bound_text = with_values(text, {"this": ox.NamedNode(iri)})
        bound = bundled.query(bound_text, use_default_graph_as_union=True)
        written = text.replace("?this", f"<{iri}>")
        oracle = bundled.query(written, use_default_graph_as_union=True)
        assert _answer(bound) == _answer(oracle), (name, iri)


def _answer(result: object) -> list[str]:
    if isinstance(result, ox.QuerySolutions):
        names = [v.value for v in result.variables]
        return sorted(repr([str(s[n]) for n in names]) for s in result)
    assert isinstance(result, ox.QueryTriples)
    return sorted(str(t) for t in result)


HOSTILE = [
    'a" } ?s ?p ?o . FILTER(true) { "',
    "x> } UNION { ?s ?p ?o } #",
    'quote \\" and } brace',
    "line\nbreak ' single",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_a_hostile_label_is_one_value_and_cannot_change_the_query(text: str) -> None:
    store = ox.Store()
    athlete = ox.NamedNode("http://example.org/a")
    label = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    store.add(ox.Quad(athlete, label, ox.Literal(text, language="en")))
    store.add(ox.Quad(ox.NamedNode("http://example.org/b"), label, ox.Literal("other")))
    query_ = with_values(
        "SELECT ?item ?name WHERE { ?item <http://www.w3.org/2000/01/rdf-schema#label> ?name }",
        {"name": [ox.Literal(text, language="en")]},
    )
    solutions = store.query(query_)
    assert isinstance(solutions, ox.QuerySolutions)
    rows = [(s["item"], s["name"]) for s in solutions]
    assert rows == [(athlete, ox.Literal(text, language="en"))]


@pytest.mark.parametrize(
    "iri", ["http://example.org/a> } UNION { ?s ?p ?o", 'http://example.org/"x"', "http://e/{}"]
)
def test_a_hostile_iri_is_refused_before_any_query(iri: str, bundled: ox.Store) -> None:
    with pytest.raises(ValueError):
        query("exists", iri)
    path = "/page/" + iri.removeprefix("http://").replace(" ", "%20") + ".html"
    assert _site(bundled).answer(path, "text/html").status == 404


def test_values_open_the_where_group_not_a_comment() -> None:
    text = "# says WHERE { in a comment\nSELECT ?o WHERE { ?this ?p ?o }"
    bound = with_values(text, {"this": ox.NamedNode("http://example.org/a")})
    assert bound.splitlines()[:2] == ["# says WHERE { in a comment", "SELECT ?o WHERE {"]
    assert "VALUES ?this { <http://example.org/a> }" in bound.splitlines()[2]
    with pytest.raises(ValueError, match="no WHERE group"):
        with_values("ASK { ?this ?p ?o }", {"this": ox.NamedNode("http://example.org/a")})
