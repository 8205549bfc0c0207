"""Article → typed records: the event, its Games, venue, sports, editions, NOCs and people.

Rounds and results are in ``results.py``, records and medals in ``awards.py``, claims and
curated facts in ``facts.py``; this module ties them together. Nothing here names an
article or a sport: settings and curated data come from ``mappings/``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

from kg_build.errors import MappingError, SourceError
from kg_build.iris import Iris
from kg_build.messages import quote
from kg_build.model import (
    Article,
    BuildWarning,
    Event,
    Extraction,
    Games,
    Gender,
    InfoboxField,
    Noc,
    OtherEdition,
    Person,
    RecordKind,
    SourceArticle,
    SourceRef,
    Sport,
    Venue,
    Vocabulary,
)
from kg_build.reference import NocRow, Reference, RosterEntry, Settings, VenueRow
from kg_build.values import BadValue, parse_dates, parse_time


@dataclass(frozen=True, slots=True)
class TitleParts:
    """What the title says: sport, Games year and season, event name."""

    sport: str
    year: int
    season: str
    event: str


@dataclass(slots=True)
class Context:
    """What every extraction step needs; ``warnings`` collects what the build reports."""

    article: Article
    stem: str
    settings: Settings
    reference: Reference
    vocab: Vocabulary
    iris: Iris
    title: TitleParts
    event: str
    roster: dict[str, RosterEntry]
    # The roster by the words of each name, for splitting a space-joined athletes cell.
    roster_words: dict[tuple[str, ...], RosterEntry]
    roster_longest: int  # the most words in a roster name
    warnings: list[BuildWarning] = field(default_factory=list)

    def warn(self, src: SourceRef, message: str) -> None:
        """Record something the build reports but does not stop for."""
        self.warnings.append(BuildWarning(message, src))

    def infobox(self, name: str) -> InfoboxField | None:
        """Return the infobox field of a settings name (first synonym present), if any."""
        keys = self.settings.infobox.get(name, ())
        return next((f for key in keys for f in self.article.infobox if f.key == key), None)

    def required(self, name: str) -> InfoboxField:
        """Return an infobox field the event cannot do without."""
        found = self.infobox(name)
        if found is None:
            keys = " or ".join(f"'{k}'" for k in self.settings.infobox.get(name, ()))
            raise SourceError(self.article.path, self.article.src.line, f"infobox has no {keys}")
        return found

    def venue_row(self) -> VenueRow:
        """Return the curated venue of this event."""
        row = self.reference.venues.get(self.stem)
        if row is None:
            src = self.required("venue").src
            raise MappingError(
                src.path, src.line, self.missing_row("venues.tsv", "event", self.stem)
            )
        return row

    def noc_row(self, code: str, src: SourceRef) -> NocRow:
        """Return the curated row of an NOC the article names at ``src``."""
        row = self.reference.nocs.get(code)
        if row is None:
            raise MappingError(src.path, src.line, self.missing_row("nocs.tsv", "NOC", code))
        return row

    def missing_row(self, name: str, what: str, key: str) -> str:
        """Say that a curated file has no row the article needs, and which file."""
        return f"no row for {what} '{key}' in {self.reference.file(name)} (add one with its source)"

    def event_span(self) -> tuple[date, date, tuple[date, ...]]:
        """Return the first and last day of the event and the days the infobox lists."""
        dates = self.required("dates")
        try:
            return parse_dates(dates.value)
        except BadValue as e:
            raise SourceError(dates.src.path, dates.src.line, str(e)) from e


def read_title(article: Article, settings: Settings) -> TitleParts:
    """Split the title into sport, Games and event by the settings' title pattern."""
    match = settings.title_pattern.fullmatch(article.title)
    if match is None:
        raise SourceError(
            article.path,
            article.src.line,
            f"title {quote(article.title)} does not match the title_pattern of "
            "mappings/extraction.yaml",
        )
    return TitleParts(match["sport"], int(match["year"]), match["season"], match["event"])


def make_context(
    article: Article, settings: Settings, reference: Reference, vocab: Vocabulary, iris: Iris
) -> Context:
    """Prepare the extraction of one article: its title, event IRI and roster."""
    stem = Path(article.path).stem
    title = read_title(article, settings)
    roster = {e.athlete: e for e in reference.rosters.get(stem, ())}
    if not roster:
        raise MappingError(
            article.path,
            article.src.line,
            f"no rows for event '{stem}' in {reference.file('rosters.tsv')} (add its athletes, "
            "each with the NOC they raced for and a source)",
        )
    event = iris.event(title.year, title.sport, title.event)
    words = {tuple(name.split()): entry for name, entry in roster.items()}
    longest = max(len(w) for w in words)
    return Context(
        article, stem, settings, reference, vocab, iris, title, event, roster, words, longest
    )


def extract_article(
    article: Article,
    settings: Settings,
    reference: Reference,
    vocab: Vocabulary,
    iris: Iris,
    file: str,
) -> Extraction:
    """Extract every record of one article; ``file`` names it in the graph."""
    # Imported here: these modules build on Context, defined above.
    from kg_build.awards import extract_medals, extract_records
    from kg_build.facts import extract_claims
    from kg_build.results import extract_results

    ctx = make_context(article, settings, reference, vocab, iris)
    rounds = extract_results(ctx)
    records = extract_records(ctx, rounds)
    medals = extract_medals(ctx, rounds.teams)
    claims = extract_claims(ctx)
    athletes = {a for r in rounds.results for a in r.athletes} | {
        m.awarded_to for m in medals if m.as_member_of
    }
    event = _event(ctx, len(athletes))
    return Extraction(
        article=SourceArticle(iris.article(ctx.stem), article.title, file, article.src),
        event=event,
        games=_games(ctx),
        sports=_sports(ctx),
        venue=_venue(ctx),
        other_editions=_other_editions(ctx, event),
        nocs=_nocs(
            ctx,
            [(t.noc, t.src) for t in rounds.teams] + [(c.value, c.src) for c in claims if c.is_iri],
        ),
        people=_people(ctx, athletes),
        teams=rounds.teams,
        rounds=rounds.rounds,
        races=rounds.races,
        results=rounds.results,
        missing=rounds.missing,
        medals=medals,
        records=records,
        claims=claims,
        warnings=tuple(ctx.warnings),
    )


def _event(ctx: Context, named_competitors: int) -> Event:
    name = ctx.required("event")
    dates = ctx.required("dates")
    venue = ctx.required("venue")
    start, end, days = ctx.event_span()
    win_time, win_text, win_record = _winning_time(ctx)
    previous, following = (_edition_iri(ctx, key) for key in ("previous", "next"))
    return Event(
        iri=ctx.event,
        label=ctx.article.title,
        name=name.value,
        article=ctx.iris.article(ctx.stem),
        sport=ctx.iris.sport(ctx.title.sport),
        discipline=_discipline_iri(ctx),
        gender=_gender(ctx, name),
        games=ctx.iris.games(ctx.title.year, ctx.title.season),
        venue=ctx.iris.venue(ctx.venue_row().venue),
        venue_text=venue.value,
        dates_text=dates.value,
        start_date=start,
        end_date=end,
        days=days,
        winning_time=win_time,
        winning_time_text=win_text,
        winning_time_record=win_record,
        previous=previous,
        next=following,
        named_competitors=named_competitors,
        src=ctx.article.src,
    )


def _gender(ctx: Context, name: InfoboxField) -> Gender:
    first = name.value.split(" ", 1)[0]
    if first not in ctx.settings.genders:
        raise SourceError(
            name.src.path,
            name.src.line,
            f"event {quote(name.value)} names no gender of mappings/extraction.yaml",
        )
    return Gender(ctx.settings.genders[first])


def _winning_time(ctx: Context) -> tuple[Decimal | None, str | None, RecordKind | None]:
    win = ctx.infobox("win_value")
    if win is None:
        return None, None, None
    time_text, _, marker = win.value.partition(" ")
    try:
        seconds = parse_time(time_text)
    except BadValue as e:
        raise SourceError(win.src.path, win.src.line, str(e)) from e
    if marker and marker not in ctx.settings.record_codes:
        raise SourceError(
            win.src.path, win.src.line, f"winning time marker {quote(marker)} is no record code"
        )
    record = RecordKind(ctx.settings.record_codes[marker]) if marker else None
    return seconds, win.value, record


def _edition_iri(ctx: Context, key: str) -> str | None:
    found = ctx.infobox(key)
    if found is None:
        return None
    if not found.value.isdigit():
        raise SourceError(
            found.src.path, found.src.line, f"edition {quote(found.value)} is not a year"
        )
    return ctx.iris.event(int(found.value), ctx.title.sport, ctx.title.event)


def _other_editions(ctx: Context, event: Event) -> tuple[OtherEdition, ...]:
    editions = []
    for key in ("previous", "next"):
        found = ctx.infobox(key)
        if found is None:
            continue
        year = int(found.value)
        label = f"{ctx.title.sport} at the {year} {ctx.title.season} Olympics – {ctx.title.event}"
        iri = ctx.iris.event(year, ctx.title.sport, ctx.title.event)
        editions.append(OtherEdition(iri, label, year, event.sport, event.gender, found.src))
    return tuple(editions)


def _games(ctx: Context) -> Games:
    year, season = ctx.title.year, ctx.title.season
    row = ctx.reference.games.get(f"{year}-{season.lower()}")
    return Games(
        iri=ctx.iris.games(year, season),
        label=f"{year} {season} Olympics",
        year=year,
        season=season,
        host_city=row.host_city if row else None,
        host_country=row.host_country if row else None,
        source_url=row.source_url if row else None,
    )


def _discipline_iri(ctx: Context) -> str | None:
    row = ctx.reference.events.get(ctx.stem)
    return ctx.iris.discipline(row.discipline) if row else None


def _sports(ctx: Context) -> tuple[Sport, ...]:
    sport = Sport(ctx.iris.sport(ctx.title.sport), ctx.title.sport)
    row = ctx.reference.events.get(ctx.stem)
    if row is None:
        return (sport,)
    discipline = Sport(
        ctx.iris.discipline(row.discipline), row.discipline, sport.iri, row.source_url
    )
    return sport, discipline


def _venue(ctx: Context) -> Venue:
    row = ctx.venue_row()
    stated = ctx.required("venue")
    if not stated.value.startswith(row.venue):
        ctx.warn(
            stated.src,
            f"infobox venue {quote(stated.value)} does not start with the curated venue "
            f"'{row.venue}'",
        )
    return Venue(
        iri=ctx.iris.venue(row.venue),
        label=row.venue,
        city=row.city,
        country=row.country,
        utc_offset=row.utc_offset,
        time_zone_name=row.time_zone_name,
        source_url=row.source_url,
    )


def _nocs(ctx: Context, referenced: list[tuple[str, SourceRef]]) -> tuple[Noc, ...]:
    """Return every NOC the teams and facts refer to, and the country NOCs they stand for."""
    prefix = ctx.iris.noc("")
    codes: dict[str, SourceRef] = {}
    for iri, src in referenced:
        if iri.startswith(prefix):
            codes.setdefault(iri[len(prefix) :], src)
    for code, src in list(codes.items()):
        country = ctx.noc_row(code, src).country_code  # whose own row is checked when loaded
        if country:
            codes.setdefault(country, src)
    nocs = []
    for code in sorted(codes):
        row = ctx.noc_row(code, codes[code])
        associated = ctx.iris.noc(row.country_code) if row.country_code else None
        nocs.append(Noc(ctx.iris.noc(code), code, row.name, associated, row.source_url))
    return tuple(nocs)


def _people(ctx: Context, athletes: set[str]) -> tuple[Person, ...]:
    by_iri = {ctx.iris.person(name): entry for name, entry in ctx.roster.items()}
    return tuple(
        Person(iri, by_iri[iri].athlete, True, by_iri[iri].source_url) for iri in sorted(athletes)
    )
