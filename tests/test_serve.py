"""Issue 19: kg serve as a public endpoint, attacked as a stranger would, on loopback.

Each test runs a real ``kg serve`` process (tests/servers.kg_serve) and would fail on the
hand-written http.server of before: SERVICE reached any URL, a deep query killed the one
worker for good, malformed paths dropped the connection, silent connections were kept open
for good, one slow query held every other behind a lock.
"""

from __future__ import annotations

import http.server
import os
import signal
import socket
import time
import urllib.parse
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, RDFS

from kg_build.cli import cli
from kg_build.store.guard import ShapeLimits
from kg_build.web.pool import Limits
from tests.servers import KgServer, http_server, kg_serve

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
ASK = "ASK { ?s ?p ?o }"
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
NESTED = "SELECT * WHERE " + "{" * 5000 + " ?s ?p ?o " + "}" * 5000


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("serve")
    result = CliRunner().invoke(
        cli, ["-q", "build", "-o", str(folder / "g.ttl"), "--store", str(folder / "store")]
    )
    assert result.exit_code == 0, result.stderr
    return folder / "store"


@pytest.fixture(scope="module")
def server(store: Path) -> Iterator[KgServer]:
    with kg_serve(store, Limits(workers=2)) as running:
        yield running


@pytest.fixture
def listener() -> Iterator[tuple[str, list[str]]]:
    """Run a local HTTP listener that records every request and answers empty results."""
    received: list[str] = []

    def handle(request: http.server.BaseHTTPRequestHandler) -> None:
        received.append(f"{request.command} {request.path}")
        length = int(request.headers.get("Content-Length") or 0)
        request.rfile.read(length)
        body = b'{"head":{"vars":["x"]},"results":{"bindings":[]}}'
        request.send_response(200)
        request.send_header("Content-Type", "application/sparql-results+json")
        request.send_header("Content-Length", str(len(body)))
        request.end_headers()
        request.wfile.write(body)

    with http_server(handle) as url:
        yield url, received


def _get(url: str, query: str, timeout: float = 60, **headers: str) -> requests.Response:
    return requests.get(f"{url}/sparql", params={"query": query}, headers=headers, timeout=timeout)


def _still_serves(url: str) -> None:
    """Every kind of request answers: SPARQL, an entity page, data, a results view."""
    assert _get(url, ASK).status_code == 200
    for path in (
        "/page/noc/ROC.html",
        "/data/noc/ROC.ttl",
        "/results/2020-cycling-mens-team-pursuit.html",
    ):
        assert requests.get(url + path, timeout=60).status_code == 200, path


@pytest.mark.parametrize(
    "template",
    [
        "SELECT * WHERE {{ SERVICE <{url}/sparql> {{ ?x ?y ?z }} }}",
        "select * where {{ service silent <{url}/sparql> {{ ?x ?y ?z }} }}",
        "PREFIX ex: <{url}/> SELECT * WHERE {{ SERVICE ex:sparql {{ ?x ?y ?z }} }}",
        "BASE <{url}/> SELECT * WHERE {{ SERVICE <sparql> {{ ?x ?y ?z }} }}",
        "SELECT * WHERE {{ VALUES ?e {{ <{url}/sparql> }} SERVICE ?e {{ ?x ?y ?z }} }}",
        "SELECT * WHERE {{ FILTER(1<2#> '''\n) SERVICE <{url}/sparql> {{ ?x ?y ?z }} # '''\n}}",
    ],
    ids=[
        "iri",
        "lowercase-silent",
        "prefixed-name",
        "relative-to-base",
        "variable",
        "comment-trick",
    ],
)
def test_issue_19_service_is_refused_and_the_listener_receives_nothing(
    server: KgServer, listener: tuple[str, list[str]], template: str
) -> None:
    url, received = listener
    answer = _get(server.url, template.format(url=url))
    assert answer.status_code == 400
    assert answer.text.startswith("SERVICE ") and answer.text.count("\n") == 1
    assert (
        "is refused: this endpoint calls no other (kg serve --allow-service URL allows one)\n"
        in answer.text
    )
    assert received == []


@pytest.mark.parametrize(
    "query",
    [
        'SELECT * WHERE { BIND("SERVICE <http://127.0.0.1:9/>" AS ?x) }',
        "SELECT * WHERE { BIND('''SERVICE\n<http://127.0.0.1:9/>''' AS ?x) }",
        "SELECT * WHERE { BIND(<http://127.0.0.1:9/SERVICE> AS ?x) } # SERVICE <http://127.0.0.1:9/>",
    ],
    ids=["string", "long-string", "iri-and-comment"],
)
def test_issue_19_service_in_a_string_comment_or_iri_passes(server: KgServer, query: str) -> None:
    assert _get(server.url, query, Accept="text/csv").status_code == 200


def test_issue_19_allowed_service_is_called_and_no_other(
    store: Path, listener: tuple[str, list[str]]
) -> None:
    url, received = listener
    allowed = Limits(workers=1, allow_service=frozenset({f"{url}/sparql"}))
    with kg_serve(store, allowed) as running:
        ok = _get(running.url, f"SELECT * WHERE {{ SERVICE <{url}/sparql> {{ ?x ?y ?z }} }}")
        assert ok.status_code == 200, ok.text
        assert [line.split(" ")[0] for line in received] == ["POST"]
        other = _get(running.url, f"SELECT * WHERE {{ SERVICE <{url}/other> {{ ?x ?y ?z }} }}")
        assert other.status_code == 400
        assert other.text == (
            f"SERVICE <{url}/other> is refused: only the endpoints kg serve --allow-service "
            "names may be called\n"
        )
    assert len(received) == 1


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (NESTED, "the query nests 5,000 groups, more than the limit of 100"),
        (
            "SELECT * WHERE { ?s ?p ?o FILTER(" + "(" * 20000 + "?o" + ")" * 20000 + ") }",
            "the query nests 20,002 groups, more than the limit of 100",
        ),
        (
            "SELECT * WHERE { ?s ?p ?o FILTER(" + " || ".join(["?o = 1"] * 5000) + ") }",
            "the query has 10,000 operators, more than the limit of 1,000",
        ),
        (
            "SELECT * WHERE { ?s ?p ?o " + "MINUS { ?s ?p 1 } " * 3000 + "}",
            "the query has 3,001 clauses (OPTIONAL, UNION, MINUS, FILTER, BIND …), more than the limit of 100",
        ),
        (
            "SELECT * WHERE { ?s ?p ?o FILTER(" + " || ".join(["?o = 1"] * 12000) + ") }",
            "the query is {size:,} bytes long, more than the limit of 100,000",
        ),
    ],
    ids=["groups", "parentheses", "or-chain", "minus-blocks", "bytes"],
)
def test_issue_19_a_query_the_engine_cannot_take_is_refused_naming_the_limit(
    server: KgServer, query: str, message: str
) -> None:
    answer = requests.post(
        f"{server.url}/sparql",
        data=query.encode(),
        headers={"Content-Type": "application/sparql-query"},
        timeout=60,
    )
    size = len(query.encode())
    assert (answer.status_code, answer.text) == (400, message.format(size=size) + "\n")
    _still_serves(server.url)


def test_issue_19_a_query_body_larger_than_any_query_is_413(server: KgServer) -> None:
    query = "SELECT * WHERE { ?s ?p ?o FILTER(" + " || ".join(["?o = 1"] * 120000) + ") }"
    answer = requests.post(f"{server.url}/sparql", data={"query": query}, timeout=60)
    size = len(urllib.parse.urlencode({"query": query}))
    assert (answer.status_code, answer.text) == (
        413,
        f"the request body is {size:,} bytes, more than the 304,096 "
        "a query of at most 100,000 bytes needs\n",
    )
    _still_serves(server.url)


def test_issue_19_a_worker_that_dies_is_replaced_and_its_request_answered_500(
    store: Path,
) -> None:
    # With the shape limits raised, 5,000 nested groups reach the engine, which segfaults.
    raised = Limits(workers=1, shape=ShapeLimits(10**7, 10**6, 10**6, 10**6))
    with kg_serve(store, raised) as running:
        answer = requests.post(
            f"{running.url}/sparql",
            data=NESTED.encode(),
            headers={"Content-Type": "application/sparql-query"},
            timeout=60,
        )
        assert (answer.status_code, answer.text) == (
            500,
            "the query worker died on this query (signal 11); a new one took its place\n",
        )
        _still_serves(running.url)
        assert "Traceback" not in running.stderr()


def test_issue_19_a_worker_killed_mid_query_or_idle_is_replaced(store: Path) -> None:
    with kg_serve(store, Limits(workers=1, timeout=60)) as running:
        [worker] = running.workers()
        with ThreadPoolExecutor(1) as pool:
            slow = pool.submit(_get, running.url, SLOW)
            time.sleep(1)  # the slow query is in the worker now
            os.kill(worker, signal.SIGKILL)
            answer = slow.result()
        assert (answer.status_code, answer.text) == (
            500,
            "the query worker died on this query (signal 9); a new one took its place\n",
        )
        [idle] = running.workers()
        assert idle != worker
        os.kill(idle, signal.SIGKILL)
        _wait_until_gone([idle])  # else the next query may still be sent to it (and get 500)
        _still_serves(running.url)


@pytest.mark.parametrize(
    "path", ["/id/a%20b", "/id/%0a", "/page/x%22y.html", "/static/%00", "/results/x%00.html"]
)
def test_issue_19_a_malformed_url_is_404_not_a_dropped_connection(
    server: KgServer, path: str
) -> None:
    answer = requests.get(server.url + path, timeout=60)
    assert answer.status_code == 404 and b"Not found" in answer.content
    assert "Traceback" not in server.stderr()


def test_issue_19_silent_and_half_sent_connections_are_closed_and_hold_nothing(
    store: Path,
) -> None:
    with kg_serve(store, Limits(workers=1, client_timeout=1)) as running:
        port = int(running.url.rsplit(":", 1)[1])
        silent = [socket.create_connection(("127.0.0.1", port)) for _ in range(100)]
        half = [socket.create_connection(("127.0.0.1", port)) for _ in range(100)]
        for sock in half:
            sock.sendall(b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: 127.0.0.1\r\nAcc")
        # Meanwhile others are served.
        _still_serves(running.url)
        for sock in [*silent, *half]:
            sock.settimeout(60)
            data = sock.recv(4096)  # the server gives up on it: 408, then closes
            assert data == b"" or data.startswith(b"HTTP/1.1 408 Request Timeout\r\n")
            sock.close()
        assert _get(running.url, ASK).status_code == 200


def test_issue_19_a_full_queue_answers_503_with_retry_after(store: Path) -> None:
    with kg_serve(store, Limits(workers=1, queue=2, timeout=3)) as running:
        with ThreadPoolExecutor(3) as pool:
            busy = pool.submit(_get, running.url, SLOW)
            time.sleep(1)
            queued = pool.submit(_get, running.url, SLOW)
            time.sleep(0.05)
            waiting = pool.submit(_get, running.url, ASK)
            time.sleep(0.5)
            full = _get(running.url, ASK)
            assert (full.status_code, full.headers["Retry-After"]) == (503, "1")
            assert full.text == (
                "busy: 2 queries wait for a worker, the most the queue holds; try again\n"
            )
            assert busy.result().text == "the query ran past the time limit of 3 s\n"
            assert queued.result().status_code == 503
            # The wait counts against the time limit: an ASK behind two slow queries gives up.
            assert waiting.result().status_code == 503
            assert waiting.result().text.endswith(" past the time limit of 3 s\n")
        assert _get(running.url, ASK).status_code == 200


def test_issue_19_slow_queries_do_not_starve_the_rest(store: Path) -> None:
    with kg_serve(store, Limits(workers=3, timeout=30)) as running, ThreadPoolExecutor(2) as pool:
        slow = [pool.submit(_get, running.url, SLOW) for _ in range(2)]
        time.sleep(1)
        for _ in range(5):
            assert _get(running.url, ASK).status_code == 200
        assert not any(s.done() for s in slow)  # answered while both slow ones ran
        [s.result() for s in slow]


def test_issue_19_a_client_that_hangs_up_frees_its_worker(store: Path) -> None:
    # Before, a slow query whose client had gone held the one worker for the time limit.
    with kg_serve(store, Limits(workers=1, timeout=120)) as running:
        [worker] = running.workers()
        port = int(running.url.rsplit(":", 1)[1])
        path = "/sparql?" + urllib.parse.urlencode({"query": SLOW})
        with socket.create_connection(("127.0.0.1", port)) as sock:
            sock.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
            time.sleep(1)  # the slow query is in the worker now
        assert _get(running.url, ASK, timeout=60).status_code == 200
        assert running.workers() != [worker]  # its query was stopped with its worker


def test_issue_19_sixty_four_clients_at_once_are_all_answered(server: KgServer) -> None:
    with ThreadPoolExecutor(64) as pool:
        answers = list(pool.map(lambda _: _get(server.url, ASK).status_code, range(256)))
    assert answers == [200] * 256


def test_issue_19_cors_preflight_and_head(server: KgServer) -> None:
    answer = _get(server.url, ASK, Origin="https://example.org")
    assert answer.headers["Access-Control-Allow-Origin"] == "*"
    preflight = requests.options(
        f"{server.url}/sparql",
        headers={
            "Origin": "https://example.org",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "Content-Type",
        },
        timeout=60,
    )
    assert preflight.status_code == 204
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert preflight.headers["Access-Control-Allow-Headers"] == "Content-Type"
    data = requests.get(f"{server.url}/data/noc/ROC.ttl", timeout=60)
    assert data.headers["Access-Control-Allow-Origin"] == "*"
    head = requests.head(f"{server.url}/data/noc/ROC.ttl", timeout=60)
    assert (head.status_code, head.content) == (200, b"")
    assert head.headers["Content-Length"] == str(len(data.content))
    assert (
        requests.head(f"{server.url}/sparql", params={"query": ASK}, timeout=60).status_code == 200
    )


def test_issue_19_service_description(server: KgServer) -> None:
    answer = requests.get(f"{server.url}/sparql", headers={"Accept": "text/turtle"}, timeout=60)
    assert answer.status_code == 200 and answer.headers["Content-Type"].startswith("text/turtle")
    graph = Graph().parse(data=answer.text, format="turtle")
    endpoint = URIRef(f"{server.url}/sparql")
    assert (endpoint, RDF.type, SD.Service) in graph
    assert (endpoint, SD.endpoint, endpoint) in graph
    assert (endpoint, SD.feature, SD.UnionDefaultGraph) in graph
    formats = {str(o).rsplit("/", 1)[1] for o in graph.objects(endpoint, SD.resultFormat)}
    assert formats == {
        "SPARQL_Results_JSON",
        "SPARQL_Results_XML",
        "SPARQL_Results_CSV",
        "SPARQL_Results_TSV",
        "Turtle",
        "N-Triples",
        "JSON-LD",
    }
    comments = set(graph.objects(endpoint, RDFS.comment))
    assert Literal("max results: 10,000 rows or triples (413 above)") in comments
    assert Literal("SERVICE endpoints allowed: none (400 for any other)") in comments
    assert (
        Literal(
            "max query bytes: 100,000; max nesting: 100 groups; max operators: 1,000; "
            "max clauses: 100 (400 above)"
        )
        in comments
    )


def test_issue_19_row_cap_holds_in_every_format(store: Path) -> None:
    with kg_serve(store, Limits(workers=1, max_results=15)) as running:
        nocs = "SELECT ?n WHERE { ?n <http://www.w3.org/2000/01/rdf-schema#label> ?l }"
        for fmt in ("json", "xml", "csv", "tsv"):
            assert _get(running.url, nocs + " LIMIT 15", Accept="*/*").status_code == 200
            over = requests.get(
                f"{running.url}/sparql",
                params={"query": nocs + " LIMIT 16", "format": fmt},
                timeout=60,
            )
            assert (over.status_code, over.text) == (
                413,
                "the answer has 16 rows, more than the limit of 15; add a LIMIT\n",
            ), fmt


def test_kg_serve_stops_its_workers_when_it_ends(store: Path) -> None:
    with kg_serve(store, Limits(workers=2)) as running:
        workers = running.workers()
        with ThreadPoolExecutor(1) as pool:
            pool.submit(_get, running.url, SLOW, 10)
            time.sleep(1)
            running.process.kill()  # not even a graceful stop
            running.process.wait()
    _wait_until_gone(workers)
    assert not any(_alive(pid) for pid in workers)


def _wait_until_gone(pids: list[int]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and any(_alive(pid) for pid in pids):
        time.sleep(0.05)


def _alive(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text(encoding="utf-8")
    except OSError:
        return False
    return "State:\tZ" not in status
