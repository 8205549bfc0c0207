"""Queries on the embedded store, a graph file or a SPARQL endpoint, for `kg query`.

Kept apart from the pipeline so that a query imports neither rdflib nor the SHACL engines.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox
from msgspec import Struct

from kg_build.defaults import STDIN, STDIN_NAME
from kg_build.errors import SourceError, StoreError
from kg_build.messages import quote
from kg_build.store.guard import ShapeLimits, check_shape
from kg_build.store.load import reading
from kg_build.store.sparql import check_query, query_endpoint, render, render_result, store_result

if TYPE_CHECKING:  # imported where used: `kg build` sends no HTTP and requests costs ~80 ms
    import requests

# The endpoints a query's SERVICE clauses name (SPARQL 1.1 Federated Query §2).
_SERVICE = re.compile(r"\bSERVICE\s+(?:SILENT\s+)?<([^>]*)>", re.IGNORECASE)


class QuerySource(Struct, frozen=True):
    """What a query runs on: an endpoint, a graph file, or (by default) the embedded store."""

    store: Path
    data: Path | None = None
    endpoint: str | None = None
    auth: requests.auth.AuthBase | None = None


def read_query(path: Path | None, expression: str | None) -> tuple[str, str]:
    """Return the query text and the name errors use for it."""
    if expression is not None:
        return expression, "<query>"
    if path is None:
        raise SourceError("<query>", None, "no query (give a QUERY.rq file or -e 'SPARQL')")
    if path.as_posix() == STDIN:
        return sys.stdin.read(), STDIN_NAME
    try:
        return path.read_text(encoding="utf-8"), path.as_posix()
    except FileNotFoundError as e:
        raise SourceError(path.as_posix(), None, "no such file") from e
    except (OSError, UnicodeDecodeError) as e:
        raise SourceError(path.as_posix(), None, f"cannot read the query ({e})") from e


def run_query(text: str, shown: str, source: QuerySource, fmt: str) -> bytes:
    """Run a query on the source and write its answer in ``fmt``.

    Errors name the query's line and column. A query bigger than the engine can take (guard.py)
    is refused before it reaches the engine, which would end the process with a segfault.
    """
    check_shape(text, shown, ShapeLimits())
    check_query(text, shown)
    if source.endpoint:
        return render(query_endpoint(source.endpoint, text, shown, source.auth), fmt)
    if source.data is not None:
        return _store_answer(_file_store(source.data), text, shown, fmt)
    with reading(source.store) as store:
        return _store_answer(store, text, shown, fmt)


def _store_answer(store: ox.Store, text: str, shown: str, fmt: str) -> bytes:
    """Run a query on a store; a SERVICE that fails is an external service failing (exit 3).

    Oxigraph reports it as an OSError, from the query or later, while its results are read.
    """
    try:
        return render_result(store_result(store, text, shown), fmt)
    except OSError as e:
        services = sorted(set(_SERVICE.findall(text)))
        if not services:
            raise
        where = services[0] if len(services) == 1 else shown
        raise StoreError(where, None, f"SERVICE failed ({_service_reason(e)})") from e


def _service_reason(error: OSError) -> str:
    """Say in a few words why a SERVICE failed: Oxigraph's first line, the answer's text."""
    head, _, payload = str(error).partition("\n")
    head = re.sub(r" returned by \S+", "", head.removesuffix(" with payload:"))
    words = " ".join(re.sub(r"<[^>]+>", " ", payload).split())
    return f"{head}: {quote(words)}" if words else head


def _file_store(path: Path) -> ox.Store:
    store = ox.Store()
    try:
        store.load(
            path=str(path), format=ox.RdfFormat.from_extension(path.suffix.lstrip(".") or "ttl")
        )
    except FileNotFoundError as e:
        raise SourceError(path.as_posix(), None, "no such file") from e
    except (SyntaxError, ValueError, OSError) as e:
        raise SourceError(path.as_posix(), None, f"cannot read the graph ({e})") from e
    return store
