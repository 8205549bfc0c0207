"""A row's athletes and team: athletes cells split by the curated roster, teams by their NOC.

Names are matched against the event's roster (its names and their curated spellings), never
split by counting words: exactly one way of reading a space-joined cell must exist. A cell
that cannot be read so is our curated data's gap, named so that `kg check` can list it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

from msgspec import Struct

from kg_build.curated.reference import NocRow
from kg_build.curated.rosters import RosterEntry
from kg_build.errors import MappingError
from kg_build.messages import quote
from kg_build.model import Diagnostic, SourceRef
from kg_build.model.diagnostics import diagnostic


class Roster(Struct, frozen=True):
    """An event's athletes by every way the article writes them."""

    people: Mapping[str, RosterEntry]  # name → its row
    spellings: Mapping[tuple[str, ...], RosterEntry]  # the words of each name and alias → row
    longest: int  # the most words in a name or alias
    file: str  # the rosters file as shown

    def find(self, name: str) -> RosterEntry | None:
        """Return the athlete a name or a curated spelling of it stands for."""
        return self.spellings.get(tuple(name.split()))


def make_roster(entries: Iterable[RosterEntry], file: str) -> Roster:
    """Index an event's roster rows; an alias must spell an athlete of the same event."""
    rows = list(entries)
    people = {e.athlete: e for e in rows if not e.alias}
    spellings: dict[tuple[str, ...], RosterEntry] = {}
    for entry in rows:
        person = people.get(entry.athlete)
        if person is None:
            raise MappingError(
                entry.file or file,
                entry.line,
                f"alias '{entry.alias}' spells '{entry.athlete}', who has no row of their own "
                f"for '{entry.event}' (add one with its source)",
            )
        if entry.noc != person.noc:
            raise MappingError(
                entry.file or file,
                entry.line,
                f"alias '{entry.alias}' of '{entry.athlete}' gives NOC {entry.noc}, "
                f"their row gives {person.noc}",
            )
        spellings[tuple((entry.alias or entry.athlete).split())] = person
    longest = max((len(words) for words in spellings), default=1)
    return Roster(people, spellings, longest, file)


class Athletes(Struct, frozen=True):
    """What an athletes cell gives: roster rows, or nothing (an empty cell, a placeholder)."""

    entries: tuple[RosterEntry, ...]
    given: bool
    diagnostics: tuple[Diagnostic, ...]


def split_athletes(
    roster: Roster, cell: str, src: SourceRef, placeholders: Sequence[str], stem: str
) -> Athletes:
    """Read an athletes cell: comma-separated names, or names joined by spaces."""
    text = cell.strip()
    if not text or text in placeholders:
        return Athletes((), False, ())
    found: list[Diagnostic] = []
    if "," in text:
        items = [item.strip() for item in text.split(",")]
        if not all(items):
            found.append(
                diagnostic(
                    "empty-list-item",
                    src,
                    f"the list {quote(text)} has an empty item (a stripped flag)",
                    text,
                    "the list without the empty item",
                )
            )
        parts = [item for item in items if item]
    else:
        parts = [text]
    entries: list[RosterEntry] = []
    for part in parts:
        way, problem = _segment(roster, part, src, stem)
        entries += way
        found += problem
    return Athletes(tuple(entries), True, tuple(found))


def _segment(
    roster: Roster, cell: str, src: SourceRef, stem: str
) -> tuple[list[RosterEntry], list[Diagnostic]]:
    """Split space-joined names by the roster; exactly one way must fit."""
    tokens = cell.split()
    names, longest = roster.spellings, roster.longest
    # ways[i]: the segmentations of tokens[i:], two at most (one more makes it ambiguous).
    ways: list[list[tuple[RosterEntry, ...]]] = [[] for _ in tokens] + [[()]]
    for i in range(len(tokens) - 1, -1, -1):
        for size in range(1, min(longest, len(tokens) - i) + 1):
            entry = names.get(tuple(tokens[i : i + size]))
            if entry is not None:
                ways[i].extend((entry, *rest) for rest in ways[i + size])
        ways[i] = ways[i][:2]
    if not ways[0]:
        stuck = " ".join(tokens[_furthest_reach(tokens, names, longest) :])
        return [], [
            diagnostic(
                "athletes-not-in-roster",
                src,
                f"athletes {quote(cell)} do not split into names of the roster of '{stem}' "
                f"({roster.file}): no roster name starts {quote(stuck)} "
                "(add the athlete, or an alias row for this spelling, with its source)",
                cell,
            )
        ]
    if len(ways[0]) > 1:
        options = " | ".join(", ".join(e.athlete for e in way) for way in ways[0])
        return [], [
            diagnostic(
                "athletes-ambiguous",
                src,
                f"athletes {quote(cell)} split in more than one way: {options}",
                cell,
            )
        ]
    return list(ways[0][0]), []


def _furthest_reach(
    tokens: list[str], names: Mapping[tuple[str, ...], RosterEntry], longest: int
) -> int:
    """Return the furthest token a run of roster names from the start reaches."""
    reached = {0}
    for i in range(len(tokens)):
        if i in reached:
            reached |= {
                i + size for size in range(1, longest + 1) if tuple(tokens[i : i + size]) in names
            }
    return max(p for p in reached if p <= len(tokens))


class TeamId(Struct, frozen=True):
    """Which team a row is: an NOC, and a designation where an NOC entered two teams."""

    noc: str
    designation: str | None = None

    @property
    def key(self) -> str:
        """The team's part of its IRIs: ``GER``, ``GER-II``."""
        return f"{self.noc}-{self.designation}" if self.designation else self.noc


def name_noc(text: str, nocs: Mapping[str, NocRow], designation: re.Pattern[str]) -> TeamId | None:
    """Return the team a country cell names by NOC code or name, with any designation."""
    code = _noc_named(text, nocs)
    if code is not None:
        return TeamId(code)
    match = designation.fullmatch(text)
    if match is not None:
        code = _noc_named(match["team"], nocs)
        if code is not None:
            return TeamId(code, match["designation"])
    return None


def _noc_named(text: str, nocs: Mapping[str, NocRow]) -> str | None:
    if not text:
        return None
    return next((code for code, row in nocs.items() if text in (code, row.name)), None)
