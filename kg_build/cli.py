"""The ``kg`` command: options, output routing and exit codes; the work is in pipeline."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import click

from kg_build import __version__
from kg_build.errors import KgError, ValidationFailed
from kg_build.namespaces import DEFAULT_BASE
from kg_build.pipeline import Config, build, parse_sources, records_json, validate_file
from kg_build.serialize import (
    FORMAT_SUFFIXES,
    GRAPH_FORMATS,
    STDOUT,
    articles_to_json,
    write_output,
)

EXIT_OK = 0
EXIT_BAD_INPUT = 1
EXIT_USAGE = 2
EXIT_SERVICE = 3

EPILOG = """\b
Exit codes:
  0  success
  1  bad input (a malformed article or rule, an unwritable output),
     a graph that does not conform to the shapes, or an internal error
  2  usage error (unknown option, missing argument)
  3  an external service failed (store, Wikidata)
"""

SOURCES_ARGUMENT = click.argument(
    "sources", nargs=-1, type=click.Path(path_type=Path, dir_okay=True, allow_dash=True)
)


@dataclass(slots=True)
class _Settings:
    verbosity: int
    debug: bool


class _KgGroup(click.Group):
    """A group that turns errors into one line on stderr and an exit code, never a traceback."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except ValidationFailed as e:
            for violation in e.violations:
                click.echo(violation, err=True)
            click.echo(f"error: {e}", err=True)
            ctx.exit(EXIT_BAD_INPUT)
        except KgError as e:
            click.echo(f"error: {e}", err=True)
            ctx.exit(EXIT_BAD_INPUT)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except Exception as e:
            if ctx.params.get("debug"):
                raise
            click.echo(f"internal error: {type(e).__name__}: {e} (rerun with --debug)", err=True)
            ctx.exit(EXIT_BAD_INPUT)


def _say(message: str, level: int = 1) -> None:
    """Print a progress or summary line on stderr unless -q asked for silence."""
    settings = click.get_current_context().find_object(_Settings)
    if settings is None or settings.verbosity >= level:
        click.echo(message, err=True)


@click.group(cls=_KgGroup, epilog=EPILOG, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kg")
@click.option("-v", "--verbose", count=True, help="Say more on stderr.")
@click.option("-q", "--quiet", is_flag=True, help="Say nothing on stderr but errors.")
@click.option("--debug", is_flag=True, help="Show the traceback of an internal error.")
@click.pass_context
def cli(ctx: click.Context, verbose: int, quiet: bool, debug: bool) -> None:
    """Build a knowledge graph of Olympic team pursuit events from their articles.

    \b
    Example:
      kg build
      kg validate out/team-pursuit.ttl
      kg parse sources/cycling-2020-mens-team-pursuit.txt -o parsed.json
    """
    ctx.obj = _Settings(verbosity=0 if quiet else 1 + verbose, debug=debug)


OUTPUT_DIR = "out"
GRAPH_NAME = "team-pursuit"

FORMAT_OPTION = click.option(
    "--format",
    "fmt",
    type=click.Choice(GRAPH_FORMATS),
    default="turtle",
    show_default=True,
    help="Format of -o FILE.",
)
BASE_OPTION = click.option(
    "--base", default=DEFAULT_BASE, show_default=True, help="Base IRI of the data's resources."
)
ONTOLOGY_OPTION = click.option(
    "--ontology",
    type=click.Path(path_type=Path),
    default=Config().ontology,
    help="The ontology (Turtle).  [default: ontology/tp.ttl]",
)
MAPPINGS_OPTION = click.option(
    "--mappings",
    type=click.Path(path_type=Path),
    default=Config().mappings,
    help="Folder of rules, extraction settings and curated data.  [default: mappings/]",
)
SHAPES_OPTION = click.option(
    "--shapes",
    type=click.Path(path_type=Path),
    default=Config().shapes,
    help="Folder of SHACL shapes.  [default: shapes/]",
)


@cli.command(name="build", short_help="Build and validate the graph.", epilog=EPILOG)
@SOURCES_ARGUMENT
@click.option(
    "-o",
    "--output",
    default=None,
    help=f"Write one file (- for stdout) instead of {OUTPUT_DIR}/{GRAPH_NAME}.ttl and .nt.",
)
@FORMAT_OPTION
@BASE_OPTION
@ONTOLOGY_OPTION
@MAPPINGS_OPTION
@SHAPES_OPTION
def build_command(
    sources: tuple[Path, ...],
    output: str | None,
    fmt: str,
    base: str,
    ontology: Path,
    mappings: Path,
    shapes: Path,
) -> None:
    """Build the graph from the articles (default: sources/*.txt), validate it, write it.

    Nothing is written unless the graph conforms to the shapes.

    \b
    Example:
      kg build
      kg build sources/speed-skating-2022-mens-team-pursuit.txt -o skating.ttl
    """
    built = build(sources, Config(ontology, mappings, shapes, base))
    for warning in built.warnings:
        _say(f"warning: {warning}")
    targets = {output: fmt} if output else _default_targets()
    for target, target_fmt in targets.items():
        write_output(built.serialize(target_fmt), target)
    count = len(built.graph)
    _say(
        f"built {count} triples from {len(built.extractions)} articles; wrote {', '.join(targets)}"
    )


def _default_targets() -> dict[str, str]:
    return {f"{OUTPUT_DIR}/{GRAPH_NAME}{FORMAT_SUFFIXES[f]}": f for f in GRAPH_FORMATS}


@cli.command(name="validate", short_help="Validate a graph file against the shapes.", epilog=EPILOG)
@click.argument("graph_file", type=click.Path(path_type=Path))
@SHAPES_OPTION
def validate_command(graph_file: Path, shapes: Path) -> None:
    """Validate a graph file (Turtle, N-Triples) against the SHACL shapes.

    \b
    Example:
      kg validate out/team-pursuit.ttl
    """
    findings = validate_file(graph_file, Config(shapes=shapes))
    for finding in findings:
        _say(f"warning: {finding}")
    _say(f"{graph_file}: conforms ({len(findings)} warnings)")


@cli.command(name="records", short_help="Print the extracted records as JSON.", epilog=EPILOG)
@SOURCES_ARGUMENT
@click.option(
    "-o", "--output", default=STDOUT, show_default=True, help="File to write; - for stdout."
)
@MAPPINGS_OPTION
def records_command(sources: tuple[Path, ...], output: str, mappings: Path) -> None:
    """Print the records the mapping rules read, as the records.json their sources name.

    The same rules/*.yaml run unchanged in a standard RML engine over this file.

    \b
    Example:
      kg records -o records.json
    """
    write_output(records_json(sources, Config(mappings=mappings)), output)


@cli.command(short_help="Print the parsed articles as JSON.", epilog=EPILOG)
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path, allow_dash=True))
@click.option(
    "-o", "--output", default=STDOUT, show_default=True, help="File to write; - for stdout."
)
def parse(files: tuple[Path, ...], output: str) -> None:
    """Print the parsed articles (title, infobox, sections, tables) as JSON.

    \b
    Example:
      kg parse sources/*.txt -o parsed.json
      cat article.txt | kg parse -
    """
    articles = parse_sources(files)
    write_output(articles_to_json(articles), output)
    _say(f"parsed {len(articles)} articles", level=2)


def main() -> None:
    """Run the ``kg`` console script."""
    cli(prog_name="kg")
