"""``kg link`` and ``kg export``: Wikidata."""

from __future__ import annotations

from pathlib import Path

import click

from kg_build.cli.group import EPILOG, cli, say
from kg_build.cli.options import MAPPINGS_OPTION, SOURCES_ARGUMENT, command_paths
from kg_build.defaults import STDOUT
from kg_build.output import write_output

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
    from kg_build.link.reconcile import reconcile
    from kg_build.link.wikidata import (
        LINK_SET,
        WikidataClient,
        link_report,
        linkable_entities,
        load_link_set,
    )

    paths = command_paths(sources, mappings=mappings)
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
        say(f"warning: not asked: {note}")
    say(f"proposed {result.proposals} links in {output}; sent {client.sent} queries")


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
    from kg_build.link.quickstatements import article_urls, quickstatements
    from kg_build.link.wikidata import LINK_SET, load_link_set

    paths = command_paths(sources, mappings=mappings)
    config = Config(paths.ontology, paths.mappings, paths.shapes, project=paths.project)
    built = build(paths.sources, config)
    links = load_link_set(config.mappings_for(LINK_SET), config.base)
    urls = article_urls(config.mappings, config.base, config.project)
    statements = quickstatements(built.graph, links, urls)
    text = "".join(f"{line}\n" for line in statements.lines)
    write_output(text.encode("utf-8"), output)
    say(
        f"{len(statements.lines)} statements; "
        f"{statements.skipped} left out for want of a QID or source URL"
    )
