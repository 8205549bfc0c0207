"""Competency questions: each tests/cq/NN-*.rq answers with exactly the rows of its .csv.

The expected rows were written by hand from the articles. Each query runs on the rdflib
graph of the build and on a pyoxigraph store loaded from the built N-Triples.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pyoxigraph
import pytest
from rdflib import Graph
from rdflib.query import ResultRow

from kg_build.build.memory import Built
from tests.conftest import ROOT

QUERIES = sorted((ROOT / "tests" / "cq").glob("*.rq"))


def _expected(query: Path) -> list[list[str]]:
    with query.with_suffix(".csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def _text(term: object) -> str:
    return "" if term is None else str(term)


def _rdflib_rows(graph: Graph, text: str) -> list[list[str]]:
    result = graph.query(text)
    header = [str(v) for v in result.vars or []]
    rows = [
        [_text(row[i]) for i in range(len(header))] for row in result if isinstance(row, ResultRow)
    ]
    return [header, *rows]


def _oxigraph_rows(store: pyoxigraph.Store, text: str) -> list[list[str]]:
    solutions = store.query(text)
    assert isinstance(solutions, pyoxigraph.QuerySolutions)
    header = [v.value for v in solutions.variables]
    rows = []
    for solution in solutions:
        rows.append([_oxi_text(solution[v]) for v in header])
    return [header, *rows]


def _oxi_text(term: object) -> str:
    if term is None:
        return ""
    value = getattr(term, "value", None)
    return str(value) if value is not None else str(term)


@pytest.fixture(scope="module")
def oxigraph_store(built: Built) -> pyoxigraph.Store:
    store = pyoxigraph.Store()
    store.load(io.BytesIO(built.serialize("nt")), pyoxigraph.RdfFormat.N_TRIPLES)
    return store


def test_there_are_ten_questions() -> None:
    assert [q.name[:2] for q in QUERIES] == [f"{n:02d}" for n in range(1, 11)]


@pytest.mark.parametrize("query", QUERIES, ids=lambda q: q.stem)
def test_question_cuts_no_text_out_of_our_modelling(query: Path) -> None:
    """Round titles, record codes and ranks are data (issue 21): no STRAFTER, no COALESCE."""
    text = "\n".join(
        line for line in query.read_text(encoding="utf-8").splitlines() if not line.startswith("#")
    )
    assert not re.search(r"\b(STRAFTER|STRBEFORE|COALESCE)\s*\(", text, re.IGNORECASE)


@pytest.mark.parametrize("query", QUERIES, ids=lambda q: q.stem)
def test_question_on_rdflib(query: Path, built: Built) -> None:
    assert _rdflib_rows(built.graph, query.read_text(encoding="utf-8")) == _expected(query)


@pytest.mark.parametrize("query", QUERIES, ids=lambda q: q.stem)
def test_question_on_oxigraph(query: Path, oxigraph_store: pyoxigraph.Store) -> None:
    assert _oxigraph_rows(oxigraph_store, query.read_text(encoding="utf-8")) == _expected(query)
