"""The ``kg`` click group: verbosity, exit codes, and errors as one line on stderr."""

from __future__ import annotations

import logging
import warnings

import click
from msgspec import Struct

from kg_build import __version__
from kg_build.errors import (
    ArticlesNotBuilt,
    BusyError,
    KgError,
    LinkError,
    ServeError,
    StoreError,
    ValidationFailed,
)
from kg_build.messages import redact

EXIT_OK = 0
EXIT_BAD_INPUT = 1
EXIT_USAGE = 2
EXIT_SERVICE = 3

EPILOG = """\b
Exit codes:
  0  success
  1  bad input (a malformed article, rule, query or graph file, shapes an
     engine cannot check, an unwritable output), a graph that does not
     conform to the shapes, or an internal error
  2  usage error (unknown option, missing argument)
  3  an external service failed (store, Wikidata), or kg serve's port is in use
"""


class _Settings(Struct):
    verbosity: int
    debug: bool


class _KgGroup(click.Group):
    """A group that turns errors into one line on stderr and an exit code, never a traceback."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except ArticlesNotBuilt as e:
            for problem in e.diagnostics:
                tell(f"error: {problem}")
            tell(f"error: {e}")
            ctx.exit(EXIT_BAD_INPUT)
        except ValidationFailed as e:
            for violation in e.violations:
                tell(str(violation))
            for finding in e.findings:  # the rest of the validation report: its warnings
                if finding.severity != "Violation":
                    tell(f"warning: {finding}")
            tell(f"error: {e}")
            ctx.exit(EXIT_BAD_INPUT)
        except (StoreError, LinkError, BusyError, ServeError) as e:
            tell(f"error: {e}")
            ctx.exit(EXIT_SERVICE)
        except KgError as e:
            tell(f"error: {e}")
            ctx.exit(EXIT_BAD_INPUT)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except Exception as e:
            if ctx.params.get("debug"):
                raise
            tell(f"internal error: {type(e).__name__}: {e} (rerun with --debug)")
            ctx.exit(EXIT_BAD_INPUT)


def tell(line: str) -> None:
    """Print a line on stderr; a password inside a URL is never printed (http://u:***@host/)."""
    click.echo(redact(line), err=True)


def say(message: str, level: int = 1) -> None:
    """Print a progress or summary line on stderr unless -q asked for silence."""
    settings = click.get_current_context().find_object(_Settings)
    if settings is None or settings.verbosity >= level:
        tell(message)


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
    _quiet_rdflib()


def _quiet_rdflib() -> None:
    """Keep rdflib's notes on an ill-typed literal off stderr.

    Reading ``"2021-08-32"^^xsd:date`` into a value, rdflib logs a traceback and warns; the
    literal is kept as written, and SHACL reports it where a shape asks for that datatype.
    """
    logging.getLogger("rdflib.term").addHandler(logging.NullHandler())
    logging.getLogger("rdflib.term").propagate = False
    warnings.filterwarnings("ignore", category=UserWarning, module="rdflib.term")
