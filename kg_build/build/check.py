"""kg check: everything the curated data lacks for some articles, in one run.

It runs the build's own extraction on each article and keeps every diagnostic it gives, with
each athletes cell named apart even where the event has no roster at all, and adds what the
build does without (a Games row, an event's discipline) as warnings. A row whose country cell
names an NOC the curated data lacks hides its athletes cell from the build; a second
extraction, with that NOC stood in for, names the cell too. Curated files are checked first,
each on its own, so that every file's first error is listed.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from msgspec import Struct
from msgspec.structs import replace

from kg_build.build.config import Config, article_files, graph_file, load_config, parse_sources
from kg_build.build.template import Template, propose
from kg_build.curated.reference import NocRow, curated_folders, read_merged
from kg_build.curated.rosters import RosterFile
from kg_build.curated.tables import CURATED_FILES, read_curated
from kg_build.errors import KgError, MappingError, OutputError, SourceError
from kg_build.extract import Inputs, extract_article
from kg_build.extract.scope import read_title
from kg_build.messages import display_path
from kg_build.model import Article, Diagnostic, Level
from kg_build.model.diagnostics import diagnostic, summary

# What a second extraction (with stand-in NOCs) may add: the athletes cells it reaches.
_REACHED = ("athletes-not-in-roster", "athletes-ambiguous")


class Checked(Struct, frozen=True):
    """What kg check found: findings by article and line, errors, and the rows to add."""

    findings: tuple[Diagnostic, ...]
    errors: tuple[str, ...]  # curated files or articles that could not be read, one line each
    template: Template
    articles: int = 0  # how many were checked

    def failed(self, strict: bool = False) -> bool:
        """Say whether a build would stop: an error, a missing row (or, strict, a diagnostic)."""
        stops = {Level.MISSING, Level.DIAGNOSTIC} if strict else {Level.MISSING}
        return bool(self.errors) or any(d.level in stops for d in self.findings)


def check_articles(paths: Sequence[Path], config: Config) -> Checked:
    """Check the articles of ``paths`` (the bundled ones when empty) against the curated data."""
    errors = curated_errors(config)
    if errors:
        return Checked((), tuple(errors), Template())
    inputs = replace(load_config(config).inputs, each_cell=True)
    findings: list[Diagnostic] = []
    template = Template()
    files = article_files(paths)
    for path in files:
        try:
            (article,) = parse_sources([path])
            found = check_article(article, inputs)
            propose(template, article, found, inputs)
        except (SourceError, MappingError) as e:
            errors.append(str(e))
            continue
        findings += found
    return Checked(tuple(findings), tuple(errors), template, len(files))


def check_article(article: Article, inputs: Inputs) -> list[Diagnostic]:
    """Return everything one article lacks, sorted by line: the build's diagnostics and more."""
    file = graph_file(article)
    found = list(extract_article(article, inputs, file).diagnostics)
    stand_ins = {
        d.text: NocRow(d.text, d.text, "", "") for d in found if d.code == "noc-not-curated"
    }
    if stand_ins:
        reference = inputs.reference
        nocs = {**reference.nocs, **stand_ins}
        more = replace(inputs, reference=replace(reference, nocs=nocs))
        seen = {(d.code, d.src, d.text) for d in found}
        found += [
            d
            for d in extract_article(article, more, file).diagnostics
            if d.code in _REACHED and (d.code, d.src, d.text) not in seen
        ]
    found += _optional(article, inputs)
    return sorted(found, key=lambda d: (d.src.line, d.code))


def _optional(article: Article, inputs: Inputs) -> list[Diagnostic]:
    """Return the rows a build does without: the Games' and the event's discipline."""
    reference = inputs.reference
    title = read_title(article, inputs.settings)
    games = f"{title.year}-{title.season.lower()}"
    stem = Path(article.path).stem
    found = []
    if games not in reference.games:
        found.append(
            diagnostic(
                "games-not-curated",
                article.src,
                f"no row for Games '{games}' in {reference.file('games.tsv')}: the Games' host "
                "city and country stay unknown (optional)",
            )
        )
    if stem not in reference.events:
        found.append(
            diagnostic(
                "discipline-not-curated",
                article.src,
                f"no row for event '{stem}' in {reference.file('events.tsv')}: the event's "
                "discipline stays unknown (optional)",
            )
        )
    return found


def curated_errors(config: Config) -> list[str]:
    """Check every curated file on its own, then merged; return each file's first error."""
    errors: list[str] = []
    folders = curated_folders(config.mappings, config.project)
    for spec in CURATED_FILES.values():
        failed = False
        for number, folder in enumerate(folders):
            path = folder / spec.name
            if not path.exists() and (number > 0 or not spec.needed):
                continue
            try:
                if spec.name == "rosters.tsv":
                    RosterFile(path)
                else:
                    read_curated(path, display_path(path), spec)
            except KgError as e:
                errors.append(str(e))
                failed = True
        if not failed and spec.name != "rosters.tsv":
            try:
                read_merged(folders, spec.name)
            except KgError as e:
                errors.append(str(e))
    return errors


def check_summary(checked: Checked, strict: bool = False) -> str:
    """Return the line that closes kg check's output: counts by level and code, and why."""
    by_level = [
        (level, [d for d in checked.findings if d.level is level])
        for level in (Level.MISSING, Level.DIAGNOSTIC, Level.WARNING)
    ]
    counts = [
        f"{len(found)} {level.value}{'' if len(found) == 1 or level is Level.MISSING else 's'} "
        f"({summary(found)})"
        for level, found in by_level
        if found
    ]
    if checked.errors:
        counts.insert(
            0, f"{len(checked.errors)} {'error' if len(checked.errors) == 1 else 'errors'}"
        )
    said = f"checked {checked.articles} {'article' if checked.articles == 1 else 'articles'}: "
    said += "; ".join(counts) if counts else "nothing missing"
    if not checked.failed(strict):
        return f"{said}; a build has every curated row it needs"
    if checked.errors and not checked.findings:
        return f"{said}; fix the files named above first"
    return f"{said}; a build would stop (kg check --template DIR writes the rows to add)"


def template_folder(folder: Path, config: Config) -> Path:
    """Return the --template folder, refusing a curated folder (the templates are unfilled)."""
    curated = curated_folders(config.mappings, config.project)
    if config.project is not None:
        curated.append(config.project / "curated")
    if any(folder.resolve() == c.resolve() for c in curated):
        raise OutputError(
            folder.as_posix(),
            None,
            "is a curated folder the build reads; --template writes rows for you to fill in "
            "first: give another folder",
        )
    return folder
