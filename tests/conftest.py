"""Shared fixtures: the bundled articles and the repository paths."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg_build.model import Article
from kg_build.parse import parse_article

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted((ROOT / "sources").glob("*.txt"))
CYCLING = ROOT / "sources" / "cycling-2020-mens-team-pursuit.txt"
SKATING = ROOT / "sources" / "speed-skating-2022-mens-team-pursuit.txt"
BAD_INPUTS = sorted((ROOT / "tests" / "data" / "bad").glob("*.txt"))


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
