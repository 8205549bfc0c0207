"""``kg validate``: a graph file against the shapes."""

from __future__ import annotations

from pathlib import Path

import click

from kg_build.cli.group import EPILOG, cli, say
from kg_build.cli.options import (
    REPORT_OPTION,
    VALIDATOR_OPTION,
    command_paths,
    count_results,
    write_report,
)
from kg_build.defaults import GRAPH_FORMATS, SHAPES
from kg_build.errors import ValidationFailed

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
    from kg_build.rdf.rdffile import INPUT_SUFFIXES, format_of

    fmt, unnamed = format_of(graph_file, fmt)
    if unnamed:
        _unread_format(graph_file, INPUT_SUFFIXES)
    paths = command_paths(None, shapes=shapes)
    try:
        config = Config(paths.ontology, shapes=paths.shapes, validator=validator)
        findings = validate_file(graph_file, config, fmt, allow_warnings)
    except ValidationFailed as e:
        write_report(report, e.findings)
        raise
    write_report(report, tuple(findings))
    for finding in findings:
        say(f"warning: {finding}")
    allowed = (
        f" with --allow-warnings ({count_results(len(findings), 'warning')})" if findings else ""
    )
    say(f"{graph_file}: conforms{allowed}")


def _unread_format(path: Path, suffixes: dict[str, str]) -> None:
    """Say which format an input is read in when its suffix names none."""
    suffix = path.suffix
    reason = f"the suffix {suffix} names no format" if suffix else "no suffix names its format"
    known = " ".join(sorted(suffixes))
    say(f"warning: {path}: {reason}; reading turtle (suffixes: {known}; or give --format)")
