"""``kg query`` and ``kg load``: SPARQL on a store, a file or an endpoint."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from kg_build.cli.group import EPILOG, cli, say
from kg_build.cli.options import (
    BASE_OPTION,
    MAPPINGS_OPTION,
    ONTOLOGY_OPTION,
    PASSWORD_OPTION,
    SHAPES_OPTION,
    SOURCES_ARGUMENT,
    USER_OPTION,
    command_paths,
    result_format,
    store_option,
)
from kg_build.defaults import STDOUT
from kg_build.messages import redact
from kg_build.output import write_output
from kg_build.store.load import GraphStoreLoader, LoadPlan, describe_plan, query_endpoint_for
from kg_build.store.query import QuerySource, read_query, run_query
from kg_build.store.sparql import RESULT_FORMATS

if TYPE_CHECKING:  # imported where used: `kg build` sends no HTTP and requests costs ~80 ms
    import requests


QUERY_SOURCES = """\b
Sources (one of):
  default         the embedded store built by kg build (out/store/)
  --store DIR     another embedded store
  --data FILE     a graph file (Turtle, N-Triples, N-Quads, TriG, JSON-LD)
  --endpoint URL  a SPARQL 1.1 endpoint over HTTP
"""


@cli.command(name="query", short_help="Run a SPARQL query.", epilog=QUERY_SOURCES + EPILOG)
@click.argument("query_file", required=False, type=click.Path(path_type=Path, allow_dash=True))
@click.option("-e", "--expression", help="The query text, instead of a file.")
@store_option("Embedded store to query.")
@click.option("--data", type=click.Path(path_type=Path), help="Query a graph file instead.")
@click.option("--endpoint", help="Query a SPARQL endpoint instead.")
@USER_OPTION
@PASSWORD_OPTION
@click.option(
    "--format",
    "fmt",
    type=click.Choice(RESULT_FORMATS),
    default=None,
    help="Output format.  [default: the one the suffix of -o FILE names (.csv, .tsv, .json, .srj, "
    ".xml, .srx, .ttl, .nt); on stdout a table on a terminal, csv otherwise; csv for any other "
    "file, saying so; turtle for graphs]",
)
@click.option(
    "-o", "--output", default=STDOUT, show_default=True, help="File to write; - for stdout."
)
def query_command(
    query_file: Path | None,
    expression: str | None,
    store_dir: Path,
    data: Path | None,
    endpoint: str | None,
    user: str | None,
    password: str | None,
    fmt: str | None,
    output: str,
) -> None:
    """Run a SPARQL SELECT, ASK, CONSTRUCT or DESCRIBE query.

    \b
    Example:
      kg query tests/cq/03-final-ranking.rq
      kg query -e 'SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }' --format json
      kg query q.rq --endpoint http://127.0.0.1:8890/sparql
    """
    text, shown = read_query(query_file, expression)
    source = QuerySource(store_dir, data, endpoint, _auth(user, password))
    write_output(run_query(text, shown, source, result_format(output, fmt)), output)


@cli.command(name="load", short_help="Load the graph into a SPARQL 1.1 store.", epilog=EPILOG)
@SOURCES_ARGUMENT
@click.option(
    "--endpoint",
    required=True,
    help="Graph Store Protocol endpoint, e.g. http://127.0.0.1:8890/sparql-graph-crud-auth",
)
@click.option(
    "--query-endpoint",
    help="SPARQL query endpoint for the count check.  [default: guessed beside --endpoint]",
)
@click.option(
    "--graph", "graph_iri", help="Load everything into this one graph instead of one per article."
)
@USER_OPTION
@PASSWORD_OPTION
@click.option(
    "--chunk-size",
    default=50_000,
    show_default=True,
    type=click.IntRange(min=1),
    help="Triples per request.",
)
@click.option(
    "--retries",
    default=4,
    show_default=True,
    type=click.IntRange(min=0),
    help="Retries on connection errors and 5xx answers (answering a 401 challenge is none).",
)
@click.option("--dry-run", is_flag=True, help="Print what would be sent; send nothing.")
@BASE_OPTION
@ONTOLOGY_OPTION
@MAPPINGS_OPTION
@SHAPES_OPTION
def load_command(
    sources: tuple[Path, ...],
    endpoint: str,
    query_endpoint: str | None,
    graph_iri: str | None,
    user: str | None,
    password: str | None,
    chunk_size: int,
    retries: int,
    dry_run: bool,
    base: str,
    ontology: Path,
    mappings: Path,
    shapes: Path,
) -> None:
    """Build and validate the graph, then load it into a store over HTTP.

    Each article's graph (and the ontology) replaces its named graph with PUT, so a reload
    never doubles a triple; afterwards the triple count of each graph is checked.

    \b
    Example:
      kg load --endpoint http://127.0.0.1:8890/sparql-graph-crud-auth --user dba --password dba
    """
    from kg_build.build.config import Config
    from kg_build.build.memory import build, graphs_to_load

    paths = command_paths(sources, ontology, mappings, shapes)
    config = Config(paths.ontology, paths.mappings, paths.shapes, base, project=paths.project)
    graphs = graphs_to_load(build(paths.sources, config), config, graph_iri)
    plan = LoadPlan(
        endpoint,
        query_endpoint or query_endpoint_for(endpoint),
        user,
        password,
        chunk_size,
        retries,
    )
    if dry_run:
        click.echo(redact("\n".join(describe_plan(plan, graphs))))
        return
    total = sum(g.size for g in graphs)
    with click.progressbar(length=total, label="loading", file=sys.stderr) as bar:
        GraphStoreLoader(plan, bar.update).load(graphs)
    say(f"loaded {total} triples into {len(graphs)} graphs at {endpoint}; counts checked")


def _auth(user: str | None, password: str | None) -> requests.auth.AuthBase | None:
    if not user:
        return None  # before the import: requests costs ~0.12 s of a `kg query` on the store
    import requests

    return requests.auth.HTTPDigestAuth(user, password or "")
