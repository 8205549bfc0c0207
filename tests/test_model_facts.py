"""Issue 21, a graph a SPARQL user can guess: facts as data, round titles, honest markers.

Each test fails on the model before issue 21 and holds what a query can now ask directly.
"""

from __future__ import annotations

from rdflib import Graph
from rdflib.query import ResultRow

from kg_build.pipeline import Built

PREFIXES = """\
PREFIX tp: <https://w3id.org/team-pursuit/ontology#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX id: <https://w3id.org/team-pursuit/id/>
"""
CYC = "<https://w3id.org/team-pursuit/id/event/2020-cycling-mens-team-pursuit>"
SKA = "<https://w3id.org/team-pursuit/id/event/2022-speed-skating-mens-team-pursuit>"


def _rows(graph: Graph, query: str) -> list[list[str]]:
    return [
        [str(v) for v in row] for row in graph.query(PREFIXES + query) if isinstance(row, ResultRow)
    ]


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
        "tp:missing ?gap . ?gap tp:missingProperty ?property ; tp:reason ?reason } ORDER BY ?result",
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
