"""The records section's tables, and the records standing at the event's start.

The section says which table lists the records set during the event, which those standing
at its start, and which announced table is missing. Wikipedia's records template writes the
standing records without a header row (``| World record | | Miho Takagi … | 2:50.87 | Salt
Lake City, United States | 8 December 2017 |``): such a table's columns are the settings'
``records_before_columns``, in order.
"""

from __future__ import annotations

from datetime import date

from msgspec import Struct

from kg_build.defaults import TP_IRI
from kg_build.extract.cells import Columns, read_columns, read_time
from kg_build.extract.lineups import name_noc, split_athletes
from kg_build.extract.scope import Scope
from kg_build.extract.values import BadValue, parse_day
from kg_build.messages import quote
from kg_build.model import Diagnostic, Paragraph, SourceRef, StandingRecord, Table, TableRow
from kg_build.model.diagnostics import diagnostic


class RecordsSection(Struct, frozen=True):
    """The records section's tables by what they list, and its announcements without one."""

    during: Table | None
    before: tuple[Table, ...]
    diagnostics: tuple[Diagnostic, ...]


def read_records_section(scope: Scope) -> RecordsSection:
    """Sort the records section's tables; a table follows the sentence that announces it."""
    section = scope.article.find_section(scope.settings.records_section)
    if section is None:
        return RecordsSection(None, (), ())
    found: list[Diagnostic] = []
    during: Table | None = None
    before: list[Table] = []
    announced: Paragraph | None = None
    for block in section.blocks:
        if isinstance(block, Table):
            if announced is not None and scope.settings.records_before.search(announced.text):
                before.append(block)
            elif during is None:
                during = block
            announced = None
            continue
        if announced is not None:
            found.append(_missing_table(announced))
        is_announcement = isinstance(block, Paragraph) and bool(
            scope.settings.records_announcement.search(block.text)
        )
        announced = block if is_announcement and isinstance(block, Paragraph) else None
    if announced is not None:
        found.append(_missing_table(announced))
    return RecordsSection(during, tuple(before), tuple(found))


def _missing_table(paragraph: Paragraph) -> Diagnostic:
    return diagnostic(
        "announced-records-missing",
        paragraph.src,
        f"the records section announces a table that is not there: {quote(paragraph.text)}",
        paragraph.text,
        "nothing for the missing table; records marked in the results are kept",
    )


class StandingOut(Struct, frozen=True):
    """The records standing at the event's start, and what could not be read of them."""

    records: tuple[StandingRecord, ...]
    diagnostics: tuple[Diagnostic, ...]


def extract_standing(scope: Scope, section: RecordsSection) -> StandingOut:
    """Read each row of the tables of records standing at the event's start."""
    records: list[StandingRecord] = []
    found: list[Diagnostic] = []
    for table in section.before:
        columns, rows = _columns_and_rows(scope, table)
        found += columns.diagnostics
        for row in rows:
            record, problems = _standing(scope, columns.cells(row), row.src)
            found += problems
            if record is not None and all(r.iri != record.iri for r in records):
                records.append(record)
    return StandingOut(tuple(records), tuple(found))


def _columns_and_rows(scope: Scope, table: Table) -> tuple[Columns, tuple[TableRow, ...]]:
    """Return a table's columns and rows; a header that names a record is a first row."""
    if _kind(scope, table.header[0]) is None:
        return read_columns(table, scope.settings.columns), table.rows
    roles = scope.settings.records_before_columns
    width = len(table.header)
    positional = Columns(tuple(roles[i] if i < len(roles) else None for i in range(width)), ())
    first = TableRow(table.header, None, table.src)
    return positional, (first, *table.rows)


def _standing(
    scope: Scope, cells: dict[str, str], src: SourceRef
) -> tuple[StandingRecord | None, list[Diagnostic]]:
    found: list[Diagnostic] = []
    kind = _kind(scope, cells.get("record", ""))
    if kind is None:
        found.append(
            diagnostic(
                "unknown-record-code",
                src,
                f"standing record {quote(cells.get('record', ''))} names no tp:RecordType of "
                "the ontology (by its label or code)",
                cells.get("record", ""),
                "nothing of that row",
            )
        )
        return None, found
    time = read_time(cells.get("time", ""), src, {}, scope.inputs.record_codes)
    found += time.diagnostics
    holders = cells.get("athletes", "")
    # Holders of records set before the event may have raced elsewhere only: their names are
    # kept as written, and linked only where the event's roster splits them.
    athletes = split_athletes(scope.roster, holders, src, scope.settings.placeholders, scope.stem)
    entries = (
        ()
        if any(d.code.startswith("athletes-") for d in athletes.diagnostics)
        else athletes.entries
    )
    named = name_noc(
        cells.get("country", ""), scope.reference.nocs, scope.settings.team_designation
    )
    nocs = {e.noc for e in entries} | ({named.noc} if named else set())
    code = scope.inputs.kind_codes.get(kind, kind)
    return (
        StandingRecord(
            iri=scope.iris.standing_record(scope.event, code),
            label=f"{code} standing at the start of {scope.article.title}",
            event=scope.event,
            record_type=kind,
            time=time.seconds,
            holder_text=holders or None,
            athletes=tuple(scope.iris.person(e.athlete) for e in entries),
            noc=scope.iris.noc(nocs.pop()) if len(nocs) == 1 else None,
            place_text=cells.get("place") or None,
            date=_date(cells.get("date", ""), src, found),
            src=src,
        ),
        found,
    )


def _kind(scope: Scope, text: str) -> str | None:
    """Return the record type a cell names by its label (World record) or its code (WR)."""
    if text in scope.inputs.record_codes:
        return scope.inputs.record_codes[text]
    kinds = scope.inputs.vocab.members.get(TP_IRI + "RecordType", frozenset())
    for kind in sorted(kinds):
        if scope.inputs.vocab.labels.get(kind, "").lower() == text.strip().lower():
            return kind.removeprefix(TP_IRI)
    return None


def _date(text: str, src: SourceRef, found: list[Diagnostic]) -> date | None:
    if not text:
        return None
    try:
        return parse_day(text, None, None)  # a standing record's date gives its year
    except BadValue as e:
        found.append(diagnostic("unreadable-field", src, f"standing record date: {e}", text))
        return None
