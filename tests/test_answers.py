"""The row cap counted in what pyoxigraph's writers write: exact whatever the values hold."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from kg_build.store.answers import TooManyRows, write_capped

# Values that look like row boundaries in one format or another.
VALUES = [
    "plain",
    "a,b",
    'q"uote',
    "new\nline",
    "cr\r\nlf",
    ',{"x":1}',
    "[{}]",
    "<result>",
    "\\",
    "tab\tx",
    '"',
    '",{"',
    "a" * 9000 + ',{"',
    "}},{",
]
QUERIES = [
    "SELECT ?s ?o WHERE { ?s <http://e/p> ?o }",
    "SELECT ?s ?o WHERE { ?s ?p ?o }",
    "SELECT * WHERE {}",
    "SELECT ?x WHERE { OPTIONAL { ?a <http://nope/> ?x } }",
    "SELECT ?x WHERE { VALUES ?x { UNDEF UNDEF 1 } }",
    "SELECT * WHERE { ?s <http://e/q> ?o } LIMIT 0",
]


@pytest.fixture(scope="module")
def store() -> ox.Store:
    store = ox.Store()
    p, q = ox.NamedNode("http://e/p"), ox.NamedNode("http://e/q")
    for i, value in enumerate(VALUES):
        store.add(ox.Quad(ox.NamedNode(f"http://e/{i}"), p, ox.Literal(value)))
    for i in range(3000):  # several 8 KB chunks of output
        value = VALUES[i % len(VALUES)] * (1 + i % 3)
        store.add(ox.Quad(ox.NamedNode(f"http://e/n{i}"), q, ox.Literal(value)))
    return store


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv"])
@pytest.mark.parametrize("query", QUERIES)
def test_the_cap_is_exact_in_every_format(store: ox.Store, query: str, fmt: str) -> None:
    solutions = store.query(query)
    assert isinstance(solutions, ox.QuerySolutions)
    rows = len(list(solutions))
    kind, data = write_capped(store.query(query), fmt, rows)
    expected = store.query(query)
    assert isinstance(expected, ox.QuerySolutions)
    assert (kind, data) == ("select", expected.serialize(format=write_fmt(fmt)))
    if rows:
        with pytest.raises(TooManyRows) as over:
            write_capped(store.query(query), fmt, rows - 1)
        assert over.value.rows == rows


def write_fmt(fmt: str) -> ox.QueryResultsFormat:
    return {
        "json": ox.QueryResultsFormat.JSON,
        "xml": ox.QueryResultsFormat.XML,
        "csv": ox.QueryResultsFormat.CSV,
        "tsv": ox.QueryResultsFormat.TSV,
    }[fmt]


def test_a_huge_answer_stops_at_the_cap(store: ox.Store) -> None:
    with pytest.raises(TooManyRows) as over:
        write_capped(store.query("SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }"), "json", 10)
    assert over.value.rows == 11


def test_graphs_and_booleans(store: ox.Store) -> None:
    construct = "CONSTRUCT WHERE { ?s <http://e/p> ?o }"
    kind, data = write_capped(store.query(construct), "nt", len(VALUES))
    assert kind == "graph" and data.count(b"\n") == len(VALUES)
    with pytest.raises(TooManyRows):
        write_capped(store.query(construct), "turtle", len(VALUES) - 1)
    assert write_capped(store.query("ASK {}"), "csv", 0) == ("ask", b"true\n")
    assert write_capped(store.query("ASK {}"), "json", 0)[1] == b'{"head":{},"boolean":true}'
