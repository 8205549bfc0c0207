"""kg check: everything the curated data lacks, in one run; --template writes the rows to add.

Each test runs kg as a process in a project folder, with a family article of
tests/data/family/ and only some of its curated rows, as a user adding it would have.
"""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pytest

from kg_build.curated.tables import CURATED_FILES, add_rows
from tests.conftest import ROOT
from tests.projects import (
    ARTICLE,
    FAMILY,
    STEM,
    fill_in,
    looked_up,
    read_rows,
    run_kg,
    split_by_hand,
)

SHOWN = f"sources/{STEM}.txt"
AUS_GBR = ("AUS", "GBR")
# The 2024 article's athletes cells by line, as the first column of each results table.
MEDAL_LINES = {"AUS": 12, "GBR": 14, "ITA": 16}
CELLS = {  # line → NOC of the team whose cell it is
    **dict.fromkeys((38, 51, 63), "AUS"),
    **dict.fromkeys((39, 52, 64), "GBR"),
    **dict.fromkeys((40, 53, 67), "DEN"),
    **dict.fromkeys((41, 54, 66), "ITA"),
    **dict.fromkeys((42, 56), "FRA"),
    **dict.fromkeys((43, 55), "NZL"),
    **dict.fromkeys((44, 58, 73), "BEL"),
    **dict.fromkeys((45, 57, 72), "CAN"),
    46: "GER",
    47: "JPN",
}


def _project(tmp_path: Path, *rows_of: str) -> Path:
    """Return a project holding the 2024 article and its rows of ``rows_of`` (file or NOC)."""
    assert run_kg(["-q", "init", "proj"], tmp_path).returncode == 0
    project = tmp_path / "proj"
    shutil.copy(ARTICLE, project / "sources")
    for name, rows in looked_up(STEM).items():
        spec = CURATED_FILES[name]
        kept = [
            "\t".join(row[c] for c in spec.columns)
            for row in rows.values()
            if name in rows_of or (name == "rosters.tsv" and row["noc"] in rows_of)
        ]
        add_rows(project / "mappings" / "curated" / name, kept)
    return project


def _lines(text: str, prefix: str) -> list[str]:
    return [line.removeprefix(prefix) for line in text.splitlines() if line.startswith(prefix)]


def test_check_lists_each_missing_row_with_its_line_as_the_build_does(tmp_path: Path) -> None:
    project = _project(tmp_path, "venues.tsv", "events.tsv", "nocs.tsv", *AUS_GBR)
    done = run_kg(["check"], project)
    assert done.returncode == 1
    missing = _lines(done.stdout, "missing: ")
    want = Counter(
        ("athletes-not-in-roster", line) for line, noc in CELLS.items() if noc not in AUS_GBR
    )
    want["athletes-not-in-roster", MEDAL_LINES["ITA"]] = 4  # one per name of the medal line
    got = Counter((line.rsplit("[", 1)[1][:-1], int(line.split(":")[1])) for line in missing)
    assert got == want
    assert (
        f"{SHOWN}:16: athletes 'Jonathan Milan' do not split into names of the roster of "
        in done.stdout
    )
    assert (
        f"missing: {SHOWN}:46: athletes 'Tobias Buck-Gramcko Roger Kluge Theo Reinhardt Tim Torn "
        f"Teutenberg' do not split into names of the roster of '{STEM}' "
        "(mappings/curated/rosters.tsv): no roster name starts 'Tobias Buck-Gramcko Roger Kluge "
        "Theo Reinhardt Tim Torn Teutenberg' (add the athlete, or an alias row for this "
        "spelling, with its source) [athletes-not-in-roster]\n" in done.stdout
    )
    # Every line the build stops with, kg check lists (and the build's diagnostics too).
    built = run_kg(["build", "--no-store", "-o", "x.ttl"], project)
    assert built.returncode == 1
    stops = _lines(built.stderr, "error: ")
    assert stops[-1] == "22 curated rows missing (kg check lists them); nothing written"
    assert stops[:-1] == missing
    assert _lines(done.stdout, "diagnostic: ") == [
        f"{SHOWN}:14: medallist 'Charlie Tanfield' is in no results row of Great Britain "
        "[medallist-not-in-results]",
        f"{SHOWN}:69: results row '| 5 | | | | |' holds only a rank [rank-only-row]",
        f"{SHOWN}:70: results row '| 6 | | | | |' holds only a rank [rank-only-row]",
    ]
    assert done.stderr == (
        "checked 1 article: 22 missing (22 athletes-not-in-roster); 3 diagnostics "
        "(2 rank-only-row, 1 medallist-not-in-results); a build would stop (kg check --template DIR writes the rows to add)\n"
    )


def test_check_names_every_athletes_cell_of_an_event_without_roster(tmp_path: Path) -> None:
    project = _project(tmp_path)
    done = run_kg(["check"], project)
    assert done.returncode == 1
    missing = Counter(
        (line.rsplit("[", 1)[1][:-1], int(line.split(":")[1]))
        for line in _lines(done.stdout, "missing: ")
    )
    assert missing == Counter(
        {
            ("no-roster", 1): 1,
            ("venue-not-curated", 6): 1,
            **{("athletes-not-in-roster", line): 1 for line in CELLS},
            ("athletes-not-in-roster", 12): 4,
            ("athletes-not-in-roster", 14): 5,
            ("athletes-not-in-roster", 16): 4,
        }
    )
    assert _lines(done.stdout, "warning: ") == [
        f"{SHOWN}:1: no row for event '{STEM}' in mappings/curated/events.tsv: the event's "
        "discipline stays unknown (optional) [discipline-not-curated]"
    ]
    # The build names the missing roster once.
    built = run_kg(["build", "--no-store", "-o", "x.ttl"], project)
    assert [line for line in _lines(built.stderr, "error: ") if "[athletes-" in line] == []


def test_template_rows_once_filled_in_build(tmp_path: Path) -> None:
    project = _project(tmp_path)
    done = run_kg(["check", "--template", "templates"], project)
    assert done.returncode == 1
    assert done.stderr.splitlines()[-1] == (
        "wrote templates/events.tsv (1 row), templates/rosters.tsv (13 rows), "
        "templates/venues.tsv (1 row); templates/TODO.md: 8 athletes cells to split, 2 rows "
        "with empty cells, and every row's source"
    )
    templates = project / "templates"
    assert sorted(p.name for p in templates.iterdir()) == [
        "TODO.md",
        "events.tsv",
        "rosters.tsv",
        "venues.tsv",
    ]
    rosters = read_rows(templates / "rosters.tsv")
    assert [(r["athlete"], r["noc"]) for r in rosters] == [
        ("Conor Leahy", "AUS"),
        ("Kelland O'Brien", "AUS"),
        ("Oliver Bleddyn", "AUS"),
        ("Sam Welsford", "AUS"),
        ("Charlie Tanfield", "GBR"),
        ("Daniel Bigham", "GBR"),
        ("Ethan Hayter", "GBR"),
        ("Ethan Vernon", "GBR"),
        ("Oliver Wood", "GBR"),
        ("Filippo Ganna", "ITA"),
        ("Francesco Lamon", "ITA"),
        ("Jonathan Milan", "ITA"),
        ("Simone Consonni", "ITA"),
    ]
    assert {(r["event"], r["alias"], r["source_url"], r["evidence"]) for r in rosters} == {
        (STEM, "", "", "")
    }
    assert read_rows(templates / "venues.tsv") == [
        dict.fromkeys(CURATED_FILES["venues.tsv"].columns, "")
        | {"event": STEM, "venue": "Vélodrome National de Saint-Quentin-en-Yvelines"}
    ]
    assert read_rows(templates / "events.tsv") == [
        {"event": STEM, "discipline": "", "sport": "Cycling", "source_url": "", "evidence": ""}
    ]
    todo = (templates / "TODO.md").read_text(encoding="utf-8")
    assert (
        f"- 'Tobias Hansen Niklas Larsen Carl-Frederik Bévort Rasmus Pedersen': {SHOWN} lines "
        "40, 53, 67\n" in todo
    )
    assert (
        f"- 'Eiya Hashimoto Shunsuke Imamura Kazushige Kuboki Shinji Nakano': {SHOWN} line 47\n"
        in todo
    )
    # A spelling the medal line does not use: the names around it are known, and their NOC.
    assert (
        f"- 'Ethan Hayter Oliver Wood Dan Bigham Ethan Vernon' (GBR): {SHOWN} line 52; names "
        "known in it: Ethan Hayter, Oliver Wood, Ethan Vernon\n" in todo
    )
    assert (
        "- `venues.tsv`: city, country of the row with event "
        f"'{STEM}', venue 'Vélodrome National de Saint-Quentin-en-Yvelines'\n" in todo
    )
    # The user fills in every row, adds them, and splits the cells TODO.md lists.
    curated = project / "mappings" / "curated"
    assert fill_in(templates, curated, STEM) == 15
    assert len(split_by_hand(curated, STEM)) == 29  # 28 athletes and the alias Dan Bigham
    shutil.rmtree(templates)
    done = run_kg(["check", "--template", "templates"], project)
    assert done.returncode == 1
    assert _lines(done.stdout, "missing: ") == [
        f"{SHOWN}:42: no row for NOC 'FRA' in mappings/curated/nocs.tsv (add one with its "
        "source) [noc-not-curated]",
        f"{SHOWN}:44: no row for NOC 'BEL' in mappings/curated/nocs.tsv (add one with its "
        "source) [noc-not-curated]",
        f"{SHOWN}:47: no row for NOC 'JPN' in mappings/curated/nocs.tsv (add one with its "
        "source) [noc-not-curated]",
    ]
    assert [r["code"] for r in read_rows(templates / "nocs.tsv")] == ["BEL", "FRA", "JPN"]
    assert fill_in(templates, curated, STEM) == 3
    done = run_kg(["check"], project)
    assert (done.returncode, _lines(done.stdout, "missing: ")) == (0, [])
    assert done.stderr.endswith("; a build has every curated row it needs\n")
    done = run_kg(["build", "--no-store", "-o", "graph.nt"], project)
    assert done.returncode == 0, done.stderr
    graph = (project / "graph.nt").read_text(encoding="utf-8")
    assert (
        "<https://w3id.org/team-pursuit/id/event/2024-cycling-mens-team-pursuit/team/DEN>" in graph
    )
    # --strict: the rank-only rows the build reads around are errors too.
    assert run_kg(["check", "--strict"], project).returncode == 1


def test_check_names_the_cells_a_country_cell_of_no_curated_noc_hides(tmp_path: Path) -> None:
    stem = "cycling-1916-mens-team-pursuit"
    assert run_kg(["-q", "init", "proj"], tmp_path).returncode == 0
    project = tmp_path / "proj"
    shutil.copy(FAMILY / stem / f"{stem}.txt", project / "sources")
    done = run_kg(["check", "--template", "t"], project)
    shown = f"sources/{stem}.txt"
    missing = _lines(done.stdout, "missing: ")
    assert (
        f"{shown}:28: team 'France' is no NOC of mappings/curated/nocs.tsv (add a row with its "
        "IOC code, name and source) [noc-not-curated]" in missing
    )
    # The row's athletes, which the build reaches once France has a row.
    assert any(line.startswith(f"{shown}:28: athletes 'Jean Moreau") for line in missing)
    nocs = read_rows(project / "t" / "nocs.tsv")
    assert [(r["code"], r["name"]) for r in nocs] == [("", "France")]
    todo = (project / "t" / "TODO.md").read_text(encoding="utf-8")
    assert "- `nocs.tsv`: code of the row with name 'France'\n" in todo
    # "Germany I" and "Germany II" name curated GER: their medal line's riders get it.
    rosters = read_rows(project / "t" / "rosters.tsv")
    assert {r["noc"] for r in rosters if r["athlete"] == "Karl Brandt"} == {"GER"}


def test_check_exits_0_on_the_bundled_articles(in_root: Path) -> None:
    done = run_kg(["check"], ROOT)
    assert done.returncode == 0
    assert _lines(done.stdout, "missing: ") == []
    assert done.stderr.startswith("checked 2 articles: 6 warnings (")
    assert done.stderr.endswith("; a build has every curated row it needs\n")


def test_check_lists_the_first_error_of_every_curated_file(tmp_path: Path) -> None:
    project = _project(tmp_path)
    curated = project / "mappings" / "curated"
    (curated / "nocs.tsv").write_text(
        "code\tname\tcountry_code\tsource_url\tevidence\n"
        "ZZZ\tZ\t\thttps://example.org/z\t\nAAA\tA\t\thttps://example.org/a\t\n",
        encoding="utf-8",
    )
    (curated / "venues.tsv").write_text("event\tvenue\n", encoding="utf-8")
    done = run_kg(["check"], project)
    assert (done.returncode, done.stdout) == (1, "")
    errors = done.stderr.splitlines()[:-1]
    assert errors == [
        "error: mappings/curated/nocs.tsv:3: nocs.tsv is sorted by code; this row (code 'AAA') "
        "sorts before line 2's (code 'ZZZ')",
        "error: mappings/curated/venues.tsv:1: header is ['event', 'venue'], expected "
        "['event', 'venue', 'city', 'country', 'utc_offset', 'time_zone_name', 'source_url', "
        "'evidence']",
    ]
    # The build says the same of the first file it reads.
    built = run_kg(["build", "--no-store", "-o", "x.ttl"], project)
    assert built.stderr.splitlines()[-1] in errors


@pytest.mark.parametrize("folder", ["mappings/curated", "mappings/curated/"])
def test_template_is_never_a_curated_folder(tmp_path: Path, folder: str) -> None:
    project = _project(tmp_path)
    done = run_kg(["check", "--template", folder], project)
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr == (
        "error: mappings/curated: is a curated folder the build reads; --template writes rows for you "
        "to fill in first: give another folder\n"
    )
