"""``kg serve`` and ``kg site``: the endpoint and the pages."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from kg_build.cli.group import EPILOG, cli, say
from kg_build.cli.options import ONTOLOGY_OPTION, F, store_option
from kg_build.output import write_atomic
from kg_build.store.guard import ShapeLimits
from kg_build.store.load import reading

if TYPE_CHECKING:
    from kg_build.web.pool import Limits


SHAPE_NAMES = ("max_query_bytes", "max_nesting", "max_operators", "max_clauses")
_SHAPE_HELP = (
    "Bytes a query may have.",
    "Depth a query may nest { }, ( ) and [ ] groups.",
    "Operators a query may have (||, &&, =, <, +, /, |, ^, !, …: expressions and paths).",
    "OPTIONAL, UNION, MINUS, FILTER, BIND, GRAPH, SERVICE, VALUES, EXISTS, SELECT and AS "
    "a query may have.",
)


def SHAPE_OPTIONS(command: F) -> F:
    """Add the query-shape limits of kg serve, refused with 400 above (see guard.py)."""
    defaults = ShapeLimits()
    for name, default, help_text in reversed(
        list(
            zip(
                SHAPE_NAMES,
                (
                    defaults.max_bytes,
                    defaults.max_nesting,
                    defaults.max_operators,
                    defaults.max_clauses,
                ),
                _SHAPE_HELP,
                strict=True,
            )
        )
    ):
        flag = "--" + name.replace("_", "-")
        option = click.option(
            flag,
            name,
            default=default,
            show_default=True,
            type=click.IntRange(min=1),
            help=help_text,
        )
        command = option(command)
    return command


@cli.command(name="serve", short_help="Serve SPARQL, a query page and entity pages.", epilog=EPILOG)
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to bind; 0.0.0.0 exposes the server.",
)
@click.option(
    "--port",
    default=8000,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port (0: a free one).",
)
@store_option("Embedded store to serve (read-only).")
@click.option(
    "--timeout",
    default=10.0,
    show_default=True,
    type=click.FloatRange(min=0.1),
    help="Seconds a query may take, its wait for a worker included.",
)
@click.option(
    "--max-results",
    default=10_000,
    show_default=True,
    type=click.IntRange(min=1),
    help="Rows or triples an answer may have.",
)
@click.option(
    "--workers",
    default=0,
    show_default=True,
    type=click.IntRange(min=0),
    help="Query worker processes; 0: one per core and two more.",
)
@click.option(
    "--queue",
    default=64,
    show_default=True,
    type=click.IntRange(min=0),
    help="Queries that may wait for a worker; more are answered 503.",
)
@click.option(
    "--client-timeout",
    default=10.0,
    show_default=True,
    type=click.FloatRange(min=0.1),
    help="Seconds a client has to send a whole request.",
)
@click.option(
    "--allow-service",
    multiple=True,
    metavar="URL",
    help="An endpoint a query's SERVICE may call (repeat for more); any other is refused.",
)
@SHAPE_OPTIONS
@ONTOLOGY_OPTION
def serve_command(
    host: str,
    port: int,
    store_dir: Path,
    ontology: Path,
    allow_service: tuple[str, ...],
    **limits: Any,
) -> None:
    """Serve the store read-only: /sparql, a query page at /, entity pages under /id/.

    \b
    Example:
      kg build && kg serve --port 8000
      curl -H 'Accept: text/turtle' -L http://127.0.0.1:8000/id/noc/ROC
    """
    from kg_build.web.pages import Site  # imported where used: jinja2 costs `kg build` ~40 ms
    from kg_build.web.serving import serve

    server = serve(store_dir, host, port, serve_limits(allow_service, limits), Site(ontology))
    address = f"http://{host}:{server.port}/"
    say(f"serving {store_dir.as_posix()}/ at {address} (Ctrl-C stops)")
    with contextlib.suppress(KeyboardInterrupt):  # uvicorn stops, then raises it again
        server.run()
    say("stopped")


def serve_limits(allow_service: tuple[str, ...], options: dict[str, Any]) -> Limits:
    """Gather kg serve's limit options."""
    from kg_build.web.pool import Limits  # asyncio and multiprocessing: not for the other commands

    shape = ShapeLimits(*(options.pop(name) for name in SHAPE_NAMES))
    return Limits(shape=shape, allow_service=frozenset(allow_service), **options)


@cli.command(name="site", short_help="Write the pages as a static site.", epilog=EPILOG)
@click.option(
    "-o", "--output", type=click.Path(path_type=Path), required=True, help="Folder to write."
)
@store_option("Embedded store to read.")
@ONTOLOGY_OPTION
def site_command(output: Path, store_dir: Path, ontology: Path) -> None:
    """Write entity pages (HTML, Turtle, JSON-LD, N-Triples), results views and ontology docs.

    \b
    Example:
      kg site -o public/
    """
    from kg_build.web.pages import Site, StoreRunner, site_files  # as in serve_command

    site = Site(ontology)
    count = 0
    with reading(store_dir) as store:
        site.bind(StoreRunner(store))
        for name, data in site_files(site):
            write_atomic(output / name, data)
            count += 1
    say(f"wrote {count} files to {output.as_posix()}/")
