"""All curated data of a build: the curated TSV files and the facts of ``mappings/``.

Each curated row carries its source; each error names the file and line.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path

from msgspec import Struct

from kg_build.curated.facts import FactEntry, load_facts
from kg_build.curated.rosters import RosterEntry, load_rosters
from kg_build.curated.tables import CURATED_FILES, merge_rows, read_curated
from kg_build.errors import MappingError
from kg_build.messages import display_path

CURATED_DIR = "curated"
FACTS_DIR = "facts"
_UTC_OFFSET = re.compile(r"[+-]\d{2}:\d{2}")


class NocRow(Struct, frozen=True):
    """An NOC's code and name, and the country NOC it stands for where that differs."""

    code: str
    name: str
    country_code: str
    source_url: str


class VenueRow(Struct, frozen=True):
    """An event's venue, its city, country and UTC offset."""

    event: str
    venue: str
    city: str
    country: str
    utc_offset: str
    time_zone_name: str
    source_url: str


class GamesRow(Struct, frozen=True):
    """A Games edition's host city and country."""

    games: str
    name: str
    host_city: str
    host_country: str
    source_url: str


class EventRow(Struct, frozen=True):
    """An event's discipline and sport where the article does not name them."""

    event: str
    discipline: str
    sport: str
    source_url: str


class Reference(Struct, frozen=True):
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
        rosters=load_rosters(curated),
        nocs=_load_nocs(curated),
        venues=_load_venues(curated),
        games=_load_games(curated),
        events=_load_events(curated),
        facts=load_facts([mappings / FACTS_DIR] + ([project / FACTS_DIR] if project else [])),
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
