"""Typed records that flow between the pipeline stages.

Every record keeps ``src``, the file and 1-based line it came from, so a later stage can
point a user back to the article.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import Enum


@dataclass(frozen=True, slots=True)
class SourceRef:
    """A place in a source file: the path as shown to the user and a 1-based line."""

    path: str
    line: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass(frozen=True, slots=True)
class InfoboxField:
    """One ``- Key: Value`` line of the infobox, key and value exactly as written."""

    key: str
    value: str
    src: SourceRef


@dataclass(frozen=True, slots=True)
class Paragraph:
    """A run of prose lines, joined by single spaces."""

    text: str
    src: SourceRef


@dataclass(frozen=True, slots=True)
class ListItem:
    """One ``- item`` line of a bullet list."""

    text: str
    src: SourceRef


@dataclass(frozen=True, slots=True)
class BulletList:
    """Consecutive bullet lines."""

    items: tuple[ListItem, ...]
    src: SourceRef


@dataclass(frozen=True, slots=True)
class TableGroup:
    """A row that labels the data rows below it (``| Final A | | |``)."""

    label: str
    src: SourceRef


@dataclass(frozen=True, slots=True)
class TableRow:
    """A data row: one string per header column, empty where the cell is empty."""

    cells: tuple[str, ...]
    group: TableGroup | None
    src: SourceRef


@dataclass(frozen=True, slots=True)
class Table:
    """A pipe table: its header, its group rows and its data rows."""

    header: tuple[str, ...]
    groups: tuple[TableGroup, ...]
    rows: tuple[TableRow, ...]
    src: SourceRef


Block = Paragraph | BulletList | Table


@dataclass(frozen=True, slots=True)
class Section:
    """A ``==`` heading (level 2), ``===`` (level 3) …, its blocks and its subsections."""

    title: str
    level: int
    blocks: tuple[Block, ...]
    subsections: tuple[Section, ...]
    src: SourceRef

    @property
    def tables(self) -> tuple[Table, ...]:
        """The tables directly in this section, not in its subsections."""
        return tuple(b for b in self.blocks if isinstance(b, Table))

    def walk(self) -> Iterator[Section]:
        """Yield this section and every section below it, in document order."""
        yield self
        for sub in self.subsections:
            yield from sub.walk()


@dataclass(frozen=True, slots=True)
class Article:
    """A parsed article: title, infobox, the lead before the first heading, and sections."""

    title: str
    infobox: tuple[InfoboxField, ...]
    lead: tuple[Block, ...]
    sections: tuple[Section, ...]
    src: SourceRef
    diagnostics: tuple[Diagnostic, ...] = ()  # lines that break the format, left out

    @property
    def path(self) -> str:
        """The article's file as shown to the user."""
        return self.src.path

    def walk(self) -> Iterator[Section]:
        """Yield every section of the article, in document order."""
        for section in self.sections:
            yield from section.walk()

    def find_section(self, title: str) -> Section | None:
        """Return the first section, at any depth, whose title is ``title``."""
        return next((s for s in self.walk() if s.title == title), None)

    def infobox_values(self, key: str) -> tuple[str, ...]:
        """Return every value of ``key`` in the infobox, in order (a key may repeat)."""
        return tuple(f.value for f in self.infobox if f.key == key)


# ---------------------------------------------------------------- extracted records
# IRIs are strings minted by iris.py; mapping.py turns them into rdflib terms.


@dataclass(frozen=True, slots=True)
class SourceArticle:
    """The article a graph was extracted from."""

    iri: str
    title: str
    file: str
    src: SourceRef


@dataclass(frozen=True, slots=True)
class Games:
    """A Games edition; host city and country come from curated data."""

    iri: str
    label: str
    year: int
    season: str
    host_city: str | None
    host_country: str | None
    source_url: str | None


@dataclass(frozen=True, slots=True)
class Sport:
    """A sport or a discipline of one (``sport`` set)."""

    iri: str
    label: str
    sport: str | None = None
    source_url: str | None = None


@dataclass(frozen=True, slots=True)
class Venue:
    """A venue with its city and the UTC offset of its local times (curated)."""

    iri: str
    label: str
    city: str
    country: str
    utc_offset: str | None
    time_zone_name: str | None
    source_url: str


@dataclass(frozen=True, slots=True)
class Noc:
    """A National Olympic Committee (curated)."""

    iri: str
    code: str
    label: str
    associated: str | None
    source_url: str


@dataclass(frozen=True, slots=True)
class Person:
    """A person; ``is_athlete`` when they raced in a round described here."""

    iri: str
    name: str
    is_athlete: bool
    source_url: str | None


@dataclass(frozen=True, slots=True)
class Event:
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


@dataclass(frozen=True, slots=True)
class OtherEdition:
    """The same event at another Games, known only by its year (Prev/Next)."""

    iri: str
    label: str
    year: int
    sport: str
    gender: Gender | None
    src: SourceRef


@dataclass(frozen=True, slots=True)
class Claim:
    """One statement of the article: always a triple; with ``iri``, also a reified tp:Claim.

    Keeping the claim with its text lets conflicting statements stand side by side.
    """

    iri: str | None
    about: str
    property: str
    value: str
    is_iri: bool
    datatype: str | None
    source_kind: str
    text: str
    article: str
    src: SourceRef


@dataclass(frozen=True, slots=True)
class Round:
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


@dataclass(frozen=True, slots=True)
class Race:
    """A heat or a named race (group row) of a round."""

    iri: str
    label: str
    round: str
    order: int
    src: SourceRef


@dataclass(frozen=True, slots=True)
class TeamEntry:
    """An NOC's team in an event, with every athlete who raced for it in any round."""

    iri: str
    label: str
    event: str
    noc: str
    designation: str | None  # "II" of "Germany II", where an NOC entered two teams
    members: tuple[str, ...]
    final_rank: int | None
    src: SourceRef


@dataclass(frozen=True, slots=True)
class Result:
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


@dataclass(frozen=True, slots=True)
class MissingValue:
    """A value the article does not give, with the reason (its own words where it has them)."""

    iri: str
    about: str
    property: str
    reason: str
    src: SourceRef
    label: str = field(init=False)  # "finishTime missing: <the reason>", made from the rest

    def __post_init__(self) -> None:
        name = self.property.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
        object.__setattr__(self, "label", f"{name} missing: {self.reason}")


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


@dataclass(frozen=True, slots=True)
class MedalAward:
    """A medal awarded to a team entry, or to one athlete as a member of it."""

    iri: str
    label: str
    event: str
    medal: MedalKind
    awarded_to: str
    as_member_of: str | None
    src: SourceRef


@dataclass(frozen=True, slots=True)
class Record:
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


@dataclass(frozen=True, slots=True)
class StandingRecord:
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


class Level(Enum):
    """How much a diagnostic weighs: what the build does about it."""

    # The article is irregular and the graph says so in full (claims side by side, a
    # tp:MissingValue with its reason): printed, never an error, not even with --strict.
    WARNING = "warning"
    # Part of the article could not be read: left out, or kept only in part. Printed, and
    # an error with --strict.
    DIAGNOSTIC = "diagnostic"
    # Our curated data lacks what the article needs (a roster, an NOC, a venue): the build
    # stops, naming every row to add; `kg check` lists them all.
    MISSING = "missing"


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """Something a build reports about an article: a code, where, what, and what it kept."""

    code: str
    level: Level
    message: str
    src: SourceRef
    text: str = ""  # the article's text as written
    kept: str = ""  # what the build kept or left out

    def __str__(self) -> str:
        return f"{self.src}: {self.message} [{self.code}]"


@dataclass(frozen=True, slots=True)
class Extraction:
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


@dataclass(frozen=True, slots=True)
class LanguageTable:
    """Which string literals are English text and which stay plain (``rules/language.yaml``)."""

    language: str  # the tag of text literals: en
    text_properties: frozenset[str]
    plain_properties: frozenset[str]
    text_classes: frozenset[str]  # an rdfs:label of a subject of these classes is text
    name_classes: frozenset[str]  # … of these a name: plain
    claim_object: str  # rdf:object: as the values of its claim's rdf:predicate
    path: str
    line: int


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """The terms the ontology declares, as IRI strings, with each data property's range."""

    classes: frozenset[str]
    object_properties: frozenset[str]
    data_ranges: Mapping[str, str]
    individuals: frozenset[str]
    members: Mapping[str, frozenset[str]]  # class → its individuals
    codes: Mapping[str, str]  # individual → its tp:code (record types: WR …)
    labels: Mapping[str, str]  # individual → its rdfs:label (record types: world record …)
    # The language table of the rules folder (load_config adds it): None tags nothing.
    languages: LanguageTable | None = None

    @property
    def terms(self) -> frozenset[str]:
        """Every declared class, property and individual."""
        return self.classes | self.object_properties | self.data_ranges.keys() | self.individuals


@dataclass(frozen=True, slots=True)
class DatasetDescription:
    """The VoID/DCAT description of a build: counts, sources, licence, date."""

    iri: str
    title: str
    description: str
    license: str
    modified: date
    uri_space: str
    vocabulary: str
    triples: int
    entities: int
    classes: int
    properties: int
    distinct_subjects: int
    distinct_objects: int
    sources: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Distribution:
    """One file of the dataset."""

    iri: str
    dataset: str
    title: str
    download_url: str
    media_type: str
    byte_size: int


@dataclass(frozen=True, slots=True)
class Partition:
    """A VoID class or property partition: a term and how much of the data uses it."""

    iri: str
    dataset: str
    term: str
    count: int
