"""team-pursuit-kg: Olympic team pursuit articles to a validated RDF knowledge graph."""

from kg_build.errors import KgError, SourceError
from kg_build.model import Article
from kg_build.parse import parse_article, parse_bytes

__version__ = "0.1.0"

__all__ = ["Article", "KgError", "SourceError", "__version__", "parse_article", "parse_bytes"]
