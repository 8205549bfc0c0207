"""Curated data and extraction settings: every malformed file is named with its line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kg_build.curated.reference import load_reference
from kg_build.curated.settings import check_settings, load_settings
from kg_build.curated.tables import add_rows
from kg_build.defaults import ONTOLOGY
from kg_build.errors import MappingError
from kg_build.rdf.ontology import load_ontology, vocabulary
from tests.conftest import ROOT


@pytest.fixture
def mappings(tmp_path: Path) -> Path:
    copy = tmp_path / "mappings"
    shutil.copytree(ROOT / "mappings", copy)
    return copy


def _append(path: Path, text: str) -> None:
    with path.open("a", encoding="utf-8") as handle:
        handle.write(text)


def test_bundled_reference_data_loads() -> None:
    reference = load_reference(ROOT / "mappings")
    assert len(reference.rosters["cycling-2020-mens-team-pursuit"]) == 37
    assert len(reference.rosters["speed-skating-2022-mens-team-pursuit"]) == 27
    assert reference.nocs["ROC"].country_code == "RUS"
    assert reference.venues["speed-skating-2022-mens-team-pursuit"].utc_offset == "+08:00"
    assert reference.games["2020-summer"].host_city == "Tokyo"
    assert all(
        e.source_url.startswith("http") for entries in reference.rosters.values() for e in entries
    )


def test_every_roster_name_is_unique_per_event() -> None:
    for event, entries in load_reference(ROOT / "mappings").rosters.items():
        names = [e.athlete for e in entries]
        assert len(names) == len(set(names)), event


def test_row_without_source(mappings: Path) -> None:
    rosters = mappings / "curated" / "rosters.tsv"
    lines = rosters.read_text(encoding="utf-8").count("\n")
    _append(rosters, "zz-event\tNew Rider\t\tITA\t\tno source\n")
    with pytest.raises(MappingError) as caught:
        load_reference(mappings)
    assert (caught.value.line, caught.value.message) == (
        lines + 1,
        "row has no source_url (every curated fact needs a source)",
    )


def test_row_with_wrong_cell_count(mappings: Path) -> None:
    _append(mappings / "curated" / "nocs.tsv", "XYZ\tNowhere\n")
    with pytest.raises(MappingError, match="row has 2 cells, expected 5"):
        load_reference(mappings)


def test_wrong_header(mappings: Path) -> None:
    venues = mappings / "curated" / "venues.tsv"
    venues.write_text(
        venues.read_text(encoding="utf-8").replace("utc_offset", "offset", 1), encoding="utf-8"
    )
    with pytest.raises(MappingError) as caught:
        load_reference(mappings)
    assert caught.value.line == 1 and caught.value.message.startswith("header is [")


def test_bad_utc_offset(mappings: Path) -> None:
    venues = mappings / "curated" / "venues.tsv"
    venues.write_text(
        venues.read_text(encoding="utf-8").replace("+09:00", "UTC+9"), encoding="utf-8"
    )
    with pytest.raises(MappingError, match=r"utc_offset 'UTC\+9' is not \+HH:MM or -HH:MM"):
        load_reference(mappings)


@pytest.mark.parametrize(
    ("old", "new", "at", "message"),
    [
        (
            "results_section: Results",
            "results_section: Results\nresult_section: Results",
            "result_section:",
            "unknown key 'result_section'",
        ),
        (
            "  Finals: Final\n",
            "  Finals: Finale\n",
            "rounds:",
            "'Finale' in 'rounds' is not a tp:RoundKind of the ontology (did you mean 'Final'?)",
        ),
        ("medal: Gold}", "medal: gold}", "medals:", "'gold' in 'medals' is not a tp:MedalType"),
        ("results_section: Results", "results_section: [Results", "rounds:", "not valid YAML"),
    ],
    ids=["unknown-key", "round-kind", "medal", "yaml-syntax"],
)
def test_settings_errors(mappings: Path, old: str, new: str, at: str, message: str) -> None:
    settings = mappings / "extraction.yaml"
    text = settings.read_text(encoding="utf-8")
    assert old in text
    text = text.replace(old, new, 1)
    settings.write_text(text, encoding="utf-8")
    line = next(n for n, ln in enumerate(text.splitlines(), 1) if ln.startswith(at))
    vocab = vocabulary(load_ontology(ONTOLOGY))
    with pytest.raises(MappingError) as caught:
        check_settings(load_settings(mappings), vocab, "mappings/extraction.yaml")
    assert caught.value.message.startswith(message) or message in caught.value.message
    assert caught.value.path.endswith("extraction.yaml")
    assert caught.value.line == line


def test_rosters_are_read_per_event_with_their_lines(mappings: Path) -> None:
    rosters = mappings / "curated" / "rosters.tsv"
    add_rows(
        rosters,
        [
            "other-event\tA Rider\t\tITA\thttps://example.org/a\te",
            "cycling-2020-mens-team-pursuit\tNew Rider\t\tITA\thttps://example.org/b\te",
        ],
    )
    line = (
        rosters.read_text(encoding="utf-8")
        .splitlines()
        .index("cycling-2020-mens-team-pursuit\tNew Rider\t\tITA\thttps://example.org/b\te")
    )
    reference = load_reference(mappings)
    assert [e.athlete for e in reference.rosters["other-event"]] == ["A Rider"]
    new = next(
        e for e in reference.rosters["cycling-2020-mens-team-pursuit"] if e.athlete == "New Rider"
    )
    assert (new.athlete, new.source_url, new.line) == (
        "New Rider",
        "https://example.org/b",
        line + 1,
    )
    assert len(reference.rosters["cycling-2020-mens-team-pursuit"]) == 38
    assert "no-such-event" not in reference.rosters


def test_roster_row_not_utf8_is_named_by_line(mappings: Path) -> None:
    rosters = mappings / "curated" / "rosters.tsv"
    lines = rosters.read_text(encoding="utf-8").count("\n")
    with rosters.open("ab") as handle:
        handle.write(b"zz-event\tRider \xff\tITA\thttps://example.org/a\te\n")
    with pytest.raises(MappingError) as caught:
        load_reference(mappings)
    assert caught.value.line == lines + 1 and caught.value.message.startswith("not UTF-8")
