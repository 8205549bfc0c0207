"""Curated TSV files: each requirement of each file, broken in a copy, is one clear line.

And a row the article needs but the curated data lacks names the article's line and the row.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

import pytest
from click.testing import CliRunner
from pyoxigraph import NamedNode

from kg_build.cli import cli
from kg_build.curated.tables import CURATED_FILES, add_rows, read_curated
from tests.conftest import ROOT, THIRD, THIRD_STEM, third_mappings

Edit = Callable[[list[str]], list[str]]


def _swap(first: int, second: int) -> Edit:
    """Swap two lines (1-based) of a file."""

    def edit(lines: list[str]) -> list[str]:
        lines[first - 1], lines[second - 1] = lines[second - 1], lines[first - 1]
        return lines

    return edit


def _replace(line: int, old: str, new: str) -> Edit:
    def edit(lines: list[str]) -> list[str]:
        assert old in lines[line - 1]
        lines[line - 1] = lines[line - 1].replace(old, new, 1)
        return lines

    return edit


def _insert(line: int, text: str) -> Edit:
    def edit(lines: list[str]) -> list[str]:
        return [*lines[: line - 1], text, *lines[line - 1 :]]

    return edit


def _copy_of_line(line: int) -> Edit:
    def edit(lines: list[str]) -> list[str]:
        return [*lines[:line], lines[line - 1], *lines[line:]]

    return edit


PORTER = "cycling-2020-mens-team-pursuit\tAlexander Porter"
CASES: dict[str, tuple[str, Edit, int, str]] = {
    "rosters-order": (
        "rosters.tsv",
        _swap(2, 3),
        3,
        "rosters.tsv is sorted by event, noc, athlete and alias; this row (event "
        "'cycling-2020-mens-team-pursuit', noc 'AUS', athlete 'Alexander Porter', alias '') sorts "
        "before line 2's (event 'cycling-2020-mens-team-pursuit', noc 'AUS', athlete "
        "'Kelland O'Brien', alias '')",
    ),
    "rosters-one-row-per-athlete": (
        "rosters.tsv",
        _insert(3, f"{PORTER}\t\tAUS\thttps://example.org/a\tagain"),
        3,
        "a second row for event 'cycling-2020-mens-team-pursuit', athlete 'Alexander Porter' "
        "and alias '' (the first is at line 2); rosters.tsv has one row per event, athlete and "
        "alias",
    ),
    "rosters-noc": (
        "rosters.tsv",
        _replace(2, "\tAUS\t", "\t\t"),
        2,
        "row has no noc (every row of rosters.tsv gives its event, athlete and noc)",
    ),
    "rosters-spaces": (
        "rosters.tsv",
        _replace(2, "Alexander Porter", "Alexander Porter "),
        2,
        "athlete 'Alexander Porter ' has spaces at its start or end",
    ),
    "rosters-cells": (
        "rosters.tsv",
        _replace(2, "\tAUS\t", " AUS "),
        2,
        "row has 4 cells, expected 6 separated by tabs (event, athlete, alias, noc, source_url, "
        "evidence)",
    ),
    "rosters-bom": (
        "rosters.tsv",
        _replace(1, "event", "\ufeffevent"),
        1,
        "the file starts with a byte order mark; save it as UTF-8 without",
    ),
    "nocs-order": (
        "nocs.tsv",
        _swap(2, 3),
        3,
        "nocs.tsv is sorted by code; this row (code 'AUS') sorts before line 2's (code 'CAN')",
    ),
    "nocs-name": (
        "nocs.tsv",
        _replace(2, "\tAustralia\t", "\t\t"),
        2,
        "row has no name (every row of nocs.tsv gives its code and name)",
    ),
    "nocs-country": (
        "nocs.tsv",
        _replace(13, "\tRUS\t", "\tURS\t"),
        13,
        "country_code 'URS' has no row of its own in nocs.tsv (add one with its source)",
    ),
    "venues-one-row-per-event": (
        "venues.tsv",
        _copy_of_line(2),
        3,
        "a second row for event 'cycling-2020-mens-team-pursuit' (the first is at line 2); "
        "venues.tsv has one row per event",
    ),
    "games-order": (
        "games.tsv",
        _swap(2, 3),
        3,
        "games.tsv is sorted by games; this row (games '2016-summer') sorts before line 2's "
        "(games '2018-winter')",
    ),
    "events-spaces": (
        "events.tsv",
        _replace(2, "\tTrack cycling\t", "\t Track cycling\t"),
        2,
        "discipline ' Track cycling' has spaces at its start or end",
    ),
    "articles-one-row-per-event": (
        "articles.tsv",
        _copy_of_line(2),
        3,
        "a second row for event 'cycling-2020-mens-team-pursuit' (the first is at line 2); "
        "articles.tsv has one row per event",
    ),
    "wikidata-properties-number-order": (
        "wikidata-properties.tsv",
        _insert(3, "P9\tnine\thttps://example.org/p\tinvented"),
        3,
        "wikidata-properties.tsv is sorted by pid; this row (pid 'P9') sorts before line 2's "
        "(pid 'P17')",
    ),
    "wikidata-properties-id": (
        "wikidata-properties.tsv",
        _replace(2, "P17\t", "17\t"),
        2,
        "pid '17' is not P and a number",
    ),
    "wikidata-items-one-row-per-label": (
        "wikidata-items.tsv",
        _replace(3, "\tsecond\t", "\thuman\t"),
        3,
        "a second row for label 'human' (the first is at line 2); wikidata-items.tsv has one row "
        "per label",
    ),
    "wikidata-identifiers-source": (
        "wikidata-identifiers.tsv",
        _insert(2, "tpid:person/ed-clancy\tP8286\t12345\t\tno source"),
        2,
        "row has no see_also (every curated fact needs a source)",
    ),
}


def _kg(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stderr


def test_every_curated_file_has_a_broken_case() -> None:
    assert {name for name, *_ in CASES.values()} == set(CURATED_FILES)
    for path in sorted((ROOT / "mappings" / "curated").glob("*.tsv")):
        assert path.name in CURATED_FILES, path


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_broken_curated_file_is_one_line_saying_what_it_requires(
    tmp_path: Path, case: str
) -> None:
    name, edit, line, message = CASES[case]
    mappings = tmp_path / "mappings"
    shutil.copytree(ROOT / "mappings", mappings)
    path = mappings / "curated" / name
    lines = edit(path.read_text(encoding="utf-8").splitlines())
    path.write_text("".join(f"{ln}\n" for ln in lines), encoding="utf-8")
    code, err = _kg("build", "--mappings", str(mappings), "-o", str(tmp_path / "x.ttl"))
    assert (code, err) == (1, f"error: {path.as_posix()}:{line}: {message}\n")


def _remove_rows(path: Path, start: str) -> None:
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(ln for ln in lines if not ln.startswith(start)), encoding="utf-8")


def _line_of(path: Path, text: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(n for n, ln in enumerate(lines, 1) if text in ln)


@pytest.mark.parametrize("missing", ["noc", "venue", "roster"])
def test_issue_17_a_missing_curated_row_names_the_article_line_and_the_row(
    tmp_path: Path, missing: str, in_root: Path
) -> None:
    mappings = third_mappings(tmp_path)
    curated = mappings / "curated"
    article = THIRD / "sources" / f"{THIRD_STEM}.txt"
    shown = article.relative_to(ROOT).as_posix()
    if missing == "noc":  # before: internal error: KeyError: 'JPN'
        _remove_rows(curated / "nocs.tsv", "JPN\t")
        line = _line_of(article, "| Rin Kawaguchi")
        message = (
            f"no row for NOC 'JPN' in {curated.as_posix()}/nocs.tsv (add one with its source) "
            "[noc-not-curated]"
        )
    elif missing == "venue":
        _remove_rows(curated / "venues.tsv", THIRD_STEM)
        line = _line_of(article, "- Venue:")
        message = (
            f"no row for event '{THIRD_STEM}' in {curated.as_posix()}/venues.tsv "
            "(add one with its source) [venue-not-curated]"
        )
    else:
        _remove_rows(curated / "rosters.tsv", THIRD_STEM)
        line = 1
        message = (
            f"no rows for event '{THIRD_STEM}' in {curated.as_posix()}/rosters.tsv (add its "
            "athletes, each with the NOC they raced for and a source) [no-roster]"
        )
    code, err = _kg(
        "build", str(article), "--mappings", str(mappings), "-o", str(tmp_path / "x.ttl")
    )
    assert (code, err) == (
        1,
        f"error: {shown}:{line}: {message}\n"
        "error: 1 curated row missing (kg check lists them); nothing written\n",
    )


def test_rows_added_by_a_tool_land_in_the_files_order(tmp_path: Path) -> None:
    nocs = tmp_path / "nocs.tsv"
    shutil.copy(ROOT / "mappings" / "curated" / "nocs.tsv", nocs)
    add_rows(nocs, ["BEL\tBelgium\t\thttps://example.org/bel\tinvented"])
    codes = [ln.split("\t")[0] for ln in nocs.read_text(encoding="utf-8").splitlines()]
    assert codes[:4] == ["code", "AUS", "BEL", "CAN"]


# Sources as canonical IRIs (issue 21). A curated row's source becomes the object of
# dcterms:source, so it must be the page itself: the Wikipedia, Wikidata, Olympedia, olympics.com
# or federation URL, never a copy of it. A mirror or proxy that was read goes into `evidence`.
# These hosts copy or proxy another site's pages; each was met in this project's curated rows or
# evidence (mirrors of Wikipedia and of Olympedia, a reverse proxy of wikimili, the mobile hosts
# of Wikipedia and Wikidata), so a new row citing one of them is a copy, not a canonical page.
MIRROR_HOSTS = (
    "bdmobi.com",
    "clateway.com",
    "defzone.net",
    "dewiki.de",
    "easychat.me",
    "elasticbeanstalk.com",
    "enwikipedia.net",
    "franco.wiki",
    "ipfs.dweb.link",
    "kampuspedia.com",
    "kiwix.casplantje.nl",
    "liu233w.com",
    "m.wikidata.org",
    "newsr.in",
    "perceptiode.com",
    "piglix.com",
    "profilbaru.com",
    "qa.edu.vn",
    "richxsearch.com",
    "wiki-gateway.eudic.net",
    "wiki.1209k.com",
    "wiki.x.io",
    "wikimili.com",
    "wikipedia-on-ipfs.org",
    "wikiplanet.click",
    "wikizero.com",
    "wikizero.net",
    "xcv.wiki",
    "zxc.wiki",
)
# Sites whose pages are cited by their own https IRI, written as the site writes it.
MEDIAWIKI = re.compile(r"[a-z-]+\.wikipedia\.org|www\.wikidata\.org")
HTTPS_ONLY = re.compile(r"[a-z-]+\.wikipedia\.org|www\.wikidata\.org|www\.olympedia\.org")
CURATED_FOLDERS = [
    ROOT / "mappings" / "curated",
    ROOT / "tests" / "data" / "family" / "curated",
    *sorted((ROOT / "tests" / "data" / "family").glob("*/curated")),
    THIRD / "mappings" / "curated",
]
CURATED_TSVS = [path for folder in CURATED_FOLDERS for path in sorted(folder.glob("*.tsv"))]
# Rows whose source is not on the web yet: a public code file read through a file index that
# did not name its repository (mappings/curated/MISSING.md, "Sources still on a mirror").
NOT_ON_THE_WEB = {
    ("mappings/curated/wikidata-items.tsv", "Q5"): "code-index:file/51829687290",
    ("mappings/curated/wikidata-items.tsv", "Q11574"): "code-index:file/47187071336",
    ("mappings/curated/wikidata-properties.tsv", "P854"): "code-index:file/5827142330",
}


def source_problem(value: str) -> str | None:
    """Say why ``value`` cannot be a curated row's source IRI, or return None."""
    if re.search(r"\s", value):
        return "has whitespace (percent-encode it as %20)"
    try:
        NamedNode(value)
    except ValueError as e:
        return f"is not an IRI ({e})"
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "is not an absolute http(s) IRI"
    host = parts.hostname
    mirror = next((m for m in MIRROR_HOSTS if host == m or host.endswith(f".{m}")), None)
    if mirror or re.fullmatch(r"[a-z-]+\.m\.wikipedia\.org", host):
        return f"is on the mirror or mobile host '{mirror or host}' (cite the page it copies)"
    if HTTPS_ONLY.fullmatch(host) and parts.scheme != "https":
        return "uses http (cite the https page)"
    if MEDIAWIKI.fullmatch(host):
        title = parts.path.removeprefix("/wiki/")
        canonical = quote(unquote(title).replace(" ", "_"), safe=";@$!*(),/~:")
        if not parts.path.startswith("/wiki/") or parts.query or title != canonical:
            return f"is not the page's own IRI (expected '{host}/wiki/{canonical}')"
    return None


@pytest.mark.parametrize(
    "path", CURATED_TSVS, ids=[p.relative_to(ROOT).as_posix() for p in CURATED_TSVS]
)
def test_issue_21_every_curated_source_is_a_canonical_page_iri(path: Path) -> None:
    shown = path.relative_to(ROOT).as_posix()
    spec = CURATED_FILES[path.name]
    problems = []
    for line, row in read_curated(path, shown, spec):
        value = row[spec.source]
        if NOT_ON_THE_WEB.get((shown, row[spec.columns[0]])) == value:
            continue
        problem = source_problem(value)
        if problem:
            problems.append(f"{shown}:{line}: {spec.source} '{value}' {problem}")
    assert problems == []


def test_issue_21_rows_not_on_the_web_are_still_there() -> None:
    """Each exception is a row as it stands: once it cites a web page, drop it from the list."""
    for (shown, key), value in sorted(NOT_ON_THE_WEB.items()):
        spec = CURATED_FILES[Path(shown).name]
        rows = read_curated(ROOT / shown, shown, spec)
        assert [r[spec.source] for _, r in rows if r[spec.columns[0]] == key] == [value]


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("https://wikimili.com/en/Izu_Velodrome", "is on the mirror or mobile host 'wikimili.com'"),
        (
            "https://bafybeiaysi4s6lnjev27ln5icwm6tueaw2vdykrtjkwiphwekaywqhcjze.ipfs.dweb.link/wiki/X",
            "is on the mirror or mobile host 'ipfs.dweb.link'",
        ),
        (
            "https://en.m.wikipedia.org/wiki/X",
            "is on the mirror or mobile host 'en.m.wikipedia.org'",
        ),
        ("https://m.wikidata.org/wiki/Q5", "is on the mirror or mobile host 'm.wikidata.org'"),
        ("http://www.olympedia.org/results/924528", "uses http (cite the https page)"),
        (
            "https://en.wikipedia.org/wiki/Men's_team_pursuit",
            "is not the page's own IRI (expected 'en.wikipedia.org/wiki/Men%27s_team_pursuit')",
        ),
        ("https://example.org/a page", "has whitespace (percent-encode it as %20)"),
        ("code-index:file/5827142330", "is not an absolute http(s) IRI"),
        ("en.wikipedia.org/wiki/X", "is not an IRI"),
        ("https://www.teamusa.com/news/2022/february/15/us-men-secure-bronze", None),
        (
            "https://en.wikipedia.org/wiki/Cycling_at_the_2020_Summer_Olympics_%E2%80%93_Men%27s",
            None,
        ),
    ],
)
def test_issue_21_source_check_names_what_is_wrong(value: str, problem: str | None) -> None:
    found = source_problem(value)
    if problem is None:
        assert found is None
    else:  # an IRI parser's own reason follows some messages
        assert found is not None and found.startswith(problem), found
