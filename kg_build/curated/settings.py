"""Extraction settings: ``extraction.yaml`` of the mappings folder, checked key by key."""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from msgspec import Struct

from kg_build.curated.fields import (
    count_field,
    list_field,
    mapping_field,
    pattern_field,
    string_field,
    string_map_field,
    strings_field,
)
from kg_build.defaults import TP_IRI
from kg_build.errors import MappingError
from kg_build.messages import display_path
from kg_build.model import Vocabulary
from kg_build.yaml_source import YamlMap, check_keys, load_yaml

SETTINGS_FILE = "extraction.yaml"


class MedalLine(Struct, frozen=True):
    """Which infobox keys hold a medal's athletes and NOC."""

    athletes: str
    noc: str
    medal: str


class Settings(Struct, frozen=True):
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
    infobox = mapping_field(doc, "infobox", shown)
    check_keys(infobox, shown, _INFOBOX_FIELDS)
    columns = string_map_field(doc, "columns", shown)
    for header, role in columns.items():
        if role not in _COLUMN_ROLES:
            raise MappingError(
                shown,
                mapping_field(doc, "columns", shown).key_lines[header],
                f"column role '{role}' of '{header}' is not one of {sorted(_COLUMN_ROLES)}",
            )
    return Settings(
        title_pattern=pattern_field(doc, "title_pattern", shown),
        infobox={k: strings_field(infobox, k, shown) for k in infobox},
        infobox_claims=string_map_field(doc, "infobox_claims", shown),
        medals=tuple(_medal_line(m, shown) for m in list_field(doc, "medals", shown)),
        genders=string_map_field(doc, "genders", shown),
        results_section=string_field(doc, "results_section", shown),
        rounds=string_map_field(doc, "rounds", shown),
        columns=columns,
        leader_marks=strings_field(doc, "leader_marks", shown),
        outcomes=string_map_field(doc, "outcomes", shown),
        qualification_marks=strings_field(doc, "qualification_marks", shown),
        placeholders=strings_field(doc, "placeholders", shown),
        timed_athletes=count_field(doc, "timed_athletes", shown),
        team_designation=pattern_field(doc, "team_designation", shown),
        race_label=pattern_field(doc, "race_label", shown),
        records_section=string_field(doc, "records_section", shown),
        records_announcement=pattern_field(doc, "records_announcement", shown),
        records_before=pattern_field(doc, "records_before", shown),
        records_before_columns=_roles(doc, "records_before_columns", shown),
        record_round_codes=string_map_field(doc, "record_round_codes", shown),
        schedule_section=string_field(doc, "schedule_section", shown),
        round_time_sentence=pattern_field(doc, "round_time_sentence", shown),
        lead_round_day=pattern_field(doc, "lead_round_day", shown),
        no_time_phrases=strings_field(doc, "no_time_phrases", shown),
        no_time_default_reason=string_field(doc, "no_time_default_reason", shown),
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


def _roles(node: YamlMap, key: str, shown: str) -> tuple[str, ...]:
    roles = strings_field(node, key, shown)
    for role in roles:
        if role not in _COLUMN_ROLES:
            raise MappingError(
                shown,
                node.key_lines[key],
                f"'{role}' in '{key}' is not a column role: one of {sorted(_COLUMN_ROLES)}",
            )
    return roles


def _medal_line(node: Any, shown: str) -> MedalLine:
    if not isinstance(node, YamlMap):
        raise MappingError(shown, None, "each of 'medals' must be a mapping")
    check_keys(node, shown, {"athletes", "noc", "medal"})
    return MedalLine(
        athletes=string_field(node, "athletes", shown),
        noc=string_field(node, "noc", shown),
        medal=string_field(node, "medal", shown),
    )
