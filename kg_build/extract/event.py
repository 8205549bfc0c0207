"""The event an article describes, and what frames it: Games, sports, venue, editions, NOCs.

Infobox fields the build cannot read are diagnostics; the event keeps what the article gives.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from msgspec import Struct

from kg_build.extract.cells import read_markers, unknown_marker
from kg_build.extract.scope import Scope
from kg_build.extract.values import BadValue, parse_time
from kg_build.messages import quote
from kg_build.model import (
    Diagnostic,
    Event,
    Games,
    Gender,
    InfoboxField,
    Noc,
    OtherEdition,
    Person,
    SourceRef,
    Sport,
    Venue,
)
from kg_build.model.diagnostics import diagnostic


class EventOut(Struct, frozen=True):
    """The event and what frames it, and what the build reports about them."""

    event: Event
    games: Games
    sports: tuple[Sport, ...]
    venue: Venue | None
    other_editions: tuple[OtherEdition, ...]
    diagnostics: tuple[Diagnostic, ...]


def extract_event(scope: Scope, named_competitors: int) -> EventOut:
    """Read the event's fields from the title and the infobox."""
    found: list[Diagnostic] = []
    name = scope.infobox("event")
    dates = scope.infobox("dates")
    venue_field = scope.infobox("venue")
    span = scope.span
    win_time, win_text, win_records = _winning_time(scope, found)
    previous, following = (_edition(scope, key, found) for key in ("previous", "next"))
    venue = _venue(scope, venue_field, found)
    event = Event(
        iri=scope.event,
        label=scope.article.title,
        name=name.value if name else scope.title.event,
        article=scope.article_iri,
        sport=scope.iris.sport(scope.title.sport),
        discipline=_discipline_iri(scope),
        gender=_gender(scope, name, found),
        games=scope.iris.games(scope.title.year, scope.title.season),
        venue=venue.iri if venue else None,
        venue_text=venue_field.value if venue_field else None,
        dates_text=dates.value if dates else None,
        start_date=span.first if span else None,
        end_date=span.last if span else None,
        days=span.days if span else (),
        winning_time=win_time,
        winning_time_text=win_text,
        winning_time_records=win_records,
        previous=previous[0] if previous else None,
        next=following[0] if following else None,
        named_competitors=named_competitors,
        src=scope.article.src,
    )
    title = scope.title
    editions = tuple(
        OtherEdition(
            iri,
            f"{title.sport} at the {year} {title.season} Olympics – {title.event}",
            year,
            event.sport,
            event.gender,
            src,
        )
        for iri, year, src in (e for e in (previous, following) if e)
    )
    return EventOut(event, _games(scope), _sports(scope), venue, editions, tuple(found))


def _gender(scope: Scope, name: InfoboxField | None, found: list[Diagnostic]) -> Gender | None:
    """Return the gender the event name's first word gives (else the title's event)."""
    for text in ([name.value] if name else []) + [scope.title.event]:
        first = text.split(" ", 1)[0]
        if first in scope.settings.genders:
            return Gender(scope.settings.genders[first])
    where = name.src if name else scope.article.src
    found.append(
        diagnostic(
            "unreadable-field",
            where,
            f"event {quote(name.value if name else scope.title.event)} names no gender of "
            "mappings/extraction.yaml",
            name.value if name else scope.title.event,
            "the event without a gender category",
        )
    )
    return None


def _winning_time(
    scope: Scope, found: list[Diagnostic]
) -> tuple[Decimal | None, str | None, tuple[str, ...]]:
    """Read ``3:42.032 WR`` or ``3:14.051 WR, OR``: the time and the records it set."""
    win = scope.infobox("win_value")
    if win is None:
        return None, None, ()
    time_text, _, marker_text = win.value.partition(" ")
    try:
        seconds = parse_time(time_text)
    except BadValue as e:
        found.append(
            diagnostic("unreadable-field", win.src, f"winning time: {e}", win.value, "no time")
        )
        return None, win.value, ()
    kinds = []
    for marker in read_markers(marker_text, scope.inputs.record_codes):
        if marker.kind is None:
            found.append(unknown_marker(marker, win.src, "the winning time and its text"))
        else:
            kinds.append(marker.kind)
    return seconds, win.value, tuple(kinds)


def _edition(scope: Scope, key: str, found: list[Diagnostic]) -> tuple[str, int, SourceRef] | None:
    """Return the IRI, year and line of the previous or next edition the infobox names."""
    field = scope.infobox(key)
    if field is None:
        return None
    if not field.value.isdigit():
        found.append(
            diagnostic(
                "unreadable-field",
                field.src,
                f"edition {quote(field.value)} is not a year",
                field.value,
                "no link to that edition",
            )
        )
        return None
    year = int(field.value)
    return scope.iris.event(year, scope.title.sport, scope.title.event), year, field.src


def _games(scope: Scope) -> Games:
    year, season = scope.title.year, scope.title.season
    key = f"{year}-{season.lower()}"
    row = scope.reference.games.get(key)
    return Games(
        iri=scope.iris.games(year, season),
        label=f"{year} {season} Olympics",
        year=year,
        season=season,
        host_city=row.host_city if row else None,
        host_country=row.host_country if row else None,
        source_url=row.source_url if row else None,
    )


def _discipline_iri(scope: Scope) -> str | None:
    row = scope.reference.events.get(scope.stem)
    return scope.iris.discipline(row.discipline) if row else None


def _sports(scope: Scope) -> tuple[Sport, ...]:
    sport = Sport(scope.iris.sport(scope.title.sport), scope.title.sport)
    row = scope.reference.events.get(scope.stem)
    if row is None:
        return (sport,)
    discipline = Sport(
        scope.iris.discipline(row.discipline), row.discipline, sport.iri, row.source_url
    )
    return sport, discipline


def _venue(scope: Scope, stated: InfoboxField | None, found: list[Diagnostic]) -> Venue | None:
    row = scope.reference.venues.get(scope.stem)
    if row is None:
        found.append(
            diagnostic(
                "venue-not-curated",
                stated.src if stated else scope.article.src,
                f"no row for event '{scope.stem}' in {scope.reference.file('venues.tsv')} "
                "(add one with its source)",
                stated.value if stated else "",
            )
        )
        return None
    if stated is not None and not stated.value.startswith(row.venue):
        found.append(
            diagnostic(
                "venue-conflict",
                stated.src,
                f"infobox venue {quote(stated.value)} does not start with the curated venue "
                f"'{row.venue}'",
                stated.value,
                "both: the curated venue and the infobox's text",
            )
        )
    return Venue(
        iri=scope.iris.venue(row.venue),
        label=row.venue,
        city=row.city,
        country=row.country,
        utc_offset=row.utc_offset or None,
        time_zone_name=row.time_zone_name or None,
        source_url=row.source_url,
    )


def extract_nocs(
    scope: Scope, used: Mapping[str, SourceRef]
) -> tuple[tuple[Noc, ...], list[Diagnostic]]:
    """Return every NOC referred to (with where first), and the country NOCs they stand for."""
    wanted = set(used)
    nocs = scope.reference.nocs
    wanted |= {nocs[c].country_code for c in wanted if c in nocs} - {""}
    found: list[Diagnostic] = []
    out = []
    for code in sorted(wanted):
        row = nocs.get(code)
        if row is None:
            found.append(
                diagnostic(
                    "noc-not-curated",
                    used.get(code, scope.article.src),
                    f"no row for NOC '{code}' in {scope.reference.file('nocs.tsv')} "
                    "(add one with its source)",
                    code,
                )
            )
            continue
        associated = scope.iris.noc(row.country_code) if row.country_code else None
        out.append(Noc(scope.iris.noc(code), code, row.name, associated, row.source_url))
    return tuple(out), found


def extract_people(scope: Scope, athletes: set[str]) -> tuple[Person, ...]:
    """Return a Person for each athlete IRI, with their curated row's name and source."""
    by_iri = {scope.iris.person(name): entry for name, entry in scope.roster.people.items()}
    return tuple(
        Person(iri, by_iri[iri].athlete, True, by_iri[iri].source_url) for iri in sorted(athletes)
    )
