"""The rows the pages show (results, line-ups, team entries, records, medals), from SPARQL.

Each function runs a query of ``kg_build/store/queries`` with the page's IRI bound to ``?this``
(``kg_build.store.sparql.with_values``) and returns typed rows, sorted; ``kg_build.web.profiles``
arranges them into pages. A row repeats where the graph holds a value twice (a label in two
named graphs, a rank under two properties), so rows are merged per thing first: each column
keeps the smallest value given, whatever order the rows came in. Medals, record types,
outcomes and round kinds are shown by their code and label from the vocabulary (the ontology
graph, or the data where it describes them), never by their IRI.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable
from typing import Any

import pyoxigraph as ox
from msgspec import Struct, field

from kg_build.store.sparql import query_text, short, with_values

LAST = 10**9  # sorts a missing order or rank after every given one

Row = dict[str, str]
Select = Callable[[str], list[dict[str, Any]]]


def query(name: str, iri: str | None = None, base: str | None = None) -> str:
    """Return ``queries/<name>.rq`` with the page's IRI as ``?this``, the base as ``?base``.

    Raise ValueError for an IRI that is none (a path with ``<``, ``"``, a space …).
    """
    bindings: dict[str, ox.NamedNode | ox.Literal] = {}
    if iri is not None:
        bindings["this"] = ox.NamedNode(iri)
    if base is not None:
        bindings["base"] = ox.Literal(base)
    text = query_text(name)
    return with_values(text, bindings) if bindings else text


def merge(rows: Iterable[dict[str, Any]], *keys: str) -> list[Row]:
    """Return one row per value of ``keys``: each column's smallest value given, else ``""``."""
    merged: dict[tuple[str, ...], Row] = {}
    for row in rows:
        entry = merged.setdefault(tuple(row[k].value for k in keys), dict.fromkeys(row, ""))
        for name, term in row.items():
            if term is not None and (not entry[name] or term.value < entry[name]):
                entry[name] = term.value
    return list(merged.values())


def number(text: str, missing: float = LAST) -> float:
    """Return a cell's number for sorting; ``missing`` where it has none."""
    try:
        return float(text)
    except ValueError:
        return missing


def round_title(row: Row) -> str:
    """Return a round's title: its tp:roundTitle, else its label's last part (``…: Finals``)."""
    return row.get("roundTitle") or row.get("roundLabel", "").rsplit(": ", 1)[-1]


def name_key(name: str) -> tuple[str, str]:
    """Sort names as people read them: accents and case aside (Émile next to Emil)."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().casefold()
    return folded, name


def last_segment(iri: str) -> str:
    """Return an IRI's last path segment (our IRIs' readable slugs)."""
    return iri.rstrip("/").rsplit("/", 1)[-1]


# ---------------------------------------------------------------- vocabulary


class Kind(Struct, frozen=True):
    """An individual of our vocabulary as people read it: its code (WR) and label."""

    iri: str
    code: str = ""
    label: str = ""
    medal_rank: int | None = None

    @property
    def title(self) -> str:
        """The label with a capital first letter (``world record`` → ``World record``).

        Without a label: the code, else the IRI as it is (never its local name).
        """
        if not self.label:
            return self.code or self.iri
        return self.label[:1].upper() + self.label[1:]

    @property
    def long(self) -> str:
        """Label and code: ``World record (WR)``; the label alone where there is no code."""
        return f"{self.title} ({self.code})" if self.code and self.label else self.title

    @property
    def short(self) -> str:
        """The code where there is one (``WR``), else the title (``Gold``)."""
        return self.code or self.title


def vocabulary(select: Select) -> dict[str, Kind]:
    """Return the record types, medals, outcomes, round kinds and genders by IRI."""
    kinds = {}
    for row in merge(select(query("vocabulary")), "term"):
        rank = int(row["medalRank"]) if row["medalRank"].isdigit() else None
        kinds[row["term"]] = Kind(row["term"], row["code"], row["label"], rank)
    return kinds


def kind_of(kinds: dict[str, Kind], iri: str) -> Kind | None:
    """Return the Kind of ``iri`` (one not described shows its IRI, never a local name)."""
    return (kinds.get(iri) or Kind(iri)) if iri else None


# ---------------------------------------------------------------- result rows


class Athlete(Struct, frozen=True):
    """An athlete named on a page: IRI and name."""

    iri: str
    name: str


class Record(Struct, frozen=True):
    """A record: its kind, time (as written where the result gives it), round and event."""

    iri: str
    kind: Kind
    seconds: str
    time_text: str
    date: str
    round: str
    round_order: float
    result: str
    event: str
    event_label: str
    event_date: str
    team: str
    team_label: str


class ResultRow(Struct, frozen=True):
    """One result as a results table shows it."""

    iri: str
    event: str
    event_label: str
    event_date: str
    round: str
    round_title: str
    round_order: float
    round_date: str
    round_kind: Kind | None
    race: str
    race_order: float
    team: str
    team_label: str
    noc: str
    noc_code: str
    noc_label: str
    rank: str
    seconds: str
    time_text: str
    deficit: str
    outcome: Kind | None
    notes: str
    qualified_for: str
    qualified_for_label: str
    start_side: str
    missing: str
    lineup: list[Athlete] = field(default_factory=list)
    records: list[Record] = field(default_factory=list)
    medal: Kind | None = None

    @property
    def round_anchor(self) -> str:
        """The round's anchor on its event's results page."""
        return last_segment(self.round)

    @property
    def results_link(self) -> str:
        """Where the round's results table is."""
        return f"/results/{last_segment(self.event)}.html#{self.round_anchor}"

    @property
    def sort_key(self) -> tuple[str, str, float, float, float, str, str]:
        """By event date, round order, race order, rank, NOC."""
        rank = number(self.rank.lstrip("="))
        return (
            self.event_date or "9999",
            self.event_label,
            self.round_order,
            self.race_order,
            rank,
            self.noc_code,
            self.iri,
        )


def result_rows(select: Select, iri: str, kinds: dict[str, Kind]) -> list[ResultRow]:
    """Return the results of a page (an athlete's, a team entry's, an event's, or itself)."""
    rows = [_result_row(row, kinds) for row in merge(select(query("result-rows", iri)), "result")]
    return sorted(rows, key=lambda r: r.sort_key)


def _result_row(row: Row, kinds: dict[str, Kind]) -> ResultRow:
    deficit = row["deficitText"] or (f"+{row['deficit']}" if row["deficit"] else "")
    return ResultRow(
        iri=row["result"],
        event=row["event"],
        event_label=row["eventLabel"],
        event_date=row["eventDate"],
        round=row["round"],
        round_title=round_title(row),
        round_order=number(row["roundOrder"]),
        round_date=row["roundDate"],
        round_kind=kind_of(kinds, row["roundKind"]),
        race=row["raceLabel"],
        race_order=number(row["raceOrder"]),
        team=row["team"],
        team_label=row["teamLabel"],
        noc=row["noc"],
        noc_code=row["nocCode"],
        noc_label=row["nocLabel"],
        rank=row["rankText"] or row["rank"],
        seconds=row["time"],
        time_text=row["timeText"],
        deficit=deficit,
        outcome=kind_of(kinds, row["outcome"]),
        notes=row["notes"],
        qualified_for=row["qualifiedFor"],
        qualified_for_label=row["qualifiedForLabel"],
        start_side=row["startSide"],
        missing=row["missing"],
    )


def lineups(select: Select, iri: str) -> dict[str, list[Athlete]]:
    """Return who rode or skated each result of a team entry (or of the result itself)."""
    found: dict[str, list[Athlete]] = {}
    for row in merge(select(query("lineups", iri)), "result", "athlete"):
        found.setdefault(row["result"], []).append(Athlete(row["athlete"], row["name"]))
    return {k: sorted(v, key=lambda a: (name_key(a.name), a.iri)) for k, v in found.items()}


def records(select: Select, iri: str, kinds: dict[str, Kind]) -> list[Record]:
    """Return the records of a page: set by an athlete or team entry, in a result, at an event."""
    found = [
        Record(
            iri=row["record"],
            kind=kind_of(kinds, row["type"]) or Kind(row["type"]),
            seconds=row["time"],
            time_text=row["timeText"],
            date=row["date"],
            round=round_title(row),
            round_order=number(row["roundOrder"]),
            result=row["result"],
            event=row["event"],
            event_label=row["eventLabel"],
            event_date=row["eventDate"],
            team=row["team"],
            team_label=row["teamLabel"],
        )
        for row in merge(select(query("records", iri)), "record")
    ]
    return sorted(found, key=lambda r: (r.event_date, r.event, r.round_order, r.date, r.iri))


class Medal(Struct, frozen=True):
    """A medal: its kind, event, and the team entry it was won with."""

    iri: str
    kind: Kind
    recipient: str
    event: str
    event_label: str
    event_date: str
    team: str
    team_label: str
    noc_label: str


def medals(select: Select, iri: str, kinds: dict[str, Kind]) -> list[Medal]:
    """Return the medals of a page: an athlete's, a team entry's, or an event's."""
    found = [
        Medal(
            iri=row["award"],
            kind=kind_of(kinds, row["medal"]) or Kind(row["medal"]),
            recipient=row["recipient"],
            event=row["event"],
            event_label=row["eventLabel"],
            event_date=row["eventDate"],
            team=row["team"],
            team_label=row["teamLabel"],
            noc_label=row["nocLabel"],
        )
        for row in merge(select(query("medals", iri)), "award")
    ]
    return sorted(found, key=lambda m: (m.event_date, m.event, m.kind.medal_rank or LAST, m.iri))


class TeamEntry(Struct, frozen=True):
    """A team entry: its event, NOC and final rank."""

    iri: str
    label: str
    event: str
    event_label: str
    event_date: str
    noc: str
    noc_code: str
    noc_label: str
    final_rank: str


def team_entries(select: Select, iri: str) -> list[TeamEntry]:
    """Return the team entries an athlete was a member of, or the team entry ``iri`` itself."""
    found = [
        TeamEntry(
            iri=row["team"],
            label=row["teamLabel"],
            event=row["event"],
            event_label=row["eventLabel"],
            event_date=row["eventDate"],
            noc=row["noc"],
            noc_code=row["nocCode"],
            noc_label=row["nocLabel"],
            final_rank=row["finalRank"],
        )
        for row in merge(select(query("team-entries", iri)), "team")
    ]
    return sorted(found, key=lambda e: (e.event_date or "9999", e.event_label, e.iri))


class Fact(Struct, frozen=True):
    """A property and value of a page's IRI (or a subject and property, for incoming links)."""

    prop: str
    prop_short: str
    value: str
    text: str  # what the page shows: a label, a vocabulary term's name, a literal's text
    is_iri: bool


def facts(rows: list[dict[str, Any]], var: str, kinds: dict[str, Kind]) -> list[Fact]:
    """Return each (property, ``var``) once, in the rows' order; with its label where it has one.

    A term of our vocabulary reads by its label and code (``World record (WR)``).
    """
    labels: dict[tuple[str, str], str] = {}
    terms: dict[tuple[str, str], tuple[Any, Any]] = {}
    for row in rows:
        key = (row["p"].value, str(row[var]))
        terms.setdefault(key, (row["p"], row[var]))
        if row["label"] is not None and (key not in labels or row["label"].value < labels[key]):
            labels[key] = row["label"].value
    found = []
    for key, (prop, term) in terms.items():
        is_iri = isinstance(term, ox.NamedNode)
        kind = kinds.get(term.value) if is_iri else None
        text = kind.long if kind else labels.get(key) or short(term)
        found.append(Fact(prop.value, short(prop), term.value, text, is_iri))
    return found
