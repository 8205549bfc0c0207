"""The query scan before the engine: shape limits, SERVICE found as the engine finds it."""

from __future__ import annotations

import http.server
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg_build.errors import SourceError
from kg_build.store.guard import ShapeLimits, check_services, check_shape, scan_query
from tests.conftest import ROOT
from tests.servers import http_server

LIMITS = ShapeLimits()


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("SELECT * WHERE { SERVICE <http://e/s> { ?s ?p ?o } }", [("<http://e/s>", "http://e/s")]),
        ("select * { service silent <http://e/s> {} }", [("<http://e/s>", "http://e/s")]),
        ("SELECT * { SeRvIcE <http://e/s> {} }", [("<http://e/s>", "http://e/s")]),
        ("SELECT * { SERVICE ?x {} }", [("?x", None)]),
        ("SELECT * { SERVICE $x {} }", [("$x", None)]),
        ("PREFIX ex: <http://e/> SELECT * { SERVICE ex:s {} }", [("ex:s", "http://e/s")]),
        ("PREFIX ex: <http://e/> SELECT * { SERVICE ex:s\\-t {} }", [("ex:s\\-t", "http://e/s-t")]),
        ("SELECT * { SERVICE ex:s {} }", [("ex:s", None)]),
        ("BASE <http://e/a/> SELECT * { SERVICE <s> {} }", [("<s>", "http://e/a/s")]),
        (
            "BASE <http://e/a/> PREFIX p: <b/> SELECT * { SERVICE p:s {} }",
            [("p:s", "http://e/a/b/s")],
        ),
        (
            "SELECT * { SERVICE <http://e\\u003a8/s> {} }",
            [("<http://e\\u003a8/s>", "http://e:8/s")],
        ),
        ("SELECT * { BIND('SERVICE <http://e/>' AS ?x) }", []),
        ('SELECT * { BIND("SERVICE <http://e/>" AS ?x) }', []),
        ("SELECT * { BIND('''\nSERVICE <http://e/>\n''' AS ?x) }", []),
        ('SELECT * { BIND("""\nSERVICE <http://e/>\n""" AS ?x) }', []),
        ('SELECT * { BIND("a\\"SERVICE <http://e/> {}" AS ?x) }', []),
        ("SELECT * { ?s <http://e/SERVICE> ?o } # SERVICE <http://e/>", []),
        ("SELECT * { ?s ex:SERVICE ?o . ?s service:x ?o }", []),
        ("SELECT * { # c\r SERVICE <http://e/> {} }", [("<http://e/>", "http://e/")]),
        # After an operand in an expression '<' compares, so '#' starts a comment (as Oxigraph
        # reads it) and the long string a regex would see hides nothing.
        (
            "SELECT * { FILTER(1<2#> '''\n) SERVICE <http://e/> {} # '''\n}",
            [("<http://e/>", "http://e/")],
        ),
        (
            "SELECT * { ?s <p> ( <a> <http://x#y> ) . SERVICE <http://e/> {} }",
            [("<http://e/>", "http://e/")],
        ),
        ("SELECT * { ?s ?p ?o FILTER(?o<?b#>) }", []),
    ],
    ids=lambda value: value if isinstance(value, str) and len(value) < 30 else None,
)
def test_services_are_found_as_the_engine_reads_the_text(
    query: str, found: list[tuple[str, str | None]]
) -> None:
    assert [(s.written, s.endpoint) for s in scan_query(query).services] == found


def test_refused_service_says_why_in_one_line() -> None:
    scan = scan_query("SELECT * { SERVICE <http://127.0.0.1:9/sparql> {} }")
    with pytest.raises(SourceError) as refused:
        check_services(scan, "query", frozenset())
    assert str(refused.value) == (
        "query: SERVICE <http://127.0.0.1:9/sparql> is refused: this endpoint calls no other "
        "(kg serve --allow-service URL allows one)"
    )
    check_services(scan, "query", frozenset({"http://127.0.0.1:9/sparql"}))


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (
            "SELECT * WHERE " + "{" * 101 + "}" * 101,
            "the query nests 101 groups, more than the limit of 100",
        ),
        (
            "SELECT * WHERE { FILTER(" + "(" * 99 + "1" + ")" * 99 + ") }",
            "the query nests 101 groups, more than the limit of 100",
        ),
        (
            "SELECT * WHERE { ?s ?p " + "[ <p> " * 100 + "1" + " ]" * 100 + " }",
            "the query nests 101 groups, more than the limit of 100",
        ),
        (
            "SELECT * WHERE { FILTER(" + " || ".join(["1"] * 1001) + ") }",
            "the query has 1,001 operators, more than the limit of 1,000",
        ),
        (
            "SELECT * WHERE { ?s " + "/".join(["<p>"] * 1001) + " ?o }",
            "the query has 1,001 operators, more than the limit of 1,000",
        ),
        (
            "SELECT * WHERE { ?s ?p ?o " + "OPTIONAL { ?s ?p ?o } " * 100 + "}",
            "the query has 101 clauses (OPTIONAL, UNION, MINUS, FILTER, BIND …), more than the limit of 100",
        ),
        (
            "SELECT * WHERE { " + " UNION ".join(["{ ?s ?p ?o }"] * 101) + " }",
            "the query has 101 clauses (OPTIONAL, UNION, MINUS, FILTER, BIND …), more than the limit of 100",
        ),
        (
            "SELECT * WHERE { BIND('" + "é" * 50_000 + "' AS ?x) }",
            "the query is 100,033 bytes long, more than the limit of 100,000",
        ),
    ],
    ids=["groups", "parentheses", "blank-nodes", "or-chain", "path", "optional", "union", "bytes"],
)
def test_each_limit_is_named(query: str, message: str) -> None:
    with pytest.raises(SourceError) as refused:
        check_shape(query, "<query>", LIMITS)
    assert str(refused.value) == f"<query>: {message}"


def test_competency_questions_and_page_queries_pass_with_room() -> None:
    queries = [
        *(ROOT / "tests" / "cq").glob("*.rq"),
        *(ROOT / "kg_build" / "store" / "queries").glob("*.rq"),
    ]
    assert len(queries) > 20
    for text in [p.read_text(encoding="utf-8") for p in queries]:
        scan = check_shape(text, "query", LIMITS)
        assert scan.nesting <= 10 and scan.operators <= 50 and scan.clauses <= 40
        assert scan.services == []


def test_issue_19_kg_query_refuses_what_would_crash_the_engine(tmp_path: Path) -> None:
    # Before: exit 139 (a segfault) and no message.
    nested = "SELECT * WHERE " + "{" * 5000 + " ?s ?p ?o " + "}" * 5000
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "kg_build",
            "query",
            "-e",
            nested,
            "--store",
            str(tmp_path / "none"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (done.returncode, done.stdout) == (1, "")
    assert (
        done.stderr == "error: <query>: the query nests 5,000 groups, more than the limit of 100\n"
    )
    big = tmp_path / "or.rq"
    big.write_text("SELECT * WHERE { ?s ?p ?o FILTER(" + " || ".join(["?o = 1"] * 120_000) + ") }")
    done = subprocess.run(
        [sys.executable, "-m", "kg_build", "query", str(big)],
        capture_output=True,
        text=True,
        check=False,
    )
    size = big.stat().st_size
    assert (done.returncode, done.stderr) == (
        1,
        f"error: {big.as_posix()}: the query is {size:,} bytes long, more than the limit of 100,000\n",
    )


# ---------------------------------------------------------------- against the engine itself

FRAGMENTS = [
    " ",
    "\n",
    "\r",
    "#",
    "'",
    '"',
    "'''",
    '"""',
    "\\",
    "<",
    ">",
    "(",
    ")",
    "{",
    "}",
    "[",
    "]",
    "1",
    "?x",
    "&&",
    "||",
    "=",
    ",",
    ".",
    ";",
    "a",
    "@en",
    "^^",
    "FILTER(",
    "BIND(",
    " AS ?y)",
    "<http://x#y>",
    "<http://x/it's>",
    "ex:a",
    "ex:a\\#b",
    "ex:a\\'b",
    "SERVICE",
    "service",
    "SILENT",
    "VALUES",
    "OPTIONAL",
    "SELECT",
    "\\u0022",
]


@pytest.fixture(scope="module")
def listener() -> Iterator[tuple[str, list[str]]]:
    received: list[str] = []

    def handle(request: http.server.BaseHTTPRequestHandler) -> None:
        received.append(request.path)
        request.rfile.read(int(request.headers.get("Content-Length") or 0))
        body = b'{"head":{"vars":[]},"results":{"bindings":[{}]}}'
        request.send_response(200)
        request.send_header("Content-Type", "application/sparql-results+json")
        request.send_header("Content-Length", str(len(body)))
        request.end_headers()
        request.wfile.write(body)

    with http_server(handle) as url:
        yield url, received


@settings(
    max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    before=st.lists(st.sampled_from(FRAGMENTS), max_size=12),
    between=st.lists(st.sampled_from(FRAGMENTS), max_size=4),
    after=st.lists(st.sampled_from(FRAGMENTS), max_size=12),
)
def test_the_engine_calls_no_service_the_scan_misses(
    listener: tuple[str, list[str]], before: list[str], between: list[str], after: list[str]
) -> None:
    url, received = listener
    query = (
        "PREFIX ex: <"
        + url
        + "/> SELECT * WHERE { "
        + "".join(before)
        + " SERVICE "
        + "".join(between)
        + f" <{url}/sparql> {{ }} "
        + "".join(after)
        + " }"
    )
    calls = len(received)
    try:
        result = ox.Store().query(query)
        if isinstance(result, ox.QuerySolutions):
            list(result)
    except (SyntaxError, OSError, RuntimeError, ValueError):
        pass
    if len(received) > calls:
        assert scan_query(query).services, query
