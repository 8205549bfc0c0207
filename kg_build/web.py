"""``kg serve``: a read-only SPARQL endpoint, a query page and dereferenceable entity pages.

Queries run in a worker process that opens the store read-only, so a query that passes the
time limit is stopped by ending that process, and the server never writes to the store.
Entity IRIs follow the W3C "Cool URIs" 303 practice: ``/id/…`` answers 303 See Other to
``/page/….html`` for HTML, or to ``/data/….ttl``, ``.jsonld``, ``.nt`` for RDF.
"""

from __future__ import annotations

import errno
import http.server
import multiprocessing
import multiprocessing.connection
import threading
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kg_build.errors import ServeError, SourceError, StoreError
from kg_build.pages import Site
from kg_build.publish import current_generation, pin_generation

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
DATA_SUFFIXES = {".ttl": "turtle", ".nt": "nt", ".jsonld": "jsonld"}


@dataclass(frozen=True, slots=True)
class Limits:
    """How long a query may run and how many rows it may return."""

    timeout: float = 10.0
    max_results: int = 10_000


class QueryRefused(Exception):
    """A query hit a limit or was not valid; ``status`` is the HTTP answer."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _worker(connection: multiprocessing.connection.Connection, store_path: str, cap: int) -> None:
    """Answer queries from the pipe on a read-only store until the pipe closes.

    Before each query the worker looks whether a build has put a new store generation in
    place, and if so answers from it: a rebuild shows without a restart.
    """
    from kg_build.sparql import answer_of, check_query, render

    store = _Following(Path(store_path))
    while True:
        try:
            text, fmt = connection.recv()
        except EOFError:
            return
        try:
            check_query(text, "query")
            answer = answer_of(store.current().query(text, use_default_graph_as_union=True))
            rows = len(answer.rows) if answer.kind == "select" else len(answer.triples)
            if rows > cap:
                connection.send(("cap", rows))
                continue
            chosen = fmt(answer.kind) if callable(fmt) else fmt
            connection.send(("ok", (answer.kind, render(answer, chosen))))
        except SourceError as e:
            connection.send(("bad", e.message if e.line is None else f"line {e.line}: {e.message}"))
        except Exception as e:  # a query the engine rejects is the client's problem, not ours
            connection.send(("bad", f"{type(e).__name__}: {e}"))


class _Following:
    """The store's current generation, opened read-only and pinned; reopened when it changes."""

    def __init__(self, path: Path) -> None:
        import pyoxigraph as ox

        self.path = path
        self.pin = pin_generation(path)
        self.store = ox.Store.read_only(str(self.pin.directory))

    def current(self) -> Any:
        """Return the open store, first switching to a newer generation if one is in place."""
        import pyoxigraph as ox

        if current_generation(self.path) not in (None, self.pin.directory):
            try:
                pin = pin_generation(self.path)
            except StoreError:
                return self.store  # the link moved on again; the next query looks again
            self.store = ox.Store.read_only(str(pin.directory))
            self.pin.release()
            self.pin = pin
        return self.store


class QueryWorker:
    """One worker process at a time; a timed-out worker is ended and replaced."""

    def __init__(self, store: Path, limits: Limits) -> None:
        if not store.exists():
            raise StoreError(store.as_posix(), None, "no store here (run kg build first)")
        self.store = store
        self.limits = limits
        self._lock = threading.Lock()
        self._context = multiprocessing.get_context("spawn")
        self._start()

    def _start(self) -> None:
        parent, child = self._context.Pipe()
        args = (child, str(self.store), self.limits.max_results)
        self._process = self._context.Process(target=_worker, args=args, daemon=True)
        self._process.start()
        self._connection = parent

    def run(self, text: str, fmt: str | Any) -> tuple[str, bytes]:
        """Return the answer's kind and bytes in ``fmt``, or raise QueryRefused."""
        with self._lock:
            self._connection.send((text, fmt))
            if not self._connection.poll(self.limits.timeout):
                self._process.kill()
                self._process.join()
                self._start()
                raise QueryRefused(
                    503, f"the query ran past the time limit of {self.limits.timeout:g} s"
                )
            status, value = self._connection.recv()
        if status == "cap":
            raise QueryRefused(
                413,
                f"the answer has {value} rows, more than the limit of "
                f"{self.limits.max_results}; add a LIMIT",
            )
        if status == "bad":
            raise QueryRefused(400, f"bad query: {value}")
        kind, data = value
        return kind, data

    def close(self) -> None:
        """End the worker."""
        self._connection.close()
        self._process.kill()
        self._process.join()


def _negotiate(accept: str, choices: dict[str, str], default: str) -> str:
    """Pick the first format of ``choices`` the Accept header names (q-values ignored)."""
    wanted = [part.split(";")[0].strip() for part in accept.split(",") if part.strip()]
    for media in wanted:
        for fmt, media_type in choices.items():
            if media == media_type:
                return fmt
    return default


def make_handler(worker: QueryWorker, site: Site) -> type[http.server.BaseHTTPRequestHandler]:
    """Return the request handler class bound to a worker and a site renderer."""

    class Handler(http.server.BaseHTTPRequestHandler):
        server_version = "team-pursuit-kg"

        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            url = urllib.parse.urlsplit(self.path)
            params = urllib.parse.parse_qs(url.query)
            if url.path == "/sparql":
                self._sparql(params)
            else:
                self._page(urllib.parse.unquote(url.path))

        def do_POST(self) -> None:
            url = urllib.parse.urlsplit(self.path)
            if url.path != "/sparql":
                self._send(405, "text/plain", b"POST only to /sparql\n")
                return
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode("utf-8", "replace")
            kind = (self.headers.get("Content-Type") or "").split(";")[0].strip()
            if kind == "application/sparql-update":
                self._refuse_update()
                return
            if kind == "application/sparql-query":
                params = {"query": [body], **urllib.parse.parse_qs(url.query)}
            else:
                params = urllib.parse.parse_qs(body)
            self._sparql(params)

        def _refuse_update(self) -> None:
            self._send(403, "text/plain", b"SPARQL Update is refused: this endpoint is read-only\n")

        def _sparql(self, params: dict[str, list[str]]) -> None:
            if "update" in params:
                self._refuse_update()
                return
            if "query" not in params:
                self._send(400, "text/plain", b"missing query parameter\n")
                return
            chooser = _Chooser(params.get("format", [""])[0], self.headers.get("Accept", ""))
            try:
                kind, data = worker.run(params["query"][0], chooser)
            except QueryRefused as e:
                self._send(e.status, "text/plain", (e.message + "\n").encode())
                return
            chosen = chooser(kind)
            media = GRAPH_TYPES[chosen] if kind == "graph" else RESULT_TYPES[chosen]
            self._send(200, f"{media}; charset=utf-8", data)

        def _page(self, path: str) -> None:
            answer = site.answer(path, self.headers.get("Accept", ""))
            if answer.location:
                self.send_response(303)
                self.send_header("Location", answer.location)
                self.send_header("Vary", "Accept")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self._send(answer.status, answer.media_type, answer.body)

        def _send(self, status: int, media_type: str, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", media_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("X-Content-Type-Options", "nosniff")
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

    return Handler


@dataclass(frozen=True, slots=True)
class _Chooser:
    """Pick the output format once the worker knows the query's kind (picklable)."""

    fmt: str
    accept: str

    def __call__(self, kind: str) -> str:
        if kind == "graph":
            return (
                self.fmt
                if self.fmt in GRAPH_TYPES
                else _negotiate(self.accept, GRAPH_TYPES, "turtle")
            )
        return (
            self.fmt if self.fmt in RESULT_TYPES else _negotiate(self.accept, RESULT_TYPES, "json")
        )


def serve(
    store: Path, host: str, port: int, limits: Limits, site: Site
) -> http.server.ThreadingHTTPServer:
    """Return a started server (call serve_forever on it); it binds to ``host``."""
    worker = QueryWorker(store, limits)
    site.bind(worker)
    try:
        server = http.server.ThreadingHTTPServer((host, port), make_handler(worker, site))
    except OSError as e:
        worker.close()
        raise _listen_error(host, port, e) from e
    server.daemon_threads = True
    return server


def _listen_error(host: str, port: int, error: OSError) -> ServeError:
    """Say in one line why the server cannot listen on ``host:port``."""
    address = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    if error.errno == errno.EADDRINUSE:
        return ServeError(
            address,
            None,
            "port in use by another process (choose another with --port, or --port 0 for any)",
        )
    return ServeError(address, None, f"cannot listen here ({error.strerror or error})")
