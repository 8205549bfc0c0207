"""Table cells as typed values: column roles, ranks, times or outcomes, record markers.

Each reader returns what it could read and the diagnostics of what it could not; nothing
here raises on an irregular cell.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal

from msgspec import Struct

from kg_build.extract.values import BadValue, parse_deficit, parse_rank, parse_time
from kg_build.messages import quote
from kg_build.model import Diagnostic, SourceRef, Table, TableRow
from kg_build.model.diagnostics import diagnostic


class Columns(Struct, frozen=True):
    """Each column's role by its header (None: a column not read), and what was not known."""

    roles: tuple[str | None, ...]
    diagnostics: tuple[Diagnostic, ...]

    def cells(self, row: TableRow) -> dict[str, str]:
        """Return a row's cells by role; cells of columns not read are left out."""
        return {r: c for r, c in zip(self.roles, row.cells, strict=False) if r is not None}

    @property
    def known(self) -> frozenset[str]:
        """The roles this table has."""
        return frozenset(r for r in self.roles if r is not None)


def read_columns(table: Table, columns: Mapping[str, str]) -> Columns:
    """Name each column's role from its header by the settings' ``columns``."""
    roles: list[str | None] = []
    found: list[Diagnostic] = []
    for header in table.header:
        role = columns.get(header)
        if role is None or role in roles:
            why = "names no known column" if role is None else f"is a second '{role}' column"
            found.append(
                diagnostic(
                    "unknown-column",
                    table.src,
                    f"column {quote(header)} {why} (see columns in mappings/extraction.yaml)",
                    header,
                    "the rest of the table; this column is not read",
                )
            )
            role = None
        roles.append(role)
    return Columns(tuple(roles), tuple(found))


class RankCell(Struct, frozen=True):
    """A rank cell: the rank where it has one, and the cell as written when it is more."""

    rank: int | None
    text: str | None
    diagnostics: tuple[Diagnostic, ...] = ()


def read_rank(text: str, src: SourceRef) -> RankCell:
    """Read ``1``; keep ``=5``, ``2 (3)`` and ``–`` as written too, with a diagnostic."""
    if not text:
        return RankCell(None, None)
    if text.isdigit():
        return RankCell(int(text) or None, None)
    try:
        rank = parse_rank(text)
    except BadValue:
        kept, number = "the cell as text, no rank", None
    else:
        kept, number = f"rank {rank.rank} and the cell as text", rank.rank
    problem = diagnostic(
        "rank-as-text", src, f"rank {quote(text)} is not a plain number", text, kept
    )
    return RankCell(number, text, (problem,))


class Marker(Struct, frozen=True):
    """A record marker as written: its code, the record type it names, how it qualifies it."""

    text: str
    kind: str | None  # the tp:RecordType's local name; None for a code of no known type
    equalled: bool
    qualifier: str | None


_MARKER = re.compile(r"(?P<equal>=)?(?P<code>[A-Za-z][A-Za-z.]*)(?:\s*\((?P<qualifier>[^)]*)\))?")


def read_markers(text: str, codes: Mapping[str, str]) -> list[Marker]:
    """Read ``WR, OR``, ``OR WB (sea level) TR`` or ``=OR (1908)`` into markers, in order."""
    markers = []
    for match in _MARKER.finditer(text):
        code = match["code"]
        markers.append(
            Marker(
                text=match[0].strip(),
                kind=codes.get(code),
                equalled=bool(match["equal"]),
                qualifier=(match["qualifier"] or "").strip() or None,
            )
        )
    return markers


def unknown_marker(marker: Marker, src: SourceRef, kept: str) -> Diagnostic:
    """Say that a record marker is the code of no record type the ontology knows."""
    return diagnostic(
        "unknown-record-code",
        src,
        f"record marker {quote(marker.text)} is the code of no tp:RecordType of the ontology",
        marker.text,
        kept,
    )


def is_marker_text(text: str, codes: Mapping[str, str]) -> bool:
    """Tell whether every word of ``text`` is a known record marker."""
    markers = read_markers(text, codes)
    rest = _MARKER.sub("", text).replace(",", "").strip()
    return bool(markers) and not rest and all(m.kind for m in markers)


class TimeCell(Struct, frozen=True):
    """A time cell: seconds, or an outcome instead, and record markers written after it."""

    seconds: Decimal | None
    text: str | None  # the time as written, markers left out
    outcome: str | None  # a tp:Outcome's local name
    markers: tuple[Marker, ...]
    diagnostics: tuple[Diagnostic, ...] = ()
    unreadable: str | None = None  # a cell that is neither a time nor an outcome


def read_time(
    text: str, src: SourceRef, outcomes: Mapping[str, str], codes: Mapping[str, str]
) -> TimeCell:
    """Read ``3:42.032``, ``2:55.61 OR, TR`` (markers after the time) or ``DNF``."""
    if not text:
        return TimeCell(None, None, None, ())
    if text in outcomes:
        return TimeCell(None, None, outcomes[text], ())
    head, _, tail = text.partition(" ")
    try:
        seconds = parse_time(head)
    except BadValue as e:
        problem = diagnostic(
            "unreadable-time", src, str(e), text, "the cell as text; the time as missing"
        )
        return TimeCell(None, None, None, (), (problem,), text)
    markers = tuple(read_markers(tail, codes)) if tail.strip() else ()
    return TimeCell(seconds, head, None, markers)


class DeficitCell(Struct, frozen=True):
    """A deficit cell: seconds behind (0 for the leader's mark), or text alone."""

    seconds: Decimal | None
    text: str | None
    diagnostics: tuple[Diagnostic, ...] = ()


def read_deficit(text: str, src: SourceRef, leader_marks: tuple[str, ...]) -> DeficitCell:
    """Read ``+1.20`` or ``+3``; the leader's mark (``–``) is 0 s behind, kept as written."""
    if not text:
        return DeficitCell(None, None)
    if text in leader_marks:
        return DeficitCell(Decimal(0), text)
    try:
        return DeficitCell(parse_deficit(text), text)
    except BadValue as e:
        problem = diagnostic("unreadable-deficit", src, str(e), text, "the cell as text")
        return DeficitCell(None, text, (problem,))


def row_text(row: TableRow) -> str:
    """Write a table row as the article does: ``| 9 | | | 3:27.5 | |``."""
    return "|" + "".join(f" {c} |" if c else " |" for c in row.cells)
