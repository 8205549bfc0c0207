"""What an article's extraction reads: the run's frozen inputs, and the article's own scope.

Both are frozen: extractors read them and return their records and diagnostics; none of them
writes to a shared object.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from msgspec import Struct, field
from msgspec.structs import force_setattr, replace

from kg_build.curated.reference import Reference
from kg_build.curated.settings import Settings
from kg_build.defaults import TP_IRI
from kg_build.errors import SourceError
from kg_build.extract.lineups import Roster, make_roster
from kg_build.extract.values import BadValue, Span, parse_dates
from kg_build.messages import quote
from kg_build.model import Article, Diagnostic, InfoboxField, Vocabulary
from kg_build.model.diagnostics import diagnostic
from kg_build.rdf.iris import Iris


class Inputs(Struct, frozen=True):
    """What every article's extraction shares: settings, curated data, vocabulary, IRIs."""

    settings: Settings
    reference: Reference
    vocab: Vocabulary
    iris: Iris
    # kg check: report each athletes cell of an event that has no roster rows at all (a
    # build says once that the roster is missing).
    each_cell: bool = False
    record_codes: Mapping[str, str] = field(default_factory=dict)  # WR → WorldRecord
    kind_codes: Mapping[str, str] = field(default_factory=dict)  # WorldRecord → WR
    outcome_codes: Mapping[str, str] = field(default_factory=dict)  # DNF → DidNotFinish

    def __post_init__(self) -> None:
        # Record types are the ontology's: a new type is an individual with its tp:code.
        kinds = self.vocab.members.get(TP_IRI + "RecordType", frozenset())
        coded = {
            k.removeprefix(TP_IRI): self.vocab.codes[k] for k in kinds if k in self.vocab.codes
        }
        force_setattr(self, "kind_codes", coded)
        force_setattr(self, "record_codes", {code: kind for kind, code in coded.items()})
        force_setattr(self, "outcome_codes", dict(self.settings.outcomes))


class TitleParts(Struct, frozen=True):
    """What the title says: sport, Games year and season, event name."""

    sport: str
    year: int
    season: str
    event: str


class Scope(Struct, frozen=True):
    """One article and what the run gives it, read by every extractor."""

    article: Article
    file: str  # the article's file as the graph names it
    stem: str
    title: TitleParts
    event: str  # the event's IRI
    roster: Roster
    span: Span | None  # the event's days, when the infobox gives them readably
    inputs: Inputs

    @property
    def settings(self) -> Settings:
        """The extraction settings."""
        return self.inputs.settings

    @property
    def reference(self) -> Reference:
        """The curated data."""
        return self.inputs.reference

    @property
    def iris(self) -> Iris:
        """The IRI minter."""
        return self.inputs.iris

    @property
    def article_iri(self) -> str:
        """The article's IRI."""
        return self.iris.article(self.stem)

    def infobox(self, name: str) -> InfoboxField | None:
        """Return the infobox field of a settings name (first synonym present), if any."""
        keys = self.settings.infobox.get(name, ())
        return next((f for key in keys for f in self.article.infobox if f.key == key), None)


def read_title(article: Article, settings: Settings) -> TitleParts:
    """Split the title into sport, Games and event by the settings' title pattern."""
    match = settings.title_pattern.fullmatch(article.title)
    if match is None:
        raise SourceError(
            article.path,
            article.src.line,
            f"not an article of this family: the title {quote(article.title)} does not match "
            "the title_pattern of mappings/extraction.yaml",
        )
    return TitleParts(match["sport"], int(match["year"]), match["season"], match["event"])


def make_scope(article: Article, inputs: Inputs, file: str) -> tuple[Scope, list[Diagnostic]]:
    """Prepare one article's extraction; raise SourceError if it is not of the family at all.

    An article of the family has a title of the configured form, an infobox and a results
    section; everything else it may lack is a diagnostic.
    """
    title = read_title(article, inputs.settings)
    if not article.infobox:
        raise SourceError(
            article.path, article.src.line, "not an article of this family: it has no infobox"
        )
    if article.find_section(inputs.settings.results_section) is None:
        raise SourceError(
            article.path,
            article.src.line,
            f"not an article of this family: it has no section '{inputs.settings.results_section}'",
        )
    stem = Path(article.path).stem
    found: list[Diagnostic] = list(article.diagnostics)
    entries = inputs.reference.rosters.get(stem, ())
    if not entries:
        found.append(
            diagnostic(
                "no-roster",
                article.src,
                f"no rows for event '{stem}' in {inputs.reference.file('rosters.tsv')} "
                "(add its athletes, each with the NOC they raced for and a source)",
            )
        )
    roster = make_roster(entries, inputs.reference.file("rosters.tsv"))
    scope = Scope(
        article=article,
        file=file,
        stem=stem,
        title=title,
        event=inputs.iris.event(title.year, title.sport, title.event),
        roster=roster,
        span=None,
        inputs=inputs,
    )
    span, more = _span(scope)
    return replace(scope, span=span), found + more


def _span(scope: Scope) -> tuple[Span | None, list[Diagnostic]]:
    """Read the event's days from the infobox; the title gives a year the field leaves out."""
    dates = scope.infobox("dates")
    if dates is None:
        return None, []
    try:
        return parse_dates(dates.value, scope.title.year), []
    except BadValue as e:
        return None, [
            diagnostic(
                "unreadable-field",
                dates.src,
                f"infobox dates: {e}",
                dates.value,
                "no start or end date for the event",
            )
        ]
