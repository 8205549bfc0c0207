"""Diagnostics: every code a build may report about an article, what it means, how it weighs.

The one list of codes: the extraction makes diagnostics only through ``diagnostic`` (an
unknown code is our bug, caught by the tests), the table of docs/diagnostics.md is checked
against it, and the command line prints a summary count per code and writes them all as JSON.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Sequence

from kg_build.model.source import Diagnostic, Level, SourceRef

W, D, M = Level.WARNING, Level.DIAGNOSTIC, Level.MISSING

# code → (level, what it means). Warnings: the graph says it all; diagnostics: something was
# not read; missing: our curated data lacks a row (the build stops).
CODES: dict[str, tuple[Level, str]] = {
    "conflicting-values": (W, "the article states two values for one fact; both are kept"),
    "stripped-marker": (W, "an empty item in a cell: a marker stripped, its kind unknown"),
    "round-code-conflict": (W, "a records table names another race than the results do"),
    "round-date-conflict": (W, "the lead gives a round another day than its section does"),
    "record-time-conflict": (W, "a records table gives another time than the results do"),
    "venue-conflict": (W, "the infobox venue does not start with the curated venue"),
    "announced-records-missing": (W, "a records table is announced and not there"),
    "medal-not-listed": (W, "an athlete raced for a medal team but no medal line names them"),
    "time-outcome": (W, "an outcome (DNF, DNS …) stands for a time: kept as the outcome"),
    "irregular-row": (D, "a table row not closed or of another width: the row left out"),
    "irregular-infobox": (D, "an infobox line not '- Key: Value', or a second infobox"),
    "irregular-heading": (D, "a heading not closed, unbalanced, empty or too deep: read as prose"),
    "row-without-athletes": (D, "a result names its team but not its athletes"),
    "row-without-team": (D, "a results row names no team: left out"),
    "rank-only-row": (D, "a results row holds only a rank: left out"),
    "short-line-up": (D, "a line-up names fewer athletes than a team needs to set a time"),
    "rank-as-text": (D, "a rank cell is not a plain number: its number kept, the cell as text"),
    "unreadable-time": (D, "a time cell is neither a time nor an outcome: kept as text"),
    "unreadable-deficit": (D, "a deficit cell is not a time difference: kept as text"),
    "unknown-record-code": (D, "a record marker of no known kind: kept as text"),
    "unknown-notes-code": (D, "a notes code that is no record, outcome, mark or race"),
    "record-without-time": (D, "a record marker on a result without a time: no record"),
    "record-not-matched": (D, "a records table row matches no result: left out"),
    "medallist-not-in-results": (D, "a medallist is in no results row: medal and team kept"),
    "medal-without-noc": (D, "a medal line names no NOC: the roster's NOC is used"),
    "medal-team-unknown": (D, "a medal line's team cannot be found: that medal left out"),
    "empty-list-item": (D, "a list with an empty item (a stripped flag): the item left out"),
    "section-not-a-round": (D, "a section under the results names no round: not read"),
    "round-without-results": (D, "a round section holds no results table: no results read"),
    "unknown-column": (D, "a table header names no known column: the column not read"),
    "duplicate-result": (D, "a team appears twice in one race: the second row left out"),
    "unreadable-field": (D, "an infobox field is not of a known form: left out"),
    "unreadable-start-time": (D, "a round's date or time of day is not readable: left out"),
    "no-roster": (M, "the curated rosters have no rows for this event"),
    "athletes-not-in-roster": (M, "an athletes cell does not split into roster names"),
    "athletes-ambiguous": (M, "an athletes cell splits into roster names in two ways"),
    "athletes-of-two-nocs": (M, "an athletes cell names athletes of two NOCs in the roster"),
    "noc-not-curated": (M, "an NOC has no curated row"),
    "venue-not-curated": (M, "the event's venue has no curated row"),
    # Listed by kg check only: rows a build does without.
    "games-not-curated": (W, "the Games have no curated row: no host city or country"),
    "discipline-not-curated": (W, "the event has no row in events.tsv: no discipline"),
}


def diagnostic(
    code: str, src: SourceRef, message: str, text: str = "", kept: str = ""
) -> Diagnostic:
    """Return a diagnostic of a known code, its level from the table above."""
    level, _ = CODES[code]
    return Diagnostic(code, level, message, src, text, kept)


def summary(found: Iterable[Diagnostic]) -> str:
    """Return one line counting the diagnostics per code, most frequent first."""
    counts = Counter(d.code for d in found)
    parts = [f"{n} {code}" for code, n in sorted(counts.items(), key=lambda c: (-c[1], c[0]))]
    return ", ".join(parts)


def to_json(found: Sequence[Diagnostic]) -> bytes:
    """Return the diagnostics as a JSON list, in the order the build reported them."""
    rows = [
        {
            "code": d.code,
            "level": d.level.value,
            "file": d.src.path,
            "line": d.src.line,
            "message": d.message,
            "text": d.text,
            "kept": d.kept,
        }
        for d in found
    ]
    return (json.dumps(rows, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
