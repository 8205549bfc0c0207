"""The article parser on both real articles, on every bad input, and on random text."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg_build.errors import SourceError
from kg_build.model import Article, BulletList, Paragraph, Table
from kg_build.parse.article import parse_article, parse_bytes
from tests.conftest import BAD_INPUTS, CYCLING, SKATING, SOURCES

# Tables per section, read off the articles by hand.
TABLES_PER_SECTION = {
    CYCLING.name: {
        "Background": 0,
        "Qualification": 0,
        "Competition format": 0,
        "Schedule": 1,
        "Results": 0,
        "Qualifying": 1,
        "First round": 1,
        "Finals": 1,
    },
    SKATING.name: {
        "Qualification": 0,
        "Emergence of a new technique": 0,
        "Records": 1,
        "Results": 0,
        "Quarterfinals": 1,
        "Semifinals": 1,
        "Finals": 1,
    },
}
TITLES = {
    CYCLING.name: "Cycling at the 2020 Summer Olympics – Men's team pursuit",
    SKATING.name: "Speed skating at the 2022 Winter Olympics – Men's team pursuit",
}


def _table(article: Article, section: str) -> Table:
    found = article.find_section(section)
    assert found is not None, section
    (table,) = found.tables
    return table


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.stem)
def test_article_sections_and_tables(path: Path) -> None:
    article = parse_article(path)
    assert article.title == TITLES[path.name]
    assert article.src.line == 1
    assert {s.title: len(s.tables) for s in article.walk()} == TABLES_PER_SECTION[path.name]
    results = article.find_section("Results")
    assert results is not None and results.level == 2
    assert all(s.level == 3 for s in results.subsections)


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.stem)
def test_infobox_keeps_keys_values_and_lines(path: Path) -> None:
    article = parse_article(path)
    assert len(article.infobox) == 16
    win = [f for f in article.infobox if f.key == "Win Value"]
    assert [f.src.line for f in win] == [11]
    assert article.infobox[0].key == "Event" and article.infobox[0].src.line == 4


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.stem)
def test_every_row_is_as_wide_as_its_header(path: Path) -> None:
    article = parse_article(path)
    for section in article.walk():
        for table in section.tables:
            assert all(len(row.cells) == len(table.header) for row in table.rows)


def test_infobox_values_exact(cycling: Article, skating: Article) -> None:
    assert cycling.infobox_values("Win Value") == ("3:42.032 WR",)
    assert cycling.infobox_values("Dates") == ("2–4 August 2021",)
    assert skating.infobox_values("Venue") == ("National Speed Skating Oval,, Beijing",)
    assert skating.infobox_values("Bronze") == (
        "Ethan Cepuran, Casey Dawson, Emery Lehman, Joey Mantia",
    )


def test_cycling_qualifying_header(cycling: Article) -> None:
    table = _table(cycling, "Qualifying")
    assert table.header == ("Rank", "Country", "Cyclists", "Result", "Notes")
    assert table.src.line == 54
    assert table.rows[0].cells == (
        "1",
        "",
        "Lasse Norman Hansen Niklas Larsen Frederik Rodenberg Rasmus Pedersen",
        "3:45.014",
        "OR",
    )
    assert [r.src.line for r in table.rows] == list(range(55, 63))


def test_group_of_each_row(skating: Article, cycling: Article) -> None:
    finals = _table(skating, "Finals")
    row = next(r for r in finals.rows if r.cells[2] == "Casey Dawson Emery Lehman Joey Mantia")
    assert row.group is not None and row.group.label == "Final B"
    assert row.group.src.line == 80 and row.src.line == 81
    assert [g.label for g in finals.groups] == ["Final A", "Final B", "Final C", "Final D"]
    assert [r.group.label if r.group else None for r in _table(cycling, "Finals").rows] == [
        "Gold medal final",
        "Gold medal final",
        "Bronze medal final",
        "Bronze medal final",
        "Fifth place final",
        "Fifth place final",
        "Seventh place final",
        "Seventh place final",
    ]
    assert all(r.group is None for r in _table(cycling, "First round").rows)


def test_empty_cells_stay_in_place(cycling: Article, skating: Article) -> None:
    denmark = _table(cycling, "First round").rows[1]
    assert denmark.cells == (
        "2",
        "4",
        "",
        "Lasse Norman Hansen Niklas Larsen Frederik Rodenberg Rasmus Pedersen",
        "",
        "",
    )
    semis = _table(skating, "Semifinals")
    assert semis.header == ("Rank", "", "Country", "Time", "Deficit", "Notes")
    assert semis.rows[2].cells[3:] == ("3:36.62", "", ", Final A")
    bronze_final = [
        r
        for r in _table(cycling, "Finals").rows
        if r.group and r.group.label == "Bronze medal final"
    ]
    assert [r.cells[3] for r in bronze_final] == ["", ""]


def test_prose_and_lists(cycling: Article, skating: Article) -> None:
    (lead,) = cycling.lead
    assert isinstance(lead, Paragraph) and lead.src.line == 21
    assert lead.text.endswith("32 cyclists (8 teams of 4) from 8 nations competed.")
    fmt = cycling.find_section("Competition format")
    assert fmt is not None
    lists = [b for b in fmt.blocks if isinstance(b, BulletList)]
    assert [[i.text.split(":")[0] for i in b.items] for b in lists] == [
        ["Qualifying round", "First round", "Finals"]
    ]
    assert [i.src.line for i in lists[0].items] == [40, 41, 42]
    technique = skating.find_section("Emergence of a new technique")
    assert technique is not None
    assert [b.src.line for b in technique.blocks] == [30, 32, 34, 36, 38]


def test_unicode_kept_as_written(cycling: Article, skating: Article) -> None:
    riders = " ".join(r.cells[2] for r in _table(cycling, "Qualifying").rows)
    for name in ("Vincent De Haître", "Felix Groß", "Cyrille Thièry", "Kelland O'Brien"):
        assert name in riders
    assert "Hallgeir Engebråten" in skating.infobox_values("Gold")[0]
    assert "–" in skating.title


def test_decomposed_text_is_normalised_to_nfc() -> None:
    text = "= Title =\n\nInfobox\n- Gold: Hallgeir Engebråten\n"
    article = parse_bytes(unicodedata.normalize("NFD", text).encode(), "nfd.txt")
    assert article.infobox_values("Gold") == ("Hallgeir Engebråten",)
    assert unicodedata.is_normalized("NFC", article.infobox[0].value)


def test_repeated_infobox_key_and_empty_value() -> None:
    text = "= T =\nInfobox\n- Venue: A\n- Venue: B\n- Notes:\n"
    article = parse_bytes(text.encode(), "t.txt")
    assert article.infobox_values("Venue") == ("A", "B")
    assert article.infobox_values("Notes") == ("",)
    assert [f.src.line for f in article.infobox] == [3, 4, 5]


def test_crlf_bom_and_alignment_row() -> None:
    text = "\ufeff= T =\r\n\r\n== S ==\r\n| a | b |\r\n|---|:-:|\r\n| 1 | 2 |\r\n"
    article = parse_bytes(text.encode(), "t.txt")
    (table,) = article.sections[0].tables
    assert table.header == ("a", "b")
    assert [(r.cells, r.src.line) for r in table.rows] == [(("1", "2"), 6)]


def test_subsection_tree_and_level_jump() -> None:
    text = "= T =\n== A ==\n=== A1 ===\n==== A1x ====\n=== A2 ===\n== B ==\n"
    article = parse_bytes(text.encode(), "t.txt")
    assert [s.title for s in article.sections] == ["A", "B"]
    assert [s.title for s in article.sections[0].subsections] == ["A1", "A2"]
    assert [s.title for s in article.walk()] == ["A", "A1", "A1x", "A2", "B"]


def test_paragraph_lines_join_and_table_ends_paragraph() -> None:
    text = "= T =\n== S ==\nfirst line\nsecond line\n| h |\n| v |\n- item\n"
    blocks = parse_bytes(text.encode(), "t.txt").sections[0].blocks
    assert [type(b).__name__ for b in blocks] == ["Paragraph", "Table", "BulletList"]
    first = blocks[0]
    assert isinstance(first, Paragraph) and first.text == "first line second line"


@pytest.mark.parametrize("path", BAD_INPUTS, ids=lambda p: p.stem)
def test_bad_input_raises_source_error(path: Path) -> None:
    expected = path.with_suffix(".err").read_text(encoding="utf-8").strip()
    shown = f"tests/data/bad/{path.name}"
    with pytest.raises(SourceError) as caught:
        parse_article(path, shown)
    assert f"error: {caught.value}" == expected


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match=r"missing\.txt: no such file$"):
        parse_article(tmp_path / "missing.txt", "missing.txt")
    with pytest.raises(SourceError) as caught:
        parse_article(tmp_path, "somedir")
    assert str(caught.value) == "somedir: is a directory (expected an article file)"
    assert caught.value.line is None


def _parses_or_fails_cleanly(data: bytes) -> None:
    try:
        article = parse_bytes(data, "random.txt")
    except SourceError as e:
        assert e.path == "random.txt"
        assert "\n" not in str(e)
        return
    assert isinstance(article, Article)
    last_line = data.count(b"\n") + 1
    for section in article.walk():
        assert 1 <= section.src.line <= last_line
        for table in section.tables:
            assert all(len(row.cells) == len(table.header) for row in table.rows)


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_random_text_parses_or_raises_source_error(text: str) -> None:
    _parses_or_fails_cleanly(text.encode("utf-8", "surrogatepass"))


@settings(max_examples=200, deadline=None)
@given(st.binary())
def test_random_bytes_parse_or_raise_source_error(data: bytes) -> None:
    _parses_or_fails_cleanly(data)


_FRAGMENTS = st.sampled_from(
    ["|", "||", "=", "==", "- ", "Infobox", ": ", "\x00", "\xe5", "\r", "\ufeff", " ", "– "]
)


@st.composite
def _mutated_article(draw: st.DrawFn) -> bytes:
    lines = draw(st.sampled_from(SOURCES)).read_bytes().split(b"\n")
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(lines) - 1))
        action = draw(st.sampled_from(["delete", "duplicate", "insert", "prefix", "suffix", "cut"]))
        fragment = draw(_FRAGMENTS).encode("latin-1" if draw(st.booleans()) else "utf-8", "replace")
        if action == "delete" and len(lines) > 1:
            del lines[at]
        elif action == "duplicate":
            lines.insert(at, lines[at])
        elif action == "insert":
            lines.insert(at, fragment)
        elif action == "prefix":
            lines[at] = fragment + lines[at]
        elif action == "suffix":
            lines[at] = lines[at] + fragment
        else:
            lines[at] = lines[at][: draw(st.integers(0, len(lines[at])))]
    return b"\n".join(lines)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_mutated_article())
def test_mutated_articles_parse_or_raise_source_error(data: bytes) -> None:
    _parses_or_fails_cleanly(data)
