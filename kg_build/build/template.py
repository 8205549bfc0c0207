"""kg check --template: the rows the curated data lacks, with what the article says filled in.

What the article states goes in: the event (the file's stem), athletes' names as written, NOC
codes, the venue as the infobox gives it, the Games from the title. Sources never do:
``source_url`` and ``evidence`` stay empty for the user, with every cell the article does not
give. A name is isolated only where the article lists names apart (a medal line, a comma list)
or where known names split a cell in exactly one way, as the build splits it
(``extract.lineups``); a cell of names joined by spaces that cannot be split so is listed in
``TODO.md``, never split by guess.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from pathlib import Path

from msgspec import Struct, field

from kg_build.curated.rosters import RosterEntry
from kg_build.curated.tables import CURATED_FILES
from kg_build.extract import Inputs
from kg_build.extract.cells import read_columns
from kg_build.extract.lineups import Roster, make_roster, name_noc, split_athletes
from kg_build.extract.scope import read_title
from kg_build.messages import quote
from kg_build.model import Article, Diagnostic, Table, TableRow
from kg_build.output import write_atomic

TODO_FILE = "TODO.md"
_CODE = re.compile(r"[A-Z]{3}")


class Template(Struct):
    """Rows to add, by curated file and key, and what only the user can fill in."""

    rows: dict[str, dict[tuple[str, ...], dict[str, str]]] = field(default_factory=dict)
    unsplit: list[str] = field(default_factory=list)  # athletes cells, one line each
    to_correct: list[str] = field(default_factory=list)  # curated rows that clash

    def add(self, file: str, key: tuple[str, ...] = (), **cells: str) -> dict[str, str]:
        """Add a row (or return the one of its key already there); empty cells are the user's."""
        spec = CURATED_FILES[file]
        row = {c: cells.get(c, "") for c in spec.columns}
        key = key or tuple(row[c] for c in spec.keys[0])
        return self.rows.setdefault(file, {}).setdefault(key, row)


def propose(
    template: Template, article: Article, found: Sequence[Diagnostic], inputs: Inputs
) -> None:
    """Add to ``template`` the rows ``found`` (one article's check) says are missing."""
    stem = Path(article.path).stem
    title = read_title(article, inputs.settings)
    for d in found:
        if d.code == "games-not-curated":
            games = f"{title.year}-{title.season.lower()}"
            name = f"{title.year} {title.season} Olympics"
            template.add(
                "games.tsv", games=games, name=name, year=str(title.year), season=title.season
            )
        elif d.code == "discipline-not-curated":
            template.add("events.tsv", event=stem, sport=title.sport)
        elif d.code == "venue-not-curated":
            template.add("venues.tsv", event=stem, venue=d.text)
        elif d.code == "noc-not-curated":
            _propose_noc(template, d.text, inputs)
        elif d.code in ("athletes-ambiguous", "athletes-of-two-nocs"):
            template.to_correct.append(f"`{d.src}`: {d.message}")
    _propose_athletes(template, article, found, inputs, stem)


def _propose_noc(template: Template, text: str, inputs: Inputs) -> None:
    """Add an NOC row: by its code, or by the name a country cell gives (code left empty)."""
    if _CODE.fullmatch(text):
        template.add("nocs.tsv", code=text)
        return
    named = inputs.settings.team_designation.fullmatch(text)
    name = named["team"] if named else text
    template.add("nocs.tsv", key=("", name), name=name)


def _propose_athletes(
    template: Template, article: Article, found: Sequence[Diagnostic], inputs: Inputs, stem: str
) -> None:
    names: dict[str, str] = {}  # a name the article gives apart → its NOC ("" unknown)
    cells: list[tuple[Diagnostic, str]] = []  # athletes cells, each with its row's NOC
    for d in found:
        if d.code != "athletes-not-in-roster":
            continue
        noc = _noc_of_line(article, d.src.line, inputs)
        if _is_list_item(article, d):
            names[d.text] = names.get(d.text) or noc
        else:
            cells.append((d, noc))
    left = _split(cells, names, inputs, stem)
    roster = _roster(names, inputs, stem)
    for text in dict.fromkeys(d.text for d, _ in left):  # each cell once, with all its lines
        where = [(d.src, noc) for d, noc in left if d.text == text]
        known = _known_in(roster, text)
        mates = {roster.people[name].noc for name in known} - {""}
        noc = next((n for _, n in where if n), next(iter(mates)) if len(mates) == 1 else "")
        lines = ", ".join(str(src.line) for src, _ in where)
        template.unsplit.append(
            f"{quote(text)}{f' ({noc})' if noc else ''}: {where[0][0].path} "
            f"line{'s' if len(where) > 1 else ''} {lines}"
            + (f"; names known in it: {', '.join(known)}" if known else "")
        )
    for name, noc in names.items():
        template.add("rosters.tsv", event=stem, athlete=name, noc=noc)
        if noc and noc not in inputs.reference.nocs:
            template.add("nocs.tsv", code=noc)


def _roster(names: dict[str, str], inputs: Inputs, stem: str) -> Roster:
    """Return the event's roster with the names found added, as the build would index it."""
    proposed = [RosterEntry(stem, name, "", noc, "", 0) for name, noc in names.items()]
    rows = tuple(inputs.reference.rosters.get(stem, ()))
    return make_roster(rows + tuple(proposed), inputs.reference.file("rosters.tsv"))


def _split(
    cells: list[tuple[Diagnostic, str]], names: dict[str, str], inputs: Inputs, stem: str
) -> list[tuple[Diagnostic, str]]:
    """Split cells by the roster and the names found; return the cells left, with their NOC.

    A cell's NOC (its country cell's, or one its known athletes share) goes to the names in it
    that have none, which may let other cells share theirs: repeated until nothing changes.
    """
    left: list[tuple[Diagnostic, str]] = []
    for _ in range(len(cells) + 1):
        roster = _roster(names, inputs, stem)
        changed, left = False, []
        for d, noc in cells:
            split = split_athletes(roster, d.text, d.src, inputs.settings.placeholders, stem)
            if any(p.code.startswith("athletes-") for p in split.diagnostics):
                left.append((d, noc))
                continue
            shared = {noc} if noc else {e.noc for e in split.entries if e.noc}
            for entry in split.entries:
                if len(shared) == 1 and entry.athlete in names and not names[entry.athlete]:
                    names[entry.athlete] = next(iter(shared))
                    changed = True
        if not changed:
            break
    return left


def _known_in(roster: Roster, text: str) -> list[str]:
    """Return the roster's athletes whose name or spelling stands in a cell, in order."""
    words = text.split()
    found = []
    for i in range(len(words)):
        for size in range(1, roster.longest + 1):
            entry = roster.spellings.get(tuple(words[i : i + size]))
            if entry is not None and entry.athlete not in found:
                found.append(entry.athlete)
    return found


def _is_list_item(article: Article, d: Diagnostic) -> bool:
    """Say whether a diagnostic's text is one item of a comma list at its line."""
    for value in _values_at(article, d.src.line):
        items = [item.strip() for item in value.split(",")]
        if len(items) > 1 and d.text in items:
            return True
    return False


def _values_at(article: Article, line: int) -> Iterator[str]:
    yield from (f.value for f in article.infobox if f.src.line == line)
    for _, row in _rows_at(article, line):
        yield from row.cells


def _rows_at(article: Article, line: int) -> Iterator[tuple[Table, TableRow]]:
    for section in article.walk():
        for table in section.tables:
            yield from ((table, row) for row in table.rows if row.src.line == line)


def _noc_of_line(article: Article, line: int, inputs: Inputs) -> str:
    """Return the NOC an infobox medal line or a table row's country cell names, if any."""
    settings = inputs.settings
    for f in article.infobox:
        medal = next((m for m in settings.medals if m.athletes == f.key), None)
        if f.src.line == line and medal is not None:
            return next(iter(article.infobox_values(medal.noc)), "").strip()
    for table, row in _rows_at(article, line):
        country = read_columns(table, settings.columns).cells(row).get("country", "")
        team = name_noc(country, inputs.reference.nocs, settings.team_designation)
        if team is not None:
            return team.noc
        if _CODE.fullmatch(country):
            return country
    return ""


def write_template(template: Template, folder: Path) -> str:
    """Write each file's rows (its header first, in its order) and TODO.md; say what."""
    written = []
    for name, rows in sorted(template.rows.items()):
        spec = CURATED_FILES[name]
        ordered = sorted(rows.values(), key=spec.sort_key)
        lines = ["\t".join(spec.columns)] + ["\t".join(r[c] for c in spec.columns) for r in ordered]
        write_atomic(folder / name, "".join(f"{line}\n" for line in lines).encode("utf-8"))
        written.append(f"{(folder / name).as_posix()} ({len(ordered)} {_rows(len(ordered))})")
    write_atomic(folder / TODO_FILE, todo_text(template).encode("utf-8"))
    todo = (folder / TODO_FILE).as_posix()
    empty = len(_empty_cells(template))
    left = f"{len(template.unsplit)} athletes cells to split, {empty} rows with empty cells"
    if not written:
        return f"wrote {todo}: no rows to add"
    return f"wrote {', '.join(written)}; {todo}: {left}, and every row's source"


def _rows(count: int) -> str:
    return "row" if count == 1 else "rows"


def todo_text(template: Template) -> str:
    """Return TODO.md: what the templates leave to the user, section by section."""
    parts = [
        "# What the templates leave to you\n\n"
        "Fill in `source_url` and `evidence` on every row (the canonical page that states each "
        "fact, never a mirror of it; what it shows, and the mirror you read it on), and the "
        "cells below; then add the rows to `mappings/curated/`, keeping "
        "each file's order (README.md, 'Adding an article').\n"
    ]
    sections = (
        (
            "Athletes cells to split by hand",
            "Names joined by spaces that no known name splits: add a row to `rosters.tsv` for "
            "each athlete of the cell (the NOC in brackets is the row's, where the article "
            "gives it).",
            template.unsplit,
        ),
        ("Empty cells to fill in", "Cells the article does not give.", _empty_cells(template)),
        ("Curated rows to correct", "Rows the curated data has, which clash.", template.to_correct),
    )
    for title, say, lines in sections:
        if lines:
            parts.append(f"\n## {title}\n\n{say}\n\n" + "".join(f"- {line}\n" for line in lines))
    return "".join(parts)


def _empty_cells(template: Template) -> list[str]:
    lines = []
    for name, rows in sorted(template.rows.items()):
        spec = CURATED_FILES[name]
        for row in sorted(rows.values(), key=spec.sort_key):
            empty = [c for c in spec.required if not row[c]]
            if empty:
                known = ", ".join(f"{c} '{row[c]}'" for c in spec.columns if row[c])
                lines.append(f"`{name}`: {', '.join(empty)} of the row with {known}")
    return lines
