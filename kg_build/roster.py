"""A row's athletes and NOC: the space-joined athletes cell split by the curated roster.

Names are matched against the event's roster, never split by counting words: exactly one
way of reading the cell as roster names must exist.
"""

from __future__ import annotations

from kg_build.errors import SourceError
from kg_build.extract import Context
from kg_build.messages import quote
from kg_build.model import SourceRef, Table
from kg_build.reference import RosterEntry


def cell_roles(ctx: Context, table: Table) -> list[str]:
    """Name each column's field from its header by the settings' ``columns``."""
    roles = []
    for header in table.header:
        role = ctx.settings.columns.get(header)
        if role is None:
            raise SourceError(
                table.src.path,
                table.src.line,
                f"column {quote(header)} is not in the columns of mappings/extraction.yaml",
            )
        if role in roles:
            raise SourceError(table.src.path, table.src.line, f"two columns hold '{role}'")
        roles.append(role)
    return roles


def split_athletes(ctx: Context, cell: str, src: SourceRef) -> tuple[RosterEntry, ...]:
    """Split a space-joined athletes cell into roster names; exactly one way must fit."""
    tokens = cell.split()
    names, longest = ctx.roster_words, ctx.roster_longest
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
        raise SourceError(
            src.path,
            src.line,
            f"athletes {quote(cell)} do not split into names of the roster of '{ctx.stem}' "
            f"({ctx.reference.file('rosters.tsv')}): no roster name starts {quote(stuck)}",
        )
    if len(ways[0]) > 1:
        options = " | ".join(", ".join(e.athlete for e in way) for way in ways[0])
        raise SourceError(
            src.path, src.line, f"athletes {quote(cell)} split in more than one way: {options}"
        )
    return ways[0][0]


def _furthest_reach(
    tokens: list[str], names: dict[tuple[str, ...], RosterEntry], longest: int
) -> int:
    """Return the furthest token a run of roster names from the start reaches."""
    reached = {0}
    for i in range(len(tokens)):
        if i in reached:
            reached |= {
                i + size for size in range(1, longest + 1) if tuple(tokens[i : i + size]) in names
            }
    return max(p for p in reached if p <= len(tokens))


def team_noc(
    ctx: Context, cells: dict[str, str], src: SourceRef
) -> tuple[tuple[RosterEntry, ...], str]:
    """Return a row's athletes and NOC; a country cell naming no NOC holds the athletes."""
    country = cells.get("country", "")
    stated = _noc_named(ctx, country)
    names = cells.get("athletes") or ("" if stated else country)
    if not names:
        raise SourceError(src.path, src.line, "row names no athletes")
    athletes = split_athletes(ctx, names, src)
    nocs = sorted({a.noc for a in athletes})
    if len(nocs) != 1:
        raise SourceError(
            src.path, src.line, f"athletes {quote(names)} belong to NOCs {nocs} in the roster"
        )
    if stated and stated != nocs[0]:
        raise SourceError(
            src.path, src.line, f"country {quote(country)} is {stated}, the roster says {nocs[0]}"
        )
    return athletes, nocs[0]


def _noc_named(ctx: Context, text: str) -> str | None:
    for code, row in ctx.reference.nocs.items():
        if text in (code, row.name):
            return code
    return None
