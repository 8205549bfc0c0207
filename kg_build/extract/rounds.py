"""Rounds: the results section's subsections, their results tables and local start times.

A round's results stand in one table, or in several: each under a heading of its own
(``==== Heat 1 ====``) or after a one-line paragraph that labels it (``Quarterfinal 1``).
"""

from __future__ import annotations

import re
from datetime import date, datetime

from msgspec import Struct

from kg_build.extract.cells import read_columns, row_text
from kg_build.extract.scope import Scope
from kg_build.extract.values import BadValue, local_datetime, parse_day
from kg_build.messages import quote
from kg_build.model import Diagnostic, MissingValue, Paragraph, Round, Section, SourceRef, Table
from kg_build.model.diagnostics import diagnostic
from kg_build.rdf.namespaces import TP


class RaceTable(Struct, frozen=True):
    """A results table of a round, with the race its heading or label paragraph names."""

    table: Table
    label: str | None
    label_src: SourceRef | None
    section: Section  # where the table stands (the round's section or a race's)


class DayStated(Struct, frozen=True):
    """Where the article gives a round's day: the sentence or schedule row, as written."""

    day: str  # as written: 15 February
    text: str
    kind: str  # prose or table (tp:sourceKind)
    src: SourceRef


class RoundRead(Struct, frozen=True):
    """A round, its section and its results tables."""

    round: Round
    section: Section
    tables: tuple[RaceTable, ...]
    day: DayStated | None = None


class RoundsRead(Struct, frozen=True):
    """The rounds of an article, what their start times lack, and what could not be read."""

    rounds: tuple[RoundRead, ...]
    missing: tuple[MissingValue, ...]
    diagnostics: tuple[Diagnostic, ...]


def read_rounds(scope: Scope) -> RoundsRead:
    """Read every round section under the results section, in order."""
    results = scope.article.find_section(scope.settings.results_section)
    assert results is not None  # make_scope refuses an article without one
    rounds: list[RoundRead] = []
    missing: list[MissingValue] = []
    found: list[Diagnostic] = []
    for section in results.subsections:
        kind = scope.settings.rounds.get(section.title)
        if kind is None:
            found.append(
                diagnostic(
                    "section-not-a-round",
                    section.src,
                    f"section {quote(section.title)} under "
                    f"'{scope.settings.results_section}' names no round of "
                    "mappings/extraction.yaml",
                    section.title,
                    "the section is not read as results",
                )
            )
            continue
        stated = _scheduled(scope, section)
        start, day, gaps, problems = _start(scope, stated)
        round_ = Round(
            iri=scope.iris.round(scope.event, section.title),
            label=f"{scope.article.title}: {section.title}",
            title=section.title,
            event=scope.event,
            kind=kind,
            order=len(rounds) + 1,
            start_time=start,
            local_date=day,
            src=section.src,
        )
        tables = _race_tables(section, scope.settings.race_label)
        if not tables:
            found.append(
                diagnostic(
                    "round-without-results",
                    section.src,
                    f"round {quote(section.title)} has no results table",
                    section.title,
                    "the round, without results",
                )
            )
        rounds.append(RoundRead(round_, section, tables, stated if day else None))
        missing += [
            MissingValue(
                scope.iris.missing(round_.iri, prop), round_.iri, str(TP[prop]), why, section.src
            )
            for prop, why in gaps
        ]
        found += problems
    return RoundsRead(tuple(rounds), tuple(missing), tuple(found))


def _race_tables(section: Section, race_label: re.Pattern[str]) -> tuple[RaceTable, ...]:
    """Return the round's tables: its own (a label paragraph before each) and its races'."""
    tables: list[RaceTable] = []
    label: Paragraph | None = None
    for block in section.blocks:
        if isinstance(block, Table):
            tables.append(
                RaceTable(
                    block, label.text if label else None, label.src if label else None, section
                )
            )
            label = None
        elif isinstance(block, Paragraph) and race_label.fullmatch(block.text.strip()):
            label = block
        else:
            label = None
    for sub in section.subsections:
        tables += [RaceTable(t, sub.title, sub.src, sub) for t in sub.tables]
    return tuple(tables)


# ---------------------------------------------------------------- start times


def _start(
    scope: Scope, stated: _Scheduled | None
) -> tuple[datetime | None, date | None, list[tuple[str, str]], list[Diagnostic]]:
    """Return a round's local start time and day, what of them is missing, and problems."""
    if stated is None:
        return None, None, [("startTime", "the article gives no start time")], []
    day_text, clock, src = stated.day, stated.clock, stated.src
    try:
        day = parse_day(day_text, scope.span, scope.title.year)
    except BadValue as e:
        return (
            None,
            None,
            [("startTime", "the article gives no readable start time")],
            [
                diagnostic(
                    "unreadable-start-time", src, str(e), day_text, "no start time for the round"
                )
            ],
        )
    if not clock:
        return None, day, [("startTime", "the article gives the day but no time of day")], []
    venue = scope.reference.venues.get(scope.stem)
    if venue is None or not venue.utc_offset:
        why = (
            f"the article gives {clock} local time, and the venue's UTC offset is not curated, "
            "so the time cannot be given with its offset"
        )
        return None, day, [("startTime", why)], []
    try:
        # The article's clock times are local; the venue's UTC offset is curated data.
        start = local_datetime(day, clock, venue.utc_offset)
    except BadValue as e:
        return (
            None,
            day,
            [("startTime", "the article gives no readable time of day")],
            [diagnostic("unreadable-start-time", src, str(e), clock, "the day alone")],
        )
    return start, day, [], []


class _Scheduled(DayStated, frozen=True):
    clock: str | None = None


def _scheduled(scope: Scope, section: Section) -> _Scheduled | None:
    """Find a round's day and time: the schedule table's row, or a sentence of its section."""
    schedule = scope.article.find_section(scope.settings.schedule_section)
    if schedule is not None and schedule.tables:
        table = schedule.tables[0]
        columns = read_columns(table, scope.settings.columns)
        rows = [(columns.cells(row), row.src) for row in table.rows]
        named = [(c, s) for c, s in rows if c.get("round") == section.title]
        if not named:  # the schedule may name the round otherwise ("Qualification")
            kind = scope.settings.rounds.get(section.title)
            named = [
                (c, s) for c, s in rows if scope.settings.rounds.get(c.get("round", "")) == kind
            ]
            if len(named) != 1 or _kind_count(scope, kind) != 1:
                named = []
        if named:
            cells, src = named[0]
            if not cells.get("date"):
                return None
            row = next(r for r in table.rows if r.src == src)
            return _Scheduled(cells["date"], row_text(row), "table", src, cells.get("time"))
    for block in section.blocks:
        if isinstance(block, Paragraph):
            for sentence in sentences(block.text):
                match = scope.settings.round_time_sentence.fullmatch(sentence)
                if match:
                    return _Scheduled(match["day"], sentence, "prose", block.src, match["time"])
    return None


def _kind_count(scope: Scope, kind: str | None) -> int:
    results = scope.article.find_section(scope.settings.results_section)
    subsections = results.subsections if results else ()
    return sum(1 for s in subsections if scope.settings.rounds.get(s.title) == kind)


def sentences(text: str) -> list[str]:
    """Split a paragraph into sentences at a full stop and a space."""
    parts = [p.strip() for p in text.replace(". ", ".\n").split("\n")]
    return [p for p in parts if p]
