"""What a build reads besides the articles, and which article files it builds."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path

from msgspec import Struct
from msgspec.structs import replace
from rdflib import Graph
from rdflib.store import Store
from rdflib.term import IdentifiedNode

from kg_build.curated.reference import Reference, load_reference
from kg_build.curated.settings import SETTINGS_FILE, Settings, check_settings, load_settings
from kg_build.defaults import (
    DEFAULT_BASE,
    DEFAULT_ENGINE,
    MAPPINGS,
    ONTOLOGY,
    SHAPES,
    SOURCES,
    SOURCES_NAME,
    STDIN,
    STDIN_NAME,
)
from kg_build.errors import ArticlesNotBuilt, SourceError
from kg_build.extract import Inputs
from kg_build.link.wikidata import LINK_SET, load_link_set
from kg_build.mapping import RULES_DIR, MappingRule, load_rules
from kg_build.mapping.languages import LANGUAGE_FILE, load_languages
from kg_build.mapping.vocabulary import Descriptions, ontology_descriptions
from kg_build.messages import display_path
from kg_build.model import Article, Diagnostic, Level, Vocabulary
from kg_build.model.records import Link
from kg_build.parse.article import parse_article, parse_bytes
from kg_build.rdf.cache import cached
from kg_build.rdf.iris import Iris
from kg_build.rdf.ontology import load_ontology, vocabulary
from kg_build.rdf.serialize import graph_to_bytes
from kg_build.validate.shapes import load_shapes


class Config(Struct, frozen=True):
    """Where the ontology, mappings and shapes are, and the base of the data IRIs."""

    ontology: Path = ONTOLOGY
    mappings: Path = MAPPINGS
    shapes: Path = SHAPES
    base: str = DEFAULT_BASE
    validator: str = DEFAULT_ENGINE  # the SHACL engine (pySHACL is the reference)
    strict: bool = False  # every diagnostic about an article is an error
    # A project folder's own mappings/ (kg_build/curated/project.py): its extraction.yaml,
    # rules/ and link set replace those of ``mappings`` where it has them; its curated rows
    # and facts add.
    project: Path | None = None

    def mappings_for(self, name: str) -> Path:
        """Return the mappings folder to read ``name`` from: the project's if it has one."""
        if self.project is not None and (self.project / name).exists():
            return self.project
        return self.mappings


DEFAULT_CONFIG = Config()  # the packaged ontology, mappings and shapes


class Loaded(Struct, frozen=True):
    """The ontology, rules, settings and curated data, read once per build."""

    # The ontology as N-Triples, for the store's ontology graph: a build needs no rdflib
    # graph of it (unpickling one took ~7 ms of every build), only what is derived below.
    ontology_nt: bytes
    vocab: Vocabulary
    settings: Settings
    reference: Reference
    rules: tuple[MappingRule, ...]
    inputs: Inputs
    descriptions: Descriptions  # the ontology's description of each of its individuals
    links: tuple[Link, ...]  # the curated Wikidata links (wikidata.sssom.tsv)


def load_config(config: Config) -> Loaded:
    """Read everything a build needs besides the articles (kept between builds: rdf/cache.py)."""
    return cached("config", _config_files(config), config.base, lambda: _load_config(config))


def load_config_shapes(config: Config, loaded: Loaded) -> Graph:
    """Read the shapes, checked against the vocabulary ``load_config(config)`` returned.

    Kept between builds too, keyed by the shapes and by what the vocabulary comes from.
    """
    store, identifier = cached(
        "shapes",
        [config.shapes, *_config_files(config)],
        config.base,
        lambda: _graph_parts(load_shapes(config.shapes, loaded.vocab)),
    )
    return Graph(store=store, identifier=identifier, bind_namespaces="none")


def _graph_parts(graph: Graph) -> tuple[Store, IdentifiedNode]:
    # A pickled Graph comes back with rdflib's default prefixes bound; its store does not.
    return graph.store, graph.identifier


def _config_files(config: Config) -> list[Path]:
    """Return what ``load_config`` reads: the ontology, the mappings, a project's own."""
    return [config.ontology, config.mappings, *([config.project] if config.project else [])]


def _load_config(config: Config) -> Loaded:
    ontology = load_ontology(config.ontology)
    rules_folder = config.mappings_for(RULES_DIR) / RULES_DIR
    vocab = _with_languages(vocabulary(ontology), rules_folder, config)
    settings = load_settings(config.mappings_for(SETTINGS_FILE))
    check_settings(
        settings, vocab, display_path(config.mappings_for(SETTINGS_FILE) / SETTINGS_FILE)
    )
    reference = load_reference(config.mappings, config.project)
    return Loaded(
        ontology_nt=graph_to_bytes(ontology, "nt"),
        vocab=vocab,
        settings=settings,
        reference=reference,
        rules=load_rules(rules_folder, vocab),
        inputs=Inputs(settings, reference, vocab, Iris(config.base)),
        descriptions=ontology_descriptions(ontology, vocab.individuals),
        links=load_link_set(config.mappings_for(LINK_SET), config.base).links,
    )


def _with_languages(vocab: Vocabulary, rules_folder: Path, config: Config) -> Vocabulary:
    """Add the language table of the rules (a project's rules without one: the packaged one)."""
    if not (rules_folder / LANGUAGE_FILE).exists():
        rules_folder = config.mappings / RULES_DIR
    return replace(vocab, languages=load_languages(rules_folder, vocab))


def bundled_sources() -> list[Path]:
    """Return the article files of the bundled ``sources/`` folder, sorted by name."""
    sources = sorted(SOURCES.glob("*.txt"))
    if not sources:
        raise SourceError(SOURCES.as_posix(), None, "no bundled articles (expected *.txt)")
    return sources


def article_files(paths: Sequence[Path]) -> list[Path]:
    """Return the article files to build: a folder stands for its sorted ``*.txt``.

    With no paths, the bundled sources. A folder keeps a large corpus off the command line.
    """
    if not paths:
        return bundled_sources()
    files: list[Path] = []
    for path in paths:
        files += sorted(path.glob("*.txt")) if path.is_dir() else [path]
    return files


def build_order(files: Sequence[Path]) -> list[Path]:
    """Return ``files`` sorted by file name, then by path: the order of a streamed output.

    By name first, so that the same articles give the same bytes wherever their folders lie
    (sorted by full path, a corpus under /tmp came before or after the bundled sources
    depending on the name of the checkout's folder).
    """
    return sorted(files, key=lambda path: (path.name, path.as_posix()))


def parse_sources(paths: Sequence[Path]) -> tuple[Article, ...]:
    """Parse each article in order; ``-`` reads one article from standard input."""
    return tuple(parse_source(p) for p in paths)


def parse_source(path: Path) -> Article:
    """Parse one article file; ``-`` reads it from standard input."""
    if path.as_posix() == STDIN:
        return parse_bytes(sys.stdin.buffer.read(), STDIN_NAME)
    return parse_article(path)


def graph_file(article: Article) -> str:
    """Name an article's file in the graph, never absolute, the same wherever kg is installed.

    A bundled article is ``sources/<file>``; another file is named relative to the working
    folder when it lies below it, else by its file name.
    """
    path = Path(os.path.abspath(article.path))
    resolved, bundled = path.resolve(), SOURCES.resolve()
    if resolved.is_relative_to(bundled):
        return Path(SOURCES_NAME, resolved.relative_to(bundled)).as_posix()
    try:
        return path.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return path.name


def check_diagnostics(found: Sequence[Diagnostic], strict: bool) -> None:
    """Stop the build if our curated data lacks rows, or (with --strict) at any diagnostic."""
    missing = [d for d in found if d.level is Level.MISSING]
    if missing:
        rows = "row" if len(missing) == 1 else "rows"
        raise ArticlesNotBuilt(
            missing, f"{len(missing)} curated {rows} missing (kg check lists them); nothing written"
        )
    unread = [d for d in found if d.level is Level.DIAGNOSTIC]
    if strict and unread:
        raise ArticlesNotBuilt(unread, f"{len(unread)} diagnostics with --strict; nothing written")
