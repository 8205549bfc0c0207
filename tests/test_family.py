"""The family corpus: real shapes of Olympic team pursuit articles build, as EXPECTED.md says.

Each article of ``tests/data/family/<stem>/`` builds with its curated rows only (no code for
any one article), and the graph and the diagnostics are checked against the tables of its
``EXPECTED.md``: the diagnostics (code and line, and the text where given whole), every
results row (kept or left out, NOC, rank, time) and every team (members, final rank, medal).
"""

from __future__ import annotations

import re
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
from rdflib import Graph, URIRef

from kg_build.build.config import Config
from kg_build.build.memory import Built, build
from tests.conftest import FAMILY, FAMILY_ARTICLES, SOURCES

ARTICLES = FAMILY_ARTICLES
TP = "https://w3id.org/team-pursuit/ontology#"
LABEL = URIRef("http://www.w3.org/2000/01/rdf-schema#label")


def _markdown_tables(path: Path) -> dict[str, list[dict[str, str]]]:
    """Return the first table under each ``## `` heading, as rows of cells by header."""
    tables: dict[str, list[dict[str, str]]] = {}
    section = ""
    header: list[str] | None = None
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            section, header = line[3:].split(" (", 1)[0].strip(), None
            continue
        if not line.startswith("|"):
            header = None if section in tables else header
            continue
        cells = [c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", line)[1:-1]]
        if header is None:
            if section in tables:
                continue  # a second table of the section
            header = [c.lower() for c in cells]
            tables[section] = []
        elif not all(set(c) <= {"-", ":"} for c in cells):
            tables[section].append(dict(zip(header, cells, strict=False)))
    return tables


def _lines(cell: str) -> list[int]:
    return [int(n) for n in re.findall(r"\d+", cell)]


@pytest.fixture(scope="session")
def family_built(family_mappings: Path) -> dict[str, Built]:
    """Build each family article on its own."""
    config = Config(mappings=family_mappings)
    return {stem: build([FAMILY / stem / f"{stem}.txt"], config) for stem in ARTICLES}


def test_the_corpus_covers_both_sports_and_genders() -> None:
    kinds = Counter(
        (stem.split("-20")[0].split("-19")[0], "women" if "womens" in stem else "men")
        for stem in ARTICLES
    )
    assert len(ARTICLES) >= 8
    assert sum(n for (sport, _), n in kinds.items() if sport == "cycling") >= 3
    assert sum(n for (sport, _), n in kinds.items() if sport == "speed-skating") >= 3
    assert {gender for _, gender in kinds} == {"men", "women"}


@pytest.mark.parametrize("stem", ARTICLES)
def test_diagnostics_are_the_expected_ones(stem: str, family_built: dict[str, Built]) -> None:
    built = family_built[stem]
    expected = _markdown_tables(FAMILY / stem / "EXPECTED.md").get("Diagnostics", [])
    want = Counter(
        (row["code"].strip("`"), line) for row in expected for line in _lines(row["line"])
    )
    got = Counter((d.code, d.src.line) for d in built.diagnostics)
    assert got == want
    for row in expected:
        text = row["text"]
        whole = re.fullmatch(r"`([^`]*)`", text)
        if whole and "…" not in text:
            (line,) = _lines(row["line"])[:1]
            texts = {d.text for d in built.diagnostics if d.src.line == line}
            assert whole[1] in texts, (row, texts)


def _results_by_line(graph: Graph) -> dict[int, URIRef]:
    query = f"SELECT ?r ?line WHERE {{ ?r a <{TP}Result> ; <{TP}sourceLine> ?line }}"
    return {int(line): r for r, line in graph.query(query)}  # type: ignore[misc]


def _one(graph: Graph, subject: URIRef, prop: str) -> object | None:
    return graph.value(subject, URIRef(TP + prop))


@pytest.mark.parametrize("stem", ARTICLES)
def test_results_are_the_expected_ones(stem: str, family_built: dict[str, Built]) -> None:
    graph = family_built[stem].graph
    results = _results_by_line(graph)
    rows = _markdown_tables(FAMILY / stem / "EXPECTED.md")["Results"]
    checked = 0
    for row in rows:
        lines = _lines(row["line"])
        if len(lines) != 1:
            continue
        (line,) = lines
        if any("left out" in cell for cell in row.values()):
            assert line not in results, row
            continue
        assert line in results, row
        result = results[line]
        noc = next((c for k, c in row.items() if k.startswith("noc")), "")
        code = re.match(r"[A-Z]{3}\b", noc)
        if code:
            team = _one(graph, result, "team")
            assert str(_one(graph, URIRef(str(team)), "noc")).endswith(f"/{code[0]}"), row
        rank = next((c for k, c in row.items() if k.startswith(("rank", "place"))), "")
        if re.fullmatch(r"`?\d+`?", rank):
            ranks = {_one(graph, result, "roundRank"), _one(graph, result, "raceRank")}
            assert int(rank.strip("`")) in {int(str(r)) for r in ranks if r is not None}, row
        time = next((c for k, c in row.items() if k.startswith("time")), "")
        seconds = re.search(r"(?:→ |^)(\d+(?:\.\d+)?)\s*$", time)
        finish = _one(graph, result, "finishTime")
        if seconds:
            assert finish is not None and Decimal(str(finish)) == Decimal(seconds[1]), row
        elif re.search(r"outcome|MissingValue|empty|DN[FS]|DSQ|OVL|LAP|REL|—", time):
            assert finish is None, row
        checked += 1
    assert checked >= 4


def _teams(graph: Graph) -> dict[str, list[URIRef]]:
    query = (
        f"SELECT ?t ?code WHERE {{ ?t a <{TP}TeamEntry> ; <{TP}noc> ?n . ?n <{TP}iocCode> ?code }}"
    )
    found: dict[str, list[URIRef]] = {}
    for team, code in graph.query(query):  # type: ignore[misc]
        found.setdefault(str(code), []).append(URIRef(str(team)))
    return found


@pytest.mark.parametrize("stem", ARTICLES)
def test_teams_and_medals_are_the_expected_ones(stem: str, family_built: dict[str, Built]) -> None:
    graph = family_built[stem].graph
    teams = _teams(graph)
    tables = _markdown_tables(FAMILY / stem / "EXPECTED.md")
    rows = next(rows for title, rows in tables.items() if title.startswith("Team entries"))
    for row in rows:
        first = next(iter(row.values()))
        codes = re.findall(r"\b[A-Z]{3}\b", first)
        if len(codes) != 1:
            continue  # a row that speaks of several teams at once ("their 3 each")
        code = re.search(r"\b([A-Z]{3})\b", first)
        assert code, row
        candidates = teams[code[1]]
        designation = re.match(r"\S+ (I{1,3})\b", first)
        if designation:
            candidates = [t for t in candidates if str(t).endswith(f"-{designation[1]}")]
        (team,) = candidates
        members = [str(graph.value(m, LABEL)) for m in graph.objects(team, URIRef(TP + "member"))]
        named = next(c for k, c in row.items() if k.startswith("members"))
        counted = re.fullmatch(r"(?:its|their) (\d+)", named)
        names = [] if counted else [re.sub(r"\*|\(.*?\)", "", n).strip() for n in named.split(",")]
        assert len(members) == (int(counted[1]) if counted else len(names)), (row, members)
        for name in names:
            surname = name.split(". ")[-1]
            assert any(surname in m for m in members), (name, members)
        rank = next((c for k, c in row.items() if k.startswith("final rank")), "")
        place = re.match(r"\d+", rank)
        if rank.startswith("none"):
            assert _one(graph, team, "finalRank") is None, row
        if place:
            assert int(str(_one(graph, team, "finalRank"))) == int(place[0]), row
        medal = next((c for k, c in row.items() if k.startswith("medal")), "")
        kind = re.search(r"Gold|Silver|Bronze", medal)
        awards = list(graph.subjects(URIRef(TP + "asMemberOf"), team))
        if kind:
            assert len(awards) == len(members), (row, len(awards))


def test_the_family_and_the_bundled_articles_build_together(family_mappings: Path) -> None:
    built = build(
        [*SOURCES, *(FAMILY / s / f"{s}.txt" for s in ARTICLES)], Config(mappings=family_mappings)
    )
    assert len(built.extractions) == len(SOURCES) + len(ARTICLES)


@pytest.mark.parametrize("stem", ARTICLES)
def test_event_dates_and_winning_time_are_the_expected_ones(
    stem: str, family_built: dict[str, Built]
) -> None:
    built = family_built[stem]
    (event,) = built.graph.subjects(URIRef(TP + "eventName"), None)
    facts = {
        row["fact"]: row["value"]
        for row in _markdown_tables(FAMILY / stem / "EXPECTED.md")["Event"]
        if "fact" in row
    }
    days = re.findall(r"\d{4}-\d{2}-\d{2}", facts["dates"])
    assert str(_one(built.graph, URIRef(str(event)), "startDate")) == days[0]
    assert str(_one(built.graph, URIRef(str(event)), "endDate")) == days[-1]
    win = next(v for k, v in facts.items() if "winning time" in k)
    seconds = re.search(r"→ (\d+(?:\.\d+)?) s", win)
    time = _one(built.graph, URIRef(str(event)), "winningTime")
    if seconds:
        assert time is not None and Decimal(str(time)) == Decimal(seconds[1])
    else:
        assert win.startswith("none") and time is None
    records = {
        str(r).rsplit("#", 1)[1]
        for r in built.graph.objects(URIRef(str(event)), URIRef(TP + "winningTimeRecord"))
    }
    named = {"WR": "WorldRecord", "OR": "OlympicRecord"}
    assert records == {named[m] for m in re.findall(r"\b(WR|OR)\b", win.split("→")[-1])}


KINDS = {
    "WR": "WorldRecord",
    "OR": "OlympicRecord",
    "TR": "TrackRecord",
    "WB": "WorldBest",
    "NR": "NationalRecord",
}


@pytest.mark.parametrize("stem", ARTICLES)
def test_records_are_the_expected_ones(stem: str, family_built: dict[str, Built]) -> None:
    graph = family_built[stem].graph
    query = f"SELECT ?time ?type WHERE {{ ?r a <{TP}Record> ; <{TP}recordTime> ?time ; <{TP}recordType> ?type }}"
    held: dict[Decimal, set[str]] = {}
    for time, kind in graph.query(query):  # type: ignore[misc]
        held.setdefault(Decimal(str(time)), set()).add(str(kind).rsplit("#", 1)[1])
    rows = _markdown_tables(FAMILY / stem / "EXPECTED.md").get("Records", [])
    for row in rows:
        if any("infobox" in cell for cell in row.values()):
            continue  # the winning time's markers are the event's (tested with the event)
        time = re.fullmatch(r"(\d+(?:\.\d+)?)", row.get("time", ""))
        kinds = next((c for k, c in row.items() if k.startswith("kind")), "")
        wanted = {KINDS[code] for code in re.findall(r"\b(WR|OR|TR|WB|NR)\b", kinds.split("(")[0])}
        if time and wanted:
            assert wanted <= held.get(Decimal(time[1]), set()), (row, held)
    standing = set(graph.subjects(URIRef(TP + "standingAtStartOf"), None))
    text = (FAMILY / stem / "EXPECTED.md").read_text(encoding="utf-8")
    if re.search(r"[Hh]eld before \(", text) or "Held before the event (" in text:
        assert standing, "the standing records the article's table gives"
    else:
        assert not standing


@pytest.mark.parametrize("stem", ARTICLES)
def test_aliases_name_one_person(stem: str, family_built: dict[str, Built]) -> None:
    graph = family_built[stem].graph
    results = _results_by_line(graph)
    for row in _markdown_tables(FAMILY / stem / "EXPECTED.md").get("Aliases", []):
        (line,) = _lines(row["line"])
        person = re.search(r"`person/([a-z-]+)`", row["person"])
        assert person, row
        iri = URIRef(f"https://w3id.org/team-pursuit/id/person/{person[1]}")
        if line in results:
            assert iri in set(graph.objects(results[line], URIRef(TP + "athlete"))), row
        assert (iri, None, None) in graph, row


def test_one_person_across_articles_written_two_ways(family_mappings: Path) -> None:
    stems = ["speed-skating-2006-womens-team-pursuit", "speed-skating-2010-womens-team-pursuit"]
    built = build([FAMILY / s / f"{s}.txt" for s in stems], Config(mappings=family_mappings))
    person = URIRef("https://w3id.org/team-pursuit/id/person/anni-friesinger")
    teams = {
        str(t).split("/event/")[1] for t in built.graph.subjects(URIRef(TP + "member"), person)
    }
    assert teams == {
        "2006-speed-skating-womens-team-pursuit/team/GER",
        "2010-speed-skating-womens-team-pursuit/team/GER",
    }
    assert [str(o) for o in built.graph.objects(person, LABEL)] == ["Anni Friesinger"]


def test_the_streamed_build_gives_the_same_triples_and_diagnostics(
    family_mappings: Path, tmp_path: Path
) -> None:
    from click.testing import CliRunner

    from kg_build.cli import cli

    articles = [str(FAMILY / s / f"{s}.txt") for s in ARTICLES]
    common = ["--mappings", str(family_mappings)]
    runs = {}
    for name, extra in (("memory", []), ("stream", ["--stream"])):
        out = tmp_path / f"{name}.nt"
        report = tmp_path / f"{name}.json"
        done = CliRunner().invoke(
            cli,
            [
                "-q",
                "build",
                *articles,
                *common,
                "-o",
                str(out),
                "--diagnostics",
                str(report),
                *extra,
            ],
        )
        assert done.exit_code == 0, done.stderr
        runs[name] = (set(out.read_bytes().splitlines()), report.read_bytes())
    assert runs["memory"] == runs["stream"]
