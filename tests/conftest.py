"""Shared fixtures: the bundled articles and the repository paths."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kg_build.build.memory import Built, build
from kg_build.build.records import extract_sources
from kg_build.curated.tables import add_rows
from kg_build.model import Article, Extraction
from kg_build.parse.article import parse_article

ROOT = Path(__file__).resolve().parent.parent
# A third article, not bundled: it builds with curated rows and facts only (no code change).
THIRD = ROOT / "tests" / "data" / "third"
THIRD_STEM = "speed-skating-2030-womens-team-pursuit"
SOURCES = sorted((ROOT / "sources").glob("*.txt"))
CYCLING = ROOT / "sources" / "cycling-2020-mens-team-pursuit.txt"
SKATING = ROOT / "sources" / "speed-skating-2022-mens-team-pursuit.txt"
BAD_INPUTS = sorted((ROOT / "tests" / "data" / "bad").glob("*.txt"))
# Articles with a line that breaks the format: read around it, with a warning.
IRREGULAR_INPUTS = sorted((ROOT / "tests" / "data" / "irregular").glob("*.txt"))


FAMILY = ROOT / "tests" / "data" / "family"
FAMILY_ARTICLES = sorted(p.name for p in FAMILY.iterdir() if (p / f"{p.name}.txt").exists())


def pytest_addoption(parser: pytest.Parser) -> None:
    """Add --update-golden: write the golden graphs anew instead of comparing with them."""
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="write tests/golden/*.nq from today's builds (review the diff like code)",
    )


@pytest.fixture(scope="session")
def family_mappings(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return the project's mappings with every family article's curated rows added."""
    mappings = tmp_path_factory.mktemp("family") / "mappings"
    shutil.copytree(ROOT / "mappings", mappings, ignore=shutil.ignore_patterns("__*"))
    rows: dict[str, list[str]] = {}
    # Rows the articles share (NOCs, Games) stand once in curated/, the rest in each article's.
    for tsv in sorted([*FAMILY.glob("curated/*.tsv"), *FAMILY.glob("*/curated/*.tsv")]):
        for row in tsv.read_text(encoding="utf-8").splitlines()[1:]:
            if row and row not in rows.setdefault(tsv.name, []):
                rows[tsv.name].append(row)
    for name, added in rows.items():
        add_rows(mappings / "curated" / name, added)
    return mappings


def third_mappings(tmp_path: Path) -> Path:
    """Return a copy of the mappings with the curated rows and facts of the third article."""
    mappings = tmp_path / "mappings"
    shutil.copytree(ROOT / "mappings", mappings)
    for tsv in sorted((THIRD / "mappings" / "curated").glob("*.tsv")):
        add_rows(mappings / "curated" / tsv.name, tsv.read_text(encoding="utf-8").splitlines()[1:])
    shutil.copy(THIRD / "mappings" / "facts" / f"{THIRD_STEM}.yaml", mappings / "facts")
    return mappings


def shapes_with(folder: Path, shape: str) -> Path:
    """Copy the project's shapes into ``folder`` with one more shape (Turtle, sh: bound)."""
    shutil.copytree(ROOT / "shapes", folder)
    (folder / "extra.ttl").write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n"
        "@prefix tp: <https://w3id.org/team-pursuit/ontology#> .\n" + shape,
        encoding="utf-8",
    )
    return folder


@pytest.fixture
def in_root(monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run the test from the repository root, so paths print as they do for a user there."""
    monkeypatch.chdir(ROOT)
    return ROOT


@pytest.fixture(scope="session")
def cycling() -> Article:
    """Parse the cycling article once per session."""
    return parse_article(CYCLING, "sources/cycling-2020-mens-team-pursuit.txt")


@pytest.fixture(scope="session")
def skating() -> Article:
    """Parse the speed skating article once per session."""
    return parse_article(SKATING, "sources/speed-skating-2022-mens-team-pursuit.txt")


@pytest.fixture(scope="session")
def extractions() -> dict[str, Extraction]:
    """Extract both bundled articles once per session, by file stem."""
    extracted, _ = extract_sources([CYCLING, SKATING])
    return {Path(e.article.file).stem: e for e in extracted}


@pytest.fixture(scope="session")
def cycling_ex(extractions: dict[str, Extraction]) -> Extraction:
    """Return the cycling article's records."""
    return extractions[CYCLING.stem]


@pytest.fixture(scope="session")
def skating_ex(extractions: dict[str, Extraction]) -> Extraction:
    """Return the speed skating article's records."""
    return extractions[SKATING.stem]


@pytest.fixture(scope="session")
def built() -> Built:
    """Build and validate the bundled articles once per session."""
    return build([])
