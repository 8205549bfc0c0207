"""``kg serve``'s application: the SPARQL 1.1 Protocol at /sparql, and the pages.

An ASGI application (Starlette) in front of a pool of query worker processes
(``kg_build.web.pool``); ``kg_build.web.serving`` runs it under uvicorn. What no server does for us
stays ours: the query-shape limits and the SERVICE policy (``kg_build.store.guard``), checked
before a query reaches a worker; the row cap (``kg_build.store.answers``); the pages
(``kg_build.web.pages``). Entity IRIs follow the W3C "Cool URIs" 303 practice: ``/id/…``
answers 303 See Other to ``/page/….html`` for HTML, or to ``/data/…`` for RDF.
"""

from __future__ import annotations

import asyncio
import logging
import time
import urllib.parse
from collections.abc import Coroutine
from typing import Any, TypeVar

import anyio.from_thread
import anyio.to_thread
import pyoxigraph as ox
from msgspec import Struct
from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import Route

from kg_build.errors import SourceError
from kg_build.store.guard import check_services, check_shape
from kg_build.web.pages import PageAnswer, Site
from kg_build.web.pool import Chooser, Limits, QueryPool, QueryRefused

__all__ = ["Limits", "QueryRefused", "make_app"]
LOG = logging.getLogger(__name__)
_T = TypeVar("_T")

RESULT_TYPES = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
}
GRAPH_TYPES = {
    "turtle": "text/turtle",
    "nt": "application/n-triples",
    "jsonld": "application/ld+json",
}
CORS = {"Access-Control-Allow-Origin": "*"}
PREFLIGHT = {
    **CORS,
    "Access-Control-Allow-Methods": "GET, POST, HEAD, OPTIONS",
    "Access-Control-Max-Age": "86400",
}
PLAIN = "text/plain; charset=utf-8"
FORM = "application/x-www-form-urlencoded"
SD = "http://www.w3.org/ns/sparql-service-description#"
FORMATS = "http://www.w3.org/ns/formats/"
RESULT_FORMAT_IRIS = (
    "SPARQL_Results_JSON",
    "SPARQL_Results_XML",
    "SPARQL_Results_CSV",
    "SPARQL_Results_TSV",
    "Turtle",
    "N-Triples",
    "JSON-LD",
)


def _negotiate(accept: str, choices: dict[str, str], default: str) -> str:
    """Pick the first format of ``choices`` the Accept header names (q-values ignored)."""
    wanted = [part.split(";")[0].strip() for part in accept.split(",") if part.strip()]
    for media in wanted:
        for fmt, media_type in choices.items():
            if media == media_type:
                return fmt
    return default


class _Chooser(Struct, frozen=True):
    """Pick the output format once the worker knows the query's kind (picklable)."""

    fmt: str
    accept: str

    def __call__(self, kind: str) -> str:
        if kind == "graph":
            if self.fmt in GRAPH_TYPES:
                return self.fmt
            return _negotiate(self.accept, GRAPH_TYPES, "turtle")
        if self.fmt in RESULT_TYPES:
            return self.fmt
        return _negotiate(self.accept, RESULT_TYPES, "json")


class _PoolRunner:
    """Runs a page's queries on the pool from the page's thread (pages.Runner)."""

    def __init__(self, pool: QueryPool) -> None:
        self.pool = pool

    def run(self, text: str, fmt: Chooser) -> tuple[str, bytes]:
        kind, _, data = anyio.from_thread.run(self.pool.run, text, fmt)
        return kind, data


def _line(status: int, message: str, retry_after: int | None = None) -> Response:
    headers = dict(CORS)
    if retry_after is not None:
        headers["Retry-After"] = str(retry_after)
    return Response((message + "\n").encode(), status, headers, PLAIN)


def make_app(pool: QueryPool, site: Site, limits: Limits) -> Starlette:
    """Return the ASGI application over a started pool."""
    site.bind(_PoolRunner(pool))
    endpoint = _Endpoint(pool, limits)

    async def pages(request: Request) -> Response:
        if request.method == "OPTIONS":
            return _preflight(request)
        if request.method == "POST":
            return _line(405, "POST only to /sparql")
        path, accept = request.url.path, request.headers.get("accept", "")
        try:
            answer = await anyio.to_thread.run_sync(site.answer, path, accept)
        except QueryRefused as e:
            return _line(e.status, e.message, e.retry_after)
        except Exception as e:  # a bug: one line in the log and a 500, not a dropped connection
            LOG.error("internal error on %s: %s: %s", path[:200], type(e).__name__, e)
            return _line(500, "internal error")
        return _page_response(path, answer)

    routes = [
        Route("/sparql", endpoint.handle, methods=["GET", "POST", "OPTIONS"]),
        Route("/{path:path}", pages, methods=["GET", "POST", "OPTIONS"]),
    ]
    return Starlette(routes=routes)


def _preflight(request: Request) -> Response:
    """Answer a CORS preflight (Fetch standard, CORS protocol): any origin, our methods."""
    headers = dict(PREFLIGHT)
    asked = request.headers.get("access-control-request-headers")
    if asked:
        headers["Access-Control-Allow-Headers"] = asked
    return Response(b"", 204, headers)


def _page_response(path: str, answer: PageAnswer) -> Response:
    cors = CORS if path.startswith(("/data/", "/id/")) else {}
    if answer.location:
        headers = {"Location": answer.location, "Vary": "Accept", **cors}
        return Response(b"", 303, headers)
    headers = {"X-Content-Type-Options": "nosniff", **cors}
    return Response(answer.body, answer.status, headers, answer.media_type)


class _Endpoint:
    """The SPARQL 1.1 Protocol (§2.1 query operation) over the pool."""

    def __init__(self, pool: QueryPool, limits: Limits) -> None:
        self.pool = pool
        self.limits = limits

    async def handle(self, request: Request) -> Response:
        started = time.monotonic()
        if request.method == "OPTIONS":
            return _preflight(request)
        params = urllib.parse.parse_qs(request.url.query)
        if request.method == "POST":
            refused = await self._read_post(request, params)
            if refused is not None:
                return refused
        if "update" in params:
            return _refuse_update()
        if "query" not in params:
            if request.method == "POST":
                return _line(400, "missing query parameter")
            return self._description(request)
        text = params["query"][0]
        try:
            scan = check_shape(text, "query", self.limits.shape)
            check_services(scan, "query", self.limits.allow_service)
        except SourceError as e:
            return _line(400, e.message)
        chooser = _Chooser(params.get("format", [""])[0], request.headers.get("accept", ""))
        try:
            kind, fmt, data = await _unless_gone(request, self.pool.run(text, chooser, started))
        except QueryRefused as e:
            return _line(e.status, e.message, e.retry_after)
        except _Gone:
            return Response(b"", 499)  # nobody to answer (nginx's code for it, in no log)
        media = GRAPH_TYPES[fmt] if kind == "graph" else RESULT_TYPES[fmt]
        return Response(data, 200, CORS, f"{media}; charset=utf-8")

    async def _read_post(self, request: Request, params: dict[str, list[str]]) -> Response | None:
        """Add the POST body's parameters to ``params``; answer an update or a body too big."""
        kind = request.headers.get("content-type", "").split(";")[0].strip()
        if kind == "application/sparql-update":
            return _refuse_update()
        largest = 3 * self.limits.shape.max_bytes + 4096  # percent-encoded, with the other fields
        length = request.headers.get("content-length", "")
        most = self.limits.shape.max_bytes
        too_big = f"more than the {largest:,} a query of at most {most:,} bytes needs"
        if length.isdigit() and int(length) > largest:
            return _line(413, f"the request body is {int(length):,} bytes, {too_big}")
        body = bytearray()
        try:
            async for chunk in request.stream():
                body += chunk
                if len(body) > largest:
                    return _line(413, f"the request body is {too_big}")
        except ClientDisconnect:  # gone, or cut off by the client timeout: nobody to answer
            return Response(b"", 400)
        if kind == "application/sparql-query":
            params["query"] = [body.decode("utf-8", "replace")]
        elif kind in (FORM, ""):
            params.update(urllib.parse.parse_qs(body.decode("utf-8", "replace")))
        else:
            return _line(415, f"POST a query as {FORM} or application/sparql-query, not {kind}")
        return None

    def _description(self, request: Request) -> Response:
        """Answer the SPARQL 1.1 Service Description (§3) in the RDF format asked for."""
        fmt = _negotiate(request.headers.get("accept", ""), GRAPH_TYPES, "turtle")
        here = str(request.url.replace(query=""))
        triples = service_description(here, self.limits)
        formats = {"turtle": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES}
        prefixes = {"sd": SD, "formats": FORMATS, "rdfs": "http://www.w3.org/2000/01/rdf-schema#"}
        data = ox.serialize(
            triples, format=formats.get(fmt, ox.RdfFormat.JSON_LD), prefixes=prefixes
        )
        return Response(data or b"", 200, CORS, f"{GRAPH_TYPES[fmt]}; charset=utf-8")


class _Gone(Exception):
    """The client closed its connection before its answer was ready."""


async def _unless_gone(request: Request, work: Coroutine[Any, Any, _T]) -> _T:
    """Await ``work``; if the client disconnects first, cancel it and raise _Gone.

    A cancelled query's worker is ended and replaced (pool.run), so a client that sends a
    slow query and closes the connection holds no worker for the rest of the time limit.
    """
    task = asyncio.ensure_future(work)
    gone = asyncio.ensure_future(_disconnected(request))
    try:
        await asyncio.wait({task, gone}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        gone.cancel()
    if not task.done():
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        raise _Gone
    return task.result()


async def _disconnected(request: Request) -> None:
    """Return once the client has gone (the body is read by then)."""
    while (await request.receive())["type"] != "http.disconnect":
        pass


def _refuse_update() -> Response:
    return _line(403, "SPARQL Update is refused: this endpoint is read-only")


def service_description(endpoint: str, limits: Limits) -> list[ox.Triple]:
    """Describe the endpoint: its language, result formats, union default graph and limits."""
    node = ox.NamedNode(endpoint)

    def sd(name: str) -> ox.NamedNode:
        return ox.NamedNode(SD + name)

    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    comment = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#comment")
    triples = [
        ox.Triple(node, rdf_type, sd("Service")),
        ox.Triple(node, sd("endpoint"), node),
        ox.Triple(node, sd("supportedLanguage"), sd("SPARQL11Query")),
        ox.Triple(node, sd("feature"), sd("UnionDefaultGraph")),
    ]
    triples += [
        ox.Triple(node, sd("resultFormat"), ox.NamedNode(FORMATS + name))
        for name in RESULT_FORMAT_IRIS
    ]
    triples += [ox.Triple(node, comment, ox.Literal(line)) for line in limit_lines(limits)]
    return triples


def limit_lines(limits: Limits) -> list[str]:
    """Say each limit in one line, for the service description."""
    shape = limits.shape
    services = ", ".join(sorted(limits.allow_service)) or "none"
    return [
        "The default graph is the union of every graph (each article's named graph).",
        f"timeout: a query may take {limits.timeout:g} s, its wait for a worker included "
        "(503 past it)",
        f"max results: {limits.max_results:,} rows or triples (413 above)",
        f"workers: {limits.pool_size} processes; queue: {limits.queue} queries may wait "
        "(503 with Retry-After when full)",
        f"max query bytes: {shape.max_bytes:,}; max nesting: {shape.max_nesting:,} groups; "
        f"max operators: {shape.max_operators:,}; max clauses: {shape.max_clauses:,} (400 above)",
        f"SERVICE endpoints allowed: {services} (400 for any other)",
        "SPARQL Update: refused (403)",
    ]
