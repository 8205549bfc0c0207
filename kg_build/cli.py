"""The ``kg`` command: options, output routing and exit codes; the work is in pipeline."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import click

from kg_build import __version__
from kg_build.errors import KgError
from kg_build.pipeline import build, parse_sources
from kg_build.serialize import STDOUT, articles_to_json, write_output

EXIT_OK = 0
EXIT_BAD_INPUT = 1
EXIT_USAGE = 2
EXIT_SERVICE = 3
DEFAULT_BUILD_OUTPUT = "out/articles.json"

EPILOG = """\b
Exit codes:
  0  success
  1  bad input (a malformed article, an unwritable output) or an internal error
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
      kg parse sources/cycling-2020-mens-team-pursuit.txt -o parsed.json
    """
    ctx.obj = _Settings(verbosity=0 if quiet else 1 + verbose, debug=debug)


@cli.command(
    name="build", short_help="Build from the articles (for now: parsed JSON).", epilog=EPILOG
)
@SOURCES_ARGUMENT
@click.option(
    "-o",
    "--output",
    default=DEFAULT_BUILD_OUTPUT,
    show_default=True,
    help="File to write; - for stdout.",
)
def build_command(sources: tuple[Path, ...], output: str) -> None:
    """Build from the articles (default: the bundled sources/); for now, the parsed articles.

    The graph stages are not built yet: this parses every article and writes them as JSON.

    \b
    Example:
      kg build
      kg build sources/speed-skating-2022-mens-team-pursuit.txt -o skating.json
    """
    result = build(sources)
    write_output(result.data, output)
    _say(f"parsed {len(result.articles)} articles; wrote {output}")


@cli.command(epilog=EPILOG)
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
