"""Triple stores: the embedded Oxigraph store, and loading into any SPARQL 1.1 server.

Each article is one named graph (named by the article's IRI), the ontology another. Loading
replaces those graphs, so a rebuild or a reload never doubles a triple.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox
from msgspec import Struct

from kg_build.errors import StoreError
from kg_build.publish.readers import pin_generation
from kg_build.store.sparql import http_request, query_endpoint, raise_for_status

if TYPE_CHECKING:  # imported where used: `kg build` sends no HTTP and requests costs ~80 ms
    import requests

ONTOLOGY_GRAPH = "https://w3id.org/team-pursuit/ontology"
RETRY_STATUS = frozenset({500, 502, 503, 504})


class GraphData(Struct, frozen=True):
    """One named graph to load: its IRI and its triples as sorted N-Triples lines."""

    name: str
    lines: tuple[bytes, ...]

    @property
    def size(self) -> int:
        """The number of triples."""
        return len(self.lines)


def graph_data(name: str, ntriples: bytes) -> GraphData:
    """Split N-Triples into lines; chunks cut between lines never split a triple."""
    lines = tuple(line for line in ntriples.splitlines(keepends=True) if line.strip())
    if any(b"_:" in line.split(b" ", 1)[0] for line in lines):
        raise StoreError(name, None, "graph has blank nodes, which chunked loading would split")
    return GraphData(name, lines)


# ---------------------------------------------------------------- embedded Oxigraph


def open_store(path: Path) -> ox.Store:
    """Open (or create) a store to write, at ``path`` (a new generation, for a build)."""
    try:
        path.mkdir(parents=True, exist_ok=True)
        return ox.Store(str(path))
    except OSError as e:
        raise StoreError(path.as_posix(), None, f"cannot open the store ({e})") from e


@contextmanager
def reading(path: Path) -> Iterator[ox.Store]:
    """Open the store's current generation read-only, pinned until the block ends.

    A build that finishes meanwhile switches the link to its own generation but leaves this
    one in place until no reader holds it (kg_build/publish/).
    """
    pin = pin_generation(path)
    try:
        try:
            store = ox.Store.read_only(str(pin.directory))
        except OSError as e:
            raise StoreError(path.as_posix(), None, f"cannot open the store ({e})") from e
        yield store
    finally:
        pin.release()


def replace_graphs(store: ox.Store, graphs: Sequence[GraphData]) -> None:
    """Replace each named graph of the store with the given triples."""
    for graph in graphs:
        name = ox.NamedNode(graph.name)
        store.remove_graph(name)
        # load, not bulk_load: a bulk load writes new files each call (35 ms a small graph).
        store.load(b"".join(graph.lines), ox.RdfFormat.N_TRIPLES, to_graph=name)
    store.flush()


# ---------------------------------------------------------------- SPARQL 1.1 Graph Store Protocol


class LoadPlan(Struct, frozen=True):
    """Where and how to load: Graph Store endpoint, query endpoint, chunking, retries."""

    endpoint: str
    query_endpoint: str
    user: str | None = None
    password: str | None = None
    chunk_size: int = 50_000
    retries: int = 4
    backoff: float = 0.5


def query_endpoint_for(endpoint: str) -> str:
    """Guess the query endpoint beside a Graph Store endpoint (Virtuoso, Fuseki, Oxigraph)."""
    base, _, last = endpoint.rstrip("/").rpartition("/")
    guesses = {
        "sparql-graph-crud": "sparql",
        "sparql-graph-crud-auth": "sparql",
        "data": "sparql",
        "store": "query",
    }
    return f"{base}/{guesses[last]}" if last in guesses else endpoint


def describe_plan(plan: LoadPlan, graphs: Sequence[GraphData]) -> list[str]:
    """Say what a load would send, one line per request (for --dry-run)."""
    lines = []
    for graph in graphs:
        chunks = _chunks(graph, plan.chunk_size)
        for i, chunk in enumerate(chunks):
            method = "PUT" if i == 0 else "POST"
            where = f"{plan.endpoint}?graph={graph.name}"
            lines.append(f"{method} {where} ({len(chunk)} triples, chunk {i + 1}/{len(chunks)})")
        lines.append(f"CHECK {plan.query_endpoint}: <{graph.name}> holds {graph.size} triples")
    return lines


def _chunks(graph: GraphData, size: int) -> list[tuple[bytes, ...]]:
    return [graph.lines[i : i + size] for i in range(0, max(graph.size, 1), size)]


class GraphStoreLoader:
    """Load graphs with PUT (the first chunk replaces the graph) and POST (the rest append)."""

    def __init__(self, plan: LoadPlan, progress: Callable[[int], None] = lambda _n: None) -> None:
        self.plan = plan
        self.progress = progress
        self.auth: requests.auth.AuthBase | None = None

    def load(self, graphs: Sequence[GraphData]) -> None:
        """Load every graph, then check the store holds exactly the triples sent."""
        for graph in graphs:
            self._load_graph(graph)
            self._check_count(graph)

    def _load_graph(self, graph: GraphData) -> None:
        chunks = _chunks(graph, self.plan.chunk_size)
        sent = 0
        for i, chunk in enumerate(chunks):
            try:
                self._send("PUT" if i == 0 else "POST", graph.name, b"".join(chunk))
            except StoreError as e:
                if i > 0:
                    raise StoreError(
                        e.path,
                        None,
                        f"{e.message}; graph <{graph.name}> is half-loaded ({sent} of {graph.size} "
                        "triples sent): rerun kg load to replace it",
                    ) from e
                raise
            sent += len(chunk)
            self.progress(len(chunk))

    def _send(self, method: str, graph: str, body: bytes) -> None:
        import requests

        headers = {"Content-Type": "application/n-triples"}
        attempt = 0
        while True:
            try:
                response = requests.request(
                    method,
                    self.plan.endpoint,
                    params={"graph": graph},
                    data=body,
                    headers=headers,
                    auth=self.auth,
                    timeout=120,
                )
            except requests.exceptions.RequestException as e:
                if attempt == self.plan.retries:
                    raise StoreError(
                        self.plan.endpoint,
                        None,
                        f"connection failed after {attempt + 1} tries ({type(e).__name__})",
                    ) from e
            else:
                if response.status_code == 401 and self.auth is None and self.plan.user is not None:
                    # Answering the server's challenge is not a retry: --retries 0 still does it.
                    self.auth = self._auth_for(response)
                    continue
                if response.status_code not in RETRY_STATUS or attempt == self.plan.retries:
                    raise_for_status(self.plan.endpoint, response)
                    return
            time.sleep(self.plan.backoff * 2**attempt)
            attempt += 1

    def _auth_for(self, response: requests.Response) -> requests.auth.AuthBase:
        """Answer the server's challenge with the scheme it asks for (Basic or Digest)."""
        import requests

        user, password = self.plan.user or "", self.plan.password or ""
        challenge = response.headers.get("WWW-Authenticate", "")
        if challenge.lower().startswith("digest"):
            return requests.auth.HTTPDigestAuth(user, password)
        return requests.auth.HTTPBasicAuth(user, password)

    def _check_count(self, graph: GraphData) -> None:
        query = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph.name}> {{ ?s ?p ?o }} }}"
        answer = query_endpoint(self.plan.query_endpoint, query, "count check", self.auth)
        value = answer.rows[0][0] if answer.rows else None
        count = int(value.value) if isinstance(value, ox.Literal) else -1
        if count != graph.size:
            raise StoreError(
                self.plan.query_endpoint,
                None,
                f"graph <{graph.name}> holds {count} triples after loading, {graph.size} were sent",
            )


def http_get_ok(url: str) -> bool:
    """Tell whether an HTTP server answers at ``url`` (for waiting on a starting server)."""
    try:
        http_request("GET", url)
    except StoreError:
        return False
    return True
