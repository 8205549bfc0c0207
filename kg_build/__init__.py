"""team-pursuit-kg: Olympic team pursuit articles to a validated RDF knowledge graph."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kg_build.errors import KgError, SourceError

if TYPE_CHECKING:
    from kg_build.model import Article
    from kg_build.parse.article import parse_article, parse_bytes

__version__ = "0.1.0"

__all__ = ["Article", "KgError", "SourceError", "__version__", "parse_article", "parse_bytes"]


def __getattr__(name: str) -> object:
    """Import the parser and the model on first use.

    Creating the model's classes takes ~50 ms, which `kg query` does not need.
    """
    if name == "Article":
        from kg_build.model import Article

        return Article
    if name in ("parse_article", "parse_bytes"):
        from kg_build.parse import article

        return getattr(article, name)
    raise AttributeError(f"module 'kg_build' has no attribute {name!r}")
