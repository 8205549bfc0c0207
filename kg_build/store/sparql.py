"""SPARQL queries on the embedded store, a graph file or a remote endpoint, and their output.

Results are pyoxigraph's own objects whatever the source, so one set of writers serves all:
SPARQL 1.1 JSON, XML, CSV and TSV results, an aligned table, or Turtle/N-Triples for graphs.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import pyoxigraph as ox
from msgspec import Struct

from kg_build.defaults import PREFIXES
from kg_build.errors import SourceError, StoreError
from kg_build.rdf.curies import curie_or_iri

if TYPE_CHECKING:  # imported where used: `kg build` sends no HTTP and requests costs ~80 ms
    import requests

RESULT_FORMATS = ("table", "csv", "tsv", "json", "xml", "turtle", "nt")
_RESULTS = {
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
}
_GRAPHS = {
    "turtle": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
}
_POSITION = re.compile(r"error at (\d+):(\d+): (.*)", re.DOTALL)
_TIMEOUT = 60
Kind = Literal["select", "ask", "graph"]
Result = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples


class Answer(Struct, frozen=True):
    """A query's answer: solutions, a boolean, or triples."""

    kind: Kind
    variables: tuple[str, ...] = ()
    rows: tuple[tuple[ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | None, ...], ...] = ()
    boolean: bool = False
    triples: tuple[ox.Triple, ...] = ()


def check_query(text: str, shown: str) -> Kind:
    """Parse a query (on an empty store); return its kind or name the line and column at fault."""
    if not text.strip():
        raise SourceError(shown, None, "empty query (expected SELECT, ASK, CONSTRUCT or DESCRIBE)")
    try:
        result = ox.Store().query(text)
    except SyntaxError as e:
        raise _syntax_error(text, shown, str(e)) from e
    return _kind(result)


def _syntax_error(text: str, shown: str, message: str) -> SourceError:
    match = _POSITION.match(message)
    if match is None:
        return SourceError(shown, None, f"SPARQL syntax error: {message}")
    line, column = int(match[1]), int(match[2])
    lines = text.splitlines() or [""]
    source = lines[line - 1] if line <= len(lines) else ""
    return SourceError(
        shown,
        line,
        f"SPARQL syntax error at column {column}: {match[3]} (found {source.strip()!r})",
    )


def _kind(result: Result) -> Kind:
    if isinstance(result, ox.QuerySolutions):
        return "select"
    if isinstance(result, ox.QueryBoolean):
        return "ask"
    return "graph"


def answer_of(result: Result) -> Answer:
    """Materialize a pyoxigraph result into an Answer."""
    if isinstance(result, ox.QueryBoolean):
        return Answer("ask", boolean=bool(result))
    if isinstance(result, ox.QueryTriples):
        return Answer("graph", triples=tuple(result))
    variables = tuple(v.value for v in result.variables)
    rows = tuple(tuple(solution[v] for v in variables) for solution in result)
    return Answer("select", variables, rows)


def store_result(store: ox.Store, text: str, shown: str) -> Result:
    """Run a query on a pyoxigraph store; the default graph is the union of all graphs."""
    check_query(text, shown)
    # Like Virtuoso, a query without GRAPH sees every article's graph.
    return store.query(text, use_default_graph_as_union=True)


def query_endpoint(
    url: str, text: str, shown: str, auth: requests.auth.AuthBase | None = None
) -> Answer:
    """Run a query on a SPARQL 1.1 endpoint over HTTP (POST, form-encoded)."""
    kind = check_query(text, shown)
    accept = (
        "application/n-triples, text/turtle;q=0.9"
        if kind == "graph"
        else "application/sparql-results+json"
    )
    response = http_request(
        "POST", url, data={"query": text}, headers={"Accept": accept}, auth=auth
    )
    content_type = response.headers.get("Content-Type", "").split(";")[0].strip()
    if kind == "graph":
        return _graph_answer(url, response.content, content_type)
    if content_type not in ("application/sparql-results+json", "application/json"):
        raise StoreError(
            url,
            None,
            f"answered {content_type or 'no content type'}, "
            "expected SPARQL JSON results (is it a SPARQL endpoint?)",
        )
    try:
        result = ox.parse_query_results(response.content, ox.QueryResultsFormat.JSON)
    except (SyntaxError, ValueError) as e:
        raise StoreError(url, None, f"answered results that do not parse ({e})") from e
    answer = answer_of(result)
    return _virtuoso_ask(answer) if kind == "ask" and answer.kind == "select" else answer


def _virtuoso_ask(answer: Answer) -> Answer:
    """Virtuoso answers ASK in JSON as one binding (__ASK_RETVAL 0 or 1), not a boolean."""
    value = answer.rows[0][0] if answer.rows and answer.rows[0] else None
    return Answer(
        "ask", boolean=isinstance(value, ox.Literal) and value.value not in ("0", "false")
    )


def _graph_answer(url: str, data: bytes, content_type: str) -> Answer:
    formats = {
        "application/n-triples": ox.RdfFormat.N_TRIPLES,
        "text/plain": ox.RdfFormat.N_TRIPLES,
        "text/turtle": ox.RdfFormat.TURTLE,
    }
    if content_type not in formats:
        raise StoreError(
            url, None, f"answered {content_type or 'no content type'}, expected N-Triples or Turtle"
        )
    try:
        quads = ox.parse(data, formats[content_type])
        return Answer("graph", triples=tuple(q.triple for q in quads))
    except SyntaxError as e:
        raise StoreError(url, None, f"answered a graph that does not parse ({e})") from e


def http_request(
    method: str,
    url: str,
    *,
    data: bytes | dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
    auth: requests.auth.AuthBase | None = None,
    params: dict[str, str] | None = None,
) -> requests.Response:
    """Send one request; turn network failures and HTTP errors into StoreError (exit 3)."""
    import requests

    try:
        response = requests.request(
            method, url, data=data, headers=headers, auth=auth, params=params, timeout=_TIMEOUT
        )
    except requests.exceptions.ConnectionError as e:
        raise StoreError(url, None, f"cannot connect ({_reason(e)})") from e
    except requests.exceptions.RequestException as e:
        raise StoreError(url, None, f"request failed ({_reason(e)})") from e
    raise_for_status(url, response)
    return response


def raise_for_status(url: str, response: requests.Response) -> None:
    """Explain a failed HTTP answer in one line."""
    if response.status_code < 400:
        return
    reasons = {
        401: "unauthorized: wrong or missing credentials "
        "(--user/--password or KG_STORE_USER/KG_STORE_PASSWORD)",
        403: "forbidden: the user may not do this",
        404: "not found: is the URL right?",
    }
    detail = reasons.get(response.status_code) or _first_line(response.text)
    raise StoreError(url, None, f"HTTP {response.status_code} {detail}")


def _first_line(text: str) -> str:
    plain = re.sub(r"<[^>]+>", " ", text)
    words = " ".join(plain.split())
    return words[:200] or "(no message)"


def _reason(error: Exception) -> str:
    text = str(error)
    for marker in (
        "Connection refused",
        "Connection reset",
        "Read timed out",
        "Name or service not known",
        "Connection aborted",
        "RemoteDisconnected",
    ):
        if marker in text:
            return marker
    return type(error).__name__


# ---------------------------------------------------------------- output


def render(answer: Answer, fmt: str) -> bytes:
    """Write an answer in ``fmt``: a results format, a table, or an RDF format for graphs."""
    if answer.kind == "graph":
        rdf = _GRAPHS.get(fmt, ox.RdfFormat.TURTLE)
        # Sorted triples: the same graph serializes the same way.
        triples = sorted(answer.triples, key=str)
        return ox.serialize(triples, format=rdf, prefixes=PREFIXES) or b""
    if fmt == "table":
        return _table(answer).encode("utf-8")
    if fmt not in _RESULTS:
        raise SourceError(
            fmt, None, f"format '{fmt}' is for graphs; use table, csv, tsv, json or xml"
        )
    if answer.kind == "ask" and fmt in ("csv", "tsv"):
        return b"true\n" if answer.boolean else b"false\n"
    return _results(answer).serialize(format=_RESULTS[fmt]) or b""


def render_result(result: Result, fmt: str) -> bytes:
    """Write a store's result in ``fmt``; solutions go straight to pyoxigraph's writers.

    Reading 80,000 rows into Python and rebuilding them through JSON for the writer took
    twice as long as the query itself; the writers read the solutions as they are evaluated.
    """
    if isinstance(result, ox.QuerySolutions) and fmt in _RESULTS:
        return result.serialize(format=_RESULTS[fmt]) or b""
    return render(answer_of(result), fmt)


def _results(answer: Answer) -> ox.QuerySolutions | ox.QueryBoolean:
    """Rebuild pyoxigraph results from an answer, through SPARQL JSON, to serialize them."""
    document: dict[str, object]
    if answer.kind == "ask":
        document = {"head": {}, "boolean": answer.boolean}
    else:
        bindings = [
            {v: _json_term(t) for v, t in zip(answer.variables, row, strict=True) if t is not None}
            for row in answer.rows
        ]
        document = {"head": {"vars": list(answer.variables)}, "results": {"bindings": bindings}}
    result = ox.parse_query_results(json.dumps(document), ox.QueryResultsFormat.JSON)
    assert not isinstance(result, ox.QueryTriples)
    return result


def _json_term(term: object) -> dict[str, str]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    assert isinstance(term, ox.Literal)
    if term.language:
        return {"type": "literal", "value": term.value, "xml:lang": term.language}
    return {"type": "literal", "value": term.value, "datatype": term.datatype.value}


def _table(answer: Answer) -> str:
    if answer.kind == "ask":
        return "true\n" if answer.boolean else "false\n"
    header = list(answer.variables)
    rows = [[short(term) for term in row] for row in answer.rows]
    widths = [max([len(h), *(len(r[i]) for r in rows)]) for i, h in enumerate(header)]
    lines = [_line(header, widths), _line(["-" * w for w in widths], widths)]
    lines += [_line(r, widths) for r in rows]
    lines.append(f"({len(rows)} rows)")
    return "\n".join(lines) + "\n"


def _line(cells: Sequence[str], widths: Iterable[int]) -> str:
    return "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()


def short(term: object) -> str:
    """Show a term compactly: prefixed IRIs, plain literal values, empty for unbound."""
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return curie_or_iri(term.value, PREFIXES)
    if isinstance(term, ox.Literal):
        return term.value
    return str(term)


# ---------------------------------------------------------------- queries kept in .rq files

QUERIES = Path(__file__).resolve().parent / "queries"
Term = ox.NamedNode | ox.Literal
_WHERE = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)
_COMMENT = re.compile(r"^[ \t]*#.*$", re.MULTILINE)


@functools.cache
def query_text(name: str) -> str:
    """Return the text of ``kg_build/store/queries/<name>.rq``."""
    return (QUERIES / f"{name}.rq").read_text(encoding="utf-8")


def with_values(text: str, bindings: Mapping[str, Term | Sequence[Term]]) -> str:
    """Return a query with each variable bound by a VALUES block opening its WHERE group.

    The one way to pass values that every store takes, over HTTP too (SPARQL 1.1 §10.2.1):
    each term is written by pyoxigraph in N-Triples form, which escapes what a literal holds
    and refuses an IRI that is none, so no value can change the query around it. The values
    join the whole group, so a variable bound so must not stand alone in a nested group's
    FILTER or BIND (it is unbound there).
    """
    masked = _COMMENT.sub(lambda m: " " * len(m[0]), text)  # no WHERE in a comment counts
    where = _WHERE.search(masked)
    if where is None:
        raise ValueError("the query has no WHERE group to bind values in")
    blocks = []
    for variable, value in bindings.items():
        terms = [value] if isinstance(value, ox.NamedNode | ox.Literal) else list(value)
        blocks.append(f"VALUES ?{variable} {{ {' '.join(str(t) for t in terms)} }}")
    inserted = "".join(f"\n  {block}" for block in blocks)
    return text[: where.end()] + inserted + text[where.end() :]
