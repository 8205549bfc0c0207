"""Run ``kg serve``'s application under uvicorn, on a socket bound here.

uvicorn brings the event loop, HTTP parsing (httptools), keep-alive timeouts and a listen
backlog of 2,048 (socketserver's was 5). What it does not do is give up on a client that
connects and sends nothing, or sends half a request: such a connection would stay open for
good. ``_GuardedProtocol`` gives every request ``client_timeout`` seconds to arrive whole
(408 after that) and refuses request heads larger than a query may be (431).
"""

from __future__ import annotations

import asyncio
import errno
import logging
import socket
from pathlib import Path
from types import FrameType

import uvicorn
from msgspec import Struct
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from kg_build.errors import ServeError
from kg_build.web.app import make_app
from kg_build.web.pages import Site
from kg_build.web.pool import Limits, QueryPool

BACKLOG = 2048
KEEP_ALIVE = 5  # seconds an idle keep-alive connection stays open
GRACE = 5  # seconds requests in flight get to finish when the server stops


def _guarded_protocol(client_timeout: float, max_head: int) -> type[HttpToolsProtocol]:
    """Return uvicorn's HTTP protocol with a deadline for each request and a size for its head."""

    class _GuardedProtocol(HttpToolsProtocol):
        _timer: asyncio.TimerHandle | None = None
        _head = 0
        _head_done = False

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self._arm()

        def _arm(self) -> None:
            self._disarm()
            self._timer = self.loop.call_later(client_timeout, self._too_slow)

        def _disarm(self) -> None:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None

        def data_received(self, data: bytes) -> None:
            if not self._head_done:
                self._head += len(data)
                if self._head > max_head:
                    self._refuse(431, f"the request head is more than {max_head:,} bytes")
                    return
            super().data_received(data)

        def on_headers_complete(self) -> None:
            self._head_done = True
            super().on_headers_complete()

        def on_message_complete(self) -> None:
            self._disarm()
            super().on_message_complete()

        def on_response_complete(self) -> None:
            self._head, self._head_done = 0, False
            super().on_response_complete()
            if not self.transport.is_closing():
                self._arm()

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm()
            super().connection_lost(exc)

        def _too_slow(self) -> None:
            self._timer = None
            if not self.transport.is_closing():
                self._refuse(408, f"the request did not arrive whole within {client_timeout:g} s")

        def _refuse(self, status: int, message: str) -> None:
            body = (message + "\n").encode()
            reason = {408: b"Request Timeout", 431: b"Request Header Fields Too Large"}[status]
            started = self.cycle is not None and self.cycle.response_started
            if not started:
                self.transport.write(
                    b"HTTP/1.1 %d %s\r\ncontent-type: text/plain; charset=utf-8\r\n"
                    b"content-length: %d\r\nconnection: close\r\n\r\n%s"
                    % (status, reason, len(body), body)
                )
            self.transport.close()

    return _GuardedProtocol


class _Server(uvicorn.Server):
    """uvicorn's server; on SIGINT or SIGTERM the queries in flight are answered at once."""

    def __init__(self, config: uvicorn.Config, pool: QueryPool) -> None:
        super().__init__(config)
        self.pool = pool

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        self.pool.stop_soon()
        super().handle_exit(sig, frame)


class Server(Struct):
    """A bound socket, the application's configuration and its pool: call ``run``."""

    sock: socket.socket
    config: uvicorn.Config
    pool: QueryPool

    @property
    def port(self) -> int:
        """The port bound (the one chosen when --port 0)."""
        port: int = self.sock.getsockname()[1]
        return port

    def run(self) -> None:
        """Serve until SIGINT or SIGTERM; then end the workers."""
        try:
            _Server(self.config, self.pool).run(sockets=[self.sock])
        finally:
            self.pool.close()
            self.sock.close()


def serve(store: Path, host: str, port: int, limits: Limits, site: Site) -> Server:
    """Bind ``host:port``, start the query workers and return the server, not yet running."""
    sock = _listen(host, port)
    try:
        pool = QueryPool(store, limits)
    except BaseException:
        sock.close()
        raise
    max_head = 3 * limits.shape.max_bytes + 16_384  # a GET's query is percent-encoded
    config = uvicorn.Config(
        make_app(pool, site, limits),
        http=_guarded_protocol(limits.client_timeout, max_head),
        lifespan="off",
        backlog=BACKLOG,
        timeout_keep_alive=KEEP_ALIVE,
        timeout_graceful_shutdown=GRACE,
        access_log=False,
        log_level=logging.WARNING,
        server_header=False,
    )
    return Server(sock, config, pool)


def _listen(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        sock.listen(BACKLOG)
    except OSError as e:
        sock.close()
        raise _listen_error(host, port, e) from e
    return sock


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
