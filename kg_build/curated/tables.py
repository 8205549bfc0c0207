"""The curated TSV files of ``mappings/curated/``: what each requires, checked row by row.

Each file has fixed columns, one row per key, rows sorted by stated columns (so that a diff
shows what changed and a merge cannot hide a second row), a source on every row and no cell
with spaces at its ends. A row that breaks any of these is an error naming the file, the line
and the rule it breaks, so that a surprising file never gives a misleading message later.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from msgspec import Struct, field

from kg_build.errors import MappingError
from kg_build.messages import quote


class CuratedFile(Struct, frozen=True):
    """What one curated file requires.

    ``keys``: column groups of which each row has its own values (the first group's first
    column is also the first sort column, so a row's duplicate is among the rows beside it).
    ``numbered``: the first column holds Wikidata IDs (``P17``), sorted by their number.
    ``needed``: the build cannot run without the file (others are checked where present).
    """

    name: str
    columns: tuple[str, ...]
    keys: tuple[tuple[str, ...], ...]
    order: tuple[str, ...]
    required: tuple[str, ...]
    source: str = "source_url"
    numbered: str = ""
    needed: bool = True

    def sort_key(self, row: dict[str, str]) -> tuple[str | int, ...]:
        """Return the row's place in the file's order."""
        values: list[str | int] = [row[c] for c in self.order]
        if self.numbered:
            values[0] = int(row[self.order[0]][1:])
        return tuple(values)


CURATED_FILES = {
    f.name: f
    for f in (
        CuratedFile(
            "rosters.tsv",
            ("event", "athlete", "alias", "noc", "source_url", "evidence"),
            keys=(("event", "athlete", "alias"),),
            order=("event", "noc", "athlete", "alias"),
            required=("event", "athlete", "noc"),
        ),
        CuratedFile(
            "nocs.tsv",
            ("code", "name", "country_code", "source_url", "evidence"),
            keys=(("code",),),
            order=("code",),
            required=("code", "name"),
        ),
        CuratedFile(
            "venues.tsv",
            (
                "event",
                "venue",
                "city",
                "country",
                "utc_offset",
                "time_zone_name",
                "source_url",
                "evidence",
            ),
            keys=(("event",),),
            order=("event",),
            # No offset where no source gives one: local times then carry none.
            required=("event", "venue", "city", "country"),
        ),
        CuratedFile(
            "games.tsv",
            (
                "games",
                "name",
                "year",
                "season",
                "host_city",
                "host_country",
                "source_url",
                "evidence",
            ),
            keys=(("games",),),
            order=("games",),
            required=("games", "name", "year", "season"),
            needed=False,
        ),
        CuratedFile(
            "events.tsv",
            ("event", "discipline", "sport", "source_url", "evidence"),
            keys=(("event",),),
            order=("event",),
            required=("event", "discipline", "sport"),
        ),
        CuratedFile(
            "articles.tsv",
            ("event", "url", "source_url", "evidence"),
            keys=(("event",),),
            order=("event",),
            required=("event", "url"),
            needed=False,
        ),
        CuratedFile(
            "wikidata-properties.tsv",
            ("pid", "label", "source_url", "evidence"),
            keys=(("pid",),),
            order=("pid",),
            required=("pid", "label"),
            numbered="P",
            needed=False,
        ),
        CuratedFile(
            "wikidata-items.tsv",
            ("qid", "label", "source_url", "evidence"),
            keys=(("qid",), ("label",)),
            order=("qid",),
            required=("qid", "label"),
            numbered="Q",
            needed=False,
        ),
        CuratedFile(
            "wikidata-identifiers.tsv",
            ("subject_id", "property", "value", "see_also", "comment"),
            keys=(("subject_id", "property"),),
            order=("subject_id", "property"),
            required=("subject_id", "property", "value"),
            source="see_also",
            needed=False,
        ),
    )
}


def _said(columns: Iterable[str]) -> str:
    names = list(columns)
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _values(row: dict[str, str], columns: Iterable[str]) -> str:
    return ", ".join(f"{c} '{row[c]}'" for c in columns)


class RowChecker(Struct):
    """Checks the rows of one curated file in order, keeping only what order checks need.

    A duplicate of the first key is found among the rows of the same first sort column (the
    rows are sorted), so memory stays with one group of rows, not with the file.
    """

    spec: CuratedFile
    shown: str
    _previous: tuple[tuple[str | int, ...], int, dict[str, str]] | None = None
    _group: str | None = None
    _seen: list[dict[tuple[str, ...], int]] = field(default_factory=list)

    def header(self, cells: list[str]) -> None:
        """Check the header row (line 1)."""
        if cells and cells[0].startswith("\ufeff"):
            raise MappingError(
                self.shown, 1, "the file starts with a byte order mark; save it as UTF-8 without"
            )
        if tuple(cells) != self.spec.columns:
            raise MappingError(
                self.shown, 1, f"header is {cells}, expected {list(self.spec.columns)}"
            )

    def row(self, number: int, cells: list[str]) -> dict[str, str]:
        """Check one data row; return it by column."""
        spec = self.spec
        if len(cells) != len(spec.columns):
            raise MappingError(
                self.shown,
                number,
                f"row has {len(cells)} cells, expected {len(spec.columns)} separated by tabs "
                f"({', '.join(spec.columns)})",
            )
        row = dict(zip(spec.columns, cells, strict=True))
        self._check_cells(number, row)
        self._check_order(number, row)
        self._check_keys(number, row)
        return row

    def _check_cells(self, number: int, row: dict[str, str]) -> None:
        spec = self.spec
        for column, value in row.items():
            if value != value.strip():
                raise MappingError(
                    self.shown, number, f"{column} '{value}' has spaces at its start or end"
                )
        if not row[spec.source]:
            raise MappingError(
                self.shown,
                number,
                f"row has no {spec.source} (every curated fact needs a source)",
            )
        for column in spec.required:
            if not row[column]:
                raise MappingError(
                    self.shown,
                    number,
                    f"row has no {column} (every row of {spec.name} gives its "
                    f"{_said(spec.required)})",
                )
        if spec.numbered and not re.fullmatch(rf"{spec.numbered}[1-9][0-9]*", row[spec.order[0]]):
            raise MappingError(
                self.shown,
                number,
                f"{spec.order[0]} '{row[spec.order[0]]}' is not {spec.numbered} and a number",
            )

    def _check_order(self, number: int, row: dict[str, str]) -> None:
        key = self.spec.sort_key(row)
        if self._previous is not None and key < self._previous[0]:
            _, line, before = self._previous
            raise MappingError(
                self.shown,
                number,
                f"{self.spec.name} is sorted by {_said(self.spec.order)}; this row "
                f"({_values(row, self.spec.order)}) sorts before line {line}'s "
                f"({_values(before, self.spec.order)})",
            )
        self._previous = (key, number, row)

    def _check_keys(self, number: int, row: dict[str, str]) -> None:
        group = row[self.spec.order[0]]
        if not self._seen:
            self._seen = [{} for _ in self.spec.keys]
        if group != self._group:  # rows are sorted: the first key's duplicates are in its group
            self._group, self._seen[0] = group, {}
        for columns, seen in zip(self.spec.keys, self._seen, strict=True):
            values = tuple(row[c] for c in columns)
            first = seen.setdefault(values, number)
            if first != number:
                raise MappingError(
                    self.shown,
                    number,
                    f"a second row for {_said(_values(row, [c]) for c in columns)} (the first "
                    f"is at line {first}); "
                    f"{self.spec.name} has one row per {_said(columns)}",
                )


def check_rows(
    spec: CuratedFile, shown: str, lines: list[str]
) -> Iterator[tuple[int, dict[str, str]]]:
    """Check the lines of a curated file (header first); yield (line, row) for each data row."""
    checker = RowChecker(spec, shown)
    checker.header(lines[0].split("\t") if lines else [])
    for number, text in enumerate(lines[1:], 2):
        if text:
            yield number, checker.row(number, text.split("\t"))


def read_curated(path: Path, shown: str, spec: CuratedFile) -> list[tuple[int, dict[str, str]]]:
    """Read and check a whole curated file; return (line, row) pairs."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as e:
        raise MappingError(shown, None, "no such file") from e
    except UnicodeDecodeError as e:
        line = e.object[: e.start].count(b"\n") + 1
        raise MappingError(shown, line, f"not UTF-8 ({e.reason})") from e
    except OSError as e:
        raise MappingError(shown, None, f"cannot read the file ({e.strerror})") from e
    return list(check_rows(spec, shown, text.splitlines()))


def add_rows(path: Path, rows: Iterable[str]) -> None:
    """Add tab-separated rows to a curated file, each where the file's order puts it.

    For tools that add rows (the benchmark's synthetic corpus, tests); nothing in a build
    writes curated files.
    """
    spec = CURATED_FILES[path.name]
    header, *kept = path.read_text(encoding="utf-8").splitlines()
    cells = [row.split("\t") for row in [*kept, *rows] if row]
    cells.sort(key=lambda row: spec.sort_key(dict(zip(spec.columns, row, strict=True))))
    path.write_text("".join(f"{line}\n" for line in [header, *map("\t".join, cells)]))


Rows = list[tuple[int, dict[str, str]]]


def merge_rows(
    spec: CuratedFile, layers: Iterable[tuple[str, Rows]]
) -> list[tuple[str, int, dict[str, str]]]:
    """Return one curated file's rows from several folders (packaged first, then a project's).

    Each is (file as shown, line, row), in the file's order. A row that repeats an earlier
    folder's row cell for cell is left out (a project may copy a packaged row); a row that
    shares a key with an earlier folder's row but differs in any cell is an error naming both
    files and lines, since a key has one row in all the curated data together.
    """
    merged: list[tuple[str, int, dict[str, str]]] = []
    index: list[dict[tuple[str, ...], tuple[str, int, dict[str, str]]]] = [{} for _ in spec.keys]
    for shown, rows in layers:
        added = []
        for line, row in rows:
            repeated = False
            for columns, seen in zip(spec.keys, index, strict=True):
                first = seen.get(tuple(row[c] for c in columns))
                if first is None:
                    continue
                if first[2] != row:
                    raise MappingError(shown, line, _conflict(spec, columns, first, row))
                repeated = True
            if not repeated:
                added.append((shown, line, row))
        for entry in added:  # indexed after the folder: a file's own repeats are its check's
            for columns, seen in zip(spec.keys, index, strict=True):
                seen.setdefault(tuple(entry[2][c] for c in columns), entry)
        merged += added
    return sorted(merged, key=lambda entry: spec.sort_key(entry[2]))


def _conflict(
    spec: CuratedFile,
    columns: tuple[str, ...],
    first: tuple[str, int, dict[str, str]],
    row: dict[str, str],
) -> str:
    shown, line, before = first
    differ = [c for c in spec.columns if before[c] != row[c]]
    said = f"{differ[0]} {quote(before[differ[0]])} there, {quote(row[differ[0]])} here"
    if len(differ) > 1:
        said += f"; {_said(differ[1:])} {'differs' if len(differ) == 2 else 'differ'} too"
    return (
        f"the row for {_values(row, columns)} is also at {shown}:{line}, with other cells "
        f"({said}); {spec.name} has one row per {_said(columns)} in the packaged and the "
        "project's rows together: remove one, or make them the same"
    )


def requirements(spec: CuratedFile) -> str:
    """Say in a sentence what a curated file requires (for the READMEs kg init writes)."""
    columns = ", ".join(f"`{c}`" for c in spec.columns)
    keys = " and ".join(f"one row per {_said(k)}" for k in spec.keys)
    number = f" (by the number after {spec.numbered})" if spec.numbered else ""
    return (
        f"Columns: {columns}. {keys.capitalize()}, sorted by {_said(spec.order)}{number}; "
        f"every row gives its {_said(spec.required)}, and its source in `{spec.source}`."
    )
