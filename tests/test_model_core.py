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

from kg_build.cli import cli
from kg_build.pipeline import Built, Config, build, load_embedded
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
    return sorted(tuple(str(v) for v in row) for row in graph.query(PREFIXES + query))  # type: ignore[union-attr]


@pytest.fixture(scope="module")
def women(family_mappings: Path) -> Built:
    """The 2012 and 2016 women's team pursuits built together."""
    return build([FAMILY / s / f"{s}.txt" for s in WOMEN_2012_2016], Config(mappings=family_mappings))


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
    found = store.query(
        PREFIXES + "SELECT DISTINCT ?e WHERE { GRAPH ?g { ?e a tp:Event } GRAPH ?h "
        "{ ?e a tp:OtherEdition } }"
    )
    assert list(found) == []  # type: ignore[arg-type]


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
