"""The build: parse → extract → map → link → validate → serialize.

Until the extraction stage lands, a build stops after parsing and yields the parsed
articles as JSON.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from kg_build.errors import SourceError
from kg_build.model import Article
from kg_build.parse import parse_article, parse_bytes
from kg_build.serialize import articles_to_json

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SOURCES_DIR = PROJECT_ROOT / "sources"
STDIN = "-"
STDIN_NAME = "<stdin>"


@dataclass(frozen=True, slots=True)
class BuildResult:
    """What a build produced: the parsed articles and the bytes to write."""

    articles: tuple[Article, ...]
    data: bytes


def bundled_sources() -> list[Path]:
    """Return the article files of the bundled ``sources/`` folder, sorted by name."""
    sources = sorted(SOURCES_DIR.glob("*.txt"))
    if not sources:
        raise SourceError(SOURCES_DIR.as_posix(), None, "no bundled articles (expected *.txt)")
    return sources


def parse_sources(paths: Sequence[Path]) -> tuple[Article, ...]:
    """Parse each article in order; ``-`` reads one article from standard input."""
    return tuple(_parse_one(p) for p in paths)


def _parse_one(path: Path) -> Article:
    if path.as_posix() == STDIN:
        return parse_bytes(sys.stdin.buffer.read(), STDIN_NAME)
    return parse_article(path)


def build(paths: Sequence[Path]) -> BuildResult:
    """Build from ``paths`` (the bundled sources when empty); for now, parsed JSON."""
    articles = parse_sources(paths or bundled_sources())
    return BuildResult(articles=articles, data=articles_to_json(articles))
