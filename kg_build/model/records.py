"""The records extraction gives and the mapping rules read, one class per ontology class.

IRIs are strings minted by iris.py; a claim's value is an RDF term (typed by its property's
range); the mapping executor turns the rest into RDF terms.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import Enum

from msgspec import Struct
from msgspec.structs import force_setattr
from rdflib import Literal, URIRef

from kg_build.model.source import Diagnostic, SourceRef

RdfTerm = URIRef | Literal


class SourceArticle(Struct, frozen=True):
    """The article a graph was extracted from."""

    iri: str
    title: str
    file: str
    src: SourceRef


class Games(Struct, frozen=True):
    """A Games edition; host city and country come from curated data."""

    iri: str
    label: str
    year: int
    season: str
    host_city: str | None
    host_country: str | None
    source_url: str | None


class Sport(Struct, frozen=True):
    """A sport or a discipline of one (``sport`` set)."""

    iri: str
    label: str
    sport: str | None = None
    source_url: str | None = None


class Venue(Struct, frozen=True):
    """A venue with its city and the UTC offset of its local times (curated)."""

    iri: str
    label: str
    city: str
    country: str
    utc_offset: str | None
    time_zone_name: str | None
    source_url: str


class Noc(Struct, frozen=True):
    """A National Olympic Committee (curated)."""

    iri: str
    code: str
    label: str
    associated: str | None
    source_url: str


class Person(Struct, frozen=True):
    """A person; ``is_athlete`` when they raced in a round described here."""

    iri: str
    name: str
    is_athlete: bool
    source_url: str | None


class Event(Struct, frozen=True):
    """The event an article describes."""

    iri: str
    label: str
    name: str
    article: str
    sport: str
    discipline: str | None
    gender: Gender | None
    games: str
    venue: str | None
    venue_text: str | None
    dates_text: str | None
    start_date: date | None
    end_date: date | None
    days: tuple[date, ...]
    winning_time: Decimal | None
    winning_time_text: str | None
    winning_time_records: tuple[str, ...]  # tp:RecordType individuals' local names
    previous: str | None
    next: str | None
    named_competitors: int
    src: SourceRef


class OtherEdition(Struct, frozen=True):
    """The same event at another Games, known only by its year (Prev/Next)."""

    iri: str
    label: str
    year: int
    sport: str
    gender: Gender | None
    src: SourceRef


class Claim(Struct, frozen=True):
    """One statement of the article: always a triple; with ``iri``, also a reified tp:Claim.

    Keeping the claim with its text lets conflicting statements stand side by side.
    """

    iri: str | None
    about: str
    property: str
    value: RdfTerm  # an IRI, or a literal typed by the property's rdfs:range
    source_kind: str
    text: str
    article: str
    src: SourceRef


class Round(Struct, frozen=True):
    """A round of an event, with its local start time where the article gives it."""

    iri: str
    label: str
    title: str
    event: str
    kind: str  # a tp:RoundKind individual's local name (FirstRound …)
    order: int
    start_time: datetime | None
    local_date: date | None
    src: SourceRef


class Race(Struct, frozen=True):
    """A heat or a named race (group row) of a round."""

    iri: str
    label: str
    round: str
    order: int
    src: SourceRef


class TeamEntry(Struct, frozen=True):
    """An NOC's team in an event, with every athlete who raced for it in any round."""

    iri: str
    label: str
    event: str
    noc: str
    designation: str | None  # "II" of "Germany II", where an NOC entered two teams
    members: tuple[str, ...]
    final_rank: int | None
    src: SourceRef


class Result(Struct, frozen=True):
    """One team's result in one round (and race); absent values are None."""

    iri: str
    label: str
    round: str
    race: str | None
    team: str
    round_rank: int | None
    race_rank: int | None
    rank_text: str | None  # the rank cell as written, when it is more than a number
    time: Decimal | None
    time_text: str | None
    deficit: Decimal | None
    deficit_text: str | None
    start_side: str | None
    notes_text: str | None
    outcome: str | None  # a tp:Outcome's local name, given instead of a time
    marker_text: str | None  # record markers of no known type, as written
    qualified_for: str | None
    qualification_text: str | None
    athletes: tuple[str, ...]
    src: SourceRef

    @property
    def rank(self) -> int | None:
        """tp:rank: the rank the article gives, in the result's race or its round."""
        return self.race_rank if self.race_rank is not None else self.round_rank


class MissingValue(Struct, frozen=True):
    """A value the article does not give, with the reason (its own words where it has them)."""

    iri: str
    about: str
    property: str
    reason: str
    src: SourceRef
    label: str = ""  # "finishTime missing: <the reason>", made from the rest on creation

    def __post_init__(self) -> None:
        name = self.property.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
        force_setattr(self, "label", f"{name} missing: {self.reason}")


class MedalKind(Enum):
    """Medal types; values are the ontology's individuals (tp:Gold …)."""

    GOLD = "Gold"
    SILVER = "Silver"
    BRONZE = "Bronze"


class Gender(Enum):
    """Gender categories; values are the ontology's individuals (tp:Men …)."""

    MEN = "Men"
    WOMEN = "Women"
    MIXED = "Mixed"


class MedalAward(Struct, frozen=True):
    """A medal awarded to a team entry, or to one athlete as a member of it."""

    iri: str
    label: str
    event: str
    medal: MedalKind
    awarded_to: str
    as_member_of: str | None
    src: SourceRef


class Record(Struct, frozen=True):
    """A record set during the event."""

    iri: str
    label: str
    event: str
    record_type: str  # a tp:RecordType individual's local name (WorldRecord …)
    code: str
    equalled: bool | None  # True for =WR, =OR: the time equalled the record; else None
    qualifier: str | None
    time: Decimal
    time_text: str
    date: date | None
    team: str
    athletes: tuple[str, ...]
    result: str | None
    round: str | None
    race: str | None
    round_text: str | None
    supersedes: str | None
    src: SourceRef


class StandingRecord(Struct, frozen=True):
    """A record held when the event began, as the records section's table gives it.

    Not set in the event: it has no team entry or result of the event, only its holders as
    the article writes them (and the athletes of the roster they name).
    """

    iri: str
    label: str
    event: str
    record_type: str  # a tp:RecordType individual's local name
    time: Decimal | None
    holder_text: str | None
    athletes: tuple[str, ...]
    noc: str | None
    place_text: str | None
    date: date | None
    src: SourceRef


class Extraction(Struct, frozen=True):
    """Everything extracted from one article."""

    article: SourceArticle
    event: Event
    games: Games
    sports: tuple[Sport, ...]
    venue: Venue | None
    other_editions: tuple[OtherEdition, ...]
    nocs: tuple[Noc, ...]
    people: tuple[Person, ...]
    teams: tuple[TeamEntry, ...]
    rounds: tuple[Round, ...]
    races: tuple[Race, ...]
    results: tuple[Result, ...]
    missing: tuple[MissingValue, ...]
    medals: tuple[MedalAward, ...]
    records: tuple[Record, ...]
    standing_records: tuple[StandingRecord, ...]
    claims: tuple[Claim, ...]
    diagnostics: tuple[Diagnostic, ...]


class Link(Struct, frozen=True):
    """A curated link: our IRI, its Wikidata item, and where it was checked."""

    entity: str
    match: str
    item: str
    label: str
    confidence: float
    see_also: str
    line: int
