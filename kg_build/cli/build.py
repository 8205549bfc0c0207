"""``kg build``, ``kg records`` and ``kg parse``: the commands that read articles."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

import click

from kg_build.cli.group import EPILOG, cli, say
from kg_build.cli.options import (
    BASE_OPTION,
    DEFAULT_FORMATS,
    FORMAT_OPTION,
    GRAPH_NAME,
    MAPPINGS_OPTION,
    ONTOLOGY_OPTION,
    OUTPUT_DIR,
    REPORT_OPTION,
    SHAPES_OPTION,
    SOURCES_ARGUMENT,
    VALIDATOR_OPTION,
    accepted_note,
    command_paths,
    graph_format,
    write_report,
)
from kg_build.defaults import DEFAULT_STORE, FORMAT_SUFFIXES, STDOUT
from kg_build.errors import ArticlesNotBuilt, ValidationFailed
from kg_build.output import write_atomic, write_output
from kg_build.publish.publication import Publication

if TYPE_CHECKING:
    from kg_build.build.config import Config
    from kg_build.build.memory import Built
    from kg_build.model import Diagnostic
    from kg_build.validate.findings import Finding


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

    paths = command_paths(sources, ontology, mappings, shapes)
    config = Config(
        paths.ontology, paths.mappings, paths.shapes, base, validator, strict, paths.project
    )
    sources = paths.sources
    fmt = graph_format(output, fmt, stream)
    store = None if no_store else store_dir or (None if output else DEFAULT_STORE)
    if stream:
        if report is not None:
            raise click.UsageError("--report is not available with --stream")
        assert output is not None  # graph_format refuses --stream without -o FILE
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
            from kg_build.model.diagnostics import to_json

            write_atomic(path, to_json(found))


def _tell_diagnostics(found: list[Diagnostic], warnings: Sequence[Diagnostic | Finding]) -> None:
    """Print each warning (diagnostic or SHACL finding) on its line, then the count per code."""
    from kg_build.model.diagnostics import summary

    for warning in warnings:
        say(f"warning: {warning}")
    if found:
        say(f"diagnostics: {summary(found)}")


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
    from kg_build.build.memory import accepted, assemble, shacl_findings
    from kg_build.build.overlap import beside

    assembled = assemble(sources, config)
    # Validated in a child process while this one stages the outputs: nothing is in place
    # before ``publication.commit()``, which follows only a graph that conforms. (Loading the
    # store in the child as well made the child the longer of the two, by some 0.1 s.)
    step = partial(shacl_findings, assembled, config)
    with beside(step, "the process that validates the graph") as validation:
        written, quads = _stage(assembled, config, targets, store, publication, sources)
        findings = validation.result()
    try:
        built = accepted(assembled, findings)
    except ValidationFailed as e:
        write_report(report, e.findings)
        raise
    write_report(report, built.findings)
    found += built.diagnostics
    _tell_diagnostics(found, built.warnings)
    count = f"{built.size} triples from {len(built.extractions)} articles"
    say(f"built {count}{accepted_note(len(built.findings))}; wrote {', '.join(written)}")
    if quads is not None and store is not None:
        say(f"loaded {quads} quads into the store {store.as_posix()}/")
    return written.get(STDOUT)


def _stage(
    built: Built,
    config: Config,
    targets: dict[Path, str],
    store: Path | None,
    publication: Publication,
    sources: tuple[Path, ...],
) -> tuple[dict[str, bytes], int | None]:
    """Stage every file and the store; return the files' bytes by name and the quads loaded."""
    from kg_build.build.memory import load_embedded
    from kg_build.build.overlap import InThread

    # The store loads in a thread (Oxigraph releases the GIL) while this one writes the files.
    generation = None if store is None else publication.new_store()
    loading = (
        None if generation is None else InThread(partial(load_embedded, built, config, generation))
    )
    try:
        written = _stage_files(built, config, targets, publication, sources)
    except BaseException:
        if loading is not None:  # no thread may write the store after the cleanup removes it
            loading.wait()
        raise
    return written, None if loading is None else loading.result()


def _stage_files(
    built: Built,
    config: Config,
    targets: dict[Path, str],
    publication: Publication,
    sources: tuple[Path, ...],
) -> dict[str, bytes]:
    """Stage every file (the graph's, the VoID); return their bytes by name."""
    from kg_build.build.memory import describe_build

    written = {t.as_posix(): built.serialize(f) for t, f in targets.items()}
    for target, data in written.items():
        if target != STDOUT:
            publication.write(Path(target), data)
    if VOID_FILE in publication.files:
        void = describe_build(built, config, written, sources)
        publication.write(VOID_FILE, void)
        written[VOID_FILE.as_posix()] = void
    return written


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
    accepted = accepted_note(stats.shacl_warnings)
    say(f"streamed {counts}{accepted} to {output} ({len(stats.warnings)} warnings)")
    return stats.diagnostics


def _default_targets() -> dict[Path, str]:
    return {Path(OUTPUT_DIR) / f"{GRAPH_NAME}{FORMAT_SUFFIXES[f]}": f for f in DEFAULT_FORMATS}


@cli.command(name="records", short_help="Print the extracted records as JSON.", epilog=EPILOG)
@SOURCES_ARGUMENT
@click.option(
    "-o", "--output", default=STDOUT, show_default=True, help="File to write; - for stdout."
)
@MAPPINGS_OPTION
@click.option(
    "--rml",
    type=click.Path(file_okay=False, path_type=Path),
    help="Also write into this folder the rules as standard YARRRML, one rule per datatype.",
)
def records_command(
    sources: tuple[Path, ...], output: str, mappings: Path, rml: Path | None
) -> None:
    """Print the records the mapping rules read, as the records.json their sources name.

    With --rml, a standard RML engine (morph-kgc) runs the rules written there over this file.

    \b
    Example:
      kg records -o records.json --rml rml-rules
    """
    from kg_build.build.config import Config
    from kg_build.build.records import records_json
    from kg_build.mapping import RULES_DIR
    from kg_build.mapping.rml import write_rml

    paths = command_paths(sources, mappings=mappings)
    config = Config(paths.ontology, paths.mappings, paths.shapes, project=paths.project)
    write_output(records_json(paths.sources, config), output)
    if rml is not None:
        write_rml(config.mappings_for(RULES_DIR) / RULES_DIR, paths.ontology, rml)


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
    from kg_build.rdf.serialize import articles_to_json

    articles = parse_sources(files)
    write_output(articles_to_json(articles), output)
    for article in articles:
        for found in article.diagnostics:
            say(f"warning: {found}")
    say(f"parsed {len(articles)} articles", level=2)
