"""Real servers for the store tests: Virtuoso on 127.0.0.1, and small misbehaving HTTP servers.

Virtuoso runs from Debian's virtuoso-opensource-7-bin with its own database folder and free
ports; it is stopped by its PID. Where it is not installed the tests skip, saying so, except
under CI or KG_REQUIRE_STORE=1, where a missing server fails the run.
"""

from __future__ import annotations

import base64
import hashlib
import http.server
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph
import pytest
import requests

INI = """\
[Database]
DatabaseFile = {db}/virtuoso.db
ErrorLogFile = {db}/virtuoso.log
LockFile = {db}/virtuoso.lck
TransactionFile = {db}/virtuoso.trx
xa_persistent_file = {db}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {db}/virtuoso-temp.db
TransactionFile = {db}/virtuoso-temp.trx
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{isql}
DisableUnixSocket = 1
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
DirsAllowed = ., {db}

[HTTPServer]
ServerPort = 127.0.0.1:{http}
ServerRoot = {db}
MaxClientConnections = 5
ServerThreads = 5

[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 120
"""
# Let the anonymous SPARQL user write through /sparql-graph-crud; dba uses the -auth endpoint.
GRANTS = 'GRANT SPARQL_UPDATE TO "SPARQL";'


@dataclass(frozen=True, slots=True)
class Virtuoso:
    """A running Virtuoso: its endpoints and admin credentials."""

    http: str
    isql_port: int
    user: str = "dba"
    password: str = "dba"

    @property
    def sparql(self) -> str:
        """The SPARQL query endpoint."""
        return f"{self.http}/sparql"

    @property
    def graph_store(self) -> str:
        """The Graph Store Protocol endpoint with digest authentication."""
        return f"{self.http}/sparql-graph-crud-auth"


def free_port() -> int:
    """Return a TCP port free on 127.0.0.1 now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def require_or_skip(reason: str) -> None:
    """Skip, saying why; in CI (or KG_REQUIRE_STORE=1) fail instead, as a skip would hide it."""
    if os.environ.get("KG_REQUIRE_STORE") == "1" or os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (required here: CI or KG_REQUIRE_STORE=1)")
    pytest.skip(reason)


@contextmanager
def running_virtuoso(folder: Path) -> Iterator[Virtuoso]:
    """Start Virtuoso in ``folder``; stop it by its PID afterwards."""
    binary, isql = shutil.which("virtuoso-t"), shutil.which("isql-vt")
    if binary is None or isql is None:
        require_or_skip(
            "virtuoso-t or isql-vt not installed (apt-get install virtuoso-opensource-7-bin)"
        )
    assert binary is not None and isql is not None
    isql_port, http_port = free_port(), free_port()
    ini = folder / "virtuoso.ini"
    ini.write_text(INI.format(db=folder, isql=isql_port, http=http_port), encoding="utf-8")
    log = (folder / "stdout.log").open("wb")
    process = subprocess.Popen(
        [binary, "+foreground", "+configfile", str(ini)],
        cwd=folder,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    server = Virtuoso(f"http://127.0.0.1:{http_port}", isql_port)
    try:
        _wait_for(server, process, folder)
        subprocess.run(
            [isql, f"127.0.0.1:{isql_port}", server.user, server.password, f"exec={GRANTS}"],
            check=True,
            capture_output=True,
            timeout=60,
        )
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        log.close()


def _wait_for(server: Virtuoso, process: subprocess.Popen[bytes], folder: Path) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"virtuoso-t exited with {process.returncode}: {(folder / 'virtuoso.log').read_text(errors='replace')[-2000:]}"
            )
        try:
            if (
                requests.get(server.sparql, params={"query": "ASK {}"}, timeout=2).status_code
                == 200
            ):
                return
        except requests.exceptions.RequestException:
            pass
        time.sleep(0.5)
    raise RuntimeError("virtuoso-t did not answer within 90 s")


# ---------------------------------------------------------------- misbehaving servers

Handler = Callable[[http.server.BaseHTTPRequestHandler], None]


@contextmanager
def http_server(handle: Handler) -> Iterator[str]:
    """Serve every request with ``handle`` on a free loopback port; yield the base URL."""

    class _Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            handle(self)

        do_POST = do_PUT = do_GET

        def log_message(self, format: str, *args: object) -> None:
            pass

    yield from _serving(http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler))


def _serving(server: http.server.HTTPServer) -> Iterator[str]:
    """Serve in a thread; yield the loopback URL; shut the server down afterwards."""
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@dataclass(frozen=True, slots=True)
class KgServer:
    """A running ``kg serve`` process: its URL and process (to find its workers)."""

    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def stderr(self) -> str:
        """Return what the server has written on stderr so far."""
        return self.log.read_text(encoding="utf-8", errors="replace")

    def workers(self) -> list[int]:
        """Return the process ids of its query workers (its children on Linux)."""
        pid = self.process.pid
        children: list[int] = []
        for task in Path(f"/proc/{pid}/task").iterdir():
            text = (task / "children").read_text(encoding="utf-8")
            children += [int(p) for p in text.split()]
        # multiprocessing's resource tracker is a child too; the workers run spawn_main.
        return sorted(p for p in children if b"spawn_main" in _cmdline(p))


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def serve_args(limits: object | None) -> list[str]:
    """Return the kg serve options that set ``limits`` (a kg_build.web.pool.Limits)."""
    from kg_build.web.pool import Limits

    chosen = limits if isinstance(limits, Limits) else Limits()
    shape = chosen.shape
    args = [
        *("--timeout", str(chosen.timeout), "--max-results", str(chosen.max_results)),
        *("--workers", str(chosen.workers), "--queue", str(chosen.queue)),
        *("--client-timeout", str(chosen.client_timeout)),
        *("--max-query-bytes", str(shape.max_bytes), "--max-nesting", str(shape.max_nesting)),
        *("--max-operators", str(shape.max_operators), "--max-clauses", str(shape.max_clauses)),
    ]
    for url in sorted(chosen.allow_service):
        args += ["--allow-service", url]
    return args


@contextmanager
def kg_serve(store: Path, limits: object | None = None, *extra: str) -> Iterator[KgServer]:
    """Start ``kg serve`` as its own process on a free loopback port; stop it afterwards.

    Its stderr goes to a file (a pipe nobody reads could fill and stall the server).
    """
    command = [sys.executable, "-m", "kg_build", "serve", "--port", "0", "--store", str(store)]
    with tempfile.TemporaryDirectory() as folder:
        log = Path(folder) / "stderr.txt"
        with log.open("wb") as sink:
            process = subprocess.Popen(
                [*command, *serve_args(limits), *extra], stderr=sink, stdout=subprocess.DEVNULL
            )
        server = KgServer(_served_url(process, log), process, log)
        try:
            yield server
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


def _served_url(process: subprocess.Popen[bytes], log: Path) -> str:
    """Wait for "serving … at http://127.0.0.1:PORT/ (Ctrl-C stops)"; return the URL."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        text = log.read_text(encoding="utf-8", errors="replace")
        if " at http://127.0.0.1:" in text:
            return text.split(" at ", 1)[1].split(" ", 1)[0].rstrip("/")
        if process.poll() is not None:
            raise RuntimeError(f"kg serve exited with {process.returncode}: {text}")
        time.sleep(0.05)
    process.kill()
    raise RuntimeError("kg serve did not start within 60 s")


@contextmanager
def kg_server(store: Path, limits: object | None = None) -> Iterator[str]:
    """Run ``kg serve`` over ``store`` (its own process, loopback); yield its URL."""
    with kg_serve(store, limits) as server:
        yield server.url


def answer_html(request: http.server.BaseHTTPRequestHandler) -> None:
    """Answer like a web page, not a SPARQL endpoint."""
    _drain(request)
    body = b"<html><body><h1>Welcome</h1></body></html>"
    request.send_response(200)
    request.send_header("Content-Type", "text/html")
    request.send_header("Content-Length", str(len(body)))
    request.end_headers()
    request.wfile.write(body)


def drop_after_first_upload(counter: list[int]) -> Handler:
    """Accept the first upload, then drop the connection on every later one."""

    def handle(request: http.server.BaseHTTPRequestHandler) -> None:
        _drain(request)
        counter.append(1)
        if len(counter) == 1:
            request.send_response(201)
            request.send_header("Content-Length", "0")
            request.end_headers()
            return
        request.close_connection = True
        request.connection.shutdown(socket.SHUT_RDWR)

    return handle


def _drain(request: http.server.BaseHTTPRequestHandler) -> None:
    length = int(request.headers.get("Content-Length") or 0)
    if length:
        request.rfile.read(length)


def answer_status(status: int) -> Handler:
    """Answer every request with ``status`` and a short HTML body."""

    def handle(request: http.server.BaseHTTPRequestHandler) -> None:
        _drain(request)
        body = f"<html><body>status {status}</body></html>".encode()
        request.send_response(status)
        request.send_header("Content-Type", "text/html")
        request.send_header("Content-Length", str(len(body)))
        request.end_headers()
        request.wfile.write(body)

    return handle


@contextmanager
def sparql_server(store: object, throttle_first: int = 0) -> Iterator[tuple[str, list[str]]]:
    """Serve SPARQL 1.1 queries over a pyoxigraph store; yield the URL and the queries asked.

    The first ``throttle_first`` requests are answered 429 with Retry-After: 0.
    """
    from urllib.parse import parse_qs

    import pyoxigraph

    assert isinstance(store, pyoxigraph.Store)
    asked: list[str] = []

    def handle(request: http.server.BaseHTTPRequestHandler) -> None:
        length = int(request.headers.get("Content-Length") or 0)
        query = parse_qs(request.rfile.read(length).decode())["query"][0]
        asked.append(query)
        if len(asked) <= throttle_first:
            request.send_response(429)
            request.send_header("Retry-After", "0")
            request.send_header("Content-Length", "0")
            request.end_headers()
            return
        result = store.query(query)
        assert not isinstance(result, pyoxigraph.QueryTriples)
        body = result.serialize(format=pyoxigraph.QueryResultsFormat.JSON) or b""
        request.send_response(200)
        request.send_header("Content-Type", "application/sparql-results+json")
        request.send_header("Content-Length", str(len(body)))
        request.end_headers()
        request.wfile.write(body)

    with http_server(handle) as url:
        yield f"{url}/sparql", asked


REALM = "kg-test"


@dataclass
class GraphStore:
    """A small Graph Store Protocol server's URL, what it holds, and the status of each answer."""

    url: str
    store: pyoxigraph.Store
    statuses: list[int]


@contextmanager
def graph_store(scheme: str, user: str, password: str) -> Iterator[GraphStore]:
    """Serve the Graph Store Protocol at /data, writes behind ``scheme`` (basic or digest) auth.

    SPARQL queries are answered at /sparql without authentication, as Virtuoso's /sparql is.
    """
    store = pyoxigraph.Store()
    served = GraphStore("", store, [])
    nonce = secrets.token_hex(16)

    def answer(request: http.server.BaseHTTPRequestHandler, status: int, body: bytes = b"") -> None:
        served.statuses.append(status)
        request.send_response(status)
        if status == 401:
            challenge = (
                f'Digest realm="{REALM}", qop="auth", nonce="{nonce}", algorithm=MD5'
                if scheme == "digest"
                else f'Basic realm="{REALM}"'
            )
            request.send_header("WWW-Authenticate", challenge)
        if body:
            request.send_header("Content-Type", "application/sparql-results+json")
        request.send_header("Content-Length", str(len(body)))
        request.end_headers()
        request.wfile.write(body)

    def handle(request: http.server.BaseHTTPRequestHandler) -> None:
        body = request.rfile.read(int(request.headers.get("Content-Length") or 0))
        url = urllib.parse.urlsplit(request.path)
        if url.path == "/sparql":
            query = urllib.parse.parse_qs(body.decode())["query"][0]
            result = store.query(query)
            assert isinstance(result, pyoxigraph.QuerySolutions)
            answer(request, 200, result.serialize(format=pyoxigraph.QueryResultsFormat.JSON) or b"")
            return
        header = request.headers.get("Authorization") or ""
        if not _authorized(scheme, header, request.command, user, password, nonce):
            answer(request, 401)
            return
        graph = pyoxigraph.NamedNode(urllib.parse.parse_qs(url.query)["graph"][0])
        if request.command == "PUT":
            store.remove_graph(graph)
        store.load(body, pyoxigraph.RdfFormat.N_TRIPLES, to_graph=graph)
        answer(request, 201)

    with http_server(handle) as url:
        served.url = url
        yield served


def _authorized(
    scheme: str, header: str, method: str, user: str, password: str, nonce: str
) -> bool:
    """Check Basic credentials, or a Digest response (RFC 7616 §3.4.1, MD5, qop=auth)."""
    if scheme == "basic":
        expected = base64.b64encode(f"{user}:{password}".encode()).decode()
        return header == f"Basic {expected}"
    if not header.startswith("Digest "):
        return False
    fields = dict(re.findall(r'(\w+)="?([^",]*)"?', header.removeprefix("Digest ")))

    def md5(text: str) -> str:
        return hashlib.md5(text.encode()).hexdigest()

    ha1 = md5(f"{user}:{REALM}:{password}")
    ha2 = md5(f"{method}:{fields.get('uri', '')}")
    parts = (ha1, nonce, fields.get("nc"), fields.get("cnonce"), fields.get("qop"), ha2)
    return fields.get("username") == user and fields.get("response") == md5(
        ":".join(map(str, parts))
    )
