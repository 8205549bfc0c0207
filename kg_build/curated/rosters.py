"""The curated rosters (``rosters.tsv``): who raced for which NOC in an event, by event.

Read lazily: a build holds where each event's rows are, and reads an event's rows when it
needs them.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import BinaryIO

from msgspec import Struct

from kg_build.curated.tables import CURATED_FILES, RowChecker, merge_rows
from kg_build.errors import MappingError
from kg_build.messages import display_path


class RosterEntry(Struct, frozen=True):
    """An athlete of an event's roster and the NOC they raced for, or a spelling of them.

    A row with an ``alias`` says that the article also writes the athlete so (a short first
    name, no diacritics, another transliteration), with its own source.
    """

    event: str
    athlete: str
    alias: str
    noc: str
    source_url: str
    line: int
    file: str = ""  # the rosters file as shown (a project's or the packaged one)
    evidence: str = ""


class RosterFile(Mapping[str, tuple[RosterEntry, ...]]):
    """The rows of ``rosters.tsv`` by event, read from the file when an event is asked for.

    A corpus of thousands of articles has hundreds of thousands of roster rows, and every
    build process would hold them all while it needs one event's at a time. Opening the
    file checks every row as ``read_curated`` does and keeps only where each event's rows are:
    byte offset and line number, 16 bytes a row.
    """

    SPEC = CURATED_FILES["rosters.tsv"]

    def __init__(self, path: Path) -> None:
        self.path = path
        self.shown = display_path(path)
        self._where: dict[str, array[int]] = {}
        try:
            with path.open("rb") as handle:
                self._index(handle)
        except FileNotFoundError as e:
            raise MappingError(self.shown, None, "no such file") from e
        except OSError as e:
            raise MappingError(self.shown, None, f"cannot read the file ({e})") from e

    def _index(self, handle: BinaryIO) -> None:
        checker = RowChecker(self.SPEC, self.shown)
        checker.header(self._cells(handle.readline(), 1))
        offset = handle.tell()
        for number, raw in enumerate(handle, 2):
            cells = self._cells(raw, number)
            if cells:
                row = checker.row(number, cells)
                self._where.setdefault(row["event"], array("q")).extend((offset, number))
            offset += len(raw)

    def _cells(self, raw: bytes, number: int) -> list[str]:
        try:
            text = raw.decode("utf-8").rstrip("\r\n")
        except UnicodeDecodeError as e:
            raise MappingError(self.shown, number, f"not UTF-8 ({e.reason})") from e
        return text.split("\t") if text else []

    def __getitem__(self, event: str) -> tuple[RosterEntry, ...]:
        where = self._where[event]
        entries = []
        with self.path.open("rb") as handle:
            for offset, number in zip(where[::2], where[1::2], strict=True):
                handle.seek(offset)
                cells = self._cells(handle.readline(), number)
                entries.append(
                    RosterEntry(
                        cells[0],
                        cells[1],
                        cells[2],
                        cells[3],
                        cells[4],
                        number,
                        self.shown,
                        cells[5],
                    )
                )
        return tuple(entries)

    def __iter__(self) -> Iterator[str]:
        return iter(self._where)

    def __len__(self) -> int:
        return len(self._where)


def load_rosters(curated: Sequence[Path]) -> Mapping[str, tuple[RosterEntry, ...]]:
    """Return the rosters of the curated folders (packaged, then a project's) by event."""
    files = [RosterFile(curated[0] / "rosters.tsv")]
    files += [RosterFile(f / "rosters.tsv") for f in curated[1:] if (f / "rosters.tsv").exists()]
    return files[0] if len(files) == 1 else MergedRosters(files)


class MergedRosters(Mapping[str, tuple[RosterEntry, ...]]):
    """The rosters of several files (packaged, then a project's) by event, as merge_rows merges.

    Events in more than one file are merged, and so checked, when the build starts.
    """

    SPEC = CURATED_FILES["rosters.tsv"]

    def __init__(self, files: Sequence[RosterFile]) -> None:
        self.files = tuple(files)
        events = [set(f) for f in files]
        for event in sorted(set.union(*events)):
            if sum(event in e for e in events) > 1:
                self[event]  # raises on a key given twice with other cells

    def __getitem__(self, event: str) -> tuple[RosterEntry, ...]:
        layers = [(f.shown, [_roster_row(e) for e in f[event]]) for f in self.files if event in f]
        if not layers:
            raise KeyError(event)
        return tuple(
            RosterEntry(
                row["event"],
                row["athlete"],
                row["alias"],
                row["noc"],
                row["source_url"],
                line,
                shown,
                row["evidence"],
            )
            for shown, line, row in merge_rows(self.SPEC, layers)
        )

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(set().union(*self.files)))

    def __len__(self) -> int:
        return len(set().union(*self.files))


def _roster_row(entry: RosterEntry) -> tuple[int, dict[str, str]]:
    cells = (entry.event, entry.athlete, entry.alias, entry.noc, entry.source_url, entry.evidence)
    return entry.line, dict(zip(CURATED_FILES["rosters.tsv"].columns, cells, strict=True))
