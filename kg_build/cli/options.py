"""Options and helpers that several ``kg`` commands share."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click
from click.core import ParameterSource

from kg_build.cli.group import say
from kg_build.defaults import (
    DEFAULT_BASE,
    DEFAULT_ENGINE,
    DEFAULT_STORE,
    ENGINES,
    FORMAT_SUFFIXES,
    GRAPH_FORMATS,
    MAPPINGS,
    ONTOLOGY,
    SHAPES,
    STDOUT,
)
from kg_build.output import write_atomic

if TYPE_CHECKING:
    from kg_build.curated.project import ProjectPaths
    from kg_build.validate import Finding


F = TypeVar("F", bound=Callable[..., Any])

SOURCES_ARGUMENT = click.argument(
    "sources", nargs=-1, type=click.Path(path_type=Path, dir_okay=True, allow_dash=True)
)


OUTPUT_DIR = "out"


def store_option(help_text: str) -> Callable[[F], F]:
    """Return the --store option of the commands that read the embedded store."""
    return click.option(
        "--store",
        "store_dir",
        type=click.Path(path_type=Path),
        default=DEFAULT_STORE,
        show_default=True,
        help=help_text,
    )


DEFAULT_FORMATS = ("turtle", "nt")
USER_OPTION = click.option("--user", envvar="KG_STORE_USER", help="User name (or KG_STORE_USER).")
PASSWORD_OPTION = click.option(
    "--password", envvar="KG_STORE_PASSWORD", help="Password (or KG_STORE_PASSWORD)."
)
GRAPH_NAME = "team-pursuit"

# -o FILE names its format by its suffix unless --format says otherwise.
GRAPH_SUFFIXES = {suffix: fmt for fmt, suffix in FORMAT_SUFFIXES.items()}
RESULT_SUFFIXES = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".json": "json",
    ".srj": "json",
    ".xml": "xml",
    ".srx": "xml",
    ".ttl": "turtle",
    ".nt": "nt",
}
FORMAT_OPTION = click.option(
    "--format",
    "fmt",
    type=click.Choice(GRAPH_FORMATS),
    default=None,
    help="Format of -o FILE.  [default: the one its suffix names (.ttl, .nt, .nq, .trig, "
    ".jsonld), else turtle (saying so for a file)]",
)
BASE_OPTION = click.option(
    "--base", default=DEFAULT_BASE, show_default=True, help="Base IRI of the data's resources."
)
ONTOLOGY_OPTION = click.option(
    "--ontology",
    type=click.Path(path_type=Path),
    default=ONTOLOGY,
    help="The ontology (Turtle).  [default: a project folder's ontology/tp.ttl, else the "
    "packaged one]",
)
MAPPINGS_OPTION = click.option(
    "--mappings",
    type=click.Path(path_type=Path),
    default=MAPPINGS,
    help="Folder of rules, extraction settings and curated data, used alone.  [default: the "
    "packaged mappings/, with a project folder's own files and curated rows]",
)
SHAPES_OPTION = click.option(
    "--shapes",
    type=click.Path(path_type=Path),
    default=SHAPES,
    help="Folder of SHACL shapes (its *.ttl), or one shapes file.  [default: a project folder's "
    "shapes/, else the packaged ones]",
)
REPORT_OPTION = click.option(
    "--report",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Also write the W3C SHACL validation report (Turtle) to this file, conforming or not.",
)
VALIDATOR_OPTION = click.option(
    "--validator",
    type=click.Choice(ENGINES),
    default=DEFAULT_ENGINE,
    show_default=True,
    help="SHACL engine: the SHACL Engine (fastest; all of SHACL Core and SHACL-SPARQL), "
    "pyrudof (no SPARQL-based constraint components, $shapesGraph, $currentShape, or $this in "
    "a nested group's FILTER or BIND), or pySHACL (the reference, slowest; no $shapesGraph). "
    "An engine refuses shapes it cannot check; on the rest all give the same results.",
)


def command_paths(
    sources: tuple[Path, ...] | None,
    ontology: Path = ONTOLOGY,
    mappings: Path = MAPPINGS,
    shapes: Path = SHAPES,
) -> ProjectPaths:
    """Return what a command reads: what its options name, else a project folder's own files.

    In a project folder (kg_build/curated/project.py) the articles default to its sources/*.txt.
    """
    from kg_build.curated.project import find_project, project_paths

    ctx = click.get_current_context()
    given = {
        name
        for name in ("ontology", "mappings", "shapes")
        if name in ctx.params and ctx.get_parameter_source(name) is not ParameterSource.DEFAULT
    }
    return project_paths(ontology, mappings, shapes, sources, given, find_project())


def accepted_note(shacl_warnings: int) -> str:
    """Say that a built graph with SHACL warnings passed: a build accepts them, by design.

    kg validate follows SHACL (any result fails, unless --allow-warnings); a build writes a
    graph whose only results are warnings (the articles' own conflicting counts, kept as
    claims), and says so.
    """
    if not shacl_warnings:
        return ""
    return f" with {count_results(shacl_warnings, 'warning')} (a build stops on violations only)"


def _format_of(output: str | None, given: str | None, suffixes: dict[str, str]) -> str | None:
    """Return --format if given, else the format that the suffix of -o FILE names, if any.

    An explicit --format wins over the suffix, and the command says so.
    """
    suffix = Path(output).suffix.lower() if output not in (None, STDOUT) else ""
    named = suffixes.get(suffix)
    if given is not None and named is not None and named != given:
        say(f"warning: {output}: writing {given} as --format says, not {named} as {suffix} says")
    return given or named


def _unnamed_format(output: str, used: str, suffixes: dict[str, str]) -> None:
    """Say which format a file gets when its suffix names none."""
    suffix = Path(output).suffix
    reason = f"the suffix {suffix} names no format" if suffix else "no suffix names its format"
    known = " ".join(sorted(suffixes))
    say(f"warning: {output}: {reason}; writing {used} (suffixes: {known}; or give --format)")


def graph_format(output: str | None, given: str | None, stream: bool) -> str:
    """Return the format of build's -o: --format, its suffix's, else turtle (not with --stream)."""
    fmt = _format_of(output, given, GRAPH_SUFFIXES)
    if stream:
        if output in (None, STDOUT) or fmt is None or fmt not in ("nt", "nquads"):
            raise click.UsageError(
                "--stream needs -o FILE.nt or FILE.nq (or --format nt or nquads)"
            )
        return fmt
    if fmt is None:
        if output not in (None, STDOUT):
            _unnamed_format(str(output), "turtle", GRAPH_SUFFIXES)
        return "turtle"
    return fmt


def result_format(output: str, given: str | None) -> str:
    """Return the format of query's -o: --format, its suffix's, else table or csv."""
    fmt = _format_of(output, given, RESULT_SUFFIXES)
    if fmt is not None:
        return fmt
    if output == STDOUT:
        return "table" if sys.stdout.isatty() else "csv"
    _unnamed_format(output, "csv (turtle for a graph)", RESULT_SUFFIXES)
    return "csv"


def write_report(path: Path | None, findings: tuple[Finding, ...]) -> None:
    """Write the SHACL validation report of ``findings`` if --report asked for one."""
    if path is not None:
        from kg_build.validate.report import report_to_bytes

        write_atomic(path, report_to_bytes(findings))


def count_results(count: int, word: str) -> str:
    """Return "N SHACL warnings" (or violations), singular for one."""
    return f"{count} SHACL {word}{'' if count == 1 else 's'}"
