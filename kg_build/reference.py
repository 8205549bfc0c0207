"""Curated reference data and extraction settings, read from ``mappings/``.

Each curated row carries its source; each error names the file and line.
"""

from __future__ import annotations

import difflib
import re
from array import array
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from kg_build.curated import CURATED_FILES, RowChecker, merge_rows, read_curated
from kg_build.defaults import TP_IRI
from kg_build.errors import MappingError
from kg_build.model import Vocabulary
from kg_build.parse import display_path
from kg_build.yaml_source import YamlList, YamlMap, check_keys, load_yaml

CURATED_DIR = "curated"
FACTS_DIR = "facts"
SETTINGS_FILE = "extraction.yaml"
_UTC_OFFSET = re.compile(r"[+-]\d{2}:\d{2}")


@dataclass(frozen=True, slots=True)
class RosterEntry:
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


@dataclass(frozen=True, slots=True)
class NocRow:
    """An NOC's code and name, and the country NOC it stands for where that differs."""

    code: str
    name: str
    country_code: str
    source_url: str


@dataclass(frozen=True, slots=True)
class VenueRow:
    """An event's venue, its city, country and UTC offset."""

    event: str
    venue: str
    city: str
    country: str
    utc_offset: str
    time_zone_name: str
    source_url: str


@dataclass(frozen=True, slots=True)
class GamesRow:
    """A Games edition's host city and country."""

    games: str
    name: str
    host_city: str
    host_country: str
    source_url: str


@dataclass(frozen=True, slots=True)
class EventRow:
    """An event's discipline and sport where the article does not name them."""

    event: str
    discipline: str
    sport: str
    source_url: str


@dataclass(frozen=True, slots=True)
class FactTriple:
    """One triple of a curated fact, as written: references and scalars."""

    subject: str
    predicate: str
    object: str | int | float
    line: int


@dataclass(frozen=True, slots=True)
class FactEntry:
    """A sentence of an article and the triples it states."""

    sentence: str
    triples: tuple[FactTriple, ...]
    path: str
    line: int


@dataclass(frozen=True, slots=True)
class MedalLine:
    """Which infobox keys hold a medal's athletes and NOC."""

    athletes: str
    noc: str
    medal: str


@dataclass(frozen=True, slots=True)
class Settings:
    """Extraction settings (mappings/extraction.yaml)."""

    title_pattern: re.Pattern[str]
    infobox: Mapping[str, tuple[str, ...]]
    infobox_claims: Mapping[str, str]
    medals: tuple[MedalLine, ...]
    genders: Mapping[str, str]
    results_section: str
    rounds: Mapping[str, str]
    columns: Mapping[str, str]
    leader_marks: tuple[str, ...]
    outcomes: Mapping[str, str]
    qualification_marks: tuple[str, ...]
    placeholders: tuple[str, ...]
    timed_athletes: int
    team_designation: re.Pattern[str]
    race_label: re.Pattern[str]
    records_section: str
    records_announcement: re.Pattern[str]
    records_before: re.Pattern[str]
    records_before_columns: tuple[str, ...]
    record_round_codes: Mapping[str, str]
    schedule_section: str
    round_time_sentence: re.Pattern[str]
    lead_round_day: re.Pattern[str]
    no_time_phrases: tuple[str, ...]
    no_time_default_reason: str
    lines: Mapping[str, int]  # the line of each key, for errors found later

    def line(self, key: str) -> int | None:
        """Return the line of a top-level key of extraction.yaml."""
        return self.lines.get(key)


@dataclass(frozen=True, slots=True)
class Reference:
    """All curated data: rosters per event, NOCs, venues, Games, events, facts."""

    rosters: Mapping[str, tuple[RosterEntry, ...]]
    nocs: Mapping[str, NocRow]
    venues: Mapping[str, VenueRow]
    games: Mapping[str, GamesRow]
    events: Mapping[str, EventRow]
    facts: Mapping[str, tuple[FactEntry, ...]]
    folder: str  # the curated folder as shown, for messages

    def file(self, name: str) -> str:
        """Return a curated file's path as shown (``mappings/curated/nocs.tsv``)."""
        return f"{self.folder}/{name}"


_SETTINGS_KEYS = {
    "title_pattern",
    "infobox",
    "infobox_claims",
    "medals",
    "genders",
    "results_section",
    "rounds",
    "columns",
    "leader_marks",
    "outcomes",
    "qualification_marks",
    "placeholders",
    "timed_athletes",
    "team_designation",
    "race_label",
    "records_section",
    "records_announcement",
    "records_before",
    "records_before_columns",
    "record_round_codes",
    "schedule_section",
    "round_time_sentence",
    "lead_round_day",
    "no_time_phrases",
    "no_time_default_reason",
}
_INFOBOX_FIELDS = {
    "event",
    "games",
    "venue",
    "dates",
    "competitors",
    "nations",
    "teams",
    "win_value",
    "previous",
    "next",
}
_COLUMN_ROLES = {
    "rank",
    "heat",
    "final",
    "start_side",
    "country",
    "athletes",
    "time",
    "deficit",
    "speed",
    "notes",
    "date",
    "round",
    "record",
    "place",
}


def load_settings(mappings: Path) -> Settings:
    """Read ``extraction.yaml`` from the mappings folder."""
    shown = display_path(mappings / SETTINGS_FILE)
    doc = load_yaml(mappings / SETTINGS_FILE, shown)
    check_keys(doc, shown, _SETTINGS_KEYS)
    infobox = _mapping(doc, "infobox", shown)
    check_keys(infobox, shown, _INFOBOX_FIELDS)
    columns = _string_map(doc, "columns", shown)
    for header, role in columns.items():
        if role not in _COLUMN_ROLES:
            raise MappingError(
                shown,
                _mapping(doc, "columns", shown).key_lines[header],
                f"column role '{role}' of '{header}' is not one of {sorted(_COLUMN_ROLES)}",
            )
    return Settings(
        title_pattern=_pattern(doc, "title_pattern", shown),
        infobox={k: _strings(infobox, k, shown) for k in infobox},
        infobox_claims=_string_map(doc, "infobox_claims", shown),
        medals=tuple(_medal_line(m, shown) for m in _list(doc, "medals", shown)),
        genders=_string_map(doc, "genders", shown),
        results_section=_string(doc, "results_section", shown),
        rounds=_string_map(doc, "rounds", shown),
        columns=columns,
        leader_marks=_strings(doc, "leader_marks", shown),
        outcomes=_string_map(doc, "outcomes", shown),
        qualification_marks=_strings(doc, "qualification_marks", shown),
        placeholders=_strings(doc, "placeholders", shown),
        timed_athletes=_count(doc, "timed_athletes", shown),
        team_designation=_pattern(doc, "team_designation", shown),
        race_label=_pattern(doc, "race_label", shown),
        records_section=_string(doc, "records_section", shown),
        records_announcement=_pattern(doc, "records_announcement", shown),
        records_before=_pattern(doc, "records_before", shown),
        records_before_columns=_roles(doc, "records_before_columns", shown),
        record_round_codes=_string_map(doc, "record_round_codes", shown),
        schedule_section=_string(doc, "schedule_section", shown),
        round_time_sentence=_pattern(doc, "round_time_sentence", shown),
        lead_round_day=_pattern(doc, "lead_round_day", shown),
        no_time_phrases=_strings(doc, "no_time_phrases", shown),
        no_time_default_reason=_string(doc, "no_time_default_reason", shown),
        lines=dict(doc.key_lines),
    )


def check_settings(settings: Settings, vocab: Vocabulary, shown: str) -> None:
    """Reject settings that name an ontology individual the ontology does not have.

    Round kinds, outcomes, genders and medals are individuals of the ontology, so a new kind
    is a line of data there and here, never a change of code.
    """
    for key, values, cls in (
        ("rounds", settings.rounds.values(), "RoundKind"),
        ("outcomes", settings.outcomes.values(), "Outcome"),
        ("genders", settings.genders.values(), "GenderCategory"),
        ("medals", [m.medal for m in settings.medals], "MedalType"),
    ):
        members = {i.removeprefix(TP_IRI) for i in vocab.members.get(TP_IRI + cls, ())}
        for value in values:
            if value not in members:
                close = difflib.get_close_matches(value, sorted(members), n=1)
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                raise MappingError(
                    shown,
                    settings.line(key),
                    f"'{value}' in '{key}' is not a tp:{cls} of the ontology{hint}",
                )


def _mapping(node: YamlMap, key: str, shown: str) -> YamlMap:
    value = node[key]
    if not isinstance(value, YamlMap):
        raise MappingError(shown, node.key_lines[key], f"'{key}' must be a mapping")
    return value


def _list(node: YamlMap, key: str, shown: str) -> YamlList:
    value = node[key]
    if not isinstance(value, YamlList):
        raise MappingError(shown, node.key_lines[key], f"'{key}' must be a list")
    return value


def _string(node: YamlMap, key: str, shown: str) -> str:
    value = node[key]
    if not isinstance(value, str):
        raise MappingError(shown, node.key_lines[key], f"'{key}' must be a string")
    return value


def _strings(node: YamlMap, key: str, shown: str) -> tuple[str, ...]:
    values = _list(node, key, shown)
    if not all(isinstance(v, str) for v in values):
        raise MappingError(shown, values.line, f"'{key}' must be a list of strings")
    return tuple(values)


def _string_map(node: YamlMap, key: str, shown: str) -> dict[str, str]:
    mapping = _mapping(node, key, shown)
    for k, v in mapping.items():
        if not isinstance(v, str):
            raise MappingError(shown, mapping.key_lines[k], f"'{key}.{k}' must be a string")
    return dict(mapping)


def _roles(node: YamlMap, key: str, shown: str) -> tuple[str, ...]:
    roles = _strings(node, key, shown)
    for role in roles:
        if role not in _COLUMN_ROLES:
            raise MappingError(
                shown,
                node.key_lines[key],
                f"'{role}' in '{key}' is not a column role: one of {sorted(_COLUMN_ROLES)}",
            )
    return roles


def _count(node: YamlMap, key: str, shown: str) -> int:
    value = node[key]
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise MappingError(shown, node.key_lines[key], f"'{key}' must be a positive whole number")
    return value


def _pattern(node: YamlMap, key: str, shown: str) -> re.Pattern[str]:
    text = _string(node, key, shown)
    try:
        return re.compile(text)
    except re.error as e:
        raise MappingError(
            shown, node.key_lines[key], f"'{key}' is not a regular expression ({e})"
        ) from e


def _medal_line(node: Any, shown: str) -> MedalLine:
    if not isinstance(node, YamlMap):
        raise MappingError(shown, None, "each of 'medals' must be a mapping")
    check_keys(node, shown, {"athletes", "noc", "medal"})
    return MedalLine(
        athletes=_string(node, "athletes", shown),
        noc=_string(node, "noc", shown),
        medal=_string(node, "medal", shown),
    )


# ---------------------------------------------------------------- curated TSV files


def read_tsv(path: Path, shown: str, columns: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    """Read a curated TSV file with exactly ``columns``, checked; return (line, row) pairs."""
    spec = CURATED_FILES[path.name]
    if spec.columns != columns:
        raise ValueError(f"{path.name} has the columns {spec.columns}, not {columns}")
    return read_curated(path, shown, spec)


def load_reference(mappings: Path, project: Path | None = None) -> Reference:
    """Read every curated file and every facts file of the mappings folder.

    With ``project`` (a project folder's own mappings), its curated rows and facts add to
    those of ``mappings`` (merge_rows says how a key given in both is read), and messages
    name its curated files, where the user adds rows.
    """
    curated = curated_folders(mappings, project)
    for name in _CHECKED_ONLY:  # read where needed (kg export, kg link); checked with the rest
        read_merged(curated, name)
    return Reference(
        rosters=_load_rosters(curated),
        nocs=_load_nocs(curated),
        venues=_load_venues(curated),
        games=_load_games(curated),
        events=_load_events(curated),
        facts=_load_all_facts([mappings / FACTS_DIR] + ([project / FACTS_DIR] if project else [])),
        folder=display_path(curated[-1]),
    )


def curated_folders(mappings: Path, project: Path | None = None) -> list[Path]:
    """Return the curated folders whose rows a build reads: the mappings', then a project's."""
    folders = [mappings / CURATED_DIR]
    if project is not None and (project / CURATED_DIR).is_dir():
        folders.append(project / CURATED_DIR)
    return folders


def read_merged(folders: Sequence[Path], name: str) -> list[tuple[str, int, dict[str, str]]]:
    """Read a curated file of each folder and merge their rows (merge_rows).

    The first folder's file must exist if the build needs it; a later folder may lack it.
    """
    spec = CURATED_FILES[name]
    layers = []
    for number, folder in enumerate(folders):
        path = folder / name
        if path.exists() or (number == 0 and spec.needed):
            layers.append((display_path(path), read_curated(path, display_path(path), spec)))
    return merge_rows(spec, layers)


_CHECKED_ONLY = (
    "articles.tsv",
    "wikidata-identifiers.tsv",
    "wikidata-items.tsv",
    "wikidata-properties.tsv",
)


class RosterFile(Mapping[str, tuple[RosterEntry, ...]]):
    """The rows of ``rosters.tsv`` by event, read from the file when an event is asked for.

    A corpus of thousands of articles has hundreds of thousands of roster rows, and every
    build process would hold them all while it needs one event's at a time. Opening the
    file checks every row as ``read_tsv`` does and keeps only where each event's rows are:
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


def _load_rosters(curated: Sequence[Path]) -> Mapping[str, tuple[RosterEntry, ...]]:
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


def _load_nocs(curated: Sequence[Path]) -> dict[str, NocRow]:
    rows = read_merged(curated, "nocs.tsv")
    nocs = {
        row["code"]: NocRow(row["code"], row["name"], row["country_code"], row["source_url"])
        for _, _, row in rows
    }
    for shown, line, row in rows:
        if row["country_code"] and row["country_code"] not in nocs:
            raise MappingError(
                shown,
                line,
                f"country_code '{row['country_code']}' has no row of its own in nocs.tsv "
                "(add one with its source)",
            )
    return nocs


def _load_venues(curated: Sequence[Path]) -> dict[str, VenueRow]:
    venues = {}
    for shown, line, row in read_merged(curated, "venues.tsv"):
        if row["utc_offset"] and not _UTC_OFFSET.fullmatch(row["utc_offset"]):
            raise MappingError(
                shown,
                line,
                f"utc_offset '{row['utc_offset']}' is not +HH:MM or -HH:MM (or empty: unknown)",
            )
        venues[row["event"]] = VenueRow(
            row["event"],
            row["venue"],
            row["city"],
            row["country"],
            row["utc_offset"],
            row["time_zone_name"],
            row["source_url"],
        )
    return venues


def _load_games(curated: Sequence[Path]) -> dict[str, GamesRow]:
    return {
        row["games"]: GamesRow(
            row["games"], row["name"], row["host_city"], row["host_country"], row["source_url"]
        )
        for _, _, row in read_merged(curated, "games.tsv")
    }


def _load_events(curated: Sequence[Path]) -> dict[str, EventRow]:
    return {
        row["event"]: EventRow(row["event"], row["discipline"], row["sport"], row["source_url"])
        for _, _, row in read_merged(curated, "events.tsv")
    }


# ---------------------------------------------------------------- curated facts (YAML)


def _load_all_facts(folders: Sequence[Path]) -> dict[str, tuple[FactEntry, ...]]:
    """Read the facts of each folder (packaged, then a project's): one file per article.

    An article's facts given in two folders are read once if the files are the same, and
    are an error naming both files otherwise.
    """
    facts: dict[str, tuple[FactEntry, ...]] = {}
    first: dict[str, Path] = {}
    for folder in folders:
        for path in sorted(folder.glob("*.yaml")):
            shown = display_path(path)
            doc = load_yaml(path, shown)
            check_keys(doc, shown, {"article", "facts"})
            article = _string(doc, "article", shown)
            if article != path.stem:
                raise MappingError(
                    shown,
                    doc.key_lines["article"],
                    f"article '{article}' is not the file's stem '{path.stem}'",
                )
            if article in first:
                if first[article].read_bytes() == path.read_bytes():
                    continue
                raise MappingError(
                    shown,
                    doc.key_lines["article"],
                    f"the facts of '{article}' are also in {display_path(first[article])}, "
                    "with other content; an article's facts are one file: remove one, or make "
                    "them the same",
                )
            first[article] = path
            facts[article] = tuple(_fact_entry(n, shown) for n in _list(doc, "facts", shown))
    return facts


def _fact_entry(node: Any, shown: str) -> FactEntry:
    if not isinstance(node, YamlMap):
        raise MappingError(shown, None, "each fact must be a mapping with 'sentence' and 'triples'")
    check_keys(node, shown, {"sentence", "triples"})
    triples = tuple(_fact_triple(t, shown) for t in _list(node, "triples", shown))
    return FactEntry(_string(node, "sentence", shown), triples, shown, node.line)


def _fact_triple(node: Any, shown: str) -> FactTriple:
    if not isinstance(node, YamlList) or len(node) != 3:
        line = node.line if isinstance(node, YamlList) else None
        raise MappingError(shown, line, "a triple must be a list [subject, predicate, object]")
    subject, predicate, obj = node
    if not isinstance(subject, str) or not isinstance(predicate, str):
        raise MappingError(shown, node.line, "a triple's subject and predicate must be strings")
    if not isinstance(obj, str | int | float) or isinstance(obj, bool):
        raise MappingError(
            shown, node.line, f"a triple's object must be a string or a number, not {obj!r}"
        )
    return FactTriple(subject, predicate, obj, node.line)
