"""Stores: the embedded Oxigraph store, kg query, and kg load into a real Virtuoso over HTTP."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pyoxigraph
import pytest
from click.testing import CliRunner
from rdflib import Dataset, Graph

from kg_build.build.memory import Built
from kg_build.cli import cli
from kg_build.store.sparql import answer_of, render, render_result, store_result
from tests.conftest import ROOT
from tests.servers import (
    Virtuoso,
    answer_html,
    answer_status,
    drop_after_first_upload,
    free_port,
    graph_store,
    http_server,
    running_virtuoso,
)

QUERIES = sorted((ROOT / "tests" / "cq").glob("*.rq"))
CYCLING_GRAPH = "https://w3id.org/team-pursuit/id/article/cycling-2020-mens-team-pursuit"
COUNT_BY_GRAPH = (
    "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"
)


def _kg(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def _csv(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.replace("\r\n", "\n"))))


def _expected(query: Path) -> list[list[str]]:
    with query.with_suffix(".csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build once into a fresh folder; return the embedded store's path."""
    folder = tmp_path_factory.mktemp("build")
    store = folder / "store"
    code, _, err = _kg("-q", "build", "-o", str(folder / "g.ttl"), "--store", str(store))
    assert code == 0, err
    return store


def test_store_has_one_graph_per_article_plus_links_shared_and_ontology(store: Path) -> None:
    code, out, _ = _kg("query", "-e", COUNT_BY_GRAPH, "--store", str(store), "--format", "csv")
    assert code == 0
    graphs = [row[0] for row in _csv(out)[1:]]
    assert graphs == [
        CYCLING_GRAPH,
        "https://w3id.org/team-pursuit/id/article/speed-skating-2022-mens-team-pursuit",
        "https://w3id.org/team-pursuit/id/graph/links",
        "https://w3id.org/team-pursuit/id/graph/shared",
        "https://w3id.org/team-pursuit/ontology",
    ]


def test_rebuild_replaces_graphs_and_doubles_nothing(store: Path, tmp_path: Path) -> None:
    before = _kg("query", "-e", COUNT_BY_GRAPH, "--store", str(store))[1]
    code, _, err = _kg("-q", "build", "-o", str(tmp_path / "g.ttl"), "--store", str(store))
    assert code == 0, err
    assert _kg("query", "-e", COUNT_BY_GRAPH, "--store", str(store))[1] == before


@pytest.mark.parametrize("query", QUERIES, ids=lambda q: q.stem)
def test_competency_questions_on_the_embedded_store(query: Path, store: Path) -> None:
    code, out, err = _kg("query", str(query), "--store", str(store), "--format", "csv")
    assert code == 0, err
    assert _csv(out) == _expected(query)


MORE_KINDS = [
    "ASK { ?s ?p ?o }",
    "CONSTRUCT { ?n ?p ?o } WHERE { ?n a <https://w3id.org/team-pursuit/ontology#NOC> ; ?p ?o }",
]


@pytest.mark.parametrize("fmt", ["csv", "tsv", "json", "xml", "table", "turtle"])
def test_answers_written_by_pyoxigraph_equal_the_materialized_ones(fmt: str, store: Path) -> None:
    """`kg query` hands a store's solutions straight to pyoxigraph's writers: same bytes."""
    opened = pyoxigraph.Store.read_only(str(store))
    texts = [q.read_text(encoding="utf-8") for q in QUERIES] + MORE_KINDS
    for text in MORE_KINDS[1:] if fmt == "turtle" else texts:
        direct = render_result(store_result(opened, text, "q"), fmt)
        assert direct == render(answer_of(store_result(opened, text, "q")), fmt)
        assert direct.strip()


HEAVY_MODULES = ("rdflib", "pyshacl", "shacl", "jinja2", "kg_build.model", "kg_build.build")
IMPORTED = """
import sys
from kg_build.cli import main
sys.argv = ["kg", "query", "-e", "ASK {}", "--store", sys.argv[1]]
try:
    main()
except SystemExit:
    pass
print(sorted(m for m in %r if m in sys.modules))
"""


def test_kg_query_imports_nothing_the_build_needs(store: Path) -> None:
    """`kg query` starts in a tenth of a second: no rdflib, SHACL engine, model or pipeline."""
    done = subprocess.run(
        [sys.executable, "-c", IMPORTED % (HEAVY_MODULES,), str(store)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout == "true\n[]\n", done.stderr


def test_query_a_graph_file_and_output_formats(tmp_path: Path, built: Built) -> None:
    data = tmp_path / "g.ttl"
    data.write_bytes(built.serialize("turtle"))
    query = "SELECT ?code WHERE { ?n <https://w3id.org/team-pursuit/ontology#iocCode> ?code } ORDER BY ?code LIMIT 2"
    code, out, _ = _kg("query", "-e", query, "--data", str(data), "--format", "json")
    assert code == 0
    assert [b["code"]["value"] for b in json.loads(out)["results"]["bindings"]] == ["AUS", "CAN"]
    assert (
        _kg("query", "-e", query, "--data", str(data), "--format", "tsv")[1]
        == '?code\n"AUS"\n"CAN"\n'
    )
    table = _kg("query", "-e", query, "--data", str(data), "--format", "table")[1]
    assert table == "code\n----\nAUS\nCAN\n(2 rows)\n"
    ask = "ASK { <https://w3id.org/team-pursuit/id/noc/ROC> ?p ?o }"
    assert _kg("query", "-e", ask, "--data", str(data))[1] == "true\n"
    describe = _kg(
        "query", "-e", "DESCRIBE <https://w3id.org/team-pursuit/id/noc/ROC>", "--data", str(data)
    )[1]
    assert len(Graph().parse(data=describe, format="turtle")) == 5


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["-e", "SELECT ?x WHERE {\n  ?x ?y\n}"],
            "error: <query>:3: SPARQL syntax error at column 2: expected one of LATERAL, SERVICE, [_] (found '}')\n",
        ),
        (
            ["-e", "   "],
            "error: <query>: empty query (expected SELECT, ASK, CONSTRUCT or DESCRIBE)\n",
        ),
        (["no-such-query.rq"], "error: no-such-query.rq: no such file\n"),
        ([], "error: <query>: no query (give a QUERY.rq file or -e 'SPARQL')\n"),
    ],
    ids=["syntax", "empty", "missing-file", "no-query"],
)
def test_bad_queries_exit_1_with_one_line(args: list[str], message: str, store: Path) -> None:
    code, out, err = _kg("query", *args, "--store", str(store))
    assert (code, out) == (1, "")
    assert err == message


def test_missing_store_is_a_service_error(tmp_path: Path) -> None:
    code, _, err = _kg("query", "-e", "ASK {}", "--store", str(tmp_path / "none"))
    assert code == 3
    assert err == f"error: {tmp_path / 'none'}: no store here (run kg build first)\n"


def _service_query(url: str) -> str:
    return f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}"


@pytest.mark.parametrize("source", ["--store", "--data"])
def test_issue_17_unreachable_service_exit_3(source: str, store: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}/sparql"
    where = str(store) if source == "--store" else str(store.parent / "g.ttl")
    code, out, err = _kg("query", "-e", _service_query(url), source, where)
    assert (code, out) == (3, "")
    assert err == f"error: {url}: SERVICE failed (Connection refused (os error 111))\n"


def test_issue_17_service_answering_an_error_exit_3(store: Path) -> None:
    with http_server(answer_status(500)) as base:
        code, out, err = _kg("query", "-e", _service_query(f"{base}/sparql"), "--store", str(store))
    assert (code, out) == (3, "")
    assert err == (
        f"error: {base}/sparql: SERVICE failed (Error 500 Internal Server Error: 'status 500')\n"
    )


@pytest.mark.parametrize("fmt", ["nquads", "trig", "jsonld", "turtle", "nt"])
def test_every_format_parses_to_the_same_triples(fmt: str, built: Built) -> None:
    data = built.serialize(fmt)
    rdflib_format = {
        "nquads": "nquads",
        "trig": "trig",
        "jsonld": "json-ld",
        "turtle": "turtle",
        "nt": "nt",
    }[fmt]
    parsed = Dataset()
    parsed.parse(data=data, format=rdflib_format)
    triples = {(s, p, o) for s, p, o, _ in parsed.quads((None, None, None, None))}
    assert len(triples) == len(built.graph)
    if fmt in ("nquads", "trig"):
        names = sorted(str(g.identifier) for g in parsed.graphs() if len(g))
        assert CYCLING_GRAPH in names and len(names) == 4
    oxigraph_format = {
        "nquads": pyoxigraph.RdfFormat.N_QUADS,
        "trig": pyoxigraph.RdfFormat.TRIG,
        "jsonld": pyoxigraph.RdfFormat.JSON_LD,
        "turtle": pyoxigraph.RdfFormat.TURTLE,
        "nt": pyoxigraph.RdfFormat.N_TRIPLES,
    }[fmt]
    assert len({q.triple for q in pyoxigraph.parse(data, oxigraph_format)}) == len(built.graph)


def test_jsonld_uses_the_published_context(built: Built) -> None:
    document = json.loads(built.serialize("jsonld"))
    published = json.loads((ROOT / "ontology" / "context.jsonld").read_text(encoding="utf-8"))
    assert document["@context"] == published["@context"]


# ---------------------------------------------------------------- a real Virtuoso over HTTP


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Virtuoso]:
    with running_virtuoso(tmp_path_factory.mktemp("virtuoso")) as server:
        yield server


def _normalised(rows: list[list[str]]) -> list[list[str]]:
    """Compare numbers as numbers: Virtuoso stores decimals as numbers (218.10 → 218.1)."""

    def cell(text: str) -> str:
        try:
            return str(Decimal(text).normalize()) if text and not text.isalpha() else text
        except InvalidOperation:
            return text

    return [[cell(c) for c in row] for row in rows]


def _load(server: Virtuoso, *extra: str) -> tuple[int, str, str]:
    return _kg(
        "load",
        "--endpoint",
        server.graph_store,
        "--user",
        server.user,
        "--password",
        server.password,
        *extra,
    )


@pytest.mark.store_http
def test_load_into_virtuoso_then_query_it(virtuoso: Virtuoso, store: Path) -> None:
    code, _, err = _load(virtuoso)
    assert code == 0, err
    assert err.splitlines()[-1].endswith(f"into 5 graphs at {virtuoso.graph_store}; counts checked")
    counts = _kg(
        "query",
        "-e",
        COUNT_BY_GRAPH.replace("?g (", "?g (").replace("GRAPH ?g", "GRAPH ?g"),
        "--endpoint",
        virtuoso.sparql,
        "--format",
        "csv",
    )[1]
    embedded = _kg("query", "-e", COUNT_BY_GRAPH, "--store", str(store), "--format", "csv")[1]
    ours = {row[0]: row[1] for row in _csv(embedded)[1:]}
    theirs = {row[0]: row[1] for row in _csv(counts)[1:] if row[0] in ours}
    assert theirs == ours
    for query in QUERIES:
        code, out, err = _kg("query", str(query), "--endpoint", virtuoso.sparql, "--format", "csv")
        assert code == 0, err
        assert _normalised(_csv(out)) == _normalised(_expected(query)), query.name


@pytest.mark.store_http
def test_reload_is_idempotent(virtuoso: Virtuoso) -> None:
    assert _load(virtuoso)[0] == 0
    first = _kg("query", "-e", COUNT_BY_GRAPH, "--endpoint", virtuoso.sparql)[1]
    code, _, err = _load(virtuoso, "--chunk-size", "500")
    assert code == 0, err
    assert _kg("query", "-e", COUNT_BY_GRAPH, "--endpoint", virtuoso.sparql)[1] == first


@pytest.mark.store_http
def test_ask_on_virtuoso_is_a_boolean(virtuoso: Virtuoso) -> None:
    assert _load(virtuoso)[0] == 0
    yes = "ASK { <https://w3id.org/team-pursuit/id/noc/ROC> ?p ?o }"
    no = "ASK { <https://w3id.org/team-pursuit/id/noc/XXX> ?p ?o }"
    assert _kg("query", "-e", yes, "--endpoint", virtuoso.sparql)[1] == "true\n"
    assert _kg("query", "-e", no, "--endpoint", virtuoso.sparql)[1] == "false\n"


@pytest.mark.store_http
def test_load_into_one_named_graph(virtuoso: Virtuoso, built: Built) -> None:
    graph = "https://example.org/one-graph"
    code, _, err = _load(virtuoso, "--graph", graph)
    assert code == 0, err
    query = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
    # The vocabulary's descriptions the data copies stand in the ontology's graph only.
    stated = set(Graph().parse(data=built.loaded.ontology_nt, format="nt"))
    data = sum(1 for triple in built.graph if triple not in stated)
    assert 0 < data < len(built.graph)
    assert _csv(_kg("query", "-e", query, "--endpoint", virtuoso.sparql)[1]) == [
        ["n"],
        [str(data)],
    ]


@pytest.mark.store_http
def test_wrong_credentials_exit_3(virtuoso: Virtuoso) -> None:
    code, _, err = _kg(
        "load", "--endpoint", virtuoso.graph_store, "--user", "dba", "--password", "wrong"
    )
    assert code == 3
    assert err.splitlines()[-1] == (
        f"error: {virtuoso.graph_store}: HTTP 401 unauthorized: wrong or missing credentials "
        "(--user/--password or KG_STORE_USER/KG_STORE_PASSWORD)"
    )


def test_dry_run_sends_nothing() -> None:
    port = free_port()
    code, out, _ = _kg(
        "load",
        "--endpoint",
        f"http://127.0.0.1:{port}/sparql-graph-crud",
        "--dry-run",
        "--chunk-size",
        "1000",
    )
    assert code == 0
    lines = out.splitlines()
    assert (
        lines[0]
        == f"PUT http://127.0.0.1:{port}/sparql-graph-crud?graph={CYCLING_GRAPH} (1000 triples, chunk 1/2)"
    )
    assert lines[1].startswith(
        f"POST http://127.0.0.1:{port}/sparql-graph-crud?graph={CYCLING_GRAPH} ("
    )
    assert lines[2].startswith(f"CHECK http://127.0.0.1:{port}/sparql: <{CYCLING_GRAPH}> holds ")


def test_unreachable_endpoint_exit_3() -> None:
    url = f"http://127.0.0.1:{free_port()}/sparql-graph-crud"
    code, _, err = _kg("load", "--endpoint", url, "--retries", "1")
    assert code == 3
    assert (
        err.splitlines()[-1] == f"error: {url}: connection failed after 2 tries (ConnectionError)"
    )
    code, _, err = _kg("query", "-e", "ASK {}", "--endpoint", url)
    assert (code, err) == (3, f"error: {url}: cannot connect (Connection refused)\n")


def test_endpoint_answering_html_exit_3() -> None:
    with http_server(answer_html) as url:
        code, _, err = _kg(
            "query", "-e", "SELECT * WHERE { ?s ?p ?o }", "--endpoint", f"{url}/sparql"
        )
    assert code == 3
    assert (
        err
        == f"error: {url}/sparql: answered text/html, expected SPARQL JSON results (is it a SPARQL endpoint?)\n"
    )


def test_connection_dropped_mid_upload_says_what_is_half_loaded() -> None:
    uploads: list[int] = []
    with http_server(drop_after_first_upload(uploads)) as url:
        code, _, err = _kg(
            "load", "--endpoint", f"{url}/data", "--chunk-size", "1000", "--retries", "1"
        )
    assert code == 3
    last = err.splitlines()[-1]
    assert last.startswith(
        f"error: {url}/data: connection failed after 2 tries (ConnectionError); graph <{CYCLING_GRAPH}> is half-loaded (1000 of "
    )
    assert last.endswith("triples sent): rerun kg load to replace it")
    assert len(uploads) == 3


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (403, "HTTP 403 forbidden: the user may not do this"),
        (404, "HTTP 404 not found: is the URL right?"),
        (503, "HTTP 503 status 503"),
    ],
)
def test_refusing_store_exit_3(status: int, message: str) -> None:
    with http_server(answer_status(status)) as url:
        code, _, err = _kg("load", "--endpoint", f"{url}/data", "--retries", "1")
    assert code == 3
    assert err.splitlines()[-1] == f"error: {url}/data: {message}"


def test_issue_17_credentials_in_an_endpoint_are_never_printed() -> None:
    port = free_port()
    secret, shown = (f"http://dba:s3cr@t@127.0.0.1:{port}", f"http://dba:***@127.0.0.1:{port}")
    code, out, err = _kg("load", "--endpoint", f"{secret}/sparql-graph-crud", "--dry-run")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0].startswith(f"PUT {shown}/sparql-graph-crud?graph={CYCLING_GRAPH} (")
    assert lines[1].startswith(f"CHECK {shown}/sparql: <{CYCLING_GRAPH}> holds ")
    assert "s3cr" not in out
    code, _, err = _kg("load", "--endpoint", f"{secret}/data", "--retries", "0")
    assert code == 3 and "s3cr" not in err
    assert err.splitlines()[-1] == (
        f"error: {shown}/data: connection failed after 1 tries (ConnectionError)"
    )
    code, _, err = _kg("query", "-e", "ASK {}", "--endpoint", f"{secret}/sparql")
    assert (code, err) == (3, f"error: {shown}/sparql: cannot connect (Connection refused)\n")


@pytest.mark.parametrize("scheme", ["basic", "digest"])
def test_issue_17_answering_the_auth_challenge_is_not_a_retry(scheme: str) -> None:
    with graph_store(scheme, "dba", "pw") as server:
        code, _, err = _kg(
            *("load", "--endpoint", f"{server.url}/data", "--retries", "0"),
            *("--user", "dba", "--password", "pw"),
        )
        graphs = {q.graph_name for q in server.store}
        assert code == 0, err
        assert err.splitlines()[-1] == (
            f"loaded {len(server.store)} triples into {len(graphs)} graphs at {server.url}/data; "
            "counts checked"
        )
        assert len(graphs) == 5 and server.statuses[0] == 401
        code, _, err = _kg(
            *("load", "--endpoint", f"{server.url}/data", "--retries", "0"),
            *("--user", "dba", "--password", "wrong"),
        )
    assert code == 3
    assert err.splitlines()[-1] == (
        f"error: {server.url}/data: HTTP 401 unauthorized: wrong or missing credentials "
        "(--user/--password or KG_STORE_USER/KG_STORE_PASSWORD)"
    )
