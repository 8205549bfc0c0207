"""``kg init`` and ``kg check``: project folders for one's own articles."""

from __future__ import annotations

from pathlib import Path

import click

from kg_build.cli.group import EPILOG, EXIT_BAD_INPUT, cli, say, tell
from kg_build.cli.options import MAPPINGS_OPTION, ONTOLOGY_OPTION, SOURCES_ARGUMENT, command_paths


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
    from kg_build.curated.project import init_project

    written, kept = init_project(folder, force)
    for path in kept:
        say(f"kept {path.as_posix()} (already there)")
    shown = folder.as_posix()
    say(f"wrote {len(written)} files to {shown}/; add articles to its sources/ ({shown}/README.md)")


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
    from kg_build.build.check import check_articles, check_summary, template_folder
    from kg_build.build.config import Config
    from kg_build.build.template import write_template

    paths = command_paths(sources, ontology, mappings)
    config = Config(paths.ontology, paths.mappings, project=paths.project)
    folder = template_folder(template_dir, config) if template_dir is not None else None
    checked = check_articles(paths.sources, config)
    for line in checked.errors:
        tell(f"error: {line}")
    for finding in checked.findings:
        click.echo(f"{finding.level.value}: {finding}")
    say(check_summary(checked, strict))
    if folder is not None and not checked.errors:
        say(write_template(checked.template, folder))
    if checked.failed(strict):
        click.get_current_context().exit(EXIT_BAD_INPUT)
