"""The ``kg`` command: options, output routing and exit codes; the work is in pipeline."""

from __future__ import annotations

import contextlib
import json
import logging
import sys
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click
from click.core import ParameterSource

from kg_build import __version__
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
from kg_build.errors import (
    ArticlesNotBuilt,
    BusyError,
    KgError,
    LinkError,
    ServeError,
    StoreError,
    ValidationFailed,
)
from kg_build.guard import ShapeLimits
from kg_build.messages import redact
from kg_build.output import write_atomic, write_output
from kg_build.publish import Publication
from kg_build.query import QuerySource, read_query, run_query
from kg_build.sparql import RESULT_FORMATS
from kg_build.store import GraphStoreLoader, LoadPlan, describe_plan, query_endpoint_for, reading

# The commands that build import the pipeline where they run: `kg query` and `kg --help` then
# start without rdflib, the model or the SHACL engines (0.1 s instead of 0.5 s).

if TYPE_CHECKING:  # imported where used: `kg build` sends no HTTP and requests costs ~80 ms
    import requests

    from kg_build.build.config import Config
    from kg_build.model import Diagnostic
    from kg_build.pool import Limits
    from kg_build.project import ProjectPaths
    from kg_build.validate import Finding

F = TypeVar("F", bound=Callable[..., Any])
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
        except ArticlesNotBuilt as e:
            for problem in e.diagnostics:
                _tell(f"error: {problem}")
            _tell(f"error: {e}")
            ctx.exit(EXIT_BAD_INPUT)
        except ValidationFailed as e:
            for violation in e.violations:
                _tell(str(violation))
            for finding in e.findings:  # the rest of the validation report: its warnings
                if finding.severity != "Violation":
                    _tell(f"warning: {finding}")
            _tell(f"error: {e}")
            ctx.exit(EXIT_BAD_INPUT)
        except (StoreError, LinkError, BusyError, ServeError) as e:
            _tell(f"error: {e}")
            ctx.exit(EXIT_SERVICE)
        except KgError as e:
            _tell(f"error: {e}")
            ctx.exit(EXIT_BAD_INPUT)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except Exception as e:
            if ctx.params.get("debug"):
                raise
            _tell(f"internal error: {type(e).__name__}: {e} (rerun with --debug)")
            ctx.exit(EXIT_BAD_INPUT)


def _tell(line: str) -> None:
    """Print a line on stderr; a password inside a URL is never printed (http://u:***@host/)."""
    click.echo(redact(line), err=True)


def _say(message: str, level: int = 1) -> None:
    """Print a progress or summary line on stderr unless -q asked for silence."""
    settings = click.get_current_context().find_object(_Settings)
    if settings is None or settings.verbosity >= level:
        _tell(message)


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


OUTPUT_DIR = "out"


def _store_option(help_text: str) -> Callable[[F], F]:
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


def _project(
    sources: tuple[Path, ...] | None,
    ontology: Path = ONTOLOGY,
    mappings: Path = MAPPINGS,
    shapes: Path = SHAPES,
) -> ProjectPaths:
    """Return what a command reads: what its options name, else a project folder's own files.

    In a project folder (kg_build/project.py) the articles default to its sources/*.txt.
    """
    from kg_build.project import find_project, project_paths

    ctx = click.get_current_context()
    given = {
        name
        for name in ("ontology", "mappings", "shapes")
        if name in ctx.params and ctx.get_parameter_source(name) is not ParameterSource.DEFAULT
    }
    return project_paths(ontology, mappings, shapes, sources, given, find_project())


@cli.command(name="build", short_help="Build and validate the graph.", epilog=EPILOG)
@SOURCES_ARGUMENT
@click.option(
    "-o",
    "--output",
    default=None,
    help=f"Write one file (- for stdout) instead of {OUTPUT_DIR}/{GRAPH_NAME}.ttl and .nt.",
)
@FORMAT_OPTION
@click.option(
    "--store",
    "store_dir",
    type=click.Path(path_type=Path),
    default=None,
    help=f"Embedded Oxigraph store to load.  [default: {DEFAULT_STORE}/ unless -o]",
)
@click.option("--no-store", is_flag=True, help="Do not load the embedded store.")
@click.option(
    "--wait",
    is_flag=True,
    help="If another build is writing the same folder, wait for it instead of refusing.",
)
@click.option(
    "--strict",
    is_flag=True,
    help="Make every diagnostic about an article an error (exit 1, nothing written).",
)
@click.option(
    "--diagnostics",
    "diagnostics_file",
    type=click.Path(path_type=Path),
    help="Write every diagnostic (code, file, line, text, what was kept) as JSON.",
)
@click.option(
    "--stream",
    is_flag=True,
    help="One article at a time into -o FILE.nt or FILE.nq (or --format nt or nquads): for "
    "large corpora.",
)
@click.option(
    "--timings",
    type=click.Path(path_type=Path),
    help="With --stream: write per-stage seconds as JSON.",
)
@click.option(
    "--jobs",
    default=1,
    show_default=True,
    type=click.IntRange(min=1),
    help="With --stream: processes.",
)
@BASE_OPTION
@ONTOLOGY_OPTION
@MAPPINGS_OPTION
@SHAPES_OPTION
@VALIDATOR_OPTION
@REPORT_OPTION
def build_command(
    sources: tuple[Path, ...],
    output: str | None,
    fmt: str | None,
    store_dir: Path | None,
    no_store: bool,
    wait: bool,
    strict: bool,
    diagnostics_file: Path | None,
    stream: bool,
    timings: Path | None,
    jobs: int,
    base: str,
    ontology: Path,
    mappings: Path,
    shapes: Path,
    validator: str,
    report: Path | None,
) -> None:
    """Build the graph from the articles (default: sources/*.txt), validate it, write it.

    In a project folder (kg init), the default is that folder's sources/*.txt, built with
    its own curated rows added to the packaged ones.

    Nothing is written unless the graph conforms to the shapes, and the files and the store
    are replaced together: an interrupted or failed build leaves the previous build whole.

    \b
    Example:
      kg build
      kg build sources/speed-skating-2022-mens-team-pursuit.txt -o skating.ttl
    """
    from kg_build.build.config import Config

    paths = _project(sources, ontology, mappings, shapes)
    config = Config(
        paths.ontology, paths.mappings, paths.shapes, base, validator, strict, paths.project
    )
    sources = paths.sources
    fmt = _graph_format(output, fmt, stream)
    store = None if no_store else store_dir or (None if output else DEFAULT_STORE)
    if stream:
        if report is not None:
            raise click.UsageError("--report is not available with --stream")
        assert output is not None  # _graph_format refuses --stream without -o FILE
        with _diagnostics_to(diagnostics_file) as found:
            found += _build_stream(sources, config, Path(output), fmt, store, timings, jobs, wait)
        return
    targets = {Path(output): fmt} if output else _default_targets()
    files = [t for t in targets if t.as_posix() != STDOUT]
    with (
        _diagnostics_to(diagnostics_file) as found,
        Publication(files + ([] if output else [VOID_FILE]), store, wait) as publication,
    ):
        stdout = _build_in_memory(sources, config, targets, store, publication, report, found)
        publication.commit()
    if stdout is not None:
        write_output(stdout, STDOUT)


@contextmanager
def _diagnostics_to(path: Path | None) -> Iterator[list[Diagnostic]]:
    """Collect a build's diagnostics; write them as JSON, whether the build ends well or not."""
    found: list[Diagnostic] = []
    try:
        yield found
    except ArticlesNotBuilt as e:
        found += e.diagnostics
        raise
    finally:
        if path is not None:
            from kg_build.diagnostics import to_json

            write_atomic(path, to_json(found))


def _tell_diagnostics(found: list[Diagnostic], warnings: Sequence[Diagnostic | Finding]) -> None:
    """Print each warning (diagnostic or SHACL finding) on its line, then the count per code."""
    from kg_build.diagnostics import summary

    for warning in warnings:
        _say(f"warning: {warning}")
    if found:
        _say(f"diagnostics: {summary(found)}")


VOID_FILE = Path(OUTPUT_DIR) / "void.ttl"


def _build_in_memory(
    sources: tuple[Path, ...],
    config: Config,
    targets: dict[Path, str],
    store: Path | None,
    publication: Publication,
    report: Path | None,
    found: list[Diagnostic],
) -> bytes | None:
    """Build, stage every output in ``publication``; return what goes to stdout, if any."""
    from kg_build.build.memory import build, describe_build, load_embedded

    try:
        built = build(sources, config)
    except ValidationFailed as e:
        _write_report(report, e.findings)
        raise
    _write_report(report, built.findings)
    found += built.diagnostics
    _tell_diagnostics(found, built.warnings)
    written = {t.as_posix(): built.serialize(f) for t, f in targets.items()}
    for target, data in written.items():
        if target != STDOUT:
            publication.write(Path(target), data)
    named = list(written)
    if VOID_FILE in publication.files:
        publication.write(VOID_FILE, describe_build(built, config, written, sources))
        named.append(VOID_FILE.as_posix())
    count = f"{built.size} triples from {len(built.extractions)} articles"
    _say(f"built {count}{_accepted(len(built.findings))}; wrote {', '.join(named)}")
    if store is not None:
        quads = load_embedded(built, config, publication.new_store())
        _say(f"loaded {quads} quads into the store {store.as_posix()}/")
    return written.get(STDOUT)


def _build_stream(
    sources: tuple[Path, ...],
    config: Config,
    output: Path,
    fmt: str,
    store: Path | None,
    timings: Path | None,
    jobs: int,
    wait: bool,
) -> list[Diagnostic]:
    from kg_build.build.streamed import build_stream

    with Publication([output], store, wait) as publication:
        stats = build_stream(
            sources,
            config,
            publication.create(output),
            fmt == "nquads",
            publication.new_store() if store is not None else None,
            jobs,
            publication.scratch(),
        )
        publication.commit()
    _tell_diagnostics(stats.diagnostics, stats.warnings)
    if timings is not None:
        report = {
            "wall": stats.wall,
            "cpu": stats.cpu,
            "articles": stats.articles,
            "lines": stats.lines,
        }
        write_output((json.dumps(report, indent=2, sort_keys=True) + "\n").encode(), str(timings))
    counts = f"{stats.lines} lines from {stats.articles} articles"
    accepted = _accepted(stats.shacl_warnings)
    _say(f"streamed {counts}{accepted} to {output} ({len(stats.warnings)} warnings)")
    return stats.diagnostics


def _accepted(shacl_warnings: int) -> str:
    """Say that a built graph with SHACL warnings passed: a build accepts them, by design.

    kg validate follows SHACL (any result fails, unless --allow-warnings); a build writes a
    graph whose only results are warnings (the articles' own conflicting counts, kept as
    claims), and says so.
    """
    if not shacl_warnings:
        return ""
    return f" with {_results(shacl_warnings, 'warning')} (a build stops on violations only)"


def _format_of(output: str | None, given: str | None, suffixes: dict[str, str]) -> str | None:
    """Return --format if given, else the format that the suffix of -o FILE names, if any.

    An explicit --format wins over the suffix, and the command says so.
    """
    suffix = Path(output).suffix.lower() if output not in (None, STDOUT) else ""
    named = suffixes.get(suffix)
    if given is not None and named is not None and named != given:
        _say(f"warning: {output}: writing {given} as --format says, not {named} as {suffix} says")
    return given or named


def _unnamed_format(output: str, used: str, suffixes: dict[str, str]) -> None:
    """Say which format a file gets when its suffix names none."""
    suffix = Path(output).suffix
    reason = f"the suffix {suffix} names no format" if suffix else "no suffix names its format"
    known = " ".join(sorted(suffixes))
    _say(f"warning: {output}: {reason}; writing {used} (suffixes: {known}; or give --format)")


def _graph_format(output: str | None, given: str | None, stream: bool) -> str:
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


def _result_format(output: str, given: str | None) -> str:
    """Return the format of query's -o: --format, its suffix's, else table or csv."""
    fmt = _format_of(output, given, RESULT_SUFFIXES)
    if fmt is not None:
        return fmt
    if output == STDOUT:
        return "table" if sys.stdout.isatty() else "csv"
    _unnamed_format(output, "csv (turtle for a graph)", RESULT_SUFFIXES)
    return "csv"


def _write_report(path: Path | None, findings: tuple[Finding, ...]) -> None:
    """Write the SHACL validation report of ``findings`` if --report asked for one."""
    if path is not None:
        from kg_build.report import report_to_bytes

        write_atomic(path, report_to_bytes(findings))


def _default_targets() -> dict[Path, str]:
    return {Path(OUTPUT_DIR) / f"{GRAPH_NAME}{FORMAT_SUFFIXES[f]}": f for f in DEFAULT_FORMATS}


VALIDATE_EPILOG = """\b
What exit 1 means (read the last line on stderr):
  the graph does not conform   one line per SHACL result, then
                               'error: FILE: N SHACL violations' (or 'N SHACL
                               warnings and no violations'); --report is written
  nothing was validated        one 'error:' line and no result lines: a file
                               that cannot be read ('error: x.trig:3:14: not
                               valid TriG (...)', line and column), shapes that
                               are not valid, or an engine that cannot check
                               them; no --report is written
"""


@cli.command(
    name="validate",
    short_help="Validate a graph file against the shapes.",
    epilog=VALIDATE_EPILOG + EPILOG,
)
@click.argument("graph_file", type=click.Path(path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(GRAPH_FORMATS),
    default=None,
    help="Format of GRAPH_FILE.  [default: the one its suffix names (.ttl, .nt, .nq, .trig, "
    ".jsonld, .json), else turtle (saying so)]",
)
@click.option(
    "--shapes",
    type=click.Path(path_type=Path),
    default=SHAPES,
    help="Folder of SHACL shapes (its *.ttl), or one shapes file in any format its suffix "
    "names (GRAPH_FILE itself for a graph that carries its shapes).  "
    "[default: the packaged shapes/]",
)
@VALIDATOR_OPTION
@click.option(
    "--allow-warnings",
    is_flag=True,
    help="Accept a graph whose only SHACL results are warnings or infos (exit 0; SHACL "
    "says it does not conform).",
)
@REPORT_OPTION
def validate_command(
    graph_file: Path,
    fmt: str | None,
    shapes: Path,
    validator: str,
    allow_warnings: bool,
    report: Path | None,
) -> None:
    """Validate a graph file (Turtle, N-Triples, N-Quads, TriG, JSON-LD) against SHACL shapes.

    Every graph of the file is validated together (the union of their triples), each
    literal as written. As SHACL says, a graph conforms only if there is no result at all:
    warnings fail it too, unless --allow-warnings.

    \b
    Example:
      kg validate out/team-pursuit.ttl
      kg validate out/team-pursuit.trig --report report.ttl
      kg validate test.ttl --shapes test.ttl --validator pyshacl
    """
    from kg_build.build.config import Config
    from kg_build.build.validation import validate_file
    from kg_build.rdffile import INPUT_SUFFIXES, format_of

    fmt, unnamed = format_of(graph_file, fmt)
    if unnamed:
        _unread_format(graph_file, INPUT_SUFFIXES)
    paths = _project(None, shapes=shapes)
    try:
        config = Config(paths.ontology, shapes=paths.shapes, validator=validator)
        findings = validate_file(graph_file, config, fmt, allow_warnings)
    except ValidationFailed as e:
        _write_report(report, e.findings)
        raise
    _write_report(report, tuple(findings))
    for finding in findings:
        _say(f"warning: {finding}")
    allowed = f" with --allow-warnings ({_results(len(findings), 'warning')})" if findings else ""
    _say(f"{graph_file}: conforms{allowed}")


def _results(count: int, word: str) -> str:
    return f"{count} SHACL {word}{'' if count == 1 else 's'}"


def _unread_format(path: Path, suffixes: dict[str, str]) -> None:
    """Say which format an input is read in when its suffix names none."""
    suffix = path.suffix
    reason = f"the suffix {suffix} names no format" if suffix else "no suffix names its format"
    known = " ".join(sorted(suffixes))
    _say(f"warning: {path}: {reason}; reading turtle (suffixes: {known}; or give --format)")


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
@_store_option("Embedded store to query.")
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
    write_output(run_query(text, shown, source, _result_format(output, fmt)), output)


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

    paths = _project(sources, ontology, mappings, shapes)
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
    _say(f"loaded {total} triples into {len(graphs)} graphs at {endpoint}; counts checked")


def _auth(user: str | None, password: str | None) -> requests.auth.AuthBase | None:
    if not user:
        return None  # before the import: requests costs ~0.12 s of a `kg query` on the store
    import requests

    return requests.auth.HTTPDigestAuth(user, password or "")


WIKIDATA_SPARQL = "https://query.wikidata.org/sparql"


@cli.command(name="link", short_help="Report and propose links to Wikidata.", epilog=EPILOG)
@SOURCES_ARGUMENT
@click.option(
    "--report",
    is_flag=True,
    help="List linked and unlinked entities, with the reason; ask nothing.",
)
@click.option(
    "--endpoint",
    default=WIKIDATA_SPARQL,
    show_default=True,
    help="SPARQL endpoint to reconcile against.",
)
@click.option(
    "--cache",
    type=click.Path(path_type=Path),
    default=Path("out/wikidata-cache"),
    show_default=True,
    help="Folder of cached answers.",
)
@click.option("--offline", is_flag=True, help="Use cached answers only; send nothing.")
@click.option(
    "--delay",
    type=click.FloatRange(min=0),
    default=1.0,
    show_default=True,
    help="Seconds between requests.",
)
@click.option(
    "-o",
    "--output",
    default="out/wikidata-review.sssom.tsv",
    show_default=True,
    help="Review file (SSSOM TSV).",
)
@MAPPINGS_OPTION
def link_command(
    sources: tuple[Path, ...],
    report: bool,
    endpoint: str,
    cache: Path,
    offline: bool,
    delay: float,
    output: str,
    mappings: Path,
) -> None:
    """Report the Wikidata links, or propose links for unlinked people and NOCs.

    Proposals go to a review file in SSSOM form, never into mappings/wikidata.sssom.tsv.

    \b
    Example:
      kg link --report
      kg link --endpoint http://127.0.0.1:9999/sparql -o review.sssom.tsv
    """
    from kg_build.build.config import Config
    from kg_build.build.memory import build
    from kg_build.link import (
        LINK_SET,
        WikidataClient,
        link_report,
        linkable_entities,
        load_link_set,
    )
    from kg_build.reconcile import reconcile

    paths = _project(sources, mappings=mappings)
    config = Config(paths.ontology, paths.mappings, paths.shapes, project=paths.project)
    built = build(paths.sources, config)
    if report:
        link_set = load_link_set(config.mappings_for(LINK_SET), config.base)
        click.echo("\n".join(link_report(linkable_entities(built.graph, link_set), link_set)))
        return
    client = WikidataClient(endpoint, cache, offline=offline, delay=delay)
    result = reconcile(built, config, client)
    write_output(result.review.encode("utf-8"), output)
    for note in result.unanswered:
        _say(f"warning: not asked: {note}")
    _say(f"proposed {result.proposals} links in {output}; sent {client.sent} queries")


@cli.group(name="export", short_help="Export the graph for other tools.", epilog=EPILOG)
def export_group() -> None:
    """Export the graph for other tools.

    \b
    Example:
      kg export quickstatements -o statements.qs
    """


@export_group.command(
    name="quickstatements", short_help="QuickStatements for Wikidata.", epilog=EPILOG
)
@SOURCES_ARGUMENT
@click.option(
    "-o", "--output", default=STDOUT, show_default=True, help="File to write; - for stdout."
)
@MAPPINGS_OPTION
def quickstatements_command(sources: tuple[Path, ...], output: str, mappings: Path) -> None:
    """Write QuickStatements (V1, tab-separated) for participations and medals, with references.

    Each statement cites the source article (reference URL, P854). Statements whose athlete,
    event, medal or article lacks a checked QID or URL are left out and counted.

    \b
    Example:
      kg export quickstatements -o statements.qs
    """
    from kg_build.build.config import Config
    from kg_build.build.memory import build
    from kg_build.export import article_urls, quickstatements
    from kg_build.link import LINK_SET, load_link_set

    paths = _project(sources, mappings=mappings)
    config = Config(paths.ontology, paths.mappings, paths.shapes, project=paths.project)
    built = build(paths.sources, config)
    links = load_link_set(config.mappings_for(LINK_SET), config.base)
    urls = article_urls(config.mappings, config.base, config.project)
    statements = quickstatements(built.graph, links, urls)
    text = "".join(f"{line}\n" for line in statements.lines)
    write_output(text.encode("utf-8"), output)
    _say(
        f"{len(statements.lines)} statements; "
        f"{statements.skipped} left out for want of a QID or source URL"
    )


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
@_store_option("Embedded store to serve (read-only).")
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
    from kg_build.pages import Site  # imported where used: jinja2 costs `kg build` ~40 ms
    from kg_build.serving import serve

    server = serve(store_dir, host, port, serve_limits(allow_service, limits), Site(ontology))
    address = f"http://{host}:{server.port}/"
    _say(f"serving {store_dir.as_posix()}/ at {address} (Ctrl-C stops)")
    with contextlib.suppress(KeyboardInterrupt):  # uvicorn stops, then raises it again
        server.run()
    _say("stopped")


def serve_limits(allow_service: tuple[str, ...], options: dict[str, Any]) -> Limits:
    """Gather kg serve's limit options."""
    from kg_build.pool import Limits  # asyncio and multiprocessing: not for the other commands

    shape = ShapeLimits(*(options.pop(name) for name in SHAPE_NAMES))
    return Limits(shape=shape, allow_service=frozenset(allow_service), **options)


@cli.command(name="site", short_help="Write the pages as a static site.", epilog=EPILOG)
@click.option(
    "-o", "--output", type=click.Path(path_type=Path), required=True, help="Folder to write."
)
@_store_option("Embedded store to read.")
@ONTOLOGY_OPTION
def site_command(output: Path, store_dir: Path, ontology: Path) -> None:
    """Write entity pages (HTML, Turtle, JSON-LD, N-Triples), results views and ontology docs.

    \b
    Example:
      kg site -o public/
    """
    from kg_build.pages import Site, StoreRunner, site_files  # as in serve_command

    site = Site(ontology)
    count = 0
    with reading(store_dir) as store:
        site.bind(StoreRunner(store))
        for name, data in site_files(site):
            write_atomic(output / name, data)
            count += 1
    _say(f"wrote {count} files to {output.as_posix()}/")


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
    from kg_build.build.config import Config
    from kg_build.build.records import records_json

    paths = _project(sources, mappings=mappings)
    config = Config(paths.ontology, paths.mappings, paths.shapes, project=paths.project)
    write_output(records_json(paths.sources, config), output)


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
    from kg_build.build.config import parse_sources
    from kg_build.serialize import articles_to_json

    articles = parse_sources(files)
    write_output(articles_to_json(articles), output)
    for article in articles:
        for found in article.diagnostics:
            _say(f"warning: {found}")
    _say(f"parsed {len(articles)} articles", level=2)


@cli.command(name="init", short_help="Write a project folder for your own articles.", epilog=EPILOG)
@click.argument("folder", type=click.Path(path_type=Path))
@click.option(
    "--force", is_flag=True, help="Write into a folder that is not empty (never over a file)."
)
def init_command(folder: Path, force: bool) -> None:
    """Write a project folder: sources/, mappings/curated/ (each curated file's header), README.

    kg run in that folder builds its sources/*.txt into its out/, with the packaged ontology,
    rules, shapes and settings (unless the folder has its own), and its curated rows added to
    the packaged ones. Its README.md says how to fill in each file.

    \b
    Example:
      kg init my-articles && cd my-articles
      kg check --template templates
    """
    from kg_build.project import init_project

    written, kept = init_project(folder, force)
    for path in kept:
        _say(f"kept {path.as_posix()} (already there)")
    shown = folder.as_posix()
    _say(
        f"wrote {len(written)} files to {shown}/; add articles to its sources/ ({shown}/README.md)"
    )


@cli.command(
    name="check", short_help="List what the curated data lacks for articles.", epilog=EPILOG
)
@SOURCES_ARGUMENT
@click.option(
    "--template",
    "template_dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Write the missing rows to DIR/<curated file>.tsv, with what the articles say filled "
    "in and the sources empty, and what is left to fill in to DIR/TODO.md.",
)
@click.option("--strict", is_flag=True, help="Exit 1 on any diagnostic too (as kg build --strict).")
@ONTOLOGY_OPTION
@MAPPINGS_OPTION
def check_command(
    sources: tuple[Path, ...],
    template_dir: Path | None,
    strict: bool,
    ontology: Path,
    mappings: Path,
) -> None:
    """List everything the curated data lacks for the articles, and every diagnostic.

    One line per finding on stdout (level: file:line: message [code]), then a summary on
    stderr. Exit 0 when nothing a build needs is missing, 1 otherwise. In a project folder
    the articles default to its sources/*.txt.

    \b
    Example:
      kg check
      kg check sources/cycling-2024-mens-team-pursuit.txt --template templates
    """
    from kg_build.build.config import Config
    from kg_build.check import check_articles, check_summary, template_folder
    from kg_build.template import write_template

    paths = _project(sources, ontology, mappings)
    config = Config(paths.ontology, paths.mappings, project=paths.project)
    folder = template_folder(template_dir, config) if template_dir is not None else None
    checked = check_articles(paths.sources, config)
    for line in checked.errors:
        _tell(f"error: {line}")
    for finding in checked.findings:
        click.echo(f"{finding.level.value}: {finding}")
    _say(check_summary(checked, strict))
    if folder is not None and not checked.errors:
        _say(write_template(checked.template, folder))
    if checked.failed(strict):
        click.get_current_context().exit(EXIT_BAD_INPUT)


def main() -> None:
    """Run the ``kg`` console script."""
    cli(prog_name="kg")
